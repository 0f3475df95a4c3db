/**
 * The state of a world at one instant t, derived from its view (no trace needed, so it works on
 * the page from a view unpacked from a worker). The playhead moves every frame, so the view is
 * indexed once (per WorldView object, cached) and each query touches only what is live near t:
 * requests are kept in start order with a checkpoint every BLOCK requests listing those still live
 * there, so a query reads one checkpoint's list and at most BLOCK newer starts.
 */
import type { Micros } from '../kernel/time.js';
import { ms } from '../kernel/time.js';
import { defaultPool } from '../clients/pool.js';
import { addedLatencyUs } from '../faults/index.js';
import type { LabView, RequestView, WorldView } from './types.js';
import { NONE, requestRows, T_END, TIMES, type RequestRows } from './pack.js';
import { freshArray } from './room.js';

export type SocketState = 'connecting' | 'up' | 'closing' | 'backoff' | 'closed';

/** A request on a socket: on its way to Redis, waiting in Redis's queue, or its reply on the way back. */
export interface DotAt {
  req: number;
  caller: number;
  name: string;
  phase: 'request' | 'queued' | 'reply';
  /** 0 at the client, 1 at Redis (a request goes 0 → 1, a reply 1 → 0 as it travels). */
  pos: number;
  /** Its place in the socket's FIFO: 0 is the next reply the client will read. */
  fifo: number;
}

export interface SocketAt {
  /** The lane of the timeline (-1: a process waiting to reconnect whose lane was taken). */
  lane: number;
  /** The connection on this lane at t (the last one, when closed or backing off), or null. */
  conn: number | null;
  state: SocketState;
  /** Backing off: µs until it tries again; else 0. */
  backoffLeftUs: Micros;
  /** In flight on it, in FIFO order (sent first, answered first). */
  dots: DotAt[];
}

export interface WorldAt {
  t: Micros;
  label: string;
  kind: string;
  sockets: SocketAt[];
  /** Requests issued and not ended (callers waiting for an answer). */
  inSystem: number;
  /** Requests written on a socket and not yet answered (the dots). */
  onWire: number;
  /** Pool: callers queued for a connection; checked-out connections; the pool's size. */
  poolWaiting: number;
  checkedOut: number;
  poolSize: number;
  /** Multiplexer / serial GenServer: calls in its mailbox not yet written to the socket. */
  mailbox: number;
  /** Request ids on the multiplexed socket in FIFO order (empty for other clients). */
  fifo: number[];
  /** Redis is not down (it may still be paused or slow: see `redis`). */
  redisUp: boolean;
  redis: RedisAt;
  /** Requests arrived at Redis and not yet executed. */
  redisQueue: number;
  succeeded: number;
  failed: number;
  /** Sockets up at t. */
  open: number;
}

/** Requests per checkpoint. */
const BLOCK = 64;

interface Span {
  from: Micros;
  to: Micros;
  conn: number;
  state: 'connecting' | 'up' | 'closing';
}

interface WorldIndex {
  /** The requests in start order, in their columns (objects made only for those asked for). */
  rows: RequestRows;
  /** When each request stops being live (its end, or never). */
  stop: Float64Array;
  /** checkpoints[k]: indices < k*BLOCK still live at request k*BLOCK's start. */
  checkpoints: Int32Array[];
  okEnds: Float64Array;
  failedEnds: Float64Array;
  /** Per lane, its connections' bands in time order. */
  lanes: Span[][];
  /** A connection's close (Infinity if open at the end of the run). */
  closeAt: Map<number, Micros>;
  backoffs: WorldView['backoffs'];
}

const cache = new WeakMap<WorldView, WorldIndex>();

