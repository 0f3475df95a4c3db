/**
 * The lab's view model: what the timelines, charts and tables draw, derived from a world's trace
 * by pure functions (derive.ts). Plain data, so a Web Worker can post it to the page.
 * Times are µs of virtual time.
 */
import type { Micros } from '../kernel/time.js';
import type { WorldMetrics } from '../scenario/metrics.js';
import type { ClientSpec, Scenario } from '../scenario/schema.js';

/** One request's life, as the hover card shows it. null: that step never happened. */
export interface RequestView {
  req: number;
  /** Caller process pid, and its lane (0-based, in order of first request). */
  caller: number;
  callerLane: number;
  /** Lower-case name of the first command ('get', 'blpop'…), and how many commands. */
  name: string;
  cmds: number;
  start: Micros;
  /** When it found every pooled connection busy and started waiting (pool only). */
  queuedAt: Micros | null;
  /** When the pool handed it a connection (pool only). */
  checkedOutAt: Micros | null;
  /** When its commands were written, and on which connection (the last time, if resent). */
  sentAt: Micros | null;
  conn: number | null;
  /** When its last byte reached Redis (the trace's segments; null: it never did, lost or held to the end). */
  arriveAt: Micros | null;
  /** When the server ran its first command, and when its last reply was read by the client. */
  execAt: Micros | null;
  replyAt: Micros | null;
  end: Micros | null;
  ok: boolean | null;
  /** '' when ok or not ended; else the error kind ('timeout', 'disconnected'…). */
  error: string;
  indeterminate: boolean;
  /** Sent again after a reconnect (at least once). */
  resent: boolean;
}

export type ConnState = 'connecting' | 'up' | 'closing';

/** A stretch of one connection's life on its lane. */
export interface ConnBand {
  conn: number;
  state: ConnState;
  from: Micros;
  to: Micros;
}

/**
 * One horizontal lane of connections. A process reconnects on its own lane when it is free (so
 * a pool's lane reads as one slot's life: up, closed, backoff, connecting, up); a new process
 * takes the first free lane.
 */
export interface ConnLane {
  lane: number;
  bands: ConnBand[];
}

/** A client process waiting to reconnect (Connection's {:backoff, t, s}), or unable to (refused). */
export interface BackoffBand {
  pid: number;
  from: Micros;
  to: Micros;
  /** The connection lane it waits on (its process's last one), or -1 if that lane was taken. */
  lane: number;
}

export interface FaultView {
  /** Position in the scenario's fault list (for moving / deleting it). */
  index: number;
  kind: string;
  at: Micros;
  /** Equal to `at` for instant faults (drop_connections, kill_caller). */
  until: Micros;
  label: string;
}

/**
 * Redis not serving normally, from the server's own trace events (redis.down → redis.up, the
 * window of a redis.pause or redis.slow): down (connections reset, connects refused, data
 * lost), paused (CLIENT PAUSE: bytes arrive, no command runs), slow (every cost × factor).
 */
export interface RedisBand {
  state: 'down' | 'paused' | 'slow';
  from: Micros;
  to: Micros;
  /** slow: the cost factor; else 1. */
  factor: number;
}

/**
 * A step function in columns: the value v[i] holds from t[i] (µs) until t[i + 1], and after the
 * last point to the end; times strictly increase. Typed arrays, not an object per point: the
 * views hold hundreds of thousands of points, moved from the worker to the page as they are.
 */
export interface Steps {
  t: Float64Array;
  v: Float64Array;
}

/** Completions per bucket of `bucketUs`. */
export interface ThroughputBucket {
  t: Micros;
  ok: number;
  failed: number;
}

export interface BusyRow {
  who: 'process' | 'callers';
  /** The process's name, or 'callers'. */
  name: string;
  processes: number;
  points: Steps;
  /** Busy µs in all (summed over the processes). */
  busyUs: Micros;
}

export interface WorldView {
  label: string;
  client: ClientSpec;
  traceHash: string;
  metrics: WorldMetrics;
  /** Sorted by start. */
  requests: RequestView[];
  callerLanes: number;
  connLanes: ConnLane[];
  backoffs: BackoffBand[];
  /** Requests in the system (issued, not ended). */
  inFlight: Steps;
  throughput: ThroughputBucket[];
  bucketUs: Micros;
  /** Requests in flight on the busiest connection at each point (the duplex view when zoomed out). */
  connInFlight: Array<{ conn: number; points: Steps }>;
  /** Replies that came after their call had timed out, dropped by the runtime because the
   * caller's alias was inactive (msg.drop inactive_alias): when, whose request, its caller lane. */
  lateDrops: Array<{ t: Micros; req: number; lane: number }>;
  /** Requests written again after a reconnect (at least once): when the previous write was
   * (`prevSentAt`), when the connection it was on closed and lost it (`lostAt`, null if not
   * seen), and when it was written again (`at`), on its caller's lane; `prevConn` is the
   * connection it was lost with. One per resend. */
  resends: Array<{ req: number; lane: number; prevConn: number; prevSentAt: Micros; lostAt: Micros | null; at: Micros }>;
  /**
   * CPU busy over time (proc.busy steps): the client's own process (the pool's, the serial or
   * multiplexed GenServer; absent for a connection per command) as 0/1, and its callers as how
   * many of them run at once (`processes` of them: divide for the mean).
   */
  busy: BusyRow[];
  /** When each connect was attempted (tcp.connect), in order; `reconnects`: those that were not
   * their process's first (a lane's attempts after its first connect, or a caller's next). */
  connects: Micros[];
  reconnects: Micros[];
  /** Redis's own state over the run (bands in time order; none: up and normal throughout). */
  redis: RedisBand[];
  /** When Redis turned a connection away at maxclients (redis.close why 'maxclients'), in order. */
  maxclientsRejects: Micros[];
  endUs: Micros;
}

export interface LabView {
  scenario: Scenario;
  worlds: WorldView[];
  /** Worlds whose run crashed (a bug): shown as such, without taking the others down. */
  failed: Array<{ label: string; message: string }>;
  faults: FaultView[];
  /** The latest end over all worlds. */
  endUs: Micros;
  durationUs: Micros;
}
