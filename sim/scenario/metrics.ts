/**
 * A world's report, computed from its trace (and the runtime's and server's counters) by one
 * pass: what was asked and answered, how long it took, what it cost, and the checker's counts.
 */
import { build } from 'hdr-histogram-js';
import { IdTable } from '../kernel/id-table.js';
import type { Micros } from '../kernel/time.js';
import type { TraceFields } from '../kernel/trace.js';
import { CHECKED_KINDS, Checker, type CheckReport } from '../clients/checker.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Runtime } from '../runtime/index.js';

export interface WorldMetrics {
  /** unfinished: still in flight, within their timeout, when the run stopped (drain shorter than the timeout). */
  requests: { issued: number; ok: number; failed: number; unfinished: number; errors: Record<string, number> };
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  throughputPerSec: number;
  connections: { opened: number; connectAttempts: number; openAtEnd: number };
  bytes: { sent: number; received: number; copiedBetweenProcesses: number };
  cpu: { busiestProcess: string; busiestProcessBusyPct: number; serverBusyPct: number };
  maxInFlightPerConnection: number;
  /** Mean number of requests in the system (issued, not yet ended), time-averaged over the run. */
  meanInSystem: number;
  poolQueueWaitMs: { mean: number; p99: number; max: number; waited: number };
  commandsExecuted: number;
  invariants: { lost: number; duplicatedReplies: number; misrouted: number; indeterminate: number; executedTwice: number; falselyDeterminate: number; abandoned: number };
  endUs: Micros;
}

