import fc from 'fast-check';

// In CI every property test uses one fixed seed, so a run is reproducible; on a developer's
// machine each run draws new cases (set FC_SEED to replay one).
const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : process.env.CI ? 20261124 : undefined;
if (seed !== undefined) fc.configureGlobal({ seed });
