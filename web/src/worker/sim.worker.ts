/// <reference lib="webworker" />
/**
 * One world's simulation, off the page's thread. The page starts one of these workers per
 * client configuration, so the worlds of a scenario run in parallel on separate cores; a crash
 * in one (a bug) is reported for that world and the others still show. Cancelling is
 * terminating the workers.
 */
import { expose, transfer, type ProxyMarked } from 'comlink';
import { WorldRun, jsonReport, parseScenario, perfettoExport, runWorld, traceExport, type JsonWorld, type Scenario, type ScenarioInput, type ScenarioResult } from '../../../sim/scenario/index.js';
import { ms } from '../../../sim/kernel/time.js';
import { stockRoom, viewPass, type PackedWorld, type ViewPass } from '../../../sim/views/index.js';
import { PIECE_MAX_EVENTS, parkWorld, warmDone, warmPiece } from './warm.js';

/**
 * What this worker keeps of its last world: its report and trace hash, not its trace. A trace
 * holds every event (~1.5 million for the 100k budget scenario) and only exports read it, so an
 * export runs the world again (same input, same run: the simulation is deterministic) and the
 * hash proves it is the same trace. Between runs the worker holds a few kilobytes.
 */
/** Trace events this worker has recorded, runs and warm-up pieces: how warm its JIT is (./warm.ts). */
let eventsRun = 0;

interface Kept {
  input: ScenarioInput;
  scenario: Scenario;
  index: number;
  report: JsonWorld;
  traceHash: string;
  events: number;
}

let last: Kept | null = null;

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

/**
 * A world of the last run's scenario run partway and kept while the worker is idle (./warm.ts
 * parkWorld): its live objects keep the JIT's code warm across the full GCs of an idle worker.
 * Replaced after each run, once the answer is on its way.
 */
const parked: { world: unknown } = { world: null };

function parkSoon(s: Scenario, spec: Scenario['clients'][number]): void {
  setTimeout(() => {
    try {
      // The old one is let go only once the new one holds the same classes.
      parked.world = parkWorld(s, spec);
    } catch {
      // A world that cannot run partway cannot run at all: its run reported why.
      parked.world = null;
    }
  }, 0);
}

/**
 * After a run, once the page has drawn it, the next run's view columns are made and touched ahead
 * (sim/views/room.ts), a slice at a time so that a run asked for meanwhile waits one slice at most:
 * fresh memory costs a 100k world ~90 ms of its run in page faults, touched memory ~1 ms. Not at
 * once: the other world may still be simulating (a 100k edit's worlds answer up to ~1 s apart),
 * and the page is drawing; on two cores that is where the time would come from.
 */
const STOCK_AFTER_MS = 1500;
const STOCK_SLICE_BYTES = 2 << 20;
let stocking: ReturnType<typeof setTimeout> | null = null;

function stockSoon(s: Scenario, label: string): void {
  stopStocking();
  const slice = () => {
    stocking = null;
    if (!stockRoom(label, s, STOCK_SLICE_BYTES)) stocking = setTimeout(slice, 0);
  };
  stocking = setTimeout(slice, STOCK_AFTER_MS);
}

function stopStocking(): void {
  if (stocking !== null) clearTimeout(stocking);
  stocking = null;
}

/**
 * The least time between two progress reports: each is a message the page's thread handles (and
 * answers) while the workers share the two cores with it; the page draws one every 250 ms at most
 * (sim-client.ts PROGRESS_EVERY_MS). At 50 ms, ~20 reports a fault edit cost the page 7-10 ms.
 */
const PROGRESS_EVERY_MS = 250;

/**
 * The page's stop flag (web/src/sim-client.ts), where the page is cross-origin isolated: [0] the
 * last id stopped (it and every lower one), [1] an id spared by that stop (a world simulated
 * ahead for the very run that stopped the others), 0 for none; [2] 1 while the user is busy (idle
 * work waits: idleSlice), [3] how many times idle work waited (for tests).
 */
let stop: Int32Array | null = null;

/** Thrown from the progress callback to unwind a run the page stopped. */
class Stopped extends Error {}

