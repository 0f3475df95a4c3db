import { EventHeap, type HeapEntry } from './heap.js';
import { Rng } from './rng.js';
import { assertMicros, type Micros } from './time.js';
import { Trace } from './trace.js';

/** A scheduled callback. Cancelling is lazy: the entry stays in the heap and is skipped. */
export class ScheduledEvent implements HeapEntry {
  cancelled = false;
  constructor(
    readonly time: Micros,
    readonly seq: number,
    readonly fn: () => void,
    /** @internal The kernel whose heap holds this event; null once it has left the heap. */
    public queuedIn: Kernel | null = null,
  ) {}

  /** Runs the callback. */
  run(): void {
    this.fn();
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.queuedIn?.cancelledInHeap();
  }
}

function keepLive(ev: ScheduledEvent): boolean {
  if (!ev.cancelled) return true;
  ev.queuedIn = null;
  return false;
}

export interface KernelOptions {
  seed: number;
  /** Keep a trace (default true). Benchmarks turn it off to time the bare event loop. */
  trace?: boolean;
  /** Keep the trace's events (default true); false streams them (see Trace.kept). */
  keepTrace?: boolean;
  /**
   * Most events and process steps at one instant before the world is stopped with a StuckError
   * (default 2,000,000). Every process step costs CPU (the runtime's floor), so only a loop that
   * costs nothing at all can hit it: a bug to report, not a run to wait for.
   */
  stuckLimit?: number;
}

/** A world that kept running without its clock moving: stopped, naming the instant and who ran. */
export class StuckError extends Error {
  constructor(
    /** The instant, µs. */
    readonly at: Micros,
    /** What happened there and who ran (e.g. "... caller3 (pid 7) ran 998 of the last 1024 steps"). */
    readonly detail: string,
    /** The world's label, once its runner knows it. */
    readonly world: string | null = null,
  ) {
    super(`${world === null ? '' : `world "${world}" `}stuck at ${formatInstant(at)}: ${detail}`);
    this.name = 'StuckError';
  }

  /** The same error, naming the world it stopped. */
  inWorld(label: string): StuckError {
    return new StuckError(this.at, this.detail, label);
  }
}

/** An instant in seconds with every microsecond, e.g. "t = 0.012345 s". */
export function formatInstant(at: Micros): string {
  return `t = ${(at / 1e6).toFixed(6)} s`;
}

/**
 * The discrete-event core of one world: a virtual clock in integer microseconds and one event
 * heap ordered by (time, seq). No wall clock and no unseeded randomness here.
 */
export class Kernel {
  private _now: Micros = 0;
  private seq = 0;
  private readonly heap = new EventHeap<ScheduledEvent>();
  private _eventsRun = 0;
  /** Cancelled events still in the heap. */
  private deadInHeap = 0;
  readonly trace: Trace;
  readonly rng: Rng;
  private readonly stuckLimit: number;
  /** The instant the work below was counted at, and how much ran there. */
  private spinAt: Micros = -1;
  private spinCount = 0;
  /** Says who ran at the instant a StuckError names (the runtime sets it). */
  describeStuck: () => string = () => 'no process runs here';