function histogram() {
  // Microsecond values up to an hour, 3 significant digits: HdrHistogram's usual setting. Plain
  // 32-bit counts (~100 KB): the packed form saved memory but cost 3% of a run in recordValue.
  return build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The fields this pass reads, across the event kinds it looks at. */
interface Fields {
  req: number;
  ok: boolean;
  error: string;
  conn: number;
  dir: string;
  bytes: number;
  n: number;
  waitedUs: number;
  us: number;
}

/**
 * The kinds the pass below reads, the checker's included: the trace builds the fields of no other
 * event. Keep it in step with the switch.
 */
const METRIC_KINDS: readonly string[] = [...new Set<string>([...CHECKED_KINDS, 'pipeline.start', 'pipeline.stop', 'tcp.established', 'tcp.connect', 'tcp.write', 'pipeline.sent', 'pipeline.reply', 'checkout.start', 'redis.exec', 'redis.event'])];
/** Each kind's place in METRIC_KINDS, the checker's first, in CHECKED_KINDS's order: the pass switches on it. */
const CODE_OF = new Map(METRIC_KINDS.map((k, i) => [k, i]));
const code = (k: string): number => CODE_OF.get(k)!;
const START = code('pipeline.start');
const STOP = code('pipeline.stop');
const ESTABLISHED = code('tcp.established');
const CONNECT = code('tcp.connect');
const WRITE = code('tcp.write');
const SENT = code('pipeline.sent');
const REPLY = code('pipeline.reply');
const CHECKOUT = code('checkout.start');
const EXEC = code('redis.exec');
const SERVER_EVENT = code('redis.event');

/** What the metrics read of a world: a simulated World, or the real driver's (real/world.ts). */
export interface MeteredWorld {
  readonly kernel: Kernel;
  readonly rt: Runtime;
  readonly net: { openConnections(address?: string): number };
  readonly address: string;
}

/**
 * What the report reads of a world besides its events, as plain data: it can be sent to the
 * thread that reads a shipped trace (cli/trace-runner.ts).
 */
export interface WorldFigures {
  endUs: Micros;
  /** Every process's name and busy time, live or forgotten (the busiest forgotten one per name). */
  processes: Array<{ name: string; busyUs: number }>;
  openConnections: number;
  bytesCopied: number;
}

export function worldFigures(world: MeteredWorld): WorldFigures {
  return {
    endUs: world.kernel.now,
    processes: [...world.rt.stats(), ...world.rt.forgottenStats().busiest].map((s) => ({ name: s.name, busyUs: s.busyUs })),
    openConnections: world.net.openConnections(world.address),
    bytesCopied: world.rt.bytesCopied,
  };
}

/** What tells a pass of a world's events as they come: its Trace, or the TraceReader of a shipped one. */
export interface TraceSource {
  observe(fn: (t: Micros, kind: string, fields: TraceFields, code: number) => void, kinds: Iterable<string>): void;
}

/**
 * @param windowUs the issuing window (durationMs): throughput is requests completed ok within it
 *   per second of it.
 */
export function worldMetrics(world: MeteredWorld, windowUs: Micros, callTimeoutUs: Micros): WorldMetrics {
  const pass = new MetricsPass(windowUs, callTimeoutUs);
  world.kernel.trace.each(pass.visit, METRIC_KINDS);
  return pass.finish(world);
}

/**
 * The metrics of a world as its events are recorded, kept or not (call before the run): the same
 * report as worldMetrics gives from a kept trace afterwards, without a second pass over it.
 */
export function streamMetrics(trace: TraceSource, windowUs: Micros, callTimeoutUs: Micros, also?: TraceObserver): MetricsPass {
  const pass = new MetricsPass(windowUs, callTimeoutUs);
  if (also === undefined) trace.observe(pass.visit, METRIC_KINDS);
  else {
    // A second pass over the same events (the lab's view): one observer, each told of its kinds,
    // found by the kind's number in the list observed (ours come first): no set lookups per event.
    const kinds = [...new Set([...METRIC_KINDS, ...also.kinds])];
    const theirs = kinds.map((k) => also.kinds.includes(k));
    const ours = METRIC_KINDS.length;
    const both = (t: Micros, kind: string, f: TraceFields, code: number) => {
      if (code < ours) pass.visit(t, kind, f, code);
      if (theirs[code]) also.visit(t, kind, f);
    };
    trace.observe(both, kinds);
  }
  return pass;
}

/** Another pass fed the events of `kinds` as they are recorded (see streamMetrics). */
export interface TraceObserver {
  readonly kinds: readonly string[];
  visit(t: Micros, kind: string, fields: TraceFields): void;
}

/** One pass over a world's events, in order: the counts, histograms and the checker's. */
export class MetricsPass {
  private readonly latency = histogram();
  private readonly wait = histogram();
  /** When each request not yet ended started, by request number (a column: see IdTable). */
  private readonly starts = new IdTable<Micros>();
  private readonly errors: Record<string, number> = {};
  private ok = 0;
  private failed = 0;
  private okInWindow = 0;
  private opened = 0;
  private attempts = 0;
  private sent = 0;
  private received = 0;
  private waited = 0;
  private commandsExecuted = 0;
  /** Requests in flight per connection (a box per connection: one Map lookup per event). */
  private readonly inFlight = new Map<number, { n: number }>();
  private maxInFlight = 0;
  // Time-average of requests in the system, for Little's law.
  private inSystem = 0;
  private area = 0;
  private lastT = 0;
  private latencySum = 0;
  private lastStop = 0;
  // Redis busy time as a union of its events' [start, start + us), so a restart over a long
  // DEBUG SLEEP cannot count the same time twice. Parts that may end past the window busy % is
  // taken over wait until that window is known (a sleep outlasting every request is clipped).
  private serverBusy = 0;
  private serverCovered = 0;
  private readonly serverPending: number[] = [];
  // The checker reads nearly the same events: it is fed from this pass rather than making its own.
  private readonly checker = new Checker();

  /**
   * @param windowUs the issuing window (see worldMetrics).
   * @param callTimeoutUs the callers' timeout: a request that has not ended at the end of the run
   *   but started less than this before it is unfinished, not lost.
   */
  constructor(
    private readonly windowUs: Micros,
    private readonly callTimeoutUs: Micros,
  ) {}

  /** Takes one event; `code` is its kind's place in METRIC_KINDS (others are ignored). */
  readonly visit = (t: Micros, kind: string, f: TraceFields, code = CODE_OF.get(kind) ?? -1): void => {
    if (code < CHECKED_KINDS.length) this.checker.take(t, code, f);
    const e = f as unknown as Fields;
    switch (code) {
      case START:
        this.area += this.inSystem * (t - this.lastT);
        this.lastT = t;
        this.starts.set(e.req, t);
        this.inSystem++;
        break;
      case STOP: {
        this.area += this.inSystem * (t - this.lastT);
        this.lastT = t;
        const t0 = this.starts.get(e.req);
        if (t0 === undefined) break;
        this.starts.delete(e.req);
        this.inSystem--;
        this.lastStop = t;
        if (e.ok) {
          this.ok++;
          if (t <= this.windowUs) this.okInWindow++;
          this.latency.recordValue(Math.max(1, t - t0));
          this.latencySum += t - t0;
        } else {
          this.failed++;
          const k = e.error;
          this.errors[k] = (this.errors[k] ?? 0) + 1;
        }
        break;
      }
      case ESTABLISHED:
        this.opened++;
        break;
      case CONNECT:
        this.attempts++;
        break;
      case WRITE:
        if (e.dir === 'c2s') this.sent += e.bytes;
        else this.received += e.bytes;
        break;
      case SENT: {
        let box = this.inFlight.get(e.conn);
        if (box === undefined) this.inFlight.set(e.conn, (box = { n: 0 }));
        const n = (box.n += e.n);
        if (n > this.maxInFlight) this.maxInFlight = n;
        break;
      }
      case REPLY: {
        const box = this.inFlight.get(e.conn);
        if (box === undefined) this.inFlight.set(e.conn, { n: 0 });
        else box.n--;
        break;
      }
      case CHECKOUT:
        if (e.waitedUs > 0) this.waited++;
        this.wait.recordValue(Math.max(1, e.waitedUs));
        break;
      case EXEC:
        this.commandsExecuted++;
        break;
      case SERVER_EVENT: {
        const a = Math.max(t, this.serverCovered);
        const b = t + e.us;
        if (b <= a) break;
        this.serverCovered = b;
        if (b <= Math.max(this.windowUs, this.lastStop)) this.serverBusy += b - a;
        else this.serverPending.push(a, b);
        break;
      }
    }
  };

  finish(world: MeteredWorld): WorldMetrics {
    return this.finishWith(worldFigures(world));
  }

  /** The report, given what it reads of the world besides its events. */
  finishWith(world: WorldFigures): WorldMetrics {
    const { latency, wait, ok, windowUs, okInWindow } = this;
    const end = world.endUs;
    const area = this.area + this.inSystem * (end - this.lastT);
    const report: CheckReport = this.checker.report({ endUs: end, callTimeoutUs: this.callTimeoutUs });
    // Busy % is over the time there was work: up to the last answer, not through the idle drain.
    const elapsed = Math.max(1, windowUs, this.lastStop);
    let serverBusy = this.serverBusy;
    const pending = this.serverPending;
    for (let i = 0; i < pending.length; i += 2) serverBusy += Math.max(0, Math.min(pending[i + 1]!, elapsed) - pending[i]!);
    let busiest = { name: '', busyUs: 0 };
    for (const s of world.processes) {
      if (s.name.startsWith('caller') || s.name.startsWith('arrival')) continue;
      if (s.busyUs > busiest.busyUs) busiest = { name: s.name, busyUs: s.busyUs };
    }
    const toMs = (us: number) => round3(us / 1000);
    const p = (q: number) => (ok === 0 ? 0 : toMs(latency.getValueAtPercentile(q)));
    return {
      requests: { issued: ok + this.failed + this.starts.size, ok, failed: this.failed, unfinished: report.unfinished, errors: this.errors },
      latencyMs: { mean: ok === 0 ? 0 : toMs(this.latencySum / ok), p50: p(50), p90: p(90), p99: p(99), max: ok === 0 ? 0 : toMs(latency.maxValue) },
      throughputPerSec: round3(okInWindow / (windowUs / 1_000_000)),
      connections: { opened: this.opened, connectAttempts: this.attempts, openAtEnd: world.openConnections },
      bytes: { sent: this.sent, received: this.received, copiedBetweenProcesses: world.bytesCopied },
      cpu: {
        busiestProcess: busiest.name,
        busiestProcessBusyPct: round3((100 * busiest.busyUs) / elapsed),
        // (The real driver's Redis has no redis.event: real/run.ts measures its CPU time instead.)
        serverBusyPct: round3((100 * serverBusy) / elapsed),
      },
      maxInFlightPerConnection: this.maxInFlight,
      meanInSystem: round3(area / Math.max(1, end)),
      poolQueueWaitMs: { mean: wait.totalCount === 0 ? 0 : toMs(wait.mean), p99: wait.totalCount === 0 ? 0 : toMs(wait.getValueAtPercentile(99)), max: wait.totalCount === 0 ? 0 : toMs(wait.maxValue), waited: this.waited },
      commandsExecuted: this.commandsExecuted,
      invariants: {
        lost: report.lost,
        duplicatedReplies: report.duplicatedReplies,
        misrouted: report.misrouted,
        indeterminate: report.indeterminate,
        executedTwice: report.executedTwice,
        falselyDeterminate: report.falselyDeterminate,
        abandoned: report.abandoned,
      },
      endUs: end,
    };
  }
}
