import { Fifo } from '../kernel/fifo.js';
import { IdTable } from '../kernel/id-table.js';
import { StuckError, type Kernel, type ScheduledEvent } from '../kernel/kernel.js';
import type { Rng } from '../kernel/rng.js';
import type { Micros } from '../kernel/time.js';
import { Ctx } from './context.js';
import { Proc, RefEntry, type ProcStats } from './process.js';
import {
  TIMEOUT,
  messageTag,
  termSize,
  type Effect,
  type ExitReason,
  type Pid,
  type ProcFn,
  type Ref,
} from './types.js';
import { TraceEvent } from '../kernel/trace.js';

/** Recorded after most steps: declared once (Trace.emit). */
const PROC_BUSY = new TraceEvent('proc.busy', ['pid', 'us'], (f, pid, us) => {
  f.pid = pid;
  f.us = us;
});

declare module '../kernel/trace.js' {
  interface TraceEvents {
    'proc.spawn': { pid: number; name: string; parent: number | null };
    'proc.exit': { pid: number; name: string; reason: string };
    /** A step that held a scheduler for `us` microseconds of CPU. */
    'proc.busy': { pid: number; us: number };
    /**
     * A message between processes; `at` is when it lands in the mailbox (after the copy). Only
     * with RuntimeOptions.traceMessages: two to three per request, read by no view, checker or
     * export, they were a sixth of a scenario's trace. Counts and bytes are in the process stats.
     */
    'msg.send': { from: number | null; to: number; tag: string; bytes: number; at: number };
    /** A message that reached nobody: a dead process, or an alias its owner had given up. */
    'msg.drop': { from: number | null; to: number; tag: string; reason: string };
  }
}

export interface RuntimeOptions {
  /** How many processes can run at once (BEAM's schedulers, one per core). Default 1. */
  schedulers?: number;
  /** Cost of copying a message to another process's heap, per byte, charged to the sender. */
  copyNsPerByte?: number;
  /** Fixed cost of one send, charged to the sender. */
  sendNs?: number;
  /** Fixed cost of every step (being scheduled in, the receive loop, dispatching the message). */
  stepOverheadNs?: number;
  /** Record every message between processes as 'msg.send' (default false). */
  traceMessages?: boolean;
  /**
   * The least CPU any step costs, whatever the other costs say (default MIN_STEP_NS). 0 only to
   * build a world that can loop without time moving (tests of the stuck guard).
   */
  minStepNs?: number;
  /** Most runtime operations (sends, refs, clock reads...) in one step before it is stopped (default 10,000,000). */
  maxStepOps?: number;
  /**
   * How many exited processes the runtime still remembers (their stats, exit reason, name), the
   * most recent ones (default RETAIN_EXITED). An open workload spawns a process per request: kept
   * for ever they were memory growing with the run.
   */
  retainExited?: number;
  /**
   * For a runtime on a real clock (real/driver.ts): each step's end is an event of its own,
   * stamped with the time it really runs at, and what the process waits for is installed then, so
   * a timeout never counts from before the step really ended. A simulation needs none (false).
   */
  realClock?: boolean;
}

/** Exited processes remembered by default (what it forgets still counts: forgottenStats). */
export const RETAIN_EXITED = 4096;

/**
 * The floor of a step's CPU, ns. Neither runtime runs a process for free: BEAM schedules it in,
 * runs its reductions and switches out (a failing call — `GenServer.call` to a dead name raising
 * `noproc`, caught — is tens of reductions, some 0.1–1 µs); Node turns a rejected promise into a
 * microtask (~0.1 µs and up). So a caller that loops on a call failing at once spends its
 * scheduler and moves the clock, as a busy process, instead of looping at one instant.
 */
export const MIN_STEP_NS = 100;

/** How many of the last steps a StuckError looks at to name the processes that ran (a power of two). */
const RECENT_STEPS = 1024;

export interface SpawnOptions {
  name?: string;
  /** Link the new process to this one, atomically with the spawn (spawn_link). */
  linkTo?: Pid;
}

export interface SendOptions {
  /** Size of the message in bytes, when the sender knows it better than termSize would. */
  bytes?: number;
}

/** Thrown inside a process by ctx.exit(ctx.self, reason): ends the process with that reason. */
export class ProcessExit extends Error {
  constructor(readonly reason: ExitReason) {
    super(`exit: ${reason}`);
  }
}

/**
 * A small BEAM: processes with mailboxes, a fixed number of schedulers, links, monitors,
 * aliases and timers, all on the kernel's virtual clock.
 *
 * Cost model: a process's code between two yields is one *step*. The step runs at the instant
 * it gets a scheduler; the CPU it charges (ctx.cpu, message copies) keeps that scheduler busy
 * for that long afterwards, and each send lands when the copy so far is done. Steps are not
 * preempted: they are meant to be the handling of one message, far below BEAM's reduction slice.
 */
