import type { ScheduledEvent } from '../kernel/kernel.js';
import type { Micros } from '../kernel/time.js';
import type { Ctx } from './context.js';
import type { Effect, ExitReason, Gen, Pid, Ref } from './types.js';

export type ProcStatus = 'runnable' | 'running' | 'waiting' | 'dead';

/** The runtime's record of one process. Process code never sees it: it holds a Ctx. */
export class Proc {
  status: ProcStatus = 'runnable';
  readonly mailbox: unknown[] = [];
  /** The receive this process is blocked in, while status is 'waiting'. */
  waitingFor: Effect | null = null;
  waitTimer: ScheduledEvent | null = null;
  /** While waiting: when its last step's CPU is spent, the earliest it can resume. */
  readyAt: Micros = 0;
  /** The value handed to the generator at its next resume. */
  resumeWith: unknown = undefined;
  /** Set when an exit signal arrives while the process's own step is running. */
  pendingExit: ExitReason | null = null;
  exitReason: ExitReason | null = null;
  crashError: unknown = null;
  trapExit = false;

  /** Linked processes; null until the first link (most processes, an open workload's, have none). */
  links: Set<Pid> | null = null;
  // What this process owns or is watched by, so its exit touches only these (never the whole
  // runtime's tables): names it registered, refs it made (monitors, aliases), refs of monitors
  // on it (in the order they were made: DOWNs go out in that order), timers aimed at it.
  // Made when first needed: many processes (an open workload's) never use most of them.
  names: string[] | null = null;
  /** Refs it made, oldest first: a list through RefEntry.ownerNext (no hashing on a call's hot path). */
  owned: RefEntry | null = null;
  ownedTail: RefEntry | null = null;
  /** Monitors on it, oldest first: a list through RefEntry.watchNext. */
  watchers: RefEntry | null = null;
  watchersTail: RefEntry | null = null;
  timers: Set<Ref> | null = null;

  /** CPU consumed by the current step, in nanoseconds (costs can be finer than the clock). */
  stepNs = 0;
  /** Runtime operations in the current step (the stuck guard's count). */
  ops = 0;
  /** Nanoseconds below one clock tick carried to the next step, so small costs are never lost. */
  carryNs = 0;

  // Measurements.
  busyNs = 0;
  steps = 0;
  messagesSent = 0;
  messagesReceived = 0;
  bytesCopiedOut = 0;
  readonly spawnedAt: Micros;
  exitedAt: Micros | null = null;

  gen: Gen<ExitReason | void> | null = null;
  ctx: Ctx | null = null;

  constructor(
    readonly pid: Pid,
    readonly name: string,
    readonly parent: Pid | null,
    now: Micros,
  ) {
    this.spawnedAt = now;
  }
}

/**
 * A monitor (`target`, until it goes down), an alias (`alias` other than 'no'), or both. An alias
 * made with its monitor lasts until demonitor; one made alone, until unalias. It sits in its
 * owner's list of refs and, while it watches, in its target's list of watchers (both doubly
 * linked, in the order made), so ending it touches neither a set nor the runtime's tables.
 */
export class RefEntry {
  ownerPrev: RefEntry | null = null;
  ownerNext: RefEntry | null = null;
  watchPrev: RefEntry | null = null;
  watchNext: RefEntry | null = null;
  /** Still in its owner's list (and the runtime's table). */
  live = true;

  constructor(
    readonly ref: Ref,
    readonly owner: Proc,
    /** The process it watches, while it does. */
    public target: Proc | null,
    public alias: 'no' | 'until_demonitor' | 'until_unalias',
  ) {}
}

/** Per-process measurements, as reported. */
export interface ProcStats {
  pid: Pid;
  name: string;
  busyUs: number;
  steps: number;
  messagesSent: number;
  messagesReceived: number;
  bytesCopiedOut: number;
  spawnedAt: Micros;
  exitedAt: Micros | null;
  exitReason: ExitReason | null;
}
