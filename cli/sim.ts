/**
 * The command-line lab: runs a preset or a scenario file, one world per client configuration,
 * and prints a side-by-side table (or one JSON document with --json).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, fail, loadScenario, reportTable } from './report.js';
import { StuckError } from '../sim/kernel/kernel.js';
import { jsonReport, perfettoExport, presets, runScenario, traceExport, type ScenarioResult } from '../sim/scenario/index.js';

const USAGE = `usage: npm run sim -- (--preset NAME | --scenario FILE) [options]

  --preset NAME        run a built-in scenario (see --list)
  --scenario FILE      run a scenario from a JSON file
  --seed N             override the scenario's seed (a whole number)
  --json               print one JSON document instead of the table
  --out-trace FILE     write every world's trace as JSON
  --out-perfetto FILE  write a Chrome/Perfetto trace (open it in ui.perfetto.dev)
  --list               list the presets with their descriptions
  --help               this text`;

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

function table(r: ScenarioResult): string {
  const title = `${r.scenario.name} — seed ${r.scenario.seed}, ${r.scenario.durationMs} ms${r.scenario.description ? `\n${r.scenario.description}` : ''}`;
  return reportTable(title, r.worlds.map((w) => ({ label: w.label, kind: w.client.kind, metrics: w.metrics, traceHash: w.traceHash })));
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
  } else if (e instanceof StuckError) {
    // A bug of the model (every step costs CPU, so a scenario alone cannot do this): said plainly.
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = 1;
  } else {
    throw e;
  }
}
