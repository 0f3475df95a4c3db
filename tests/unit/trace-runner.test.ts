/**
 * `npm run sim` without an export reads each world's trace on a second thread
 * (cli/trace-runner.ts): its report must be the one the in-thread path makes — the same trace
 * hash (the pinned one), the same metrics and checker counts — whatever the client and the faults.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPreset, parseScenario, presetNames, runScenario, type Scenario } from '../../sim/scenario/index.js';
import { TraceThreadError, runScenarioShipped } from '../../cli/trace-runner.js';

const root = join(import.meta.dirname, '..', '..');
const pinned: Record<string, Record<string, string>> = JSON.parse(readFileSync(new URL('./trace-hashes.json', import.meta.url), 'utf8'));

function same(s: Scenario): { hashes: Record<string, string> } {
  const shipped = runScenarioShipped(s);
  const inThread = runScenario(s, { keepTrace: false });
  expect(shipped.worlds.map((w) => w.label)).toEqual(inThread.worlds.map((w) => w.label));
  expect(shipped.worlds.map((w) => w.traceHash)).toEqual(inThread.worlds.map((w) => w.traceHash));
  expect(shipped.worlds.map((w) => w.metrics)).toEqual(inThread.worlds.map((w) => w.metrics));
  for (const w of shipped.worlds) expect(w.trace.length).toBeGreaterThan(0);
  return { hashes: Object.fromEntries(shipped.worlds.map((w) => [w.label, w.traceHash])) };
}

describe('a run whose trace is read on a second thread', () => {
  // Before, a thread that died made the run wait 120 s and then crash with two stack traces.
  it('says in one error when its trace thread does not start, instead of waiting on it', () => {
    const s = loadPreset('l1-silly-way')!;
    expect(() => runScenarioShipped(s, { workerUrl: new URL('./fixtures/trace-thread-broken.mjs', import.meta.url), startMs: 2000 })).toThrow(
      new TraceThreadError('the trace thread did not start within 2 s'),
    );
  });

  it('says in one error when its trace thread fails on the trace', () => {
    const s = loadPreset('l1-silly-way')!;
    expect(() => runScenarioShipped(s, { workerUrl: new URL('./fixtures/trace-thread-refusing.mjs', import.meta.url) })).toThrow(
      new TraceThreadError('the trace thread failed: cannot read this trace'),
    );
  });

  for (const name of presetNames) {
    it(`gives the pinned hash and the in-thread report: ${name}`, () => {
      expect(same(loadPreset(name)!).hashes).toEqual(pinned[name]);
    }, 180_000);
  }

  it('gives the in-thread report under a schedule of every kind of fault, open load, both clients', () => {
    const p = parseScenario({
      name: 'faults',
      durationMs: 1500,
      network: { latencyMs: 0.5 },
      workload: { mode: 'open', ratePerSec: 8000, mix: { GET: 0.6, SET: 0.3, BLPOP: 0.1 } },
      clients: [
        { label: 'pool', kind: 'pool', size: 4 },
        { label: 'multiplex', kind: 'multiplex', inFlightOnDisconnect: 'resend' },
      ],
      faults: [
        { atMs: 100, kind: 'latency', addMs: 20, forMs: 50 },
        { atMs: 200, kind: 'partition', mode: 'drop', forMs: 30 },
        { atMs: 300, kind: 'drop_connections' },
        { atMs: 500, kind: 'server_down', forMs: 200 },
        { atMs: 800, kind: 'slow_server', factor: 5, forMs: 100 },
        { atMs: 1000, kind: 'server_pause', forMs: 50 },
        { atMs: 1100, kind: 'kill_caller' },
      ],
    } as never);
    if (!p.ok) throw new Error(p.errors.join('; '));
    same(p.scenario);
  }, 180_000);

  it('is what npm run sim does, bundled, with its trace thread bundled beside it', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'run-bench.mjs'), 'cli/sim.ts', '--preset', 'l6-resiliency', '--json'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { worlds: Array<{ label: string; traceHash: string }> };
    expect(Object.fromEntries(report.worlds.map((w) => [w.label, w.traceHash]))).toEqual(pinned['l6-resiliency']);
  }, 180_000);
});
