/**
 * Which legend entries the visible window shows, so the legend lists only those: connection
 * states and backoffs overlapping the window, arrows or density (as drawMode picks), request
 * states and error kinds of the requests in view, and faults.
 */
import type { FaultView } from '../../../../sim/views/types.js';
import { ERROR_KINDS } from '../../palette.js';
import { ARROW_LIMIT } from './frame.js';
import { lowerBound, upperBound } from './search.js';
import type { TimeWindow, WorldData } from './types.js';
import { stripKinds } from './layout.js';
import { CODE_INFLIGHT, CODE_OK, countOnWire, countVisible, waitKey, type WorldIndex } from './world-index.js';

/** Legend keys: conn states ('connecting', 'up', 'backoff'), 'command', 'reply', 'density',
 * request states ('waiting', 'mailbox', 'connect', 'inflight', 'ok'), 'late-drop', 'resend', 'busy', 'connects', 'latency', 'error:<kind>', 'fault'. */
export function presentKeys(worlds: readonly WorldData[], faults: readonly FaultView[], w: TimeWindow): Set<string> {
  const keys = new Set<string>();
  const overlaps = (a: number, b: number) => a <= w.to && b >= w.from;
  for (const { world, ix } of worlds) {
    for (const lane of world.connLanes) for (const b of lane.bands) if (b.state !== 'closing' && overlaps(b.from, b.to)) keys.add(b.state);
    if (world.backoffs.some((b) => overlaps(b.from, b.to))) keys.add('backoff');
    const visible = countVisible(ix, w.from, w.to, ARROW_LIMIT);
    const wire = countOnWire(ix, w.from, w.to, ARROW_LIMIT);
    if (visible > 0) keys.add(wire <= ARROW_LIMIT ? 'command' : 'density');
    if (wire > 0 && wire <= ARROW_LIMIT) keys.add('reply');
    // Request states: each looked up where it can be, not by a scan of the requests in view
    // (run once per frame while panning: ~45k requests in a 1 s window of a 100k run).
    if (waitShown(ix, w.from, w.to)) keys.add(waitKey(ix.waitCode));
    if (anyVisible(ix, requestStates(ix).inflight, w)) keys.add('inflight');
    if (okShown(ix, w)) keys.add('ok');
    if (upperBound(ix.dropT, w.to) > lowerBound(ix.dropT, w.from)) keys.add('late-drop');
    for (const k of stripKinds(world)) keys.add(k.startsWith('busy') ? 'busy' : k);
    if (world.resends.some((r) => r.at >= w.from && r.prevSentAt <= w.to)) keys.add('resend');
    const flo = lowerBound(ix.failEnd, w.from);
    const fhi = upperBound(ix.failEnd, w.to);
    for (let j = flo; j < fhi; j++) keys.add(`error:${ERROR_KINDS[ix.failKind[j]!] ?? 'other'}`);
  }
  if (faults.some((f) => overlaps(f.at, f.until))) keys.add('fault');
  return keys;
}

/** Where a world's waits and its requests in flight are, for presentKeys, made once per index. */
interface RequestStates {
  /**
   * The requests that waited (pool queue or mailbox) but the index's longest 1%, in the index's
   * order (by start), with their starts: a wait lies within its request, so within shortMaxDur
   * of its start.
   */
  shortIdx: Int32Array;
  shortStart: Float64Array;
  /** The longest 1% that waited (WorldIndex's split: one long wait must not make every frame scan them all). */
  longIdx: Int32Array;
  /** The requests in flight when the run ended (few). */
  inflight: Int32Array;
}

type StatesIndex = Pick<WorldIndex, 'rows' | 'start' | 'waitFrom' | 'waitTo' | 'code' | 'isLong'>;

const statesOf = new WeakMap<object, RequestStates>();

/** One pass over the requests, nothing sorted: made as each new run is first drawn. */
function requestStates(ix: StatesIndex): RequestStates {
  let st = statesOf.get(ix);
  if (st !== undefined) return st;
  const n = ix.rows.n;
  let shorts = 0;
  let longs = 0;
  let inflights = 0;
  for (let i = 0; i < n; i++) {
    if (ix.waitTo[i]! > ix.waitFrom[i]!) {
      if (ix.isLong[i] === 0) shorts++;
      else longs++;
    }
    if (ix.code[i] === CODE_INFLIGHT) inflights++;
  }
  st = { shortIdx: new Int32Array(shorts), shortStart: new Float64Array(shorts), longIdx: new Int32Array(longs), inflight: new Int32Array(inflights) };
  shorts = longs = inflights = 0;
  for (let i = 0; i < n; i++) {
    if (ix.waitTo[i]! > ix.waitFrom[i]!) {
      if (ix.isLong[i] === 0) {
        st.shortIdx[shorts] = i;
        st.shortStart[shorts++] = ix.start[i]!;
      } else st.longIdx[longs++] = i;
    }
    if (ix.code[i] === CODE_INFLIGHT) st.inflight[inflights++] = i;
  }
  statesOf.set(ix, st);
  return st;
}

/** Whether a request's wait (pool queue or mailbox) meets [a, b]. */
export function waitShown(ix: StatesIndex & Pick<WorldIndex, 'shortMaxDur'>, a: number, b: number): boolean {
  const st = requestStates(ix);
  const meets = (i: number) => ix.waitFrom[i]! <= b && ix.waitTo[i]! >= a;
  const hi = upperBound(st.shortStart, b);
  for (let k = lowerBound(st.shortStart, a - ix.shortMaxDur); k < hi; k++) if (meets(st.shortIdx[k]!)) return true;
  for (let k = 0; k < st.longIdx.length; k++) if (meets(st.longIdx[k]!)) return true;
  return false;
}

function anyVisible(ix: WorldIndex, idx: Int32Array, w: TimeWindow): boolean {
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j]!;
    if (ix.start[i]! <= w.to && ix.end[i]! >= w.from) return true;
  }
  return false;
}

/** Whether a request in view was served: the requests in view until the first (nearly always among the first). */
export function okShown(ix: WorldIndex, w: TimeWindow): boolean {
  const hi = upperBound(ix.start, w.to);
  for (let i = lowerBound(ix.start, w.from - ix.shortMaxDur); i < hi; i++) if (ix.end[i]! >= w.from && ix.code[i] === CODE_OK) return true;
  for (let j = 0; j < ix.longIdx.length; j++) {
    const i = ix.longIdx[j]!;
    if (ix.start[i]! <= w.to && ix.end[i]! >= w.from && ix.code[i] === CODE_OK) return true;
  }
  return false;
}
