/**
 * The per-world index, built once per view: requests sorted by start in typed arrays, long ones
 * apart, failures by end, step series (in flight, waiting, lane occupancy), and culling by window.
 */
import type { BackoffBand, RequestView, Steps, WorldView } from '../../../../sim/views/types.js';
import { NONE, requestRows, T_CHECKED_OUT, T_END, T_QUEUED, T_SENT, T_START, TIMES, type RequestRows } from '../../../../sim/views/pack.js';
import { freshArray } from '../../../../sim/views/room.js';
import { ERROR_KINDS, REQUEST_STATES, errorSwatch, isErrorKind, type Swatch } from '../../palette.js';
import { occupancyOf, occupancySteps, stepMax } from '../../../../sim/views/steps.js';
import { maxConnRows } from './layout.js';
import { lowerBound, upperBound } from './search.js';

// ---- Request styles -----------------------------------------------------------------------------

/** Raster codes, in priority order: when requests share a pixel, the highest code wins, so
 * errors are never hidden under successes. 4 + i is ERROR_KINDS[i]; the last one is unknown. */
export const CODE_OK = 1;
export const CODE_INFLIGHT = 2;
export const CODE_WAITING = 3;
export const CODE_MAILBOX = 4;
export const CODE_CONNECT = 5;
export const CODE_ERROR0 = 6;
export const CODE_SWATCH: Swatch[] = [
  REQUEST_STATES.ok,
  REQUEST_STATES.ok,
  REQUEST_STATES.inflight,
  REQUEST_STATES.waiting,
  REQUEST_STATES.mailbox,
  REQUEST_STATES.connect,
  ...ERROR_KINDS.map((k) => errorSwatch(k)),
  errorSwatch('other'),
];

export function errorIndex(error: string): number {
  return isErrorKind(error) ? ERROR_KINDS.indexOf(error) : ERROR_KINDS.length;
}

export function outcomeCode(r: RequestView): number {
  if (r.ok === true) return CODE_OK;
  if (r.ok === null || r.end === null) return CODE_INFLIGHT;
  return CODE_ERROR0 + errorIndex(r.error);
}

export function outcomeSwatch(r: RequestView): Swatch {
  return r.ok === false && r.end !== null ? errorSwatch(r.error) : CODE_SWATCH[outcomeCode(r)]!;
}

/** outcomeSwatch of the index's request i, read from its code (and its error's name, failed). */
export function rowSwatch(ix: WorldIndex, i: number): Swatch {
  const c = ix.code[i]!;
  return c >= CODE_ERROR0 ? errorSwatch(ix.rows.error(i)) : CODE_SWATCH[c]!;
}

/**
 * The bar's two parts: waiting (for a pooled connection if it queued, or in the GenServer's
 * mailbox until it was sent), then the rest of its life.
 */
export function segments(ix: WorldIndex, i: number): { waitFrom: number; waitTo: number; mainFrom: number; mainTo: number } {
  return { waitFrom: ix.waitFrom[i]!, waitTo: ix.waitTo[i]!, mainFrom: ix.mainFrom[i]!, mainTo: ix.end[i]! };
}

/**
 * What a caller's wait is in this world: for a pooled connection ('waiting'), or in the mailbox
 * of the one process that owns the socket ('mailbox': serial and multiplexed clients, whose
 * callers' requests are messages that process takes one at a time), or for its own connection
 * to open ('connect': a connection per command, from the call until its command is written).
 */
export function waitKind(world: WorldView): 'waiting' | 'mailbox' | 'connect' {
  const k = world.client.kind;
  return k === 'pool' ? 'waiting' : k === 'naive' ? 'connect' : 'mailbox';
}

/** The legend key of a wait code. */
export function waitKey(code: number): 'waiting' | 'mailbox' | 'connect' {
  return code === CODE_MAILBOX ? 'mailbox' : code === CODE_CONNECT ? 'connect' : 'waiting';
}

/** When each request was first written (a resent one's sentAt is its last write). */
export function firstSends(world: WorldView): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of world.resends) if (!out.has(r.req) || r.prevSentAt < out.get(r.req)!) out.set(r.req, r.prevSentAt);
  return out;
}

