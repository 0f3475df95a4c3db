/**
 * Whole-scenario speed and memory, printed, never asserted. Every run is what `npm run sim` does
 * without a trace export, bundled as it is (scripts/run-bench.mjs): cli/trace-runner.ts, the
 * world on this thread, its trace shipped to a second thread that hashes it and makes the
 * report. CPU time is the process's, both threads'.
 * - the ~1M-request run (50 callers, 50 s virtual, one multiplexed world, no trace kept): wall
 *   time, requests per wall second, peak memory;
 * - the cost of a request against how many are in flight: open load on the multiplexed client,
 *   5 ms one way, the same ~190k requests offered at 20k/s and at 80k/s: µs of wall time per
 *   request and their ratio (flat cost per request: 1.0).
 *
 *   npm run bench:scenario             # everything
 *   npm run bench:scenario -- --quick  # skip the million
 *   npm run bench:scenario -- --million 10   # ten million requests instead of one
 */
import { parseScenario, type Scenario, type ScenarioInput } from '../sim/scenario/index.js';
import { runScenarioShipped } from '../cli/trace-runner.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const millionsAt = args.indexOf('--million');
const millions = millionsAt >= 0 ? Number(args[millionsAt + 1]) : 1;

function scenario(input: ScenarioInput): Scenario {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d });

/** Peak resident memory: sampled during the run (a timer cannot fire in a synchronous run, so the run's own slices sample it). */
let peak = 0;
const sample = () => {
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
};

function closed(durationMs: number): Scenario {
  return scenario({
    name: 'bench-closed',
    durationMs,
    network: { latencyMs: 0.25 },
    workload: { callers: 50, thinkMs: 2, mix: { GET: 0.8, SET: 0.2 } },
    clients: [{ label: 'multiplex', kind: 'multiplex' }],
  });
}

function open(ratePerSec: number, requests: number): Scenario {
  return scenario({
    name: `bench-open-${ratePerSec}`,
    durationMs: Math.round((requests / ratePerSec) * 1000),
    drainMs: 100,
    network: { latencyMs: 5 },
    workload: { mode: 'open', ratePerSec, mix: { GET: 0.8, SET: 0.2 } },
    clients: [{ label: 'multiplex', kind: 'multiplex' }],
  });
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * `quarters`: the heap still in use after a full GC at each quarter of the run (MB), to show that
 * memory stays flat however long it goes (four GCs: their wall time is measured and told apart).
 */
function timed(s: Scenario, quarters: number[] | null = null): { wall: number; cpu: number; issued: number; gcWall: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0.25;
  // The forced GCs are the memory figure's, not the run's: their time is told apart.
  let gcMs = 0;
  const onProgress = (f: number) => {
    sample();
    if (quarters === null || gc === undefined || f < next) return;
    next += 0.25;
    const g0 = performance.now();
    gc();
    quarters.push(process.memoryUsage().heapUsed / 2 ** 20);
    gcMs += performance.now() - g0;
  };
  const r = runScenarioShipped(s, { onProgress, sliceEvents: 100_000 });
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  // CPU time as well as wall time: on a shared machine the wall clock also counts the others' work.
  return { wall, cpu: (c.user + c.system) / 1e6, issued: r.worlds[0]!.metrics.requests.issued, gcWall: gcMs / 1000 };
}

// Warm up the JIT on both shapes of workload.
timed(closed(300));
timed(open(20_000, 5_000));

if (!quick) {
  gc?.();
  peak = 0;
  sample();
  const before = peak;
  const quarters: number[] = [];
  const { wall, cpu, issued, gcWall } = timed(closed(50_000 * millions), quarters);
  console.log(
    `${millions === 1 ? '~1M' : `~${millions}M`} requests (50 callers, ${50 * millions} s virtual, multiplexed, no trace kept): ${fmt(issued, 0)} in ${fmt(wall, 1)} s wall (${fmt(cpu, 1)} s of CPU), ` +
      (quarters.length === 0 ? '' : `${fmt(wall - gcWall, 2)} s without the ${quarters.length} GCs forced for the memory figures (${fmt(gcWall * 1000, 0)} ms), `) +
      `${fmt(issued / wall, 0)} requests per wall second, peak memory ${fmt(peak / 2 ** 20, 0)} MB (${fmt(before / 2 ** 20, 0)} MB before the run)` +
      (quarters.length === 0 ? '' : `; heap in use after a GC at each quarter of the run: ${quarters.map((q) => fmt(q, 0)).join(' / ')} MB`),
  );
}

const perRequest: number[] = [];
const cpuPerRequest: number[] = [];
for (const rate of [20_000, 80_000]) {
  const { wall, cpu, issued } = timed(open(rate, 190_000));
  const us = (wall * 1e6) / issued;
  perRequest.push(us);
  cpuPerRequest.push((cpu * 1e6) / issued);
  console.log(`open load ${fmt(rate / 1000, 0)}k/s offered, 5 ms one way, multiplexed: ${fmt(issued, 0)} requests in ${fmt(wall, 2)} s, ${fmt(us, 1)} µs per request (${fmt(cpuPerRequest[cpuPerRequest.length - 1]!, 1)} µs of CPU)`);
}
console.log(`µs per request, 80k/s against 20k/s: ×${fmt(perRequest[1]! / perRequest[0]!, 2)} wall, ×${fmt(cpuPerRequest[1]! / cpuPerRequest[0]!, 2)} CPU (goal ≤ 1.25)`);
