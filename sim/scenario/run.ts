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
import { drainMs, faultsInRunOrder, type ClientSpec, type Scenario } from './schema.js';
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

/**
 * One client configuration's world being run: to the end at once (`runWorld`), or partway
 * (`runTo`) and then on, with the same faults or with others that differ only from where it
 * stopped (`refault`): a world run to T is, to the event, the world of any scenario whose faults
 * before T are the same (the simulation is deterministic, and a fault is an event at its time), so
 * the lab re-simulates a fault edit from a world it ran ahead to before the edit (web/src/worker/).
 *
 * `observe`: with keepTrace false, a pass told of its kinds' events as they are recorded (the
 * lab's view, sim/views/derive.ts's viewPass), so the run is not read a second time.
 */
export class WorldRun {
  readonly world: World;
  readonly end: Micros;
  /** Every event before this instant has run, and none at or after it (µs). */
  private ranBefore: Micros = 0;
  private readonly metrics: ReturnType<typeof streamMetrics>;
  private readonly observed: boolean;
  /**
   * A slice threw (stuck, too big, a process crashed): where it is now is no instant to go on
   * from. A run stopped by its progress callback is not: it stops between instants (runTo).
   */
  private broken = false;

  constructor(
    private scenario: Scenario,
    readonly spec: ClientSpec,
    private readonly keepTrace = true,
    private readonly maxTraceEvents = Number.POSITIVE_INFINITY,
    observe?: TraceObserver,
  ) {
    if (keepTrace && observe !== undefined) throw new Error('runWorld: observe is for a trace that is not kept (read a kept one after the run)');
    const { world, end } = buildWorld(scenario, spec, keepTrace);
    this.world = world;
    this.end = end;
    this.observed = observe !== undefined;
    // The report is made as the events come, kept or not: no second pass over a kept trace.
    this.metrics = streamMetrics(world.kernel.trace, ms(scenario.durationMs), ms(scenario.workload.callTimeoutMs), observe);
    startWorld(scenario, spec, world);
  }

  /** The instant it has run to: every event before it has run, none at or after it. */
  get at(): Micros {
    return this.ranBefore;
  }

  /**
   * Runs every event before `until` (µs, at most the end; default: the whole run) in slices of
   * `sliceEvents` events, calling `onProgress` with the fraction of the run done between them.
   */
  runTo(until: Micros = this.end + 1, sliceEvents = 200_000, onProgress?: (f: number) => void): void {
    const to = Math.min(until, this.end + 1);
    if (to <= this.ranBefore) return;
    const { world, end } = this;
    const label = this.spec.label;
    if (this.broken) throw new Error(`world "${label}": its run was cut short and cannot go on`);
    this.broken = true;
    const { kernel } = world;
    runSlices(world, label, to - 1, sliceEvents, () => {
      const events = kernel.trace.length;
      if ((this.keepTrace || this.observed) && events > this.maxTraceEvents) {
        throw new Error(
          `world "${label}": its trace passed ${this.maxTraceEvents} events at ${formatInstant(kernel.now)} of ${this.scenario.durationMs / 1000} s, more than the lab holds (it draws every request of a run): ` +
            'shorten durationMs, lower the load, or run it with npm run sim, which keeps no trace',
        );
      }
      // The rest of this instant first (a slice ends after so many events, maybe mid-instant):
      // then every event up to now has run and none after, so a run that `onProgress` stops here
      // (the lab's worker, when a newer edit comes) is a world run to an instant, to go on from.
      // Where slices end changes nothing of the run: same events, same order.
      kernel.run(kernel.now);
      this.ranBefore = kernel.now + 1;
      this.broken = false;
      onProgress?.(kernel.now / end);
      this.broken = true;
    });
    this.broken = false;
    this.ranBefore = to;
  }

  /**
   * Null if the run may go on as a run of `s` (the same scenario but for faults due from where it
   * stopped on), else why not.
   */
  whyNot(s: Scenario): string | null {
    if (this.broken) return 'its run was cut short';
    if (!this.sameButFaults(s)) return 'the scenario differs in more than its faults';
    if (s.faults.length > this.world.faultRoom) return `more faults than the run has room for (${this.world.faultRoom})`;
    // In the order they ran (faultsInRunOrder): a dragged fault keeps its place in the list while
    // the lab runs the drag, and its drop sorts the list.
    const before = (x: Scenario) => JSON.stringify(faultsInRunOrder(x.faults.filter((f) => ms(f.atMs) < this.ranBefore)));
    if (before(s) !== before(this.scenario)) return `its faults differ before ${formatInstant(this.ranBefore)}, where this run stopped`;
    return null;
  }

  /** Whether `s` is this run's scenario but for its faults. */
  sameButFaults(s: Scenario): boolean {
    const base = (x: Scenario) => JSON.stringify({ ...x, faults: [] });
    return base(s) === base(this.scenario);
  }

  /** Goes on as a run of `s` from here: its faults due from here on replace the others (see whyNot). */
  refault(s: Scenario): void {
    const why = this.whyNot(s);
    if (why !== null) throw new Error(`world "${this.spec.label}" cannot go on as a run of this scenario: ${why}`);
    this.world.reschedule(s.faults, this.ranBefore);
    this.scenario = s;
  }

  /** Runs what is left and gives the result. */
  finish(sliceEvents?: number, onProgress?: (f: number) => void): WorldResult {
    this.runTo(this.end + 1, sliceEvents, onProgress);
    onProgress?.(1);
    const { world, spec } = this;
    return { label: spec.label, client: spec, world, trace: world.kernel.trace, traceHash: world.kernel.trace.hash(), metrics: this.metrics.finish(world) };
  }
}

/** Runs one client configuration's world (see WorldRun for `observe`). */
export function runWorld(
  s: Scenario,
  spec: ClientSpec,
  onProgress?: (f: number) => void,
  sliceEvents = 200_000,
  keepTrace = true,
  maxTraceEvents = Number.POSITIVE_INFINITY,
  observe?: TraceObserver,
): WorldResult {
  return new WorldRun(s, spec, keepTrace, maxTraceEvents, observe).finish(sliceEvents, onProgress);
}
