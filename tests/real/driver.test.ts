/**
 * The runtime on Node's clock (real/driver.ts): timers fire in order and never early, what comes
 * from outside lands at the real time it arrived, and processes that never wait cannot starve
 * Node's event loop. Times are lower bounds only (a slow machine makes them later, not earlier).
 */
import { describe, expect, it } from 'vitest';
import { StuckError } from '../../sim/kernel/kernel.js';
import { ms } from '../../sim/kernel/time.js';
import { isTagged } from '../../sim/runtime/index.js';
import { realWorld } from '../../real/world.js';

describe('the wall-clock driver', () => {
  it('runs_timers_in_order_and_never_before_they_are_due', async () => {
    const w = realWorld(1, '127.0.0.1:1');
    // Three timers set in one step (Process.send_after, all from one instant): their due order is
    // their delays' order whatever the machine's load. (Three processes each sleeping from its own
    // start would not do: on a loaded machine their steps, and so their waits, begin ms apart.)
    const fired: Array<{ name: string; late: number }> = [];
    w.rt.spawn(function* (ctx) {
      const start = ctx.now;
      for (const [name, delay] of [['late', 30], ['early', 10], ['middle', 20]] as const) ctx.sendAfter(ms(delay), { type: 'timer', name, delay });
      for (let i = 0; i < 3; i++) {
        const m = (yield* ctx.receive((x) => isTagged(x, 'timer'))) as { name: string; delay: number };
        fired.push({ name: m.name, late: ctx.now - start - ms(m.delay) });
      }
    });
    // A sleep counts from the end of the step it was asked in, never from before it.
    const slept: Array<{ start: number; now: number; realStart: number; real: number; delay: number }> = [];
    for (const delay of [30, 10, 20]) {
      w.rt.spawn(function* (ctx) {
        const start = ctx.now;
        const realStart = performance.now();
        yield* ctx.sleep(ms(delay));
        slept.push({ start, now: ctx.now, realStart, real: performance.now(), delay });
      });
    }
    w.driver.start();
    await w.driver.until(ms(5000), () => fired.length === 3 && slept.length === 3);
    w.driver.stop();
    expect(fired.map((x) => x.name)).toEqual(['early', 'middle', 'late']);
    for (const x of fired) expect(x.late).toBeGreaterThanOrEqual(0);
    for (const x of slept) {
      expect(x.now - x.start).toBeGreaterThanOrEqual(ms(x.delay));
      expect(x.real - x.realStart).toBeGreaterThanOrEqual(x.delay - 0.5);
    }
  });

  it('delivers_what_comes_from_outside_at_the_real_time_it_arrives', async () => {
    const w = realWorld(1, '127.0.0.1:1');
    let got: number | null = null;
    const pid = w.rt.spawn(function* (ctx) {
      yield* ctx.receive((m) => isTagged(m, 'outside'));
      got = ctx.now;
    });
    w.driver.start();
    setTimeout(() => w.driver.io(() => w.rt.send(pid, { type: 'outside' })), 25);
    await w.driver.until(ms(5000), () => got !== null);
    w.driver.stop();
    expect(got).toBeGreaterThanOrEqual(ms(24));
  });

  it('keeps_serving_the_event_loop_while_two_processes_answer_each_other_without_waiting', async () => {
    const w = realWorld(1, '127.0.0.1:1');
    let rounds = 0;
    let stop = false;
    const echo = w.rt.spawn(function* (ctx) {
      for (;;) {
        const m = (yield* ctx.receive()) as { from: number };
        ctx.send(m.from as never, { type: 'pong' });
      }
    });
    w.rt.spawn(function* (ctx) {
      while (!stop) {
        ctx.send(echo, { type: 'ping', from: ctx.self });
        yield* ctx.receive((m) => isTagged(m, 'pong'));
        rounds++;
      }
    });
    w.driver.start();
    // A Node timer must still fire while they run.
    await new Promise((r) => setTimeout(r, 30));
    stop = true;
    const seen = rounds;
    w.driver.stop();
    expect(seen).toBeGreaterThan(10);
  });
});

describe('the wall-clock driver, until', () => {
  it('resolves_in_the_turn_whose_events_make_done_hold_not_at_a_later_poll', async () => {
    const w = realWorld(1, '127.0.0.1:1');
    let done = false;
    let laterTurnRan = false;
    w.rt.spawn(function* (ctx) {
      yield* ctx.sleep(ms(5));
      done = true;
      // Runs in a later turn of the event loop than this one.
      setImmediate(() => (laterTurnRan = true));
    });
    w.driver.start();
    await w.driver.until(ms(5000), () => done);
    w.driver.stop();
    expect(done).toBe(true);
    expect(laterTurnRan).toBe(false);
  });

  it('resolves_at_its_time_when_nothing_happens', async () => {
    const w = realWorld(1, '127.0.0.1:1');
    w.driver.start();
    await w.driver.until(ms(30));
    w.driver.stop();
    expect(w.driver.nowUs()).toBeGreaterThanOrEqual(ms(30));
  });

  it('stops_the_run_with_the_stuck_error_when_a_step_never_waits', async () => {
    const w = realWorld(1, '127.0.0.1:1');
    const pid = w.rt.spawn(function* (ctx) {
      yield* ctx.sleep(ms(1));
      // Never yields: without the guard this step would hold Node's only thread for ever.
      for (;;) if (ctx.now < 0) return;
    }, { name: 'spinner' });
    w.driver.start();
    const error = await w.driver.until(ms(60_000)).then(() => null, (e: unknown) => e);
    w.driver.stop();
    expect(error).toBeInstanceOf(StuckError);
    expect((error as Error).message).toMatch(new RegExp(`^stuck at t = \\d+\\.\\d{6} s: spinner \\(pid ${pid}\\) ran more than \\d+ operations in one step without waiting`));
  }, 120_000);
});
