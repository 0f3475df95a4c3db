export { parseScenario, faultsInRunOrder, scenarioSchema, MIX_KEYS, type Scenario, type ScenarioInput, type ClientSpec, type FaultSpec, type ParseResult, type MixKey } from './schema.js';
export { runScenario, runWorld, WorldRun, buildWorld, startWorld, runSlices, drainUs, type ScenarioResult, type WorldResult, type RunOptions } from './run.js';
export { worldMetrics, type WorldMetrics } from './metrics.js';
export { presets, presetNames, loadPreset, type Preset } from './presets.js';
export { jsonReport, jsonWorld, traceExport, perfettoExport, type JsonReport, type JsonWorld } from './export.js';
export { ClientStartError } from './harness.js';
