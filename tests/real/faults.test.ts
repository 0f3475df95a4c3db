/**
 * Faults made real give what the simulator predicts. Every caller sits in a BLPOP on an empty
 * list (nobody pushes) most of the time, so when CLIENT KILL drops the connections at 300 ms
 * every client has requests in flight whatever the machine's speed. The callers then think for
 * 100 ms, far longer than a reconnect on loopback or in the simulator, so which errors follow does
 * not hang on a race: in-flight requests fail as `disconnected`, and the serial client's queued
 * callers, answered before it reconnects, as `closed`. The error kinds must be the simulator's,
 * and the checker must find nothing lost, misrouted or answered twice.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, runWorld, type Scenario } from '../../sim/scenario/index.js';
import { runRealWorld } from '../../real/run.js';
import { useRedis } from './helpers.js';

const redis = useRedis();

function scenario(): Scenario {
  const r = parseScenario({
    name: 'client-kill',
    durationMs: 600,
    drainMs: 5000,
    workload: { callers: 5, thinkMs: 100, thinkDist: 'fixed', mix: { BLPOP: 1 }, blpopTimeoutMs: 500, callTimeoutMs: 3000 },
    clients: [
      { label: 'naive', kind: 'naive' },
      { label: 'serial', kind: 'serial' },
      { label: 'pool', kind: 'pool', size: 10 },
      { label: 'multiplex', kind: 'multiplex' },
    ],
    faults: [{ atMs: 300, kind: 'drop_connections' }],
  });
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.scenario;
}

const kinds = (errors: Record<string, number>) => Object.keys(errors).sort();

describe('CLIENT KILL mid-run', () => {
  const s = scenario();
  it.each(s.clients.map((c) => [c.label, c] as const))('gives_the_%s_client_the_error_kinds_the_simulator_gives', async (_label, spec) => {
    const sim = runWorld(s, spec).metrics;
    const run = await runRealWorld(s, { spec }, { redisAddress: redis.server.address, address: redis.server.address, own: null, proxy: null });
    expect(run.faultErrors).toEqual([]);
    expect(run.crashes).toEqual([]);
    const real = run.metrics;
    expect(kinds(sim.requests.errors).length).toBeGreaterThan(0);
    expect(kinds(real.requests.errors)).toEqual(kinds(sim.requests.errors));
    for (const m of [sim, real]) {
      expect(m.invariants.lost).toBe(0);
      expect(m.invariants.misrouted).toBe(0);
      expect(m.invariants.duplicatedReplies).toBe(0);
    }
  });
});
