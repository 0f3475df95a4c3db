import { describe, expect, it } from 'vitest';
import { jsonReport, loadPreset, parseScenario, perfettoExport, presets, runScenario, traceExport, type Scenario } from '../../sim/scenario/index.js';

function scenario(input: object): Scenario {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

const small = (extra: object = {}) =>
  scenario({
    name: 'small',
    durationMs: 200,
    workload: { callers: 8, thinkMs: 1, callTimeoutMs: 100 },
    clients: [
      { label: 'pool', kind: 'pool', size: 4 },
      { label: 'mux', kind: 'multiplex' },
    ],
    ...extra,
  });

describe('scenario format', () => {
  it('fills_in_defaults_for_everything_but_clients', () => {
    const s = scenario({ clients: [{ label: 'p', kind: 'pool' }] });
    expect(s).toMatchObject({ seed: 1, durationMs: 1000, network: { latencyMs: 0.25, connectRtts: 1 }, workload: { mode: 'closed', mix: { GET: 0.8, SET: 0.2 } }, faults: [] });
  });

  it('names_the_field_and_what_was_expected', () => {
    const r = parseScenario({
      durationMs: -5,
      clients: [{ label: 'p', kind: 'pool', size: 0, bogus: true }],
      faults: [{ atMs: -1, kind: 'server_down', forMs: 10 }],
      workload: { mix: { GET: 0 } },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        'durationMs: expected a number of ms > 0, got -5',
        'clients[0].size: expected a whole number >= 1, got 0',
        'clients[0]: unknown field "bogus"',
        'faults[0].atMs: expected a time in ms >= 0, got -1',
        'workload.mix: expected at least one command with a weight > 0, got {"GET":0}',
      ]),
    );
  });

  it('rejects_impossible_combinations', () => {
    const r = parseScenario({
      workload: { callers: 2 },
      clients: [
        { label: 'a', kind: 'multiplex', size: 3 },
        { label: 'a', kind: 'naive' },
      ],
      faults: [{ atMs: 1, kind: 'kill_caller', caller: 5 }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        'clients[0]: unknown field "size"',
        'clients[1].label: expected a unique label, "a" is used twice, got "a"',
        'faults[0].caller: expected a caller index below workload.callers (2), got 5',
      ]),
    );
  });

  it('rejects_a_fault_that_would_never_fire', () => {
    // The run ends after durationMs + the drain (here callTimeoutMs 2000 + 100).
    const r = parseScenario({ durationMs: 1000, workload: { callTimeoutMs: 2000 }, clients: [{ label: 'a', kind: 'multiplex' }], faults: [{ atMs: 3099, kind: 'drop_connections' }, { atMs: 3100, kind: 'server_down', forMs: 5 }] });
    expect(r).toEqual({ ok: false, errors: ['faults[1].atMs: expected a time before the run ends at 3100 ms (durationMs + drainMs), a fault then would come when the run is over, got 3100'] });
    expect(parseScenario({ durationMs: 1000, drainMs: 0, clients: [{ label: 'a', kind: 'multiplex' }], faults: [{ atMs: 1000, kind: 'drop_connections' }] }).ok).toBe(false);
  });

  it('requires_clients', () => {
    expect(parseScenario({})).toEqual({ ok: false, errors: ['clients: expected a list of client configurations, got nothing'] });
  });
});

