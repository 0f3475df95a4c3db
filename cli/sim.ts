/**
 * The command-line lab: runs a preset or a scenario file, one world per client configuration,
 * and prints a side-by-side table (or one JSON document with --json).
 */
import { COMMON_OPTIONS, exitOnError, helpOrList, parseCommandLine, printable } from './args.js';
import { checkOutput, loadScenario, reportTable, writeOutput } from './report.js';
import { jsonReport, perfettoExport, runScenario, traceExport, type Scenario, type ScenarioResult } from '../sim/scenario/index.js';
import { runScenarioShipped } from './trace-runner.js';

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

/**
 * An estimate, before the run, of what a trace export holds: requests from the workload (open:
 * rate × duration; closed: each caller at most one request per think time plus a round trip),
 * ~16 events per request (14–21 measured over the presets), ~100 bytes of JSON per event in
 * --out-trace and ~3 Perfetto events of ~120 bytes per request. An upper bound for a closed
 * workload slowed by its server, pool or faults.
 */
function traceSizeNote(s: Scenario, trace: boolean, perfetto: boolean): string {
  const w = s.workload;
  const perRequestMs = w.thinkMs + 2 * s.network.latencyMs + 0.01;
  const requests = w.mode === 'open' ? (w.ratePerSec * s.durationMs) / 1000 : (w.callers * s.durationMs) / perRequestMs;
  const worlds = s.clients.length;
  const events = requests * 16 * worlds;
  const mb = (trace ? events * 100 : 0) + (perfetto ? requests * worlds * 3 * 120 : 0);
  const n = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(1)} million` : x >= 1e3 ? `${Math.round(x / 1e3)} thousand` : `${Math.round(x)}`);
  return `note: the trace export keeps every event in memory until it is written: up to about ${n(requests)} requests per world, ${n(events)} events in ${worlds} world${worlds === 1 ? '' : 's'}, ~${Math.max(1, Math.round(mb / 1e6))} MB of JSON (a run without --out-trace / --out-perfetto keeps memory flat)`;
}

function main(argv: string[]): number {
  const args = parseCommandLine(argv, OPTIONS);
  const done = helpOrList(args, USAGE);
  if (done !== null) return done;
  const scenario = loadScenario(args);
  checkOutput('--out-trace', args['out-trace']);
  checkOutput('--out-perfetto', args['out-perfetto']);
  const exporting = args['out-trace'] !== undefined || args['out-perfetto'] !== undefined;
  // Without an export the events are shipped to a second thread that hashes and counts them, then
  // dropped: memory stays flat however long the run, and the report's work is off the world's
  // thread (cli/trace-runner.ts). With one, every event is held until written: say how much first.
  if (exporting) process.stderr.write(`${traceSizeNote(scenario, args['out-trace'] !== undefined, args['out-perfetto'] !== undefined)}\n`);
  const tty = process.stderr.isTTY === true;
  let shown = -1;
  const onProgress = tty
    ? (f: number) => {
        const pct = Math.floor(f * 100);
        if (pct !== shown) {
          shown = pct;
          process.stderr.write(`\rsimulating ${printable(scenario.name, true)}: ${pct}%`);
        }
      }
    : undefined;
  const result = exporting ? runScenario(scenario, { keepTrace: true, onProgress }) : runScenarioShipped(scenario, { onProgress });
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
