/**
 * What a fault changed: one world's run against the run before the edit, in figures, for the
 * line under the toolbar ("+14 disconnected · reconnected after 1.0 ms · throughput −12% · p99 +3 ms").
 */
import type { Micros } from '../kernel/time.js';
import type { WorldView } from './types.js';

/**
 * When the world has as many connections up again as just before `at`: undefined if none went
 * down after it (or the client keeps none: naive), null if they never all came back before
 * `until`: where the next fault is, or the end of the run. Drops from there on are that fault's,
 * not this one's (a drop at 150 ms followed by one at 450 ms reconnected in a millisecond, not
 * after 300 ms).
 */
export function reconnectedAt(w: WorldView, at: Micros, until: Micros = Number.POSITIVE_INFINITY): Micros | null | undefined {
  // A connection per command opens and closes one all the time: none is there to come back (a
  // latency spike read "not reconnected by the end of the run").
  if (w.client.kind === 'naive') return undefined;
  const edges: Array<{ t: Micros; d: number }> = [];
  for (const l of w.connLanes) {
    for (const b of l.bands) {
      if (b.state !== 'up') continue;
      edges.push({ t: b.from, d: 1 });
      // A band reaching the end of the run is a connection still open: not a drop.
      if (b.to < w.endUs) edges.push({ t: b.to, d: -1 });
    }
  }
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let up = 0;
  let i = 0;
  for (; i < edges.length && edges[i]!.t < at; i++) up += edges[i]!.d;
  const before = up;
  let dropped = false;
  let back: Micros | null = null;
  for (; i < edges.length && edges[i]!.t < until; i++) {
    up += edges[i]!.d;
    // Judge after every change at the same instant (a reconnect replacing a close at once).
    if (i + 1 < edges.length && edges[i + 1]!.t === edges[i]!.t) continue;
    if (up < before) {
      dropped = true;
      back = null;
    } else if (dropped && back === null) back = edges[i]!.t;
  }
  if (!dropped) return undefined;
  return back;
}

/**
 * Where a fault edit's reconnection stops being looked for (reconnectedAt's `until`): the first
 * fault that starts after it and once it is over. One within it (a latency spike during an
 * outage) does not stop the search; a second drop within an outage is taken as part of it.
 */
export function nextFaultAt(faults: ReadonlyArray<{ at: Micros }>, fault: { at: Micros; until: Micros }): Micros {
  let next = Number.POSITIVE_INFINITY;
  for (const f of faults) if (f.at > fault.at && f.at >= fault.until && f.at < next) next = f.at;
  return next;
}

export interface WorldDelta {
  label: string;
  /** Requests failed because their connection went while they were on it ('disconnected'), now minus before. */
  disconnected: number;
  /** All failed requests, now minus before. */
  failed: number;
  /** µs from the fault until as many connections were up as before it; null never (before the next fault); undefined none went down. */
  reconnectedAfterUs: Micros | null | undefined;
  /** Another fault came later in the run: the reconnection was looked for until it only. */
  nextFault: boolean;
  /** Relative change of throughput (−0.12 for −12%), or null when there was none before. */
  throughput: number | null;
  /** p99 latency now minus before, ms. */
  p99Ms: number;
}

const lostWithConnection = (w: WorldView): number => w.metrics.requests.errors['disconnected'] ?? 0;

/** `until`: the next fault's instant (see reconnectedAt). */
export function worldDelta(before: WorldView, after: WorldView, faultAt: Micros, until: Micros = Number.POSITIVE_INFINITY): WorldDelta {
  const t0 = before.metrics.throughputPerSec;
  const back = reconnectedAt(after, faultAt, until);
  return {
    label: after.label,
    disconnected: lostWithConnection(after) - lostWithConnection(before),
    failed: after.metrics.requests.failed - before.metrics.requests.failed,
    reconnectedAfterUs: back === null || back === undefined ? back : back - faultAt,
    nextFault: until < after.endUs,
    throughput: t0 > 0 ? after.metrics.throughputPerSec / t0 - 1 : null,
    p99Ms: after.metrics.latencyMs.p99 - before.metrics.latencyMs.p99,
  };
}

const signed = (n: number, text: string): string => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${text}`;
const count = (n: number): string => signed(n, Math.abs(n).toLocaleString('en-US'));

function duration(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(2)} s`;
  if (us >= 1000) return `${(us / 1000).toFixed(1)} ms`;
  return `${Math.round(us)} µs`;
}

/** "+14 disconnected · reconnected after 1.0 ms · throughput −12% · p99 +3 ms". */
export function describeDelta(d: WorldDelta): string {
  const parts: string[] = [];
  parts.push(`${count(d.disconnected)} disconnected`);
  if (d.failed !== d.disconnected) parts.push(`${count(d.failed)} failed in all`);
  if (d.reconnectedAfterUs === null) parts.push(d.nextFault ? 'not reconnected before the next fault' : 'not reconnected by the end of the run');
  else if (d.reconnectedAfterUs !== undefined) parts.push(`reconnected after ${duration(d.reconnectedAfterUs)}`);
  if (d.throughput !== null) {
    const pct = Math.round(d.throughput * 100);
    parts.push(`throughput ${signed(pct, `${Math.abs(pct)}%`)}`);
  }
  const p99 = Math.abs(d.p99Ms) >= 10 ? Math.round(Math.abs(d.p99Ms)).toString() : Math.abs(d.p99Ms).toFixed(Math.abs(d.p99Ms) >= 1 ? 1 : 2);
  parts.push(`p99 ${signed(Number(p99) === 0 ? 0 : d.p99Ms, `${p99} ms`)}`);
  return parts.join(' · ');
}
