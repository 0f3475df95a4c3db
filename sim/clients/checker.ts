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
import { IdTable } from '../kernel/id-table.js';
import type { Trace, TraceEvents, TraceFields } from '../kernel/trace.js';

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
 * case for a kind not listed, does not compile. The server's accept, close and down tell it when
 * no more commands can run on a connection, so it can forget them.
 */
export const CHECKED_KINDS = [
  'pipeline.start',
  'proc.exit',
  'pipeline.sent',
  'pipeline.reply',
  'redis.exec',
  'pipeline.stop',
  'redis.accept',
  'redis.close',
  'redis.down',
  'tcp.close',
] as const satisfies ReadonlyArray<keyof TraceEvents>;
type CheckedKind = (typeof CHECKED_KINDS)[number];

/** Each checked kind's place in CHECKED_KINDS: what a trace observer is told (see Checker.take). */
const code = (k: CheckedKind): number => CHECKED_KINDS.indexOf(k);
const START = code('pipeline.start');
const EXIT = code('proc.exit');
const SENT = code('pipeline.sent');
const REPLY = code('pipeline.reply');
const EXEC = code('redis.exec');
const STOP = code('pipeline.stop');
const ACCEPT = code('redis.accept');
const CLOSE = code('redis.close');
const DOWN = code('redis.down');
const TCP_CLOSE = code('tcp.close');
const CODE_OF = new Map<string, number>(CHECKED_KINDS.map((k, i) => [k, i]));

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

/** What the checker knows of one request, while something can still happen to it. */
interface Seen {
  req: number;
  /** When it was first seen (or seen again after it settled), counted: the report's order. */
  seen: number;
  started: boolean;
  /** When it started, µs. */
  at: number;
  caller: number;
  /** Its caller exited (set for requests not yet ended when it did). */
  callerExited: boolean;
  /** How many times it ended, and how the first time. */
  stops: number;
  ok: boolean;
  indeterminate: boolean;
  /** How many times the server ran its first command, and each other one (by offset - 1). */
  runs0: number;
  runsRest: number[] | null;
  /** Its commands the server may still run: it is settled once it ended and this is 0. */
  mayRun: number;
  /**
   * Settled before and written again (an at-least-once client resends what a timed-out caller
   * left): what it counted for then, as archived (0 for a request seen the first time).
   */
  prior: number;
}

/**
 * The commands written on one connection that a later event may still name, in the order written
 * (Redis runs and answers them in that order): command `head + k` sits at `start + k`, belongs to
 * request `reqs[..]` (-1: none), as its command number `offs[..]`; `seens[..]` is null once the
 * server can no longer run it.
 */
class Written {
  head = 0;
  reqs: number[] = [];
  offs: number[] = [];
  seens: Array<Seen | null> = [];
  /** Commands the server ran (it runs them in order), replies the client read. */
  executed = 0;
  replied = 0;
  /** The server closed its side (or went down): nothing more runs here. */
  serverGone = false;
  /** The client closed its socket: nothing more is read here. */
  clientGone = false;

  /** Where `head` sits in the arrays (they are trimmed now and then, not on every command). */
  start = 0;

  /** One past the last command numbered. */
  get end(): number {
    return this.head + this.reqs.length - this.start;
  }

  entry(i: number): number {
    const k = i - this.head + this.start;
    return k >= this.start && k < this.reqs.length ? k : -1;
  }

  /**
   * Keeps nothing (head stays). The arrays are emptied in place: with `length = 0` they would
   * free their room, and the next command (on a pool's connection, every request) allocate it
   * again, three arrays of 17 slots.
   */
  empty(): void {
    const { reqs, offs, seens } = this;
    while (reqs.length > 0) {
      reqs.pop();
      offs.pop();
      seens.pop();
    }
    this.start = 0;
  }
}

/** Whole numbers >= 0 to 4-bit values (0 when unset), in pages of 2^16, allocated as written. */
class Nibbles {
  private readonly pages: Array<Uint8Array | undefined> = [];

