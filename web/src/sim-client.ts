/**
 * The page's handle on the simulation: one worker per world, run in parallel. One run at a
 * time: starting another, or cancelling, stops the busy workers' runs. Workers are kept as long
 * as possible: a fresh one parses the bundle again and runs the simulation cold (Chromium's JIT
 * needs several runs' worth of a world to be warm: ./worker/warm.ts). Where the page is
 * cross-origin isolated (vite.config.ts sends the headers) a run is stopped by a flag in shared
 * memory that the worker reads between slices of events, and the worker is kept; elsewhere it is
 * terminated and replaced.
 */
import { proxy, wrap, type Remote } from 'comlink';
import { ms } from '../../sim/kernel/time.js';
import { faultsInRunOrder, parseScenario, type Scenario, type ScenarioInput } from '../../sim/scenario/schema.js';
import { faultViews, unpackWorld, type LabView, type WorldView } from '../../sim/views/index.js';
import type { SimApi, WorldOutcome } from './worker/sim.worker.js';

export type RunOutcome = { ok: true; view: LabView } | { ok: false; errors: string[] };

interface Slot {
  worker: Worker;
  api: Remote<SimApi>;
  /**
   * Runs asked of this worker and not answered yet: more than one when a stopped run is still
   * unwinding (the next one waits behind it in the worker's queue).
   */
  running: number;
  /** Its JIT warm-up (./worker/warm.ts): each piece's cost so far; done when the worker said so. */
  warm: { costs: number[]; done: boolean };
  /** Its chains of idle work going on (one takes up a new aim between its steps). */
  idling: number;
  /** Where its last world was run ahead to for the playhead (see aim), null for nowhere yet. */
  aimedAt: number | null;
}

/** How long the page stays idle after a run before the workers start warming. */
const WARM_AFTER_MS = 300;

/**
 * The least time between two progress reports to the page. The workers report every ~50 ms; each
 * report drawn is a render and a frame of the page's thread, whose CPU the workers share (two
 * cores): a run of half a second gets one or two.
 */
export const PROGRESS_EVERY_MS = 250;

/**
 * Shared with every worker where the page is cross-origin isolated: [0] is the id of the last
 * run stopped; a worker's run of that id or a lower one stops at its next slice of events, but
 * for [1] (0 for none): the world simulated ahead of the run that stopped the others. [2] is 1
 * while the user pans, zooms, drags or types: the workers' idle work (simulating ahead, partway
 * worlds, warming) waits at its next slice, so the page has both cores (./worker/sim.worker.ts);
 * [3] counts how often it waited.
 */
function stopFlag(): Int32Array | null {
  // duplexTerminate: for browser tests, the way of a page served without the headers.
  const g = globalThis as { crossOriginIsolated?: boolean; duplexTerminate?: unknown };
  if (g.crossOriginIsolated !== true || typeof SharedArrayBuffer !== 'function' || g.duplexTerminate === true) return null;
  const flag = new Int32Array(new SharedArrayBuffer(16));
  // For browser tests: [3] counts the times idle work waited for the user.
  (globalThis as { __dxStopFlag?: Int32Array }).__dxStopFlag = flag;
  return flag;
}

/**
 * How long after the user's last wheel, drag or key the workers' idle work waits: a pan or zoom
 * is a burst of events a few ms apart. Idle work after a 100k edit takes both cores for ~1-2 s
 * (a partway world built while the user wheeled took 3.2 s instead of ~0.2-0.5: it waited). Whether
 * frames are better for it was not told apart: panning after an edit measured p95 16.7 ms with
 * the wait, and the 50-67 ms first seen came from the picture (faults mid-run), not the workers.
 */
const USER_QUIET_MS = 400;
/** The same while a button is held down (a drag), at most this long without another event. */
const USER_HOLD_MS = 10_000;

