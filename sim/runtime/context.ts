import type { Rng } from '../kernel/rng.js';
import type { Micros } from '../kernel/time.js';
import type { TraceEvent, TraceEvents, TraceFields, TraceKind, TraceValue } from '../kernel/trace.js';
import type { Proc } from './process.js';
import { ProcessExit, type Runtime, type SendOptions, type SpawnOptions } from './runtime.js';
import { TIMEOUT, type ExitReason, type Gen, type Pid, type ProcFn, type ReceiveEffect, type Ref, type Timeout } from './types.js';

const anyMessage = (): boolean => true;
const noMessage = (): boolean => false;
/** `receive()` of any message, for ever: the same effect every time, allocated once. */
const ANY_MESSAGE: ReceiveEffect = Object.freeze({ kind: 'receive', match: anyMessage, timeout: Number.POSITIVE_INFINITY });
/** A receive of nothing that times out at once: back to the run queue. */
const YIELD: ReceiveEffect = Object.freeze({ kind: 'receive', match: noMessage, timeout: 0 });

/**
 * The effect a receive yields. Process code gets it through `yield* ctx.receive(...)`; the hot
 * loops of the runtime and the network (GenServer's, gen_tcp's recv) yield it directly, which
 * saves a generator per message.
 */
export function receiveEffect(match: (msg: unknown) => boolean = anyMessage, timeout: Micros = Number.POSITIVE_INFINITY): ReceiveEffect {
  if (!(timeout >= 0)) throw new RangeError(`receive timeout must be >= 0, got ${timeout}`);
  if (match === anyMessage && timeout === Number.POSITIVE_INFINITY) return ANY_MESSAGE;
  return { kind: 'receive', match, timeout };
}

/** The effect of `ctx.sleep(us)`, for a hot loop to yield directly (no generator per sleep). */
export function sleepEffect(us: Micros): ReceiveEffect {
  return { kind: 'receive', match: noMessage, timeout: us };
}

/** The effect of `ctx.yield()` (erlang:yield/0), for code that yields it directly. */
export function yieldEffect(): ReceiveEffect {
  return YIELD;
}

/**
 * `effect`, one sleepEffect made, set to sleep `us` again: a loop that sleeps on every turn yields
 * the same object each time (the runtime is done with it once the sleep is over).
 */
export function sleepAgain(effect: ReceiveEffect, us: Micros): ReceiveEffect {
  (effect as { timeout: Micros }).timeout = us;
  return effect;
}

/**
 * What a process's code holds: its own pid and the runtime's operations, like the Erlang BIFs
 * (self/0, send/2, spawn_link/1, monitor/2, ...). Operations that change the world may only be
 * called by the process itself during its own step; blocking ones are generators (`yield*`).
 */
export class Ctx {
  constructor(
    private readonly rt: Runtime,
    private readonly p: Proc,
  ) {}

  get self(): Pid {
    return this.p.pid;
  }

  get name(): string {
    return this.p.name;
  }

  /** Steps this process has run so far: unchanged across code that did not wait. */
  get steps(): number {
    return this.p.steps;
  }

  /** This process's clock: the world's time plus the CPU its current step has used. */
  get now(): Micros {
    return this.rt.clockOf(this.p);
  }

  /** Asynchronous send, as `send(pid, msg)`. The copy is charged to this process. */
  send(to: Pid, msg: unknown, options?: SendOptions): void {
    this.rt.sendFrom(this.p, to, msg, options?.bytes);
  }

  /** Sends to an alias (a call's reply tag). Dropped, and traced, if the alias is no longer active. */
  sendToAlias(alias: Ref, msg: unknown, options?: SendOptions): void {
    this.rt.sendToAlias(this.p, alias, msg, options?.bytes);
  }

  /** @internal As send, the message's size known (GenServer's envelopes: no options object per send). */
  sendSized(to: Pid, msg: unknown, bytes: number): void {
    this.rt.sendFrom(this.p, to, msg, bytes);
  }

  /** @internal As sendToAlias, the message's size known. */
  sendToAliasSized(alias: Ref, msg: unknown, bytes: number): void {
    this.rt.sendToAlias(this.p, alias, msg, bytes);
  }

  spawn(fn: ProcFn, options: Omit<SpawnOptions, 'linkTo'> = {}): Pid {
    this.rt.assertCurrent(this.p, 'spawn');
    return this.rt.spawnFrom(this.p, fn, options);
  }

  spawnLink(fn: ProcFn, options: Omit<SpawnOptions, 'linkTo'> = {}): Pid {
    this.rt.assertCurrent(this.p, 'spawnLink');
    return this.rt.spawnFrom(this.p, fn, { ...options, linkTo: this.p.pid });
  }

  link(pid: Pid): void {
    this.rt.assertCurrent(this.p, 'link');
    this.rt.link(this.p, pid);
  }

  unlink(pid: Pid): void {
    this.rt.assertCurrent(this.p, 'unlink');
    this.rt.unlink(this.p, pid);
  }

