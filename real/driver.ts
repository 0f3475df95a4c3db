/**
 * The runtime on Node's clock: the same Kernel and Runtime as the simulator, with `now` the real
 * microseconds since the driver started, and events run when real time reaches them.
 *
 * The kernel's heap still holds every timer (receive timeouts, sleeps, send_after); the driver
 * keeps one Node timer armed for the earliest of them. Node's timers fire on whole milliseconds,
 * so an event less than 1.5 ms away is awaited with setImmediate turns instead (the event loop
 * still serves sockets between turns); at most BATCH events run in one turn, so a process that
 * never waits (a caller failing fast in a loop) cannot starve the sockets. Whatever comes from outside the runtime (a socket's data,
 * a connect, a close) goes through `io`, which first runs what was due, then the callback at the
 * real time it arrived, then what that caused.
 *
 * Process CPU costs are real here, so the world's runtime is built with every simulated cost at
 * zero (see real/world.ts): a step finishes as soon as its code returns.
 */
import type { Kernel } from '../sim/kernel/kernel.js';
import type { Micros } from '../sim/kernel/time.js';

/** Events run in one turn of Node's event loop at most, so sockets are served in between. */
const BATCH = 1000;

export class WallClockDriver {
  private readonly t0 = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private stopped = false;
  /** Set when an event threw: the run is broken, and `until` rejects with it. */
  private failure: unknown = null;
  /** The pending `until`, if any. */
  private waiter: { untilUs: Micros; done: () => boolean; resolve: () => void; reject: (e: unknown) => void; timer: NodeJS.Timeout | null } | null = null;
  private readonly clock = (): Micros => this.nowUs();
  /** Real time spent running the runtime's events and I/O callbacks, µs (not the idle waits). */
  busyUs = 0;
  /** Events run. */
  events = 0;

  constructor(readonly kernel: Kernel) {}

  /** Real microseconds since the driver was made (a whole number, as the kernel requires). */
  nowUs(): Micros {
    return Math.floor((performance.now() - this.t0) * 1000);
  }

  /** Runs `fn` from an I/O callback, on the runtime's clock. */
  io(fn: () => void): void {
    if (this.stopped) return;
    this.pump(fn);
  }

  /** Starts running events as they fall due. */
  start(): void {
    this.pump();
  }

  /**
   * Runs until real time reaches `untilUs`, or `done()` holds (or an event throws). `done` is
   * checked after every run of events, so it resolves in the turn that made it hold, not at a
   * later poll (which would count idle time into the run's).
   */
  until(untilUs: Micros, done: () => boolean = () => false): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiter = { untilUs, done, resolve, reject, timer: null };
      this.pump();
      this.check();
    });
  }

  /** Settles `until` if its time has come, its condition holds or an event threw. */
  private check(): void {
    const w = this.waiter;
    if (w === null) return;
    const failed = this.failure !== null;
    if (failed || this.nowUs() >= w.untilUs || w.done()) {
      if (w.timer !== null) clearTimeout(w.timer);
      this.waiter = null;
      if (failed) w.reject(this.failure);
      else w.resolve();
      return;
    }
    // The deadline, should no event come before it (checked again: a timer may fire early).
    w.timer ??= setTimeout(() => {
      w.timer = null;
      this.check();
    }, Math.max(1, Math.ceil((w.untilUs - this.nowUs()) / 1000)));
  }

  /** Stops running events; timers left in the heap never fire. */
  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private pump(fn?: () => void): void {
    if (this.stopped) return;
    const start = performance.now();
    try {
      this.events += this.kernel.runDue(this.clock, BATCH);
      if (fn !== undefined) {
        fn();
        this.events += this.kernel.runDue(this.clock, BATCH);
      }
      this.busyUs += (performance.now() - start) * 1000;
    } catch (e) {
      this.failure ??= e;
      this.stop();
      this.check();
      return;
    }
    this.arm();
    this.check();
  }

  private readonly tick = (): void => {
    this.timer = null;
    this.immediate = null;
    this.pump();
  };

  private arm(): void {
    this.disarm();
    const next = this.kernel.nextTime();
    if (next === undefined || this.stopped) return;
    const wait = next - this.nowUs();
    if (wait > 1500) this.timer = setTimeout(this.tick, Math.floor((wait - 1000) / 1000));
    else this.immediate = setImmediate(this.tick);
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }
}
