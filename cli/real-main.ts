/**
 * npm run real (cli/real.ts runs it), the lab against a real Redis: the same clients and workload
 * as `npm run sim`, on Node's clock and sockets (real/), printing the same report. Optionally beside ioredis and node-redis
 * (--compare), calibrating the simulator from the machine (--calibrate), or set against the
 * simulator's prediction for the same scenario (--vs-sim).
 */
import { jsonWorld, presets, runScenario, type JsonReport, type Scenario } from '../sim/scenario/index.js';
import { Admin, RedisUnusable } from '../real/admin.js';
import { calibrate } from '../real/calibrate.js';
import { FaultError } from '../real/faults.js';
import { parseAddress } from '../real/node-tcp.js';
import { RedisProcess, findRedisServer } from '../real/redis-server.js';
import { runReal, type RealResult } from '../real/run.js';
import { median } from '../real/stats.js';
import { FOREIGN_KINDS } from '../real/foreign.js';
import { COMMON_OPTIONS, helpOrList, parseCommandLine, printable } from './args.js';
import { LIBRARY_UNMEASURED, checkOutput, fail, loadScenario, reportTable, writeOutput } from './report.js';

export const USAGE = `usage: npm run real -- (--preset NAME | --scenario FILE) [options]

  --preset NAME        run a built-in scenario (see --list)
  --scenario FILE      run a scenario from a JSON file
  --redis HOST:PORT    use this Redis (default: start redis-server from PATH on a free
                       loopback port, persistence off, and stop it after).
                       DESTRUCTIVE: every world runs FLUSHALL there (all its data is
                       lost), and a drop_connections fault kills every normal client
                       connected to it, not only ours; never give it a Redis in use
  --seed N             override the scenario's seed (a whole number)
  --link               emulate the scenario's link: its network.latencyMs each way (and
                       connectRtts) added in the clients' sockets, on the runtime's timers;
                       without it the run is on loopback as it is
  --compare            also run ioredis (auto-pipelining off and on) and node-redis (one
                       client, and its pool) with the same workload
  --calibrate FILE     measure this machine's round trip and Redis's costs and write the
                       scenario with them as its network/server/runtime parameters
  --vs-sim             run the simulator on the same scenario too, and print sim / real
                       ratios of throughput and p50 latency per client
  --repeat N           run it all N times (1-20, default 1) and add the median (min-max) of
                       throughput and latency per client; --vs-sim compares the medians
  --json               print one JSON document instead of the table ({runs: [...]} with
                       --repeat)
  --list               list the presets with their descriptions
  --help               this text`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  redis: { type: 'string' },
  compare: { type: 'boolean', default: false },
  link: { type: 'boolean', default: false },
  calibrate: { type: 'string' },
  'vs-sim': { type: 'boolean', default: false },
  repeat: { type: 'string' },
} as const;

function jsonOf(r: RealResult): JsonReport & { real: { redisVersion: string; address: string; servers: Array<{ label: string } & RealResult['worlds'][number]['server']>; crashes: string[]; faultErrors: string[] } } {
  return {
    scenario: r.scenario.name,
    seed: r.scenario.seed,
    worlds: r.worlds.map((w) => jsonWorld(w)),
    real: {
      redisVersion: r.redisVersion,
      address: r.address,
      servers: r.worlds.map((w) => ({ label: w.label, ...w.server })),
      crashes: r.worlds.flatMap((w) => w.crashes.map((c) => `${w.label}: ${c}`)),
      faultErrors: r.worlds.flatMap((w) => w.faultErrors.map((c) => `${w.label}: ${c}`)),
    },
  };
}

function title(r: RealResult, link: boolean): string {
  const s = r.scenario;
  const how = link ? `, link emulated (${s.network.latencyMs} ms each way)` : '';
  return `${printable(s.name, true)} — against Redis ${printable(r.redisVersion, true)} at ${r.address}${how}, seed ${s.seed}, ${s.durationMs} ms${s.description ? `\n${printable(s.description)}` : ''}`;
}

