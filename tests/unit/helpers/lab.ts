import { ms } from '../../../sim/kernel/index.js';
import { supervisor, type Pid } from '../../../sim/runtime/index.js';
import { World, type Fault, type WorldOptions } from '../../../sim/worlds/world.js';
import { faultDurationMs } from '../../../sim/faults/index.js';
import { check, clientChild, command, makeClient, type AnyClient, type ClientConfig, type Command, type CommandResult } from '../../../sim/clients/index.js';

export interface LabOptions {
  seed: number;
  client: ClientConfig;
  world?: Omit<WorldOptions, 'seed'>;
  faults?: Fault[];
  callers?: number;
  /** Callers issue requests while now < durationMs. */
  durationMs?: number;
  thinkMs?: number;
  timeoutMs?: number;
  /** The requests a caller makes: n-th request of caller c. */
  workload?: (c: number, n: number) => Command[];
  /** Kill caller c at atMs. */
  kills?: Array<{ atMs: number; caller: number }>;
  /** Simulated time after the last request for reconnections to settle. */
  settleMs?: number;
}

export interface CallRecord {
  caller: number;
  n: number;
  cmds: Command[];
  result: CommandResult;
  startedAt: number;
  endedAt: number;
}

/** ECHO of a payload unique to the request: a reply for anyone else is caught at once. */
export const echoWorkload = (c: number, n: number): Command[] => [['ECHO', `c${c}-r${n}`]];

export function runLab(o: LabOptions) {
  const world = new World({ seed: o.seed, ...o.world });
  world.schedule(o.faults ?? []);
  const env = { net: world.net, address: world.address, codecNsPerByte: o.world?.runtime?.copyNsPerByte ?? 0 };
  const client: AnyClient = makeClient(env, 'client', o.client);
  const calls: CallRecord[] = [];
  const callers: Pid[] = [];
  const duration = ms(o.durationMs ?? 200);
  const timeout = ms(o.timeoutMs ?? 100);
  const workload = o.workload ?? echoWorkload;
  const child = clientChild(client);
  world.rt.spawn(
    function* (ctx) {
      ctx.trapExit(true);
      if (child !== null) ctx.spawnLink(supervisor([child], { intensity: 1000, periodUs: ms(1000) }), { name: 'client_sup' });
      yield* ctx.receive(() => false);
    },
    { name: 'app' },
  );
  for (let c = 0; c < (o.callers ?? 5); c++) {
    callers.push(
      world.rt.spawn(
        function* (ctx) {
          const rng = ctx.random(`caller${c}`);
          yield* ctx.sleep(ms(1) + c); // let the client start
          for (let n = 0; ctx.now < duration; n++) {
            const cmds = workload(c, n);
            const startedAt = ctx.now;
            const result = yield* command(ctx, client, cmds, timeout);
            calls.push({ caller: c, n, cmds, result, startedAt, endedAt: ctx.now });
            yield* ctx.sleep(Math.max(1, Math.round(rng.exp(ms(o.thinkMs ?? 2)))));
          }
        },
        { name: `caller${c}` },
      ),
    );
  }
  const kill = (caller: number) => {
    const pid = callers[caller];
    if (pid !== undefined && world.rt.isAlive(pid)) world.rt.exit(pid, 'kill');
  };
  // kill_caller without an index kills the first caller (a lab draws nothing at random).
  world.callers = { kill: (index) => kill(index ?? 0) };
  for (const k of o.kills ?? []) world.kernel.at(ms(k.atMs), () => kill(k.caller));
  const lastFaultEnd = Math.max(0, ...(o.faults ?? []).map((f) => f.atMs + faultDurationMs(f)));
  const end = Math.max(duration + timeout, ms(lastFaultEnd)) + ms(o.settleMs ?? 2000);
  world.kernel.run(end);
  return { world, client, calls, report: check(world.kernel.trace), openConnections: world.net.openConnections(world.address) };
}

/** Replies that are not the request's own: ECHO answers must echo the request's payload. */
export function wrongEchoes(calls: CallRecord[]): string[] {
  const bad: string[] = [];
  for (const call of calls) {
    if (!call.result.ok) continue;
    call.cmds.forEach((cmd, k) => {
      if (cmd[0] !== 'ECHO') return;
      const r = (call.result as { replies: Array<{ type: string; value: unknown }> }).replies[k];
      const got = r?.type === 'bulk' && r.value instanceof Uint8Array ? new TextDecoder().decode(r.value) : JSON.stringify(r);
      if (got !== cmd[1]) bad.push(`caller ${call.caller} request ${call.n}: sent ECHO ${String(cmd[1])}, got ${got}`);
    });
  }
  return bad;
}
