/**
 * The timeline's canvas drawing: pure functions of (canvas context, the visible window, the
 * world's data) with no React and no DOM reads, so each frame can be reasoned about alone.
 *
 * Budget: a pan/zoom frame must stay well under 16 ms with 100k requests in a world. Three rules
 * keep it there:
 *  - cull before touching a request: requests are sorted by start, so the ones overlapping the
 *    window are a binary-searched slice [first start ≥ from − maxDuration, last start ≤ to]. The
 *    few very long requests (top 1% by duration) are kept apart so they don't widen that bound;
 *  - pick the drawing by how many requests are visible: arrows (few hundred), exact bars (a few
 *    thousand), else a per-pixel raster whose cost is bounded by the canvas, not the data;
 *  - aggregate step series (requests in flight) to one max value per pixel column.
 */
import type { BackoffBand, ConnBand, RequestView, StepPoint, WorldView } from '../../../sim/views/types.js';
import {
  CONN_STATES,
  ERROR_KINDS,
  INK,
  OKABE_ITO,
  REQUEST_STATES,
  WIRE,
  canvasFill,
  makeCanvas,
  errorSwatch,
  patternTile,
  PATTERN_TILE,
  glyphIsStroked,
  glyphShape,
  isErrorKind,
  type GlyphShape,
  type Swatch,
} from '../palette.js';

// ---- Tunables -----------------------------------------------------------------------------------

/** Zoomed in this far (visible requests in a world), each request is drawn as two arrows. */
export const ARROW_LIMIT = 300;
/** Up to this many visible requests, caller bars are drawn one by one; beyond, rasterised. */
export const PRECISE_LIMIT = 3000;
/** Left column for lane labels, and right padding, in CSS px. */
export const GUTTER = 96;
export const RIGHT_PAD = 14;

const PAD_TOP = 6;
const GROUP_GAP = 12;
const PAD_BOTTOM = 8;
const CONN_AREA_MAX = 160;
const CONN_ROW_MIN = 3;
const CONN_ROW_MAX = 36;
const CALLER_AREA_MAX = 150;
const CALLER_ROW_MIN = 3;
const CALLER_ROW_MAX = 10;
const COMPRESSED_H = 44;
const LABEL_FONT = '11px system-ui, sans-serif';

// ---- Binary search ------------------------------------------------------------------------------

/** First index i with a[i] >= x (a sorted ascending). */
export function lowerBound(a: ArrayLike<number>, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index i with a[i] > x (a sorted ascending). */
export function upperBound(a: ArrayLike<number>, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- Request styles -----------------------------------------------------------------------------

/** Raster codes, in priority order: when requests share a pixel, the highest code wins, so
 * errors are never hidden under successes. 4 + i is ERROR_KINDS[i]; the last one is unknown. */
const CODE_OK = 1;
const CODE_INFLIGHT = 2;
const CODE_WAITING = 3;
const CODE_ERROR0 = 4;
const CODE_SWATCH: Swatch[] = [
  REQUEST_STATES.ok,
  REQUEST_STATES.ok,
  REQUEST_STATES.inflight,
  REQUEST_STATES.waiting,
  ...ERROR_KINDS.map((k) => errorSwatch(k)),
  errorSwatch('other'),
];

function errorIndex(error: string): number {
  return isErrorKind(error) ? ERROR_KINDS.indexOf(error) : ERROR_KINDS.length;
}

function outcomeCode(r: RequestView): number {
  if (r.ok === true) return CODE_OK;
  if (r.ok === null || r.end === null) return CODE_INFLIGHT;
  return CODE_ERROR0 + errorIndex(r.error);
}

function outcomeSwatch(r: RequestView): Swatch {
  return r.ok === false && r.end !== null ? errorSwatch(r.error) : CODE_SWATCH[outcomeCode(r)]!;
}

/** The bar's two parts: waiting for a pooled connection (if it queued), then the rest of its life. */
function segments(ix: WorldIndex, i: number): { waitFrom: number; waitTo: number; mainFrom: number; mainTo: number } {
  return { waitFrom: ix.waitFrom[i]!, waitTo: ix.waitTo[i]!, mainFrom: ix.mainFrom[i]!, mainTo: ix.end[i]! };
}

// ---- The per-world index (built once per view) --------------------------------------------------

export interface WorldIndex {
  world: WorldView;
  /** Requests sorted by start (the view's order; re-sorted defensively if it was not). */
  reqs: readonly RequestView[];
  start: Float64Array;
  /** End, or the end of the run for a request that never ended. */
  end: Float64Array;
  /** Per request, precomputed so a frame allocates nothing per request: caller row, the waiting
   * segment (waitTo <= waitFrom: none), where the rest starts, and its raster code. */
  lane: Int32Array;
  waitFrom: Float64Array;
  waitTo: Float64Array;
  mainFrom: Float64Array;
  code: Uint8Array;
  /** Long requests are culled separately so they don't widen the binary-search bound. */
  isLong: Uint8Array;
  longIdx: Int32Array;
  shortMaxDur: number;
  /** Failed requests, sorted by end: error marks and the visible error count. */
  failEnd: Float64Array;
  failIdx: Int32Array;
  /** Index of the failed request's error kind in ERROR_KINDS (ERROR_KINDS.length: unknown). */
  failKind: Uint8Array;
  /** Position in `reqs` of a request id. */
  reqPos: Map<number, number>;
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
  /** For the compressed connection area: how many lanes are up / connecting / backing off. */
  occupancy: { up: StepSeries; connecting: StepSeries; backoff: StepSeries };
}

/**
 * A step function in columns, with its running integral: cum[i] is the area under it from
 * times[0] to times[i], so the mean over any interval costs two binary searches, however many
 * steps it holds. Values stop at `until`.
 */
export interface StepSeries {
  times: Float64Array;
  values: Float64Array;
  cum: Float64Array;
  until: number;
}

export function toSeries(points: readonly StepPoint[], until = Number.POSITIVE_INFINITY): StepSeries {
  const n = points.length;
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  const cum = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    times[i] = p.t;
    values[i] = p.v;
    if (i > 0) cum[i] = cum[i - 1]! + values[i - 1]! * (times[i]! - times[i - 1]!);
  }
  return { times, values, cum, until };
}

export function buildWorldIndex(world: WorldView): WorldIndex {
  const reqs = isSortedByStart(world.requests) ? world.requests : [...world.requests].sort((a, b) => a.start - b.start);
  const n = reqs.length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const lane = new Int32Array(n);
  const waitFrom = new Float64Array(n);
  const waitTo = new Float64Array(n);
  const mainFrom = new Float64Array(n);
  const code = new Uint8Array(n);
  const reqPos = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = reqs[i]!;
    const e = Math.max(r.start, r.end ?? world.endUs);
    start[i] = r.start;
    end[i] = e;
    lane[i] = r.callerLane;
    code[i] = outcomeCode(r);
    if (r.queuedAt === null) {
      waitFrom[i] = waitTo[i] = r.start;
      mainFrom[i] = r.start;
    } else {
      // Queued and never checked out (queue timeout): all waiting, the outcome shows at the end.
      waitFrom[i] = r.queuedAt;
      waitTo[i] = r.checkedOutAt ?? e;
      mainFrom[i] = r.checkedOutAt ?? e;
    }
    reqPos.set(r.req, i);
  }

  // Split off the longest 1% so one stuck request does not make every frame scan from 0.
  const durations = new Float64Array(n);
  for (let i = 0; i < n; i++) durations[i] = end[i]! - start[i]!;
  const sorted = durations.slice().sort();
  const cut = n >= 200 ? sorted[Math.floor(n * 0.99)]! : Number.POSITIVE_INFINITY;
  const isLong = new Uint8Array(n);
  const long: number[] = [];
  let shortMaxDur = 0;
  for (let i = 0; i < n; i++) {
    if (durations[i]! > cut) {
      isLong[i] = 1;
      long.push(i);
    } else if (durations[i]! > shortMaxDur) shortMaxDur = durations[i]!;
  }

  const fails: number[] = [];
  for (let i = 0; i < n; i++) if (reqs[i]!.ok === false) fails.push(i);
  fails.sort((a, b) => end[a]! - end[b]!);
  const failIdx = Int32Array.from(fails);
  const failEnd = Float64Array.from(fails, (i) => end[i]!);
  const failKind = Uint8Array.from(fails, (i) => errorIndex(reqs[i]!.error));

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
    for (const p of s.points) if (p.v > connMax) connMax = p.v;
    const lane = connToLane.get(s.conn);
    // A request that dies with its connection is never counted out of the series: stop the
    // series where the connection's lane ends, or it would read as busy forever.
    if (lane !== undefined) connSeries.push({ lane, series: toSeries(s.points, connEnd.get(s.conn) ?? world.endUs) });
  }
  let inFlightMax = 0;
  for (const p of world.inFlight) if (p.v > inFlightMax) inFlightMax = p.v;

  const bands = world.connLanes.flatMap((l) => l.bands);
  return {
    world,
    reqs,
    start,
    end,
    lane,
    waitFrom,
    waitTo,
    mainFrom,
    code,
    isLong,
    longIdx: Int32Array.from(long),
    shortMaxDur,
    failEnd,
    failIdx,
    failKind,
    reqPos,
    connToLane,
    laneCount,
    backoffLane: laneCount > maxConnRows() ? new Int32Array(world.backoffs.length).fill(-1) : assignBackoffLanes(world),
    connSeries,
    inFlight: toSeries(world.inFlight),
    waiting: toSeries(occupancySteps(waitingIntervals(reqs, waitFrom, waitTo))),
    connMax,
    inFlightMax,
    occupancy: {
      up: toSeries(occupancySteps(bands.filter((b) => b.state === 'up'))),
      connecting: toSeries(occupancySteps(bands.filter((b) => b.state === 'connecting'))),
      backoff: toSeries(occupancySteps(world.backoffs)),
    },
  };
}

