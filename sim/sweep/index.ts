export { parseValues, formatValues, resolvePath, setParam, sweepableParams, runPoint, crossovers, sweepCsv, sweepReport, describeCrossover, METRICS, MAX_POINTS, type Outcome, type PointScenario, type SweepPoint, type SweepReport, type Crossover, type CrossoverMetric } from './sweep.js';
export { throughputBound, type Bound } from './bounds.js';
export { sweepPresets, sweepPreset, type SweepPreset } from './presets.js';
