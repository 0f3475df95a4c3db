/**
 * The engine's work per request, counted (never timed): kernel events and trace events per
 * request of the bench's closed scenario (bench/scenario.ts), and the runtime's process table in
 * an open-load run that spawns a process per request.
 */
import { describe, expect, it } from 'vitest';
import { RETAIN_EXITED } from '../../sim/runtime/index.js';
import { parseScenario, runScenario, type ScenarioInput } from '../../sim/scenario/index.js';

function run(input: ScenarioInput) {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return runScenario(r.scenario, { keepTrace: false }).worlds[0]!;
}

/** The bench's ~1M-request scenario (bench/scenario.ts), shortened. */
const closed: ScenarioInput = {
  name: 'bench-closed',
  durationMs: 300,
  network: { latencyMs: 0.25 },
  workload: { callers: 50, thinkMs: 2, mix: { GET: 0.8, SET: 0.2 } },
  clients: [{ label: 'multiplex', kind: 'multiplex' }],
};

describe('the bench scenario, per request', () => {
  it('runs_at_most_8_kernel_events', () => {
    // A step's end is no event of its own (the process resumes when its CPU is spent): 12 before.
    const w = run(closed);
    const requests = w.metrics.requests.issued;
    expect(requests).toBeGreaterThan(5000);
    expect(w.world.kernel.eventsRun / requests).toBeLessThanOrEqual(8);
    expect(w.metrics.invariants.lost).toBe(0);
  }, 60_000);

  it('makes_at_most_3_event_objects', () => {
    // A posted event (a segment's arrival, a message landing, a resume) carries the next one once
    // it has run; only timers, which may be cancelled, get one each. A fresh object per event: ~9.
    const w = run(closed);
    expect(w.world.kernel.eventsMade / w.metrics.requests.issued).toBeLessThanOrEqual(3);
    expect(w.world.kernel.eventsMade).toBeLessThan(w.world.kernel.eventsRun / 3);
  }, 60_000);
});

describe("the server's keyspace", () => {
  it('finds_most_keys_without_a_map_lookup', () => {
    // A key argument the decoder interned (the same array each time its bytes come) is
    // remembered with its entry by GET and SET: the next command on that key compares identities.
    // Looked up in the map every time: one lookup per command.
    const w = run(closed);
    const commands = w.metrics.commandsExecuted;
    expect(commands).toBeGreaterThan(5000);
    expect(w.world.redis.state.dbs[0]!.mapLookups / commands).toBeLessThan(0.4);
    expect(w.metrics.invariants.lost).toBe(0);
  }, 60_000);
});

describe('an open-load run', () => {
  it('keeps_a_bounded_process_table_however_many_arrivals_it_spawned', () => {
    const w = run({
      name: 'open-table',
      durationMs: 600,
      drainMs: 100,
      network: { latencyMs: 5 },
      workload: { mode: 'open', ratePerSec: 20_000, mix: { GET: 0.8, SET: 0.2 } },
      clients: [{ label: 'multiplex', kind: 'multiplex' }],
    });
    const arrivals = w.metrics.requests.issued;
    expect(arrivals).toBeGreaterThan(2 * RETAIN_EXITED);
    // The client's own processes, the arrivals generator, and the last exited arrivals remembered.
    expect(w.world.rt.processCount).toBeLessThanOrEqual(RETAIN_EXITED + 10);
    expect(w.metrics.invariants.lost).toBe(0);
  }, 60_000);
});
