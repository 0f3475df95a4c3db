/** npm run real: bad input exits 2 naming what is wrong; runs print the simulator's report. */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonReport, parseScenario, runScenario } from '../../sim/scenario/index.js';
import { main } from '../../cli/real-main.js';
import { UsageError } from '../../cli/report.js';
import { useRedis } from './helpers.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'duplex-real-cli-'));
const redis = useRedis();

function real(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli', 'real.ts'), ...args], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

function file(name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

/** A stand-in for a Redis 7 with DEBUG off (its default): PING and INFO answered, DEBUG refused. */
function redisWithoutDebug(): Promise<string> {
  return new Promise((resolve) => {
    const s = net.createServer((c) => {
      c.on('error', () => undefined);
      c.on('data', (d: Buffer) => {
        const t = d.toString();
        if (t.includes('PING')) c.write('+PONG\r\n');
        else if (t.includes('INFO')) c.write('$22\r\nredis_version:7.0.15\r\n\r\n');
        else c.write('-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local"...\r\n');
      });
    });
    s.unref();
    s.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(s.address() as net.AddressInfo).port}`));
  });
}

const small = {
  name: 'small',
  durationMs: 200,
  workload: { callers: 4, thinkMs: 1, mix: { GET: 0.5, SET: 0.3, PIPELINE: 0.2 } },
  clients: [
    { label: 'pool', kind: 'pool', size: 2 },
    { label: 'multiplex', kind: 'multiplex' },
  ],
};

describe('npm run real', () => {
  it('help_and_list_exit_0', async () => {
    const [h, l] = await Promise.all([real('--help'), real('--list')]);
    expect(h.code).toBe(0);
    expect(h.out).toContain('--redis HOST:PORT');
    expect(h.out).toMatch(/DESTRUCTIVE: every world runs FLUSHALL/);
    expect(l.code).toBe(0);
    expect(l.out).toMatch(/^l4-multiplex\s+L4\s+/m);
  });

  it('bad_arguments_exit_2_with_a_clear_message', async () => {
    const noDebug = await redisWithoutDebug();
    const cases: Array<[string[], RegExp]> = [
      [[], /give --preset NAME or --scenario FILE/],
      [['--preset', 'nope'], /unknown preset "nope"/],
      [['--bogus'], /^unknown option --bogus$/],
      [['--preset', 'l4-multiplex', '--reddis', 'x'], /^unknown option --reddis \(did you mean --redis\?\)$/],
      [['--preset', 'l4-multiplex', '--redis'], /^--redis needs a value$/],
      [['--preset', 'l4-multiplex', '--redis', 'localhost'], /--redis: expected an address HOST:PORT/],
      [['--preset', 'l4-multiplex', '--redis', '127.0.0.1:99999'], /--redis: expected an address HOST:PORT with a port 1-65535/],
      [['--preset', 'l4-multiplex', '--redis', '127.0.0.1:1'], /--redis: cannot connect to redis at 127\.0\.0\.1:1: ECONNREFUSED/],
      [['--scenario', join(dir, 'missing.json')], /^no such file: .*missing\.json$/],
      [['--scenario', file('bad.json', '{ not json')], /is not valid JSON/],
      [['--preset', 'l6-resiliency', '--redis', redis.server.address], /faults\[1\]: server_down needs the redis-server this command starts itself/],
      [['--preset', 'l4-multiplex', '--link', '--compare'], /--link cannot go with --compare/],
      [['--scenario', file('sleep.json', { ...small, workload: { ...small.workload, mix: { GET: 1, SLEEP: 0.1 } } }), '--redis', noDebug], /SLEEP command of the workload needs DEBUG SLEEP, which the Redis at .* refuses.*enable-debug-command/],
      [['--preset', 'l4-multiplex', '--repeat', '0'], /--repeat must be a whole number from 1 to 20, got "0"/],
      [['--preset', 'l4-multiplex', '--calibrate', join(dir, 'no', 'such', 'cal.json')], /--calibrate: cannot write .*cal\.json: its folder does not exist/],
    ];
    // In this process (a spawn costs a second or more): each is a UsageError, which the command
    // turns into exit 2 with the message (the spawned cases below check that part).
    for (const [args, want] of cases) {
      const e = await main(args).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e, args.join(' ')).toBeInstanceOf(UsageError);
      expect((e as Error).message, args.join(' ')).toMatch(want);
    }
  });

  it('bad_arguments_exit_2_printing_the_message_and_the_usage', async () => {
    const [none, bogus] = await Promise.all([real(), real('--preset', 'nope')]);
    for (const r of [none, bogus]) {
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^error: /);
      expect(r.err).toContain('usage: npm run real');
    }
    expect(none.err).toMatch(/give --preset NAME or --scenario FILE/);
    expect(bogus.err).toMatch(/unknown preset "nope"/);
  });

  it('runs_a_scenario_against_a_given_redis_and_prints_the_json_report', async () => {
    const r = await real('--scenario', file('small.json', small), '--redis', redis.server.address, '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { worlds: Array<{ label: string; requests: { ok: number; failed: number }; invariants: { lost: number; misrouted: number } }>; real: { redisVersion: string; crashes: string[] } };
    expect(doc.worlds.map((w) => w.label)).toEqual(['pool', 'multiplex']);
    for (const w of doc.worlds) {
      expect(w.requests.ok).toBeGreaterThan(0);
      expect(w.requests.failed).toBe(0);
      expect(w.invariants.lost).toBe(0);
      expect(w.invariants.misrouted).toBe(0);
    }
    // The same report as npm run sim --json, world for world (keys and their order).
    const parsed = parseScenario(small);
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const sim = jsonReport(runScenario(parsed.scenario));
    expect(doc.worlds.map((w) => JSON.stringify(Object.keys(w)))).toEqual(sim.worlds.map((w) => JSON.stringify(Object.keys(w))));
    expect(Object.keys((doc.worlds[0] as unknown as { cpu: object }).cpu)).toEqual(Object.keys(sim.worlds[0]!.cpu));
    expect(doc.real.redisVersion).toMatch(/^\d+\./);
    expect(doc.real.crashes).toEqual([]);
  });

  it('starts_its_own_redis_and_compares_with_ioredis_and_node_redis_in_the_simulators_table', async () => {
    const r = await real('--scenario', file('small2.json', small), '--compare');
    expect(r.code, r.err).toBe(0);
    const header = r.out.split('\n').find((l) => l.trimStart().startsWith('pool'));
    expect(header?.trim().split(/\s+/)).toEqual(['pool', 'multiplex', 'ioredis', 'ioredis-autopipeline', 'node-redis', 'node-redis-pool']);
    for (const row of ['throughput /s', 'latency p50 ms', 'lost / duplicated', 'misrouted']) expect(r.out).toMatch(new RegExp(`^${row.replace('/', '\\/')}\\s`, 'm'));
    expect(r.out).not.toMatch(/crashed processes/);
    const failed = r.out.split('\n').find((l) => l.startsWith('failed'))!;
    expect(failed.trim().split(/\s+/).slice(1)).toEqual(['0', '0', '0', '0', '0', '0']);
    // What a library's own sockets do is not seen: said as '-', not as a 0 that reads as measured.
    const inFlight = r.out.split('\n').find((l) => l.startsWith('max in flight / conn'))!;
    const cells = inFlight.replace('max in flight / conn', '').trim().split(/\s+/);
    expect(cells.slice(2)).toEqual(['-', '-', '-', '-']);
    expect(Number(cells[1])).toBeGreaterThan(1);
  });

  it('calibrates_a_scenario_and_sets_the_simulator_against_the_real_run', async () => {
    const out = join(dir, 'calibrated.json');
    const r = await real('--scenario', file('small3.json', small), '--redis', redis.server.address, '--calibrate', out, '--vs-sim');
    expect(r.code, r.err).toBe(0);
    const parsed = parseScenario(JSON.parse(readFileSync(out, 'utf8')));
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    if (!parsed.ok) return;
    expect(parsed.scenario.runtime.schedulers).toBe(1);
    expect(parsed.scenario.server.commandUs).toBeGreaterThan(0);
    expect(parsed.scenario.network.latencyMs).toBeGreaterThan(0);
    expect(r.err).toMatch(/calibrated: round trip \d+ µs/);
    expect(r.out).toMatch(/simulator against real/);
    expect(r.out).toMatch(/^pool\s+\d+\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$/m);
    expect(r.out).toMatch(/^multiplex\s+\d+\s+\d+\s+[\d.]+/m);
  });
});