function extraRows(r: RealResult): string {
  const w = Math.max(...r.worlds.map((x) => x.label.length), 10);
  const lines = [`\nmeasured on this machine (real time; server counters from INFO)`, `${''.padEnd(24)}${r.worlds.map((x) => x.label.padStart(w + 2)).join('')}`];
  const row = (name: string, f: (x: RealResult['worlds'][number]) => string | number) => lines.push(`${name.padEnd(24)}${r.worlds.map((x) => String(f(x)).padStart(w + 2)).join('')}`);
  row('server commands', (x) => x.server.commands);
  row('server connections', (x) => x.server.connections);
  row('server cpu %', (x) => x.server.cpuPct.toFixed(1));
  row('node cpu %', (x) => x.server.nodeCpuPct.toFixed(1));
  row('runtime ns / step', (x) => x.server.nsPerStep);
  row('elapsed ms', (x) => (x.server.elapsedUs / 1000).toFixed(0));
  lines.push('executed twice: not measured here (a real server does not say which commands it ran)');
  const crashes = r.worlds.flatMap((x) => x.crashes.map((c) => `${x.label}: ${c}`));
  if (crashes.length > 0) lines.push(`crashed processes:\n  ${crashes.join('\n  ')}`);
  const faultErrors = r.worlds.flatMap((x) => x.faultErrors.map((c) => `${x.label}: ${c}`));
  if (faultErrors.length > 0) lines.push(`faults that could not be applied:\n  ${faultErrors.join('\n  ')}`);
  return lines.join('\n');
}

interface Summary {
  label: string;
  throughput: number[];
  p50: number[];
  p99: number[];
  failed: number[];
}

function summaries(runs: RealResult[]): Summary[] {
  return runs[0]!.worlds.map((w) => {
    const all = runs.map((r) => r.worlds.find((x) => x.label === w.label)!.metrics);
    return { label: w.label, throughput: all.map((m) => m.throughputPerSec), p50: all.map((m) => m.latencyMs.p50), p99: all.map((m) => m.latencyMs.p99), failed: all.map((m) => m.requests.failed) };
  });
}

