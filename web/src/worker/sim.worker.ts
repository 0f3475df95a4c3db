/// <reference lib="webworker" />
/**
 * The simulation runs here, off the page's thread: the page never freezes, a long run reports
 * progress, and cancelling is terminating this worker. Each world runs on its own, so a crash in
 * one (a bug) is reported for that world and the others still show.
 */
import { expose, type ProxyMarked } from 'comlink';
import { jsonReport, parseScenario, perfettoExport, runWorld, traceExport, type ScenarioInput, type ScenarioResult, type WorldResult } from '../../../sim/scenario/index.js';
import { deriveWorld, faultViews, type LabView } from '../../../sim/views/index.js';
import { ms } from '../../../sim/kernel/time.js';

let last: ScenarioResult | null = null;

export type RunOutcome = { ok: true; view: LabView } | { ok: false; errors: string[] };

const api = {
  run(input: ScenarioInput, onProgress?: ((fraction: number) => void) & ProxyMarked): RunOutcome {
    const parsed = parseScenario(input);
    if (!parsed.ok) return { ok: false, errors: parsed.errors };
    const s = parsed.scenario;
    const results: WorldResult[] = [];
    const view: LabView = { scenario: s, worlds: [], failed: [], faults: faultViews(s), endUs: ms(s.durationMs), durationUs: ms(s.durationMs) };
    let lastReport = 0;
    s.clients.forEach((spec, i) => {
      try {
        const w = runWorld(s, spec, (f) => {
          const now = performance.now();
          if (onProgress !== undefined && now - lastReport > 50) {
            lastReport = now;
            void onProgress((i + f) / s.clients.length);
          }
        });
        results.push(w);
        const v = deriveWorld(w, s);
        view.worlds.push(v);
        view.endUs = Math.max(view.endUs, v.endUs);
      } catch (e) {
        view.failed.push({ label: spec.label, message: e instanceof Error ? e.message : String(e) });
      }
    });
    last = { scenario: s, worlds: results };
    return { ok: true, view };
  },
  reportJson(): string | null {
    return last === null ? null : JSON.stringify(jsonReport(last), null, 2);
  },
  traceJson(): string | null {
    return last === null ? null : JSON.stringify(traceExport(last));
  },
  perfettoJson(): string | null {
    return last === null ? null : JSON.stringify(perfettoExport(last));
  },
};

export type SimApi = typeof api;

expose(api);