// ---- The per-world index (built once per view) --------------------------------------------------

export interface WorldIndex {
  world: WorldView;
  /** Requests sorted by start (the view's order; re-sorted defensively if it was not), in their
   * columns: `rows.at(i)` makes request i's object, for what needs one (a card, a highlight). */
  rows: RequestRows;
  start: Float64Array;
  /** End, or the end of the run for a request that never ended. */
  end: Float64Array;
  /** Per request, precomputed so a frame allocates nothing per request: caller row, the waiting
   * segment (waitTo <= waitFrom: none), where the rest starts, and its raster code. */
  lane: Int32Array;
  /** The waiting segment's code: CODE_WAITING (pool queue) or CODE_MAILBOX (GenServer mailbox). */
  waitCode: number;
  waitFrom: Float64Array;
  waitTo: Float64Array;
  mainFrom: Float64Array;
  code: Uint8Array;
  /** 1 where the request was written on a connection (sentAt set): what the wire can draw. */
  sent: Uint8Array;
  /** Long requests are culled separately so they don't widen the binary-search bound. */
  isLong: Uint8Array;
  longIdx: Int32Array;
  shortMaxDur: number;
  /** Failed requests, sorted by end: error marks and the visible error count. */
  failEnd: Float64Array;
  failIdx: Int32Array;
  /** Index of the failed request's error kind in ERROR_KINDS (ERROR_KINDS.length: unknown). */
  failKind: Uint8Array;
  /** Position in `reqs` of a request id (built on first use: only the tour and the cursor ask). */
  reqPos: Pick<ReadonlyMap<number, number>, 'get'>;
  connToLane: Map<number, number>;
  laneCount: number;
  /** Each backoff band's connection lane (a free stretch of one), or -1 if none was free. */
  backoffLane: Int32Array;
  /** Requests in flight per connection, on the connection's lane, ending when it closed. */
  connSeries: Array<{ lane: number; series: StepSeries }>;
  /** Requests in the system (issued, not ended), and of those, waiting for a pooled connection. */
  inFlight: StepSeries;
  waiting: StepSeries;
  connMax: number;
  inFlightMax: number;
  /** Late replies dropped (inactive alias), by time: world.lateDrops[i].t. */
  dropT: Float64Array;
  /** CPU busy rows (world.busy, in order): how many of the row's processes run, over time. */
  busy: Array<{ who: 'process' | 'callers'; processes: number; series: StepSeries }>;
  /** Connect attempts, in time order; `connectFull`: a column this tall is every connection at once. */
  connectT: Float64Array;
  connectFull: number;
  /** The longest call that ended, µs; latencyTop: the latency strip's top, shared by every world
   * of the lab (shareLatencyScale) so their dots compare by height. */
  latencyMax: number;
  latencyTop: number;
  /** For the compressed connection area: how many lanes are up / connecting / backing off. */
  occupancy: { up: StepSeries; connecting: StepSeries; backoff: StepSeries };
}

/**
 * A step function in columns (the view's own arrays, not copied), with its running integral:
 * `areaAt` is the area under it from times[0] to any t, so the mean over any interval costs two
 * binary searches and a few steps, however many steps it holds. Values stop at `until`.
 */
export interface StepSeries {
  readonly times: Float64Array;
  readonly values: Float64Array;
  readonly until: number;
  /** The area from times[0] to t, where i is the step in effect at t (0 <= i, times[i] <= t). */
  areaAt(i: number, t: number): number;
  /** The running integral is made already (reading it costs nothing more). */
  readonly integralReady: boolean;
}

/** Steps per block of the running integral: it keeps the area at every BLOCK-th step only. */
const BLOCK_SHIFT = 4;

/**
 * The running integral is made on first use: only a zoomed-out frame (many steps per pixel
 * column) and a mean over many steps read it, and a new run opens zoomed in. Made for every
 * series of both worlds as each run arrived, it was a tenth of the page's work after a fault
 * (profiled; a 100k world's series hold ~750k steps). It keeps the area at every 16th step, and
 * `areaAt` adds up the few steps after it: a full column (8 bytes a step, ~10 MB for the series
 * of a 100k world, 1.3 million steps) was fresh memory written on the first zoomed-out frame of
 * each run: in Node 35 ms against 2 ms for the same sums into touched memory. On the page the
 * sums themselves still run unoptimised on first use (~20 ms in a profile). The additions are the
 * same, in the same order, as a full running sum's: the same areas to the bit.
 */