export class Runtime {
  readonly kernel: Kernel;
  readonly schedulers: number;
  private readonly copyNsPerByte: number;
  private readonly sendNs: number;
  private readonly stepOverheadNs: number;
  private readonly traceMessages: boolean;
  private readonly minStepNs: number;
  private readonly maxStepOps: number;
  private readonly realClock: boolean;
  /** The pids of the last RECENT_STEPS steps, a ring: what a StuckError reports. */
  private readonly recent = new Int32Array(RECENT_STEPS);
  private recentAt = 0;

  private nextPid = 1;
  private nextRef = 1;
  /**
   * Live processes and the most recently exited ones (see retainExited), by pid, in spawn order.
   * An exited process is forgotten once `retainExited` others have exited after it: nothing can
   * reach it any more (its links, monitors, names, timers and sockets ended with it; a message to
   * it is dropped as to any dead pid), and what reports keep of crashes is in `crashes`.
   * A column by pid (IdTable), not a Map: every message delivered looks its receiver up.
   */
  private readonly procs = new IdTable<Proc>();
  private procsHeld = 0;
  /** Pids of exited processes still in `procs`, oldest first: a ring of retainExited slots. */
  private readonly exited: Int32Array;
  private exitedCount = 0;
  /**
   * What forgetting processes must not lose: their steps in all, and per name (its trailing number
   * dropped: "arrival 812" is "arrival") the busiest one forgotten, so a report's busiest process
   * is the same whatever retainExited is.
   */
  private forgotten = { steps: 0, busiest: new Map<string, ProcStats>() };
  /** Every live monitor and alias, by reference (a column by ref number: see IdTable). */
  private readonly refs = new IdTable<RefEntry>();
  private readonly names = new Map<string, Pid>();
  private readonly timers = new Map<Ref, { event: ScheduledEvent; dest: Pid }>();
  /** Entries of the tables above visited by terminate: what a test counts (O(what the process owns)). */
  terminateVisits = 0;
  private readonly streams = new Map<string, Rng>();

  private readonly runQueue = new Fifo<Proc>();
  /** When each scheduler is done with the step it runs (µs): free once the clock reaches it. */
  private readonly busyUntil: number[];
  /** When a pump is due for processes waiting for a scheduler (-1: none). */
  private pumpAt = -1;
  private pumping = false;
  /** The process whose code is on the JS stack right now. */
  private current: Proc | null = null;

  private readonly exitListeners: Array<(pid: Pid, reason: ExitReason) => void> = [];

  /** Processes that ended by throwing: kept so a world can report its crashes. */
  readonly crashes: Array<{ pid: Pid; name: string; error: unknown }> = [];
  messagesSent = 0;
  messagesDropped = 0;
  bytesCopied = 0;

  constructor(kernel: Kernel, options: RuntimeOptions = {}) {
    const schedulers = options.schedulers ?? 1;
    if (!Number.isInteger(schedulers) || schedulers < 1) {
      throw new RangeError(`schedulers must be a whole number >= 1, got ${schedulers}`);
    }
    this.kernel = kernel;
    this.schedulers = schedulers;
    this.busyUntil = new Array<number>(schedulers).fill(0);
    this.copyNsPerByte = nonNegative(options.copyNsPerByte ?? 0, 'copyNsPerByte');
    this.sendNs = nonNegative(options.sendNs ?? 0, 'sendNs');
    this.stepOverheadNs = nonNegative(options.stepOverheadNs ?? 0, 'stepOverheadNs');
    this.traceMessages = options.traceMessages ?? false;
    this.minStepNs = nonNegative(options.minStepNs ?? MIN_STEP_NS, 'minStepNs');
    this.maxStepOps = options.maxStepOps ?? 10_000_000;
    this.realClock = options.realClock ?? false;
    const retain = options.retainExited ?? RETAIN_EXITED;
    if (!Number.isInteger(retain) || retain < 1) throw new RangeError(`retainExited must be a whole number >= 1, got ${retain}`);
    this.exited = new Int32Array(retain);
    kernel.describeStuck = () => this.describeRecent();
  }

  /** Who ran the last steps, busiest first: "caller3 (pid 7) ran 998 of the last 1024 steps, ...". */
  private describeRecent(): string {
    const n = Math.min(this.recentAt, RECENT_STEPS);
    if (n === 0) return 'no process step ran (a loop of events outside the processes)';
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) counts.set(this.recent[i]!, (counts.get(this.recent[i]!) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 3);
    return top.map(([pid, c], i) => `${this.proc(pid as Pid)?.name ?? '?'} (pid ${pid}) ran ${c}${i === 0 ? ` of the last ${n} steps` : ''}`).join(', ');
  }

