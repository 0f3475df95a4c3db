/**
 * The correctness checker: reads a world's trace and counts what must never happen, whatever the
 * workload and the faults.
 * - lost: a request that can never be answered: it never ended though its caller lived and its
 *   caller's own timeout had run out well before the end (one whose caller was killed is counted
 *   as abandoned; one still within its timeout when the run stopped is `unfinished`, not wrong);
 *   duplicatedReplies: one that ended more than once;
 * - misrouted: a reply handed to a request that did not send the command it answers (reply i on
 *   a connection belongs to command i: Redis answers in order);
 * - falselyDeterminate: a request reported as failed-without-running whose command did run;
 * - indeterminate: requests that failed after sending ("may have executed"), reported, not wrong;
 * - executedTwice: requests one of whose commands the server ran more than once (at-least-once
 *   resends make this possible; at-most-once clients must show zero).
 */
import type { Trace, TraceEvents, TraceFields } from '../kernel/trace.js';
import { CommandOwners } from './common.js';

export interface CheckReport {
  requests: number;
  ended: number;
  ok: number;
  lost: number;
  /** Still legitimately in flight when the run stopped (drainMs shorter than the call timeout). */
  unfinished: number;
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
 * The kinds the checker reads: the trace builds the fields of no other event. Typed as trace
 * event kinds, and visit's switch is exhaustive over them: a kind listed without its case, or a
 * case for a kind not listed, does not compile.
 */
export const CHECKED_KINDS = ['pipeline.start', 'proc.exit', 'pipeline.sent', 'pipeline.reply', 'redis.exec', 'pipeline.stop'] as const satisfies ReadonlyArray<keyof TraceEvents>;
type CheckedKind = (typeof CHECKED_KINDS)[number];

/** What tells a request still in flight at the end from a lost one. */
export interface CheckOptions {
  /** When the run stopped, µs. */
  endUs: number;
  /** The callers' timeout, µs: a request started less than this before the end may still end. */
  callTimeoutUs: number;
}

/**
 * A caller whose timeout fired just before the end may still be waiting for a scheduler to run it:
 * its request is unfinished, not lost, within this much after its timeout.
 */
const TIMEOUT_GRACE_US = 10_000;

/** What the checker knows of one request. */
interface Seen {
  readonly req: number;
  started: boolean;
  /** When it started, µs. */
  at: number;
  caller: number;
  /** How many times it ended, and how the first time. */
  stops: number;
  ok: boolean;
  indeterminate: boolean;
  /** How many times the server ran each of its commands, by offset in the request. */
  runs: number[] | null;
}

export function check(trace: Trace, options?: CheckOptions): CheckReport {
  const checker = new Checker();
  trace.each((t, kind, f) => checker.visit(t, kind, f), CHECKED_KINDS);
  return checker.report(options);
}

/**
 * The checker as a visitor of trace events in order, so a pass that reads the same events for
 * other reasons (the world's metrics) can feed it instead of making a second pass.
 */
export class Checker {
  // One record per request in one map: the pass used to make four map entries and a map of its
  // own for every request, most of the checker's time.
  private readonly seen = new Map<number, Seen>();
  private readonly started: Seen[] = [];
  private readonly exited = new Set<number>();
  /** (conn, i) -> [request, offset in the request] */
  private readonly owner = new CommandOwners<[Seen, number]>();
  private readonly problems: string[] = [];
  private misrouted = 0;
  private ended = 0;


  /** Takes one event; events of kinds outside CHECKED_KINDS are ignored. */
  visit(t: number, kind: string, fields: TraceFields): void {
    const e = fields as Record<string, number | boolean>;
    const k = kind as CheckedKind;
    switch (k) {
      case 'pipeline.start': {
        const { req, caller } = e as { req: number; caller: number };
        const r = this.get(req);
        if (!r.started) this.started.push(r);
        r.started = true;
        r.caller = caller;
        r.at = t;
        break;
      }
      case 'proc.exit':
        this.exited.add((e as { pid: number }).pid);
        break;
      case 'pipeline.sent': {
        const { req, conn, i, n } = e as { req: number; conn: number; i: number; n: number };
        const r = this.get(req);
        for (let k = 0; k < n; k++) this.owner.set(conn, i + k, [r, k]);
        break;
      }
      case 'pipeline.reply': {
        const { req, conn, i } = e as { req: number; conn: number; i: number };
        const o = this.owner.get(conn, i);
        if (o === undefined || o[0].req !== req) {
          this.misrouted++;
          this.note(`t=${t}: reply ${i} on conn ${conn} went to request ${req} but answers ${o === undefined ? 'no command' : `request ${o[0].req}`}`);
        }
        break;
      }
      case 'redis.exec': {
        const { conn, i } = e as { conn: number; i: number };
        const o = this.owner.get(conn, i);
        if (o === undefined) break;
        const runs = (o[0].runs ??= []);
        runs[o[1]] = (runs[o[1]] ?? 0) + 1;
        break;
      }
      case 'pipeline.stop': {
        const { req, ok, indeterminate } = e as { req: number; ok: boolean; indeterminate: boolean };
        const r = this.get(req);
        if (r.stops === 0) {
          this.ended++;
          r.ok = ok;
          r.indeterminate = indeterminate;
        }
        r.stops++;
        break;
      }
      default: {
        // Every checked kind has its case (a missing one does not compile); others are ignored.
        const other: never = k;
        void other;
      }
    }
  }

  /**
   * The counts over every event visited so far. Without options, every request that never ended
   * with its caller alive is lost.
   */
  report(options?: CheckOptions): CheckReport {
    const problems = [...this.problems];
    const note = (s: string) => {
      if (problems.length < 20) problems.push(s);
    };
    let lost = 0;
    let unfinished = 0;
    let abandoned = 0;
    const o = options;
    const inTime = o === undefined ? Number.POSITIVE_INFINITY : o.endUs - o.callTimeoutUs - TIMEOUT_GRACE_US;
    let duplicatedReplies = 0;
    let indeterminate = 0;
    let falselyDeterminate = 0;
    let executedTwice = 0;
    let ok = 0;
    for (const s of this.started) {
      const req = s.req;
      if (s.stops === 0) {
        if (this.exited.has(s.caller)) {
          abandoned++;
          continue;
        }
        if (s.at > inTime) {
          unfinished++;
          continue;
        }
        lost++;
        note(`request ${req} never ended`);
        continue;
      }
      if (s.stops > 1) {
        duplicatedReplies += s.stops - 1;
        note(`request ${req} ended ${s.stops} times`);
      }
      if (s.ok) ok++;
      const ran = s.runs;
      if (!s.ok && s.indeterminate) indeterminate++;
      if (!s.ok && !s.indeterminate && ran !== null) {
        falselyDeterminate++;
        note(`request ${req} was reported as not run, but the server ran it`);
      }
      if (ran !== null && ran.some((n) => n > 1)) executedTwice++;
    }
    return {
      requests: this.started.length,
      ended: this.ended,
      ok,
      lost,
      unfinished,
      abandoned,
      duplicatedReplies,
      misrouted: this.misrouted,
      falselyDeterminate,
      indeterminate,
      executedTwice,
      problems,
    };
  }

  private get(req: number): Seen {
    let r = this.seen.get(req);
    if (r === undefined) this.seen.set(req, (r = { req, started: false, caller: 0, at: 0, stops: 0, ok: false, indeterminate: false, runs: null }));
    return r;
  }

  private note(s: string): void {
    if (this.problems.length < 20) this.problems.push(s);
  }
}
