/**
 * npm run sweep: one scenario run for each value of one parameter, every world each time, with a
 * worker thread per point where there are cores. Each point is its own seeded run, so the
 * figures are the same whatever the number of threads.
 */
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { COMMON_OPTIONS, parseCommandLine } from './args.js';
import { Worker } from 'node:worker_threads';
import { parseScenario, presets, type Scenario } from '../sim/scenario/index.js';
import { runPoint } from '../sim/sweep/run-point.js';
import { describeCrossover, parseValues, setParam, sweepCsv, sweepPreset, sweepPresets, sweepReport, throughputBound, type SweepReport } from '../sim/sweep/index.js';
import type { JsonWorld } from '../sim/scenario/index.js';
import { fail, loadScenario, withSeed } from './report.js';

export const USAGE = `usage: npm run sweep -- (--preset NAME | --scenario FILE) --param PATH --values LIST [options]

  --preset NAME      a ready sweep (see --list; its --param and --values are the
                     defaults), or any scenario preset of npm run sim -- --list
  --scenario FILE    a scenario from a JSON file
  --param PATH       the numeric field to vary: a dotted path in the scenario
                     (network.latencyMs, workload.callers, workload.valueBytes,
                     workload.thinkMs, server.commandUs, runtime.schedulers, …) or a
                     client's field by its label: clients.<label>.<field>
                     (clients.pool.size)
  --values LIST      comma-separated numbers and ranges, in the order to run them:
                       1,2,4,8        these values
                       1..64*2        1, 2, 4, … 64 (multiply by 2 up to 64)
                       0..10+2        0, 2, 4, … 10 (add 2 up to 10); a..b steps by 1
                     (at most 100 values, none twice)
  --seed N           override the scenario's seed (a whole number)
  --workers N        threads to run points on (default: one per point, up to the
                     cores); the figures do not depend on it
  --json             print {param, values, points: [{value, worlds}], crossovers}
                     (worlds as in npm run sim -- --json)
  --out-csv FILE     also write one row per value and world as CSV
  --list             list the ready sweeps
  --help             this text`;

// One parser and one style of message for every CLI (cli/args.ts).
const parse = (argv: string[]) =>
  parseCommandLine(argv, { ...COMMON_OPTIONS, param: { type: 'string' }, values: { type: 'string' }, workers: { type: 'string' }, 'out-csv': { type: 'string' } });

/** What to run: the scenario of each value, checked against the schema before anything runs. */
/** What to run: the scenario of each value, checked against the schema before anything runs. */
export interface SweepPlan {
  param: string;
  values: number[];
  scenarios: Scenario[];
  workers: number;
  json: boolean;
  csv: string | undefined;
}

export function plan(argv: string[]): SweepPlan | 'help' | 'list' {
  const args = parse(argv);
  if (args.help) return 'help';
  if (args.list) return 'list';
  const ready = args.preset !== undefined && args.scenario === undefined ? sweepPreset(args.preset) : undefined;
  let base: Scenario;
  if (ready !== undefined) {
    const r = parseScenario(ready.scenario);
    if (!r.ok) throw new Error(`the ready sweep ${ready.name} is invalid: ${r.errors.join('; ')}`);
    base = withSeed(r.scenario, args.seed);
  } else {
    if (args.preset !== undefined && !presets.some((p) => p.name === args.preset)) {
      fail(`unknown preset "${args.preset}"; ready sweeps: ${sweepPresets.map((p) => p.name).join(', ')}; scenario presets: ${presets.map((p) => p.name).join(', ')}`);
    }
    base = loadScenario(args);
  }
  const param = args.param ?? ready?.param;
  if (param === undefined) fail('give --param PATH (for example workload.callers or clients.<label>.size)');
  const text = args.values ?? (param === ready?.param ? ready.values : undefined);
  if (text === undefined) fail('give --values LIST (for example 1,2,4 or 1..64*2)');
  const values = parseValues(text);
  if (!values.ok) fail(`--values: ${values.error}`);
  const scenarios: Scenario[] = [];
  for (const v of values.value) {
    const r = setParam(base, param, v);
    if (!r.ok) fail(r.error);
    scenarios.push(r.value.scenario);
  }
  let workers = Math.max(1, Math.min(scenarios.length, availableParallelism()));
  if (args.workers !== undefined) {
    if (!/^\d+$/.test(args.workers) || Number(args.workers) < 1) fail(`--workers must be a whole number >= 1, got "${args.workers}"`);
    workers = Math.min(scenarios.length, Number(args.workers));
  }
  return { param, values: values.value, scenarios, workers, json: args.json, csv: args['out-csv'] };
}

