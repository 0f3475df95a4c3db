import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '../../sim/kernel/index.js';
import { check } from '../../sim/clients/index.js';
import { parseScenario, type ScenarioInput } from '../../sim/scenario/index.js';
import { runScenario } from '../../sim/scenario/run.js';

// Issue 15, item 4: calls still legitimately in flight when the run stops (drainMs shorter than
// callTimeoutMs) are `unfinished`, a figure of their own; `lost` is a call that can never be answered.

const root = join(import.meta.dirname, '..', '..');

/** DEBUG SLEEP 300 ms against a 5 s timeout, and a drain of 50 ms: every call is cut short. */
const cutShort: ScenarioInput = {
  name: 'cut-short',
  durationMs: 100,
  drainMs: 50,
  workload: { callers: 4, mix: { SLEEP: 1 }, sleepMs: 300, callTimeoutMs: 5000 },
  clients: [
    { label: 'pool', kind: 'pool', size: 2 },
    { label: 'mux', kind: 'multiplex' },
  ],
};

describe('a run that stops before its calls could end', () => {
  it('reports_them_as_unfinished_not_lost', () => {
    const p = parseScenario(cutShort);
    if (!p.ok) throw new Error(p.errors.join('\n'));
    for (const w of runScenario(p.scenario).worlds) {
      expect(w.metrics.invariants.lost, w.label).toBe(0);
      expect(w.metrics.requests.unfinished, w.label).toBeGreaterThan(0);
      const r = w.metrics.requests;
      expect(r.ok + r.failed + r.unfinished, w.label).toBe(r.issued);
    }
  });

  it('still_counts_a_call_past_its_timeout_that_never_ended_as_lost', () => {
    const kernel = new Kernel({ seed: 1 });
    const t = kernel.trace;
    // Request 1 started at 0 with a 1 ms timeout and never ended; request 2 started 0.5 ms before the end.
    t.record('pipeline.start', { req: 1, caller: 7, cmds: 1, name: 'get' });
    kernel.at(100_000, () => t.record('pipeline.start', { req: 2, caller: 8, cmds: 1, name: 'get' }));
    kernel.run(100_500);
    const r = check(t, { endUs: 100_500, callTimeoutUs: 1000 });
    expect(r.lost).toBe(1);
    expect(r.unfinished).toBe(1);
    expect(r.problems).toEqual(['request 1 never ended']);
    // Without a timeout to judge by, both are lost (what the property tests ask).
    expect(check(t).lost).toBe(2);
  });

  it('shows_unfinished_in_the_cli_json_and_table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'duplex-unfinished-'));
    const file = join(dir, 'cut.json');
    writeFileSync(file, JSON.stringify(cutShort));
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'sim.ts'), '--scenario', file, ...args], { cwd: root, encoding: 'utf8' });
    const j = run('--json');
    expect(j.status, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout) as { worlds: Array<{ requests: { unfinished: number }; invariants: { lost: number } }> };
    for (const w of doc.worlds) {
      expect(w.requests.unfinished).toBeGreaterThan(0);
      expect(w.invariants.lost).toBe(0);
    }
    const table = run();
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^unfinished at end\s+[1-9]\d*\s+[1-9]\d*$/m);
    expect(table.stdout).toMatch(/^lost \/ duplicated\s+0 \/ 0\s+0 \/ 0$/m);
  }, 60_000);
});
