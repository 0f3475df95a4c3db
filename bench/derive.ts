/**
 * What the lab does with a world once it is simulated, in Node, per world: derive its view
 * (sim/views/derive.ts), pack it for the trip from the worker, unpack it on the page, and build
 * the timeline's index (web/src/components/timeline/world-index.ts). CPU time beside wall time,
 * least of RUNS (5), for the default scenario (L4) and the 100k budget scenario of bench:web.
 * Printed, never asserted.
 *
 *   npm run bench:derive [-- RUNS]
 */
import { loadPreset, parseScenario, runWorld, type Scenario, type WorldResult } from '../sim/scenario/index.js';
import { deriveWorld, packWorld, unpackWorld } from '../sim/views/index.js';
import { buildWorldIndex } from '../web/src/components/timeline/world-index.js';
import { budgetScenario } from './budget-scenario.js';

const RUNS = Number(process.argv[2] ?? 5);

function scenarioOf(input: unknown): Scenario {
  const p = parseScenario(input as never);
  if (!p.ok) throw new Error(p.errors.join('; '));
  return p.scenario;
}

type Stage = 'derive' | 'pack' | 'unpack' | 'index';

function measure(w: WorldResult, s: Scenario): Record<Stage, { cpu: number; wall: number }> {
  const best: Record<Stage, { cpu: number; wall: number }> = { derive: { cpu: Infinity, wall: Infinity }, pack: { cpu: Infinity, wall: Infinity }, unpack: { cpu: Infinity, wall: Infinity }, index: { cpu: Infinity, wall: Infinity } };
  const time = <T>(stage: Stage, f: () => T): T => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = f();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1000;
    if (cpu < best[stage].cpu) best[stage] = { cpu, wall };
    return out;
  };
  for (let i = 0; i < RUNS; i++) {
    const view = time('derive', () => deriveWorld(w, s));
    const { packed } = time('pack', () => packWorld(view));
    const page = time('unpack', () => unpackWorld(packed));
    time('index', () => buildWorldIndex(page));
  }
  return best;
}

for (const [name, s] of [['default (l4-multiplex)', loadPreset('l4-multiplex')!], ['budget-100k', scenarioOf(budgetScenario)]] as const) {
  for (const spec of s.clients) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const w = runWorld(s, spec, undefined, undefined, true);
    const c = process.cpuUsage(c0);
    const sim = { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
    const b = measure(w, s);
    const total = Object.values(b).reduce((a, x) => a + x.cpu, 0);
    const f = (x: { cpu: number; wall: number }) => `${x.cpu.toFixed(0)} ms CPU (${x.wall.toFixed(0)} wall)`;
    console.log(`${name} / ${spec.label}: ${w.metrics.requests.issued} requests; simulating (once, keeping the trace) ${f(sim)}; derive ${f(b.derive)}, pack ${f(b.pack)}, unpack ${f(b.unpack)}, index ${f(b.index)}: ${total.toFixed(0)} ms CPU after the simulation, least of ${RUNS}`);
  }
}
