export { parseValues, formatValues, resolvePath, setParam, sweepableParams, crossovers, sweepCsv, sweepReport, describeCrossover, METRICS, MAX_POINTS, type Outcome, type PointScenario, type SweepPoint, type SweepReport, type Crossover, type CrossoverMetric } from './sweep.js';
// runPoint (./run-point.js) is left out on purpose: it brings the whole simulator, which the page runs only in workers.
export { throughputBound, type Bound } from './bounds.js';
export { sweepPresets, sweepPreset, type SweepPreset } from './presets.js';
