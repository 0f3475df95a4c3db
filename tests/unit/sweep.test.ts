import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario, type Scenario } from '../../sim/scenario/index.js';
import { runPoint } from '../../sim/sweep/run-point.js';
import { crossovers, parseValues, setParam, sweepPresets, sweepReport, throughputBound, type SweepPoint } from '../../sim/sweep/index.js';
import { main, runPoints } from '../../cli/sweep-main.js';
import { UsageError } from '../../cli/report.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'duplex-sweep-'));

function scenario(input: object): Scenario {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

function sweep(base: Scenario, param: string, values: number[]): SweepPoint[] {
  return values.map((value) => {
    const r = setParam(base, param, value);
    if (!r.ok) throw new Error(r.error);
    return { value, worlds: runPoint(r.value.scenario) };
  });
}

/** Costs that are not part of the quantity under test are set to zero (as in theory.test.ts). */
const quiet = { runtime: { codecNsPerByte: 0, copyNsPerByte: 0, sendNs: 0, stepOverheadNs: 0, schedulers: 8 } };

describe('parseValues', () => {
  it('reads_numbers_and_both_range_forms_in_order', () => {
    expect(parseValues('1..64*2')).toEqual({ ok: true, value: [1, 2, 4, 8, 16, 32, 64] });
    expect(parseValues('0..10+2')).toEqual({ ok: true, value: [0, 2, 4, 6, 8, 10] });
    expect(parseValues('3..6')).toEqual({ ok: true, value: [3, 4, 5, 6] });
    expect(parseValues('0.05, 0.1 ,1e3,5..5')).toEqual({ ok: true, value: [0.05, 0.1, 1000, 5] });
    // Steps that binary floating point cannot hit exactly still land on the decimal values.
    expect(parseValues('0.1..0.5+0.1')).toEqual({ ok: true, value: [0.1, 0.2, 0.3, 0.4, 0.5] });
    expect(parseValues('16..1048576*4').ok && (parseValues('16..1048576*4') as { value: number[] }).value.at(-1)).toBe(1048576);
  });

  it('names_what_is_wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /got nothing/],
      ['1,,2', /between the commas/],
      ['1,two', /"two" is not a number/],
      ['1..x*2', /the end "x" is not a number/],
      ['8..1*2', /the end 1 is below the start 8/],
      ['1..8*1', /factor must be above 1/],
      ['0..8*2', /must start above 0/],
      ['0..8+0', /step must be above 0/],
      ['1,2,1', /the value 1 is listed twice/],
      ['0..1000', /at most 100 values/],
    ];
    for (const [text, message] of cases) {
      const r = parseValues(text);
      expect(r.ok, text).toBe(false);
      expect(!r.ok && r.error, text).toMatch(message);
    }
  });
});

