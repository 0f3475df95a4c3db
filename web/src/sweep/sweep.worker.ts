/// <reference lib="webworker" />
/**
 * One point of a sweep at a time, off the page's thread: every world of the scenario with the
 * parameter set (sim/sweep runPoint, as the CLI's threads do). The page runs one of these per
 * point up to the cores; cancelling is terminating them.
 */
import { expose } from 'comlink';
import type { Scenario } from '../../../sim/scenario/index.js';
import { runPoint } from '../../../sim/sweep/run-point.js';

const api = {
  runPoint(scenario: Scenario) {
    return runPoint(scenario);
  },
};

export type SweepWorkerApi = typeof api;

expose(api);