class Series implements StepSeries {
  private blocks: Float64Array | null = null;
  constructor(
    readonly times: Float64Array,
    readonly values: Float64Array,
    readonly until: number,
  ) {}
  get integralReady(): boolean {
    return this.blocks !== null;
  }
  areaAt(i: number, t: number): number {
    const { times, values } = this;
    const blocks = this.blocks ?? this.makeBlocks();
    let area = blocks[i >> BLOCK_SHIFT]!;
    for (let j = (i >> BLOCK_SHIFT) << BLOCK_SHIFT; j < i; j++) area += values[j]! * (times[j + 1]! - times[j]!);
    return area + values[i]! * (t - times[i]!);
  }
  private makeBlocks(): Float64Array {
    const { times, values } = this;
    const n = times.length;
    const blocks = new Float64Array(((n - 1) >> BLOCK_SHIFT) + 1);
    let area = 0;
    const mask = (1 << BLOCK_SHIFT) - 1;
    for (let i = 0; i < n; i++) {
      if ((i & mask) === 0) blocks[i >> BLOCK_SHIFT] = area;
      if (i + 1 < n) area += values[i]! * (times[i + 1]! - times[i]!);
    }
    this.blocks = blocks;
    return blocks;
  }
}

export function toSeries(steps: Steps, until = Number.POSITIVE_INFINITY): StepSeries {
  return new Series(steps.t, steps.v, until);
}

const built = new WeakMap<WorldView, WorldIndex>();

/** The world's index, built once per view and shared (the timeline, the opening window). */
export function worldIndexOf(world: WorldView): WorldIndex {
  let ix = built.get(world);
  if (ix === undefined) built.set(world, (ix = buildWorldIndex(world)));
  return ix;
}

