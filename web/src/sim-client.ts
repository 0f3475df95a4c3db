/**
 * The page's handle on the simulation worker. One run at a time: starting another, or
 * cancelling, terminates the worker that is busy and starts a fresh one.
 */
import { proxy, wrap, type Remote } from 'comlink';
import type { ScenarioInput } from '../../sim/scenario/index.js';
import type { RunOutcome, SimApi } from './worker/sim.worker.js';

export class SimClient {
  private worker: Worker | null = null;
  private api: Remote<SimApi> | null = null;
  private busy = false;

  private ensure(): Remote<SimApi> {
    if (this.api === null) {
      this.worker = new Worker(new URL('./worker/sim.worker.ts', import.meta.url), { type: 'module' });
      this.api = wrap<SimApi>(this.worker);
    }
    return this.api;
  }

  /** Runs a scenario; resolves null if it was cancelled (or superseded). */
  async run(input: ScenarioInput, onProgress: (fraction: number) => void): Promise<RunOutcome | null> {
    if (this.busy) this.cancel();
    const api = this.ensure();
    const mine = this.worker;
    this.busy = true;
    try {
      const out = await api.run(input, proxy(onProgress));
      return this.worker === mine ? out : null;
    } catch (e) {
      if (this.worker !== mine) return null;
      throw e;
    } finally {
      if (this.worker === mine) this.busy = false;
    }
  }

  cancel(): void {
    this.worker?.terminate();
    this.worker = null;
    this.api = null;
    this.busy = false;
  }

  async export(kind: 'report' | 'trace' | 'perfetto'): Promise<string | null> {
    const api = this.ensure();
    return kind === 'report' ? api.reportJson() : kind === 'trace' ? api.traceJson() : api.perfettoJson();
  }
}
