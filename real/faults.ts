/**
 * The scenario's fault schedule made real. What each kind does is declared with the kind
 * (sim/faults/: CLIENT KILL, a restart of our own redis-server, DEBUG SLEEP, CLIENT PAUSE, the
 * loopback proxy, an exit signal in the runtime); this file gives the kinds what they act on.
 */
import { applyRealFault, faultDef, faultsNeed, type Callers, type Fault, type RealTarget } from '../sim/faults/index.js';
import type { Scenario } from '../sim/scenario/schema.js';
import { Admin, REPLY_TIMEOUT_MS } from './admin.js';
import type { Place } from './run.js';

export class FaultError extends Error {}

/** The scenario sends DEBUG SLEEP (a fault that needs DEBUG, or SLEEP in its workload's mix). */
export function needsDebug(s: Scenario): boolean {
  return faultsNeed(s.faults, 'debug') !== undefined || (s.workload.mix.SLEEP ?? 0) > 0;
}

/** Clients connect through the fault proxy. */
export function needsProxy(s: Scenario): boolean {
  return faultsNeed(s.faults, 'proxy') !== undefined;
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
      const fault = faultsNeed(s.faults, 'debug');
      const what = fault !== undefined ? `the ${fault.kind} fault` : 'the SLEEP command of the workload';
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
    if (faultDef(f.kind).needs.ownServer === true && !ownServer) {
      throw new FaultError(`faults[${i}]: ${f.kind} needs the redis-server this command starts itself; leave out --redis`);
    }
  });
}

export class RealFaults implements RealTarget {
  private readonly pending = new Set<Promise<unknown>>();
  /** The server was restarted: its counters started over. */
  restarted = false;
  readonly errors: string[] = [];

  constructor(
    private readonly place: Place,
    private readonly adminConn: () => Admin,
    private readonly setAdmin: (a: Admin) => void,
    readonly callers: Callers,
  ) {}

  get proxy() {
    return this.place.proxy;
  }

  /** Starts a fault; a failure is recorded in `errors`, never thrown into the run. */
  apply(f: Fault): void {
    const p = applyRealFault(f, this).catch((e: unknown) => {
      this.errors.push(`${f.kind} at ${f.atMs} ms: ${e instanceof Error ? e.message : String(e)}`);
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Waits for faults still in progress (a restart, a DEBUG SLEEP). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async admin(cmd: readonly string[]): Promise<void> {
    await this.adminConn().must(cmd);
  }

  async alone(cmd: readonly string[], holdsMs = 0): Promise<void> {
    const a = await Admin.connect(this.place.redisAddress);
    try {
      await a.must(cmd, holdsMs + REPLY_TIMEOUT_MS);
    } finally {
      a.close();
    }
  }

  async restart(forMs: number): Promise<void> {
    const own = this.place.own!;
    this.restarted = true;
    await own.crash();
    await new Promise((r) => setTimeout(r, forMs));
    await own.start();
    this.setAdmin(await Admin.connect(this.place.redisAddress));
  }
}
