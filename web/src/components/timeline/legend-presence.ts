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
import { CODE_INFLIGHT, CODE_OK, countOnWire, countVisible, nthSmallest, waitKey, type WorldIndex } from './world-index.js';

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
    const states = requestStates(ix);
    if (anyWait(states, w.from, w.to)) keys.add(waitKey(ix.waitCode));
    if (anyVisible(ix, states.inflight, w)) keys.add('inflight');
    if (firstOk(ix, w)) keys.add('ok');
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
  /** The waits (pool queue or mailbox) but the longest 1%, by their start, none longer than shortMaxDur. */
  shortFrom: Float64Array;
  shortTo: Float64Array;
  shortMaxDur: number;
  /** The longest 1% (as WorldIndex splits requests: one long wait must not make every frame scan them all). */
  longFrom: Float64Array;
  longTo: Float64Array;
  /** The requests in flight when the run ended (few). */
  inflight: Int32Array;
}

const statesOf = new WeakMap<object, RequestStates>();

function requestStates(ix: Pick<WorldIndex, 'rows' | 'waitFrom' | 'waitTo' | 'code'>): RequestStates {
  let st = statesOf.get(ix);
  if (st !== undefined) return st;
  const n = ix.rows.n;
  const waited: number[] = [];
  const inflight: number[] = [];
  for (let i = 0; i < n; i++) {
    if (ix.waitTo[i]! > ix.waitFrom[i]!) waited.push(i);
    if (ix.code[i] === CODE_INFLIGHT) inflight.push(i);
  }
  const dur = (i: number) => ix.waitTo[i]! - ix.waitFrom[i]!;
  const cut = waited.length >= 200 ? nthSmallest(Float64Array.from(waited, dur), Math.floor(waited.length * 0.99)) : Number.POSITIVE_INFINITY;
  const short = waited.filter((i) => dur(i) <= cut).sort((a, b) => ix.waitFrom[a]! - ix.waitFrom[b]!);
  const long = waited.filter((i) => dur(i) > cut);
  st = {
    shortFrom: Float64Array.from(short, (i) => ix.waitFrom[i]!),
    shortTo: Float64Array.from(short, (i) => ix.waitTo[i]!),
    shortMaxDur: short.reduce((m, i) => Math.max(m, dur(i)), 0),
    longFrom: Float64Array.from(long, (i) => ix.waitFrom[i]!),
    longTo: Float64Array.from(long, (i) => ix.waitTo[i]!),
    inflight: Int32Array.from(inflight),
  };
  statesOf.set(ix, st);
  return st;
}

/** Whether a request's wait (pool queue or mailbox) meets [a, b]. */
export function waitShown(ix: Pick<WorldIndex, 'rows' | 'waitFrom' | 'waitTo' | 'code'>, a: number, b: number): boolean {
  return anyWait(requestStates(ix), a, b);
}

function anyWait(st: RequestStates, a: number, b: number): boolean {
  const hi = upperBound(st.shortFrom, b);
  for (let k = lowerBound(st.shortFrom, a - st.shortMaxDur); k < hi; k++) if (st.shortTo[k]! >= a) return true;
  for (let k = 0; k < st.longFrom.length; k++) if (st.longFrom[k]! <= b && st.longTo[k]! >= a) return true;
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
function firstOk(ix: WorldIndex, w: TimeWindow): boolean {
  const hi = upperBound(ix.start, w.to);
  for (let i = lowerBound(ix.start, w.from - ix.shortMaxDur); i < hi; i++) if (ix.end[i]! >= w.from && ix.code[i] === CODE_OK) return true;
  for (let j = 0; j < ix.longIdx.length; j++) {
    const i = ix.longIdx[j]!;
    if (ix.start[i]! <= w.to && ix.end[i]! >= w.from && ix.code[i] === CODE_OK) return true;
  }
  return false;
}