/** Between slices: unwinds a run (or a warm-up piece) of id `id` once the page has stopped it. */
function stopIfAsked(id: number): void {
  if (stop !== null && Atomics.load(stop, 0) >= id && Atomics.load(stop, 1) !== id) throw new Stopped();
}

/** Before a piece of idle work: waits while the user is busy; false if stopped meanwhile. */
function idleStart(id: number): boolean {
  try {
    idleSlice(id);
    return true;
  } catch (e) {
    if (e instanceof Stopped) return false;
    throw e;
  }
}

/**
 * Between slices of idle work (simulating ahead, partway worlds, warming): as stopIfAsked, and
 * while the user pans, zooms, drags or types (the flag's [2]), waits, leaving the core to the page.
 */
function idleSlice(id: number): void {
  stopIfAsked(id);
  if (stop === null) return;
  // A world simulated ahead that a run now waits for (spared by its stop) goes on regardless.
  if (Atomics.load(stop, 2) !== 0 && Atomics.load(stop, 1) !== id) Atomics.add(stop, 3, 1);
  while (Atomics.load(stop, 2) !== 0 && Atomics.load(stop, 1) !== id) {
    // Woken when the user is done or a run stops this (the page notifies); 100 ms at most anyway.
    Atomics.wait(stop, 2, 1, 100);
    stopIfAsked(id);
  }
}

/** The view goes packed (typed arrays, transferred): see sim/views/pack.ts. */
/** `ms`: this worker's wall time in each stage (bench:web prints them). */
/** `from`: µs of the run a world run ahead to had done already (see `partway`), 0 for a whole run. */
export type WorldOutcome =
  | { ok: true; view: PackedWorld; ms: { simulate: number; view: number; pack: number }; prepared?: true; from: number }
  | { ok: false; errors: string[] }
  | { ok: 'crashed'; label: string; message: string }
  | { ok: 'stopped' };

/**
 * One world of `input`: the outcome (its view finished and packed, `buffers` to transfer) and
 * what the worker keeps of it once answered (`last`); `scenario` null when the input is invalid.
 */
interface Simulated {
  outcome: WorldOutcome;
  buffers: Transferable[];
  last: Kept | null;
  scenario: Scenario | null;
  label: string;
}

/**
 * Worlds simulated ahead while the page was idle (the tour's next chapter, the chapter's
 * experiment, the previous chapter: web/src/sim-client.ts prefetch), by input and world, each
 * answered once: a run of the same input and world is answered from here at once (the
 * simulation is deterministic, so it is the same world). At most STASH_MAX, the oldest let go
 * first.
 */
const STASH_MAX = 3;
const stash = new Map<string, Simulated>();

function stashKey(input: ScenarioInput, index: number): string {
  return `${index} ${JSON.stringify(input)}`;
}

/**
 * Worlds of recent runs run partway while the page was idle, kept to be finished by a later run:
 * a fault edit changes nothing before its earliest fault, and a world run to T goes on as the
 * world of any scenario whose faults before T are the same (sim/scenario/run.ts WorldRun). So a
 * fault edit at t is re-simulated from the latest of these before t, not from 0. Each is finished
 * once (its objects are the run's). At PARTWAY (fractions of the run) of the last run, at most
 * PARTWAY_MAX kept, the oldest let go first: each holds its world and its view's columns (for the
 * 100k budget scenario's pool world ~22 MB, its multiplexed world ~5 MB: Node, bench/budget-scenario.ts).
 */
const PARTWAY = [0.25, 0.5, 0.75];
/** Those three, one run to the playhead (`aim`), one a stopped run got to. */
const PARTWAY_MAX = 5;
/**
 * A world run to the playhead saves re-simulating what lies between the kept world before it and
 * the fault: not worth a run when that is less than this share of the run.
 */
const AIM_MIN_GAIN = 0.02;
/**
 * No partway worlds of a world that recorded more trace events than this: each would hold columns
 * for the whole run (~0.4 KB per request), four of a 500k-request world some 800 MB. The 100k
 * budget scenario's worlds record ~0.75 million each.
 */
const PARTWAY_MAX_EVENTS = 2_000_000;
interface Partway {
  run: WorldRun;
  view: ViewPass;
  index: number;
  /** Run to where the user left the playhead (`aim`): the next one replaces it. */
  aimed: boolean;
}
const partway: Partway[] = [];