  set(n: number, v: number): void {
    const page = (this.pages[Math.floor(n / 65536)] ??= new Uint8Array(32768));
    const b = (n % 65536) >>> 1;
    page[b] = n & 1 ? (page[b]! & 0x0f) | (v << 4) : (page[b]! & 0xf0) | v;
  }

  get(n: number): number {
    const page = this.pages[Math.floor(n / 65536)];
    if (page === undefined) return 0;
    const v = page[(n % 65536) >>> 1]!;
    return n & 1 ? v >>> 4 : v & 0x0f;
  }
}

/** What is kept of a settled request (a Nibbles value): enough to count what may still happen to it. */
const NOT_A_REQUEST = 7;
function archived(s: Seen): number {
  if (!s.started) return NOT_A_REQUEST;
  return 1 + ranClip(s) * 2 + (failedDeterminate(s) ? 1 : 0);
}

/** How many times its most-run command ran: 0, 1, or 2 for more. */
function ranClip(s: Seen): number {
  let most = s.runs0;
  if (s.runsRest !== null) for (const n of s.runsRest) if (n > most) most = n;
  return Math.min(2, most);
}

function failedDeterminate(s: Seen): boolean {
  return !s.ok && !s.indeterminate;
}

export function check(trace: Trace, options?: CheckOptions): CheckReport {
  const checker = new Checker();
  trace.each((t, kind, f) => checker.visit(t, kind, f), CHECKED_KINDS);
  return checker.report(options);
}

/**
 * The checker as a visitor of trace events in order, so a pass that reads the same events for
 * other reasons (the world's metrics) can feed it instead of making a second pass.
 *
 * Its memory is bounded by what is live, not by the length of the run: a request is settled — its
 * counts taken, its record dropped — once it has ended and none of its commands can still run (the
 * server ran it, or closed the connection it was written on); a command written on a connection is
 * forgotten once it was both run (or can no longer be) and answered (or can no longer be read).
 * What stays of a settled request is 4 bits (whether it failed as not run, how often it ran), so
 * that it ending again, or an at-least-once client writing it again, is still counted.
 */
export class Checker {
  /** Requests not yet settled, by request number (request refs count up: a column, not a Map). */
  private readonly live = new IdTable<Seen>();
  /**
   * Records of settled requests, to be filled again: one per request was a tenth of what a
   * world allocated with the checker (all their fields are numbers, booleans or null, so a
   * record kept for long costs the collector nothing when it is filled again).
   */
  private readonly spare: Seen[] = [];
  private seen = 0;
  private readonly settled = new Nibbles();
  /**
   * Requests not yet ended, per caller that has started one and not exited (kept at 0 rather than
   * deleted and set again on every request): a caller's exit makes them abandoned.
   */
  private readonly openOf = new Map<number, number>();
  private readonly wires = new Map<number, Written>();
  /** The connection last looked up, and its record (most events name the one before's). */
  private lastConn = -1;
  private lastWire: Written | undefined = undefined;
  /** Connections the server is done with and the checker forgot: a later write can never run. */
  private readonly goneConns = new Nibbles();
  private readonly problems: string[] = [];
  private misrouted = 0;
  private ended = 0;
  private requests = 0;
  // The counts of settled requests.
  private ok = 0;
  private duplicatedReplies = 0;
  private indeterminate = 0;
  private falselyDeterminate = 0;
  private executedTwice = 0;

  /** Records held now: requests not settled and commands not forgotten (what memory grows with). */
  get retained(): number {
    let commands = 0;
    for (const w of this.wires.values()) commands += w.reqs.length - w.start;
    return this.live.size + commands + this.wires.size;
  }

  /** Takes one event; events of kinds outside CHECKED_KINDS are ignored. */
  visit(t: number, kind: string, fields: TraceFields): void {
    const c = CODE_OF.get(kind);
    if (c !== undefined) this.take(t, c, fields);
  }