  /** Counts one runtime operation of the running step; stops a step that never yields. */
  private op(p: Proc): void {
    if (++p.ops > this.maxStepOps) {
      throw new StuckError(this.kernel.now, `${p.name} (pid ${p.pid}) ran more than ${this.maxStepOps} operations in one step without waiting (an endless loop in its code)`);
    }
  }

  // ---- Public API for whoever builds a world (tests, scenarios, the network). ----

  spawn(fn: ProcFn, options: SpawnOptions = {}): Pid {
    const pid = this.nextPid++ as Pid;
    const name = options.name ?? `proc${pid}`;
    const parent = this.current?.pid ?? null;
    const p = new Proc(pid, name, parent, this.kernel.now);
    p.ctx = new Ctx(this, p);
    p.gen = fn(p.ctx);
    this.procs.set(pid, p);
    this.procsHeld++;
    this.kernel.trace.record('proc.spawn', { pid, name, parent });
    if (options.linkTo !== undefined) {
      const other = this.live(options.linkTo);
      if (other === undefined) {
        // spawn_link to a dead process: the new one gets the noproc exit signal at once.
        this.makeRunnable(p, undefined);
        this.exitSignal(options.linkTo, pid, 'noproc');
        return pid;
      }
      (p.links ??= new Set()).add(other.pid);
      (other.links ??= new Set()).add(pid);
    }
    this.makeRunnable(p, undefined);
    return pid;
  }

  /**
   * Sends from outside any process (the network, a test): no cost, lands now, but as an event of
   * its own, so the receiver never runs inside the sender's code (the network must not find a
   * process's step re-entering it halfway through a delivery).
   */
  send(to: Pid, msg: unknown): void {
    this.kernel.post(this.kernel.now, deliverEvent, this, null, to, msg);
  }

  /**
   * As send, but `land(msg)` runs first when the message would land and may keep it back (false):
   * a socket whose owner switched it to passive meanwhile takes its bytes back (tcp.ts).
   */
  sendUnless<M>(to: Pid, msg: M, land: (msg: M) => boolean): void {
    this.kernel.post(this.kernel.now, deliverUnlessEvent, this, to, msg, land);
  }

  /** Sends an exit signal from outside any process (a fault: kill a caller). */
  exit(pid: Pid, reason: ExitReason): void {
    this.exitSignal(null, pid, reason);
  }

  /**
   * Called when any process ends, after its links and monitors have been signalled. For the
   * world's own machinery (the network closes the sockets a dead process controlled, as a port
   * linked to its owner does), not for process code, which uses monitors.
   */
  onExit(listener: (pid: Pid, reason: ExitReason) => void): void {
    this.exitListeners.push(listener);
  }

  isAlive(pid: Pid): boolean {
    return this.live(pid) !== undefined;
  }

  whereis(name: string): Pid | undefined {
    return this.names.get(name);
  }

  processName(pid: Pid): string | undefined {
    return this.proc(pid)?.name;
  }

  /** A named random stream, the same for every process that asks for the same name. */
  random(stream: string): Rng {
    let rng = this.streams.get(stream);
    if (rng === undefined) {
      rng = this.kernel.rng.child(stream);
      this.streams.set(stream, rng);
    }
    return rng;
  }

  /** The exit reason of a process that has ended, or null. */
  exitReasonOf(pid: Pid): ExitReason | null {
    return this.proc(pid)?.exitReason ?? null;
  }

  /** Processes the runtime still holds: the live ones and at most retainExited exited ones. */
  get processCount(): number {
    return this.procsHeld;
  }

  /** Per-process measurements of the live processes and the exited ones still remembered, by pid. */
  stats(): ProcStats[] {
    return this.procs
      .values()
      .sort((a, b) => a.pid - b.pid)
      .map((p) => this.statsOf(p));
  }

  private statsOf(p: Proc): ProcStats {
    return {
      pid: p.pid,
      name: p.name,
      busyUs: p.busyNs / 1000,
      steps: p.steps,
      messagesSent: p.messagesSent,
      messagesReceived: p.messagesReceived,
      bytesCopiedOut: p.bytesCopiedOut,
      spawnedAt: p.spawnedAt,
      exitedAt: p.exitedAt,
      exitReason: p.exitReason,
    };
  }

  /** Mailbox length of a live process (for views and tests). */
  mailboxLength(pid: Pid): number {
    return this.live(pid)?.mailbox.length ?? 0;
  }

  // ---- Used by Ctx: the operations of the running process. ----

  /** @internal */
  assertCurrent(p: Proc, op: string): void {
    if (this.current !== p) {
      throw new Error(`${op} called by ${p.name} (pid ${p.pid}) outside its own step`);
    }
    this.op(p);
  }

