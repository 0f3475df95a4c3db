/**
 * Whole-scenario speed: how many simulated seconds one wall-clock second buys for a 50-caller,
 * ~20k requests/s scenario (per client kind), and the wall time for one million requests.
 * Figures are printed, never asserted.
 *
 *   npm run bench:scenario             # both measurements
 *   npm run bench:scenario -- --quick  # skip the million
 */
import { parseScenario, runScenario, type Scenario } from '../sim/scenario/index.js';

const quick = process.argv.includes('--quick');

function scenario(kind: 'pool' | 'multiplex', durationMs: number): Scenario {
  const r = parseScenario({
    name: `bench-${kind}`,
    durationMs,
    network: { latencyMs: 0.25 },
    workload: { callers: 50, thinkMs: 2, mix: { GET: 0.8, SET: 0.2 } },
    clients: [kind === 'pool' ? { label: 'pool', kind: 'pool', size: 10 } : { label: 'multiplex', kind: 'multiplex' }],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d });

for (const kind of ['pool', 'multiplex'] as const) {
  runScenario(scenario(kind, 200)); // warm up
  const s = scenario(kind, 2000);
  const t0 = performance.now();
  const r = runScenario(s);
  const wall = (performance.now() - t0) / 1000;
  const w = r.worlds[0]!;
  const simulated = s.durationMs / 1000; // the traffic window; the idle drain after it costs nothing
  console.log(
    `${kind.padEnd(9)} 50 callers: ${fmt(w.metrics.throughputPerSec, 0)} req/s simulated, ` +
      `${fmt(simulated / wall, 2)} simulated s per wall s, ${fmt(w.world.kernel.eventsRun / wall, 0)} events/s, ` +
      `${fmt(w.metrics.requests.issued / wall, 0)} requests/s of wall time, ${fmt(w.trace.length / w.metrics.requests.issued, 1)} trace events per request`,
  );
}

if (!quick) {
  // One million requests: 50 s of a 20k/s workload on the multiplexed client.
  const s = scenario('multiplex', 50_000);
  const t0 = performance.now();
  const r = runScenario(s);
  const wall = (performance.now() - t0) / 1000;
  const issued = r.worlds[0]!.metrics.requests.issued;
  console.log(`1 million requests: ${fmt(issued, 0)} issued in ${fmt(wall, 1)} s of wall time (${fmt(issued / wall, 0)} requests/s)`);
}
