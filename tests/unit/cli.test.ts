import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'duplex-cli-'));

function sim(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'sim.ts'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** As sim(), without blocking: several can run at once. */
function simAsync(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli', 'sim.ts'), ...args], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('npm run sim', () => {
  it('help_and_list_exit_0', () => {
    const h = sim('--help');
    expect(h.code).toBe(0);
    expect(h.out).toContain('--out-perfetto FILE');
    const l = sim('--list');
    expect(l.code).toBe(0);
    expect(l.out).toMatch(/^l1-silly-way\s+L1\s+/m);
    expect(l.out).toContain('reconnect-storm');
  });

  it('bad_arguments_exit_2_with_a_clear_message', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /give --preset NAME or --scenario FILE/],
      [['--preset', 'nope'], /unknown preset "nope"; presets: l1-silly-way/],
      [['--preset', 'l1-silly-way', '--scenario', 'x.json'], /either --preset or --scenario, not both/],
      [['--preset', 'l1-silly-way', '--seed', '1.5'], /--seed must be a whole number, got "1.5"/],
      [['--bogus'], /^error: unknown option --bogus\n/],
      [['--preset', 'l1-silly-way', '--sead', '3'], /^error: unknown option --sead \(did you mean --seed\?\)\n/],
      [['--preset', 'l1-silly-way', '--seed'], /^error: --seed needs a value\n/],
      [['--preset', 'l1-silly-way', 'extra'], /^error: unexpected argument "extra"/],
      [['--scenario', join(dir, 'missing.json')], /^error: no such file: .*missing\.json\n/],
      [['--scenario', dir], /is a folder, not a file/],
      [['--preset', 'l1-silly-way', '--out-trace', join(dir, 'no', 'such', 'trace.json')], /--out-trace: cannot write .*trace\.json: its folder does not exist/],
      [['--scenario', file('bad.json', '{ not json')], /is not valid JSON/],
      [['--scenario', file('invalid.json', JSON.stringify({ clients: [{ label: 'p', kind: 'pool', size: -1 }] }))], /clients\[0\]\.size: expected a whole number >= 1, got -1/],
    ];
    // In parallel: a spawn costs seconds on a busy machine.
    const runs = await Promise.all(cases.map(([args]) => simAsync(...args)));
    runs.forEach((r, i) => {
      const [args, message] = cases[i]!;
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
      expect(r.err, args.join(' ')).not.toMatch(/\n\s+at /);
      expect(r.out, args.join(' ')).toBe('');
    });
  }, 300_000);

  it('json_prints_exactly_one_document_and_files_are_written', () => {
    const s = file('ok.json', JSON.stringify({ name: 'cli', durationMs: 100, workload: { callers: 3 }, clients: [{ label: 'pool', kind: 'pool', size: 2 }, { label: 'mux', kind: 'multiplex' }], faults: [{ atMs: 50, kind: 'drop_connections' }] }));
    const trace = join(dir, 'trace.json');
    const perfetto = join(dir, 'perfetto.json');
    const r = sim('--scenario', s, '--seed', '9', '--json', '--out-trace', trace, '--out-perfetto', perfetto);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.scenario).toBe('cli');
    expect(doc.seed).toBe(9);
    expect(doc.worlds.map((w: { label: string }) => w.label)).toEqual(['pool', 'mux']);
    expect(doc.worlds[0].traceHash).toMatch(/^[0-9a-f]{16}$/);
    const t = JSON.parse(readFileSync(trace, 'utf8'));
    expect(t.worlds[1].events[0]).toMatchObject({ t: 0 });
    const p = JSON.parse(readFileSync(perfetto, 'utf8'));
    expect(p.traceEvents.length).toBeGreaterThan(10);
    // The same run twice gives the same hashes.
    expect(JSON.parse(sim('--scenario', s, '--seed', '9', '--json').out).worlds[0].traceHash).toBe(doc.worlds[0].traceHash);
  });

  it('the_default_output_is_a_side_by_side_table', () => {
    const r = sim('--preset', 'l8-sync-async');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\s+sync\s+async$/m);
    expect(r.out).toMatch(/^throughput \/s\s+[\d.]+\s+[\d.]+$/m);
  });

  it('input_that_used_to_crash_or_run_silently_broken_exits_2_naming_the_field', async () => {
    const clients = [{ label: 'c', kind: 'serial' }];
    const cases: Array<[string, string, RegExp]> = [
      ['backoff.json', JSON.stringify({ clients: [{ label: 's', kind: 'serial', backoff: { strategy: 'rand', maxMs: 500 } }] }), /clients\[0\]\.backoff\.maxMs: expected maxMs >= 1000, the default initialMs of "rand", got 500/],
      ['latency.json', JSON.stringify({ network: { latencyMs: 1e300 }, clients }), /network\.latencyMs: expected at most 3600000 ms, got 1e\+300/],
      ['bandwidth.json', JSON.stringify({ network: { bandwidthMbps: 1e-300 }, clients }), /network\.bandwidthMbps: expected at least 0\.001 Mbps, got 1e-300/],
      ['at.json', JSON.stringify({ faults: [{ atMs: 1e13, kind: 'drop_connections' }], clients }), /faults\[0\]\.atMs: expected at most 3600000 ms/],
      ['think.json', JSON.stringify({ workload: { thinkMs: 1e13 }, clients }), /workload\.thinkMs: expected at most 3600000 ms/],
      ['huge.json', `{"durationMs": 1e400, "clients": ${JSON.stringify(clients)}}`, /durationMs: expected a number of ms > 0, got a number too large/],
      ['deep.json', `{"network": {"latencyMs": ${'['.repeat(5000)}${']'.repeat(5000)}}, "clients": ${JSON.stringify(clients)}}`, /network\.latencyMs: expected a one-way latency in ms >= 0, got \[\[\[/],
    ];
    const runs = await Promise.all(cases.map(([name, text]) => simAsync('--scenario', file(name, text))));
    runs.forEach((r, i) => {
      const [name, , want] = cases[i]!;
      expect(r.code, name).toBe(2);
      expect(r.err, name).toMatch(want);
      expect(r.err, name).not.toMatch(/\n\s+at /);
      expect(r.out, name).toBe('');
    });
  }, 300_000);

  it('control_characters_in_a_scenarios_name_never_reach_the_terminal', () => {
    const s = file('ansi.json', JSON.stringify({ name: 'evil\u001b[2J\u001b]0;owned\u0007\rname', description: 'line one\u001b[31m\nline two', durationMs: 20, workload: { callers: 1 }, clients: [{ label: 'c', kind: 'naive' }] }));
    const r = sim('--scenario', s);
    expect(r.code, r.err).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(r.out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(r.out).toMatch(/^evil\[2J\]0;owned name — seed 1, 20 ms\nline one\[31m\nline two\n/);
    const bad = sim('--preset', 'x\u001b[31m');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown preset "x[31m"');
  });
});