  /** @internal The running process's own clock: now plus the CPU its step has used so far. */
  clockOf(p: Proc): Micros {
    if (this.current !== p) return this.kernel.now;
    this.op(p);
    return this.kernel.now + Math.floor((p.carryNs + p.stepNs) / 1000);
  }

  /** @internal */
  charge(p: Proc, ns: number): void {
    if (!(ns >= 0) || !Number.isFinite(ns)) throw new RangeError(`cpu cost must be a finite number >= 0, got ${ns}`);
    p.stepNs += ns;
  }

  /** @internal */
  sendFrom(p: Proc, to: Pid, msg: unknown, bytes?: number): void {
    const at = this.chargeSend(p, msg, bytes);
    if (this.traceMessages) this.kernel.trace.record('msg.send', { from: p.pid, to, tag: messageTag(msg), bytes: this.lastBytes, at });
    this.deliverAt(at, p.pid, to, msg);
  }

  /** @internal Sends to an alias: dropped (and traced) if the owner has deactivated it by arrival. */
  sendToAlias(p: Proc | null, alias: Ref, msg: unknown, bytes?: number): void {
    const at = p === null ? this.kernel.now : this.chargeSend(p, msg, bytes);
    const from = p?.pid ?? null;
    // The alias's entry, if active now: whether it still is when the message lands is read from
    // it then (an alias is never made active again, and its entry is live while in `refs`).
    const entry = this.activeAlias(alias);
    if (this.traceMessages) this.kernel.trace.record('msg.send', { from, to: entry?.owner.pid ?? -1, tag: messageTag(msg), bytes: p === null ? 0 : this.lastBytes, at });
    if (at <= this.kernel.now) this.landOnAlias(from, entry, msg);
    else this.kernel.post(at, landOnAliasEvent, this, from, entry, msg);
  }

  /** @internal */
  landOnAlias(from: Pid | null, entry: RefEntry | undefined, msg: unknown): void {
    if (entry === undefined || !entry.live || entry.alias === 'no') {
      this.messagesDropped++;
      this.kernel.trace.record('msg.drop', { from, to: entry?.owner.pid ?? -1, tag: messageTag(msg), reason: 'inactive_alias' });
      return;
    }
    this.deliver(from, entry.owner.pid, msg);
  }

  /** @internal */
  spawnFrom(p: Proc, fn: ProcFn, options: SpawnOptions): Pid {
    return this.spawn(fn, options);
  }

  /** @internal */
  link(p: Proc, pid: Pid): void {
    if (pid === p.pid) return;
    const other = this.live(pid);
    if (other === undefined) {
      this.exitSignal(pid, p.pid, 'noproc');
      return;
    }
    (p.links ??= new Set()).add(pid);
    (other.links ??= new Set()).add(p.pid);
  }

  /** @internal */
  unlink(p: Proc, pid: Pid): void {
    p.links?.delete(pid);
    this.proc(pid)?.links?.delete(p.pid);
  }

  /**
   * @internal With `alias`, the reference is also an alias of `p` until demonitor (or unalias):
   * OTP 24's monitor(process, Pid, [{alias, demonitor}]), one reference where a call would
   * otherwise make, register and drop two.
   */
  monitor(p: Proc, pid: Pid, alias = false): Ref {
    const ref = this.makeRef();
    const target = this.live(pid);
    if (target === undefined) {
      if (alias) this.addRef(p, ref, null, 'until_demonitor');
      this.deliver(null, p.pid, { type: 'DOWN', ref, pid, reason: 'noproc' });
      return ref;
    }
    this.addRef(p, ref, target, alias ? 'until_demonitor' : 'no');
    return ref;
  }

  /** @internal */
  demonitor(p: Proc, ref: Ref, flush: boolean): void {
    const entry = this.refs.get(ref);
    if (entry !== undefined && entry.owner === p) {
      if (entry.alias === 'until_demonitor' || (entry.alias === 'no' && entry.target !== null)) this.dropRef(entry);
      else this.unwatch(entry);
    }
    if (flush) {
      const mailbox = p.mailbox;
      for (let i = 0; i < mailbox.length; i++) {
        if (isDownFor(mailbox[i], ref)) {
          takeAt(mailbox, i);
          break;
        }
      }
    }
  }

  /** @internal `receive ... after 0` without ending the step: the first match, taken, or undefined. */
  takeMessage(p: Proc, match: (msg: unknown) => boolean): unknown {
    const mailbox = p.mailbox;
    for (let i = 0; i < mailbox.length; i++) {
      if (match(mailbox[i])) {
        const msg = mailbox[i];
        takeAt(mailbox, i);
        p.messagesReceived++;
        return msg;
      }
    }
    return undefined;
  }

