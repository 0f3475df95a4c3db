import { describe, expect, it } from 'vitest';
import { ms } from '../../../sim/kernel/index.js';
import { parseScenario, runScenario } from '../../../sim/scenario/index.js';

function run(faults: unknown[]) {
  const r = parseScenario({
    durationMs: 300,
    drainMs: 1000,
    workload: { callers: 4, thinkMs: 1, mix: { GET: 1 }, callTimeoutMs: 1000 },
    clients: [{ label: 'pool', kind: 'pool', size: 2 }],
    faults,
  });
  if (!r.ok) throw new Error(r.errors.join('; '));
  return runScenario(r.scenario).worlds[0]!;
}

describe('server_pause: Redis runs no command for forMs (CLIENT PAUSE ALL)', () => {
  it('runs_no_command_during_the_pause_and_the_backlog_after_it', () => {
    const w = run([{ atMs: 100, kind: 'server_pause', forMs: 50 }]);
    const execs = [...w.trace.ofKind('redis.exec')].map((e) => e.t);
    expect(execs.filter((t) => t >= ms(100) && t < ms(150))).toEqual([]);
    expect(execs.some((t) => t < ms(100))).toBe(true);
    // What waited runs when the pause ends.
    expect(execs.filter((t) => t === ms(150)).length).toBeGreaterThan(0);
    expect([...w.trace.ofKind('redis.pause')]).toEqual([expect.objectContaining({ t: ms(100), forUs: ms(50) })]);
  });

  it('closes_nothing_and_fails_no_call_that_waits_less_than_its_timeout', () => {
    const w = run([{ atMs: 100, kind: 'server_pause', forMs: 50 }]);
    expect([...w.trace.ofKind('tcp.close')]).toEqual([]);
    expect(w.metrics.requests.errors).toEqual({});
    // Calls that met the pause waited for it: the slowest took at least the rest of the pause.
    const base = run([]);
    expect(w.metrics.latencyMs.max).toBeGreaterThan(base.metrics.latencyMs.max);
  });

  it('times_out_calls_shorter_than_the_pause', () => {
    const r = parseScenario({
      durationMs: 300,
      workload: { callers: 4, thinkMs: 1, mix: { GET: 1 }, callTimeoutMs: 20 },
      clients: [{ label: 'multiplex', kind: 'multiplex' }],
      faults: [{ atMs: 100, kind: 'server_pause', forMs: 100 }],
    });
    if (!r.ok) throw new Error(r.errors.join('; '));
    const m = runScenario(r.scenario).worlds[0]!.metrics;
    expect(m.requests.errors.timeout).toBeGreaterThan(0);
    expect(m.invariants.lost).toBe(0);
  });

  it('is_refused_without_a_duration', () => {
    const r = parseScenario({ clients: [{ label: 'p', kind: 'pool' }], faults: [{ atMs: 1, kind: 'server_pause' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/^faults\[0\]\.forMs: expected a duration in ms > 0/);
  });
});
