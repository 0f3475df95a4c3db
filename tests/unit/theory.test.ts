import { describe, expect, it } from 'vitest';
import { loadPreset, parseScenario, runScenario, type Scenario } from '../../sim/scenario/index.js';

// Where queueing theory knows the answer, the simulator must agree. Every run here is seeded, so
// each result is a fixed number; the tolerances say how far sampling noise (finite runs) and the
// model's small fixed costs (codec, process steps) may move it, and why.

function scenario(input: object): Scenario {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

/** Costs that are not part of the quantity under test are set to zero. */
const quiet = { runtime: { codecNsPerByte: 0, copyNsPerByte: 0, sendNs: 0, stepOverheadNs: 0, schedulers: 8 } };

describe('closed system: asymptotic bounds', () => {
  // A pool of c connections, each request holding one for D = RTT + server time (1 ms + 10 µs).
  const D = 1.01;

  it('with_many_callers_throughput_approaches_c_over_d', () => {
    const s = scenario({
      ...quiet,
      durationMs: 2000,
      network: { latencyMs: 0.5 },
      workload: { callers: 40, thinkMs: 0, mix: { GET: 1 } },
      clients: [{ label: 'pool', kind: 'pool', size: 4 }],
    });
    const x = runScenario(s).worlds[0]!.metrics.throughputPerSec;
    const bound = 4 / (D / 1000);
    // At most the bound; within 3%: the hand-over through the pool process costs a little.
    expect(x).toBeLessThanOrEqual(bound * 1.001);
    expect(x).toBeGreaterThan(bound * 0.97);
  });

  it('with_few_callers_throughput_approaches_n_over_d_plus_z', () => {
    const s = scenario({
      ...quiet,
      durationMs: 4000,
      network: { latencyMs: 0.5 },
      workload: { callers: 2, thinkMs: 1, thinkDist: 'fixed', mix: { GET: 1 } },
      clients: [{ label: 'pool', kind: 'pool', size: 4 }],
    });
    const x = runScenario(s).worlds[0]!.metrics.throughputPerSec;
    const bound = 2 / ((D + 1) / 1000);
    expect(x).toBeLessThanOrEqual(bound * 1.001);
    expect(x).toBeGreaterThan(bound * 0.97);
  });

  it('a_multiplexed_connection_is_bound_by_callers_not_connections', () => {
    const s = scenario({
      ...quiet,
      durationMs: 2000,
      network: { latencyMs: 0.5 },
      workload: { callers: 40, thinkMs: 0, mix: { GET: 1 } },
      clients: [{ label: 'mux', kind: 'multiplex' }],
    });
    const m = runScenario(s).worlds[0]!.metrics;
    // 40 callers, nothing else to wait for: N / D, limited only by the server (40 × 10 µs per ms = 40% busy).
    const bound = 40 / (D / 1000);
    expect(m.throughputPerSec).toBeLessThanOrEqual(bound * 1.001);
    expect(m.throughputPerSec).toBeGreaterThan(bound * 0.9);
  });
});

describe("Little's law", () => {
  it.each(['l2-genserver', 'l3-pool', 'l4-multiplex', 'pool-overload'])('holds_on_%s', (name) => {
    for (const w of runScenario(loadPreset(name)!).worlds) {
      const m = w.metrics;
      if (m.requests.failed > 0) continue; // W below is over successes only
      const lambda = m.requests.ok / (m.endUs / 1e6);
      const L = lambda * (m.latencyMs.mean / 1000);
      // L = λW over the whole run (every request starts and ends inside it). The mean latency
      // is rounded to the µs: allow 0.5%.
      expect(Math.abs(m.meanInSystem - L) / L, w.label).toBeLessThan(0.005);
    }
  });
});

describe('the single-threaded server under open Poisson load', () => {
  /** Mean wait in the server's queue: from a request's bytes arriving to its read event starting. */
  function serverWaitUs(commandDist: 'fixed' | 'exp', rho: number): number {
    const serviceUs = 100;
    const s = scenario({
      ...quiet,
      seed: 7,
      durationMs: 12000,
      network: { latencyMs: 0.1 },
      server: { commandUs: serviceUs, commandDist, readEventUs: 0 },
      workload: { mode: 'open', ratePerSec: (rho / serviceUs) * 1e6, mix: { PING: 1 }, callTimeoutMs: 1000 },
      clients: [{ label: 'naive', kind: 'naive' }],
    });
    const w = runScenario(s).worlds[0]!;
    // A connection per request: each connection carries exactly one command and one read event.
    const arrived = new Map<number, number>();
    let sum = 0;
    let n = 0;
    for (const e of w.trace.rows()) {
      if (e.kind === 'tcp.segment' && e.dir === 'c2s') arrived.set(e.conn as number, e.t);
      if (e.kind === 'redis.event' && (e.commands as number) > 0) {
        sum += e.t - arrived.get(e.conn as number)!;
        n++;
      }
    }
    expect(n).toBeGreaterThan(50_000);
    return sum / n;
  }

  it('md1_waiting_time_matches_pollaczek_khinchine', () => {
    // M/D/1: Wq = ρS / (2(1 − ρ)) = 0.5 · 100 / (2 · 0.5) = 50 µs. With ~60k arrivals the
    // estimate's standard error is a few % (it measured 49.8 µs); 8% covers it.
    const wq = serverWaitUs('fixed', 0.5);
    expect(Math.abs(wq - 50) / 50).toBeLessThan(0.08);
  });

  it('mm1_waiting_time_matches', () => {
    // M/M/1: Wq = ρS / (1 − ρ) = 100 µs: twice M/D/1's, the price of variable service times.
    // Exponential service makes the estimate noisier (it measured 98.0 µs): 10%.
    const wq = serverWaitUs('exp', 0.5);
    expect(Math.abs(wq - 100) / 100).toBeLessThan(0.1);
  });
});
