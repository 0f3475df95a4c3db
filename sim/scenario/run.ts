/**
 * The one entry point the web app, the CLI and the tests share: a scenario in, one world per
 * client configuration out — same seed, same workload draws, same faults — each with its trace
 * and its report.
 */
import { StuckError, formatInstant } from '../kernel/kernel.js';
import { ms, type Micros } from '../kernel/time.js';
import type { Trace } from '../kernel/trace.js';
import type { ClientConfig } from '../clients/index.js';
import { World } from '../worlds/world.js';
import { workloadCallers } from '../faults/index.js';
import { setupClient } from './harness.js';
import { streamMetrics, type TraceObserver, type WorldMetrics } from './metrics.js';
import { drainMs, type ClientSpec, type Scenario } from './schema.js';
import { spawnWorkload } from './workload.js';

export interface WorldResult {
  label: string;
  client: ClientSpec;
  world: World;
  trace: Trace;
  traceHash: string;
  metrics: WorldMetrics;
}

export interface ScenarioResult {
  scenario: Scenario;
  worlds: WorldResult[];
}

export interface RunOptions {
  /** Called now and then with the fraction of simulated time done, over all worlds. */
  onProgress?: (fraction: number) => void;
  /** Events per slice between progress reports (default 200k). */
  sliceEvents?: number;
  /**
   * Keep every world's trace (default true: the lab draws from it, exports read it). false: the
   * report is computed as the events come and they are dropped, so memory stays flat however
   * long the run; the trace hash is the same, but the trace cannot be read or exported.
   */
  keepTrace?: boolean;
  /**
   * Stop a world whose kept trace passes this many events, with an error saying so (the lab:
   * a tab has a few GB at most, and a trace holds every event). Default: no limit.
   */
  maxTraceEvents?: number;
}

/** How long the run goes on after the last request may start. */
export function drainUs(s: Scenario): Micros {
  return ms(drainMs(s));
}

export function runScenario(s: Scenario, options: RunOptions = {}): ScenarioResult {
  const worlds = s.clients.map((c, i) => runWorld(s, c, (f) => options.onProgress?.((i + f) / s.clients.length), options.sliceEvents, options.keepTrace, options.maxTraceEvents));
  return { scenario: s, worlds };
}

/**
 * One client configuration's world, its workload spawned and its faults scheduled, ready to run
 * until `end` (what runWorld runs; cli/trace-runner.ts runs it too, its trace shipped).
 */
export function buildWorld(s: Scenario, spec: ClientSpec, keepTrace = true): { world: World; end: Micros } {
  const world = new World({
    seed: s.seed,
    keepTrace,
    runtime: { schedulers: s.runtime.schedulers, copyNsPerByte: s.runtime.copyNsPerByte, sendNs: s.runtime.sendNs, stepOverheadNs: s.runtime.stepOverheadNs },
    network: {
      latencyUs: ms(s.network.latencyMs),
      jitterUs: ms(s.network.jitterMs),
      bandwidthMbps: s.network.bandwidthMbps ?? Number.POSITIVE_INFINITY,
      connectRtts: s.network.connectRtts,
      mss: s.network.mss,
    },
    server: { commandUs: s.server.commandUs, commandDist: s.server.commandDist, readEventUs: s.server.readEventUs, maxClients: s.server.maxClients },
  });
  return { world, end: ms(s.durationMs) + drainUs(s) };
}

/** Spawns the client and the workload and schedules the faults: call once the world's trace has its readers. */
export function startWorld(s: Scenario, spec: ClientSpec, world: World): void {
  const { label, ...config } = spec;
  const client = setupClient(world, label, config as ClientConfig, s.runtime.codecNsPerByte);
  const { callers, live } = spawnWorkload(world, client, s);
  world.callers = workloadCallers(world.kernel, world.rt, callers, live, world.kernel.rng.child('faults'));
  world.schedule(s.faults);
}

/**
 * Runs a started world to `end` in slices of `sliceEvents` events, calling `afterSlice` between
 * them; a world stuck at one instant is named in the error.
 */
export function runSlices(world: World, label: string, end: Micros, sliceEvents: number, afterSlice: () => void): void {
  try {
    while (world.kernel.run(end, sliceEvents)) afterSlice();
  } catch (e) {
    throw e instanceof StuckError ? e.inWorld(label) : e;
  }
}

/** Runs one client configuration's world. */
/**
 * `observe`: with keepTrace false, a pass told of its kinds' events as they are recorded (the
 * lab's view, sim/views/derive.ts's viewPass), so the run is not read a second time.
 */
export function runWorld(
  s: Scenario,
  spec: ClientSpec,
  onProgress?: (f: number) => void,
  sliceEvents = 200_000,
  keepTrace = true,
  maxTraceEvents = Number.POSITIVE_INFINITY,
  observe?: TraceObserver,
): WorldResult {
  if (keepTrace && observe !== undefined) throw new Error('runWorld: observe is for a trace that is not kept (read a kept one after the run)');
  const { world, end } = buildWorld(s, spec, keepTrace);
  // The report is made as the events come, kept or not: no second pass over a kept trace.
  const metrics = streamMetrics(world.kernel.trace, ms(s.durationMs), ms(s.workload.callTimeoutMs), observe);
  startWorld(s, spec, world);
  const label = spec.label;
  runSlices(world, label, end, sliceEvents, () => {
    onProgress?.(world.kernel.now / end);
    const events = world.kernel.trace.length;
    if ((keepTrace || observe !== undefined) && events > maxTraceEvents) {
      throw new Error(
        `world "${label}": its trace passed ${maxTraceEvents} events at ${formatInstant(world.kernel.now)} of ${s.durationMs / 1000} s, more than the lab holds (it draws every request of a run): ` +
          'shorten durationMs, lower the load, or run it with npm run sim, which keeps no trace',
      );
    }
  });
  onProgress?.(1);
  return { label, client: spec, world, trace: world.kernel.trace, traceHash: world.kernel.trace.hash(), metrics: metrics.finish(world) };
}