function summaryTable(runs: RealResult[]): string {
  const span = (xs: number[], digits: number) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
  const rows = [['client', 'throughput /s', 'p50 ms', 'p99 ms', 'failed']];
  for (const x of summaries(runs)) rows.push([x.label, span(x.throughput, 0), span(x.p50, 3), span(x.p99, 3), span(x.failed, 0)]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [`
over ${runs.length} runs: median (min-max)`];
  for (const r of rows) lines.push(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  return lines.join('\n');
}

function ratios(s: Scenario, runs: RealResult[]): string {
  const sim = runScenario(s);
  const real = summaries(runs);
  const lines = [`\nsimulator against real, ${s.name} (sim / real${runs.length > 1 ? `, real the median of ${runs.length} runs` : ''}; 1.00 = the simulator predicted the real run)`];
  const head = ['client', 'sim /s', 'real /s', 'ratio', 'sim p50 ms', 'real p50 ms', 'ratio'];
  const rows: string[][] = [head];
  for (const w of sim.worlds) {
    const r = real.find((x) => x.label === w.label);
    if (r === undefined) continue;
    const ratio = (a: number, b: number) => (b === 0 ? '-' : (a / b).toFixed(2));
    const tp = median(r.throughput);
    const p50 = median(r.p50);
    rows.push([w.label, w.metrics.throughputPerSec.toFixed(0), tp.toFixed(0), ratio(w.metrics.throughputPerSec, tp), w.metrics.latencyMs.p50.toFixed(3), p50.toFixed(3), ratio(w.metrics.latencyMs.p50, p50)]);
  }
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) lines.push(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  return lines.join('\n');
}

/** How long --redis has to accept the connection, then to answer PING. */
export const REDIS_CHECK_MS = 2000;

/**
 * Checks --redis: its form, then that a Redis answers PING there, in time and in RESP. A probe
 * gives up on a server that sends more than 64 KiB without completing PING's reply.
 */
async function checkRedis(address: string): Promise<void> {
  try {
    parseAddress(address);
  } catch (e) {
    fail(`--redis: ${(e as Error).message}`);
  }
  let a: Admin;
  try {
    a = await Admin.connect(address, REDIS_CHECK_MS, { replyTimeoutMs: REDIS_CHECK_MS, maxReplyBytes: 64 * 1024 });
  } catch (e) {
    fail(`--redis: ${(e as Error).message}`);
  }
  try {
    const pong = await a.command(['PING']).catch((e: Error) => fail(`--redis: ${e.message}`));
    if (pong.type === 'error') fail(`--redis: PING at ${address} answered ${String(pong.value)}`);
  } finally {
    a.close();
  }
}

/**
 * The command, without the process around it: resolves with the exit code, rejects with a
 * UsageError (exit 2) naming what is wrong, or with any other error (exit 1). cli/real.ts runs it.
 */
export async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine(argv, OPTIONS);
  const done = helpOrList(args, USAGE);
  if (done !== null) return done;
  if (args.preset === undefined && args.scenario === undefined) fail(`give --preset NAME or --scenario FILE (or --list, --help); presets: ${presets.map((p) => p.name).join(', ')}`);
  let scenario = loadScenario(args);
  let repeat = 1;
  if (args.repeat !== undefined) {
    repeat = Number(args.repeat);
    if (!/^\d+$/.test(args.repeat) || repeat < 1 || repeat > 20) fail(`--repeat must be a whole number from 1 to 20, got "${args.repeat}"`);
  }
  if (args.link && args.compare) fail('--link cannot go with --compare: the libraries use sockets of their own, which --link does not delay');
  if (args.link && args.calibrate !== undefined) fail('--link cannot go with --calibrate: calibration measures the loopback as it is');
  checkOutput('--calibrate', args.calibrate);
  if (args.redis !== undefined) await checkRedis(args.redis);
  else if (findRedisServer() === null) fail('no redis-server on PATH: install it (apt-get install redis-server, or bash scripts/ensure-redis.sh) or give --redis HOST:PORT');
  const tty = process.stderr.isTTY === true;

  if (args.calibrate !== undefined) {
    const own = args.redis === undefined ? await RedisProcess.start() : null;
    try {
      const c = await calibrate(own?.address ?? args.redis!, scenario).catch((e: unknown) => {
        if (e instanceof RedisUnusable && args.redis !== undefined) fail(`--redis: ${e.message}`);
        throw e;
      });
      scenario = c.scenario;
      writeOutput('--calibrate', args.calibrate, `${JSON.stringify(c.scenario, null, 2)}\n`);
      process.stderr.write(
        `calibrated: round trip ${c.rttUs} µs (one way ${c.scenario.network.latencyMs} ms), Redis ${c.readEventUs} µs per read event + ${c.commandUs} µs per command, runtime ${c.nsPerStep} ns per step; wrote ${args.calibrate}\n`,
      );
    } finally {
      await own?.stop();
    }
    if (!args['vs-sim'] && !args.compare) return 0;
  }

  const runs: RealResult[] = [];
  for (let k = 0; k < repeat; k++) {
    const run = repeat > 1 ? ` run ${k + 1}/${repeat}` : '';
    try {
      runs.push(
        await runReal(scenario, {
          ...(args.redis !== undefined ? { redis: args.redis } : {}),
          compare: args.compare,
          link: args.link,
          onWorld: tty ? (label, i, n) => process.stderr.write(`\rrunning ${printable(scenario.name, true)} against Redis${run}: ${label} (${i + 1}/${n})\x1b[K`) : undefined,
        }),
      );
    } catch (e) {
      if (e instanceof FaultError) fail(e.message);
      // A --redis that answered PING and then misbehaved: named, as a bad --redis is.
      if (e instanceof RedisUnusable && args.redis !== undefined) fail(`--redis: ${e.message}`);
      throw e;
    } finally {
      if (tty) process.stderr.write('\r\x1b[K');
    }
  }
  const result = runs[runs.length - 1]!;
  if (args.json) {
    process.stdout.write(`${JSON.stringify(repeat === 1 ? jsonOf(result) : { runs: runs.map(jsonOf) }, null, 2)}\n`);
    return 0;
  }
  const cols = result.worlds.map((w) => ({ label: w.label, kind: w.kind, metrics: w.metrics, traceHash: w.traceHash, unmeasured: (FOREIGN_KINDS as readonly string[]).includes(w.kind) ? LIBRARY_UNMEASURED : undefined }));
  let out = `${reportTable(`${title(result, args.link)}${repeat > 1 ? `\n(the last of ${repeat} runs)` : ''}`, cols)}\n${extraRows(result)}\n`;
  if (repeat > 1) out += `${summaryTable(runs)}\n`;
  if (args['vs-sim']) out += `${ratios(scenario, runs)}\n`;
  // Crash and fault messages can quote what a server sent: no control characters reach the terminal.
  process.stdout.write(printable(out));
  return 0;
}
