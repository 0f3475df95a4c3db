import { EventQueue, type QueueEntry } from './queue.js';
import { Rng } from './rng.js';
import { assertMicros, type Micros } from './time.js';
import { Trace } from './trace.js';

/**
 * What an event runs: a closure (`at`), or a plain function of up to four values (`call`), which
 * spares the hot paths a closure and its context per event.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EventFn = (a: any, b: any, c: any, d: any) => void;

/** A scheduled callback. Cancelling is lazy: the entry stays in the queue and is skipped. */
export class ScheduledEvent implements QueueEntry {
  cancelled = false;
  /** @internal The queue's link. */
  next: ScheduledEvent | null = null;
  /** @internal Made by Kernel.post: nobody holds it, so once run it is used again. */
  posted = false;
  constructor(
    /** @internal (set again when a posted event is used again) */
    public time: Micros,
    /** @internal */
    public seq: number,
    /** @internal */
    public fn: EventFn,
    /** @internal The kernel whose queue holds this event; null once it has left it. */
    public queuedIn: Kernel | null = null,
    /** @internal */
    public a: unknown = undefined,
    /** @internal */
    public b: unknown = undefined,
    /** @internal */
    public c: unknown = undefined,
    /** @internal */
    public d: unknown = undefined,
  ) {}

  /** Runs the callback. */
  run(): void {
    this.fn(this.a, this.b, this.c, this.d);
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.queuedIn?.cancelledInHeap();
  }
}

/** Posted events in the spare list at most: a burst's worth; the rest are left to the collector. */
const SPARE_MAX = 4096;

function noop(): void {}

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
 * queue ordered by (time, seq). No wall clock and no unseeded randomness here.
 */
export class Kernel {
  private _now: Micros = 0;
  private seq = 0;
  private readonly queue = new EventQueue<ScheduledEvent>();
  /** Posted events that have run, for the next posts (see post). */
  private readonly spare: ScheduledEvent[] = [];
  private _eventsRun = 0;
  private _eventsMade = 0;
  /** Cancelled events still in the queue. */
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

  /** Event objects made so far: posted events that have run carry the next ones (see post). */
  get eventsMade(): number {
    return this._eventsMade;
  }

  /** Scheduled events not yet run (cancelled ones included until they are popped or purged). */
  get pending(): number {
    return this.queue.size;
  }

  /** Runs `fn` at absolute time `time` (not before now). Same-time events run in the order scheduled. */
  at(time: Micros, fn: () => void): ScheduledEvent {
    return this.call(time, fn);
  }

  /** As `at`, running `fn(a, b, c, d)`: no closure to allocate when `fn` is a plain function. */
  call<A, B, C, D>(time: Micros, fn: (a: A, b: B, c: C, d: D) => void, a?: A, b?: B, c?: C, d?: D): ScheduledEvent {
    if (time < this._now) throw new RangeError(`cannot schedule in the past: ${time} < now ${this._now}`);
    assertMicros(time, 'event time');
    const ev = new ScheduledEvent(time, this.seq++, fn, this, a, b, c, d);
    this._eventsMade++;
    this.queue.push(ev);
    return ev;
  }

  /**
   * As `call`, for an event nobody will cancel or look at again (a segment's arrival, a message
   * landing): no handle is given, so once it has run its object carries the next one posted.
   * Most events are these, and a fresh object each was a fifth of a world's allocation.
   */
  post<A, B, C, D>(time: Micros, fn: (a: A, b: B, c: C, d: D) => void, a?: A, b?: B, c?: C, d?: D): void {
    if (time < this._now) throw new RangeError(`cannot schedule in the past: ${time} < now ${this._now}`);
    assertMicros(time, 'event time');
    let ev = this.spare.pop();
    if (ev === undefined) {
      ev = new ScheduledEvent(time, this.seq++, fn, this, a, b, c, d);
      ev.posted = true;
      this._eventsMade++;
    } else {
      ev.time = time;
      ev.seq = this.seq++;
      ev.fn = fn;
      ev.queuedIn = this;
      ev.a = a;
      ev.b = b;
      ev.c = c;
      ev.d = d;
    }
    this.queue.push(ev);
  }

