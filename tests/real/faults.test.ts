/**
 * Faults made real give what the simulator predicts. Every caller sits in a BLPOP on an empty
 * list (nobody pushes) most of the time, so when CLIENT KILL drops the connections at 300 ms
 * every client has requests in flight whatever the machine's speed. The callers then think for
 * 100 ms, far longer than a reconnect on loopback or in the simulator, so which errors follow does
 * not hang on a race: in-flight requests fail as `disconnected`, and the serial client's queued
 * callers, answered before it reconnects, as `closed`. The error kinds must be the simulator's,
 * and the checker must find nothing lost, misrouted or answered twice.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { parseScenario, runWorld, type Scenario } from '../../sim/scenario/index.js';
import { Admin } from '../../real/admin.js';
import { FaultError, RealFaults, checkDebug } from '../../real/faults.js';
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

describe('CLIENT PAUSE mid-run (server_pause)', () => {
  // Calls time out after 100 ms; the pause lasts 400 ms: whoever is waiting on Redis then times
  // out, in the simulator and against the real server alike. (A slower machine only adds timeouts.)
  const r = parseScenario({
    name: 'client-pause',
    durationMs: 600,
    drainMs: 2000,
    workload: { callers: 4, thinkMs: 5, thinkDist: 'fixed', mix: { GET: 1 }, callTimeoutMs: 100 },
    clients: [
      { label: 'pool', kind: 'pool', size: 4 },
      { label: 'multiplex', kind: 'multiplex' },
    ],
    faults: [{ atMs: 200, kind: 'server_pause', forMs: 400 }],
  });
  if (!r.ok) throw new Error(r.errors.join('; '));
  const s = r.scenario;
  it.each(s.clients.map((c) => [c.label, c] as const))('times_out_the_%s_clients_calls_as_the_simulator_does', async (_label, spec) => {
    const sim = runWorld(s, spec).metrics;
    const run = await runRealWorld(s, { spec }, { redisAddress: redis.server.address, address: redis.server.address, own: null, proxy: null });
    expect(run.faultErrors).toEqual([]);
    for (const m of [sim, run.metrics]) {
      expect(m.requests.errors.timeout ?? 0).toBeGreaterThan(0);
      expect(m.invariants.lost).toBe(0);
      expect(m.invariants.misrouted).toBe(0);
    }
  });
});

/** A server that answers every command with an error, as Redis does to a DEBUG it does not allow. */
const refusing: net.Server[] = [];
afterAll(async () => {
  await Promise.all(refusing.map((s) => new Promise((r) => s.close(r))));
});
function refuser(): Promise<string> {
  return new Promise((resolve) => {
    const s = net.createServer((c) => {
      c.on('error', () => undefined);
      c.on('data', (d: Buffer) => {
        for (let i = 0; i < d.toString().split('\r\n').filter((l) => l.startsWith('*')).length; i++) c.write('-ERR DEBUG command not allowed. If the enable-debug-command option is set\r\n');
      });
    });
    refusing.push(s);
    s.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(s.address() as net.AddressInfo).port}`));
  });
}

describe('faults Redis refuses', () => {
  it('are_fault_errors_not_faults_applied', async () => {
    const address = await refuser();
    const admin = await Admin.connect(address);
    try {
      const faults = new RealFaults({ redisAddress: address, address, own: null, proxy: null }, () => admin, () => undefined, { kill: () => undefined });
      faults.apply({ atMs: 0, kind: 'drop_connections' });
      faults.apply({ atMs: 0, kind: 'slow_server', forMs: 10, factor: 10 } as Scenario['faults'][number]);
      await faults.settle();
      expect(faults.errors).toHaveLength(2);
      expect(faults.errors[0]).toMatch(/^drop_connections at 0 ms: CLIENT KILL: ERR/);
      expect(faults.errors[1]).toMatch(/^slow_server at 0 ms: DEBUG SLEEP: ERR DEBUG command not allowed/);
    } finally {
      admin.close();
    }
  });

  it('a_scenario_that_needs_debug_is_stopped_before_the_run_when_redis_refuses_it', async () => {
    const address = await refuser();
    const withSleep = parseScenario({ workload: { mix: { GET: 1, SLEEP: 0.1 } }, clients: [{ label: 'pool', kind: 'pool' }] });
    const plain = parseScenario({ workload: { mix: { GET: 1 } }, clients: [{ label: 'pool', kind: 'pool' }] });
    if (!withSleep.ok || !plain.ok) throw new Error('bad scenario');
    await expect(checkDebug(withSleep.scenario, address)).rejects.toThrow(FaultError);
    await expect(checkDebug(withSleep.scenario, address)).rejects.toThrow(/SLEEP command of the workload needs DEBUG SLEEP.*enable-debug-command/);
    await expect(checkDebug(plain.scenario, address)).resolves.toBeUndefined();
    await expect(checkDebug(withSleep.scenario, redis.server.address)).resolves.toBeUndefined();
  });
});