/** How many of the sorted xs are <= t. */
function countAtMost(xs: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function indexWorld(w: WorldView): WorldIndex {
  const rows = requestRows(w);
  const { n, times, flags } = rows;
  const stop = freshArray(Float64Array, n);
  // One pass for the ends and the outcomes' ends (the page builds this once per world per run,
  // before V8 has optimised it, where each pass costs about the same: profiled, 100k run).
  const ok = freshArray(Float64Array, n);
  const failed = freshArray(Float64Array, n);
  let nOk = 0;
  let nFailed = 0;
  for (let i = 0; i < n; i++) {
    const end = times[i * TIMES + T_END]!;
    if (end === NONE) {
      stop[i] = Number.POSITIVE_INFINITY;
      continue;
    }
    stop[i] = end;
    // flags: 0 failed, 1 ok, 2 not known (null).
    const o = flags[i * 3]!;
    if (o === 1) ok[nOk++] = end;
    else if (o === 0) failed[nFailed++] = end;
  }
  const checkpoints: Int32Array[] = [];
  let live: number[] = [];
  for (let k = 0; k * BLOCK < n; k++) {
    const at = times[k * BLOCK * TIMES]!;
    const next: number[] = [];
    for (const i of live) if (stop[i]! > at) next.push(i);
    for (let i = Math.max(0, (k - 1) * BLOCK); i < k * BLOCK; i++) if (stop[i]! > at) next.push(i);
    live = next;
    checkpoints.push(Int32Array.from(live));
  }
  const closeAt = new Map<number, Micros>();
  const lanes: Span[][] = w.connLanes.map((l) => {
    const spans = l.bands.map((b) => ({ from: b.from, to: b.to, conn: b.conn, state: b.state })).sort((a, b) => a.from - b.from);
    for (const b of spans) closeAt.set(b.conn, Math.max(closeAt.get(b.conn) ?? 0, b.to));
    return spans;
  });
  // A band that reaches the end of the run is a connection still open then.
  for (const [conn, to] of closeAt) if (to >= w.endUs) closeAt.set(conn, Number.POSITIVE_INFINITY);
  return {
    rows,
    stop,
    checkpoints,
    // Sorted where they are (the arrays are this index's own): no copy into fresh memory.
    okEnds: ok.subarray(0, nOk).sort(),
    failedEnds: failed.subarray(0, nFailed).sort(),
    lanes,
    closeAt,
    backoffs: w.backoffs,
  };
}

function indexOf(w: WorldView): WorldIndex {
  let ix = cache.get(w);
  if (ix === undefined) cache.set(w, (ix = indexWorld(w)));
  return ix;
}

/** Builds the world's index now (the lab does as each world arrives), not at its first question. */
export function indexWorldAt(w: WorldView): void {
  indexOf(w);
}

/** How many requests started at or before t (their start times are in order). */
function startedBy(rows: RequestRows, t: Micros): number {
  const { times } = rows;
  let lo = 0;
  let hi = rows.n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid * TIMES]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The rows of the requests live at t (started, not ended), in start order. */
function liveRows(ix: WorldIndex, t: Micros): number[] {
  const { stop } = ix;
  const last = startedBy(ix.rows, t) - 1;
  if (last < 0) return [];
  const k = Math.floor(last / BLOCK);
  const out: number[] = [];
  for (const i of ix.checkpoints[k]!) if (stop[i]! > t) out.push(i);
  for (let i = k * BLOCK; i <= last; i++) if (stop[i]! > t) out.push(i);
  return out;
}

/** The requests live at t (started, not ended), in start order. */
export function liveRequests(w: WorldView, t: Micros): RequestView[] {
  const ix = indexOf(w);
  return liveRows(ix, t).map((i) => ix.rows.at(i)!);
}

/** One-way network delay at t: the scenario's latency plus any latency fault active then. */
function oneWayUs(lab: LabView, t: Micros): Micros {
  return ms(lab.scenario.network.latencyMs) + addedLatencyUs(lab.scenario.faults, t);
}

/** Redis's own state: up and normal, down (restarting), paused (CLIENT PAUSE) or slow. */
export type RedisState = 'up' | 'down' | 'paused' | 'slow';

export interface RedisAt {
  state: RedisState;
  /** slow: every cost × factor; else 1. */
  factor: number;
  /** µs until that state ends (0 when up). */
  leftUs: Micros;
  /** Connections turned away at maxclients so far. */
  rejected: number;
}

/**
 * Redis at t, from the world's trace (redis.down → redis.up, redis.pause, redis.slow, maxclients
 * closes), not from the scenario's fault windows: a restart that extends another, or a pause
 * during an outage, reads as the server lived it. Down wins over paused, paused over slow.
 */
export function redisAt(w: WorldView, t: Micros): RedisAt {
  let best: WorldView['redis'][number] | null = null;
  const rank = { down: 3, paused: 2, slow: 1 } as const;
  for (const b of w.redis) {
    if (b.from > t) break;
    if (t < b.to && (best === null || rank[b.state] > rank[best.state])) best = b;
  }
  const rejected = countAtMost(w.maxclientsRejects, t);
  return best === null ? { state: 'up', factor: 1, leftUs: 0, rejected } : { state: best.state, factor: best.factor, leftUs: best.to - t, rejected };
}

/**
 * A request's two legs on the wire: written at `sent`, its last byte at Redis at `arrive` (exact,
 * from the trace's segments; no later than when it ran), run at `exec`, its reply read at
 * `reply`. A request that never reached Redis (its bytes lost, or held by a partition to the
 * end) has `arrived` false and `arrive` when it would have, over the link as it was then.
 * null: that step never happened.
 */
export interface Legs {
  sent: Micros;
  arrive: Micros;
  arrived: boolean;
  exec: Micros | null;
  reply: Micros | null;
}

export function legsOf(lab: LabView, r: RequestView): Legs | null {
  const sent = r.sentAt;
  if (sent === null) return null;
  const exec = r.execAt !== null && r.execAt >= sent ? r.execAt : null;
  // A pipeline's first command may run before its last byte is in.
  const exact = r.arriveAt !== null && r.arriveAt >= sent ? Math.min(r.arriveAt, exec ?? r.arriveAt) : exec;
  const arrive = exact ?? sent + oneWayUs(lab, sent);
  return { sent, arrive, arrived: exact !== null, exec, reply: exec !== null && r.replyAt !== null && r.replyAt >= exec ? r.replyAt : null };
}

/**
 * Where a request written on a socket is at t, or null if it is not on the wire then (not yet
 * sent, answered, ended, or lost with its connection).
 */
function dotOf(lab: LabView, r: RequestView, closeAt: Micros, t: Micros): Omit<DotAt, 'fifo'> | null {
  const legs = legsOf(lab, r);
  if (legs === null || t < legs.sent || legs.sent >= closeAt) return null;
  const gone = Math.min(r.replyAt ?? Number.POSITIVE_INFINITY, r.end ?? Number.POSITIVE_INFINITY, closeAt);
  if (t >= gone) return null;
  const { sent, arrive, exec } = legs;
  const base = { req: r.req, caller: r.caller, name: r.name };
  // Never arrived: stuck halfway (held by a partition, or lost) until it ends or its socket closes.
  if (!legs.arrived) return { ...base, phase: 'request', pos: arrive > sent ? Math.min(0.5, (t - sent) / (arrive - sent)) : 0.5 };
  if (t < arrive) return { ...base, phase: 'request', pos: arrive > sent ? (t - sent) / (arrive - sent) : 1 };
  if (exec === null || t < exec) return { ...base, phase: 'queued', pos: 1 };
  const back = r.replyAt ?? exec + oneWayUs(lab, exec);
  return { ...base, phase: 'reply', pos: back > exec ? Math.max(0, 1 - (t - exec) / (back - exec)) : 0 };
}

/** Requests whose life overlaps [from, to], in start order (for drawing a window of them). */
export function requestsIn(w: WorldView, from: Micros, to: Micros): RequestView[] {
  const ix = indexOf(w);
  const { rows } = ix;
  const out = liveRows(ix, from);
  for (let i = startedBy(rows, from); i < rows.n && rows.start(i) <= to; i++) out.push(i);
  return out.map((i) => rows.at(i)!);
}

/** Which of a lane's bands covers t (binary search over the bands in time order). */
function bandAt(spans: Span[], t: Micros): { covering: Span | null; before: Span | null } {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.from <= t) lo = mid + 1;
    else hi = mid;
  }
  const before = spans[lo - 1] ?? null;
  // A connection's 'up' band follows its 'connecting' band; the band at t is the last one begun.
  return { covering: before !== null && t < before.to ? before : null, before };
}