describe('running scenarios', () => {
  it('same_seed_gives_the_same_trace_hashes_and_another_seed_does_not', () => {
    const a = runScenario(small()).worlds.map((w) => w.traceHash);
    const b = runScenario(small()).worlds.map((w) => w.traceHash);
    const c = runScenario(small({ seed: 2 })).worlds.map((w) => w.traceHash);
    expect(a).toEqual(b);
    expect(a[0]).not.toBe(c[0]);
  });

  it('every_world_sees_the_same_workload_draws', () => {
    const r = runScenario(small({ workload: { callers: 3, thinkMs: 5, callTimeoutMs: 100, mix: { GET: 0.5, SET: 0.3, INCR: 0.2 } } }));
    const firstCommands = r.worlds.map((w) => [...w.trace.ofKind('pipeline.start')].slice(0, 6).map((e) => `${e.caller}:${e.name}`));
    // Pids differ by client (the pool has more processes); the per-caller command sequence does not.
    const byCaller = (xs: string[]) => xs.map((x) => x.split(':')[1]);
    expect(byCaller(firstCommands[0]!).sort()).toEqual(byCaller(firstCommands[1]!).sort());
  });

  it('adding_a_fault_at_t_leaves_every_event_before_t_unchanged', () => {
    const base = runScenario(small());
    const faulted = runScenario(small({ faults: [{ atMs: 120, kind: 'drop_connections' }] }));
    base.worlds.forEach((w, i) => {
      const f = faulted.worlds[i]!;
      const lines = (t: typeof w.trace) => {
        const out: string[] = [];
        for (let k = 0; k < t.length && t.at(k).t < 120_000; k++) out.push(t.line(k));
        return out;
      };
      expect(lines(f.trace)).toEqual(lines(w.trace));
      expect(f.traceHash).not.toBe(w.traceHash);
    });
  });

  it('open_workload_issues_poisson_arrivals_at_the_rate', () => {
    const s = scenario({ durationMs: 2000, workload: { mode: 'open', ratePerSec: 500 }, clients: [{ label: 'mux', kind: 'multiplex' }] });
    const issued = runScenario(s).worlds[0]!.metrics.requests.issued;
    // Poisson count over 2 s at 500/s: mean 1000, sd ~32; 4 sd either side.
    expect(issued).toBeGreaterThan(1000 - 130);
    expect(issued).toBeLessThan(1000 + 130);
  });

  it('kill_caller_kills_a_caller_and_its_request_is_abandoned_not_lost', () => {
    const r = runScenario(small({ workload: { callers: 4, thinkMs: 1, callTimeoutMs: 100, mix: { SLEEP: 1 }, sleepMs: 5 }, faults: [{ atMs: 50, kind: 'kill_caller', caller: 1 }] }));
    for (const w of r.worlds) {
      expect([...w.trace.ofKind('fault.kill_caller')]).toHaveLength(1);
      expect(w.metrics.invariants.lost).toBe(0);
    }
  });
});

