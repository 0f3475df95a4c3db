/// <reference lib="webworker" />
/**
 * One world's simulation, off the page's thread. The page starts one of these workers per
 * client configuration, so the worlds of a scenario run in parallel on separate cores; a crash
 * in one (a bug) is reported for that world and the others still show. Cancelling is
 * terminating the workers.
 */
import { expose, transfer, type ProxyMarked } from 'comlink';
import { jsonReport, parseScenario, perfettoExport, runWorld, traceExport, type JsonWorld, type Scenario, type ScenarioInput, type ScenarioResult } from '../../../sim/scenario/index.js';
import { packWorld, viewPass, type PackedWorld } from '../../../sim/views/index.js';

/**
 * What this worker keeps of its last world: its report and trace hash, not its trace. A trace
 * holds every event (~1.5 million for the 100k budget scenario) and only exports read it, so an
 * export runs the world again (same input, same run: the simulation is deterministic) and the
 * hash proves it is the same trace. Between runs the worker holds a few kilobytes.
 */
let last: { scenario: Scenario; index: number; report: JsonWorld; traceHash: string } | null = null;

/** The last world again, with its trace, for an export; throws if it is not the same run. */
function rerun(): ScenarioResult | null {
  if (last === null) return null;
  const spec = last.scenario.clients[last.index]!;
  const w = runWorld(last.scenario, spec, undefined, undefined, true);
  if (w.traceHash !== last.traceHash) throw new Error(`world "${spec.label}" ran differently the second time (trace ${w.traceHash}, was ${last.traceHash}): a determinism bug, please report it`);
  return { scenario: last.scenario, worlds: [w] };
}

/**
 * A world stops with an error past this many trace events (the view drawn from them grows with
 * them: a request's bar per ~14 events): a run that would exhaust the tab's memory is said to be
 * too big instead. The 100k-request budget scenario records ~1.5 million.
 */
const MAX_TRACE_EVENTS = 8_000_000;

/** The view goes packed (typed arrays, transferred): see sim/views/pack.ts. */
/** `ms`: this worker's wall time in each stage (bench:web prints them). */
export type WorldOutcome = { ok: true; view: PackedWorld; ms: { simulate: number; view: number; pack: number } } | { ok: false; errors: string[] } | { ok: 'crashed'; label: string; message: string };

const api = {
  runWorld(input: ScenarioInput, index: number, onProgress?: ((fraction: number) => void) & ProxyMarked): WorldOutcome {
    const parsed = parseScenario(input);
    if (!parsed.ok) return { ok: false, errors: parsed.errors };
    const s = parsed.scenario;
    const spec = s.clients[index];
    if (spec === undefined) return { ok: false, errors: [`clients[${index}]: no such client`] };
    last = null;
    const started = performance.now();
    let lastReport = 0;
    // The view is built as the events come: the trace is neither kept nor read again.
    const view = viewPass(spec.label, s);
    try {
      const w = runWorld(
        s,
        spec,
        (f) => {
          const now = performance.now();
          if (onProgress !== undefined && now - lastReport > 50) {
            lastReport = now;
            void onProgress(f);
          }
        },
        undefined,
        false,
        MAX_TRACE_EVENTS,
        view,
      );
      last = { scenario: s, index, report: jsonReport({ scenario: s, worlds: [w] }).worlds[0]!, traceHash: w.traceHash };
      const simulated = performance.now();
      const done = view.finish({ ...w, endUs: w.world.kernel.now });
      const viewed = performance.now();
      const { packed, transfer: buffers } = packWorld(done);
      const ms = { simulate: simulated - started, view: viewed - simulated, pack: performance.now() - viewed };
      return transfer({ ok: true, view: packed, ms }, buffers);
    } catch (e) {
      return { ok: 'crashed', label: spec.label, message: e instanceof Error ? e.message : String(e) };
    }
  },
  /** This worker's world in the JSON report's shape. */
  report(): unknown {
    return last === null ? null : last.report;
  },
  trace(): unknown {
    const r = rerun();
    return r === null ? null : traceExport(r).worlds[0];
  },
  perfetto(): unknown[] | null {
    const r = rerun();
    return r === null ? null : perfettoExport(r).traceEvents;
  },
};

export type SimApi = typeof api;

expose(api);
