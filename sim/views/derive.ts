/**
 * Views derived from a run: pure functions from a world's trace to what the lab draws.
 */
import type { Micros } from '../kernel/time.js';
import { ms } from '../kernel/time.js';
import type { TraceEvents } from '../kernel/trace.js';
import type { ScenarioResult, WorldResult } from '../scenario/run.js';
import type { Scenario } from '../scenario/schema.js';
import { faultDurationMs, faultLabel } from '../faults/index.js';
import { OpenCount, StepWriter } from './steps.js';
import { freshArray, stockArrays } from './room.js';
import { FLAGS, INTS, NONE, RequestColumns, T_ARRIVE, T_CHECKED_OUT, T_END, T_EXEC, T_QUEUED, T_REPLY, T_SENT, TIMES, requestViews, type PackedWorld } from './pack.js';
import type { BackoffBand, ConnBand, ConnLane, FaultView, LabView, RedisBand, Steps, ThroughputBucket, WorldView } from './types.js';

export function deriveLab(r: ScenarioResult): LabView {
  const worlds = r.worlds.map((w) => deriveWorld(w, r.scenario));
  return {
    scenario: r.scenario,
    worlds,
    failed: [],
    faults: faultViews(r.scenario),
    endUs: Math.max(ms(r.scenario.durationMs), ...worlds.map((w) => w.endUs)),
    durationUs: ms(r.scenario.durationMs),
  };
}

/** The scenario's faults as bands on the shared time axis. */
export function faultViews(s: Scenario): FaultView[] {
  return s.faults.map((f, index) => {
    const at = ms(f.atMs);
    return { index, kind: f.kind, at, until: at + ms(faultDurationMs(f)), label: faultLabel(f) };
  });
}

interface Fields {
  req: number;
  caller: number;
  name: string;
  cmds: number;
  conn: number;
  i: number;
  n: number;
  ok: boolean;
  error: string;
  indeterminate: boolean;
  pid: number;
  us: number;
  to: number;
  reason: string;
  dir: 'c2s' | 's2c';
  bytes: number;
  fate: 'held' | 'lost';
  forUs: number;
  factor: number;
  why: string;
}

/**
 * The kinds deriveWorld reads: the trace builds the fields of no other event. Typed as trace
 * event kinds, and the switch below is exhaustive over them: a kind listed without its case, or a
 * case for a kind not listed, does not compile.
 */
const VIEW_KINDS = [
  'pipeline.start',
  'checkout.wait',
  'checkout.start',
  'pipeline.sent',
  'pipeline.resend',
  'redis.exec',
  'pipeline.reply',
  'pipeline.stop',
  'tcp.connect',
  'tcp.established',
  'tcp.refused',
  'tcp.connect_timeout',
  'tcp.close',
  'conn.backoff',
  'fault.kill_caller',
  'msg.drop',
  'proc.spawn',
  'proc.busy',
  'tcp.write',
  'tcp.segment',
  'tcp.blocked',
  'redis.down',
  'redis.up',
  'redis.pause',
  'redis.slow',
  'redis.close',
] as const satisfies ReadonlyArray<keyof TraceEvents>;

/** A world's view from its kept trace. */
export function deriveWorld(w: WorldResult, s: Scenario): WorldView {
  const pass = viewPass(w.label, s);
  w.trace.each(pass.visit, pass.kinds);
  return pass.finish({ ...w, endUs: w.world.kernel.now });
}

/** What a view pass needs of the world once its events are all seen. */
export type ViewedWorld = Pick<WorldResult, 'label' | 'client' | 'traceHash' | 'metrics'> & { readonly endUs: Micros };

/**
 * The view of one world built event by event: fed from a kept trace (deriveWorld), or as the
 * events are recorded when the trace is not kept (the lab's workers: runWorld's `observe`), so a
 * run keeps no trace and is not read a second time. `visit` reads its fields at once and keeps
 * none of them (a streamed event's fields object is the recorder's).
 */
