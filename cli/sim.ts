/**
 * The command-line lab: runs a preset or a scenario file, one world per client configuration,
 * and prints a side-by-side table (or one JSON document with --json).
 */
import { COMMON_OPTIONS, exitOnError, parseCommandLine, printable } from './args.js';
import { checkOutput, loadScenario, presetList, reportTable, writeOutput } from './report.js';
import { jsonReport, perfettoExport, runScenario, traceExport, type ScenarioResult } from '../sim/scenario/index.js';

const USAGE = `usage: npm run sim -- (--preset NAME | --scenario FILE) [options]

  --preset NAME        run a built-in scenario (see --list)
  --scenario FILE      run a scenario from a JSON file
  --seed N             override the scenario's seed (a whole number)
  --json               print one JSON document instead of the table
  --out-trace FILE     write every world's trace as JSON
  --out-perfetto FILE  write a Chrome/Perfetto trace (open it in ui.perfetto.dev)
  --list               list the presets with their descriptions
  --help               this text`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  'out-trace': { type: 'string' },
  'out-perfetto': { type: 'string' },
} as const;

function table(r: ScenarioResult): string {
  const title = `${printable(r.scenario.name, true)} — seed ${r.scenario.seed}, ${r.scenario.durationMs} ms${r.scenario.description ? `\n${printable(r.scenario.description)}` : ''}`;
  return reportTable(title, r.worlds.map((w) => ({ label: w.label, kind: w.client.kind, metrics: w.metrics, traceHash: w.traceHash })));
}

function main(argv: string[]): number {
  const args = parseCommandLine(argv, OPTIONS);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.list) {
    process.stdout.write(presetList());
    return 0;
  }
  const scenario = loadScenario(args);
  checkOutput('--out-trace', args['out-trace']);
  checkOutput('--out-perfetto', args['out-perfetto']);
  const tty = process.stderr.isTTY === true;
  let shown = -1;
  const result = runScenario(scenario, {
    onProgress: tty
      ? (f) => {
          const pct = Math.floor(f * 100);
          if (pct !== shown) {
            shown = pct;
            process.stderr.write(`\rsimulating ${printable(scenario.name, true)}: ${pct}%`);
          }
        }
      : undefined,
  });
  if (tty) process.stderr.write('\r\x1b[K');
  if (args['out-trace'] !== undefined) writeOutput('--out-trace', args['out-trace'], JSON.stringify(traceExport(result)));
  if (args['out-perfetto'] !== undefined) writeOutput('--out-perfetto', args['out-perfetto'], JSON.stringify(perfettoExport(result)));
  process.stdout.write(args.json ? `${JSON.stringify(jsonReport(result), null, 2)}\n` : `${table(result)}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.exitCode = exitOnError(e, USAGE);
}