describe('setParam', () => {
  const base = scenario({ clients: [{ label: 'pool', kind: 'pool', size: 4 }, { label: 'mux', kind: 'multiplex' }] });

  it('sets_a_section_field_a_client_field_and_an_unset_optional_one', () => {
    const a = setParam(base, 'network.latencyMs', 3);
    expect(a.ok && a.value.scenario.network.latencyMs).toBe(3);
    const b = setParam(base, 'clients.pool.size', 32);
    expect(b.ok && b.value.scenario.clients[0]).toMatchObject({ label: 'pool', size: 32 });
    const c = setParam(base, 'clients.pool.checkoutTimeoutMs', 50);
    expect(c.ok && c.value.scenario.clients[0]).toMatchObject({ checkoutTimeoutMs: 50 });
    // On an input that leaves the section to its defaults, the section is written out.
    const d = setParam({ clients: [{ label: 'p', kind: 'pool' }] }, 'workload.valueBytes', 1024);
    expect(d.ok && d.value.input).toEqual({ clients: [{ label: 'p', kind: 'pool' }], workload: { valueBytes: 1024 } });
    // The base is not changed.
    expect(base.network.latencyMs).toBe(0.25);
  });

  it('names_an_unknown_path_a_text_field_or_a_value_the_schema_refuses', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['network.latncyMs', 1, /unknown parameter "network.latncyMs": network has no such numeric field \(numeric fields there: latencyMs, jitterMs/],
      ['nope.x', 1, /unknown parameter "nope.x"/],
      ['clients.pol.size', 4, /unknown client label "pol" in "clients.pol.size"; the scenario's clients are "pool", "mux"/],
      ['clients.mux.size', 4, /unknown parameter "clients.mux.size": client "mux" has no such numeric field/],
      ['clients.pool', 4, /names no client field/],
      ['workload.mode', 1, /workload.mode is not a numeric field \(it holds "closed"\)/],
      ['clients.pool.size', 0, /clients.pool.size = 0 fails the scenario's schema: clients\[0\]\.size: expected a whole number >= 1/],
      ['workload.callers', 2.5, /workload.callers = 2.5 fails the scenario's schema: workload.callers: expected a whole number >= 1/],
      ['network..latencyMs', 1, /is not a parameter path/],
    ];
    for (const [path, value, message] of cases) {
      const r = setParam(base, path, value);
      expect(r.ok, path).toBe(false);
      expect(!r.ok && r.error, path).toMatch(message);
    }
  });
});

describe('a pool-size sweep against a multiplexer (closed workload, no think time)', () => {
  // N callers with Z = 0: a pool of c holds each connection for D per request, so it does
  // min(c, N)/D; one multiplexed connection keeps all N in flight: N/D whatever c is.
  const N = 16;
  const D = (2 * 0.5 + 0.01) / 1000; // a 1 ms round trip and 10 µs of server time (commandUs 2 + readEventUs 8)
  const base = scenario({
    ...quiet,
    durationMs: 500,
    network: { latencyMs: 0.5 },
    workload: { callers: N, thinkMs: 0, mix: { GET: 1 } },
    clients: [{ label: 'pool', kind: 'pool', size: 1 }, { label: 'mux', kind: 'multiplex' }],
  });
  const sizes = [1, 2, 4, 8, 16, 32, 64];
  const points = sweep(base, 'clients.pool.size', sizes);

  it('the_pool_follows_min_c_n_over_d', () => {
    for (const p of points) {
      const x = p.worlds.find((w) => w.label === 'pool')!.throughputPerSec;
      const bound = Math.min(p.value, N) / D;
      expect(x, `size ${p.value}`).toBeLessThanOrEqual(bound * 1.001);
      expect(x, `size ${p.value}`).toBeGreaterThan(bound * 0.97);
    }
  });

  it('the_multiplexer_is_flat_at_n_over_d', () => {
    const xs = points.map((p) => p.worlds.find((w) => w.label === 'mux')!.throughputPerSec);
    for (const x of xs) {
      expect(x).toBeLessThanOrEqual((N / D) * 1.001);
      // Its one process hands every request and reply on: a few % below the bound, not 3.
      expect(x).toBeGreaterThan((N / D) * 0.95);
    }
    expect(Math.max(...xs) - Math.min(...xs)).toBeLessThan(0.01 * Math.max(...xs));
  });

  it('the_bound_drawn_is_the_one_that_binds', () => {
    const at = (size: number) => {
      const r = setParam(base, 'clients.pool.size', size);
      if (!r.ok) throw new Error(r.error);
      return throughputBound(r.value.scenario, r.value.scenario.clients[0]!)!;
    };
    expect(at(4).law).toBe('c/D');
    expect(at(4).perSec).toBeCloseTo(4 / D, 6);
    expect(at(32).law).toBe('N/(D+Z)');
    expect(at(32).perSec).toBeCloseTo(N / D, 6);
  });
});

describe('crossovers', () => {
  const w = (label: string, thr: number, p99: number) => ({ label, throughputPerSec: thr, latencyMs: { p99 } }) as SweepPoint['worlds'][number];

  it('are_reported_between_the_consecutive_values_where_the_order_flips', () => {
    const points: SweepPoint[] = [
      { value: 1, worlds: [w('a', 10, 5), w('b', 20, 1), w('c', 5, 9)] },
      { value: 2, worlds: [w('a', 15, 5), w('b', 15, 2), w('c', 6, 9)] }, // a tie: no order here
      { value: 4, worlds: [w('a', 30, 5), w('b', 18, 6), w('c', 7, 9)] },
      { value: 8, worlds: [w('a', 40, 5), w('b', 19, 6), w('c', 50, 1)] },
    ];
    expect(crossovers(points)).toEqual([
      { worlds: ['a', 'b'], metric: 'throughputPerSec', between: [1, 4] },
      { worlds: ['a', 'c'], metric: 'throughputPerSec', between: [4, 8] },
      { worlds: ['b', 'c'], metric: 'throughputPerSec', between: [4, 8] },
      { worlds: ['a', 'b'], metric: 'latencyMs.p99', between: [2, 4] },
      { worlds: ['a', 'c'], metric: 'latencyMs.p99', between: [4, 8] },
      { worlds: ['b', 'c'], metric: 'latencyMs.p99', between: [4, 8] },
    ]);
  });

  it('a_growing_pool_overtakes_a_fixed_pool_of_8_between_4_and_16', () => {
    const base = scenario({
      ...quiet,
      durationMs: 200,
      network: { latencyMs: 0.5 },
      workload: { callers: 32, thinkMs: 0, mix: { GET: 1 } },
      clients: [{ label: 'growing', kind: 'pool', size: 1 }, { label: 'fixed', kind: 'pool', size: 8 }],
    });
    const r = sweepReport('clients.growing.size', sweep(base, 'clients.growing.size', [1, 2, 4, 16, 32]));
    expect(r.crossovers.filter((c) => c.metric === 'throughputPerSec')).toEqual([{ worlds: ['growing', 'fixed'], metric: 'throughputPerSec', between: [4, 16] }]);
    expect(r.crossovers.filter((c) => c.metric === 'latencyMs.p99')).toEqual([{ worlds: ['growing', 'fixed'], metric: 'latencyMs.p99', between: [4, 16] }]);
  });
});

describe('npm run sweep', () => {
  const small = join(dir, 'small.json');
  writeFileSync(small, JSON.stringify({ name: 'small', durationMs: 50, workload: { callers: 8, thinkMs: 0 }, clients: [{ label: 'pool', kind: 'pool', size: 2 }, { label: 'mux', kind: 'multiplex' }] }));

  async function run(...args: string[]): Promise<string> {
    let out = '';
    expect(await main(args, (s) => void (out += s))).toBe(0);
    return out;
  }

  it('the_figures_do_not_depend_on_the_number_of_threads', async () => {
    const args = ['--scenario', small, '--param', 'clients.pool.size', '--values', '1..8*2', '--seed', '3', '--json'];
    const one = await run(...args, '--workers', '1');
    const three = await run(...args, '--workers', '3');
    expect(three).toBe(one);
    const doc = JSON.parse(one);
    expect(Object.keys(doc)).toEqual(['param', 'values', 'points', 'crossovers']);
    expect(doc.param).toBe('clients.pool.size');
    expect(doc.values).toEqual([1, 2, 4, 8]);
    // Each point's worlds are npm run sim --json's worlds for that scenario.
    const s = setParam(scenario(JSON.parse(readFileSync(small, 'utf8'))), 'clients.pool.size', 4);
    if (!s.ok) throw new Error(s.error);
    expect(doc.points[2].worlds).toEqual(runPoint({ ...s.value.scenario, seed: 3 }));
    expect(doc.points[2].worlds.map((w: { label: string }) => w.label)).toEqual(['pool', 'mux']);
  });

  it('runPoints_places_results_by_point_whatever_finishes_first', async () => {
    const scenarios = [64, 1, 16].map((callers) => scenario({ durationMs: 30, workload: { callers }, clients: [{ label: 'mux', kind: 'multiplex' }] }));
    const threaded = await runPoints(scenarios, 3);
    expect(threaded).toEqual(scenarios.map((s) => runPoint(s)));
  });

  it('the_table_has_a_row_per_value_and_says_the_crossovers_in_words_and_csv_is_written', async () => {
    const csv = join(dir, 'out.csv');
    const out = await run('--scenario', small, '--param', 'clients.pool.size', '--values', '1,8', '--workers', '1', '--out-csv', csv);
    expect(out).toMatch(/^clients\.pool\.size\s+pool \/s\s+pool bound \/s/m);
    expect(out).toMatch(/^1\s+\d+\s+\d+ c\/D/m);
    expect(out).toMatch(/^8\s+\d+/m);
    expect(out).toMatch(/p99 latency: pool overtakes mux between clients.pool.size = 1 and 8|No crossover/);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^param,value,world,client,throughputPerSec,latencyMsP50,latencyMsP99,/);
    expect(lines.length).toBe(1 + 2 * 2);
  });

  it('bad_input_is_a_usage_error_naming_the_problem', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--param', 'workload.callers', '--values', '1'], /give --preset NAME or --scenario FILE/],
      [['--preset', 'l4-multiplex', '--values', '1'], /give --param PATH/],
      [['--preset', 'l4-multiplex', '--param', 'workload.callers'], /give --values LIST/],
      [['--preset', 'nope', '--param', 'workload.callers', '--values', '1'], /unknown preset "nope"; ready sweeps: pool-size/],
      [['--preset', 'l4-multiplex', '--param', 'workload.caller', '--values', '1'], /unknown parameter "workload.caller"/],
      [['--preset', 'l4-multiplex', '--param', 'clients.poool.size', '--values', '1'], /unknown client label "poool"/],
      [['--preset', 'l4-multiplex', '--param', 'workload.callers', '--values', '1,x'], /--values: "x" is not a number/],
      [['--preset', 'l4-multiplex', '--param', 'workload.callers', '--values', '1,0'], /workload.callers = 0 fails the scenario's schema/],
      [['--preset', 'pool-size', '--workers', '0'], /--workers must be a whole number >= 1/],
      [['--preset', 'pool-size', '--seed', 'x'], /--seed must be a whole number/],
    ];
    for (const [args, message] of cases) {
      const e = await main(args, () => {}).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e, args.join(' ')).toBeInstanceOf(UsageError);
      expect((e as Error).message, args.join(' ')).toMatch(message);
    }
  });

  it('bad_input_exits_2_with_the_message_and_the_usage', async () => {
    const spawned = (args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli', 'sweep.ts'), ...args], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
        let out = '';
        let err = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (err += d));
        p.on('close', (code) => resolve({ code, out, err }));
      });
    const [a, b] = await Promise.all([spawned(['--preset', 'pool-size', '--param', 'clients.nobody.size', '--values', '1']), spawned(['--preset', 'pool-size', '--values', '1..4*x'])]);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/^error: unknown client label "nobody"/);
    expect(a.err).toContain('usage: npm run sweep');
    expect(a.out).toBe('');
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/the step "x" is not a number/);
  });

  it('every_ready_sweep_is_valid_at_every_value', () => {
    for (const p of sweepPresets) {
      const values = parseValues(p.values);
      expect(values.ok, p.name).toBe(true);
      for (const v of values.ok ? values.value : []) expect(setParam(p.scenario, p.param, v).ok, `${p.name} ${v}`).toBe(true);
    }
  });
});