export function buildWorldIndex(world: WorldView): WorldIndex {
  const rows = requestRows(world);
  const { n, times, flags, ints } = rows;
  // Large arrays from the spares made while the page was idle (./prepare.ts stockPage).
  const start = freshArray(Float64Array, n);
  const end = freshArray(Float64Array, n);
  const lane = freshArray(Int32Array, n);
  const kind = waitKind(world);
  const firstSent = kind === 'mailbox' || kind === 'connect' ? firstSends(world) : null;
  // The rest of a bar starts where its wait ends, and a mailbox's or a handshake's wait where the
  // call does: the same arrays (fresh memory's first writes were much of this index's cost).
  const waitFrom = firstSent === null ? freshArray(Float64Array, n) : start;
  const waitTo = freshArray(Float64Array, n);
  const mainFrom = waitTo;
  const code = freshArray(Uint8Array, n);
  const sent = freshArray(Uint8Array, n);
  const endUs = world.endUs;
  const errorCode = rows.strings.map((e) => CODE_ERROR0 + errorIndex(e));
  // One pass over the requests' columns for everything read from them: the page runs this once
  // per world per run, mostly before V8 has optimised it, where each loop over 55k requests costs
  // about the same however little it does (profiled: the latency and duration loops cost as much
  // as this one). NONE stands for null (pack.ts).
  const durations = freshArray(Float64Array, n);
  let latencyMax = 0;
  const fails: number[] = [];
  for (let i = 0; i < n; i++) {
    const to = i * TIMES;
    const s = times[to + T_START]!;
    const rEnd = times[to + T_END]!;
    const e = Math.max(s, rEnd === NONE ? endUs : rEnd);
    start[i] = s;
    end[i] = e;
    durations[i] = e - s;
    if (rEnd !== NONE && rEnd - s > latencyMax) latencyMax = rEnd - s;
    // ok: 0 false, 1 true, 2 null.
    const ok = flags[i * 3]!;
    if (ok === 0) fails.push(i);
    lane[i] = ints[i * 5 + 2]!;
    // outcomeCode, from the columns.
    code[i] = ok === 1 ? CODE_OK : ok === 2 || rEnd === NONE ? CODE_INFLIGHT : errorCode[rows.errors[i]!]!;
    const sentAt = times[to + T_SENT]!;
    sent[i] = sentAt === NONE ? 0 : 1;
    if (firstSent !== null) {
      // In the mailbox (or opening its connection) until it was written; never written: to the end.
      const first = firstSent.get(ints[i * 5]!) ?? sentAt;
      waitTo[i] = first === NONE ? e : Math.min(first, e);
    } else {
      const queuedAt = times[to + T_QUEUED]!;
      if (queuedAt === NONE) waitFrom[i] = waitTo[i] = s;
      else {
        // Queued and never checked out (queue timeout): all waiting, the outcome shows at the end.
        const out = times[to + T_CHECKED_OUT]!;
        waitFrom[i] = queuedAt;
        waitTo[i] = out === NONE ? e : out;
      }
    }
  }

  // Split off the longest 1% so one stuck request does not make every frame scan from 0.
  // The durations are selected where they are (reordered): each is end - start again below.
  const cut = n >= 200 ? nthSmallest(durations, Math.floor(n * 0.99)) : Number.POSITIVE_INFINITY;
  const isLong = freshArray(Uint8Array, n);
  const long: number[] = [];
  let shortMaxDur = 0;
  for (let i = 0; i < n; i++) {
    const d = end[i]! - start[i]!;
    if (d > cut) {
      isLong[i] = 1;
      long.push(i);
    } else if (d > shortMaxDur) shortMaxDur = d;
  }

  fails.sort((a, b) => end[a]! - end[b]!);
  const failIdx = Int32Array.from(fails);
  const failEnd = Float64Array.from(fails, (i) => end[i]!);
  const failKind = Uint8Array.from(fails, (i) => errorIndex(rows.error(i)));

  const connToLane = new Map<number, number>();
  const connEnd = new Map<number, number>();
  world.connLanes.forEach((lane, l) => {
    for (const b of lane.bands) {
      connToLane.set(b.conn, l);
      connEnd.set(b.conn, Math.max(b.to, connEnd.get(b.conn) ?? 0));
    }
  });
  const laneCount = world.connLanes.length;
  const connSeries: WorldIndex['connSeries'] = [];
  let connMax = 0;
  for (const s of world.connInFlight) {
    connMax = Math.max(connMax, stepMax(s.points));
    const lane = connToLane.get(s.conn);
    // A request that dies with its connection is never counted out of the series: stop the
    // series where the connection's lane ends, or it would read as busy forever.
    if (lane !== undefined) connSeries.push({ lane, series: toSeries(s.points, connEnd.get(s.conn) ?? world.endUs) });
  }
  const inFlightMax = stepMax(world.inFlight);

  const bands = world.connLanes.flatMap((l) => l.bands);
  let waiting: StepSeries | null = null;
  return {
    world,
    rows,
    start,
    end,
    lane,
    waitCode: kind === 'mailbox' ? CODE_MAILBOX : kind === 'connect' ? CODE_CONNECT : CODE_WAITING,
    waitFrom,
    waitTo,
    mainFrom,
    code,
    sent,
    isLong,
    longIdx: Int32Array.from(long),
    shortMaxDur,
    failEnd,
    failIdx,
    failKind,
    reqPos: new RequestPositions(rows),
    connToLane,
    laneCount,
    backoffLane: laneCount > maxConnRows() ? new Int32Array(world.backoffs.length).fill(-1) : assignBackoffLanes(world),
    connSeries,
    inFlight: toSeries(world.inFlight),
    // Made on first use: only a world with too many callers for a row each draws it (its caller
    // density), and it was as dear as unpacking the requests (sorting every wait's ends and starts).
    get waiting(): StepSeries {
      waiting ??= toSeries(occupancyOf(waitFrom, waitTo, n));
      return waiting;
    },
    connMax,
    inFlightMax,
    dropT: Float64Array.from([...world.lateDrops].sort((a, b) => a.t - b.t), (d) => d.t),
    busy: world.busy.map((b) => ({ who: b.who, processes: b.processes, series: toSeries(b.points) })),
    connectT: Float64Array.from(world.connects).sort(),
    latencyMax,
    latencyTop: latencyMax,
    connectFull: Math.max(1, world.client.kind === 'pool' ? (world.client.size ?? laneCount) : world.client.kind === 'naive' ? world.callerLanes : 1),
    occupancy: {
      up: toSeries(occupancySteps(bands.filter((b) => b.state === 'up'))),
      connecting: toSeries(occupancySteps(bands.filter((b) => b.state === 'connecting'))),
      backoff: toSeries(occupancySteps(world.backoffs)),
    },
  };
}

