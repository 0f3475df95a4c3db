// A world run partway and then on with other faults (WorldRun.refault, what the lab's worker does
// with a world it ran ahead: web/src/worker/sim.worker.ts) must be, to the event, the world a
// fresh run of the new scenario gives: the same trace hash, report and view.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, faultWithDefaults, type Fault } from '../../sim/faults/index.js';
import { ms } from '../../sim/kernel/time.js';
import { WorldRun, jsonReport, loadPreset, parseScenario, type Scenario, type ScenarioInput } from '../../sim/scenario/index.js';
import { viewPass } from '../../sim/views/index.js';

function scenario(input: ScenarioInput): Scenario {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

/** What a world gives the lab and the CLI: its trace hash, report and packed view (digested). */
function outcome(run: WorldRun, s: Scenario, view: ReturnType<typeof viewPass>) {
  const w = run.finish(5_000);
  const { packed } = view.finishPacked({ ...w, endUs: w.world.kernel.now });
  const json = JSON.stringify(packed, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));
  return { hash: w.traceHash, report: jsonReport({ scenario: s, worlds: [w] }).worlds[0], view: createHash('sha256').update(json).digest('hex') };
}

/**
 * World `index` of `to` run fresh, and of `from` run to `at` µs then on as a run of `to`. Both view
 * passes are made first: a pass sizes its columns by the last one finished (capacities only).
 */
function both(from: Scenario, to: Scenario, index: number, at: number) {
  const spec = from.clients[index]!;
  const freshView = viewPass(spec.label, to);
  const view = viewPass(spec.label, from);
  const run = new WorldRun(from, spec, false, Number.POSITIVE_INFINITY, view);
  run.runTo(at, 3_000);
  expect(run.whyNot(to)).toBeNull();
  run.refault(to);
  const resumed = outcome(run, to, view);
  return { resumed, fresh: outcome(new WorldRun(to, spec, false, Number.POSITIVE_INFINITY, freshView), to, freshView) };
}

/** Short runs of lessons with different clients, workloads and faults of their own. */
const bases = ['l3-pool', 'l6-resiliency', 'reconnect-storm', 'late-replies', 'at-least-once'].map((name) => {
  const s = loadPreset(name)!;
  return { ...s, durationMs: Math.min(s.durationMs, 300), faults: [] } as Scenario;
});

const faultArb = (durationMs: number) =>
  fc.record({ kind: fc.constantFrom(...FAULT_KINDS), atMs: fc.integer({ min: 0, max: durationMs * 4 }).map((q) => q / 4) }).map(({ kind, atMs }) => faultWithDefaults(kind, atMs));