function waitingIntervals(reqs: readonly RequestView[], waitFrom: Float64Array, waitTo: Float64Array): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  for (let i = 0; i < reqs.length; i++) if (waitTo[i]! > waitFrom[i]!) out.push({ from: waitFrom[i]!, to: waitTo[i]! });
  return out;
}

function isSortedByStart(rs: readonly RequestView[]): boolean {
  for (let i = 1; i < rs.length; i++) if (rs[i]!.start < rs[i - 1]!.start) return false;
  return true;
}

/**
 * Each backoff on its process's lane, as the view gives it. One the view could not place (its
 * lane was taken) goes on the first lane with no connection and no other backoff overlapping it.
 */
function assignBackoffLanes(world: WorldView): Int32Array {
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

/** How many intervals are open at each time, as a step series. */
function occupancySteps(intervals: ReadonlyArray<{ from: number; to: number }>): StepPoint[] {
  const events: Array<[number, number]> = [];
  for (const b of intervals) if (b.to > b.from) events.push([b.from, 1], [b.to, -1]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: StepPoint[] = [{ t: 0, v: 0 }];
  let v = 0;
  for (const [t, d] of events) {
    v += d;
    const last = out[out.length - 1]!;
    if (last.t === t) last.v = v;
    else out.push({ t, v });
  }
  return out;
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

/** Failed requests whose end lies in [from, to]: what the error marks show. */
export function countFailedIn(ix: WorldIndex, from: number, to: number): number {
  return upperBound(ix.failEnd, to) - lowerBound(ix.failEnd, from);
}

// ---- Layout -------------------------------------------------------------------------------------

export interface LaneArea {
  y: number;
  h: number;
  rows: number;
  rowH: number;
  /** Too many rows to give each ≥ 3 px: one summary band instead. */
  compressed: boolean;
}

export interface WorldLayout {
  height: number;
  conn: LaneArea;
  callers: LaneArea;
}

function maxConnRows(): number {
  return Math.floor(CONN_AREA_MAX / CONN_ROW_MIN);
}

function laneArea(y: number, rows: number, areaMax: number, rowMin: number, rowMax: number): LaneArea {
  const n = Math.max(1, rows);
  if (n * rowMin > areaMax) return { y, h: COMPRESSED_H, rows: n, rowH: COMPRESSED_H, compressed: true };
  const rowH = Math.max(rowMin, Math.min(rowMax, Math.floor(areaMax / n)));
  return { y, h: rowH * n, rows: n, rowH, compressed: false };
}

export function layoutWorld(world: WorldView): WorldLayout {
  const conn = laneArea(PAD_TOP, world.connLanes.length, CONN_AREA_MAX, CONN_ROW_MIN, CONN_ROW_MAX);
  const callers = laneArea(conn.y + conn.h + GROUP_GAP, world.callerLanes, CALLER_AREA_MAX, CALLER_ROW_MIN, CALLER_ROW_MAX);
  return { height: callers.y + callers.h + PAD_BOTTOM, conn, callers };
}

// ---- Frames -------------------------------------------------------------------------------------

export type FillFor = (s: Swatch) => string | CanvasPattern;

/** Swatch fills (patterns are made once per context and pixel ratio). */
export function fillCache(ctx: CanvasRenderingContext2D, dpr: number): FillFor {
  const cache = new Map<string, string | CanvasPattern>();
  return (s) => {
    let v = cache.get(s.key);
    if (v === undefined) cache.set(s.key, (v = canvasFill(ctx, s, dpr)));
    return v;
  };
}

/** Everything a drawing needs about the canvas and the visible window. */
export interface Frame {
  ctx: CanvasRenderingContext2D;
  /** CSS px. */
  width: number;
  height: number;
  /** Plot range in CSS px: x0 is the window's `from`, x1 its `to`. */
  x0: number;
  x1: number;
  from: number;
  to: number;
  /** CSS px per µs. */
  k: number;
  ticks: readonly number[];
  fill: FillFor;
  /** Device pixels per CSS pixel (sprites are rendered at it). */
  dpr: number;
}

export function makeFrame(ctx: CanvasRenderingContext2D, width: number, height: number, from: number, to: number, ticks: readonly number[], fill: FillFor, dpr: number): Frame {
  const x0 = GUTTER;
  const x1 = Math.max(x0 + 1, width - RIGHT_PAD);
  return { ctx, width, height, x0, x1, from, to, k: (x1 - x0) / Math.max(1, to - from), ticks, fill, dpr };
}

function px(f: Frame, t: number): number {
  return f.x0 + (t - f.from) * f.k;
}

/** Clamps to a little outside the plot so huge coordinates never reach the canvas. */
function cx(f: Frame, t: number): number {
  const x = px(f, t);
  return x < f.x0 - 8 ? f.x0 - 8 : x > f.x1 + 8 ? f.x1 + 8 : x;
}

// ---- Drawing ------------------------------------------------------------------------------------

export interface DrawOptions {
  /** The guided tour points elsewhere: dim this whole world. */
  dimAll: boolean;
  /** The guided tour points here (already resolved to this world). req is a position in reqs. */
  highlight: { from?: number; to?: number; lane?: 'connections' | 'callers'; req?: number } | null;
  /** Keyboard cursor and pointer hover, as positions in reqs. */
  cursor: number | null;
  hover: number | null;
  /** Draw the cursor as focused (the canvas has keyboard focus). */
  focused: boolean;
}

export interface DrawResult {
  visible: number;
  wire: 'arrows' | 'density';
  bars: 'precise' | 'raster' | 'density';
}

/** How a world will be drawn for a window: the same decision drawing and hit-testing use. */
export function drawModes(ix: WorldIndex, lay: WorldLayout, from: number, to: number): DrawResult {
  const visible = countVisible(ix, from, to, PRECISE_LIMIT);
  return {
    visible,
    wire: visible <= ARROW_LIMIT ? 'arrows' : 'density',
    bars: lay.callers.compressed ? 'density' : visible <= PRECISE_LIMIT ? 'precise' : 'raster',
  };
}

/** Draws one world's lanes for the frame's window. */
export function drawWorld(f: Frame, ix: WorldIndex, lay: WorldLayout, opts: DrawOptions): DrawResult {
  const { ctx } = f;
  const modes = drawModes(ix, lay, f.from, f.to);
  ctx.clearRect(0, 0, f.width, f.height);
  drawLaneBackgrounds(f, lay);
  drawGridLines(f);

  ctx.save();
  ctx.beginPath();
  ctx.rect(f.x0, 0, f.x1 - f.x0, f.height);
  ctx.clip();
  if (lay.conn.compressed) drawConnOccupancy(f, ix, lay.conn);
  else {
    drawConnBands(f, ix, lay.conn);
    drawBackoffs(f, ix, lay.conn);
    if (modes.wire === 'arrows') drawArrows(f, ix, lay.conn, null);
    else drawConnDensity(f, ix, lay.conn);
  }
  if (modes.bars === 'density') drawCallerDensity(f, ix, lay.callers);
  else if (modes.bars === 'precise') drawBarsPrecise(f, ix, lay.callers);
  else drawBarsRaster(f, ix, lay.callers);
  drawErrorMarks(f, ix, lay.callers);
  drawHighlight(f, ix, lay, modes, opts);
  if (opts.hover !== null && opts.hover !== opts.cursor) outlineRequest(f, ix, lay, opts.hover, 'hover');
  if (opts.cursor !== null) outlineRequest(f, ix, lay, opts.cursor, opts.focused ? 'cursor' : 'hover');
  ctx.restore();

  drawGutter(f, ix, lay, modes);
  return modes;
}

function drawLaneBackgrounds(f: Frame, lay: WorldLayout): void {
  const { ctx } = f;
  for (const area of [lay.conn, lay.callers]) {
    if (area.compressed || area.rowH < 6) {
      ctx.fillStyle = INK.lane;
      ctx.fillRect(f.x0, area.y, f.x1 - f.x0, area.h);
      continue;
    }
    for (let r = 0; r < area.rows; r++) {
      ctx.fillStyle = r % 2 === 0 ? INK.lane : INK.laneAlt;
      ctx.fillRect(f.x0, area.y + r * area.rowH, f.x1 - f.x0, area.rowH);
    }
  }
}

function drawGridLines(f: Frame): void {
  const { ctx } = f;
  ctx.strokeStyle = INK.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const t of f.ticks) {
    const x = Math.round(px(f, t)) + 0.5;
    if (x < f.x0 || x > f.x1) continue;
    ctx.moveTo(x, 0);
    ctx.lineTo(x, f.height);
  }
  ctx.stroke();
}

// -- connection lanes --

function connSwatch(b: ConnBand): Swatch {
  return CONN_STATES[b.state];
}

function drawConnBands(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const { ctx } = f;
  ix.world.connLanes.forEach((lane, l) => {
    const y = area.y + l * area.rowH;
    const h = Math.max(1, area.rowH - 1);
    for (const b of lane.bands) {
      if (b.to < f.from || b.from > f.to) continue;
      const a = cx(f, b.from);
      const w = Math.max(1, cx(f, b.to) - a);
      const s = connSwatch(b);
      ctx.fillStyle = f.fill(s);
      ctx.fillRect(a, y, w, h);
      if (b.state === 'up' && area.rowH >= 8) {
        // A solid base line: "up" must read even where the tint is hidden by density.
        ctx.fillStyle = s.ink;
        ctx.fillRect(a, y + h - 2, w, 2);
      }
    }
  });
}

function drawBackoffs(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const { ctx } = f;
  const s = CONN_STATES.backoff;
  ix.world.backoffs.forEach((b, i) => {
    if (b.to < f.from || b.from > f.to) return;
    const lane = ix.backoffLane[i]!;
    const a = cx(f, b.from);
    const w = Math.max(1, cx(f, b.to) - a);
    // No free lane: a thin strip at the bottom of one, so the band is still seen.
    const y = lane >= 0 ? area.y + lane * area.rowH : area.y + ((b.pid % area.rows) + 1) * area.rowH - 4;
    const h = lane >= 0 ? Math.max(1, area.rowH - 1) : 3;
    ctx.fillStyle = f.fill(s);
    ctx.fillRect(a, y, w, h);
    if (lane >= 0 && w > 84 && area.rowH >= 12) {
      const ms = (b.to - b.from) / 1000;
      haloText(ctx, `backoff ${ms >= 10 ? ms.toFixed(0) : ms.toFixed(1)} ms`, Math.max(a, f.x0) + 4, y + h / 2, INK.text);
    }
  });
}

function haloText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, color: string): void {
  ctx.font = LABEL_FONT;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  ctx.lineWidth = 3;
  ctx.strokeStyle = 'rgba(255,255,255,0.92)';
  ctx.strokeText(text, x, y);
  ctx.fillStyle = color;
  ctx.fillText(text, x, y);
}

/**
 * Lamport-style: the command goes down from the client (top of the lane, sentAt) to the server
 * (bottom, execAt); the reply comes back up (execAt → replyAt). One at a time on pool lanes,
 * many overlapping on the multiplexed one. `only` draws a single request (the highlighted one).
 */
function drawArrows(f: Frame, ix: WorldIndex, area: LaneArea, only: number | null): void {
  const { ctx } = f;
  const head = Math.min(5, Math.max(3, area.rowH / 5));
  const down = new Path2D();
  const up = new Path2D();
  const broken = new Map<string, Path2D>();
  const one = (i: number) => {
    const r = ix.reqs[i]!;
    if (r.sentAt === null || r.conn === null) return;
    const lane = ix.connToLane.get(r.conn);
    if (lane === undefined) return;
    const top = area.y + lane * area.rowH + 2;
    const bottom = area.y + (lane + 1) * area.rowH - 3;
    const xs = cx(f, r.sentAt);
    if (r.execAt === null) {
      // Never ran (or we never saw it run): a dashed stub to where the request ended.
      let p = broken.get(r.error);
      if (p === undefined) broken.set(r.error, (p = new Path2D()));
      arrow(p, xs, top, cx(f, ix.end[i]!), (top + bottom) / 2, head);
      return;
    }
    const xe = cx(f, r.execAt);
    arrow(down, xs, top, xe, bottom, head);
    if (r.replyAt !== null) arrow(up, xe, bottom, cx(f, r.replyAt), top, head);
  };
  if (only !== null) one(only);
  else forEachVisible(ix, f.from, f.to, one);
  // On a 1x screen a 1-px stroke is a hairline to Skia's software rasteriser, ~4x faster than a
  // 1.25-px one (300 arrow pairs: ~0.7 ms a frame instead of ~3 ms) and looks the same there.
  ctx.lineWidth = f.dpr < 2 ? 1 : 1.25;
  ctx.setLineDash([]);
  ctx.strokeStyle = WIRE.command.ink;
  ctx.stroke(down);
  ctx.strokeStyle = WIRE.reply.ink;
  ctx.stroke(up);
  ctx.setLineDash([3, 2]);
  for (const [error, p] of broken) {
    ctx.strokeStyle = error === '' ? REQUEST_STATES.inflight.ink : errorSwatch(error).fill;
    ctx.stroke(p);
  }
  ctx.setLineDash([]);
}

function arrow(p: Path2D, xa: number, ya: number, xb: number, yb: number, head: number): void {
  p.moveTo(xa, ya);
  p.lineTo(xb, yb);
  const dx = xb - xa;
  const dy = yb - ya;
  const len = Math.hypot(dx, dy);
  if (len < head * 1.5) return; // too short for a head to mean anything
  const ux = dx / len;
  const uy = dy / len;
  const bx = xb - ux * head;
  const by = yb - uy * head;
  const w = head * 0.55;
  p.moveTo(bx - uy * w, by + ux * w);
  p.lineTo(xb, yb);
  p.lineTo(bx + uy * w, by - ux * w);
}

/** Zoomed out: requests in flight per connection, one max value per pixel column. */
function drawConnDensity(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const cols = Math.max(1, Math.ceil(f.x1 - f.x0));
  const perLane: Float32Array[] = [];
  for (const s of ix.connSeries) {
    const buf = (perLane[s.lane] ??= new Float32Array(cols));
    stepColumns(f, s.series, buf);
  }
  const max = Math.max(1, ix.connMax);
  const img = new ColumnImage(f, area.y, area.h);
  perLane.forEach((buf, lane) => {
    const bottom = area.y + (lane + 1) * area.rowH - 1;
    // Tall rows keep a margin above the bars; 3-px rows need every pixel.
    columnBars(img, buf, bottom, Math.max(1, area.rowH - (area.rowH >= 8 ? 3 : 1)), max, WIRE.density, null);
  });
  img.stamp();
}

/** Many lanes: how many connections are up / connecting / backing off, over time. */
function drawConnOccupancy(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const cols = Math.max(1, Math.ceil(f.x1 - f.x0));
  const max = Math.max(1, ix.laneCount);
  const up = stepColumns(f, ix.occupancy.up, new Float32Array(cols));
  const connecting = stepColumns(f, ix.occupancy.connecting, new Float32Array(cols));
  const backoff = stepColumns(f, ix.occupancy.backoff, new Float32Array(cols));
  const bottom = area.y + area.h - 1;
  const h = area.h - 2;
  const img = new ColumnImage(f, area.y, area.h);
  columnBars(img, up, bottom, h, max, CONN_STATES.up.ink, null);
  // Stack "connecting" on top of "up".
  const connectingPaint = img.paint(CONN_STATES.connecting);
  for (let c = 0; c < cols; c++) {
    const v = connecting[c]!;
    if (v <= 0) continue;
    const base = (up[c]! / max) * h;
    const hh = Math.max(1, (v / max) * h);
    img.span(c, c + 1, bottom - base - hh, bottom - base, connectingPaint);
  }
  // Backoffs hang from the top, so the two never hide each other.
  const backoffPaint = img.paint(CONN_STATES.backoff);
  for (let c = 0; c < cols; c++) {
    const v = backoff[c]!;
    if (v > 0) img.span(c, c + 1, area.y, area.y + Math.max(1, (v / max) * h), backoffPaint);
  }
  img.stamp();
}

/** Index of the step in effect at t (last times[i] <= t), searching from `lo`; -1 before the first. */
function stepIndex(times: Float64Array, t: number, lo: number): number {
  return upperBound(times, t, lo) - 1;
}

/**
 * stepIndex for a t that never decreases from call to call: gallops forward from `hint` (a
 * column's step is usually a few steps after the last column's), then binary-searches the
 * bracket, instead of binary-searching everything after `hint` each time.
 */
function stepIndexAfter(times: Float64Array, t: number, hint: number): number {
  const n = times.length;
  let lo = hint < 0 ? 0 : hint;
  if (lo >= n || times[lo]! > t) return stepIndex(times, t, 0);
  let hi = lo + 1;
  let step = 1;
  while (hi < n && times[hi]! <= t) {
    lo = hi;
    hi = lo + step;
    step *= 2;
  }
  return upperBound(times, t, lo + 1, Math.min(hi, n)) - 1;
}

/**
 * The time-weighted mean of a step series over each pixel column of the plot, added into out
 * (which it returns). Mean, not max: zoomed out, a pool connection busy 30% of a column's time
 * must not read as busy all the time; zoomed in (a column shorter than a step) it is the value.
 * Few steps per column: walk the steps. Many: difference the running integral per column, so a
 * frame costs O(columns × log steps) instead of O(steps).
 */
function stepColumns(f: Frame, s: StepSeries, out: Float32Array): Float32Array {
  const { times, values } = s;
  const n = times.length;
  if (n === 0) return out;
  const cols = out.length;
  const stop = Math.min(f.to, s.until);
  const first = Math.max(0, stepIndex(times, f.from, 0));
  const lastIdx = stepIndex(times, stop, first);
  if (lastIdx - first > cols * 2) return integralColumns(f, s, out, stop, first);
  for (let i = first; i < n; i++) {
    const t = times[i]!;
    if (t >= stop) break;
    const v = values[i]!;
    if (v <= 0) continue;
    const tEnd = i + 1 < n ? Math.min(times[i + 1]!, stop) : stop;
    // Fractional pixel positions of the step, relative to the plot's left edge.
    const pa = Math.max(0, (Math.max(t, f.from) - f.from) * f.k);
    const pb = Math.min(cols, (tEnd - f.from) * f.k);
    if (pb <= pa) continue;
    const last = Math.min(cols - 1, Math.ceil(pb) - 1);
    for (let c = Math.floor(pa); c <= last; c++) {
      const overlap = Math.min(pb, c + 1) - Math.max(pa, c);
      if (overlap > 0) out[c]! += v * overlap;
    }
  }
  return out;
}

function integralColumns(f: Frame, s: StepSeries, out: Float32Array, stop: number, first: number): Float32Array {
  const { times, values, cum } = s;
  const cols = out.length;
  let hint = first;
  /** Area under the series from its start to t (t never decreases between calls). */
  const area = (t: number) => {
    const i = stepIndexAfter(times, t, hint);
    if (i < 0) return 0;
    hint = i;
    return cum[i]! + values[i]! * (t - times[i]!);
  };
  const begin = Math.max(f.from, times[0]!);
  if (stop <= begin) return out;
  const c0 = Math.max(0, Math.floor((begin - f.from) * f.k));
  const c1 = Math.min(cols - 1, Math.ceil((stop - f.from) * f.k) - 1);
  let prev = area(Math.max(begin, f.from + c0 / f.k));
  for (let c = c0; c <= c1; c++) {
    const next = area(Math.min(stop, f.from + (c + 1) / f.k));
    // Area over the column's µs, times columns per µs: the mean value over the column.
    out[c]! += (next - prev) * f.k;
    prev = next;
  }
  return out;
}

/** Column bars from `bottom` up, each at least one pixel when its value is above 0, heights in
 * half pixels (as fillRect would anti-alias them). */
function columnBars(img: ColumnImage, cols: Float32Array, bottom: number, h: number, max: number, fill: Swatch | string, edge: string | null): void {
  const n = cols.length;
  const paint = img.paint(fill);
  const edgePaint = edge === null ? null : img.paint(edge);
  const height = (c: number) => {
    const v = cols[c]!;
    // Anything in flight gets at least one pixel: "some" must not look like "none".
    return v <= 0 ? 0 : Math.max(1, Math.round((Math.min(v, max) / max) * h * 2) / 2);
  };
  let c = 0;
  while (c < n) {
    const hh = height(c);
    let e = c + 1;
    while (e < n && height(e) === hh) e++;
    if (hh > 0) {
      img.span(c, e, bottom - hh, bottom, paint);
      if (edgePaint !== null) img.span(c, e, bottom - hh, bottom - hh + 1, edgePaint);
    }
    c = e;
  }
}

/**
 * Too many callers for a row each: requests in the system over time (mean per pixel column), with
 * the part waiting for a pooled connection stacked at the bottom in its own colour and pattern.
 */
function drawCallerDensity(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const cols = Math.max(1, Math.ceil(f.x1 - f.x0));
  const max = Math.max(1, ix.inFlightMax);
  const bottom = area.y + area.h - 1;
  const h = area.h - 3;
  const img = new ColumnImage(f, area.y, area.h);
  columnBars(img, stepColumns(f, ix.inFlight, new Float32Array(cols)), bottom, h, max, REQUEST_STATES.inflight, OKABE_ITO.blue);
  if (ix.waiting.times.length > 1) columnBars(img, stepColumns(f, ix.waiting, new Float32Array(cols)), bottom, h, max, REQUEST_STATES.waiting, null);
  img.stamp();
}

// ---- Pixel columns as an image --------------------------------------------------------------------

/** A solid colour (0–255 channels, alpha 0–1; `word`: its RGBA bytes as one little-endian word
 * if it is opaque, else 0), or a pattern tile in device pixels (RGBA). */
type Paint = { r: number; g: number; b: number; a: number; word: number; tile: null } | { r: 0; g: 0; b: 0; a: 0; word: 0; tile: { px: number; data: Uint8ClampedArray } };

/** Word writes assume little-endian byte order (every browser platform); else per-byte. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function solidPaint(r: number, g: number, b: number, a: number): Paint {
  return { r, g, b, a, word: a >= 1 && LITTLE_ENDIAN ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : 0, tile: null };
}

const paintCache = new Map<string, Paint>();

function parseColor(css: string): Paint {
  const hex = /^#([0-9a-f]{6})$/i.exec(css);
  if (hex !== null) {
    const v = parseInt(hex[1]!, 16);
    return solidPaint((v >> 16) & 255, (v >> 8) & 255, v & 255, 1);
  }
  const rgba = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/i.exec(css);
  if (rgba !== null) return solidPaint(Number(rgba[1]), Number(rgba[2]), Number(rgba[3]), rgba[4] === undefined ? 1 : Number(rgba[4]));
  return solidPaint(0, 0, 0, 1);
}

/**
 * A swatch's pattern tile as pixels, drawn exactly as palette.canvasFill draws it: the canvas
 * pattern repeats it from the canvas origin, one tile pixel per device pixel.
 */
function tilePaint(s: Swatch, dpr: number): Paint | null {
  const tile = patternTile(s.pattern);
  if (tile === null) return null;
  const px = Math.max(1, Math.round(PATTERN_TILE * dpr));
  const canvas = makeCanvas(px, px);
  const g = canvas?.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null | undefined;
  if (canvas === null || g === null || g === undefined) return null;
  g.scale(px / PATTERN_TILE, px / PATTERN_TILE);
  g.fillStyle = s.fill;
  g.fillRect(0, 0, PATTERN_TILE, PATTERN_TILE);
  const path = new Path2D(tile.d);
  if (tile.mode === 'fill') {
    g.fillStyle = s.ink;
    g.fill(path);
  } else {
    g.strokeStyle = s.ink;
    g.lineWidth = 1.1;
    g.stroke(path);
  }
  return { r: 0, g: 0, b: 0, a: 0, word: 0, tile: { px, data: g.getImageData(0, 0, px, px).data } };
}

/** A cleared ImageData of this size, reused from frame to frame (one per size in use). */
const scratchImages = new Map<string, ImageData>();
function scratchImage(w: number, h: number): ImageData {
  const key = `${w}x${h}`;
  let img = scratchImages.get(key);
  if (img === undefined) {
    if (scratchImages.size > 8) scratchImages.clear();
    scratchImages.set(key, (img = new ImageData(w, h)));
  } else img.data.fill(0);
  return img;
}

let scratch: HTMLCanvasElement | OffscreenCanvas | null = null;
let scratchCtx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null = null;

/**
 * Bars one pixel column wide, painted into an RGBA buffer in JavaScript and stamped with a single
 * drawImage. Zoomed out, the density views are thousands of 1-px rects (20 pool lanes × ~1000
 * columns); as fillRects they are cheap to record but Skia rasterises each one when the canvas
 * is flushed for the frame, ~15 ms a frame in software. Painting the pixels here costs about a
 * millisecond, and the result is the same: fractional edges get partial coverage, patterns repeat
 * from the canvas origin in device pixels, later spans paint over earlier ones.
 *
 * Covers the plot's columns [x0, x0 + cols) and the rows [top, top + height) in CSS px.
 */
class ColumnImage {
  private readonly f: Frame;
  private readonly ox: number;
  private readonly oy: number;
  private readonly w: number;
  private readonly h: number;
  private readonly colX: Int32Array;
  private image: ImageData | null = null;
  private data: Uint8ClampedArray | null = null;
  private words: Uint32Array | null = null;

  constructor(f: Frame, top: number, height: number) {
    this.f = f;
    const cols = Math.max(1, Math.ceil(f.x1 - f.x0));
    this.ox = Math.round(f.x0 * f.dpr);
    this.oy = Math.floor(top * f.dpr);
    this.w = Math.max(1, Math.round((f.x0 + cols) * f.dpr) - this.ox);
    this.h = Math.max(1, Math.ceil((top + height) * f.dpr) - this.oy);
    // Device x where CSS column c starts (c = cols: the end).
    this.colX = new Int32Array(cols + 1);
    for (let c = 0; c <= cols; c++) this.colX[c] = Math.round((f.x0 + c) * f.dpr) - this.ox;
  }

  paint(fill: Swatch | string): Paint {
    if (typeof fill === 'string') {
      let p = paintCache.get(fill);
      if (p === undefined) paintCache.set(fill, (p = parseColor(fill)));
      return p;
    }
    const key = `${fill.key}@${this.f.dpr}`;
    let p = paintCache.get(key);
    if (p === undefined) paintCache.set(key, (p = tilePaint(fill, this.f.dpr) ?? parseColor(fill.fill)));
    return p;
  }

  /** Fills columns [c0, c1) from y0 to y1 (CSS px, fractional edges anti-aliased). */
  span(c0: number, c1: number, y0: number, y1: number, p: Paint): void {
    const cols = this.colX.length - 1;
    if (c0 < 0) c0 = 0;
    if (c1 > cols) c1 = cols;
    if (c1 <= c0) return;
    const dpr = this.f.dpr;
    let ya = y0 * dpr - this.oy;
    let yb = y1 * dpr - this.oy;
    if (ya < 0) ya = 0;
    if (yb > this.h) yb = this.h;
    if (yb <= ya) return;
    if (this.image === null) {
      this.image = scratchImage(this.w, this.h);
      this.data = this.image.data;
      this.words = new Uint32Array(this.data.buffer, this.data.byteOffset, this.w * this.h);
    }
    const data = this.data!;
    const words = this.words!;
    const w = this.w;
    const xa = this.colX[c0]!;
    const xb = this.colX[c1]!;
    const tile = p.tile;
    const rowEnd = Math.ceil(yb);
    for (let row = Math.floor(ya); row < rowEnd; row++) {
      const top = row < ya ? ya : row;
      const cover = (row + 1 < yb ? row + 1 : yb) - top;
      if (cover <= 0) continue;
      if (p.word !== 0 && cover >= 1) {
        // An opaque colour over a whole pixel row: one word per pixel. A plain loop: spans are
        // mostly one column wide, too short for fill() to pay off.
        for (let i = row * w + xa, end = row * w + xb; i < end; i++) words[i] = p.word;
        continue;
      }
      let o = (row * w + xa) * 4;
      for (let x = xa; x < xb; x++, o += 4) {
        let r: number, g: number, b: number, a: number;
        if (tile === null) {
          r = p.r;
          g = p.g;
          b = p.b;
          a = p.a * cover;
        } else {
          // The pattern is anchored at the canvas origin: tile pixel by global device position.
          const t = (((row + this.oy) % tile.px) * tile.px + ((x + this.ox) % tile.px)) * 4;
          r = tile.data[t]!;
          g = tile.data[t + 1]!;
          b = tile.data[t + 2]!;
          a = (tile.data[t + 3]! / 255) * cover;
        }
        const da = data[o + 3]!;
        if (a >= 1 || da === 0) {
          data[o] = r;
          data[o + 1] = g;
          data[o + 2] = b;
          data[o + 3] = a * 255;
          continue;
        }
        // Source-over on straight (non-premultiplied) RGBA.
        const d = da / 255;
        const oa = a + d * (1 - a);
        const kd = (d * (1 - a)) / oa;
        const ks = a / oa;
        data[o] = r * ks + data[o]! * kd;
        data[o + 1] = g * ks + data[o + 1]! * kd;
        data[o + 2] = b * ks + data[o + 2]! * kd;
        data[o + 3] = oa * 255;
      }
    }
  }

  /** Draws what was painted onto the frame's canvas (under its clip), if anything was. */
  stamp(): void {
    if (this.image === null) return;
    if (scratch === null || scratch.width < this.w || scratch.height < this.h) {
      scratch = makeCanvas(Math.max(this.w, scratch?.width ?? 0), Math.max(this.h, scratch?.height ?? 0));
      scratchCtx = (scratch?.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null | undefined) ?? null;
    }
    if (scratch === null || scratchCtx === null) return;
    scratchCtx.putImageData(this.image, 0, 0);
    const { ctx } = this.f;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(scratch, 0, 0, this.w, this.h, this.ox, this.oy, this.w, this.h);
    ctx.restore();
  }
}

// -- caller lanes --

function drawBarsPrecise(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const { ctx } = f;
  const h = Math.max(1, area.rowH - 1);
  forEachVisible(ix, f.from, f.to, (i) => {
    const r = ix.reqs[i]!;
    const y = area.y + r.callerLane * area.rowH;
    const sg = segments(ix, i);
    if (sg.waitTo > sg.waitFrom) {
      const a = cx(f, sg.waitFrom);
      ctx.fillStyle = f.fill(REQUEST_STATES.waiting);
      ctx.fillRect(a, y, Math.max(1, cx(f, sg.waitTo) - a), h);
    }
    const a = cx(f, sg.mainFrom);
    const failed = r.ok === false;
    ctx.fillStyle = f.fill(outcomeSwatch(r));
    ctx.fillRect(a, y, Math.max(failed ? 2 : 1, cx(f, sg.mainTo) - a), h);
  });
}

/**
 * Zoomed out: paint each request into a (rows × pixel columns) grid keeping the highest-priority
 * code per cell, then fill runs. Cost: O(visible requests + cells) whatever the data size, with
 * no allocation per request (the hot loop reads the index's typed arrays only).
 */
function drawBarsRaster(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const cols = Math.max(1, Math.ceil(f.x1 - f.x0));
  const rows = area.rows;
  const grid = new Uint8Array(rows * cols);
  const { start, end, lane, waitFrom, waitTo, mainFrom, code, isLong } = ix;
  const k = f.k;
  const from = f.from;
  const last = cols - 1;
  const paint = (base: number, t0: number, t1: number, c: number) => {
    let a = Math.floor((t0 - from) * k);
    let b = Math.ceil((t1 - from) * k) - 1;
    if (a < 0) a = 0;
    if (b > last) b = last;
    if (b < a) b = a;
    for (let x = a; x <= b; x++) if (grid[base + x]! < c) grid[base + x] = c;
  };
  const one = (i: number) => {
    const row = lane[i]!;
    if (row >= rows) return;
    const base = row * cols;
    if (waitTo[i]! > waitFrom[i]!) paint(base, waitFrom[i]!, waitTo[i]!, CODE_WAITING);
    paint(base, mainFrom[i]!, end[i]!, code[i]!);
  };
  const lo = lowerBound(start, from - ix.shortMaxDur);
  const hi = upperBound(start, f.to);
  for (let i = lo; i < hi; i++) if (isLong[i] === 0 && end[i]! >= from) one(i);
  for (let j = 0; j < ix.longIdx.length; j++) {
    const i = ix.longIdx[j]!;
    if (start[i]! <= f.to && end[i]! >= from) one(i);
  }

  // The cells' runs go through a ColumnImage: as fillRects (with patterns) they cost Skia
  // milliseconds to rasterise when the canvas is flushed.
  const img = new ColumnImage(f, area.y, area.h);
  const paints = CODE_SWATCH.map((s) => img.paint(s));
  const h = Math.max(1, area.rowH - 1);
  for (let row = 0; row < rows; row++) {
    const base = row * cols;
    const y = area.y + row * area.rowH;
    let c = 0;
    while (c < cols) {
      const v = grid[base + c]!;
      let e = c + 1;
      while (e < cols && grid[base + e] === v) e++;
      if (v !== 0) img.span(c, e, y, y + h, paints[v]!);
      c = e;
    }
  }
  img.stamp();
}

// -- error marks --

type Sprite = HTMLCanvasElement | OffscreenCanvas;
const spriteCache = new Map<string, Sprite | null>();

/**
 * One error kind's glyph, rendered once per radius and pixel ratio. Marks are stamped with
 * drawImage: filling one path of a thousand overlapping glyphs costs Skia milliseconds.
 */
function glyphSprite(kind: number, r: number, dpr: number): { img: Sprite; size: number } | null {
  const size = Math.ceil(2 * r + 5);
  const key = `${kind}:${r}:${dpr}`;
  let img = spriteCache.get(key);
  if (img === undefined) {
    img = makeCanvas(Math.ceil(size * dpr), Math.ceil(size * dpr));
    const g = img?.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null | undefined;
    if (img !== null && g !== null && g !== undefined) {
      const s = kindSwatch(kind);
      const glyph = s.glyph ?? 'x';
      const p = new Path2D();
      traceGlyph(p, glyphShape(glyph, r), size / 2, size / 2);
      g.scale(dpr, dpr);
      g.lineJoin = 'round';
      if (glyphIsStroked(glyph)) {
        // A white halo under the stroke keeps it readable on any bar colour.
        g.lineWidth = 3.5;
        g.strokeStyle = '#ffffff';
        g.stroke(p);
        g.lineWidth = 1.8;
        g.strokeStyle = s.fill;
        g.stroke(p);
      } else {
        g.fillStyle = s.fill;
        g.fill(p);
        g.lineWidth = 1;
        g.strokeStyle = s.fill === OKABE_ITO.black ? '#ffffff' : '#000000';
        g.stroke(p);
      }
    } else img = null;
    spriteCache.set(key, img);
  }
  return img === null ? null : { img, size };
}

function traceGlyph(p: Path2D, shape: GlyphShape, x: number, y: number): void {
  for (const line of shape.lines) {
    line.pts.forEach(([gx, gy], k) => (k === 0 ? p.moveTo(x + gx, y + gy) : p.lineTo(x + gx, y + gy)));
    if (line.closed) p.closePath();
  }
  if (shape.circle !== null) {
    p.moveTo(x + shape.circle, y);
    p.arc(x, y, shape.circle, 0, Math.PI * 2);
  }
}

/**
 * Every failed request ending in the window gets its kind's glyph at its end time. Marks closer
 * than a glyph's radius on the same row and kind would be stamped on top of each other: those are
 * drawn once (a bitmask per row and radius-wide bucket), which bounds the work by the canvas size
 * when thousands fail at once.
 */
function drawErrorMarks(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const lo = lowerBound(ix.failEnd, f.from);
  const hi = upperBound(ix.failEnd, f.to);
  if (hi <= lo) return;
  const r = area.compressed ? 4 : Math.max(3, Math.min(5, Math.round(area.rowH / 2 + 1)));
  const bucketPx = Math.max(1, Math.floor(r));
  const buckets = Math.ceil((f.x1 - f.x0 + 1) / bucketPx) + 1;
  const rows = area.compressed ? 1 : area.rows;
  const seen = new Uint16Array(rows * buckets);
  const kinds = ERROR_KINDS.length + 1;
  const sprites = Array.from({ length: kinds }, (_, kind) => glyphSprite(kind, r, f.dpr));
  const { failIdx, failKind, lane, end } = ix;
  const { ctx } = f;
  for (let j = lo; j < hi; j++) {
    const i = failIdx[j]!;
    const kind = failKind[j]!;
    const row = area.compressed ? 0 : lane[i]!;
    if (row >= rows) continue;
    const x = f.x0 + (end[i]! - f.from) * f.k;
    const cell = row * buckets + Math.floor((x - f.x0) / bucketPx);
    const bit = 1 << kind;
    if ((seen[cell]! & bit) !== 0) continue;
    seen[cell] = seen[cell]! | bit;
    // Compressed callers: one line of marks per error kind, so kinds stay apart.
    const y = area.compressed ? area.y + 6 + (kind % 5) * 8 : area.y + row * area.rowH + area.rowH / 2;
    const sp = sprites[kind];
    if (sp !== null && sp !== undefined) ctx.drawImage(sp.img, x - sp.size / 2, y - sp.size / 2, sp.size, sp.size);
  }
}

function kindSwatch(kind: number): Swatch {
  return CODE_SWATCH[CODE_ERROR0 + kind]!;
}

// -- highlight, cursor, hover --

function laneRange(lay: WorldLayout, lane: 'connections' | 'callers' | undefined, height: number): [number, number] {
  if (lane === 'connections') return [lay.conn.y - 2, lay.conn.y + lay.conn.h + 2];
  if (lane === 'callers') return [lay.callers.y - 2, lay.callers.y + lay.callers.h + 2];
  return [0, height];
}

/** Dims what the tour is not pointing at, then outlines what it is. */
function drawHighlight(f: Frame, ix: WorldIndex, lay: WorldLayout, modes: DrawResult, opts: DrawOptions): void {
  const { ctx } = f;
  const hl = opts.highlight;
  if (opts.dimAll || (hl !== null && hl.req !== undefined)) {
    ctx.fillStyle = INK.dim;
    ctx.fillRect(f.x0, 0, f.x1 - f.x0, f.height);
  }
  if (hl === null || opts.dimAll) return;
  if (hl.req !== undefined) {
    redrawRequest(f, ix, lay, modes, hl.req);
    outlineRequest(f, ix, lay, hl.req, 'highlight');
    return;
  }
  const [y0, y1] = laneRange(lay, hl.lane, f.height);
  const xa = hl.from === undefined ? f.x0 : Math.max(f.x0, px(f, hl.from));
  const xb = hl.to === undefined ? f.x1 : Math.min(f.x1, px(f, hl.to));
  ctx.fillStyle = INK.dim;
  ctx.fillRect(f.x0, 0, f.x1 - f.x0, y0);
  ctx.fillRect(f.x0, y1, f.x1 - f.x0, f.height - y1);
  if (xa > f.x0) ctx.fillRect(f.x0, y0, xa - f.x0, y1 - y0);
  if (xb < f.x1) ctx.fillRect(xb, y0, f.x1 - xb, y1 - y0);
  if (xb > xa) {
    ctx.lineWidth = 2;
    ctx.strokeStyle = INK.text;
    ctx.setLineDash([]);
    ctx.strokeRect(xa + 1, y0 + 1, xb - xa - 2, y1 - y0 - 2);
  }
}

/** The highlighted request drawn again, on top of the dimming. */
function redrawRequest(f: Frame, ix: WorldIndex, lay: WorldLayout, modes: DrawResult, i: number): void {
  const { ctx } = f;
  const r = ix.reqs[i];
  if (r === undefined) return;
  if (!lay.callers.compressed) {
    const y = lay.callers.y + r.callerLane * lay.callers.rowH;
    const h = Math.max(1, lay.callers.rowH - 1);
    const sg = segments(ix, i);
    if (sg.waitTo > sg.waitFrom) {
      ctx.fillStyle = f.fill(REQUEST_STATES.waiting);
      ctx.fillRect(cx(f, sg.waitFrom), y, Math.max(1, cx(f, sg.waitTo) - cx(f, sg.waitFrom)), h);
    }
    ctx.fillStyle = f.fill(outcomeSwatch(r));
    ctx.fillRect(cx(f, sg.mainFrom), y, Math.max(2, cx(f, sg.mainTo) - cx(f, sg.mainFrom)), h);
  }
  if (!lay.conn.compressed && (modes.wire === 'arrows' || r.sentAt !== null)) drawArrows(f, ix, lay.conn, i);
}

/** An outline around a request's bar (and its arrows' span on the connection lane). */
function outlineRequest(f: Frame, ix: WorldIndex, lay: WorldLayout, i: number, how: 'hover' | 'cursor' | 'highlight'): void {
  const { ctx } = f;
  const r = ix.reqs[i];
  if (r === undefined) return;
  const xa = cx(f, r.start) - 2;
  const xb = Math.max(xa + 5, cx(f, ix.end[i]!) + 2);
  const boxes: Array<[number, number, number, number]> = [];
  if (lay.callers.compressed) boxes.push([xa, lay.callers.y, xb - xa, lay.callers.h]);
  else boxes.push([xa, lay.callers.y + r.callerLane * lay.callers.rowH - 2, xb - xa, lay.callers.rowH + 3]);
  const lane = r.conn === null ? undefined : ix.connToLane.get(r.conn);
  if (!lay.conn.compressed && lane !== undefined && r.sentAt !== null) {
    const sa = cx(f, r.sentAt) - 2;
    const sb = Math.max(sa + 5, cx(f, r.replyAt ?? ix.end[i]!) + 2);
    boxes.push([sa, lay.conn.y + lane * lay.conn.rowH - 1, sb - sa, lay.conn.rowH + 1]);
  }
  ctx.setLineDash(how === 'hover' ? [3, 2] : []);
  for (const [x, y, w, h] of boxes) {
    if (how !== 'hover') {
      ctx.lineWidth = 4;
      ctx.strokeStyle = '#ffffff';
      ctx.strokeRect(x, y, w, h);
    }
    ctx.lineWidth = how === 'hover' ? 1.5 : 2;
    ctx.strokeStyle = how === 'cursor' ? INK.focus : INK.text;
    ctx.strokeRect(x, y, w, h);
  }
  ctx.setLineDash([]);
}

// -- gutter --

function drawGutter(f: Frame, ix: WorldIndex, lay: WorldLayout, modes: DrawResult): void {
  const { ctx } = f;
  ctx.clearRect(0, 0, f.x0 - 4, f.height);
  ctx.font = LABEL_FONT;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillStyle = INK.text;
  const conns = ix.laneCount;
  ctx.fillText(conns === 1 ? 'connection' : `connections`, 6, lay.conn.y);
  ctx.fillStyle = INK.muted;
  const connNote = lay.conn.compressed ? `${conns} lanes: up / backoff` : modes.wire === 'arrows' ? 'cmd ↓  reply ↑' : `avg in flight /${ix.connMax}`;
  if (lay.conn.h >= 26) ctx.fillText(connNote, 6, lay.conn.y + 13, f.x0 - 12);
  if (!lay.conn.compressed && lay.conn.rowH >= 12 && conns > 1) {
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let l = 0; l < conns; l++) {
      const y = lay.conn.y + (l + 0.5) * lay.conn.rowH;
      if (y < lay.conn.y + 28) continue; // keep clear of the group label
      ctx.fillText(String(l + 1), f.x0 - 8, y);
    }
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
  }
  ctx.fillStyle = INK.text;
  ctx.fillText(`callers (${ix.world.callerLanes})`, 6, lay.callers.y, f.x0 - 12);
  ctx.fillStyle = INK.muted;
  const callerNote = modes.bars === 'density' ? `avg in system /${ix.inFlightMax}` : 'one row each';
  if (lay.callers.h >= 26) ctx.fillText(callerNote, 6, lay.callers.y + 13, f.x0 - 12);
}