/**
 * Keeps a partway world; a world aimed at the playhead replaces the last one. Past PARTWAY_MAX,
 * one that no edit of `s` can go on from is let go first, else the oldest.
 */
function keep(p: Partway, s: Scenario): void {
  if (p.aimed) for (let i = partway.length - 1; i >= 0; i--) if (partway[i]!.aimed && partway[i]!.index === p.index) partway.splice(i, 1);
  partway.push(p);
  while (partway.length > PARTWAY_MAX) {
    const stale = partway.findIndex((q) => q.run.whyNot(s) !== null);
    partway.splice(Math.max(0, stale), 1);
  }
}

/**
 * The kept partway world of world `index` that `s` can go on from, latest first; taken out. For a
 * run (`letGo`), those of another scenario (not just other faults) are let go: the user has moved
 * on. A world simulated ahead (the tour's next chapter) leaves them for the chapter on screen.
 */
function takePartway(s: Scenario, index: number, letGo: boolean): Partway | null {
  if (letGo) for (let i = partway.length - 1; i >= 0; i--) if (!partway[i]!.run.sameButFaults(s)) partway.splice(i, 1);
  let best = -1;
  partway.forEach((p, i) => {
    if (p.index === index && p.run.whyNot(s) === null && (best < 0 || p.run.at > partway[best]!.run.at)) best = i;
  });
  return best < 0 ? null : partway.splice(best, 1)[0]!;
}

/**
 * A run stopped between slices (a newer edit came: a fault band dragged, a second click) stops
 * between two instants (WorldRun.runTo): its world is kept as a partway world too, to go on from
 * where it got to. Dragging a fault band, each step but the first was otherwise simulated from a
 * partway world before the fault or from 0, as its predecessor had taken the one that fitted.
 */
function keepStopped(p: Partway, s: Scenario): void {
  const { run } = p;
  if (run.at <= 0 || run.whyNot(s) !== null) return;
  // As PARTWAY_MAX_EVENTS, from the events so far and how far it got into the load (the drain
  // after it adds few).
  const load = ms(s.durationMs);
  if ((run.world.kernel.trace.length * load) / Math.min(run.at, load) > PARTWAY_MAX_EVENTS) return;
  keep(p, s);
}

/**
 * Runs this worker's last world to `at` (µs) while the page is idle and keeps it (see `partway`):
 * its wall time in ms, 0 if stopped (kept as far as it got) or if the world cannot run. `from`: a
 * kept world (taken out) to go on from, not from 0.
 */
function runAhead(at: number, id: number, aimed: boolean, from: Partway | null = null): number {
  const { scenario: s, index } = last!;
  const spec = s.clients[index]!;
  if (!idleStart(id)) {
    if (from !== null) keep(from, s);
    return 0;
  }
  const started = performance.now();
  let p: Partway;
  if (from !== null) {
    // Kept from a run of another scenario, maybe (an edit of a fault after it took a later
    // world): its faults from here on are this one's (whyNot was null).
    from.run.refault(s);
    p = { ...from, aimed };
  } else {
    const view = viewPass(spec.label, s);
    p = { run: new WorldRun(s, spec, false, MAX_TRACE_EVENTS, view), view, index, aimed };
  }
  try {
    p.run.runTo(at, SLICE_EVENTS, () => idleSlice(id));
  } catch (e) {
    // Stopped (kept: as far as it got, not as the playhead's: a whole one stays), or this world
    // cannot run (its own run reported why).
    if (e instanceof Stopped) keepStopped({ ...p, aimed: false }, s);
    return 0;
  }
  keep(p, s);
  // Its view took the columns stocked for the next run: stock them again.
  stockSoon(s, spec.label);
  return performance.now() - started;
}