  /**
   * Takes one event of the kind at `code` in CHECKED_KINDS (a trace observer is told its kinds'
   * places: no string to compare per event).
   */
  take(t: number, code: number, fields: TraceFields): void {
    const e = fields as Record<string, number | boolean | string>;
    switch (code) {
      case START: {
        const { req, caller } = e as { req: number; caller: number };
        const r = this.get(req);
        if (!r.started) {
          this.requests++;
          if (r.stops === 0) this.openOf.set(caller, (this.openOf.get(caller) ?? 0) + 1);
        }
        r.started = true;
        r.caller = caller;
        r.at = t;
        break;
      }
      case EXIT: {
        const pid = (e as { pid: number }).pid;
        const open = this.openOf.get(pid);
        if (open === undefined) break;
        this.openOf.delete(pid);
        if (open === 0) break;
        // Rare (a killed caller): mark what it left open.
        for (const r of this.live.values()) if (r.started && r.stops === 0 && r.caller === pid) r.callerExited = true;
        break;
      }
      case SENT: {
        const { req, conn, i, n } = e as { req: number; conn: number; i: number; n: number };
        const r = this.get(req, true);
        const w = this.wire(conn);
        for (let k = 0; k < n; k++) this.own(w, i + k, r, k);
        break;
      }
      case REPLY: {
        const { req, conn, i } = e as { req: number; conn: number; i: number };
        const w = this.wireIfAny(conn);
        const at = w === undefined ? -1 : w.entry(i);
        const owner = at < 0 || w!.reqs[at]! < 0 ? undefined : w!.reqs[at]!;
        if (owner !== req) {
          this.misrouted++;
          this.note(`t=${t}: reply ${i} on conn ${conn} went to request ${req} but answers ${owner === undefined ? 'no command' : `request ${owner}`}`);
        }
        if (w !== undefined && i + 1 > w.replied) {
          w.replied = i + 1;
          this.trim(conn, w);
        }
        break;
      }
      case EXEC: {
        const { conn, i } = e as { conn: number; i: number };
        const w = this.wireIfAny(conn);
        if (w === undefined) break;
        const at = w.entry(i);
        const r = at < 0 ? null : w.seens[at]!;
        if (r !== null) {
          const off = w.offs[at]!;
          if (off === 0) r.runs0++;
          else {
            const rest = (r.runsRest ??= []);
            rest[off - 1] = (rest[off - 1] ?? 0) + 1;
          }
        }
        if (i + 1 > w.executed) {
          // Redis runs a connection's commands in order: none before this one can run now.
          for (let j = Math.max(w.executed, w.head); j <= i; j++) this.cannotRun(w, j);
          w.executed = i + 1;
          this.trim(conn, w);
        }
        break;
      }
      case STOP: {
        const { req, ok, indeterminate } = e as { req: number; ok: boolean; indeterminate: boolean };
        let r = this.live.get(req);
        if (r === undefined) {
          const was = this.settled.get(req);
          if (was === NOT_A_REQUEST) break;
          if (was !== 0) {
            // Ended again after it was settled.
            this.duplicatedReplies++;
            this.note(`request ${req} ended more than once`);
            break;
          }
          r = this.get(req);
        }
        if (r.stops === 0) {
          this.ended++;
          r.ok = ok;
          r.indeterminate = indeterminate;
          if (r.started) this.closeOpen(r.caller);
        }
        r.stops++;
        if (r.mayRun === 0) this.settle(r);
        break;
      }
      case ACCEPT:
        this.wire((e as { conn: number }).conn);
        break;
      case CLOSE: {
        const conn = (e as { conn: number }).conn;
        this.serverGone(conn, this.wire(conn));
        break;
      }
      case DOWN:
        // Every connection drops with the server.
        for (const [conn, w] of [...this.wires]) this.serverGone(conn, w);
        break;
      case TCP_CLOSE: {
        const { conn, by } = e as { conn: number; by: string };
        const w = this.wireIfAny(conn);
        if (by !== 'client' || w === undefined) break;
        // The client closed its socket: it reads nothing more from it.
        w.clientGone = true;
        this.trim(conn, w);
        break;
      }
      default:
      // Codes of other kinds are ignored.
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
    let { ok, duplicatedReplies, indeterminate, falselyDeterminate, executedTwice } = this;
    // Requests not settled yet, in the order they were first seen.
    for (const s of this.live.values().sort((a, b) => a.seen - b.seen)) {
      if (!s.started) continue;
      const req = s.req;
      if (s.stops === 0) {
        if (s.callerExited) {
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
      const c = outcome(s);
      duplicatedReplies += c.duplicated;
      if (c.duplicated > 0) note(`request ${req} ended ${s.stops} times`);
      ok += c.ok;
      indeterminate += c.indeterminate;
      falselyDeterminate += c.falselyDeterminate;
      if (c.falselyDeterminate > 0) note(`request ${req} was reported as not run, but the server ran it`);
      executedTwice += c.executedTwice;
    }
    return {
      requests: this.requests,
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

  /** The live record of `req`; `again`: brought back from the archive if it was settled. */
  private get(req: number, again = false): Seen {
    let r = this.live.get(req);
    if (r === undefined) {
      r = this.spare.pop();
      if (r === undefined) r = { req, seen: this.seen++, started: false, caller: 0, callerExited: false, at: 0, stops: 0, ok: false, indeterminate: false, runs0: 0, runsRest: null, mayRun: 0, prior: 0 };
      else {
        r.req = req;
        r.seen = this.seen++;
        r.started = false;
        r.caller = 0;
        r.callerExited = false;
        r.at = 0;
        r.stops = 0;
        r.ok = false;
        r.indeterminate = false;
        r.runs0 = 0;
        r.runsRest = null;
        r.mayRun = 0;
        r.prior = 0;
      }
      const was = again ? this.settled.get(req) : 0;
      if (was !== 0 && was !== NOT_A_REQUEST) {
        // Written again after it ended: it counts now only for what it adds.
        r.started = true;
        r.stops = 1;
        r.prior = was;
        r.runs0 = (was - 1) >> 1;
        r.ok = (was - 1) % 2 === 0;
      }
      this.live.set(req, r);
    }
    return r;
  }

  private closeOpen(caller: number): void {
    const n = this.openOf.get(caller);
    if (n !== undefined && n > 0) this.openOf.set(caller, n - 1);
  }

  private wire(conn: number): Written {
    let w = this.wireIfAny(conn);
    if (w === undefined) {
      w = new Written();
      if (this.goneConns.get(conn) !== 0) w.serverGone = true;
      this.wires.set(conn, w);
      this.lastConn = conn;
      this.lastWire = w;
    }
    return w;
  }

  private wireIfAny(conn: number): Written | undefined {
    if (conn === this.lastConn) return this.lastWire;
    const w = this.wires.get(conn);
    this.lastConn = conn;
    this.lastWire = w;
    return w;
  }

  /** Command `i` of the connection belongs to `r` (its command number `off`). */
  private own(w: Written, i: number, r: Seen, off: number): void {
    if (w.reqs.length - w.start === 0) {
      w.head = i;
      w.empty();
    }
    let at = w.entry(i);
    if (at < 0) {
      if (i < w.head) return; // numbered before what is kept: out of order, nothing to check it by
      // Commands are numbered 0, 1, 2, ... as written; a gap holds no one.
      while (w.end < i) {
        w.reqs.push(-1);
        w.offs.push(0);
        w.seens.push(null);
      }
      w.reqs.push(r.req);
      w.offs.push(off);
      w.seens.push(null);
      at = w.reqs.length - 1;
    } else {
      // Written twice under one number: the later writer owns it, as a map would say.
      const before = w.seens[at]!;
      if (before !== null) this.release(before);
      w.reqs[at] = r.req;
      w.offs[at] = off;
    }
    const runnable = !w.serverGone && i >= w.executed;
    w.seens[at] = runnable ? r : null;
    if (runnable) r.mayRun++;
  }

  /** Command `i` can no longer run: its request stops waiting for it. */
  private cannotRun(w: Written, i: number): void {
    const at = w.entry(i);
    if (at < 0) return;
    const r = w.seens[at]!;
    if (r === null) return;
    w.seens[at] = null;
    this.release(r);
  }

  private release(r: Seen): void {
    r.mayRun--;
    if (r.mayRun === 0 && r.stops > 0) this.settle(r);
  }

  private serverGone(conn: number, w: Written): void {
    if (w.serverGone) return;
    w.serverGone = true;
    for (let at = w.start; at < w.reqs.length; at++) {
      const r = w.seens[at]!;
      if (r === null) continue;
      w.seens[at] = null;
      this.release(r);
    }
    this.trim(conn, w);
  }

  /** Forgets the commands at the front that can neither run nor be answered any more. */
  private trim(conn: number, w: Written): void {
    const ranUpTo = w.serverGone ? Number.POSITIVE_INFINITY : w.executed;
    const readUpTo = w.clientGone ? Number.POSITIVE_INFINITY : w.replied;
    const upTo = Math.min(ranUpTo, readUpTo);
    while (w.start < w.reqs.length && w.head < upTo) {
      w.start++;
      w.head++;
    }
    if (w.start === w.reqs.length) {
      w.empty();
      if (w.serverGone) {
        // Nothing kept, and nothing can run here again: forget the connection, remember it is gone.
        this.wires.delete(conn);
        if (conn === this.lastConn) this.lastWire = undefined;
        this.goneConns.set(conn, 1);
      }
    } else if (w.start > 1024 && w.start * 2 > w.reqs.length) {
      w.reqs.splice(0, w.start);
      w.offs.splice(0, w.start);
      w.seens.splice(0, w.start);
      w.start = 0;
    }
  }

  /** Its counts are final: take them and drop the record. */
  private settle(r: Seen): void {
    this.live.delete(r.req);
    this.settled.set(r.req, archived(r));
    // Nothing refers to it any more (its commands' entries were cleared before it settled).
    if (this.spare.length < 1024) this.spare.push(r);
    if (!r.started) return;
    const c = outcome(r);
    this.duplicatedReplies += c.duplicated;
    if (c.duplicated > 0) this.note(`request ${r.req} ended ${r.stops} times`);
    this.ok += c.ok;
    this.indeterminate += c.indeterminate;
    this.falselyDeterminate += c.falselyDeterminate;
    if (c.falselyDeterminate > 0) this.note(`request ${r.req} was reported as not run, but the server ran it`);
    this.executedTwice += c.executedTwice;
  }

  private note(s: string): void {
    if (this.problems.length < 20) this.problems.push(s);
  }
}

/** What outcome returns: one object, filled again by each call (read it at once). */
const OUTCOME = { duplicated: 0, ok: 0, indeterminate: 0, falselyDeterminate: 0, executedTwice: 0 };

/**
 * What one ended request counts for (0 or 1 each, duplicates aside); one brought back from the
 * archive counts only for what changed since it was settled. The object is outcome's own (one
 * per settled request was garbage): read it before the next call.
 */
function outcome(s: Seen): Readonly<typeof OUTCOME> {
  const ran = ranClip(s);
  const before = s.prior === 0 ? 0 : (s.prior - 1) >> 1;
  const fresh = s.prior === 0 ? 1 : 0;
  const o = OUTCOME;
  o.duplicated = s.stops - 1;
  o.ok = s.ok ? fresh : 0;
  o.indeterminate = !s.ok && s.indeterminate ? fresh : 0;
  o.falselyDeterminate = failedDeterminate(s) && ran > 0 && before === 0 ? 1 : 0;
  o.executedTwice = ran > 1 && before < 2 ? 1 : 0;
  return o;
}