/**
 * Request id → position, as a Map built on the first lookup: a Map of every request was most of
 * the index's cost (70% of it for a 55k-request world, profiled), paid on every run for a lookup
 * that only the tour's pointer and the request cursor make.
 */
class RequestPositions {
  private map: Map<number, number> | null = null;
  constructor(private readonly rows: RequestRows) {}
  get(id: number): number | undefined {
    if (this.map === null) {
      this.map = new Map();
      for (let i = 0; i < this.rows.n; i++) this.map.set(this.rows.req(i), i);
    }
    return this.map.get(id);
  }
}

/**
 * The k-th smallest value (0-based) of xs, which it reorders: what xs.sort()[k] is, in linear
 * time (Hoare's selection) instead of sorting the whole array for one percentile.
 */
export function nthSmallest(xs: Float64Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const t = xs[i]!;
        xs[i] = xs[j]!;
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k]!;
  }
  return xs[k]!;
}

/**
 * Each backoff on its process's lane, as the view gives it. One the view could not place (its
 * lane was taken) goes on the first lane with no connection and no other backoff overlapping it.
 */
export function assignBackoffLanes(world: WorldView): Int32Array {
  const out = new Int32Array(world.backoffs.length).fill(-1);
  const placed: Array<Array<{ from: number; to: number }>> = world.connLanes.map(() => []);
  world.backoffs.forEach((b, i) => {
    if (b.lane >= 0 && b.lane < placed.length) {
      out[i] = b.lane;
      placed[b.lane]!.push({ from: b.from, to: b.to });
    }
  });
  const order = world.backoffs.map((_, i) => i).filter((i) => out[i]! < 0).sort((a, b) => world.backoffs[a]!.from - world.backoffs[b]!.from);
  const overlaps = (x: { from: number; to: number }, y: BackoffBand) => x.from < y.to && y.from < x.to;
  for (const i of order) {
    const b = world.backoffs[i]!;
    for (let l = 0; l < world.connLanes.length; l++) {
      if (world.connLanes[l]!.bands.some((c) => overlaps(c, b))) continue;
      const mine = placed[l]!;
      if (mine.some((p) => overlaps(p, b))) continue;
      mine.push({ from: b.from, to: b.to });
      out[i] = l;
      break;
    }
  }
  return out;
}

export { occupancySteps };

/** One latency scale for every world of a lab: the longest call of any. */
export function shareLatencyScale<T extends { ix: WorldIndex }>(worlds: T[]): T[] {
  const top = Math.max(1, ...worlds.map((w) => w.ix.latencyMax));
  for (const w of worlds) w.ix.latencyTop = top;
  return worlds;
}

/** Up to this many steps in the span, seriesMean adds them up rather than reading the integral. */
const DIRECT_STEPS = 4096;

/**
 * The mean of a step series over [from, to] (its integral over the span): the steps in the span
 * added up when they are few (a zoomed-in window), else from the running integral by two searches.
 */