/** `idle`: simulated ahead while the page is idle (see idleSlice), not a run the page waits for. */
function simulate(input: ScenarioInput, index: number, onProgress: ((fraction: number) => void) | undefined, id: number, idle = false): Simulated {
  const parsed = parseScenario(input);
  if (!parsed.ok) return { outcome: { ok: false, errors: parsed.errors }, buffers: [], last: null, scenario: null, label: '' };
  const s = parsed.scenario;
  const spec = s.clients[index];
  if (spec === undefined) return { outcome: { ok: false, errors: [`clients[${index}]: no such client`] }, buffers: [], last: null, scenario: null, label: '' };
  const started = performance.now();
  let lastReport = 0;
  let going: Partway | null = null;
  try {
    // A run stopped before it starts leaves the partway worlds as they are.
    if (idle) idleSlice(id);
    else stopIfAsked(id);
    const ahead = takePartway(s, index, !idle);
    // The view is built as the events come: the trace is neither kept nor read again.
    const view = ahead?.view ?? viewPass(spec.label, s);
    const run = ahead?.run ?? new WorldRun(s, spec, false, MAX_TRACE_EVENTS, view);
    const from = run.at;
    if (ahead !== null) run.refault(s);
    going = { run, view, index, aimed: false };
    const w = run.finish(SLICE_EVENTS, (f) => {
      if (idle) idleSlice(id);
      else stopIfAsked(id);
      const now = performance.now();
      if (onProgress !== undefined && now - lastReport >= PROGRESS_EVERY_MS) {
        lastReport = now;
        void onProgress(f);
      }
    });
    const events = w.world.kernel.trace.length;
    const kept: Kept = { input, scenario: s, index, report: jsonReport({ scenario: s, worlds: [w] }).worlds[0]!, traceHash: w.traceHash, events };
    eventsRun += events;
    const simulated = performance.now();
    // Finished and packed in one (no object per request in the worker): `view` is all of it.
    const { packed, transfer: buffers } = view.finishPacked({ ...w, endUs: w.world.kernel.now });
    const ms = { simulate: simulated - started, view: performance.now() - simulated, pack: 0 };
    return { outcome: { ok: true, view: packed, ms, from }, buffers, last: kept, scenario: s, label: spec.label };
  } catch (e) {
    if (e instanceof Stopped) {
      // Not a world simulated ahead (another scenario, likely): it would push out this one's.
      if (going !== null && !idle) keepStopped(going, s);
      return { outcome: { ok: 'stopped' }, buffers: [], last: null, scenario: s, label: spec.label };
    }
    return { outcome: { ok: 'crashed', label: spec.label, message: e instanceof Error ? e.message : String(e) }, buffers: [], last: null, scenario: s, label: spec.label };
  }
}

