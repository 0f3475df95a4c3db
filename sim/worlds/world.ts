/**
 * One world: a kernel, a BEAM-like runtime, a network and a Redis, plus a fault schedule that is
 * plain data (what each kind does is declared in sim/faults/). Every client configuration of a
 * scenario runs in a world of its own built from the same options and seed, so the worlds see
 * the same faults at the same times.
 */
import { Kernel } from '../kernel/kernel.js';
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

  /** Puts every fault on the clock. Call before running: a fault is an event like any other. */
  schedule(faults: readonly Fault[]): void {
    for (const f of faults) {
      const at: Micros = ms(f.atMs);
      if (!(at >= this.kernel.now)) throw new RangeError(`fault ${f.kind} atMs must be >= now (${this.kernel.now / 1000} ms), got ${f.atMs}`);
      this.kernel.at(at, () => this.apply(f));
    }
  }

  /** Applies one fault now: what it does is its kind's (sim/faults/). */
  apply(f: Fault): void {
    applySimFault(f, this);
  }
}