export interface ViewPass {
  readonly kinds: readonly string[];
  /** The requests its columns were first made for (more grow them): a size hint's or a small default. */
  readonly rowsRoom: number;
  visit(t: Micros, kind: string, fields: Readonly<Record<string, unknown>>): void;
  finish(w: ViewedWorld): WorldView;
  /**
   * The view packed for the trip to the page, as packWorld(finish(w)) gives it, without an
   * object per request (its columns are handed on as they are). Either finish may be called, or
   * both, for the same world.
   */
  finishPacked(w: ViewedWorld): { packed: PackedWorld; transfer: ArrayBuffer[] };
}

/** Grows an array of ints to hold index `i` (new places `fill`). */
function room(a: Int32Array<ArrayBuffer>, i: number, fill: number): Int32Array<ArrayBuffer> {
  if (i < a.length) return a;
  const b = new Int32Array(Math.max(2 * a.length, i + 1));
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

/**
 * What the pass knows of one connection, client to server: its bytes written, delivered to Redis
 * and claimed by a request so far, the requests whose last byte has not arrived yet (a queue of
 * their rows and end offsets), the rows whose commands it carries by command number, and its
 * requests in flight (a count; `gen` moves on when it closes, uncounting all of them at once).
 */
class Wire {
  written = 0;
  delivered = 0;
  claimed = 0;
  waitEnd = new Float64Array(16);
  waitRow = new Int32Array(16);
  head = 0;
  tail = 0;
  owners = new Int32Array(64).fill(-1);
  inFlight = 0;
  gen = 0;
  points: StepWriter | null = null;

  wait(end: number, row: number): void {
    if (this.tail === this.waitRow.length) {
      const live = this.tail - this.head;
      if (this.head > 0 && live <= this.waitRow.length / 2) {
        this.waitEnd.copyWithin(0, this.head, this.tail);
        this.waitRow.copyWithin(0, this.head, this.tail);
      } else {
        const end2 = new Float64Array(2 * this.waitEnd.length);
        const row2 = new Int32Array(2 * this.waitRow.length);
        end2.set(this.waitEnd.subarray(this.head, this.tail));
        row2.set(this.waitRow.subarray(this.head, this.tail));
        this.waitEnd = end2;
        this.waitRow = row2;
      }
      this.head = 0;
      this.tail = live;
    }
    this.waitEnd[this.tail] = end;
    this.waitRow[this.tail++] = row;
  }
}

/**
 * The first lane free at t (-1: none). Not a findIndex callback: a closure over visit's `t` made
 * V8 allocate a context for every call of visit, whatever the event (~40 bytes per event).
 */
function firstFree(laneFreeAt: readonly Micros[], t: Micros): number {
  for (let i = 0; i < laneFreeAt.length; i++) if (laneFreeAt[i]! <= t) return i;
  return -1;
}

/** How long a view pass's columns ended (requests; points of each step function). */
interface ViewSizes {
  rows: number;
  inFlight: number;
  processBusy: number;
  callerBusy: number;
  /** By connection, in the order their steps were first written. */
  conns: number[];
}

/**
 * The sizes the last view pass of a world ended with, by its label and scenario without the
 * faults (a fault edit runs the same scenario again with other faults, and the lab's worker
 * warms on shorter runs in between): the next pass of it makes its columns that long at once.
 * Grown by doubling instead, a 100k world's columns were written twice over in fresh memory,
 * which is slow to touch (page faults: ~3 ms per MB first written here, ~0.1 ms once touched; and
 * making typed arrays is dear in the browser's V8). Capacities only: the view is the same.
 */
const sizeHints = new Map<string, ViewSizes>();
const SIZE_HINTS = 8;

function rememberSizes(key: string, sizes: ViewSizes): void {
  sizeHints.delete(key);
  sizeHints.set(key, sizes);
  if (sizeHints.size > SIZE_HINTS) sizeHints.delete(sizeHints.keys().next().value!);
}

const sizesKeyOf = (label: string, s: Scenario) => `${label}\u0000${JSON.stringify({ ...s, faults: [] })}`;

/** Room for what the last pass of this scenario held, and an eighth more (`otherwise`: no hint). */
const room0 = (n: number | undefined, otherwise: number) => (n === undefined ? otherwise : Math.ceil(n * 1.125) + 16);

/** The capacities a pass makes its columns with, from the last pass's sizes. */
function capacities(hint: ViewSizes | undefined) {
  return {
    rows: room0(hint?.rows, 256),
    inFlight: room0(hint?.inFlight, 1024),
    /** The k-th connection's steps, in the order first written. */
    conn: (k: number) => room0(hint?.conns[k], 64),
    processBusy: room0(hint?.processBusy, 1024),
    callerBusy: room0(hint?.callerBusy, 1024),
  };
}

/**
 * Makes and touches ahead the large arrays the next view pass of this world and scenario (faults
 * aside) will take, while the thread is idle (./room.ts): the lab's worker calls this between
 * runs, `maxBytes` at a time, until it answers true (all there). Lets go of spares stocked for
 * any other. Nothing to do before a first pass of it.
 */
export function stockRoom(label: string, s: Scenario, maxBytes = Number.POSITIVE_INFINITY): boolean {
  const hint = sizeHints.get(sizesKeyOf(label, s));
  if (hint === undefined) return true;
  const c = capacities(hint);
  const wanted: Array<[Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor, number]> = [...RequestColumns.room(c.rows), ...RequestsById.room(c.rows), [Int32Array, c.rows], [Int32Array, c.rows]];
  for (const n of [c.inFlight, ...hint.conns.map((_, k) => c.conn(k)), c.processBusy, c.callerBusy]) wanted.push([Float64Array, StepWriter.room(n)], [Float64Array, StepWriter.room(n)]);
  return stockArrays('view pass', wanted, maxBytes);
}

/**
 * `sized` false: start small whatever the last pass held (a pass that will see a few thousand
 * events of its world, as the lab worker's parked world does, need not make and touch a whole
 * run's columns: for the 100k scenario's pool world, 25-180 ms against 15-30 ms, Node).
 */
export function viewPass(label: string, s: Scenario, sized = true): ViewPass {
  const sizesKey = sizesKeyOf(label, s);
  const hint = sized ? sizeHints.get(sizesKey) : undefined;
  const cap = capacities(hint);
  const rows = cap.rows;
  const reqs = new RequestColumns(rows);
  const byReq = new RequestsById(rows);
  /** Each caller's lane + 1 by pid (0: none yet), and how many callers there are. */
  let callerLane = new Int32Array(256);
  let callers = 0;
  /** Per request (row): the connection it is counted on (-1: none), and that connection's gen then. */
  let countedOn = freshArray(Int32Array, rows, -1);
  let countedGen = freshArray(Int32Array, rows);
  const conns = new Map<number, { lane: number; from: Micros; up: Micros | null; to: Micros | null }>();
  const laneFreeAt: Micros[] = [];
  /** Each connecting process's lane, kept for its reconnections. */
  const pidLane = new Map<number, number>();
  const backoffs: BackoffBand[] = [];
  /** The connections' in-flight steps, in the order they were first written. */
  const connPoints: Array<{ conn: number; points: StepWriter }> = [];
  const inFlight = new StepWriter(cap.inFlight);
  inFlight.set(0, 0);
  let inSystem = 0;
  const bucketUs = pickBucket(ms(s.durationMs));
  const buckets = new Map<number, ThroughputBucket>();

  const wires = new Map<number, Wire>();
  const wireOf = (conn: number): Wire => {
    let w = wires.get(conn);
    if (w === undefined) wires.set(conn, (w = new Wire()));
    return w;
  };
  const setConn = (conn: number, w: Wire, t: Micros, v: number) => {
    let pts = w.points;
    if (pts === null) connPoints.push({ conn, points: (pts = w.points = new StepWriter(cap.conn(connPoints.length))) });
    pts.change(t, v);
  };
  const ownerOf = (conn: number, i: number): number => {
    if (i < 0) return -1;
    const w = wires.get(conn);
    return w === undefined || i >= w.owners.length ? -1 : w.owners[i]!;
  };
  /** Whether row `r` is counted on `conn` (written on it, not answered, ended or lost with it). */
  const countedThere = (r: number, conn: number): boolean => countedOn[r] === conn && countedGen[r] === wires.get(conn)!.gen;
  const count = (r: number, conn: number, t: Micros) => {
    uncount(r, t);
    // Written on a connection the server has already reset (the client learns of it when the
    // RST arrives): its lane has ended, and nothing will travel on it.
    if (conns.get(conn)?.to != null) return;
    const w = wireOf(conn);
    w.inFlight++;
    countedOn[r] = conn;
    countedGen[r] = w.gen;
    setConn(conn, w, t, w.inFlight);
  };
  const uncount = (r: number, t: Micros) => {
    const conn = countedOn[r]!;
    if (conn < 0) return;
    countedOn[r] = -1;
    const w = wires.get(conn)!;
    // Lost with its connection already (dropConn).
    if (countedGen[r] !== w.gen) return;
    w.inFlight--;
    setConn(conn, w, t, w.inFlight);
  };
  /** A closed connection carries nothing: what was on it is lost (or will be resent elsewhere). */
  const dropConn = (conn: number, t: Micros) => {
    const w = wires.get(conn);
    if (w === undefined || w.inFlight === 0) return;
    w.gen++;
    w.inFlight = 0;
    setConn(conn, w, t, 0);
  };
  const step = (t: Micros, v: number) => inFlight.set(t, v);
  const closeConn = (conn: number, t: Micros) => {
    const c = conns.get(conn);
    if (c === undefined || c.to !== null) return;
    c.to = t;
    laneFreeAt[c.lane] = t;
  };

  /**
   * Arrivals at Redis, exact: each connection's client-to-server bytes written and delivered so
   * far; a request's last byte is at offset `written` when it is sent (the write is traced just
   * before 'pipeline.sent'), and it has arrived when the segments delivered reach that offset.
   */
  /** Bytes `n` more of `conn` reached Redis at t (or were lost on the way: `at` null). */
  const deliver = (conn: number, n: number, at: Micros | null) => {
    const w = wires.get(conn);
    if (w === undefined) return;
    w.delivered += n;
    const { ints, times } = reqs;
    while (w.head < w.tail && w.waitEnd[w.head]! <= w.delivered) {
      const r = w.waitRow[w.head++]!;
      if (ints[r * INTS + 4] === conn) times[r * TIMES + T_ARRIVE] = at ?? NONE;
    }
    if (w.head === w.tail) w.head = w.tail = 0;
  };
  const redis: RedisBand[] = [];
  const maxclientsRejects: Micros[] = [];
  let downSince: Micros | null = null;
  /** The open pause and slow bands (extended or replaced by a later one, as the server does). */
  let pause: RedisBand | null = null;
  let slow: RedisBand | null = null;

  /** Each caller's request not yet ended (its row, by pid; -1 none): a killed caller's ends where it was killed. */
  let openOf = new Int32Array(256).fill(-1);
  const dropTimes: Micros[] = [];
  const resends: WorldView['resends'] = [];
  const connects: Micros[] = [];
  const reconnects: Micros[] = [];
  const connected = new Set<number>();
  /** Whose CPU is drawn: the client's own process (named by its label) and the callers. */
  // By pid (pids are counted from 1 as processes spawn: a dense array).
  const busyOf: Array<'process' | 'callers' | undefined> = [];
  const callerPids = new Set<number>();
  const processBusy = new OpenCount(cap.processBusy);
  const callerBusy = new OpenCount(cap.callerBusy);
  /** The process's stretch of steps back to back so far (none yet: procTo -Infinity). */
  let procFrom = 0;
  let procTo = Number.NEGATIVE_INFINITY;

  /** Ends row `r` at t with its outcome (the caller's call returned, or it was killed). */
  const end = (r: number, t: Micros, ok: boolean, error: string, indeterminate: boolean) => {
    reqs.times[r * TIMES + T_END] = t;
    reqs.flags[r * FLAGS] = ok ? 1 : 0;
    reqs.flags[r * FLAGS + 1] = indeterminate ? 1 : 0;
    reqs.errors[r] = error === '' ? reqs.noError : reqs.intern(error);
    uncount(r, t);
    step(t, --inSystem);
  };

  const visit = (t: Micros, kind: string, f: Readonly<Record<string, unknown>>) => {
    const e = f as unknown as Fields;
    const k = kind as (typeof VIEW_KINDS)[number];
    const { times } = reqs;
    switch (k) {
      case 'proc.spawn':
        if (e.name === label) busyOf[e.pid] = 'process';
        else if (/^(caller|arrival)\d+$/.test(e.name)) {
          busyOf[e.pid] = 'callers';
          callerPids.add(e.pid);
        }
        break;
      case 'proc.busy': {
        const who = busyOf[e.pid];
        if (who === 'process') {
          // One process runs one step at a time: steps back to back make one stretch.
          if (procTo >= t) procTo = Math.max(procTo, t + e.us);
          else {
            if (procTo !== Number.NEGATIVE_INFINITY) processBusy.add(procFrom, procTo);
            procFrom = t;
            procTo = t + e.us;
          }
        } else if (who === 'callers') callerBusy.add(t, t + e.us);
        break;
      }
      case 'msg.drop':
        // A late reply to a caller that gave up (OTP 24+ aliases): dropped, never delivered.
        if (e.reason === 'inactive_alias') dropTimes.push(t);
        break;
      case 'fault.kill_caller': {
        // The caller is gone: no stop will come. Its bar ends at the kill (error 'killed'), not
        // at the end of the run as if still in flight; it may have run if it was sent.
        const r = e.pid < openOf.length ? openOf[e.pid]! : -1;
        if (r < 0 || times[r * TIMES + T_END] !== NONE) break;
        openOf[e.pid] = -1;
        end(r, t, false, 'killed', times[r * TIMES + T_SENT] !== NONE);
        break;
      }
      case 'pipeline.start': {
        const caller = e.caller;
        callerLane = room(callerLane, caller, 0);
        let lane = callerLane[caller]! - 1;
        if (lane < 0) callerLane[caller] = (lane = callers++) + 1;
        const r = reqs.add(e.req, caller, lane, e.name, e.cmds, t);
        if (r >= countedOn.length) {
          countedOn = room(countedOn, r, -1);
          countedGen = room(countedGen, r, 0);
        }
        byReq.add(e.req, r);
        openOf = room(openOf, caller, -1);
        openOf[caller] = r;
        step(t, ++inSystem);
        break;
      }
      case 'checkout.wait': {
        const r = byReq.get(e.req);
        if (r >= 0) times[r * TIMES + T_QUEUED] = t;
        break;
      }
      case 'checkout.start': {
        const r = byReq.get(e.req);
        // A checkout that raced its caller's timeout (handed over after the caller gave up) is not part of its life.
        if (r >= 0 && times[r * TIMES + T_END] === NONE) times[r * TIMES + T_CHECKED_OUT] = t;
        break;
      }
      case 'pipeline.sent': {
        const r = byReq.get(e.req);
        if (r < 0) break;
        const ints = reqs.ints;
        const sentAt = times[r * TIMES + T_SENT]!;
        const prevConn = ints[r * INTS + 4]!;
        if (sentAt !== NONE) {
          // Written again (at least once): the previous write was lost with its connection.
          const prev = prevConn === NONE ? undefined : conns.get(prevConn);
          resends.push({ req: ints[r * INTS]!, lane: ints[r * INTS + 2]!, prevConn, prevSentAt: sentAt, lostAt: prev?.to ?? null, at: t });
        }
        times[r * TIMES + T_SENT] = t;
        ints[r * INTS + 4] = e.conn;
        times[r * TIMES + T_ARRIVE] = NONE;
        // No byte written since the last request: the stack had already lost the connection
        // (reset by the server, not yet seen), and the request never leaves.
        const w = wireOf(e.conn);
        if (w.written > w.claimed) w.wait(w.written, r);
        w.claimed = w.written;
        if (e.n > 0) w.owners = room(w.owners, e.i + e.n - 1, -1);
        for (let k = 0; k < e.n; k++) w.owners[e.i + k] = r;
        count(r, e.conn, t);
        break;
      }
      case 'pipeline.resend': {
        const r = byReq.get(e.req);
        if (r >= 0) reqs.flags[r * FLAGS + 2] = 1;
        break;
      }
      case 'redis.exec': {
        const r = ownerOf(e.conn, e.i);
        if (r < 0) break;
        const execAt = times[r * TIMES + T_EXEC]!;
        const sentAt = times[r * TIMES + T_SENT]!;
        if (execAt === NONE || execAt < (sentAt === NONE ? 0 : sentAt)) times[r * TIMES + T_EXEC] = t;
        break;
      }
      case 'pipeline.reply': {
        const r = byReq.get(e.req);
        if (r >= 0) times[r * TIMES + T_REPLY] = t;
        // Its first reply read: the request no longer occupies the wire.
        const o = ownerOf(e.conn, e.i);
        if (o >= 0 && countedThere(o, e.conn)) uncount(o, t);
        break;
      }
      case 'pipeline.stop': {
        const r = byReq.get(e.req);
        if (r < 0 || times[r * TIMES + T_END] !== NONE) break;
        end(r, t, e.ok, e.error, e.indeterminate);
        const k = Math.floor(t / bucketUs) * bucketUs;
        let b = buckets.get(k);
        if (b === undefined) buckets.set(k, (b = { t: k, ok: 0, failed: 0 }));
        if (e.ok) b.ok++;
        else b.failed++;
        break;
      }
      case 'tcp.connect': {
        connects.push(t);
        if (connected.has(e.pid)) reconnects.push(t);
        else connected.add(e.pid);
        let lane = pidLane.get(e.pid) ?? -1;
        if (lane < 0 || laneFreeAt[lane]! > t) lane = firstFree(laneFreeAt, t);
        if (lane < 0) lane = laneFreeAt.length;
        laneFreeAt[lane] = Number.POSITIVE_INFINITY;
        pidLane.set(e.pid, lane);
        conns.set(e.conn, { lane, from: t, up: null, to: null });
        break;
      }
      case 'tcp.established': {
        const c = conns.get(e.conn);
        if (c !== undefined) c.up = t;
        break;
      }
      case 'tcp.refused':
      case 'tcp.connect_timeout':
        closeConn(e.conn, t);
        break;
      case 'tcp.close':
        // Whoever closed it (or reset it), the connection's lane is free from now on.
        closeConn(e.conn, t);
        dropConn(e.conn, t);
        break;
      case 'tcp.write':
        if (e.dir === 'c2s') wireOf(e.conn).written += e.bytes;
        break;
      case 'tcp.segment':
        if (e.dir === 'c2s') deliver(e.conn, e.bytes, t);
        break;
      case 'tcp.blocked':
        // Held bytes arrive when the partition heals (a tcp.segment then); lost ones never do.
        if (e.dir === 'c2s' && e.fate === 'lost') deliver(e.conn, e.bytes, null);
        break;
      case 'redis.down':
        // A restart while down extends the outage: the band runs to the next redis.up.
        downSince ??= t;
        break;
      case 'redis.up':
        if (downSince !== null) redis.push({ state: 'down', from: downSince, to: t, factor: 1 });
        downSince = null;
        break;
      case 'redis.pause': {
        // CLIENT PAUSE during a pause extends it (pausedUntil = max).
        const to = t + e.forUs;
        if (pause !== null && pause.to >= t) pause.to = Math.max(pause.to, to);
        else redis.push((pause = { state: 'paused', from: t, to, factor: 1 }));
        break;
      }
      case 'redis.slow':
        // A new slow_server replaces the factor and the end from now on.
        if (slow !== null && slow.to > t) slow.to = t;
        redis.push((slow = { state: 'slow', from: t, to: t + e.forUs, factor: e.factor }));
        break;
      case 'redis.close':
        if (e.why === 'maxclients') maxclientsRejects.push(t);
        break;
      case 'conn.backoff': {
        if (e.us <= 0) break;
        // It waits on its own lane, kept for it until the wait ends.
        let lane = pidLane.get(e.pid) ?? -1;
        if (lane >= 0 && laneFreeAt[lane]! > t) lane = -1;
        if (lane >= 0) laneFreeAt[lane] = t + e.us;
        backoffs.push({ pid: e.pid, from: t, to: t + e.us, lane });
        break;
      }
      default: {
        // Every listed kind has its case (a missing one does not compile).
        const other: never = k;
        void other;
      }
    }
  };

  /** Everything of the view but its requests, made once (finish and finishPacked may both ask). */
  let made: Omit<WorldView, 'requests'> | null = null;
  const rest = (w: ViewedWorld): Omit<WorldView, 'requests'> => {
    if (made !== null) return made;
    const endUs = w.endUs;
    const connLanes: ConnLane[] = [];
    for (const [conn, c] of conns) {
      const to = c.to ?? endUs;
      const bands: ConnBand[] = [];
      const upAt = c.up ?? to;
      if (upAt > c.from) bands.push({ conn, state: 'connecting', from: c.from, to: Math.min(upAt, to) });
      if (c.up !== null && to > c.up) bands.push({ conn, state: 'up', from: c.up, to });
      let lane = connLanes[c.lane];
      if (lane === undefined) connLanes[c.lane] = lane = { lane: c.lane, bands: [] };
      lane.bands.push(...bands);
    }
    for (let i = 0; i < connLanes.length; i++) connLanes[i] ??= { lane: i, bands: [] };

    if (downSince !== null) redis.push({ state: 'down', from: downSince, to: endUs, factor: 1 });
    for (const b of redis) b.to = Math.min(b.to, endUs);
    redis.sort((a, b) => a.from - b.from);
    const lateDrops = matchLateDrops(reqs, dropTimes);
    if (procTo !== Number.NEGATIVE_INFINITY) processBusy.add(procFrom, procTo);
    rememberSizes(sizesKey, { rows: reqs.n, inFlight: inFlight.length, processBusy: processBusy.length, callerBusy: callerBusy.length, conns: connPoints.map((c) => c.points.length) });
    // The key order of WorldView with its requests left out (finish puts them back in place).
    const rest: Omit<WorldView, 'requests'> = {
      label: w.label,
      client: w.client,
      traceHash: w.traceHash,
      metrics: w.metrics,
      callerLanes: callers,
      connLanes,
      backoffs,
      inFlight: inFlight.done(),
      throughput: [...buckets.values()].sort((a, b) => a.t - b.t),
      bucketUs,
      connInFlight: connPoints.map(({ conn, points }) => ({ conn, points: points.done() })),
      lateDrops,
      resends,
      busy: busyRows(processBusy, callerBusy, callerPids.size, w.label, s.clients.find((c) => c.label === w.label)?.kind === 'naive'),
      connects,
      reconnects,
      redis: redis.filter((b) => b.to > b.from),
      maxclientsRejects,
      endUs,
    };
    made = rest;
    return rest;
  };

  const finish = (w: ViewedWorld): WorldView => {
    const { label, client, traceHash, metrics, ...tail } = rest(w);
    const columns = { n: reqs.n, ints: reqs.ints, times: reqs.times, flags: reqs.flags, names: reqs.names, errors: reqs.errors, strings: reqs.strings };
    return { label, client, traceHash, metrics, requests: requestViews(columns), ...tail };
  };

  const finishPacked = (w: ViewedWorld): { packed: PackedWorld; transfer: ArrayBuffer[] } => {
    const transfer: ArrayBuffer[] = [];
    const r = rest(w);
    // The step functions' own buffers are handed over (the pass is over: nothing writes them again).
    const steps = (x: Steps): Steps => {
      transfer.push(x.t.buffer as ArrayBuffer, x.v.buffer as ArrayBuffer);
      return x;
    };
    steps(r.inFlight);
    for (const c of r.connInFlight) steps(c.points);
    for (const b of r.busy) steps(b.points);
    return { packed: { rest: r, requests: reqs.packed(transfer) }, transfer };
  };
  return { kinds: VIEW_KINDS, rowsRoom: rows, visit, finish, finishPacked };
}

/**
 * The rows of requests by id. Ids are refs, made as requests start, so they come in increasing
 * order: kept in that order, a request is found by searching back from the newest (the events of
 * a request come while it is among the latest started), in a few steps. Growing a Map of every
 * request was a third of the view's pass over a run. One started out of order (none in a
 * simulation) goes to a Map.
 */
export class RequestsById {
  private ids: Float64Array<ArrayBuffer>;
  private rows: Int32Array<ArrayBuffer>;
  private n = 0;
  private readonly others = new Map<number, number>();

  constructor(capacity = 1024) {
    this.ids = freshArray(Float64Array, Math.max(1, capacity));
    this.rows = freshArray(Int32Array, Math.max(1, capacity));
  }

  /** The arrays one of `capacity` makes (./room.ts). */
  static room(capacity: number): Array<[Float64ArrayConstructor | Int32ArrayConstructor, number]> {
    return [[Float64Array, Math.max(1, capacity)], [Int32Array, Math.max(1, capacity)]];
  }

  /** Request `req` is at `row` (rows are not negative). */
  add(req: number, row: number): void {
    const n = this.n;
    if (n > 0 && req <= this.ids[n - 1]!) {
      this.others.set(req, row);
      return;
    }
    if (n === this.ids.length) {
      const ids = new Float64Array(n * 2);
      ids.set(this.ids);
      this.ids = ids;
      const rows = new Int32Array(n * 2);
      rows.set(this.rows);
      this.rows = rows;
    }
    this.ids[n] = req;
    this.rows[n] = row;
    this.n = n + 1;
  }

  /** The row of request `req` (-1: none). */
  get(req: number): number {
    // One added again under an id already seen is found as a Map would find it: the latest.
    if (this.others.size > 0) {
      const other = this.others.get(req);
      if (other !== undefined) return other;
    }
    const ids = this.ids;
    let hi = this.n;
    // Gallop back from the newest, then a binary search in the last stride.
    let step = 1;
    let lo = hi - 1;
    while (lo > 0 && ids[lo]! > req) {
      hi = lo;
      lo = Math.max(0, lo - step);
      step *= 2;
    }
    if (lo < 0) lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ids[mid]! < req) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.n && ids[lo] === req ? this.rows[lo]! : -1;
  }
}