describe('a world run partway goes on as a fresh run of the edited scenario would', () => {
  it('the same trace hash, report and view, whatever faults change from where it stopped', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bases.length - 1 }),
        fc.integer({ min: 0, max: 1 }),
        fc.array(faultArb(300), { maxLength: 4 }),
        fc.array(faultArb(300), { maxLength: 4 }),
        fc.integer({ min: 1, max: 299_999 }),
        fc.boolean(),
        (b, index, olds, news, atUs, onAFault) => {
          const base = bases[b]!;
          // Often stopped exactly where a fault is due: that fault has not run, and may change.
          const all = [...olds, ...news];
          const at = onAFault && all.length > 0 ? Math.max(1, ms(all[atUs % all.length]!.atMs)) : atUs;
          const before = olds.filter((f) => ms(f.atMs) < at);
          // The faults before `at` stay, in their order; those from `at` on are replaced, and new
          // ones land anywhere in the list.
          const edited: Fault[] = [...before];
          for (const f of news.filter((x) => ms(x.atMs) >= at)) edited.splice(atUs % (edited.length + 1), 0, f);
          const from = scenario({ ...base, faults: olds });
          const to = scenario({ ...base, faults: edited });
          const { resumed, fresh } = both(from, to, index, at);
          expect(resumed).toEqual(fresh);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it('the same faults listed in another order, but for those at one instant, are the same run (a dragged fault dropped: its list sorted)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bases.length - 1 }),
        fc.integer({ min: 0, max: 1 }),
        fc.array(faultArb(300), { maxLength: 5 }),
        fc.integer({ min: 1, max: 299_999 }),
        (b, index, faults, at) => {
          const base = bases[b]!;
          // Run as listed, then on as the list sorted by instant (stably, as the lab sorts it).
          const sorted = [...faults].sort((x, y) => ms(x.atMs) - ms(y.atMs));
          const { resumed, fresh } = both(scenario({ ...base, faults }), scenario({ ...base, faults: sorted }), index, at);
          expect(resumed).toEqual(fresh);
        },
      ),
      { numRuns: 30, seed: 11 },
    );
  });

  it('a fault due at an instant where other events are queued runs first among them, as in a fresh run', () => {
    const base = scenario({ name: 'busy', durationMs: 60, network: { latencyMs: 1 }, workload: { callers: 20, thinkMs: 1 }, clients: [{ label: 'pool', kind: 'pool', size: 4 }, { label: 'multiplex', kind: 'multiplex' }] });
    for (const index of [0, 1]) {
      // Instants where a segment arrives: its event was queued when it was sent, ~1 ms before.
      const kept = new WorldRun(base, base.clients[index]!).finish();
      const busy: number[] = [];
      kept.trace.each((t) => {
        if (t > ms(5) && busy.length < 40) busy.push(t);
      }, ['tcp.segment']);
      expect(busy.length).toBeGreaterThan(10);
      for (const t of [busy[0]!, busy[17]!, busy[39] ?? busy[busy.length - 1]!]) {
        const to = { ...base, faults: [faultWithDefaults('drop_connections', t / 1000), faultWithDefaults('latency', t / 1000)] } as Scenario;
        const { resumed, fresh } = both(base, to, index, t - 37);
        expect(resumed).toEqual(fresh);
      }
    }
  });

  it('faults at one instant, listed in another order from where it stopped, run in the new order', () => {
    const base = bases[1]!;
    const at = (ms: number, kind: Fault['kind']) => faultWithDefaults(kind, ms);
    const same = [at(40, 'drop_connections'), at(40, 'latency'), at(40, 'server_down')];
    const from = scenario({ ...base, faults: [at(10, 'latency'), at(10, 'drop_connections'), ...same] });
    for (const order of [[2, 1, 0], [1, 0, 2], [0, 2, 1]]) {
      const to = scenario({ ...base, faults: [at(10, 'latency'), ...order.map((k) => same[k]!), at(10, 'drop_connections')] });
      for (const index of [0, 1]) {
        const { resumed, fresh } = both(from, to, index, ms(40));
        expect(resumed).toEqual(fresh);
      }
    }
    // Before where it stopped, the same faults listed in another order are another run.
    const run = new WorldRun(from, from.clients[0]!, false);
    run.runTo(ms(40));
    expect(run.whyNot(scenario({ ...base, faults: [at(10, 'drop_connections'), at(10, 'latency'), ...same] }))).toMatch(/faults differ before/);
  });

  it('says why a run cannot go on as a run of another scenario, and refuses to', () => {
    const s = scenario({ ...bases[0]!, faults: [faultWithDefaults('drop_connections', 100)] });
    const run = new WorldRun(s, s.clients[0]!, false);
    run.runTo(ms(150));
    expect(run.at).toBe(ms(150));
    expect(run.whyNot({ ...s, workload: { ...s.workload, callers: s.workload.callers + 1 } })).toMatch(/more than its faults/);
    const moved = { ...s, faults: [faultWithDefaults('drop_connections', 120)] };
    expect(run.whyNot(moved)).toMatch(/faults differ before t = 0\.150000 s/);
    expect(() => run.refault(moved)).toThrow(/cannot go on/);
    // From 150 ms on, anything goes: a fault at 150 ms has not run.
    expect(run.whyNot({ ...s, faults: [...s.faults, faultWithDefaults('server_down', 150)] })).toBeNull();
    // A schedule has room for 65,535 faults.
    const many = Array.from({ length: 65_536 }, () => faultWithDefaults('latency', 200));
    expect(run.whyNot({ ...s, faults: [...s.faults, ...many] })).toMatch(/more faults than the run has room for \(65535\)/);
  });

  it('a run its progress callback stops goes on from the instant it reached, as a fresh run of the edit', () => {
    // The lab's worker stops a run when a newer edit comes (a fault band dragged): the world it
    // leaves is kept to go on from. Slices of 100 events end mid-instant more often than not.
    class Stop extends Error {}
    let midRun = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bases.length - 1 }),
        fc.integer({ min: 0, max: 1 }),
        fc.array(faultArb(300), { maxLength: 3 }),
        fc.array(faultArb(300), { maxLength: 3 }),
        fc.integer({ min: 1, max: 400 }),
        (b, index, olds, news, stopAfter) => {
          const base = bases[b]!;
          const from = scenario({ ...base, faults: olds });
          const spec = from.clients[index]!;
          const view = viewPass(spec.label, from);
          const run = new WorldRun(from, spec, false, Number.POSITIVE_INFINITY, view);
          let slices = 0;
          try {
            run.runTo(run.end + 1, 100, () => {
              if (++slices === stopAfter) throw new Stop();
            });
          } catch (e) {
            if (!(e instanceof Stop)) throw e;
          }
          const at = run.at;
          if (slices < stopAfter) expect(at).toBe(run.end + 1);
          else {
            expect(at).toBeGreaterThan(0);
            midRun++;
          }
          // Every event before `at` has run (none is left to run before it) and none from it on.
          const { kernel } = run.world;
          expect(kernel.now).toBeLessThan(at);
          const ran = kernel.eventsRun;
          kernel.run(at - 1);
          expect(kernel.eventsRun).toBe(ran);
          const to = scenario({ ...base, faults: [...olds.filter((f) => ms(f.atMs) < at), ...news.filter((f) => ms(f.atMs) >= at)] });
          expect(run.whyNot(to)).toBeNull();
          run.refault(to);
          const freshView = viewPass(spec.label, to);
          const fresh = new WorldRun(to, spec, false, Number.POSITIVE_INFINITY, freshView);
          // Both views made before either finishes (see `both`).
          expect(outcome(run, to, view)).toEqual(outcome(fresh, to, freshView));
        },
      ),
      { numRuns: 30, seed: 11 },
    );
    // Most of them stopped mid-run (not only runs that ended first).
    expect(midRun).toBeGreaterThan(15);
  });

  it('a run stopped once all its events have run (at the last progress call) goes on to the same result', () => {
    class Stop extends Error {}
    for (const index of [0, 1]) {
      const s = scenario({ ...bases[2]!, faults: [faultWithDefaults('drop_connections', 100)] });
      const spec = s.clients[index]!;
      const view = viewPass(spec.label, s);
      const freshView = viewPass(spec.label, s);
      const run = new WorldRun(s, spec, false, Number.POSITIVE_INFINITY, view);
      expect(() =>
        run.finish(1_000, (f) => {
          if (f === 1) throw new Stop();
        }),
      ).toThrow(Stop);
      expect(run.at).toBe(run.end + 1);
      // Only the same faults everywhere can go on from a world run to its end.
      expect(run.whyNot({ ...s, faults: [faultWithDefaults('drop_connections', 200)] })).toMatch(/faults differ/);
      expect(run.whyNot(s)).toBeNull();
      run.refault(s);
      expect(outcome(run, s, view)).toEqual(outcome(new WorldRun(s, spec, false, Number.POSITIVE_INFINITY, freshView), s, freshView));
    }
  });

  it('a run cut short by an error in a slice cannot go on', () => {
    const s = scenario({ ...bases[0]! });
    // Too many trace events for the lab: the run throws from a slice, not between instants.
    const run = new WorldRun(s, s.clients[0]!, false, 50, viewPass(s.clients[0]!.label, s));
    expect(() => run.runTo(ms(200), 100)).toThrow(/its trace passed 50 events/);
    expect(run.whyNot(s)).toMatch(/cut short/);
    expect(() => run.finish()).toThrow(/cut short/);
  });
});