/** The state of world `w` of `lab` at time t. */
export function worldAt(lab: LabView, w: WorldView, t: Micros): WorldAt {
  const ix = indexOf(w);
  const sockets: SocketAt[] = [];
  const byConn = new Map<number, SocketAt>();
  for (let lane = 0; lane < ix.lanes.length; lane++) {
    const { covering, before } = bandAt(ix.lanes[lane]!, t);
    let state: SocketState = 'closed';
    let backoffLeftUs = 0;
    if (covering !== null) state = covering.state;
    else {
      const b = ix.backoffs.find((x) => x.lane === lane && t >= x.from && t < x.to);
      if (b !== undefined) {
        state = 'backoff';
        backoffLeftUs = b.to - t;
      }
    }
    const s: SocketAt = { lane, conn: (covering ?? before)?.conn ?? null, state, backoffLeftUs, dots: [] };
    sockets.push(s);
    if (covering !== null) byConn.set(covering.conn, s);
  }
  for (const b of ix.backoffs) if (b.lane < 0 && t >= b.from && t < b.to) sockets.push({ lane: -1, conn: null, state: 'backoff', backoffLeftUs: b.to - t, dots: [] });

  const kind = w.client.kind;
  let poolWaiting = 0;
  let checkedOut = 0;
  let mailbox = 0;
  let redisQueue = 0;
  let onWire = 0;
  const live = liveRequests(w, t);
  for (const r of live) {
    if (r.queuedAt !== null && t >= r.queuedAt && (r.checkedOutAt === null || t < r.checkedOutAt)) poolWaiting++;
    if (r.checkedOutAt !== null && t >= r.checkedOutAt) checkedOut++;
    if ((kind === 'multiplex' || kind === 'serial') && (r.sentAt === null || t < r.sentAt)) mailbox++;
    if (r.conn === null) continue;
    const s = byConn.get(r.conn);
    if (s === undefined) continue;
    const d = dotOf(lab, r, ix.closeAt.get(r.conn) ?? Number.POSITIVE_INFINITY, t);
    if (d === null) continue;
    s.dots.push({ ...d, fifo: 0 });
    onWire++;
    if (d.phase === 'queued') redisQueue++;
  }
  // Replies come back in the order requests were written (RESP is in order per connection).
  const sentAt = new Map<number, number>();
  for (const r of live) if (r.sentAt !== null) sentAt.set(r.req, r.sentAt);
  for (const s of sockets) {
    s.dots.sort((a, b) => sentAt.get(a.req)! - sentAt.get(b.req)! || a.req - b.req);
    s.dots.forEach((d, i) => (d.fifo = i));
  }
  const redis = redisAt(w, t);
  const mux = kind === 'multiplex' ? sockets.find((s) => s.dots.length > 0) : undefined;
  return {
    t,
    label: w.label,
    kind,
    sockets,
    inSystem: live.length,
    onWire,
    poolWaiting,
    checkedOut,
    poolSize: w.client.kind === 'pool' ? (w.client.size ?? defaultPool.size) : 0,
    mailbox,
    fifo: mux?.dots.map((d) => d.req) ?? [],
    redisUp: redis.state !== 'down',
    redis,
    redisQueue,
    succeeded: countAtMost(ix.okEnds, t),
    failed: countAtMost(ix.failedEnds, t),
    open: sockets.filter((s) => s.state === 'up').length,
  };
}

/** Every world's state at t. */
export function labAt(lab: LabView, t: Micros): WorldAt[] {
  return lab.worlds.map((w) => worldAt(lab, w, t));
}
