/** The report table of `npm run sim` and `npm run real`, so both print the same format. */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadPreset, parseScenario, presets, type Scenario, type WorldMetrics } from '../sim/scenario/index.js';

/** Bad input: the CLIs print the message and the usage, and exit with code 2. */
export class UsageError extends Error {}

export function fail(message: string): never {
  throw new UsageError(message);
}

/** Why a file could not be read or written, in words: "no such file: PATH", ... */
export function fileError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return `no such file: ${path}`;
    case 'EISDIR':
      return `${path} is a folder, not a file`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied: ${path}`;
    default:
      return `cannot use ${path}: ${code ?? (e as Error).message}`;
  }
}

/** Before a run: the folder an output file goes to must exist (a UsageError naming the option otherwise). */
export function checkOutput(option: string, path: string | undefined): void {
  if (path === undefined) return;
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) fail(`${option}: cannot write ${path}: its folder does not exist`);
  if (existsSync(path) && statSync(path).isDirectory()) fail(`${option}: cannot write ${path}: it is a folder`);
}

/** Writes an output file; a UsageError naming the option if it cannot. */
export function writeOutput(option: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    fail(`${option}: cannot write ${path}: ${fileError(path, e)}`);
  }
}

/** The presets, one a line: what --list prints. */
export function presetList(): string {
  const w = Math.max(...presets.map((p) => p.name.length));
  return presets.map((p) => `${p.name.padEnd(w)}  ${p.lesson.padEnd(6)}  ${p.description}\n`).join('');
}

/** The scenario that --preset / --scenario (and --seed) name; a UsageError saying what is wrong otherwise. */
export function loadScenario(args: { preset?: string; scenario?: string; seed?: string }): Scenario {
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
      fail(fileError(args.scenario, e));
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
  return withSeed(scenario, args.seed);
}

/** The scenario with --seed's value, if given (a UsageError if it is not a whole number). */
export function withSeed(scenario: Scenario, seedArg: string | undefined): Scenario {
  if (seedArg === undefined) return scenario;
  const seed = Number(seedArg);
  if (!/^-?\d+$/.test(seedArg) || !Number.isSafeInteger(seed)) fail(`--seed must be a whole number, got "${seedArg}"`);
  return { ...scenario, seed };
}


/** One column of the report: a world of the simulator, or of a real run (cli/real.ts). */
export interface ReportColumn {
  label: string;
  kind: string;
  metrics: WorldMetrics;
  traceHash: string;
  /** Rows this column cannot measure (a reference library's bytes and in-flight counts): '-'. */
  unmeasured?: ReadonlySet<string>;
}

/** What a reference library's column cannot measure: its sockets and processes are its own. */
export const LIBRARY_UNMEASURED: ReadonlySet<string> = new Set(['max in flight / conn', 'bytes sent', 'bytes received', 'bytes copied (procs)', 'pool queue wait p99 ms']);

/** The side-by-side table both CLIs print: one column per world. */
export function reportTable(title: string, worlds: readonly ReportColumn[]): string {
  const r = { worlds };
  const rows: Array<[string, ...string[]]> = [];
  const add = (name: string, f: (w: ReportColumn) => string | number) => rows.push([name, ...r.worlds.map((w) => (w.unmeasured?.has(name) === true ? '-' : String(f(w))))]);
  add('client', (w) => w.kind);
  add('requests issued', (w) => w.metrics.requests.issued);
  add('ok', (w) => w.metrics.requests.ok);
  add('failed', (w) => w.metrics.requests.failed);
  add('unfinished at end', (w) => w.metrics.requests.unfinished);
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
  return [title, '', line(header), ...rows.map(line)].join('\n');
}

