/**
 * Warming a worker's JIT while the page is idle. Chromium's V8 optimises a worker's code only
 * after it has run a while: measured on the default scenario (two workers in parallel on the
 * 2-core machine), a world's run took ~1,000 ms, then 800, 560, 460, 230 ms on its 2nd-5th runs,
 * where Node is warm by its 3rd (V8's tracing shows TurboFan compiles all along: no deopt loop).
 * A user's first fault edit came on the 2nd run: three to four times the warm cost. So after a
 * run, each idle worker simulates short pieces of its own world, each with a fault of another kind
 * (their reconnection paths are what a fault edit runs), until it has run WARM_EVENTS and at
 * least MIN_PIECES pieces (warmDone). Pieces are short and stop at a slice when a run is asked
 * for, as a run does (sim.worker.ts), so the run waits for at most a slice.
 */
import { FAULT_KINDS, faultWithDefaults } from '../../../sim/faults/index.js';
import { ms } from '../../../sim/kernel/time.js';
import { buildWorld, startWorld, type ClientSpec, type Scenario, type ScenarioInput } from '../../../sim/scenario/index.js';
import { streamMetrics } from '../../../sim/scenario/metrics.js';
import { viewPass, type ViewPass } from '../../../sim/views/index.js';
import type { World } from '../../../sim/worlds/world.js';

/**
 * Trace events a piece aims at (~1,000 requests of the default scenario's worlds): measured idle
 * (bench:web, 18:58), 52 and 60 pieces took 2.1 and 2.4 s, ~40 ms a piece, the cold ones included.
 * By events, not requests: a request of 2,000 pipelined commands is thousands of events.
 */
export const PIECE_EVENTS = 15_000;

/** A piece that records more than this is stopped (its fault made it far busier than its world). */
export const PIECE_MAX_EVENTS = 8 * PIECE_EVENTS;

/**
 * Trace events a worker records (its runs and its pieces) before it counts as warm: V8 tiers code
 * up by how much of it has run, not by time. Measured in Chromium (two workers in parallel, load
 * ~10, the default scenario's worlds of 10k and 20k requests, ~14 events each): the first fault
 * edit after the first run took 3.8-3.9 s (pool) and 4.3-4.8 s (multiplex) unwarmed, 0.6-0.9 s and
 * 1.0-1.5 s after 40k requests of pieces, no better after 80k. 800k events: ~60k such requests.
 */
export const WARM_EVENTS = 800_000;

/**
 * Pieces at least, however many events the worker's runs recorded. V8 tiers a world's code up
 * over its first several *runs*, not by how long they were: each new world shows its code new
 * maps and number representations (deopts, then recompiles). The 100k budget scenario's first run
 * records ~1.5M events, past WARM_EVENTS on its own, and its next run still took ~2 s in a worker.
 * Counted with V8's --trace-opt in Chromium (one worker, budget scenario's pool world, 20:20, load
 * ~5): after its first run, its 2nd and 3rd runs compiled 48 and 22 functions with TurboFan and
 * took 2.0 and 1.4 s; with 30 pieces after the first run, the 2nd compiled none (the pieces had)
 * and the 2nd and 3rd took 1.1 and 0.9 s. 30 pieces of the budget scenario took 1.7 s of each
 * idle worker (bench:web, 21:39).
 */
export const MIN_PIECES = 30;

/** Pieces at most, however few events they record. */
export const MAX_PIECES = 120;

/** Whether a worker that has recorded `events` (runs and pieces) and run `pieces` pieces is warm. */
export function warmDone(events: number, pieces: number): boolean {
  return (events >= WARM_EVENTS && pieces >= MIN_PIECES) || pieces >= MAX_PIECES;
}

/**
 * The `n`th piece of warm-up for a world that recorded `events` trace events in `durationMs`: the
 * same scenario cut to ~PIECE_EVENTS events, with a fault of the kind n picks (in the registry's
 * order) a third of the way in, and a short drain (the piece's results are thrown away).
 */
export function warmPiece(input: ScenarioInput, durationMs: number, events: number, n: number): ScenarioInput {
  const rate = events / Math.max(durationMs, 1e-3);
  const pieceMs = Math.min(durationMs, rate > 0 ? Math.max(1e-3, PIECE_EVENTS / rate) : durationMs);
  const at = Math.round(pieceMs * 333) / 1000;
  const kind = FAULT_KINDS[n % FAULT_KINDS.length]!;
  return { ...input, durationMs: pieceMs, drainMs: pieceMs, faults: [faultWithDefaults(kind, at)] };
}

/**
 * Kernel events a parked world runs: ~900 requests of the default scenario's worlds, 50-90 ms of
 * their virtual time. It costs 17-40 ms once warm (Node, parkWorld of each world, load ~3; up to
 * 230 ms cold), after the run's answer is posted. Its effect was counted with this size.
 */
export const PARK_EVENTS = 8_000;

/**
 * A world of scenario `s`'s client `spec`, run PARK_EVENTS kernel events in and kept by the
 * caller while the worker is idle, so the JIT's code stays warm across a full GC.
 *
 * Why: V8's optimised code embeds, weakly, the hidden classes (maps) of the objects it handled. A
 * class's instances reach their map through transitions that V8 holds weakly too, so once a run
 * is over and nothing of its world is alive, the next full GC (the memory reducer runs one when
 * the worker goes idle) frees those maps and throws away the code that embeds them: ~210
 * functions ("embedded weak objects cleared"), recompiled from the interpreter up on the next run.
 * Counted in Chromium with --trace-opt/--trace-deopt (a worker running the default scenario's pool
 * world, a forced GC after each run, 20:38, load ~6): every run compiled ~62 functions with
 * TurboFan and ~220 with Maglev and took 2.2-2.9 s; with a world parked after each run, runs 4-6
 * compiled 4-8 and 13-22 and took 0.46-0.57 s. A parked world's live objects (events queued,
 * processes, calls in flight, sockets, the view's rows) keep those maps, so the code, alive.
 */
export function parkWorld(s: Scenario, spec: ClientSpec): { world: World; view: ViewPass; metrics: unknown } {
  const { world, end } = buildWorld(s, spec, false);
  // Small columns: it sees PARK_EVENTS, not the run the size hints remember.
  const view = viewPass(spec.label, s, false);
  const metrics = streamMetrics(world.kernel.trace, ms(s.durationMs), ms(s.workload.callTimeoutMs), view);
  startWorld(s, spec, world);
  world.kernel.run(end, PARK_EVENTS);
  return { world, view, metrics };
}
