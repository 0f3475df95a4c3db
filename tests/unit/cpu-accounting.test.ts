// Redis is single-threaded: the share of the run it spends busy can never pass 100%, whatever a
// preset does to it (late-replies' DEBUG SLEEP outlasts every request; a restart lands mid-sleep).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonReport, loadPreset, presetNames, runScenario } from '../../sim/scenario/index.js';

const root = join(import.meta.dirname, '..', '..');

describe('cpu.serverBusyPct', () => {
  for (const name of presetNames) {
    it(`is_within_0_and_100_in_${name}`, () => {
      const report = jsonReport(runScenario(loadPreset(name)!));
      for (const w of report.worlds) {
        expect(w.cpu.serverBusyPct, `${name} ${w.label}`).toBeGreaterThanOrEqual(0);
        expect(w.cpu.serverBusyPct, `${name} ${w.label}`).toBeLessThanOrEqual(100);
      }
    }, 120_000);
  }

  it('a_sleep_that_outlasts_every_request_counts_only_up_to_the_last_answer', () => {
    // late-replies: DEBUG SLEEP keeps Redis busy for most of the run and past its last answer.
    const r = runScenario(loadPreset('late-replies')!);
    for (const w of r.worlds) {
      expect(w.metrics.cpu.serverBusyPct).toBeGreaterThan(50);
      expect(w.metrics.cpu.serverBusyPct).toBeLessThanOrEqual(100);
    }
  }, 120_000);

  it('is_within_0_and_100_in_the_cli_json', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'sim.ts'), '--preset', 'late-replies', '--json'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { worlds: Array<{ label: string; cpu: { serverBusyPct: number } }> };
    expect(doc.worlds.length).toBeGreaterThan(0);
    for (const w of doc.worlds) expect(w.cpu.serverBusyPct, w.label).toBeLessThanOrEqual(100);
  }, 120_000);
});
