/**
 * The correctness checker: reads a world's trace and counts what must never happen, whatever the
 * workload and the faults.
 * - lost: a request that never ended though its caller lived (one whose caller was killed is
 *   counted as abandoned instead); duplicatedReplies: one that ended more than once;
 * - misrouted: a reply handed to a request that did not send the command it answers (reply i on
 *   a connection belongs to command i: Redis answers in order);
 * - falselyDeterminate: a request reported as failed-without-running whose command did run;
 * - indeterminate: requests that failed after sending ("may have executed"), reported, not wrong;
 * - executedTwice: requests one of whose commands the server ran more than once (at-least-once
 *   resends make this possible; at-most-once clients must show zero).
 */
import type { Trace } from '../kernel/trace.js';
import { CommandOwners } from './common.js';

export interface CheckReport {
  requests: number;
  ended: number;
  ok: number;
  lost: number;
  abandoned: number;
  duplicatedReplies: number;
  misrouted: number;
  falselyDeterminate: number;
  indeterminate: number;
  executedTwice: number;
  /** Up to 20 descriptions of what went wrong, for a person to read. */
  problems: string[];
}

/**
 * The kinds the checker reads: the trace builds the fields of no other event. Keep it in step
 * with the switch.
 */
const CHECKED_KINDS = ['pipeline.start', 'proc.exit', 'pipeline.sent', 'pipeline.reply', 'redis.exec', 'pipeline.stop'];

export function check(trace: Trace): CheckReport {
  const starts = new Map<number, number>();
  const callerOf = new Map<number, number>();
  const exited = new Set<number>();
  const stops = new Map<number, { n: number; ok: boolean; indeterminate: boolean }>();
  /** (conn, i) -> [req, offset in the request] */
  const owner = new CommandOwners<[number, number]>();
  const executions = new Map<number, Map<number, number>>();
  const problems: string[] = [];
  const note = (s: string) => {
    if (problems.length < 20) problems.push(s);
  };
  let misrouted = 0;

  trace.each((t, kind, f) => {
    const e = f as Record<string, number | boolean>;
    switch (kind) {
      // Starts and exits are only read after the pass, so one pass collects them too.
      case 'pipeline.start': {
        const { req, cmds, caller } = e as { req: number; cmds: number; caller: number };
        starts.set(req, cmds);
        callerOf.set(req, caller);
        break;
      }
      case 'proc.exit':
        exited.add((e as { pid: number }).pid);
        break;
      case 'pipeline.sent': {
        const { req, conn, i, n } = e as { req: number; conn: number; i: number; n: number };
        for (let k = 0; k < n; k++) owner.set(conn, i + k, [req, k]);
        break;
      }
      case 'pipeline.reply': {
        const { req, conn, i } = e as { req: number; conn: number; i: number };
        const o = owner.get(conn, i);
        if (o === undefined || o[0] !== req) {
          misrouted++;
          note(`t=${t}: reply ${i} on conn ${conn} went to request ${req} but answers ${o === undefined ? 'no command' : `request ${o[0]}`}`);
        }
        break;
      }
      case 'redis.exec': {
        const { conn, i } = e as { conn: number; i: number };
        const o = owner.get(conn, i);
        if (o === undefined) break;
        let m = executions.get(o[0]);
        if (m === undefined) executions.set(o[0], (m = new Map()));
        m.set(o[1], (m.get(o[1]) ?? 0) + 1);
        break;
      }
      case 'pipeline.stop': {
        const { req, ok, indeterminate } = e as { req: number; ok: boolean; indeterminate: boolean };
        const s = stops.get(req);
        if (s === undefined) stops.set(req, { n: 1, ok, indeterminate });
        else s.n++;
        break;
      }
    }
  }, CHECKED_KINDS);

  let lost = 0;
  let abandoned = 0;
  let duplicatedReplies = 0;
  let indeterminate = 0;
  let falselyDeterminate = 0;
  let executedTwice = 0;
  let ok = 0;
  for (const req of starts.keys()) {
    const s = stops.get(req);
    if (s === undefined) {
      if (exited.has(callerOf.get(req)!)) {
        abandoned++;
        continue;
      }
      lost++;
      note(`request ${req} never ended`);
      continue;
    }
    if (s.n > 1) {
      duplicatedReplies += s.n - 1;
      note(`request ${req} ended ${s.n} times`);
    }
    if (s.ok) ok++;
    const ran = executions.get(req);
    if (!s.ok && s.indeterminate) indeterminate++;
    if (!s.ok && !s.indeterminate && ran !== undefined) {
      falselyDeterminate++;
      note(`request ${req} was reported as not run, but the server ran it`);
    }
    if (ran !== undefined && [...ran.values()].some((n) => n > 1)) executedTwice++;
  }
  return {
    requests: starts.size,
    ended: stops.size,
    ok,
    lost,
    abandoned,
    duplicatedReplies,
    misrouted,
    falselyDeterminate,
    indeterminate,
    executedTwice,
    problems,
  };
}