  /** @internal */
  alias(p: Proc): Ref {
    const ref = this.makeRef();
    this.addRef(p, ref, null, 'until_unalias');
    return ref;
  }

  private addRef(owner: Proc, ref: Ref, target: Proc | null, alias: RefEntry['alias']): void {
    const e = new RefEntry(ref, owner, target, alias);
    this.refs.set(ref, e);
    e.ownerPrev = owner.ownedTail;
    if (owner.ownedTail === null) owner.owned = e;
    else owner.ownedTail.ownerNext = e;
    owner.ownedTail = e;
    if (target !== null) this.watch(target, e);
  }

  private watch(target: Proc, e: RefEntry): void {
    e.watchPrev = target.watchersTail;
    if (target.watchersTail === null) target.watchers = e;
    else target.watchersTail.watchNext = e;
    target.watchersTail = e;
  }

  /** Forgets a ref: out of the table, its owner's list and its target's. */
  private dropRef(e: RefEntry): void {
    this.refs.delete(e.ref);
    e.live = false;
    const owner = e.owner;
    if (e.ownerPrev === null) owner.owned = e.ownerNext;
    else e.ownerPrev.ownerNext = e.ownerNext;
    if (e.ownerNext === null) owner.ownedTail = e.ownerPrev;
    else e.ownerNext.ownerPrev = e.ownerPrev;
    e.ownerPrev = e.ownerNext = null;
    this.unwatch(e);
  }

  /** A monitor that ends while its alias lives on: out of its target's list. */
  private unwatch(e: RefEntry): void {
    const target = e.target;
    if (target === null) return;
    if (e.watchPrev === null) target.watchers = e.watchNext;
    else e.watchPrev.watchNext = e.watchNext;
    if (e.watchNext === null) target.watchersTail = e.watchPrev;
    else e.watchNext.watchPrev = e.watchPrev;
    e.watchPrev = e.watchNext = null;
    e.target = null;
  }

  /** @internal */
  unalias(p: Proc, ref: Ref): void {
    const entry = this.refs.get(ref);
    if (entry === undefined || entry.owner !== p || entry.alias === 'no') return;
    if (entry.target === null) this.dropRef(entry);
    else entry.alias = 'no';
  }

  /** The entry of an alias, if it is active. */
  private activeAlias(ref: Ref): RefEntry | undefined {
    const entry = this.refs.get(ref);
    return entry === undefined || entry.alias === 'no' ? undefined : entry;
  }

  /** @internal Like erlang:send_after/3: cancelled by itself if the destination dies. */
  sendAfter(p: Proc | null, delay: Micros, dest: Pid, msg: unknown): Ref {
    const ref = this.makeRef();
    const start = p === null ? this.kernel.now : this.clockOf(p);
    const event = this.kernel.call(start + Math.max(0, Math.ceil(delay)), timerEvent, this, ref, dest, msg);
    this.timers.set(ref, { event, dest });
    const target = this.live(dest);
    if (target !== undefined) (target.timers ??= new Set()).add(ref);
    return ref;
  }

  /** @internal A sendAfter's timer fires. */
  fireTimer(ref: Ref, dest: Pid, msg: unknown): void {
    this.timers.delete(ref);
    this.procs.get(dest)?.timers?.delete(ref);
    this.deliver(null, dest, msg);
  }

  /** @internal Returns the time that was left, or false if the timer had fired or never was. */
  cancelTimer(ref: Ref): Micros | false {
    const t = this.timers.get(ref);
    if (t === undefined) return false;
    t.event.cancel();
    this.timers.delete(ref);
    this.proc(t.dest)?.timers?.delete(ref);
    return t.event.time - this.kernel.now;
  }

  /** @internal */
  register(p: Proc, name: string): void {
    const holder = this.names.get(name);
    if (holder !== undefined && holder !== p.pid && this.isAlive(holder)) {
      throw new Error(`name ${name} is already registered to pid ${holder}`);
    }
    this.names.set(name, p.pid);
    (p.names ??= []).push(name);
  }

  /**
   * An exit signal from `from` (null: from outside) to `to`. 'kill' cannot be trapped; a process
   * trapping exits gets any other reason as an EXIT message; 'normal' is otherwise ignored.
   */
  exitSignal(from: Pid | null, to: Pid, reason: ExitReason): void {
    const p = this.live(to);
    if (p === undefined) return;
    if (reason === 'kill') {
      this.kill(p, 'killed');
      return;
    }
    if (p.trapExit && from !== to) {
      this.deliver(null, to, { type: 'EXIT', from: from ?? (0 as Pid), reason });
      return;
    }
    if (reason === 'normal' && from !== to) return;
    this.kill(p, reason);
  }

