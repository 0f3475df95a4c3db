/**
 * Never stuck at one instant: every process step costs CPU (a floor), so a loop of calls that fail
 * at once moves the clock and ends; a world that runs a great many steps or events without its
 * clock moving, or a step that never waits, is stopped with an error naming the instant and who ran.
 */
import { describe, expect, it } from 'vitest';
import { Kernel, StuckError } from '../../sim/kernel/index.js';
import { MIN_STEP_NS, Runtime, type Pid } from '../../sim/runtime/index.js';
import { parseScenario, runScenario, type ScenarioInput } from '../../sim/scenario/index.js';

function scenario(input: ScenarioInput) {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

describe('a loop of calls that fail at once', () => {
  it('a_zero_think_caller_against_a_client_failing_without_waiting_advances_time_and_ends', () => {
    // The supervisor gives up on a connection that exits on disconnection while Redis is down:
    // from then on every call fails with noproc without waiting for anything.
    const s = scenario({
      name: 'zero-think-noproc',
      durationMs: 30,
      drainMs: 5,
      workload: { callers: 2, thinkMs: 0 },
      clients: [{ label: 'm', kind: 'multiplex', exitOnDisconnection: true, connect: 'sync' }],
      faults: [{ atMs: 5, kind: 'server_down', forMs: 10 }],
    });
    const [w] = runScenario(s).worlds;
    expect(w!.world.kernel.now).toBe(35_000);
    expect(w!.metrics.requests.errors.noproc ?? 0).toBeGreaterThan(1000);
    // The callers' requests start at instants spread over the run, not all at one.
    const starts = new Map<number, number>();
    for (const e of w!.trace.ofKind('pipeline.start')) starts.set(e.t, (starts.get(e.t) ?? 0) + 1);
    expect(starts.size).toBeGreaterThan(1000);
    expect(Math.max(...starts.values())).toBeLessThan(10);
    // The looping callers are busy: their steps cost CPU.
    const busy = w!.world.rt.stats().filter((p) => p.name.startsWith('caller'));
    for (const p of busy) expect(p.busyUs).toBeGreaterThan(5_000);
  }, 120_000);

  it('no_latency_no_backoff_and_no_costs_while_the_server_is_down_ends', () => {
    const s = scenario({
      name: 'zero-cost-reconnect',
      durationMs: 20,
      drainMs: 5,
      network: { latencyMs: 0 },
      server: { commandUs: 0, readEventUs: 0 },
      runtime: { codecNsPerByte: 0, copyNsPerByte: 0, sendNs: 0, stepOverheadNs: 0 },
      workload: { callers: 2, thinkMs: 1 },
      clients: [{ label: 'm', kind: 'multiplex', backoff: { strategy: 'none' } }],
      faults: [{ atMs: 5, kind: 'server_down', forMs: 10 }],
    });
    const [w] = runScenario(s).worlds;
    expect(w!.world.kernel.now).toBe(25_000);
    // It reconnected in a loop, each attempt paying the floor, and came back after the restart.
    expect(w!.metrics.connections.connectAttempts).toBeGreaterThan(1000);
    expect(w!.metrics.requests.ok).toBeGreaterThan(0);
  }, 120_000);

  it('every_step_costs_at_least_the_floor', () => {
    const kernel = new Kernel({ seed: 1 });
    const rt = new Runtime(kernel, { stepOverheadNs: 0 });
    const pid = rt.spawn(function* (ctx) {
      for (let i = 0; i < 99; i++) yield* ctx.yield();
    });
    kernel.run();
    const p = rt.stats().find((x) => x.pid === pid)!;
    expect(p.steps).toBe(100);
    expect(p.busyUs).toBeCloseTo((100 * MIN_STEP_NS) / 1000, 9);
    expect(kernel.now).toBe(Math.floor((100 * MIN_STEP_NS) / 1000));
  });
});

describe('the stuck guard', () => {
  it('stops_a_zero_time_loop_of_steps_naming_the_process_and_the_instant', () => {
    const kernel = new Kernel({ seed: 1, stuckLimit: 10_000 });
    // minStepNs 0 builds what the floor otherwise forbids: steps that cost nothing.
    const rt = new Runtime(kernel, { minStepNs: 0 });
    rt.spawn(function* (ctx) {
      yield* ctx.sleep(1234);
      for (;;) {
        ctx.send(ctx.self, 'again');
        yield* ctx.receive();
      }
    }, { name: 'looper' });
    let error: unknown = null;
    try {
      kernel.run(1_000_000);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StuckError);
    const stuck = error as StuckError;
    expect(stuck.at).toBe(1234);
    expect(stuck.message).toContain('t = 0.001234 s');
    expect(stuck.message).toContain('looper (pid 1)');
    expect(kernel.now).toBe(1234);
  });

  it('stops_a_zero_time_loop_of_events_outside_any_process', () => {
    const kernel = new Kernel({ seed: 1, stuckLimit: 1000 });
    new Runtime(kernel);
    const again = (): void => {
      kernel.at(kernel.now, again);
    };
    kernel.at(50, again);
    expect(() => kernel.run()).toThrow(/stuck at t = 0\.000050 s: 1000 events and process steps without virtual time advancing; no process step ran/);
  });

  it('stops_a_step_that_never_waits', () => {
    const kernel = new Kernel({ seed: 1 });
    const rt = new Runtime(kernel, { maxStepOps: 5000 });
    let pid: Pid | null = null;
    pid = rt.spawn(function* (ctx) {
      yield* ctx.sleep(10);
      // Reads the clock for ever, never yielding: one step that would never end.
      while (ctx.now >= 0) ctx.makeRef();
    }, { name: 'spinner' });
    expect(() => kernel.run()).toThrow(new RegExp(`stuck at t = 0\\.000010 s.*spinner \\(pid ${pid}\\) ran more than 5000 operations in one step without waiting`));
  });

  it('leaves_many_steps_at_one_instant_alone_below_the_limit', () => {
    // 20,000 processes all start at t = 0: legitimate work at one instant.
    const kernel = new Kernel({ seed: 1, stuckLimit: 100_000 });
    const rt = new Runtime(kernel, { minStepNs: 0 });
    for (let i = 0; i < 20_000; i++) rt.spawn(function* () {});
    expect(() => kernel.run()).not.toThrow();
  });
});