describe('presets', () => {
  it('there_is_one_per_lesson_and_per_beyond_the_slides_point', () => {
    const lessons = presets.map((p) => p.lesson);
    for (const l of ['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'L8']) expect(lessons).toContain(l);
    expect(presets.map((p) => p.name)).toEqual(expect.arrayContaining(['hol-blpop', 'late-replies', 'at-least-once', 'reconnect-storm']));
    for (const p of presets) expect(p.description.length).toBeGreaterThan(20);
  });

  it.each(presets.map((p) => [p.name]))('%s_runs_clean', (name) => {
    const s = loadPreset(name)!;
    const r = runScenario(s);
    for (const w of r.worlds) {
      const inv = w.metrics.invariants;
      expect(inv.lost, w.label).toBe(0);
      expect(inv.duplicatedReplies, w.label).toBe(0);
      expect(inv.misrouted, w.label).toBe(0);
      expect(inv.falselyDeterminate, w.label).toBe(0);
      const resends = w.client.kind === 'multiplex' && w.client.inFlightOnDisconnect === 'resend';
      if (!resends) expect(inv.executedTwice, w.label).toBe(0);
      expect(w.world.rt.crashes, w.label).toEqual([]);
      expect(w.metrics.requests.issued, w.label).toBeGreaterThan(0);
    }
  });

  it('the_lessons_show_what_they_teach', () => {
    const m = (name: string) => Object.fromEntries(runScenario(loadPreset(name)!).worlds.map((w) => [w.label, w.metrics]));
    const l1 = m('l1-silly-way');
    expect(l1['per-command']!.connections.opened).toBe(l1['per-command']!.requests.issued);
    expect(l1.multiplex!.connections.opened).toBe(1);
    const l2 = m('l2-genserver');
    expect(l2.serial!.maxInFlightPerConnection).toBe(1);
    expect(l2.multiplex!.throughputPerSec).toBeGreaterThan(3 * l2.serial!.throughputPerSec);
    const l3 = m('l3-pool');
    expect(l3['pool-error']!.requests.errors.checked_out).toBeGreaterThan(0);
    expect(l3['pool-queue']!.poolQueueWaitMs.waited).toBeGreaterThan(0);
    const l5 = m('l5-tradeoffs');
    expect(l5.multiplex!.bytes.copiedBetweenProcesses).toBeGreaterThan(5 * l5.pool!.bytes.copiedBetweenProcesses);
    expect(l5.multiplex!.cpu.busiestProcessBusyPct).toBeGreaterThan(2 * l5.pool!.cpu.busiestProcessBusyPct);
    const l8 = m('l8-sync-async');
    expect(l8.sync!.requests.errors.noproc).toBeGreaterThan(0);
    expect(l8.async!.requests.ok).toBeGreaterThan(0);
    const alo = m('at-least-once');
    expect(alo['at-least-once']!.invariants.executedTwice).toBeGreaterThan(0);
    expect(alo['at-most-once']!.invariants.executedTwice).toBe(0);
    const hol = m('hol-blpop');
    // p90: the GETs stuck behind a BLPOP (p99 is the BLPOPs' own wait, the same in both).
    expect(hol.multiplex!.latencyMs.p90).toBeGreaterThan(3 * hol.pool!.latencyMs.p90);
  }, 60_000);
});

describe('exports', () => {
  const r = runScenario(small({ faults: [{ atMs: 100, kind: 'drop_connections' }] }));

  it('json_report_has_the_contract_fields', () => {
    const j = jsonReport(r);
    expect(j.scenario).toBe('small');
    expect(j.seed).toBe(1);
    for (const w of j.worlds) {
      expect(Object.keys(w)).toEqual(expect.arrayContaining(['label', 'client', 'traceHash', 'requests', 'latencyMs', 'throughputPerSec', 'connections', 'bytes', 'cpu', 'invariants']));
      expect(Object.keys(w.latencyMs)).toEqual(['mean', 'p50', 'p90', 'p99', 'max']);
      expect(w.invariants).toMatchObject({ lost: 0, duplicatedReplies: 0, misrouted: 0, executedTwice: 0 });
      expect(w.requests.issued).toBe(w.requests.ok + w.requests.failed);
    }
    expect(j.worlds.map((w) => w.client)).toEqual(['pool', 'multiplex']);
  });

  it('trace_export_is_sorted_and_in_microseconds', () => {
    const t = traceExport(r);
    for (const w of t.worlds) {
      const ts = w.events.map((e) => e.t as number);
      expect(ts.every((x, i) => i === 0 || ts[i - 1]! <= x)).toBe(true);
      expect(ts.at(-1)!).toBeGreaterThan(100_000);
    }
  });

  it('perfetto_export_pairs_every_async_begin_with_an_end_and_marks_faults', () => {
    const p = perfettoExport(r);
    const begins = p.traceEvents.filter((e) => e.ph === 'b').length;
    const ends = p.traceEvents.filter((e) => e.ph === 'e').length;
    expect(begins).toBeGreaterThan(0);
    expect(ends).toBe(begins);
    expect(p.traceEvents.filter((e) => e.ph === 'i' && e.name === 'drop_connections')).toHaveLength(2);
    expect(p.traceEvents.some((e) => e.ph === 'C' && e.name === 'requests in flight')).toBe(true);
    expect(p.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name')).toHaveLength(2);
  });
});
