/**
 * A run whose trace is not kept (a CLI run without a trace export) reports exactly what a kept
 * one does, with the same trace hash, and refuses to read its events back rather than giving none;
 * the lab's view built from the streamed events is the one derived from a kept trace.
 */
import { describe, expect, it } from 'vitest';
import { loadPreset, presetNames, runScenario, runWorld } from '../../sim/scenario/index.js';
import { deriveWorld, unpackWorld, viewPass } from '../../sim/views/index.js';
import { worldMetrics } from '../../sim/scenario/metrics.js';
import { ms } from '../../sim/kernel/time.js';

describe('a run that does not keep its trace', () => {
  for (const name of ['l6-resiliency', 'l3-pool', 'at-least-once']) {
    it(`reports_the_same_metrics_and_hash_as_a_kept_run_${name}`, () => {
      const s = loadPreset(name)!;
      const kept = runScenario(s);
      const streamed = runScenario(s, { keepTrace: false });
      expect(streamed.worlds.map((w) => w.traceHash)).toEqual(kept.worlds.map((w) => w.traceHash));
      expect(streamed.worlds.map((w) => w.metrics)).toEqual(kept.worlds.map((w) => w.metrics));
      expect(streamed.worlds[0]!.trace.length).toBe(kept.worlds[0]!.trace.length);
      // Both runs now make their report as the events come: the pass over a kept trace after the
      // run (worldMetrics, as the real driver's report does) is the independent side.
      for (const w of kept.worlds) expect(worldMetrics(w.world, ms(s.durationMs), ms(s.workload.callTimeoutMs)), w.label).toEqual(w.metrics);
    }, 120_000);
  }

  it('refuses_to_read_back_events_it_did_not_keep', () => {
    const s = loadPreset('l3-pool')!;
    const [w] = runScenario({ ...s, durationMs: 50 }, { keepTrace: false }).worlds;
    expect(() => w!.trace.toArray()).toThrow(/not kept/);
    expect(() => [...w!.trace.ofKind('pipeline.start')]).toThrow(/not kept/);
  });

  it('a_kept_trace_past_its_limit_stops_the_world_with_a_clear_error', () => {
    const s = loadPreset('l4-multiplex')!;
    expect(() => runScenario(s, { maxTraceEvents: 1000, sliceEvents: 500 })).toThrow(/world "pool": its trace passed 1000 events at t = \d+\.\d{6} s of 1 s, more than the lab holds/);
    // Not kept: no limit applies (nothing grows).
    expect(() => runScenario({ ...s, durationMs: 100 }, { keepTrace: false, maxTraceEvents: 1000, sliceEvents: 500 })).not.toThrow();
  });
});

describe("the lab's view built as the events come", () => {
  // Every preset, shortened: the faults, clients and outcomes the view has a case for.
  for (const name of presetNames) {
    it(`is_the_view_derived_from_the_kept_trace_${name}`, () => {
      const full = loadPreset(name)!;
      const durationMs = Math.min(full.durationMs, 600);
      const s = { ...full, durationMs, faults: full.faults.filter((f) => f.atMs < durationMs) };
      for (const spec of s.clients) {
        const pass = viewPass(spec.label, s);
        const w = runWorld(s, spec, undefined, undefined, false, Number.POSITIVE_INFINITY, pass);
        const streamed = pass.finish({ ...w, endUs: w.world.kernel.now });
        const kept = deriveWorld(runWorld(s, spec), s);
        expect(streamed.requests.length).toBeGreaterThan(0);
        expect(streamed).toEqual(kept);
        // Packed for the page without an object per request: the same view once unpacked there.
        const { packed, transfer } = pass.finishPacked({ ...w, endUs: w.world.kernel.now });
        expect(unpackWorld(structuredClone(packed, { transfer }))).toEqual(kept);
      }
    }, 120_000);
  }

  it('makes_its_columns_once_at_the_size_of_the_last_pass_of_the_same_world_and_scenario', () => {
    const s = loadPreset('l4-multiplex')!;
    const short = { ...s, durationMs: 120, seed: 9173 };
    const spec = short.clients[1]!;
    const pass = (faults: typeof s.faults) => {
      const scenario = { ...short, faults };
      const p = viewPass(spec.label, scenario);
      const w = runWorld(scenario, spec, undefined, undefined, false, Number.POSITIVE_INFINITY, p);
      return p.finishPacked({ ...w, endUs: w.world.kernel.now }).packed;
    };
    const first = pass([]);
    // The same world again with a fault (a fault edit): room for what the first held and an eighth more.
    const again = pass([{ kind: 'drop_connections', atMs: 60 }] as typeof s.faults);
    expect(again.requests.names.length).toBe(Math.ceil(first.requests.n * 1.125) + 16);
    expect(again.rest.inFlight.t.buffer.byteLength).toBe(8 * (Math.ceil(first.rest.inFlight.t.length * 1.125) + 16));
    expect(again.requests.n).toBeGreaterThan(0);
  });

  it('counts_a_streamed_run_against_the_limit_when_it_builds_a_view', () => {
    const s = loadPreset('l4-multiplex')!;
    const spec = s.clients[0]!;
    expect(() => runWorld(s, spec, undefined, 500, false, 1000, viewPass(spec.label, s))).toThrow(/world "pool": its trace passed 1000 events .* more than the lab holds/);
    expect(() => runWorld(s, spec, undefined, 500, true, Number.POSITIVE_INFINITY, viewPass(spec.label, s))).toThrow(/observe is for a trace that is not kept/);
  });
});
