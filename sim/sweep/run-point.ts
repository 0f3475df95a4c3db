/** One point of a sweep: every world of the scenario (the parameter already set), as npm run sim --json reports them. */
import { jsonReport, type JsonWorld } from '../scenario/export.js';
import { runScenario } from '../scenario/run.js';
import type { Scenario } from '../scenario/schema.js';

export function runPoint(scenario: Scenario): JsonWorld[] {
  return jsonReport(runScenario(scenario)).worlds;
}
