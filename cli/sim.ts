/**
 * The command-line lab: runs a preset or a scenario file, one world per client configuration,
 * and prints a side-by-side table (or one JSON document with --json).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jsonReport, loadPreset, parseScenario, perfettoExport, presets, runScenario, traceExport, type Scenario, type ScenarioResult } from '../sim/scenario/index.js';

const USAGE = `usage: npm run sim -- (--preset NAME | --scenario FILE) [options]

  --preset NAME        run a built-in scenario (see --list)
  --scenario FILE      run a scenario from a JSON file
  --seed N             override the scenario's seed (a whole number)
  --json               print one JSON document instead of the table
  --out-trace FILE     write every world's trace as JSON
  --out-perfetto FILE  write a Chrome/Perfetto trace (open it in ui.perfetto.dev)
  --list               list the presets with their descriptions
  --help               this text`;

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        preset: { type: 'string' },
        scenario: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        'out-trace': { type: 'string' },
        'out-perfetto': { type: 'string' },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail((e as Error).message);
  }
}

function loadScenario(args: ReturnType<typeof parse>): Scenario {
  if (args.preset !== undefined && args.scenario !== undefined) fail('give either --preset or --scenario, not both');
  let scenario: Scenario;
  if (args.preset !== undefined) {
    const s = loadPreset(args.preset);
    if (s === undefined) fail(`unknown preset "${args.preset}"; presets: ${presets.map((p) => p.name).join(', ')}`);
    scenario = s;
  } else if (args.scenario !== undefined) {
    let text: string;
    try {
      text = readFileSync(args.scenario, 'utf8');
    } catch (e) {
      fail(`cannot read scenario file ${args.scenario}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      fail(`scenario file ${args.scenario} is not valid JSON: ${(e as Error).message}`);
    }
    const r = parseScenario(json);
    if (!r.ok) fail(`scenario file ${args.scenario} is invalid:\n  ${r.errors.join('\n  ')}`);
    scenario = r.scenario;
  } else {
    fail('give --preset NAME or --scenario FILE (or --list, --help)');
  }
  if (args.seed !== undefined) {
    const seed = Number(args.seed);
    if (!/^-?\d+$/.test(args.seed) || !Number.isSafeInteger(seed)) fail(`--seed must be a whole number, got "${args.seed}"`);
    scenario = { ...scenario, seed };
  }
  return scenario;
}

function table(r: ScenarioResult): string {
  const rows: Array<[string, ...string[]]> = [];
  const add = (name: string, f: (w: ScenarioResult['worlds'][number]) => string | number) => rows.push([name, ...r.worlds.map((w) => String(f(w)))]);
  add('client', (w) => w.client.kind);
  add('requests issued', (w) => w.metrics.requests.issued);
  add('ok', (w) => w.metrics.requests.ok);
  add('failed', (w) => w.metrics.requests.failed);
  add('errors', (w) => Object.entries(w.metrics.requests.errors).map(([k, n]) => `${k}:${n}`).join(' ') || '-');
  add('throughput /s', (w) => w.metrics.throughputPerSec.toFixed(1));
  add('latency mean ms', (w) => w.metrics.latencyMs.mean.toFixed(3));
  add('latency p50 ms', (w) => w.metrics.latencyMs.p50.toFixed(3));
  add('latency p90 ms', (w) => w.metrics.latencyMs.p90.toFixed(3));
  add('latency p99 ms', (w) => w.metrics.latencyMs.p99.toFixed(3));
  add('latency max ms', (w) => w.metrics.latencyMs.max.toFixed(3));
  add('connections opened', (w) => w.metrics.connections.opened);
  add('connect attempts', (w) => w.metrics.connections.connectAttempts);
  add('max in flight / conn', (w) => w.metrics.maxInFlightPerConnection);
  add('pool queue wait p99 ms', (w) => w.metrics.poolQueueWaitMs.p99.toFixed(3));
  add('bytes sent', (w) => w.metrics.bytes.sent);
  add('bytes received', (w) => w.metrics.bytes.received);
  add('bytes copied (procs)', (w) => w.metrics.bytes.copiedBetweenProcesses);
  add('busiest process %', (w) => `${w.metrics.cpu.busiestProcessBusyPct.toFixed(1)} (${w.metrics.cpu.busiestProcess || '-'})`);
  add('server busy %', (w) => w.metrics.cpu.serverBusyPct.toFixed(1));
  add('lost / duplicated', (w) => `${w.metrics.invariants.lost} / ${w.metrics.invariants.duplicatedReplies}`);
  add('misrouted', (w) => w.metrics.invariants.misrouted);
  add('indeterminate', (w) => w.metrics.invariants.indeterminate);
  add('executed twice', (w) => w.metrics.invariants.executedTwice);
  add('trace hash', (w) => w.traceHash.slice(0, 16));
  const header: [string, ...string[]] = ['', ...r.worlds.map((w) => w.label)];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const title = `${r.scenario.name} — seed ${r.scenario.seed}, ${r.scenario.durationMs} ms${r.scenario.description ? `\n${r.scenario.description}` : ''}`;
  return [title, '', line(header), ...rows.map(line)].join('\n');
}

function main(argv: string[]): number {
  const args = parse(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.list) {
    const w = Math.max(...presets.map((p) => p.name.length));
    for (const p of presets) process.stdout.write(`${p.name.padEnd(w)}  ${p.lesson.padEnd(6)}  ${p.description}\n`);
    return 0;
  }
  const scenario = loadScenario(args);
  const tty = process.stderr.isTTY === true;
  let shown = -1;
  const result = runScenario(scenario, {
    onProgress: tty
      ? (f) => {
          const pct = Math.floor(f * 100);
          if (pct !== shown) {
            shown = pct;
            process.stderr.write(`\rsimulating ${scenario.name}: ${pct}%`);
          }
        }
      : undefined,
  });
  if (tty) process.stderr.write('\r\x1b[K');
  if (args['out-trace'] !== undefined) writeFileSync(args['out-trace'], JSON.stringify(traceExport(result)));
  if (args['out-perfetto'] !== undefined) writeFileSync(args['out-perfetto'], JSON.stringify(perfettoExport(result)));
  process.stdout.write(args.json ? `${JSON.stringify(jsonReport(result), null, 2)}\n` : `${table(result)}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`error: ${e.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