/** Worlds of a run that answered, by index (`key`: its input's runKey), each with its worker. */
interface Answered {
  key: string;
  worlds: Map<number, { outcome: Extract<WorldOutcome, { ok: true }>; world: WorldView; slot: Slot }>;
}

/**
 * Inputs that make the same run, the same key: their faults in the order the run applies them
 * (a drag keeps the dragged fault in its place in the list, its drop sorts the list).
 */
export function runKey(input: ScenarioInput): string {
  return JSON.stringify({ ...input, faults: faultsInRunOrder(input.faults ?? []) });
}

export class SimClient {
  /** Indexed by world; an empty place gets a fresh worker when next needed. */
  private slots: Array<Slot | undefined> = [];
  /** The workers hold the worlds of `lastInput` (false while a run overwrites them). */
  private holdsLast = false;
  private generation = 0;
  /** Each run's id (the stop flag's unit); not reset, as the flag is never. */
  private runId = 0;
  private readonly stop = stopFlag();
  private userQuiet: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    const stop = this.stop;
    if (stop === null || typeof document === 'undefined') return;
    const quiet = () => {
      this.userQuiet = null;
      Atomics.store(stop, 2, 0);
      Atomics.notify(stop, 2);
    };
    let held = false;
    const busy = (e: Event) => {
      // Whether a button is down, from every pointer event (a pointerup missed is made up for).
      if (e.type.startsWith('pointer')) held = (e as PointerEvent).buttons !== 0;
      // A pointer moving with no button down is a user reading (hover cards), not a pan.
      if (e.type === 'pointermove' && !held) return;
      Atomics.store(stop, 2, 1);
      if (this.userQuiet !== null) clearTimeout(this.userQuiet);
      // A button held down is a drag going on, however still the pointer (for a while: a button
      // let go outside the window may never be told).
      this.userQuiet = setTimeout(quiet, held ? USER_HOLD_MS : USER_QUIET_MS);
    };
    // scroll: a touch scroll is a pointercancel, then only scroll events.
    for (const type of ['wheel', 'pointerdown', 'pointermove', 'pointerup', 'pointercancel', 'keydown', 'scroll']) document.addEventListener(type, busy, { capture: true, passive: true });
    window.addEventListener('blur', () => {
      held = false;
      if (this.userQuiet === null) return;
      clearTimeout(this.userQuiet);
      quiet();
    });
  }
  private lastInput: ScenarioInput | null = null;
  /**
   * The worlds a cancelled run had in, by index, with the scenario (JSON) they are of: a run of
   * the same scenario next takes them instead of simulating them again (the drop of a dragged
   * fault where the drag's run, stopped by the drop, had it). Each world's worker still holds
   * that world as its last (nothing runs on it in between), so exports read the same.
   */
  private leftover: Answered | null = null;
  /** The worlds in so far of the run going (cancel() leaves them as the leftover). */
  private answering: Answered | null = null;
  /**
   * Ends the run in progress with null. A terminated worker never answers, so without this a
   * cancelled run's promise (and whatever awaits it: a drag's loop, a live edit) would hang on.
   */
  private stopRun: (() => void) | null = null;
  /** Runs held by a browser test (see testHold), let go when cancelled. */
  private held: Array<() => void> = [];
  /**
   * What the page expects to run next (the tour's next and previous chapters, the experiment), each
   * with the id its worlds are simulated ahead under (given when the first of them starts).
   */
  private ahead: Array<{ input: ScenarioInput; key: string; id: number }> = [];
  /** Where the user left the playhead (µs), null for nowhere: see aim. */
  private aimAt: number | null = null;
  /** Whether the idle work runs ahead to the playhead (see idle). */
  private aiming = false;
  /** The generation and scenario of the last run's idle work, for an aim that comes after it ended. */
  private idleOf: { gen: number; s: Scenario } | null = null;

  /**
   * For browser tests only: while `window.duplexHoldRuns` holds a promise, a run stays busy
   * after its worlds are done until that promise settles (or the run is cancelled). A test acts
   * "during a run" this way whatever the machine's speed; nothing else sets it.
   */
  private testHold(): Promise<void> | undefined {
    const hold = (globalThis as { duplexHoldRuns?: unknown }).duplexHoldRuns;
    if (!(hold instanceof Promise)) return undefined;
    return new Promise<void>((resolve) => {
      this.held.push(resolve);
      hold.then(() => resolve(), () => resolve());
    });
  }

  private slot(i: number): Slot {
    let s = this.slots[i];
    if (s === undefined) {
      const worker = new Worker(new URL('./worker/sim.worker.ts', import.meta.url), { type: 'module' });
      s = { worker, api: wrap<SimApi>(worker), running: 0, warm: { costs: [], done: false }, idling: 0, aimedAt: null };
      if (this.stop !== null) void s.api.share(this.stop);
      this.slots[i] = s;
    }
    return s;
  }

  /**
   * Runs a scenario; resolves null if it was cancelled or superseded. Each world is unpacked as
   * soon as its worker answers, and handed to `prepare` (the page's indexes of it), while the other
   * workers may still be simulating; the run resolves once every world is in, all shown together.
   */
  async run(input: ScenarioInput, onProgress: (fraction: number) => void, prepare?: (world: WorldView, durationUs: number) => void): Promise<RunOutcome | null> {
    const parsed = parseScenario(input);
    if (!parsed.ok) return { ok: false, errors: parsed.errors };
    const s = parsed.scenario;
    // Its worlds may be simulating ahead: those go on (the run's answer waits behind them).
    const key = JSON.stringify(input);
    this.cancel(this.ahead.find((a) => a.key === key && a.id > 0)?.id);
    this.ahead = [];
    const gen = this.generation;
    const id = ++this.runId;
    // The worlds of a run stopped meanwhile, if it was this same run (a drag's, dropped there).
    const same = runKey(input);
    const reuse = this.leftover?.key === same ? this.leftover.worlds : null;
    this.leftover = null;
    const answeredNow: Answered['worlds'] = new Map();
    this.answering = { key: same, worlds: answeredNow };
    this.holdsLast = false;
    // Workers beyond this scenario's worlds hold another run's world: exports must not see it.
    for (const extra of this.slots.splice(s.clients.length)) extra?.worker.terminate();
    const progress = s.clients.map(() => 0);
    let reportedAt = performance.now();
    const report = () => {
      const now = performance.now();
      if (now - reportedAt < PROGRESS_EVERY_MS) return;
      reportedAt = now;
      onProgress(progress.reduce((a, b) => a + b, 0) / progress.length);
    };
    const stopped = new Promise<null>((resolve) => {
      this.stopRun = () => resolve(null);
    });
    const durationUs = ms(s.durationMs);
    // Time spent unpacking and preparing worlds, and the last world's (after every answer was in).
    let unpackMs = 0;
    let unpackedAfterLast = 0;
    let results;
    try {
      results = await Promise.race([stopped, Promise.all(
        s.clients.map(async (_, i) => {
          const slot = this.slot(i);
          // Its world is this run's now: nothing run ahead to the playhead of it yet.
          slot.aimedAt = null;
          const kept = reuse?.get(i);
          if (kept !== undefined && kept.slot === slot) {
            answeredNow.set(i, kept);
            await this.testHold();
            return { outcome: { ...kept.outcome, ms: { simulate: 0, view: 0, pack: 0 }, reused: true as const }, world: kept.world };
          }
          slot.running++;
          try {
            const outcome = await slot.api.runWorld(
              input,
              i,
              proxy((f: number) => {
                // A stopped run may report once more while it unwinds: not over the next run's.
                if (gen !== this.generation) return;
                progress[i] = f;
                report();
              }),
              id,
            );
            const answered = performance.now();
            // For browser tests (they set the array): a run stopped by the flag, by world.
            if (outcome.ok === 'stopped') (globalThis as { __dxStopped?: number[] }).__dxStopped?.push(i);
            // For browser tests (they set the array): a world that answered, by index.
            else (globalThis as { __dxAnswered?: number[] }).__dxAnswered?.push(i);
            let world: WorldView | null = null;
            unpackedAfterLast = 0;
            if (outcome.ok === true && gen === this.generation) {
              world = unpackWorld(outcome.view);
              prepare?.(world, durationUs);
              const took = performance.now() - answered;
              unpackMs += took;
              unpackedAfterLast = took;
              answeredNow.set(i, { outcome, world, slot });
            }
            await this.testHold();
            return { outcome, world };
          } finally {
            slot.running--;
          }
        }),
      )]);
    } catch (e) {
      if (gen !== this.generation) return null;
      this.stopRun = null;
      this.answering = null;
      throw e;
    }
    if (results === null || gen !== this.generation) return null;
    this.stopRun = null;
    this.answering = null;
    const view: LabView = { scenario: s, worlds: [], failed: [], faults: faultViews(s), endUs: durationUs, durationUs };
    for (const { outcome: o, world } of results) {
      if (o.ok === true) {
        if (world === null) return null; // answered after it was superseded
        view.worlds.push(world);
        view.endUs = Math.max(view.endUs, world.endUs);
      } else if (o.ok === 'crashed') view.failed.push({ label: o.label, message: o.message });
      else if (o.ok === 'stopped') return null; // only a later run stops one: this one is superseded
      else return { ok: false, errors: o.errors };
    }
    // Every world answered: the workers hold this input's worlds (an export reads them).
    this.lastInput = input;
    this.holdsLast = true;
    // For bench:web (it sets the array): where a run's time went, per world and on the page.
    // `unpack`: the page's unpacking (and preparing) after the last world answered; `unpackAll`:
    // all of it, the earlier worlds' done while the last one still simulated.
    (globalThis as { __dxRuns?: unknown[] }).__dxRuns?.push({
      worlds: results.map(({ outcome: o }) => (o.ok === true ? { ...o.ms, prepared: o.prepared === true, from: o.from, reused: 'reused' in o } : null)),
      unpack: unpackedAfterLast,
      unpackAll: unpackMs,
    });
    setTimeout(() => this.idle(gen, s), WARM_AFTER_MS);
    return { ok: true, view };
  }

  /**
   * Simulates the worlds of these inputs ahead, in this order, while the workers are idle after
   * the last run (then they warm: ./worker/warm.ts). A run of one of them is answered at once,
   * its worlds already made (or, if still simulating, as soon as they are). The next run drops
   * the list; the page asks again after it. Where runs cannot be stopped by the flag (not cross-origin
   * isolated) nothing is simulated ahead: a run would wait for it whole.
   */
  prefetch(inputs: ScenarioInput[]): void {
    if (this.stop === null) return;
    this.ahead = inputs.map((input) => ({ input, key: JSON.stringify(input), id: 0 }));
  }

  /**
   * Each idle worker simulates ahead what the page expects next (prefetch), runs its world partway
   * (a fault edit is re-simulated from there: ./worker/sim.worker.ts `partway`), then warms its JIT
   * on its world (see ./worker/warm.ts), one piece at a time, until the worker says it is warm; all
   * stop at once when another run starts (the world or piece in flight stops at its next slice, by
   * the same flag as a run). Not in a hidden tab, and not under automation unless the page asks
   * for it (`window.duplexWarm = true`, `window.duplexPrefetch = true`: bench:web and their own
   * browser tests), so browser tests run as fast as before.
   */
  private idle(gen: number, s: Scenario): void {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    const g = globalThis as { duplexWarm?: unknown; duplexPrefetch?: unknown; navigator?: { webdriver?: boolean } };
    const auto = g.navigator?.webdriver === true;
    const warmUp = !auto || g.duplexWarm === true;
    const ahead = !auto || g.duplexPrefetch === true;
    // Under automation, runs ahead to the playhead only when asked too (`window.duplexAim = true`:
    // bench:web, its own tests): other tests time their clicks against the partway worlds alone.
    this.aiming = !auto || (ahead && (g as { duplexAim?: unknown }).duplexAim === true);
    this.idleOf = ahead ? { gen, s } : null;
    s.clients.forEach(async (_, i) => {
      const slot = this.slots[i];
      if (slot === undefined) return;
      slot.idling++;
      try {
        await this.idleWork(gen, slot, i, warmUp, ahead);
      } finally {
        slot.idling--;
      }
    });
  }

  /** One worker's idle work after run `gen` (see idle). */
  private async idleWork(gen: number, slot: Slot, i: number, warmUp: boolean, ahead: boolean): Promise<void> {
    const current = () => gen === this.generation && slot.running === 0 && this.slots[i] === slot;
    for (let k = 0; ahead && k < this.ahead.length; k++) {
      if (!current()) return;
      const a = this.ahead[k]!;
      if (a.id === 0) a.id = ++this.runId;
      const ready = await slot.api.prepare(a.input, i, a.id).catch(() => false);
      if (!ready) return;
      // For bench:web and tests (they set the array): worlds simulated ahead.
      (globalThis as { __dxAhead?: unknown[] }).__dxAhead?.push({ world: i, key: a.key });
    }
    // Idle work of its own id: a later run that spares a world simulated ahead (its id) stops it.
    const idleId = ++this.runId;
    // Then its world partway (a fault edit goes on from the latest before its fault).
    // For bench:web and tests (they set the array): worlds run partway, what each cost, then done.
    const told = (globalThis as { __dxPartway?: unknown[] }).__dxPartway;
    for (let n = 0; ahead && this.stop !== null; n++) {
      if (!current()) return;
      const took = await slot.api.partway(n, idleId).catch(() => 'done' as const);
      if (took === 'done') {
        told?.push({ world: i, done: true });
        break;
      }
      told?.push({ world: i, n, ms: took });
    }
    if (ahead && !(await this.aimed(slot, i, idleId, current))) return;
    const warm = slot.warm;
    if (!warmUp || warm.done) return;
    while (!warm.done) {
      if (!current()) return;
      if (ahead && !(await this.aimed(slot, i, idleId, current))) return;
      const cost = await slot.api.warm(warm.costs.length, idleId).catch(() => 'no world' as const);
      // No world to warm on (it crashed or was stopped): the next run's warm-up goes on.
      if (cost === 'no world') return;
      if (cost === 'warm') warm.done = true;
      else warm.costs.push(cost);
    }
    // For bench:web and tests (they set the array): what warming cost, per world.
    (globalThis as { __dxWarm?: unknown[] }).__dxWarm?.push({ world: i, pieces: warm.costs.length, ms: warm.costs.reduce((a, b) => a + b, 0) });
    // An aim that came during the last piece (aim() left it to this chain).
    if (ahead) await this.aimed(slot, i, idleId, current);
  }

  /**
   * The user left the playhead at `at` (µs): each worker runs its world there ahead, as idle work
   * (./worker/sim.worker.ts `aim`), so that a fault added there is re-simulated from its instant.
   * A worker still at its idle work takes it up between two steps; one done with it starts now.
   */
  aim(at: number): void {
    // Not where a run cannot be stopped by the flag: a run would wait for it whole.
    if (this.stop === null || this.aimAt === at) return;
    this.aimAt = at;
    const idle = this.idleOf;
    if (idle === null || idle.gen !== this.generation || !this.aiming) return;
    this.slots.forEach((slot, i) => {
      if (slot === undefined || slot.idling > 0 || slot.running > 0 || i >= idle.s.clients.length) return;
      slot.idling++;
      const idleId = ++this.runId;
      void this.aimed(slot, i, idleId, () => idle.gen === this.generation && slot.running === 0 && this.slots[i] === slot).finally(() => {
        slot.idling--;
      });
    });
  }

  /** Runs the slot's world to the playhead if it moved since (see aim): false if the idle work is over. */
  private async aimed(slot: Slot, i: number, id: number, current: () => boolean): Promise<boolean> {
    while (this.aiming && this.aimAt !== null && slot.aimedAt !== this.aimAt) {
      if (!current()) return false;
      const at = this.aimAt;
      const took = await slot.api.aim(at, id).catch(() => ({ ms: 0, from: 0 }));
      if (!current()) return false;
      slot.aimedAt = at;
      // For bench:web and tests (they set the array): worlds run ahead to the playhead.
      (globalThis as { __dxAimed?: unknown[] }).__dxAimed?.push({ world: i, at, ...took });
    }
    return true;
  }

  /**
   * Stops the run in progress, if any. With the stop flag its workers stop at their next slice of
   * events and are kept (warm); without it the busy ones are terminated. Idle workers are kept.
   */
  cancel(spare = 0): void {
    this.generation++;
    if (this.answering !== null && this.answering.worlds.size > 0) this.leftover = this.answering;
    this.answering = null;
    this.stopRun?.();
    this.stopRun = null;
    for (const release of this.held.splice(0)) release();
    if (this.stop !== null) {
      Atomics.store(this.stop, 1, spare);
      Atomics.store(this.stop, 0, this.runId);
      // Idle work waiting for the user to be done stops now, not when it next looks.
      Atomics.notify(this.stop, 2);
      return;
    }
    this.slots = this.slots.map((s) => {
      if (s === undefined || s.running === 0) return s;
      s.worker.terminate();
      return undefined;
    });
  }

  /** Stops the workers' idle work (an export's questions would wait behind it); the next run's resumes. */
  private stopIdle(): void {
    this.generation++;
    if (this.stop === null) return;
    Atomics.store(this.stop, 1, 0);
    Atomics.store(this.stop, 0, this.runId);
    Atomics.notify(this.stop, 2);
  }

  /** A run is in progress (not a stopped one still unwinding: what is asked next waits behind it). */
  get busy(): boolean {
    return this.stopRun !== null;
  }

  /**
   * The last finished run, exported as the CLI would (--json, --out-trace, --out-perfetto); null
   * if none has finished. Not while a run is in progress (the caller waits or cancels it first):
   * re-running the last input here would cancel that run behind its owner's back.
   */
  async export(kind: 'report' | 'trace' | 'perfetto'): Promise<string | null> {
    if (this.busy) throw new Error('a simulation is running: export when it is done, or cancel it (Escape)');
    this.stopIdle();
    const input = this.lastInput;
    if (input === null) return null;
    // A cancelled run may have overwritten some workers' worlds: the same input gives the same run.
    if (!this.holdsLast && (await this.run(input, () => {})) === null) return null;
    const slots = this.slots.filter((x): x is Slot => x !== undefined);
    const parsed = parseScenario(input);
    if (!parsed.ok) return null;
    const s = parsed.scenario;
    if (kind === 'report') {
      const worlds = await Promise.all(slots.map((x) => x.api.report()));
      return JSON.stringify({ scenario: s.name, seed: s.seed, worlds: worlds.filter((w) => w !== null) }, null, 2);
    }
    if (kind === 'trace') {
      const worlds = await Promise.all(slots.map((x) => x.api.trace()));
      return JSON.stringify({ worlds: worlds.filter((w) => w !== null) });
    }
    const parts = await Promise.all(slots.map((x) => x.api.perfetto()));
    // Each worker numbers its world 1: renumber so every world is its own process.
    const traceEvents = parts.flatMap((events, i) => (events ?? []).map((e) => ({ ...(e as object), pid: i + 1 })));
    return JSON.stringify({ traceEvents, displayTimeUnit: 'ms' });
  }
}
