/**
 * The scenario's fault schedule made real (sim/worlds/world.ts makes it simulated):
 * - drop_connections: CLIENT KILL TYPE normal (Redis closes every client connection but ours);
 * - server_down: SIGKILL the redis-server this command started, start it again after forMs;
 * - slow_server: DEBUG SLEEP for forMs (the server stalls: the extreme of slow; `factor` is not
 *   reproduced);
 * - refuse_connections, partition, latency, bandwidth: the loopback proxy (proxy.ts);
 * - kill_caller: an exit signal in the runtime, as in the simulator (run.ts).
 */
import type { Scenario } from '../sim/scenario/schema.js';
import { Admin, REPLY_TIMEOUT_MS } from './admin.js';
import type { Place } from './run.js';

type Fault = Scenario['faults'][number];

export class FaultError extends Error {}

/** The scenario sends DEBUG SLEEP (its slow_server fault, or SLEEP in its workload's mix). */
export function needsDebug(s: Scenario): boolean {
  return s.faults.some((f) => f.kind === 'slow_server') || (s.workload.mix.SLEEP ?? 0) > 0;
}

/**
 * Throws a FaultError when the scenario needs DEBUG and the Redis at `address` refuses it (Redis 7
 * disables it by default: enable-debug-command). Sends DEBUG SLEEP 0, which does nothing.
 */
export async function checkDebug(s: Scenario, address: string): Promise<void> {
  if (!needsDebug(s)) return;
  const a = await Admin.connect(address);
  try {
    const v = await a.command(['DEBUG', 'SLEEP', '0']);
    if (v.type === 'error') {
      const what = s.faults.some((f) => f.kind === 'slow_server') ? 'the slow_server fault' : 'the SLEEP command of the workload';
      throw new FaultError(
        `${what} needs DEBUG SLEEP, which the Redis at ${address} refuses (${String(v.value).split('.')[0]}); start it with --enable-debug-command yes (Redis 7 disables DEBUG by default), or leave out --redis`,
      );
    }
  } finally {
    a.close();
  }
}

/** Throws a FaultError naming the first fault that cannot be made real here. */
export function checkFaults(s: Scenario, ownServer: boolean): void {
  s.faults.forEach((f, i) => {
    if (f.kind === 'server_down' && !ownServer) {
      throw new FaultError(`faults[${i}]: server_down needs the redis-server this command starts itself; leave out --redis`);
    }
  });
}

export class RealFaults {
  private readonly pending = new Set<Promise<unknown>>();
  /** The server was restarted: its counters started over. */
  restarted = false;
  readonly errors: string[] = [];

  constructor(
    private readonly place: Place,
    private readonly admin: () => Admin,
    private readonly setAdmin: (a: Admin) => void,
  ) {}

  apply(f: Fault): void {
    const p = this.run(f).catch((e: unknown) => {
      this.errors.push(`${f.kind} at ${f.atMs} ms: ${e instanceof Error ? e.message : String(e)}`);
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Waits for faults still in progress (a restart, a DEBUG SLEEP). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async run(f: Fault): Promise<void> {
    const proxy = this.place.proxy;
    switch (f.kind) {
      case 'drop_connections':
        await this.admin().must(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
        return;
      case 'server_down': {
        const own = this.place.own!;
        this.restarted = true;
        await own.crash();
        await new Promise((r) => setTimeout(r, f.forMs));
        await own.start();
        this.setAdmin(await Admin.connect(this.place.redisAddress));
        return;
      }
      case 'slow_server':
        // A connection of its own: DEBUG SLEEP holds the connection that sends it too.
        {
          const a = await Admin.connect(this.place.redisAddress);
          try {
            await a.must(['DEBUG', 'SLEEP', String(f.forMs / 1000)], f.forMs + REPLY_TIMEOUT_MS);
          } finally {
            a.close();
          }
        }
        return;
      case 'refuse_connections':
        // Resolves when the proxy listens again; rejects if it cannot.
        return proxy!.refuse(f.forMs);
      case 'partition':
        return proxy!.partitionFor(f.mode ?? 'hold', f.forMs);
      case 'latency':
        return proxy!.addLatency(f.addMs, f.forMs);
      case 'bandwidth':
        return proxy!.limitBandwidth(f.mbps, f.forMs);
      case 'kill_caller':
        return;
    }
  }
}