  makeRef(): Ref {
    return this.nextRef++ as Ref;
  }

  // ---- The scheduler. ----

  private lastBytes = 0;

  /** Charges the copy to the sender and returns when the message lands. */
  private chargeSend(p: Proc, msg: unknown, known: number | undefined): Micros {
    this.assertCurrent(p, 'send');
    if (msg === undefined) throw new TypeError('cannot send undefined: receive uses it to mean no message');
    const bytes = known ?? termSize(msg);
    this.lastBytes = bytes;
    p.stepNs += this.sendNs + bytes * this.copyNsPerByte;
    p.messagesSent++;
    p.bytesCopiedOut += bytes;
    this.messagesSent++;
    this.bytesCopied += bytes;
    return this.clockOf(p);
  }

  private deliverAt(at: Micros, from: Pid | null, to: Pid, msg: unknown): void {
    if (at <= this.kernel.now) this.deliver(from, to, msg);
    else this.deliverLater(at, from, to, msg);
  }

  private deliverLater(at: Micros, from: Pid | null, to: Pid, msg: unknown): void {
    this.kernel.post(at, deliverEvent, this, from, to, msg);
  }

  /** @internal */
  deliver(from: Pid | null, to: Pid, msg: unknown): void {
    const p = this.live(to);
    if (p === undefined) {
      this.messagesDropped++;
      this.kernel.trace.record('msg.drop', { from, to, tag: messageTag(msg), reason: 'noproc' });
      return;
    }
    const waiting = p.waitingFor;
    if (p.status === 'waiting' && waiting !== null && waiting.match(msg)) {
      this.stopWaiting(p);
      p.messagesReceived++;
      this.resumeAt(p, msg, p.readyAt);
      return;
    }
    p.mailbox.push(msg);
  }

  /**
   * Resumes `p` with `value` once its last step's CPU is spent (`at`): at once if it is, else by
   * an event then. Until then it is 'running' for the world: what arrives goes to its mailbox.
   */
  private resumeAt(p: Proc, value: unknown, at: Micros): void {
    if (at <= this.kernel.now) {
      this.makeRunnable(p, value);
      return;
    }
    p.status = 'running';
    this.resumeLater(p, value, at);
  }

  private resumeLater(p: Proc, value: unknown, at: Micros): void {
    this.kernel.post(at, resumeEvent, this, p, value);
  }

  private stopWaiting(p: Proc): void {
    p.waitingFor = null;
    if (p.waitTimer !== null) {
      p.waitTimer.cancel();
      p.waitTimer = null;
    }
  }

  /** @internal */
  makeRunnable(p: Proc, value: unknown): void {
    p.status = 'runnable';
    p.resumeWith = value;
    this.runQueue.push(p);
    this.pump();
  }

  /** Hands free schedulers to runnable processes, in FIFO order. Never re-entered. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const queue = this.runQueue;
      for (let p = queue.peek(); p !== undefined; p = queue.peek()) {
        if (p.status !== 'runnable') {
          queue.shift();
          continue;
        }
        const s = this.freeScheduler();
        if (s < 0) {
          this.pumpWhenFree();
          break;
        }
        queue.shift();
        this.runStep(p, s);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** A scheduler done with its last step, or -1. */
  private freeScheduler(): number {
    const now = this.kernel.now;
    const busy = this.busyUntil;
    for (let i = 0; i < busy.length; i++) if (busy[i]! <= now) return i;
    return -1;
  }

  /** Every scheduler is busy and processes wait: the queue moves on when the first one is free. */
  private pumpWhenFree(): void {
    let t = Number.POSITIVE_INFINITY;
    for (const b of this.busyUntil) if (b < t) t = b;
    if (this.pumpAt >= 0 && this.pumpAt <= t) return;
    this.pumpAt = t;
    this.kernel.at(t, () => {
      if (this.pumpAt === t) this.pumpAt = -1;
      this.pump();
    });
  }