  /**
   * A DOWN message arrives when `pid` ends (at once, with 'noproc', if it already has). With
   * `{alias: 'demonitor'}` the reference is also an alias of this process until demonitor, as
   * OTP 24's monitor(process, Pid, [{alias, demonitor}]) (what gen:call uses).
   */
  monitor(pid: Pid, options: { alias?: 'demonitor' } = {}): Ref {
    this.rt.assertCurrent(this.p, 'monitor');
    return this.rt.monitor(this.p, pid, options.alias === 'demonitor');
  }

  /** With `flush`, also removes a DOWN for this ref that has already arrived. */
  demonitor(ref: Ref, options: { flush?: boolean } = {}): void {
    this.rt.assertCurrent(this.p, 'demonitor');
    this.rt.demonitor(this.p, ref, options.flush ?? false);
  }

  /** Sends an exit signal. To itself, the process ends here and now with `reason`. */
  exit(pid: Pid, reason: ExitReason): void {
    this.rt.assertCurrent(this.p, 'exit');
    if (pid === this.p.pid && reason !== 'kill') throw new ProcessExit(reason);
    this.rt.exitSignal(this.p.pid, pid, reason);
  }

  /** process_flag(:trap_exit, on): exit signals from links become EXIT messages. */
  trapExit(on = true): void {
    this.p.trapExit = on;
  }

  makeRef(): Ref {
    return this.rt.makeRef();
  }

  /** A reference that routes messages to this process until unalias (OTP 24 process aliases). */
  alias(): Ref {
    this.rt.assertCurrent(this.p, 'alias');
    return this.rt.alias(this.p);
  }

  unalias(ref: Ref): void {
    this.rt.assertCurrent(this.p, 'unalias');
    this.rt.unalias(this.p, ref);
  }

  /** Process.send_after: `msg` lands in `dest`'s mailbox after `delay` microseconds. */
  sendAfter(delay: Micros, msg: unknown, dest: Pid = this.p.pid): Ref {
    this.rt.assertCurrent(this.p, 'sendAfter');
    return this.rt.sendAfter(this.p, delay, dest, msg);
  }

  /** Returns the microseconds that were left, or false if the timer already fired. */
  cancelTimer(ref: Ref): Micros | false {
    return this.rt.cancelTimer(ref);
  }

  /** Spends CPU time: this process holds its scheduler `us` microseconds longer. */
  cpu(us: number): void {
    this.rt.assertCurrent(this.p, 'cpu');
    this.rt.charge(this.p, us * 1000);
  }

  cpuNs(ns: number): void {
    this.rt.assertCurrent(this.p, 'cpuNs');
    this.rt.charge(this.p, ns);
  }

  register(name: string): void {
    this.rt.register(this.p, name);
  }

  whereis(name: string): Pid | undefined {
    return this.rt.whereis(name);
  }

  isAlive(pid: Pid): boolean {
    return this.rt.isAlive(pid);
  }

  /** A named, seeded random stream of this world (e.g. 'backoff'). */
  random(stream: string): Rng {
    return this.rt.random(stream);
  }

  trace<K extends TraceKind>(kind: K, fields: TraceEvents[K] & TraceFields): void {
    this.rt.kernel.trace.record(kind, fields);
  }

  /** An event of a kind declared once, its values in the declared order (Trace.emit). */
  emit(ev: TraceEvent, a: TraceValue, b?: TraceValue, c?: TraceValue, d?: TraceValue): void {
    this.rt.kernel.trace.emit(ev, a, b, c, d);
  }

  /**
   * `receive ... after 0`: the first message `match` accepts, taken out of the mailbox now, or
   * undefined. The step goes on (BEAM runs a receive that finds nothing with `after 0` within the
   * process's slice), so code can flush its mailbox without being scheduled again.
   */
  poll<T>(match: (msg: unknown) => msg is T): T | undefined {
    this.rt.assertCurrent(this.p, 'poll');
    return this.rt.takeMessage(this.p, match) as T | undefined;
  }

  /** Waits for any message. */
  receive(): Gen<unknown>;
  /** Selective receive: the first message (oldest first) that `match` accepts; others stay queued. */
  receive<T>(match: (msg: unknown) => msg is T): Gen<T>;
  receive<T>(match: (msg: unknown) => msg is T, timeout: Micros): Gen<T | Timeout>;
  receive(match: (msg: unknown) => boolean, timeout?: Micros): Gen<unknown>;
  *receive(match: (msg: unknown) => boolean = anyMessage, timeout: Micros = Number.POSITIVE_INFINITY): Gen<unknown> {
    return yield receiveEffect(match, timeout);
  }

  /**
   * erlang:yield/0: ends this step and goes to the back of the run queue. A loop that does not
   * otherwise wait calls it, as a BEAM scheduler would preempt it (after its reductions).
   */
  *yield(): Gen<void> {
    yield YIELD;
  }

  /** Process.sleep: a receive that matches nothing. */
  *sleep(us: Micros): Gen<void> {
    const r = yield sleepEffect(us);
    if (r !== TIMEOUT) throw new Error('sleep woke without its timeout');
  }
}
