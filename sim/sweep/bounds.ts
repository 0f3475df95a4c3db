/**
 * The asymptotic bounds of a closed system (Lazowska et al., "Quantitative System Performance",
 * ch. 5; HikariCP's "About Pool Sizing" is the same argument): with N callers thinking Z between
 * requests that each take D, throughput is at most N/(D+Z); a pool of c connections, each held
 * for D, at most c/D; a single-threaded server spending S per request, at most 1/S. An open
 * workload is at most its arrival rate. Costs the bound leaves out (codec, copies, process
 * steps) only lower the real curve, so it is an upper bound the sweep should approach.
 */
import type { ClientSpec, Scenario } from '../scenario/schema.js';

/** Commands of one round trip each, whose server time is commandUs: the bound applies to these. */
const SIMPLE = new Set(['GET', 'SET', 'INCR', 'PING', 'ECHO', 'DEL', 'LPUSH']);

export interface Bound {
  /** Requests per second. */
  perSec: number;
  /** Which bound binds: 'c/D', 'N/(D+Z)', '1/S' or 'λ' (an open workload's rate). */
  law: string;
}

/** The bound on a world's throughput, or null where the workload is not one the bounds describe. */
export function throughputBound(s: Scenario, client: ClientSpec): Bound | null {
  const mix = Object.entries(s.workload.mix).filter(([, w]) => (w ?? 0) > 0);
  if (mix.some(([k]) => !SIMPLE.has(k))) return null;
  if (s.faults.length > 0) return null;
  // D: one round trip plus the server's time for the request (its read event and the command).
  const S = (s.server.commandUs + s.server.readEventUs) / 1e6;
  const D = (2 * s.network.latencyMs) / 1000 + S;
  const candidates: Bound[] = [];
  if (S > 0) candidates.push({ perSec: 1 / S, law: '1/S' });
  if (s.workload.mode === 'open') candidates.push({ perSec: s.workload.ratePerSec, law: 'λ' });
  else candidates.push({ perSec: s.workload.callers / (D + s.workload.thinkMs / 1000), law: 'N/(D+Z)' });
  if (client.kind === 'pool') candidates.push({ perSec: (client.size ?? 10) / D, law: 'c/D' });
  if (client.kind === 'serial' || client.kind === 'naive') candidates.push({ perSec: 1 / (client.kind === 'naive' ? D + (2 * s.network.latencyMs * s.network.connectRtts) / 1000 : D), law: '1/D' });
  const finite = candidates.filter((c) => Number.isFinite(c.perSec) && c.perSec > 0);
  if (finite.length === 0) return null;
  return finite.reduce((a, b) => (b.perSec < a.perSec ? b : a));
}