// ---- Hit testing --------------------------------------------------------------------------------

/**
 * The request under (mx, my) in CSS px of this world's canvas, or null: a caller bar (or an error
 * mark), or, zoomed in, a request's arrows on its connection lane. Tolerance: 4 px.
 */
export function hitTest(f: Pick<Frame, 'x0' | 'x1' | 'from' | 'to' | 'k'>, ix: WorldIndex, lay: WorldLayout, mx: number, my: number): number | null {
  if (mx < f.x0 - 4 || mx > f.x1 + 4) return null;
  const t = f.from + (mx - f.x0) / f.k;
  const tol = 4 / f.k;
  const dist = (a: number, b: number) => (t < a ? a - t : t > b ? t - b : 0);
  let best: number | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  const consider = (i: number, a: number, b: number) => {
    const d = dist(a, b);
    if (d <= tol && d < bestD) {
      bestD = d;
      best = i;
    }
  };
  const { callers, conn } = lay;
  if (my >= callers.y - 2 && my <= callers.y + callers.h + 2) {
    if (callers.compressed) {
      // Only the error marks are individual here.
      const lo = lowerBound(ix.failEnd, t - tol);
      const hi = upperBound(ix.failEnd, t + tol);
      for (let j = lo; j < hi; j++) consider(ix.failIdx[j]!, ix.failEnd[j]!, ix.failEnd[j]!);
      return best;
    }
    const row = Math.floor((my - callers.y) / callers.rowH);
    forEachVisible(ix, t - tol, t + tol, (i) => {
      if (ix.reqs[i]!.callerLane === row) consider(i, ix.start[i]!, ix.end[i]!);
    });
    return best;
  }
  if (!conn.compressed && my >= conn.y && my <= conn.y + conn.h) {
    if (countVisible(ix, f.from, f.to, ARROW_LIMIT) > ARROW_LIMIT) return null; // density: no single request
    const lane = Math.floor((my - conn.y) / conn.rowH);
    forEachVisible(ix, t - tol, t + tol, (i) => {
      const r = ix.reqs[i]!;
      if (r.sentAt === null || r.conn === null || ix.connToLane.get(r.conn) !== lane) return;
      consider(i, r.sentAt, r.replyAt ?? ix.end[i]!);
    });
    return best;
  }
  return null;
}

/** Where a request sits, for placing its card: its start and end in CSS px (clamped to the plot)
 * and the top and bottom of its caller row. */
export function requestAnchor(f: Pick<Frame, 'x0' | 'x1' | 'from' | 'k'>, ix: WorldIndex, lay: WorldLayout, i: number): { xa: number; xb: number; top: number; bottom: number } {
  const clamp = (t: number) => Math.min(f.x1, Math.max(f.x0, f.x0 + (t - f.from) * f.k));
  const xa = clamp(ix.start[i]!);
  const xb = clamp(ix.end[i]!);
  const r = ix.reqs[i]!;
  if (lay.callers.compressed) return { xa, xb, top: lay.callers.y, bottom: lay.callers.y + lay.callers.h };
  const top = lay.callers.y + r.callerLane * lay.callers.rowH;
  return { xa, xb, top, bottom: top + lay.callers.rowH };
}
