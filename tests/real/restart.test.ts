/**
 * server_down made real: the redis-server this run started is killed (SIGKILL) and started again
 * on the same port. Both clients fail while it is down, come back after it, and the checker finds
 * nothing lost, misrouted or answered twice.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/index.js';
import { runReal } from '../../real/run.js';

describe('server_down against a real redis-server', () => {
  it('fails_the_calls_while_it_is_down_and_recovers_after_the_restart', async () => {
    const r = parseScenario({
      name: 'restart',
      // Wall-clock run: generous margins so a loaded 2-core machine (where starting redis-server
      // and waking timers takes hundreds of ms) still sees calls before, during and after.
      durationMs: 2500,
      drainMs: 3000,
      workload: { callers: 5, thinkMs: 2, callTimeoutMs: 300 },
      clients: [
        { label: 'pool', kind: 'pool', size: 5, backoff: { strategy: 'exp', initialMs: 20, maxMs: 50 } },
        { label: 'multiplex', kind: 'multiplex', backoff: { strategy: 'exp', initialMs: 20, maxMs: 50 } },
      ],
      faults: [{ atMs: 300, kind: 'server_down', forMs: 500 }],
    });
    if (!r.ok) throw new Error(r.errors.join('; '));
    const result = await runReal(r.scenario);
    for (const w of result.worlds) {
      expect(w.faultErrors, w.label).toEqual([]);
      expect(w.crashes, w.label).toEqual([]);
      expect(w.metrics.requests.failed, w.label).toBeGreaterThan(0);
      expect(w.metrics.connections.opened, w.label).toBeGreaterThan(w.label === 'pool' ? 5 : 1);
      expect(w.metrics.invariants.lost, w.label).toBe(0);
      expect(w.metrics.invariants.misrouted, w.label).toBe(0);
      expect(w.metrics.invariants.duplicatedReplies, w.label).toBe(0);
      // Requests that began after the restart (well after 800 ms) were answered.
      const late = w.trace.toArray().filter((e) => e.kind === 'pipeline.stop' && e.t > 1_800_000 && e.ok === true);
      expect(late.length, w.label).toBeGreaterThan(0);
    }
  });
});
