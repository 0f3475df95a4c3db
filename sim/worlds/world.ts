/**
 * One world: a kernel, a BEAM-like runtime, a network and a Redis, plus a fault schedule that is
 * plain data. Every client configuration of a scenario runs in a world of its own built from the
 * same options and seed, so the worlds see the same faults at the same times.
 */
import { Kernel } from '../kernel/kernel.js';
import { ms, type Micros } from '../kernel/time.js';
import { Runtime, type RuntimeOptions } from '../runtime/index.js';
import { Network, type LinkOptions } from '../net/index.js';
import { RedisServer, type RedisOptions } from '../redis/server.js';

export type Fault =
  | { atMs: number; kind: 'drop_connections' }
  | { atMs: number; kind: 'refuse_connections'; forMs: number }
  | { atMs: number; kind: 'partition'; forMs: number; mode?: 'hold' | 'drop' }
  | { atMs: number; kind: 'latency'; addMs: number; forMs: number }
  | { atMs: number; kind: 'bandwidth'; mbps: number; forMs: number }
  | { atMs: number; kind: 'server_down'; forMs: number }
  | { atMs: number; kind: 'slow_server'; factor: number; forMs: number };

export type FaultKind = Fault['kind'];

export interface WorldOptions {
  seed: number;
  runtime?: RuntimeOptions;
  network?: Partial<LinkOptions>;
  server?: Partial<RedisOptions>;
  /** Keep a trace (default true). */
  trace?: boolean;
}

export class World {
  readonly kernel: Kernel;
  readonly rt: Runtime;
  readonly net: Network;
  readonly redis: RedisServer;

  constructor(options: WorldOptions) {
    this.kernel = new Kernel({ seed: options.seed, trace: options.trace ?? true });
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

  /** Applies one fault now. */
  apply(f: Fault): void {
    switch (f.kind) {
      case 'drop_connections':
        return this.net.dropConnections();
      case 'refuse_connections':
        return this.net.refuseConnections(ms(f.forMs));
      case 'partition':
        return this.net.partition(f.mode ?? 'hold', ms(f.forMs));
      case 'latency':
        return this.net.addLatency(ms(f.addMs), ms(f.forMs));
      case 'bandwidth':
        return this.net.limitBandwidth(f.mbps, ms(f.forMs));
      case 'server_down':
        return this.redis.restart(ms(f.forMs));
      case 'slow_server':
        return this.redis.slow(f.factor, ms(f.forMs));
    }
  }
}