function busyRows(proc: OpenCount, callers: OpenCount, callerCount: number, label: string, naive: boolean): WorldView['busy'] {
  const rows: WorldView['busy'] = [];
  if (!naive) rows.push({ who: 'process', name: label, processes: 1, points: proc.steps(), busyUs: proc.total() });
  if (callerCount > 0) rows.push({ who: 'callers', name: 'callers', processes: callerCount, points: callers.steps(), busyUs: callers.total() });
  return rows;
}

/**
 * Which request each dropped reply belonged to. The drop names an alias, not a request, so each
 * is matched to a timed-out request whose reply was read after it ended: in reply order, the
 * first drop at or after that reply (the reply is dropped as it is handed back).
 */
function matchLateDrops(reqs: RequestColumns, dropTimes: readonly Micros[]): WorldView['lateDrops'] {
  const { times, flags, ints } = reqs;
  const late: number[] = [];
  for (let r = 0; r < reqs.n; r++) {
    const end = times[r * TIMES + T_END]!;
    const reply = times[r * TIMES + T_REPLY]!;
    if (flags[r * FLAGS] === 0 && end !== NONE && reply !== NONE && reply > end) late.push(r);
  }
  const replyAt = (r: number) => times[r * TIMES + T_REPLY]!;
  late.sort((a, b) => replyAt(a) - replyAt(b));
  const out: WorldView['lateDrops'] = [];
  let d = 0;
  for (const r of late) {
    while (d < dropTimes.length && dropTimes[d]! < replyAt(r)) d++;
    if (d >= dropTimes.length) break;
    out.push({ t: dropTimes[d]!, req: ints[r * INTS]!, lane: ints[r * INTS + 2]! });
    d++;
  }
  return out;
}

/** About 100 buckets over the run, at a round size. */
function pickBucket(durationUs: Micros): Micros {
  const target = durationUs / 100;
  for (const b of [100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000]) if (b >= target) return b;
  return 1_000_000;
}