  /**
   * Runs one step of `p` on scheduler `s`. The step's CPU keeps that scheduler busy until
   * now + its cost, and the process resumes no earlier; no event marks the end of a step unless
   * something happens then (the process ends, or something it waits for came meanwhile).
   */
  private runStep(p: Proc, s: number): void {
    this.kernel.spin();
    this.recent[this.recentAt++ & (RECENT_STEPS - 1)] = p.pid;
    p.status = 'running';
    p.stepNs = this.stepOverheadNs;
    p.ops = 0;
    p.steps++;
    this.busyUntil[s] = Number.POSITIVE_INFINITY;
    const input = p.resumeWith;
    p.resumeWith = undefined;
    let result: IteratorResult<Effect, ExitReason | void> | null = null;
    let thrown: unknown = null;
    let threw = false;
    this.current = p;
    try {
      result = p.gen!.next(input);
    } catch (e) {
      threw = true;
      thrown = e;
    } finally {
      this.current = null;
    }
    // The world is broken, not the process: it stops (see Kernel.spin).
    if (threw && thrown instanceof StuckError) throw thrown;
    if (p.stepNs < this.minStepNs) p.stepNs = this.minStepNs;
    const total = p.carryNs + p.stepNs;
    const ticks = Math.floor(total / 1000);
    p.carryNs = total - ticks * 1000;
    p.busyNs += p.stepNs;
    const end = this.kernel.now + ticks;
    this.busyUntil[s] = end;
    if (ticks > 0) this.kernel.trace.emit(PROC_BUSY, p.pid, ticks);
    if (p.pendingExit !== null || threw || result!.done) {
      if (ticks > 0) this.endAfter(ticks, p, result, threw, thrown);
      else this.end(p, result, threw, thrown);
      return;
    }
    if (this.realClock && ticks > 0) this.installAfter(ticks, p, result!.value);
    else this.install(p, result!.value, end);
  }

  /** On a real clock: the wait starts when the step's end event really runs (see realClock). */
  private installAfter(ticks: Micros, p: Proc, effect: Effect): void {
    this.kernel.after(ticks, () => {
      if (p.status === 'dead') return;
      this.install(p, effect, this.kernel.now);
      this.pump();
    });
  }

  /** A function of its own, so runStep's variables are not captured (and allocated) on every step. */
  private endAfter(ticks: Micros, p: Proc, result: IteratorResult<Effect, ExitReason | void> | null, threw: boolean, thrown: unknown): void {
    this.kernel.after(ticks, () => {
      this.end(p, result, threw, thrown);
      this.pump();
    });
  }

