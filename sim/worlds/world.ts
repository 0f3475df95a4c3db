/**
 * One world: a kernel, a BEAM-like runtime, a network and a Redis, plus a fault schedule that is
 * plain data (what each kind does is declared in sim/faults/). Every client configuration of a
 * scenario runs in a world of its own built from the same options and seed, so the worlds see
 * the same faults at the same times.
 */
import { Kernel, type ScheduledEvent } from '../kernel/kernel.js';
import { ms, type Micros } from '../kernel/time.js';
import { Runtime, type RuntimeOptions } from '../runtime/index.js';
import { Network, type LinkOptions } from '../net/index.js';
import { RedisServer, type RedisOptions } from '../redis/server.js';
import { applySimFault, type Callers, type Fault, type SimTarget } from '../faults/index.js';

export type { Fault, FaultKind } from '../faults/index.js';

/** Until a workload says who its callers are, there is nobody for kill_caller to kill. */
const noCallers: Callers = {
  kill() {
    throw new RangeError('kill_caller needs the callers of a workload (world.callers)');
  },
};

/** Seqs reserved for a world's faults (World.schedule): a schedule replacing them holds one fewer. */
const FAULT_ROOM = 1 << 16;

export interface WorldOptions {
  seed: number;
  runtime?: RuntimeOptions;
  network?: Partial<LinkOptions>;
  server?: Partial<RedisOptions>;
  /** Keep a trace (default true). */
  trace?: boolean;
  /** Keep the trace's events (default true); false: hashed and observed as they come, then dropped. */
  keepTrace?: boolean;
}

export class World implements SimTarget {
  readonly kernel: Kernel;
  readonly rt: Runtime;
  readonly net: Network;
  readonly redis: RedisServer;
  /** The workload's callers, for kill_caller (sim/scenario/run.ts sets them). */
  callers: Callers = noCallers;

  constructor(options: WorldOptions) {
    this.kernel = new Kernel({ seed: options.seed, trace: options.trace ?? true, keepTrace: options.keepTrace ?? true });
    this.rt = new Runtime(this.kernel, options.runtime);
    this.net = new Network(this.rt, options.network);
    this.redis = new RedisServer(this.net, options.server);
  }

  get address(): string {
    return this.redis.options.address;
  }

  /**
   * The faults' events, and the seqs reserved for them when `schedule` was called
   * (Kernel.reserveSeqs): fault i of n takes seq faultSeq + ⌊(i + 1)·room / (n + 1)⌋, so at a same
   * time the faults run after every event scheduled before `schedule`, before every one scheduled
   * after it, and in the list's order, as if each had taken a seq then. Spread over a room rather
   * than taken one each, a schedule of up to room - 1 faults can replace it partway through a run
   * (`reschedule`), and the world goes on as a world built with the new one from the start would.
   */
  private faultEvents: ScheduledEvent[] = [];
  private faultSeq = -1;
  private room = 0;

  /** Puts every fault on the clock, once. Call before running: a fault is an event like any other. */
  schedule(faults: readonly Fault[]): void {
    if (this.faultSeq >= 0) throw new Error('schedule: this world\'s faults are scheduled already (reschedule replaces them)');
    for (const f of faults) {
      const at: Micros = ms(f.atMs);
      if (!(at >= this.kernel.now)) throw new RangeError(`fault ${f.kind} atMs must be >= now (${this.kernel.now / 1000} ms), got ${f.atMs}`);
    }
    this.room = Math.max(FAULT_ROOM, faults.length + 1);
    this.faultSeq = this.kernel.reserveSeqs(this.room);
    this.faultEvents = this.queueFaults(faults, this.kernel.now);
  }

  /** How many faults a schedule that replaces this one may hold (`reschedule`). */
  get faultRoom(): number {
    return this.room - 1;
  }

  /**
   * Replaces the faults still to come with those of `faults` due at or after `from` (µs, no event
   * at or after it run yet): the ones due before it must be those that ran (sim/scenario/run.ts
   * checks it), so the world goes on as a world built with `faults` would have from there.
   */
  reschedule(faults: readonly Fault[], from: Micros): void {
    if (this.faultSeq < 0) throw new Error('reschedule: this world\'s faults were never scheduled');
    if (!(from >= this.kernel.now)) throw new RangeError(`reschedule from ${from} µs: the world is at ${this.kernel.now} µs`);
    if (faults.length > this.faultRoom) throw new RangeError(`reschedule: ${faults.length} faults, room for ${this.faultRoom}`);
    for (const ev of this.faultEvents) ev.cancel();
    this.faultEvents = this.queueFaults(faults, from);
  }

  private queueFaults(faults: readonly Fault[], from: Micros): ScheduledEvent[] {
    const events: ScheduledEvent[] = [];
    const n = faults.length;
    faults.forEach((f, i) => {
      const at: Micros = ms(f.atMs);
      if (at >= from) events.push(this.kernel.atSeq(at, this.faultSeq + Math.floor(((i + 1) * this.room) / (n + 1)), () => this.apply(f)));
    });
    return events;
  }

  /** Applies one fault now: what it does is its kind's (sim/faults/). */
  apply(f: Fault): void {
    applySimFault(f, this);
  }
}
