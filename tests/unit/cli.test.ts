import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'duplex-cli-'));

function sim(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'sim.ts'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
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

  it('bad_arguments_exit_2_with_a_clear_message', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /give --preset NAME or --scenario FILE/],
      [['--preset', 'nope'], /unknown preset "nope"; presets: l1-silly-way/],
      [['--preset', 'l1-silly-way', '--scenario', 'x.json'], /either --preset or --scenario, not both/],
      [['--preset', 'l1-silly-way', '--seed', '1.5'], /--seed must be a whole number, got "1.5"/],
      [['--bogus'], /Unknown option '--bogus'/],
      [['--scenario', join(dir, 'missing.json')], /cannot read scenario file .*missing\.json: ENOENT/],
      [['--scenario', file('bad.json', '{ not json')], /is not valid JSON/],
      [['--scenario', file('invalid.json', JSON.stringify({ clients: [{ label: 'p', kind: 'pool', size: -1 }] }))], /clients\[0\]\.size: expected a whole number >= 1, got -1/],
    ];
    for (const [args, message] of cases) {
      const r = sim(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
      expect(r.out, args.join(' ')).toBe('');
    }
  });

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
});
