/** A thread of npm run sweep: runs the points it is given (cli/sweep-main.ts runPoints). */
import { parentPort } from 'node:worker_threads';
import { runPoint } from '../sim/sweep/run-point.js';
import type { Scenario } from '../sim/scenario/index.js';

parentPort!.on('message', (m: { index: number; scenario: Scenario }) => {
  try {
    parentPort!.postMessage({ index: m.index, worlds: runPoint(m.scenario) });
  } catch (e) {
    parentPort!.postMessage({ index: m.index, error: e instanceof Error ? e.message : String(e) });
  }
});
