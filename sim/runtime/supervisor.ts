/**
 * A one_for_one supervisor, as OTP's: it starts its children in order, restarts one that exits
 * abnormally, and gives up (exits with 'shutdown') when more than `intensity` restarts happen
 * within `periodUs`. A child whose start fails during a restart counts as a restart too, so a
 * child that cannot connect at start (a sync connect while Redis is down) soon takes the
 * supervisor down with it: the lesson of L8.
 */
import { ms, type Micros } from '../kernel/time.js';
import type { Ctx } from './context.js';
import type { StartOutcome } from './gen_server.js';
import { isExit, type ExitReason, type Gen, type Pid, type ProcFn } from './types.js';

declare module '../kernel/trace.js' {
  interface TraceEvents {
    'supervisor.start_child': { sup: number; child: string; pid: number; ok: boolean; reason: string };
    'supervisor.give_up': { sup: number; restarts: number };
  }
}

export interface ChildSpec {
  id: string;
  /** Starts the child linked to the calling (supervisor) process. */
  start(ctx: Ctx): Gen<StartOutcome>;
  /** 'permanent' is always restarted; 'transient' only after an abnormal exit. Default permanent. */
  restart?: 'permanent' | 'transient';
}

export interface SupervisorOptions {
  intensity?: number;
  periodUs?: Micros;
}

export function supervisor(children: readonly ChildSpec[], options: SupervisorOptions = {}): ProcFn {
  const intensity = options.intensity ?? 3;
  const period = options.periodUs ?? ms(5000);
  // One generator function for every supervisor (see gen_server.ts serverLoop: maps per closure).
  return (ctx) => supervise(ctx, children, intensity, period);
}

function* supervise(ctx: Ctx, children: readonly ChildSpec[], intensity: number, period: Micros): Gen<ExitReason> {
  ctx.trapExit(true);
  const pids = new Map<Pid, ChildSpec>();
  const restarts: Micros[] = [];

  function* startChild(spec: ChildSpec): Gen<boolean> {
    const r = yield* spec.start(ctx);
    ctx.trace('supervisor.start_child', { sup: ctx.self, child: spec.id, pid: r.ok ? r.pid : -1, ok: r.ok, reason: r.ok ? '' : r.reason });
    if (r.ok) pids.set(r.pid, spec);
    return r.ok;
  }

  /** Records a restart; false when the intensity is exceeded. */
  function allowRestart(): boolean {
    restarts.push(ctx.now);
    while (restarts.length > 0 && restarts[0]! <= ctx.now - period) restarts.shift();
    return restarts.length <= intensity;
  }

  for (const spec of children) {
    // A child that fails its first start fails the supervisor's start, as in OTP.
    if (!(yield* startChild(spec))) return `failed_to_start_child: ${spec.id}`;
  }
  for (;;) {
    const msg = yield* ctx.receive(isExit);
    const spec = pids.get(msg.from);
    if (spec === undefined) {
      if (msg.reason !== 'normal') return msg.reason as ExitReason; // our parent died
      continue;
    }
    pids.delete(msg.from);
    if (msg.reason === 'normal' || (msg.reason === 'shutdown' && spec.restart === 'transient')) continue;
    for (;;) {
      if (!allowRestart()) {
        ctx.trace('supervisor.give_up', { sup: ctx.self, restarts: restarts.length });
        for (const pid of pids.keys()) ctx.exit(pid, 'shutdown');
        return 'shutdown';
      }
      if (yield* startChild(spec)) break;
    }
  }
}
