import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { fuzzRun, scenarioArb } from '../../cli/fuzz-scenarios.js';
import { arbitraryOf } from '../../cli/arbitrary.js';
import { FAULT_KINDS } from '../../sim/faults/index.js';
import { defineFault, forField } from '../../sim/faults/fault.js';
import { msPositive } from '../../sim/scenario/fields.js';
import { unionMembers } from '../../sim/scenario/form.js';
import { clientConfigSchema, parseScenario } from '../../sim/scenario/schema.js';

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

  it('draws_every_registered_fault_kind_and_client_kind_and_only_valid_scenarios', () => {
    const faults = new Set<string>();
    const clients = new Set<string>();
    for (const s of fc.sample(scenarioArb, { seed: 7, numRuns: 300 })) {
      const p = parseScenario(s);
      expect(p.ok ? [] : p.errors, JSON.stringify(s)).toEqual([]);
      for (const f of s.faults ?? []) faults.add(f.kind);
      for (const c of s.clients) clients.add(c.kind);
    }
    expect([...faults].sort()).toEqual([...FAULT_KINDS].sort());
    expect([...clients].sort()).toEqual(unionMembers(clientConfigSchema, 'kind').map((m) => m.value).sort());
  });

  it('fuzzes_a_new_fault_kind_from_its_declaration_alone', () => {
    // A kind no list names (issue 16's dns_slow): its schema is all the generator needs.
    const dnsSlow = defineFault(
      'dns_slow',
      { addMs: msPositive().meta({ title: 'Added', unit: 'ms' }), forMs: forField },
      { label: 'Slow DNS', description: 'Connects take addMs longer for forMs.', defaults: { addMs: 50, forMs: 200 }, detail: (f) => ` +${f.addMs} ms`, sim: () => {}, real: async () => {}, events: [] },
    );
    const drawn = fc.sample(arbitraryOf(dnsSlow.schema), { seed: 1, numRuns: 50 });
    for (const f of drawn) expect(dnsSlow.schema.safeParse(f).success, JSON.stringify(f)).toBe(true);
    const adds = drawn.map((f) => (f as { addMs: number }).addMs);
    // Within the ms scale of a short run, not the schema's hour.
    expect(Math.max(...adds)).toBeLessThanOrEqual(200);
    expect(new Set(adds).size).toBeGreaterThan(10);
  });

  it('refuses_a_schema_it_cannot_draw_rather_than_skipping_it', () => {
    expect(() => arbitraryOf(z.object({ at: z.date() }))).toThrow(/no arbitrary for a schema of type "date"/);
  });

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
