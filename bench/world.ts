/**
 * CPU time to simulate one scenario's worlds, per world: the figure to compare before and after
 * an engine change (run both in the same minute; on a shared machine wall time counts the others'
 * work, CPU time much less). Least of RUNS after one cold run. Printed, never asserted.
 *
 *   npm run bench:world -- [WHAT] [RUNS] [--stream]
 *
 * WHAT: a preset's id (default l4-multiplex, the lab's home page), `budget` (bench:web's 100k
 * scenario) or `closed` (bench:scenario's closed load, 10 s virtual: ~200k requests). Worlds keep
 * their trace (as tests and exports do); --stream streams it as a CLI run without an export does;
 * --view streams it into the lab's view as the lab's workers do (sim/views/derive.ts viewPass).
 */
import { loadPreset, parseScenario, runWorld, type Scenario } from '../sim/scenario/index.js';
import { viewPass } from '../sim/views/index.js';
import { budgetScenario } from './budget-scenario.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const view = process.argv.includes('--view');
const stream = view || process.argv.includes('--stream');
const what = args[0] ?? 'l4-multiplex';
const runs = Number(args[1] ?? 5);

function parsed(input: unknown): Scenario {
  const p = parseScenario(input as never);
  if (!p.ok) throw new Error(p.errors.join('; '));
  return p.scenario;
}

const closed = {
  name: 'closed',
  durationMs: 10_000,
  network: { latencyMs: 0.25 },
  workload: { callers: 50, thinkMs: 2, mix: { GET: 0.8, SET: 0.2 } },
  clients: [{ label: 'multiplex', kind: 'multiplex' }],
};
const s = what === 'budget' ? parsed(budgetScenario) : what === 'closed' ? parsed(closed) : loadPreset(what);
if (s === undefined || s === null) {
  console.error(`no such preset: ${what}`);
  process.exit(2);
}

for (const spec of s.clients) {
  let best = Number.POSITIVE_INFINITY;
  let cold = 0;
  let requests = 0;
  let events = 0;
  for (let i = 0; i <= runs; i++) {
    const c0 = process.cpuUsage();
    const pass = view ? viewPass(spec.label, s) : undefined;
    const w = runWorld(s, spec, undefined, undefined, !stream, undefined, pass);
    // As the lab's workers do: finished and packed for the page in one.
    pass?.finishPacked({ ...w, endUs: w.world.kernel.now });
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1000;
    if (i === 0) cold = cpu;
    else best = Math.min(best, cpu);
    requests = w.metrics.requests.issued;
    events = w.world.kernel.eventsRun;
  }
  console.log(
    `${what} / ${spec.label}: ${requests.toLocaleString('en-US')} requests, ${(events / requests).toFixed(2)} kernel events each; ` +
      `${best.toFixed(0)} ms CPU (least of ${runs}; cold ${cold.toFixed(0)}), ${((best * 1000) / requests).toFixed(2)} µs per request${view ? ', trace streamed into the view' : stream ? ', trace streamed' : ', trace kept'}`,
  );
}