/**
 * Runs every point: on this thread with one worker, else on threads taking the next point as
 * they finish. Results are placed by index, so the order never depends on which ends first.
 */
export async function runPoints(scenarios: readonly Scenario[], workers: number, onDone?: (done: number) => void): Promise<JsonWorld[][]> {
  const out: JsonWorld[][] = new Array(scenarios.length);
  let done = 0;
  if (workers <= 1) {
    scenarios.forEach((s, i) => {
      out[i] = runPoint(s);
      onDone?.(++done);
    });
    return out;
  }
  let next = 0;
  const thread = () =>
    new Promise<void>((resolve, reject) => {
      // The thread registers tsx's loader, then loads the TypeScript worker (sweep-thread.mjs).
      const w = new Worker(new URL('./sweep-thread.mjs', import.meta.url));
      const give = () => {
        if (next >= scenarios.length) {
          void w.terminate().then(() => resolve());
          return;
        }
        const i = next++;
        w.postMessage({ index: i, scenario: scenarios[i] });
      };
      w.on('message', (m: { index: number; worlds?: JsonWorld[]; error?: string }) => {
        if (m.error !== undefined) {
          void w.terminate();
          reject(new Error(`the point ${m.index + 1} crashed: ${m.error}`));
          return;
        }
        out[m.index] = m.worlds!;
        onDone?.(++done);
        give();
      });
      w.on('error', reject);
      give();
    });
  await Promise.all(Array.from({ length: Math.min(workers, scenarios.length) }, thread));
  return out;
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3));

/** One row per value: each world's throughput, bound, p50 / p99 and failures; then the crossovers in words. */
export function sweepTable(r: SweepReport, scenarios: readonly Scenario[]): string {
  const labels = r.points[0]?.worlds.map((w) => w.label) ?? [];
  const head = [r.param, ...labels.flatMap((l) => [`${l} /s`, `${l} bound /s`, `${l} p50 ms`, `${l} p99 ms`, `${l} failed`])];
  const rows = r.points.map((p, i) => [
    String(p.value),
    ...labels.flatMap((l) => {
      const w = p.worlds.find((x) => x.label === l)!;
      const spec = scenarios[i]!.clients.find((c) => c.label === l)!;
      const b = throughputBound(scenarios[i]!, spec);
      return [w.throughputPerSec.toFixed(0), b === null ? '-' : `${b.perSec.toFixed(0)} ${b.law}`, fmt(w.latencyMs.p50), fmt(w.latencyMs.p99), String(w.requests.failed)];
    }),
  ]);
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const s = scenarios[0]!;
  const words = r.crossovers.map((c) => `  ${describeCrossover(c, r.points, r.param)}`);
  return [
    `${s.name} — seed ${s.seed}, ${s.durationMs} ms, ${r.param} over ${r.values.length} values`,
    '',
    line(head),
    ...rows.map(line),
    '',
    words.length === 0 ? 'No crossover: no two worlds change places between two consecutive values.' : `Crossovers:\n${words.join('\n')}`,
  ].join('\n');
}

export async function main(argv: string[], write: (s: string) => void = (s) => void process.stdout.write(s)): Promise<number> {
  const p = plan(argv);
  if (p === 'help') {
    write(`${USAGE}\n`);
    return 0;
  }
  if (p === 'list') {
    const w = Math.max(...sweepPresets.map((x) => x.name.length));
    for (const x of sweepPresets) write(`${x.name.padEnd(w)}  ${x.param} = ${x.values}\n${' '.repeat(w + 2)}${x.description}\n`);
    return 0;
  }
  const csv = p.csv;
  const tty = process.stderr.isTTY === true;
  const worlds = await runPoints(p.scenarios, p.workers, tty ? (d) => process.stderr.write(`\rsweeping ${p.param}: ${d}/${p.scenarios.length} points`) : undefined);
  if (tty) process.stderr.write('\r\x1b[K');
  const report = sweepReport(
    p.param,
    p.values.map((value, i) => ({ value, worlds: worlds[i]! })),
  );
  if (csv !== undefined) {
    try {
      writeFileSync(csv, sweepCsv(report));
    } catch (e) {
      fail(`cannot write ${csv}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  write(p.json ? `${JSON.stringify(report, null, 2)}\n` : `${sweepTable(report, p.scenarios)}\n`);
  return 0;
}