  /** The process ends, once its last step's CPU is spent. */
  private end(p: Proc, result: IteratorResult<Effect, ExitReason | void> | null, threw: boolean, thrown: unknown): void {
    if (p.status === 'dead') return;
    if (p.pendingExit !== null) {
      this.terminate(p, p.pendingExit);
    } else if (threw) {
      if (thrown instanceof ProcessExit) {
        this.terminate(p, thrown.reason);
      } else {
        p.crashError = thrown;
        this.crashes.push({ pid: p.pid, name: p.name, error: thrown });
        this.terminate(p, `crash: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
      }
    } else {
      this.terminate(p, (result!.value as ExitReason | void) ?? 'normal');
    }
  }

  /**
   * The receive `p` yielded, from the end of its step (`readyAt`): what is already in its mailbox
   * is there then too (only the process takes messages out), and it is the oldest, so a match
   * now is the one it takes then. Otherwise it waits; a match arriving before `readyAt` resumes
   * it at `readyAt`, and its timeout counts from `readyAt`.
   */
  private install(p: Proc, effect: Effect, readyAt: Micros): void {
    const mailbox = p.mailbox;
    for (let i = 0; i < mailbox.length; i++) {
      if (effect.match(mailbox[i])) {
        const msg = mailbox[i];
        takeAt(mailbox, i);
        p.messagesReceived++;
        this.resumeAt(p, msg, readyAt);
        return;
      }
    }
    if (effect.timeout <= 0 && readyAt <= this.kernel.now) {
      this.makeRunnable(p, TIMEOUT);
      return;
    }
    p.status = 'waiting';
    p.waitingFor = effect;
    p.readyAt = readyAt;
    if (Number.isFinite(effect.timeout)) this.armTimeout(p, readyAt - this.kernel.now + Math.ceil(effect.timeout));
  }

  private armTimeout(p: Proc, delay: Micros): void {
    p.waitTimer = this.kernel.call(this.kernel.now + delay, receiveTimeoutEvent, this, p);
  }

  private kill(p: Proc, reason: ExitReason): void {
    if (p === this.current) {
      // Its code is on the stack: it ends when this step returns.
      if (p.pendingExit === null) p.pendingExit = reason;
      return;
    }
    this.terminate(p, reason);
  }

  private terminate(p: Proc, reason: ExitReason): void {
    if (p.status === 'dead') return;
    p.status = 'dead';
    p.exitReason = reason;
    p.exitedAt = this.kernel.now;
    this.stopWaiting(p);
    p.mailbox.length = 0;
    p.gen = null;
    if (p.names !== null) {
      for (const name of p.names) {
        this.terminateVisits++;
        if (this.names.get(name) === p.pid) this.names.delete(name);
      }
      p.names = null;
    }
    // Its aliases end, and so do its monitors of others.
    for (let e = p.owned; e !== null; ) {
      const next = e.ownerNext;
      this.terminateVisits++;
      this.dropRef(e);
      e = next;
    }
    if (p.timers !== null) {
      for (const ref of p.timers) {
        this.terminateVisits++;
        const t = this.timers.get(ref);
        if (t === undefined) continue;
        t.event.cancel();
        this.timers.delete(ref);
      }
      p.timers = null;
    }
    this.kernel.trace.record('proc.exit', { pid: p.pid, name: p.name, reason });
    // Watchers get DOWN in the order they started watching (refs count up, a Set keeps the
    // order). A DOWN can run its watcher at once, and a monitor that watcher drops meanwhile is
    // skipped, as it would be on a BEAM.
    if (p.watchers !== null) {
      // Taken first: a DOWN can run its watcher at once, which may end monitors further on.
      const watchers: RefEntry[] = [];
      for (let e: RefEntry | null = p.watchers; e !== null; e = e.watchNext) watchers.push(e);
      for (const e of watchers) {
        this.terminateVisits++;
        if (!e.live || e.target !== p) continue;
        if (e.alias === 'no') this.dropRef(e);
        else this.unwatch(e);
        this.deliver(null, e.owner.pid, { type: 'DOWN', ref: e.ref, pid: p.pid, reason });
      }
    }
    // The set itself, not a copy: p is dead, so nothing links to it while this loop runs.
    const links = p.links ?? [];
    p.links = null;
    for (const pid of links) {
      this.proc(pid)?.links?.delete(p.pid);
      this.exitSignal(p.pid, pid, reason);
    }
    for (const listener of this.exitListeners) listener(p.pid, reason);
    this.remember(p);
  }

  private forget(p: Proc): void {
    this.forgotten.steps += p.steps;
    const stem = p.name.replace(/\s*\d+$/, '');
    const top = this.forgotten.busiest.get(stem);
    if (top === undefined || p.busyNs / 1000 > top.busyUs) this.forgotten.busiest.set(stem, this.statsOf(p));
  }

  /** Processes no longer held: their steps in all, and the busiest forgotten one of each name. */
  forgottenStats(): { steps: number; busiest: ProcStats[] } {
    return { steps: this.forgotten.steps, busiest: [...this.forgotten.busiest.values()] };
  }

  /** Keeps an exited process in the table until retainExited others have exited after it. */
  private remember(p: Proc): void {
    const ring = this.exited;
    const slot = this.exitedCount++ % ring.length;
    if (this.exitedCount > ring.length) {
      const old = this.procs.get(ring[slot]!);
      if (old?.status === 'dead') {
        this.procs.delete(old.pid);
        this.procsHeld--;
        this.forget(old);
      }
    }
    ring[slot] = p.pid;
  }

  private live(pid: Pid): Proc | undefined {
    const p = this.proc(pid);
    return p === undefined || p.status === 'dead' ? undefined : p;
  }

  private proc(pid: Pid): Proc | undefined {
    return this.procs.get(pid);
  }
}

// What the kernel's events run: plain functions of the values they carry, so scheduling one
// allocates no closure.

function deliverEvent(rt: Runtime, from: Pid | null, to: Pid, msg: unknown): void {
  rt.deliver(from, to, msg);
}

function deliverUnlessEvent<M>(rt: Runtime, to: Pid, msg: M, land: (msg: M) => boolean): void {
  if (land(msg)) rt.deliver(null, to, msg);
}

function landOnAliasEvent(rt: Runtime, from: Pid | null, entry: RefEntry | undefined, msg: unknown): void {
  rt.landOnAlias(from, entry, msg);
}

function timerEvent(rt: Runtime, ref: Ref, dest: Pid, msg: unknown): void {
  rt.fireTimer(ref, dest, msg);
}

function resumeEvent(rt: Runtime, p: Proc, value: unknown): void {
  if (p.status !== 'dead') rt.makeRunnable(p, value);
}

function receiveTimeoutEvent(rt: Runtime, p: Proc): void {
  p.waitTimer = null;
  p.waitingFor = null;
  rt.makeRunnable(p, TIMEOUT);
}

/**
 * Removes mailbox[i]. Not splice, which makes an array of what it removed: most messages are
 * taken from the front.
 */
function takeAt(mailbox: unknown[], i: number): void {
  if (i === 0) {
    mailbox.shift();
    return;
  }
  for (let j = i + 1; j < mailbox.length; j++) mailbox[j - 1] = mailbox[j];
  mailbox.pop();
}

function isDownFor(msg: unknown, ref: Ref): boolean {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'DOWN' && (msg as { ref?: unknown }).ref === ref;
}

function nonNegative(n: number, what: string): number {
  if (!(n >= 0) || !Number.isFinite(n)) throw new RangeError(`${what} must be a finite number >= 0, got ${n}`);
  return n;
}
