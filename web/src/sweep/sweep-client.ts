/**
 * Runs a sweep's points in Web Workers, one per point up to the cores; each worker takes the next
 * point when it is done. Results go in by point, so the report is the same whatever finished
 * first (and the same as npm run sweep's). Cancel terminates them all.
 */
import { wrap, type Remote } from 'comlink';
import type { Scenario } from '../../../sim/scenario/index.js';
import type { JsonWorld } from '../../../sim/scenario/export.js';
import type { SweepWorkerApi } from './sweep.worker.js';

export class SweepClient {
  private workers: Worker[] = [];
  private generation = 0;

  /** The worlds of each point, in order; null if cancelled or superseded. */
  async run(scenarios: readonly Scenario[], onPoint: (done: number) => void): Promise<JsonWorld[][] | null> {
    this.cancel();
    const gen = this.generation;
    const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 2;
    const n = Math.max(1, Math.min(cores, scenarios.length));
    const out: JsonWorld[][] = new Array(scenarios.length);
    let next = 0;
    let done = 0;
    const one = async () => {
      const worker = new Worker(new URL('./sweep.worker.ts', import.meta.url), { type: 'module' });
      this.workers.push(worker);
      const api: Remote<SweepWorkerApi> = wrap<SweepWorkerApi>(worker);
      try {
        while (next < scenarios.length && gen === this.generation) {
          const i = next++;
          try {
            out[i] = await api.runPoint(scenarios[i]!);
          } catch (e) {
            throw new Error(`the point ${i + 1} of ${scenarios.length} failed: ${e instanceof Error ? e.message : String(e)}`);
          }
          if (gen === this.generation) onPoint(++done);
        }
      } finally {
        worker.terminate();
        this.workers = this.workers.filter((w) => w !== worker);
      }
    };
    // A terminated worker's call never settles: the cancel resolves the wait instead.
    const cancelled = new Promise<null>((resolve) => (this.onCancel = () => resolve(null)));
    const all = Promise.all(Array.from({ length: n }, one)).then(() => out);
    const r = await Promise.race([all, cancelled]);
    if (r === null || gen !== this.generation) return null;
    return r;
  }

  private onCancel: (() => void) | null = null;

  cancel(): void {
    this.generation++;
    for (const w of this.workers) w.terminate();
    this.workers = [];
    this.onCancel?.();
    this.onCancel = null;
  }
}