export function seriesMean(s: StepSeries, from: number, to: number): number {
  if (to <= from || s.times.length === 0) return 0;
  const { times, values } = s;
  const a = Math.min(from, s.until);
  const b = Math.min(to, s.until);
  const ia = upperBound(times, a) - 1;
  const ib = upperBound(times, b) - 1;
  // Also while the integral is not made yet and the span holds a small part of the series (as
  // stepColumns walks it): making it reads every step.
  const steps = ib - ia;
  if (steps <= DIRECT_STEPS || (!s.integralReady && steps <= 8 * DIRECT_STEPS && steps * 4 <= times.length)) {
    // Before the first step the value is 0; the last step's value holds on.
    let area = 0;
    let t = Math.max(a, times[0]!);
    for (let i = Math.max(0, ia); i <= ib && t < b; i++) {
      const next = i + 1 < times.length ? Math.min(times[i + 1]!, b) : b;
      if (next > t) {
        area += values[i]! * (next - t);
        t = next;
      }
    }
    return area / (to - from);
  }
  const area = (t: number, i: number) => (i < 0 ? 0 : s.areaAt(i, t));
  return (area(b, ib) - area(a, ia)) / (to - from);
}

/**
 * Calls fn for every request that ended in [from, to], in start order, with its end, start,
 * whether it succeeded and its place in the index: only those that started at most the longest
 * call before `from` are looked at (the charts follow a window of a few ms after a fault edit;
 * reading every request of both runs, this one and the ghost, was their cost). Read from the
 * columns: no request object.
 */
export function forEachEndedIn(ix: WorldIndex, from: number, to: number, fn: (end: number, start: number, ok: boolean, i: number) => void): void {
  const { times, flags } = ix.rows;
  const { start } = ix;
  const hi = upperBound(start, to);
  for (let i = lowerBound(start, from - ix.latencyMax); i < hi; i++) {
    const end = times[i * TIMES + T_END]!;
    if (end !== NONE && end >= from && end <= to) fn(end, start[i]!, flags[i * 3] === 1, i);
  }
}

/** Calls fn(i) for every request overlapping [from, to] (not in time order: long ones come last). */
export function forEachVisible(ix: WorldIndex, from: number, to: number, fn: (i: number) => void): void {
  const lo = lowerBound(ix.start, from - ix.shortMaxDur);
  const hi = upperBound(ix.start, to);
  const { isLong, end } = ix;
  for (let i = lo; i < hi; i++) if (isLong[i] === 0 && end[i]! >= from) fn(i);
  const { longIdx, start } = ix;
  for (let j = 0; j < longIdx.length; j++) {
    const i = longIdx[j]!;
    if (start[i]! <= to && end[i]! >= from) fn(i);
  }
}

/** How many requests overlap [from, to], counting no further than `cap`. */
export function countVisible(ix: WorldIndex, from: number, to: number, cap: number): number {
  const lo = lowerBound(ix.start, from - ix.shortMaxDur);
  const hi = upperBound(ix.start, to);
  let n = 0;
  for (let i = lo; i < hi && n <= cap; i++) if (ix.isLong[i] === 0 && ix.end[i]! >= from) n++;
  for (let j = 0; j < ix.longIdx.length && n <= cap; j++) {
    const i = ix.longIdx[j]!;
    if (ix.start[i]! <= to && ix.end[i]! >= from) n++;
  }
  return n;
}

/**
 * Requests in view that were written on a connection, up to just past `cap`: what decides
 * whether the connection lanes draw arrows. A call shed before it reached a connection (a pool's
 * queue timeout, checked_out) draws no arrow, so it must not turn the wire into a count. Gives
 * up (cap + 1) after scanning 50 × cap requests in view.
 */
export function countOnWire(ix: WorldIndex, from: number, to: number, cap: number): number {
  const lo = lowerBound(ix.start, from - ix.shortMaxDur);
  const hi = upperBound(ix.start, to);
  const budget = 50 * (cap + 1);
  let n = 0;
  let seen = 0;
  for (let i = lo; i < hi && n <= cap; i++) {
    if (ix.isLong[i] !== 0 || ix.end[i]! < from) continue;
    if (++seen > budget) return cap + 1;
    n += ix.sent[i]!;
  }
  for (let j = 0; j < ix.longIdx.length && n <= cap; j++) {
    const i = ix.longIdx[j]!;
    if (ix.start[i]! <= to && ix.end[i]! >= from) n += ix.sent[i]!;
  }
  return n;
}

/** Failed requests whose end lies in [from, to]: what the error marks show. */
export function countFailedIn(ix: WorldIndex, from: number, to: number): number {
  return upperBound(ix.failEnd, to) - lowerBound(ix.failEnd, from);
}
