/**
 * Views derived from a run: pure functions from a world's trace to what the lab draws.
 */
import type { Micros } from '../kernel/time.js';
import { ms } from '../kernel/time.js';
import { CommandOwners } from '../clients/common.js';
import type { TraceEvents } from '../kernel/trace.js';
import type { ScenarioResult, WorldResult } from '../scenario/run.js';
import type { Scenario } from '../scenario/schema.js';
import { faultDurationMs, faultLabel } from '../faults/index.js';
import { Intervals, StepWriter } from './steps.js';
import type { BackoffBand, ConnBand, ConnLane, FaultView, LabView, RedisBand, RequestView, ThroughputBucket, WorldView } from './types.js';

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
  visit(t: Micros, kind: string, fields: Readonly<Record<string, unknown>>): void;
  finish(w: ViewedWorld): WorldView;
}

export function viewPass(label: string, s: Scenario): ViewPass {
  const requests: RequestView[] = [];
  const byReq = new RequestsById();
  const callerLane = new Map<number, number>();
  /** (conn, i) -> request, for matching server executions to requests. */
  const owner = new CommandOwners<RequestView>();
  const conns = new Map<number, { lane: number; from: Micros; up: Micros | null; to: Micros | null }>();
  const laneFreeAt: Micros[] = [];
  /** Each connecting process's lane, kept for its reconnections. */
  const pidLane = new Map<number, number>();
  const backoffs: BackoffBand[] = [];
  const connPoints = new Map<number, StepWriter>();
  const inFlight = new StepWriter(1024);
  inFlight.set(0, 0);
  let inSystem = 0;
  const bucketUs = pickBucket(ms(s.durationMs));
  const buckets = new Map<number, ThroughputBucket>();

  /** Requests written on each connection and not yet answered, ended, or lost with it. */
  const onConn = new Map<number, Set<RequestView>>();
  const countedOn = new Map<RequestView, number>();
  const setConn = (conn: number, t: Micros, v: number) => {
    let pts = connPoints.get(conn);
    if (pts === undefined) connPoints.set(conn, (pts = new StepWriter()));
    pts.change(t, v);
  };
  const count = (r: RequestView, conn: number, t: Micros) => {
    uncount(r, t);
    // Written on a connection the server has already reset (the client learns of it when the
    // RST arrives): its lane has ended, and nothing will travel on it.
    if (conns.get(conn)?.to != null) return;
    let set = onConn.get(conn);
    if (set === undefined) onConn.set(conn, (set = new Set()));
    set.add(r);
    countedOn.set(r, conn);
    setConn(conn, t, set.size);
  };
  const uncount = (r: RequestView, t: Micros) => {
    const conn = countedOn.get(r);
    if (conn === undefined) return;
    countedOn.delete(r);
    const set = onConn.get(conn)!;
    set.delete(r);
    setConn(conn, t, set.size);
  };
  /** A closed connection carries nothing: what was on it is lost (or will be resent elsewhere). */
  const dropConn = (conn: number, t: Micros) => {
    const set = onConn.get(conn);
    if (set === undefined || set.size === 0) return;
    for (const r of set) countedOn.delete(r);
    set.clear();
    setConn(conn, t, 0);
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
  const c2s = new Map<number, { written: number; delivered: number; claimed: number; waiting: Array<{ end: number; r: RequestView }> }>();
  const c2sOf = (conn: number) => {
    let c = c2s.get(conn);
    if (c === undefined) c2s.set(conn, (c = { written: 0, delivered: 0, claimed: 0, waiting: [] }));
    return c;
  };
  /** Bytes `n` more of `conn` reached Redis at t (or were lost on the way: `at` null). */
  const deliver = (conn: number, n: number, at: Micros | null) => {
    const c = c2s.get(conn);
    if (c === undefined) return;
    c.delivered += n;
    let k = 0;
    while (k < c.waiting.length && c.waiting[k]!.end <= c.delivered) {
      const { r } = c.waiting[k++]!;
      if (r.conn === conn) r.arriveAt = at;
    }
    if (k > 0) c.waiting.splice(0, k);
  };
  const redis: RedisBand[] = [];
  const maxclientsRejects: Micros[] = [];
  let downSince: Micros | null = null;
  /** The open pause and slow bands (extended or replaced by a later one, as the server does). */
  let pause: RedisBand | null = null;
  let slow: RedisBand | null = null;

  /** Each caller's request not yet ended: a killed caller's ends where it was killed. */
  const openOf = new Map<number, RequestView>();
  const dropTimes: Micros[] = [];
  const resends: WorldView['resends'] = [];
  const connects: Micros[] = [];
  const reconnects: Micros[] = [];
  const connected = new Set<number>();
  /** Whose CPU is drawn: the client's own process (named by its label) and the callers. */
  // By pid (pids are counted from 1 as processes spawn: a dense array).
  const busyOf: Array<'process' | 'callers' | undefined> = [];
  const callerPids = new Set<number>();
  const processBusy = new Intervals();
  const callerBusy = new Intervals();

  const visit = (t: Micros, kind: string, f: Readonly<Record<string, unknown>>) => {
    const e = f as unknown as Fields;
    const k = kind as (typeof VIEW_KINDS)[number];
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
          const lastTo = processBusy.lastTo();
          if (lastTo >= t) processBusy.extendLast(Math.max(lastTo, t + e.us));
          else processBusy.add(t, t + e.us);
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
        const r = openOf.get(e.pid);
        if (r === undefined || r.end !== null) break;
        openOf.delete(e.pid);
        r.end = t;
        r.ok = false;
        r.error = 'killed';
        r.indeterminate = r.sentAt !== null;
        uncount(r, t);
        step(t, --inSystem);
        break;
      }
      case 'pipeline.start': {
        let lane = callerLane.get(e.caller);
        if (lane === undefined) callerLane.set(e.caller, (lane = callerLane.size));
        const r: RequestView = {
          req: e.req,
          caller: e.caller,
          callerLane: lane,
          name: e.name,
          cmds: e.cmds,
          start: t,
          queuedAt: null,
          checkedOutAt: null,
          sentAt: null,
          conn: null,
          arriveAt: null,
          execAt: null,
          replyAt: null,
          end: null,
          ok: null,
          error: '',
          indeterminate: false,
          resent: false,
        };
        requests.push(r);
        byReq.add(r);
        openOf.set(e.caller, r);
        step(t, ++inSystem);
        break;
      }
      case 'checkout.wait': {
        const r = byReq.get(e.req);
        if (r !== undefined) r.queuedAt = t;
        break;
      }
      case 'checkout.start': {
        const r = byReq.get(e.req);
        // A checkout that raced its caller's timeout (handed over after the caller gave up) is not part of its life.
        if (r !== undefined && r.end === null) r.checkedOutAt = t;
        break;
      }
      case 'pipeline.sent': {
        const r = byReq.get(e.req);
        if (r === undefined) break;
        if (r.sentAt !== null) {
          // Written again (at least once): the previous write was lost with its connection.
          const prev = r.conn === null ? undefined : conns.get(r.conn);
          resends.push({ req: r.req, lane: r.callerLane, prevConn: r.conn ?? -1, prevSentAt: r.sentAt, lostAt: prev?.to ?? null, at: t });
        }
        r.sentAt = t;
        r.conn = e.conn;
        r.arriveAt = null;
        // No byte written since the last request: the stack had already lost the connection
        // (reset by the server, not yet seen), and the request never leaves.
        const c = c2sOf(e.conn);
        if (c.written > c.claimed) c.waiting.push({ end: c.written, r });
        c.claimed = c.written;
        for (let k = 0; k < e.n; k++) owner.set(e.conn, e.i + k, r);
        count(r, e.conn, t);
        break;
      }
      case 'pipeline.resend': {
        const r = byReq.get(e.req);
        if (r !== undefined) r.resent = true;
        break;
      }
      case 'redis.exec': {
        const r = owner.get(e.conn, e.i);
        if (r !== undefined && (r.execAt === null || r.execAt < (r.sentAt ?? 0))) r.execAt = t;
        break;
      }
      case 'pipeline.reply': {
        const r = byReq.get(e.req);
        if (r !== undefined) r.replyAt = t;
        // Its first reply read: the request no longer occupies the wire.
        const o = owner.get(e.conn, e.i);
        if (o !== undefined && countedOn.get(o) === e.conn) uncount(o, t);
        break;
      }
      case 'pipeline.stop': {
        const r = byReq.get(e.req);
        if (r === undefined || r.end !== null) break;
        r.end = t;
        r.ok = e.ok;
        r.error = e.error;
        r.indeterminate = e.indeterminate;
        uncount(r, t);
        step(t, --inSystem);
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
        if (lane < 0 || laneFreeAt[lane]! > t) lane = laneFreeAt.findIndex((free) => free <= t);
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
        if (e.dir === 'c2s') c2sOf(e.conn).written += e.bytes;
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

  const finish = (w: ViewedWorld): WorldView => {
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
    const lateDrops = matchLateDrops(requests, dropTimes);
    return {
      label: w.label,
      client: w.client,
      traceHash: w.traceHash,
      metrics: w.metrics,
      requests,
      callerLanes: callerLane.size,
      connLanes,
      backoffs,
      inFlight: inFlight.done(),
      throughput: [...buckets.values()].sort((a, b) => a.t - b.t),
      bucketUs,
      connInFlight: [...connPoints].map(([conn, points]) => ({ conn, points: points.done() })),
      lateDrops,
      resends,
      busy: busyRows(processBusy, callerBusy, callerPids.size, w.label, s.clients.find((c) => c.label === w.label)?.kind === 'naive'),
      connects,
      reconnects,
      redis: redis.filter((b) => b.to > b.from),
      maxclientsRejects,
      endUs,
    };
  };
  return { kinds: VIEW_KINDS, visit, finish };
}

/**
 * The requests by id. Ids are refs, made as requests start, so they come in increasing order: kept
 * in that order, a request is found by searching back from the newest (the events of a request
 * come while it is among the latest started), in a few steps. Growing a Map of every request was
 * a third of the view's pass over a run. One started out of order (none in a simulation) goes to
 * a Map.
 */
export class RequestsById {
  private ids = new Float64Array(1024);
  private list: RequestView[] = [];
  private readonly others = new Map<number, RequestView>();

  add(r: RequestView): void {
    const n = this.list.length;
    if (n > 0 && r.req <= this.ids[n - 1]!) {
      this.others.set(r.req, r);
      return;
    }
    if (n === this.ids.length) {
      const grown = new Float64Array(n * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[n] = r.req;
    this.list.push(r);
  }

  get(req: number): RequestView | undefined {
    // One added again under an id already seen is found as a Map would find it: the latest.
    if (this.others.size > 0) {
      const other = this.others.get(req);
      if (other !== undefined) return other;
    }
    const ids = this.ids;
    let hi = this.list.length;
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
    return lo < this.list.length && ids[lo] === req ? this.list[lo] : undefined;
  }
}

function busyRows(proc: Intervals, callers: Intervals, callerCount: number, label: string, naive: boolean): WorldView['busy'] {
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
function matchLateDrops(requests: readonly RequestView[], dropTimes: readonly Micros[]): WorldView['lateDrops'] {
  const late = requests.filter((r) => r.ok === false && r.end !== null && r.replyAt !== null && r.replyAt > r.end).sort((a, b) => a.replyAt! - b.replyAt!);
  const out: WorldView['lateDrops'] = [];
  let d = 0;
  for (const r of late) {
    while (d < dropTimes.length && dropTimes[d]! < r.replyAt!) d++;
    if (d >= dropTimes.length) break;
    out.push({ t: dropTimes[d]!, req: r.req, lane: r.callerLane });
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