  constructor(options: KernelOptions) {
    this.rng = Rng.fromSeed(options.seed);
    this.trace = new Trace(this, options.trace ?? true, options.keepTrace ?? true);
    const limit = options.stuckLimit ?? 2_000_000;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`stuckLimit must be a whole number >= 1, got ${limit}`);
    this.stuckLimit = limit;
  }

  /**
   * Counts one event or process step at the current instant; throws a StuckError once more than
   * `stuckLimit` have run there. Cheap: two comparisons on the hot path.
   */
  spin(): void {
    if (this._now !== this.spinAt) {
      this.spinAt = this._now;
      this.spinCount = 1;
    } else if (++this.spinCount > this.stuckLimit) {
      throw new StuckError(this._now, `${this.stuckLimit} events and process steps without virtual time advancing; ${this.describeStuck()}`);
    }
  }

  get now(): Micros {
    return this._now;
  }

  get eventsRun(): number {
    return this._eventsRun;
  }

  /** Scheduled events not yet run (cancelled ones included until they are popped or purged). */
  get pending(): number {
    return this.heap.size;
  }

  /** Runs `fn` at absolute time `time` (not before now). Same-time events run in the order scheduled. */
  at(time: Micros, fn: () => void): ScheduledEvent {
    if (time < this._now) throw new RangeError(`cannot schedule in the past: ${time} < now ${this._now}`);
    assertMicros(time, 'event time');
    const ev = new ScheduledEvent(time, this.seq++, fn, this);
    this.heap.push(ev);
    return ev;
  }

  /** Runs `fn` after `delay` microseconds. */
  after(delay: Micros, fn: () => void): ScheduledEvent {
    return this.at(this._now + delay, fn);
  }

  /** Time of the next live event, or undefined when nothing is left. */
  nextTime(): Micros | undefined {
    this.dropCancelled();
    return this.heap.peek()?.time;
  }

  /** Runs the next live event. Returns false when there is none. */
  step(): boolean {
    this.dropCancelled();
    const ev = this.heap.pop();
    if (ev === undefined) return false;
    ev.queuedIn = null;
    this._now = ev.time;
    this._eventsRun++;
    this.spin();
    ev.run();
    return true;
  }

  /**
   * Runs every event with time <= `until`, then leaves the clock at `until` (when finite).
   * `maxEvents` bounds the work of one call, so a caller can report progress or yield.
   * Returns true when events at or before `until` remain (the bound was hit).
   */
  run(until: Micros = Number.POSITIVE_INFINITY, maxEvents = Number.POSITIVE_INFINITY): boolean {
    let n = 0;
    for (;;) {
      this.dropCancelled();
      const next = this.heap.peek();
      if (next === undefined || next.time > until) break;
      if (n >= maxEvents) return true;
      this.heap.pop();
      next.queuedIn = null;
      this._now = next.time;
      this._eventsRun++;
      n++;
      this.spin();
      next.run();
    }
    if (Number.isFinite(until) && until > this._now) this._now = until;
    return false;
  }

  /**
   * For a driver on a real clock (real/driver.ts), never used by a simulation: runs every event
   * due by `clock()`, each stamped with the clock's time when it starts rather than the time it
   * was due (a timer that fires late did its work late, and `now` must say so), then leaves the
   * clock at `clock()`. The clock must not go backwards. At most `maxEvents` run, so the driver
   * can let I/O in between (a process that loops without waiting would otherwise starve it).
   * Returns how many events ran.
   */
  runDue(clock: () => Micros, maxEvents = Number.POSITIVE_INFINITY): number {
    let n = 0;
    let t = clock();
    for (;;) {
      this.dropCancelled();
      const next = this.heap.peek();
      if (next === undefined || next.time > t || n >= maxEvents) break;
      this.heap.pop();
      next.queuedIn = null;
      if (t > this._now) this._now = t;
      this._eventsRun++;
      n++;
      this.spin();
      next.run();
      t = clock();
    }
    if (t > this._now) this._now = t;
    return n;
  }

  /**
   * @internal Counts a cancelled event left in the heap. Most timers are cancelled (a call's
   * timeout, once the reply is in), and seconds ahead: skipped only when they reach the top, they
   * would make the heap many times the size of what is live. So once they are half of it, they
   * are purged in one linear pass.
   */
  cancelledInHeap(): void {
    this.deadInHeap++;
    if (this.deadInHeap > 64 && this.deadInHeap * 2 > this.heap.size) {
      this.heap.retain(keepLive);
      this.deadInHeap = 0;
    }
  }

  private dropCancelled(): void {
    let top = this.heap.peek();
    while (top !== undefined && top.cancelled) {
      this.heap.pop();
      top.queuedIn = null;
      this.deadInHeap--;
      top = this.heap.peek();
    }
  }
}
