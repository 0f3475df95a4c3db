/**
 * What the page builds of a world before it can draw it: its timeline index, its tracks' figures
 * and the index of its state at time t (sim/views/at.ts), each cached by world. The lab's client
 * (web/src/sim-client.ts) calls this as soon as a world arrives, while the other world may still
 * be simulating, so that little is left to do once the last one is in.
 */
import { indexWorldAt, requestRows, type WorldView } from '../../../../sim/views/index.js';
import { stockArrays } from '../../../../sim/views/room.js';
import { callersCompressed } from './layout.js';
import { trackFiguresOf } from './tracks.js';
import { worldIndexOf } from './world-index.js';

export function prepareWorld(world: WorldView, durationUs: number): void {
  worldIndexOf(world);
  trackFiguresOf(world, durationUs);
  indexWorldAt(world);
  stockSoon(world);
}

/**
 * The large arrays the page makes for a world of `n` requests (the index's columns, the
 * state-at-t index's ends, the figures' latencies; with too many callers for a row each, the
 * caller density's waits and their steps), at an eighth more.
 */
function pageArrays(n: number, density: boolean): Array<[Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor, number]> {
  const m = Math.ceil(n * 1.125) + 16;
  const out: Array<[Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor, number]> = [];
  // world-index: start, end, waitFrom (a pool's), waitTo, durations; at.ts: stop, ok, failed;
  // tracks: latencies.
  for (let k = 0; k < 9; k++) out.push([Float64Array, m]);
  out.push([Int32Array, m], [Uint8Array, m], [Uint8Array, m], [Uint8Array, m]);
  // The waiting series (occupancyOf): opens, closes, and its steps' two columns.
  if (density) out.push([Float64Array, m], [Float64Array, m], [Float64Array, 2 * m + 1], [Float64Array, 2 * m + 1]);
  return out;
}

/** Bytes made per idle slice: a few ms, so a click meanwhile is not held up. */
const SLICE_BYTES = 2 << 20;

/** Not at once: the other world may still be simulating, and the page is drawing this run. */
const STOCK_AFTER_MS = 1500;

const stocking = new Map<string, ReturnType<typeof setTimeout>>();

/**
 * Once the page is idle after a world arrived, makes and touches the arrays the next world of the
 * same name will need (sim/views/room.ts): fresh memory is slow to touch in the browser (~5 ms a
 * MB in page faults, measured in Chromium), and a 100k world's page arrays are ~6 MB, made again
 * for each world of each run. Only where the page has idle callbacks (not in Node's tests).
 */
function stockSoon(world: WorldView): void {
  const idle = (globalThis as { requestIdleCallback?: (fn: (d: { timeRemaining(): number }) => void, o?: { timeout: number }) => number }).requestIdleCallback;
  if (idle === undefined) return;
  const wanted = pageArrays(requestRows(world).n, callersCompressed(world.callerLanes));
  const owner = `page ${world.label}`;
  const slice = (d: { timeRemaining(): number }) => {
    while (!stockArrays(owner, wanted, SLICE_BYTES)) if (d.timeRemaining() < 8) return void idle(slice);
  };
  clearTimeout(stocking.get(owner));
  stocking.set(owner, setTimeout(() => idle(slice), STOCK_AFTER_MS));
}
