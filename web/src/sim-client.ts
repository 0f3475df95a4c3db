/**
 * The page's handle on the simulation: one worker per world, run in parallel. One run at a
 * time: starting another, or cancelling, terminates the busy workers and starts fresh ones.
 */
import { proxy, wrap, type Remote } from 'comlink';
import { ms } from '../../sim/kernel/time.js';
import { parseScenario, type ScenarioInput } from '../../sim/scenario/index.js';
import { faultViews, type LabView } from '../../sim/views/index.js';
import type { SimApi } from './worker/sim.worker.js';

export type RunOutcome = { ok: true; view: LabView } | { ok: false; errors: string[] };

interface Slot {
  worker: Worker;
  api: Remote<SimApi>;
}

export class SimClient {
  private slots: Slot[] = [];
  private generation = 0;
  private lastInput: ScenarioInput | null = null;

  private slot(i: number): Slot {
    let s = this.slots[i];
    if (s === undefined) {
      const worker = new Worker(new URL('./worker/sim.worker.ts', import.meta.url), { type: 'module' });
      s = { worker, api: wrap<SimApi>(worker) };
      this.slots[i] = s;
    }
    return s;
  }

  /** Runs a scenario; resolves null if it was cancelled or superseded. */
  async run(input: ScenarioInput, onProgress: (fraction: number) => void): Promise<RunOutcome | null> {
    const parsed = parseScenario(input);
    if (!parsed.ok) return { ok: false, errors: parsed.errors };
    const s = parsed.scenario;
    this.cancel();
    const gen = ++this.generation;
    const progress = s.clients.map(() => 0);
    const report = () => onProgress(progress.reduce((a, b) => a + b, 0) / progress.length);
    let outcomes;
    try {
      outcomes = await Promise.all(
        s.clients.map((_, i) =>
          this.slot(i).api.runWorld(
            input,
            i,
            proxy((f: number) => {
              progress[i] = f;
              report();
            }),
          ),
        ),
      );
    } catch (e) {
      if (gen !== this.generation) return null;
      throw e;
    }
    if (gen !== this.generation) return null;
    this.lastInput = input;
    const view: LabView = { scenario: s, worlds: [], failed: [], faults: faultViews(s), endUs: ms(s.durationMs), durationUs: ms(s.durationMs) };
    for (const o of outcomes) {
      if (o.ok === true) {
        view.worlds.push(o.view);
        view.endUs = Math.max(view.endUs, o.view.endUs);
      } else if (o.ok === 'crashed') view.failed.push({ label: o.label, message: o.message });
      else return { ok: false, errors: o.errors };
    }
    return { ok: true, view };
  }

  cancel(): void {
    this.generation++;
    for (const s of this.slots) s.worker.terminate();
    this.slots = [];
  }

  /** The last finished run, exported as the CLI would (--json, --out-trace, --out-perfetto). */
  async export(kind: 'report' | 'trace' | 'perfetto'): Promise<string | null> {
    const input = this.lastInput;
    if (input === null || this.slots.length === 0) return null;
    const parsed = parseScenario(input);
    if (!parsed.ok) return null;
    const s = parsed.scenario;
    if (kind === 'report') {
      const worlds = await Promise.all(this.slots.map((x) => x.api.report()));
      return JSON.stringify({ scenario: s.name, seed: s.seed, worlds: worlds.filter((w) => w !== null) }, null, 2);
    }
    if (kind === 'trace') {
      const worlds = await Promise.all(this.slots.map((x) => x.api.trace()));
      return JSON.stringify({ worlds: worlds.filter((w) => w !== null) });
    }
    const parts = await Promise.all(this.slots.map((x) => x.api.perfetto()));
    // Each worker numbers its world 1: renumber so every world is its own process.
    const traceEvents = parts.flatMap((events, i) => (events ?? []).map((e) => ({ ...(e as object), pid: i + 1 })));
    return JSON.stringify({ traceEvents, displayTimeUnit: 'ms' });
  }
}
