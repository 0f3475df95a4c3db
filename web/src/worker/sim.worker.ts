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
import { MAX_PIECES, PIECE_REQUESTS, WARM_REQUESTS, warmPiece } from './warm.js';

/**
 * What this worker keeps of its last world: its report and trace hash, not its trace. A trace
 * holds every event (~1.5 million for the 100k budget scenario) and only exports read it, so an
 * export runs the world again (same input, same run: the simulation is deterministic) and the
 * hash proves it is the same trace. Between runs the worker holds a few kilobytes.
 */
/** Requests this worker has simulated, runs and warm-up pieces: how warm its JIT is (./warm.ts). */
let requestsRun = 0;

let last: { input: ScenarioInput; scenario: Scenario; index: number; report: JsonWorld; traceHash: string } | null = null;

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

/**
 * Events between two looks at the stop flag (and progress reports): ~20-30 ms of a warm world, so
 * a stopped run gives its worker back about that soon.
 */
const SLICE_EVENTS = 20_000;

/** The page's stop flag (web/src/sim-client.ts), where the page is cross-origin isolated. */
let stop: Int32Array | null = null;

/** Thrown from the progress callback to unwind a run the page stopped. */
class Stopped extends Error {}

/** The view goes packed (typed arrays, transferred): see sim/views/pack.ts. */
/** `ms`: this worker's wall time in each stage (bench:web prints them). */
export type WorldOutcome =
  | { ok: true; view: PackedWorld; ms: { simulate: number; view: number; pack: number } }
  | { ok: false; errors: string[] }
  | { ok: 'crashed'; label: string; message: string }
  | { ok: 'stopped' };

const api = {
  /** The page's stop flag: shared memory, read between slices of a run. */
  share(flag: Int32Array): void {
    stop = flag;
  },
  /** `id`: the page's id of this run; it stops at its next slice once the stop flag reaches it. */
  runWorld(input: ScenarioInput, index: number, onProgress?: ((fraction: number) => void) & ProxyMarked, id = Number.POSITIVE_INFINITY): WorldOutcome {
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
          if (stop !== null && Atomics.load(stop, 0) >= id) throw new Stopped();
          const now = performance.now();
          if (onProgress !== undefined && now - lastReport > 50) {
            lastReport = now;
            void onProgress(f);
          }
        },
        SLICE_EVENTS,
        false,
        MAX_TRACE_EVENTS,
        view,
      );
      last = { input, scenario: s, index, report: jsonReport({ scenario: s, worlds: [w] }).worlds[0]!, traceHash: w.traceHash };
      requestsRun += w.metrics.requests.issued;
      const simulated = performance.now();
      const done = view.finish({ ...w, endUs: w.world.kernel.now });
      const viewed = performance.now();
      const { packed, transfer: buffers } = packWorld(done);
      const ms = { simulate: simulated - started, view: viewed - simulated, pack: performance.now() - viewed };
      return transfer({ ok: true, view: packed, ms }, buffers);
    } catch (e) {
      if (e instanceof Stopped) return { ok: 'stopped' };
      return { ok: 'crashed', label: spec.label, message: e instanceof Error ? e.message : String(e) };
    }
  },
  /**
   * Piece `n` of this worker's JIT warm-up (./warm.ts): a short run of its last world with a fault,
   * built into a view as a real run is (the same code gets warm), then thrown away. Touches
   * nothing an export reads. Returns the piece's wall time in ms, or null when there is nothing
   * left to do: the worker is warm (WARM_REQUESTS simulated, or MAX_PIECES run: a world that issues
   * few requests) or has no world to warm on. A piece that is not a valid scenario (a fault kind
   * this one refuses) or crashes costs 0 ms.
   */
  warm(n: number): number | null {
    if (last === null || requestsRun >= WARM_REQUESTS || n >= MAX_PIECES) return null;
    const parsed = parseScenario(warmPiece(last.input, last.scenario.durationMs, last.report.requests.issued, n));
    if (!parsed.ok) return 0;
    const s = parsed.scenario;
    const spec = s.clients[last.index]!;
    const started = performance.now();
    const view = viewPass(spec.label, s);
    try {
      const w = runWorld(s, spec, undefined, undefined, false, MAX_TRACE_EVENTS, view);
      packWorld(view.finish({ ...w, endUs: w.world.kernel.now }));
      requestsRun += w.metrics.requests.issued;
    } catch {
      // The real run of this world reports its own crash; a piece's is not the user's.
      requestsRun += PIECE_REQUESTS;
      return 0;
    }
    return performance.now() - started;
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
