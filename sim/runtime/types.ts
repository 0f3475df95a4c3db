import type { Micros } from '../kernel/time.js';

declare const pidBrand: unique symbol;
declare const refBrand: unique symbol;

/** A process identifier, unique within one world. */
export type Pid = number & { readonly [pidBrand]: true };
/** A unique reference (monitor, alias, timer, call tag), unique within one world. */
export type Ref = number & { readonly [refBrand]: true };

/**
 * Why a process ended. 'normal' is a clean return; 'killed' follows an untrappable 'kill';
 * 'noproc' is what a monitor of a process that never existed (or is already gone) reports;
 * 'crash: <message>' is an exception thrown by the process's code. Anything else is the
 * process's own word (for example 'shutdown' or 'tcp_closed').
 */
export type ExitReason = string;

/** Returned by a receive whose timeout fired before a matching message arrived. */
export const TIMEOUT: unique symbol = Symbol('timeout');
export type Timeout = typeof TIMEOUT;

/** The one effect the kernel knows: wait for the first mailbox message that `match` accepts. */
export interface ReceiveEffect {
  readonly kind: 'receive';
  readonly match: (msg: unknown) => boolean;
  /** Microseconds; Infinity waits for ever, 0 only looks at what is already there. */
  readonly timeout: Micros;
}

export type Effect = ReceiveEffect;

/** What process code is: a generator that yields effects and gets back their results. */
export type Gen<T> = Generator<Effect, T, unknown>;

/** A process body. Its return value is its exit reason ('normal' when it returns nothing). */
export type ProcFn = (ctx: import('./context.js').Ctx) => Gen<ExitReason | void>;

/** Sent to a monitoring process when the monitored one ends (Erlang's {'DOWN', Ref, process, Pid, Reason}). */
export interface DownMessage {
  readonly type: 'DOWN';
  readonly ref: Ref;
  readonly pid: Pid;
  readonly reason: ExitReason;
}

/** Sent to a process that traps exits when a linked process ends (Erlang's {'EXIT', Pid, Reason}). */
export interface ExitMessage {
  readonly type: 'EXIT';
  readonly from: Pid;
  readonly reason: ExitReason;
}

export function isDown(msg: unknown, ref?: Ref): msg is DownMessage {
  return isTagged(msg, 'DOWN') && (ref === undefined || (msg as DownMessage).ref === ref);
}

export function isExit(msg: unknown, from?: Pid): msg is ExitMessage {
  return isTagged(msg, 'EXIT') && (from === undefined || (msg as ExitMessage).from === from);
}

/** True for objects whose `type` field equals `type`: the runtime's message tag convention. */
export function isTagged(msg: unknown, type: string): boolean {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === type;
}

/** The tag of a message for the trace: its `type` field when it has one. */
export function messageTag(msg: unknown): string {
  if (typeof msg === 'object' && msg !== null) {
    const t = (msg as { type?: unknown }).type;
    if (typeof t === 'string') return t;
  }
  return typeof msg;
}

/**
 * Approximate size in bytes of a message as copied between process heaps. Binaries count their
 * length, strings one byte per code unit, numbers a word, plain objects and arrays their contents
 * plus a word per element, and class instances (handles such as sockets) a word. BEAM keeps binaries over 64 bytes off-heap (refc) and copies only a handle;
 * Duplex counts the whole payload because the talk's trade-off is about the data a reply carries
 * across the process boundary.
 */
export function termSize(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'symbol':
    case 'undefined':
    case 'function':
      return 8;
    case 'bigint':
      return 16;
    case 'string':
      return value.length + 8;
    case 'object': {
      if (value === null) return 8;
      // Most common first: arrays and plain objects (neither is a Uint8Array). Numbers and
      // strings inside are counted here, not by a call each: a message is mostly those.
      if (Array.isArray(value)) {
        if (depth > 16) return 8;
        let n = 8;
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          n += typeof v === 'number' ? 8 : typeof v === 'string' ? v.length + 8 : termSize(v, depth + 1);
        }
        return n;
      }
      if (Object.getPrototypeOf(value) === Object.prototype) {
        if (depth > 16) return 8;
        let n = 8;
        for (const k in value) {
          const v = (value as Record<string, unknown>)[k];
          n += 8 + (typeof v === 'number' ? 8 : typeof v === 'string' ? v.length + 8 : termSize(v, depth + 1));
        }
        return n;
      }
      if (value instanceof Uint8Array) return value.byteLength + 8;
      // Class instances (sockets, ports) are handles: a word, not their insides.
      return 8;
    }
  }
  return 8;
}