const api = {
  /** The page's stop flag: shared memory, read between slices of a run. */
  share(flag: Int32Array): void {
    stop = flag;
  },
  /** `id`: the page's id of this run; it stops at its next slice once the stop flag reaches it. */
  runWorld(input: ScenarioInput, index: number, onProgress?: ((fraction: number) => void) & ProxyMarked, id = Number.POSITIVE_INFINITY): WorldOutcome {
    last = null;
    stopStocking();
    const key = stashKey(input, index);
    const ready = stash.get(key);
    stash.delete(key);
    const r = ready ?? simulate(input, index, onProgress, id);
    last = r.last;
    if (r.outcome.ok === true && r.scenario !== null) {
      const s = r.scenario;
      parkSoon(s, s.clients[index]!);
      stockSoon(s, r.label);
    }
    const outcome = ready === undefined || r.outcome.ok !== true ? r.outcome : { ...r.outcome, ms: { simulate: 0, view: 0, pack: 0 }, prepared: true as const };
    return r.buffers.length > 0 ? transfer(outcome, r.buffers) : outcome;
  },
  /**
   * Simulates world `index` of `input` ahead, for a run of it asked later (see `stash`): true once
   * it is ready (or already was), false if stopped (the page's stop flag reached `id`). Leaves the
   * worker's last world (exports, the warm-up) as it was.
   */
  prepare(input: ScenarioInput, index: number, id: number): boolean {
    const key = stashKey(input, index);
    if (stash.has(key)) return true;
    if (!idleStart(id)) return false;
    stopStocking();
    const r = simulate(input, index, undefined, id, true);
    if (r.outcome.ok === 'stopped' || r.scenario === null) return r.outcome.ok !== 'stopped';
    stash.set(key, r);
    for (const k of stash.keys()) if (stash.size > STASH_MAX) stash.delete(k);
    return true;
  },
  /**
   * Piece `n` of this worker's JIT warm-up (./warm.ts): a short run of its last world with a fault,
   * built into a view as a real run is (the same code gets warm), then thrown away. Touches
   * nothing an export reads. `id`: the page's last run, whose stop ends the piece at a slice too.
   * Answers the piece's wall time in ms (0 for a piece that is not a valid scenario, was stopped,
   * or passed PIECE_MAX_EVENTS), 'warm' when there is nothing left to do (./warm.ts's warmDone),
   * or 'no world' when there is none to warm on (its last run crashed or stopped).
   */
  warm(n: number, id = Number.POSITIVE_INFINITY): number | 'warm' | 'no world' {
    if (warmDone(eventsRun, n)) return 'warm';
    if (last === null) return 'no world';
    const parsed = parseScenario(warmPiece(last.input, last.scenario.durationMs, last.events, n));
    if (!parsed.ok) return 0;
    const s = parsed.scenario;
    const spec = s.clients[last.index]!;
    if (!idleStart(id)) return 0;
    const started = performance.now();
    const view = viewPass(spec.label, s);
    let w;
    try {
      w = runWorld(s, spec, () => idleSlice(id), SLICE_EVENTS, false, PIECE_MAX_EVENTS, view);
      view.finishPacked({ ...w, endUs: w.world.kernel.now });
    } catch {
      // Stopped, too busy, or crashed: the real run of this world reports its own crash.
      eventsRun += PIECE_MAX_EVENTS / 8;
      return 0;
    }
    eventsRun += w.world.kernel.trace.length;
    return performance.now() - started;
  },
  /**
   * Runs world `n` of PARTWAY ahead: this worker's last world run to that fraction of its run and
   * kept (see `partway`), unless one it could go on from is kept already. Answers its wall time in
   * ms (0 when there was nothing to do or it was stopped), or 'done' past the last (or with no last
   * world). Stops at a slice once the page's stop flag reaches `id`, as a run does.
   */
  partway(n: number, id = Number.POSITIVE_INFINITY): number | 'done' {
    if (last === null || n >= PARTWAY.length || last.events > PARTWAY_MAX_EVENTS) return 'done';
    const { scenario: s, index } = last;
    const at = Math.round(ms(s.durationMs) * PARTWAY[n]!);
    // (Not one run to the playhead: the next aim lets that go.)
    if (partway.some((p) => p.index === index && !p.aimed && p.run.at === at && p.run.whyNot(s) === null)) return 0;
    // Not counted towards the warm-up (eventsRun): these run the world as it is, and the warm-up's
    // pieces each add a fault (the reconnection paths an edit runs). Counted, they cut the
    // default scenario's pieces from ~55 to ~32 and its next fault edits ran 1.5-2x slower.
    return runAhead(at, id, false);
  },
  /**
   * Runs this worker's last world to `at` (µs), where the user left the playhead: a fault added
   * there (the toolbar adds it at the playhead) is then re-simulated from its own instant, not
   * from the kept world before it (at 45% of the 100k budget scenario: 55% of the run instead of
   * 75%). Answers its wall time in ms, 0 when not worth it (a kept world within AIM_MIN_GAIN of
   * the run before `at`, or `at` that early) or stopped, and the instant of the last aim's world
   * it carried on (µs; 0: none, from the start or not run). Stops as `partway` does.
   */
  aim(at: number, id = Number.POSITIVE_INFINITY): { ms: number; from: number } {
    const none = { ms: 0, from: 0 };
    if (last === null || last.events > PARTWAY_MAX_EVENTS) return none;
    const { scenario: s, index } = last;
    const gain = ms(s.durationMs) * AIM_MIN_GAIN;
    if (at < gain || partway.some((p) => p.index === index && p.run.at <= at && at - p.run.at < gain && p.run.whyNot(s) === null)) return none;
    // The last aim's world, if the playhead moved on from it (played on, stepped, scrubbed
    // forward): carried on, not run again from 0. One it moved back from is let go as keep does.
    const prev = partway.findIndex((p) => p.aimed && p.index === index && p.run.at <= at && p.run.whyNot(s) === null);
    const from = prev < 0 ? null : partway.splice(prev, 1)[0]!;
    const start = from?.run.at ?? 0;
    return { ms: runAhead(Math.round(at), id, true, from), from: start };
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
