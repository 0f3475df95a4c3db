/**
 * A world's report, computed from its trace (and the runtime's and server's counters) by one
 * pass: what was asked and answered, how long it took, what it cost, and the checker's counts.
 */
import { build } from 'hdr-histogram-js';
import type { Micros } from '../kernel/time.js';
import type { Trace } from '../kernel/trace.js';
import { CHECKED_KINDS, Checker, type CheckReport } from '../clients/index.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Runtime } from '../runtime/index.js';

export interface WorldMetrics {
  requests: { issued: number; ok: number; failed: number; errors: Record<string, number> };
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
const METRIC_KINDS = new Set([...CHECKED_KINDS, 'pipeline.start', 'pipeline.stop', 'tcp.established', 'tcp.connect', 'tcp.write', 'pipeline.sent', 'pipeline.reply', 'checkout.start', 'redis.exec', 'redis.event']);

/** What the metrics read of a world: a simulated World, or the real driver's (real/world.ts). */
export interface MeteredWorld {
  readonly kernel: Kernel;
  readonly rt: Runtime;
  readonly net: { openConnections(address?: string): number };
  readonly address: string;
}

/**
 * @param windowUs the issuing window (durationMs): throughput is requests completed ok within it
 *   per second of it.
 */
export function worldMetrics(world: MeteredWorld, windowUs: Micros): WorldMetrics {
  const trace: Trace = world.kernel.trace;
  const latency = histogram();
  const wait = histogram();
  const starts = new Map<number, Micros>();
  const errors: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let okInWindow = 0;
  let opened = 0;
  let attempts = 0;
  let sent = 0;
  let received = 0;
  let waited = 0;
  let commandsExecuted = 0;
  const inFlight = new Map<number, number>();
  let maxInFlight = 0;
  // Time-average of requests in the system, for Little's law.
  let inSystem = 0;
  let area = 0;
  let lastT = 0;
  let latencySum = 0;
  let lastStop = 0;
  // Redis busy time as a union of its events' [start, start + us), so a restart over a long
  // DEBUG SLEEP cannot count the same time twice. Parts that may end past the window busy % is
  // taken over wait until that window is known (a sleep outlasting every request is clipped).
  let serverBusy = 0;
  let serverCovered = 0;
  const serverPending: number[] = [];

  // The checker reads nearly the same events: it is fed from this pass rather than making its own.
  const checker = new Checker();
  trace.each((t, kind, f) => {
    checker.visit(t, kind, f);
    const e = f as unknown as Fields;
    if (kind === 'pipeline.start' || kind === 'pipeline.stop') {
      area += inSystem * (t - lastT);
      lastT = t;
    }
    switch (kind) {
      case 'pipeline.start':
        starts.set(e.req, t);
        inSystem++;
        break;
      case 'pipeline.stop': {
        const t0 = starts.get(e.req);
        if (t0 === undefined) break;
        starts.delete(e.req);
        inSystem--;
        lastStop = t;
        if (e.ok) {
          ok++;
          if (t <= windowUs) okInWindow++;
          latency.recordValue(Math.max(1, t - t0));
          latencySum += t - t0;
        } else {
          failed++;
          const k = e.error;
          errors[k] = (errors[k] ?? 0) + 1;
        }
        break;
      }
      case 'tcp.established':
        opened++;
        break;
      case 'tcp.connect':
        attempts++;
        break;
      case 'tcp.write':
        if (e.dir === 'c2s') sent += e.bytes;
        else received += e.bytes;
        break;
      case 'pipeline.sent': {
        const n = (inFlight.get(e.conn) ?? 0) + (e.n);
        inFlight.set(e.conn, n);
        if (n > maxInFlight) maxInFlight = n;
        break;
      }
      case 'pipeline.reply':
        inFlight.set(e.conn, (inFlight.get(e.conn) ?? 1) - 1);
        break;
      case 'checkout.start':
        if ((e.waitedUs) > 0) waited++;
        wait.recordValue(Math.max(1, e.waitedUs));
        break;
      case 'redis.exec':
        commandsExecuted++;
        break;
      case 'redis.event': {
        const a = Math.max(t, serverCovered);
        const b = t + e.us;
        if (b <= a) break;
        serverCovered = b;
        if (b <= Math.max(windowUs, lastStop)) serverBusy += b - a;
        else serverPending.push(a, b);
        break;
      }
    }
  }, METRIC_KINDS);
  const end = world.kernel.now;
  area += inSystem * (end - lastT);
  const report: CheckReport = checker.report();
  // Busy % is over the time there was work: up to the last answer, not through the idle drain.
  const elapsed = Math.max(1, windowUs, lastStop);
  for (let i = 0; i < serverPending.length; i += 2) serverBusy += Math.max(0, Math.min(serverPending[i + 1]!, elapsed) - serverPending[i]!);
  let busiest = { name: '', busyUs: 0 };
  for (const s of world.rt.stats()) {
    if (s.name.startsWith('caller') || s.name.startsWith('arrival')) continue;
    if (s.busyUs > busiest.busyUs) busiest = { name: s.name, busyUs: s.busyUs };
  }
  const toMs = (us: number) => round3(us / 1000);
  const p = (q: number) => (ok === 0 ? 0 : toMs(latency.getValueAtPercentile(q)));
  return {
    requests: { issued: ok + failed + starts.size, ok, failed, errors },
    latencyMs: { mean: ok === 0 ? 0 : toMs(latencySum / ok), p50: p(50), p90: p(90), p99: p(99), max: ok === 0 ? 0 : toMs(latency.maxValue) },
    throughputPerSec: round3(okInWindow / (windowUs / 1_000_000)),
    connections: { opened, connectAttempts: attempts, openAtEnd: world.net.openConnections(world.address) },
    bytes: { sent, received, copiedBetweenProcesses: world.rt.bytesCopied },
    cpu: {
      busiestProcess: busiest.name,
      busiestProcessBusyPct: round3((100 * busiest.busyUs) / elapsed),
      // (The real driver's Redis has no redis.event: real/run.ts measures its CPU time instead.)
      serverBusyPct: round3((100 * serverBusy) / elapsed),
    },
    maxInFlightPerConnection: maxInFlight,
    meanInSystem: round3(area / Math.max(1, end)),
    poolQueueWaitMs: { mean: wait.totalCount === 0 ? 0 : toMs(wait.mean), p99: wait.totalCount === 0 ? 0 : toMs(wait.getValueAtPercentile(99)), max: wait.totalCount === 0 ? 0 : toMs(wait.maxValue), waited },
    commandsExecuted,
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
