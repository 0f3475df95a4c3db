import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { fuzzRun, scenarioArb } from '../../cli/fuzz-scenarios.js';

const root = join(import.meta.dirname, '..', '..');
const fuzz = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'fuzz.ts'), ...args], { cwd: root, encoding: 'utf8' });

describe('random scenarios over every client, option and fault kind', () => {
  it('a_fixed_seed_sample_breaks_nothing_and_crashes_nothing', () => {
    for (const s of fc.sample(scenarioArb, { seed: 15, numRuns: 8 })) {
      const r = fuzzRun(s);
      expect(r.worlds, JSON.stringify(s)).toBeGreaterThan(0);
      expect([...r.violations, ...r.crashes], JSON.stringify(s)).toEqual([]);
    }
  }, 300_000);

  it('npm_run_fuzz_prints_the_figures_and_checks_its_arguments', () => {
    const ok = fuzz('--runs', '2', '--seed', '3');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^fuzz seed 3: runs 2 {2}worlds [1-9]\d* {2}requests \d+ {2}violations 0 {2}crashes 0 {2}wall \d+\.\d s$/m);
    const bad = fuzz('--runs', 'many');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--runs must be a whole number >= 1, got "many"');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  }, 300_000);
});