  /** A posted event that has run, kept for the next post (what it held let go). */
  private release(ev: ScheduledEvent): void {
    if (!ev.posted || this.spare.length >= SPARE_MAX) return;
    ev.a = ev.b = ev.c = ev.d = undefined;
    ev.fn = noop;
    ev.next = null;
    this.spare.push(ev);
  }

  /**
   * Reserves `n` seqs and gives the first: events scheduled from now on run, at a same time, after
   * one given a seq of these (atSeq), and every event scheduled before, before it.
   */
  reserveSeqs(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`expected a whole number of seqs >= 1, got ${n}`);
    const first = this.seq;
    this.seq += n;
    return first;
  }

  /**
   * As `at`, with a seq of the caller's (reserved with reserveSeqs; whole, unique): at its time it
   * runs after every event scheduled before that seq was reserved and before every one scheduled
   * after, as if it had been scheduled then. For a world's faults, whose schedule can be replaced
   * partway through a run (sim/worlds/world.ts). Whole seqs keep the field a small integer in V8.
   */
  atSeq(time: Micros, seq: number, fn: () => void): ScheduledEvent {
    if (time < this._now) throw new RangeError(`cannot schedule in the past: ${time} < now ${this._now}`);
    assertMicros(time, 'event time');
    if (!Number.isInteger(seq) || !(seq < this.seq)) throw new RangeError(`a reserved seq must be a whole number below the next one (${this.seq}), got ${seq}`);
    const ev = new ScheduledEvent(time, seq, fn, this);
    this._eventsMade++;
    this.queue.insert(ev);
    return ev;
  }

  /** Runs `fn` after `delay` microseconds. */
  after(delay: Micros, fn: () => void): ScheduledEvent {
    return this.at(this._now + delay, fn);
  }

  /** Time of the next live event, or undefined when nothing is left. */
  nextTime(): Micros | undefined {
    return this.peekLive()?.time;
  }

  /** Runs the next live event. Returns false when there is none. */
  step(): boolean {
    const ev = this.peekLive();
    if (ev === undefined) return false;
    this.take(ev);
    this._now = ev.time;
    this._eventsRun++;
    this.spin();
    ev.run();
    this.release(ev);
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
      const next = this.peekLive();
      if (next === undefined || next.time > until) break;
      if (n >= maxEvents) return true;
      this.take(next);
      this._now = next.time;
      this._eventsRun++;
      n++;
      this.spin();
      next.run();
      this.release(next);
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
      const next = this.peekLive();
      if (next === undefined || next.time > t || n >= maxEvents) break;
      this.take(next);
      if (t > this._now) this._now = t;
      this._eventsRun++;
      n++;
      this.spin();
      next.run();
      this.release(next);
      t = clock();
    }
    if (t > this._now) this._now = t;
    return n;
  }

  /**
   * @internal Counts a cancelled event left in the queue. Most timers are cancelled (a call's
   * timeout, once the reply is in), and seconds ahead: skipped only when they reach the top, they
   * would make the queue many times the size of what is live. So once they are half of it, they
   * are purged in one linear pass.
   */
  cancelledInHeap(): void {
    this.deadInHeap++;
    if (this.deadInHeap > 64 && this.deadInHeap * 2 > this.pending) {
      this.queue.retain(keepLive);
      this.deadInHeap = 0;
    }
  }

  /** The next live event, cancelled ones dropped. */
  private peekLive(): ScheduledEvent | undefined {
    const queue = this.queue;
    let top = queue.peek();
    while (top !== undefined && top.cancelled) {
      queue.drop();
      top.queuedIn = null;
      this.deadInHeap--;
      top = queue.peek();
    }
    return top;
  }

  /** Takes `ev`, the event peekLive returned, out of the queue. */
  private take(ev: ScheduledEvent): void {
    ev.queuedIn = null;
    this.queue.pop();
  }
}
