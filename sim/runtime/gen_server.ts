/**
 * GenServer, the shape of OTP's gen_server: a process that loops over its mailbox and hands each
 * message to a callback. Callbacks may be generators, so they can block (a passive recv inside
 * handleCall, as in lesson L2); one that never waits may return its result directly, which spares
 * a generator per message. Results are tuples read like the Elixir ones:
 * `['reply', value, state]`, `['noreply', state]`, `['stop', reason, state]`.
 */
import { ms, type Micros } from '../kernel/time.js';
import { receiveEffect, type Ctx } from './context.js';
import { TIMEOUT, isDown, isExit, isTagged, termSize, type ExitReason, type Gen, type Pid, type ProcFn, type ReceiveEffect, type Ref } from './types.js';

/** Who made a call: its pid and the alias the reply must go to (OTP's {pid, [alias | ref]}). */
export interface From {
  readonly pid: Pid;
  readonly alias: Ref;
}

export type InitResult<S> = readonly ['ok', S] | readonly ['ok', S, { continue: unknown }] | readonly ['stop', ExitReason];
export type CallReturn<S> =
  | readonly ['reply', unknown, S]
  | readonly ['noreply', S]
  | readonly ['stop', ExitReason, S]
  | readonly ['stop', ExitReason, unknown, S];
export type InfoReturn<S> = readonly ['noreply', S] | readonly ['stop', ExitReason, S];

/** What a callback gives back: its result, or a generator of it (a callback that waits). */
export type Handled<R> = R | Gen<R>;

/** A result given directly, not a generator of one (results are tuples, generators never arrays). */
export function isResult<R extends readonly unknown[]>(h: Handled<R>): h is R {
  return Array.isArray(h);
}

export interface GenServerSpec<S> {
  init(ctx: Ctx): Gen<InitResult<S>>;
  handleCall?(request: unknown, from: From, state: S, ctx: Ctx): Handled<CallReturn<S>>;
  handleCast?(request: unknown, state: S, ctx: Ctx): Handled<InfoReturn<S>>;
  handleInfo?(msg: unknown, state: S, ctx: Ctx): Handled<InfoReturn<S>>;
  /** Runs right after init's ['ok', state, {continue}] and before any message (handle_continue). */
  handleContinue?(cont: unknown, state: S, ctx: Ctx): Handled<InfoReturn<S>>;
  terminate?(reason: ExitReason, state: S, ctx: Ctx): Gen<void>;
}

interface CallMessage {
  readonly type: '$gen_call';
  readonly from: From;
  readonly request: unknown;
}
interface CastMessage {
  readonly type: '$gen_cast';
  readonly request: unknown;
}
interface ReplyMessage {
  readonly type: '$gen_reply';
  readonly alias: Ref;
  readonly value: unknown;
}
interface AckMessage {
  readonly type: '$gen_ack';
  readonly ref: Ref;
  readonly error: ExitReason | null;
}

export type CallOutcome<T = unknown> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: 'timeout' | 'noproc' | 'exit'; readonly reason: ExitReason };

export type StartOutcome = { readonly ok: true; readonly pid: Pid } | { readonly ok: false; readonly reason: ExitReason };

export interface StartOptions {
  name?: string;
  /** How long the starter waits for init (microseconds). Default: for ever, as in OTP. */
  timeout?: Micros;
}

// A call's envelope and a reply's, less what they carry: termSize of the whole message is this
// plus the size of the request (or value) one level down. Counted once, not walked per message.
const CALL_BYTES = termSize({ type: '$gen_call', from: { pid: 0, alias: 0 }, request: null } satisfies Record<keyof CallMessage, unknown>) - termSize(null, 1);
const REPLY_BYTES = termSize({ type: '$gen_reply', alias: 0, value: null } satisfies Record<keyof ReplyMessage, unknown>) - termSize(null, 1);
const CAST_BYTES = termSize({ type: '$gen_cast', request: null } satisfies Record<keyof CastMessage, unknown>) - termSize(null, 1);
const MONITOR_AS_ALIAS = { alias: 'demonitor' } as const;
const FLUSH = { flush: true } as const;

/**
 * GenServer.call: sends the request and waits for the reply, the server's death, or the timeout.
 * On timeout the alias is deactivated, so a reply sent later is dropped by the runtime (and
 * traced) instead of reaching a later receive; a reply that raced the timeout is still taken,
 * as OTP's gen:do_call does.
 *
 * As a generator it reads:
 *
 *   const ref = ctx.monitor(server, {alias: 'demonitor'});
 *   ctx.send(server, {type: '$gen_call', from: {pid: ctx.self, alias: ref}, request});
 *   let msg = yield receive(reply to ref, or DOWN of ref, timeout);
 *   ctx.demonitor(ref, {flush: true});
 *   if (msg === TIMEOUT) msg = yield* ctx.receive(reply to ref, 0);   // a reply that raced it
 *   return outcome(msg);
 *
 * It is that generator's iterator written out (Call): every request makes a call, and a
 * generator object (~340 bytes, its registers saved and restored at each wait) was a tenth of
 * what a request allocated. Used the same way: `yield* GenServer.call(...)`.
 */
export function call<T = unknown>(ctx: Ctx, server: Pid, request: unknown, timeout: Micros = ms(5000)): Gen<CallOutcome<T>> {
  return new Call<T>(ctx, server, request, timeout) as unknown as Gen<CallOutcome<T>>;
}

const CALL_START = 0;
const CALL_WAITING = 1;
const CALL_RACED = 2;
const CALL_DONE = 3;

/** The iterator of call, and the receive it waits in: its reply (to the alias) or its monitor's DOWN, both under one ref. */
class Call<T> implements ReceiveEffect {
  readonly kind = 'receive';
  private ref = 0 as Ref;
  private phase = CALL_START;

  constructor(
    private readonly ctx: Ctx,
    private readonly server: Pid,
    private readonly request: unknown,
    readonly timeout: Micros,
  ) {}

  match(m: unknown): boolean {
    return (isTagged(m, '$gen_reply') && (m as ReplyMessage).alias === this.ref) || isDown(m, this.ref);
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(input?: unknown): IteratorResult<ReceiveEffect, CallOutcome<T>> {
    const ctx = this.ctx;
    const phase = this.phase;
    // Done unless it waits again: a throw from here ends it, as it ends a generator.
    this.phase = CALL_DONE;
    switch (phase) {
      case CALL_START: {
        // One reference is both the monitor and the alias the reply goes to, as in OTP 24's gen:call.
        const ref = ctx.monitor(this.server, MONITOR_AS_ALIAS);
        this.ref = ref;
        const request = this.request;
        ctx.sendSized(this.server, { type: '$gen_call', from: { pid: ctx.self, alias: ref }, request } satisfies CallMessage, CALL_BYTES + termSize(request, 1));
        if (!(this.timeout >= 0)) throw new RangeError(`receive timeout must be >= 0, got ${this.timeout}`);
        this.phase = CALL_WAITING;
        return { value: this, done: false };
      }
      case CALL_WAITING: {
        // Ends the alias too: from here a late reply is dropped by the runtime.
        ctx.demonitor(this.ref, FLUSH);
        if (input === TIMEOUT) {
          this.phase = CALL_RACED;
          const ref = this.ref;
          return { value: receiveEffect((m) => isTagged(m, '$gen_reply') && (m as ReplyMessage).alias === ref, 0), done: false };
        }
        return { value: outcome<T>(input), done: true };
      }
      case CALL_RACED:
        if (input === TIMEOUT) return { value: { ok: false, error: 'timeout', reason: 'timeout' }, done: true };
        return { value: outcome<T>(input), done: true };
      default:
        return { value: undefined as never, done: true };
    }
  }

  return(value: CallOutcome<T>): IteratorResult<ReceiveEffect, CallOutcome<T>> {
    this.phase = CALL_DONE;
    return { value, done: true };
  }

  throw(e: unknown): never {
    this.phase = CALL_DONE;
    throw e;
  }
}

/** A call's answer: its reply, or its server's DOWN. */
function outcome<T>(msg: unknown): CallOutcome<T> {
  if (isDown(msg)) {
    return { ok: false, error: msg.reason === 'noproc' ? 'noproc' : 'exit', reason: msg.reason };
  }
  return { ok: true, value: (msg as ReplyMessage).value as T };
}

/** GenServer.cast: fire and forget. */
export function cast(ctx: Ctx, server: Pid, request: unknown): void {
  ctx.sendSized(server, { type: '$gen_cast', request } satisfies CastMessage, CAST_BYTES + termSize(request, 1));
}

/** GenServer.reply/2: answers a call later, from any process (see the multiplexed client). */
export function reply(ctx: Ctx, from: From, value: unknown): void {
  ctx.sendToAliasSized(from.alias, { type: '$gen_reply', alias: from.alias, value } satisfies ReplyMessage, REPLY_BYTES + termSize(value, 1));
}

/** start_link: spawns linked, runs init, and returns once init has answered. */
export function* startLink<S>(ctx: Ctx, spec: GenServerSpec<S>, options: StartOptions = {}): Gen<StartOutcome> {
  return yield* startWith(ctx, spec, options, true);
}

/** start: as startLink, without the link. */
export function* start<S>(ctx: Ctx, spec: GenServerSpec<S>, options: StartOptions = {}): Gen<StartOutcome> {
  return yield* startWith(ctx, spec, options, false);
}

function* startWith<S>(ctx: Ctx, spec: GenServerSpec<S>, options: StartOptions, link: boolean): Gen<StartOutcome> {
  const ref = ctx.makeRef();
  const body = serverLoop(spec, { to: ctx.self, ref });
  const spawnOptions = options.name === undefined ? {} : { name: options.name };
  const pid = link ? ctx.spawnLink(body, spawnOptions) : ctx.spawn(body, spawnOptions);
  const mref = ctx.monitor(pid);
  const msg = yield* ctx.receive(
    (m) => (isTagged(m, '$gen_ack') && (m as AckMessage).ref === ref) || isDown(m, mref),
    options.timeout ?? Number.POSITIVE_INFINITY,
  );
  ctx.demonitor(mref, { flush: true });
  if (msg === TIMEOUT) {
    ctx.unlink(pid);
    ctx.exit(pid, 'kill');
    return { ok: false, reason: 'timeout' };
  }
  if (isDown(msg)) return { ok: false, reason: msg.reason };
  const ack = msg as AckMessage;
  if (ack.error !== null) {
    // The server has unlinked itself before stopping: its failure is an answer, not a crash.
    yield* ctx.receive((m) => isDown(m) || isExit(m, pid), 0);
    return { ok: false, reason: ack.error };
  }
  return { ok: true, pid };
}

/** The process body of a server, for spawning it directly from outside any process (tests, worlds). */
export function serve<S>(spec: GenServerSpec<S>): ProcFn {
  return serverLoop(spec, null);
}

/**
 * The body as one generator function for every server: a generator's object takes its map from
 * the function that made it, so a closure made per server gave each world's servers maps of their
 * own, and the runtime's step code (optimised on one world's) met new ones on the next world.
 */
function serverLoop<S>(spec: GenServerSpec<S>, starter: { to: Pid; ref: Ref } | null): ProcFn {
  return (ctx) => serverBody(ctx, spec, starter);
}

function* serverBody<S>(ctx: Ctx, spec: GenServerSpec<S>, starter: { to: Pid; ref: Ref } | null): Gen<ExitReason | void> {
  const init = yield* spec.init(ctx);
  if (init[0] === 'stop') {
    if (starter !== null) {
      ctx.unlink(starter.to);
      ctx.send(starter.to, { type: '$gen_ack', ref: starter.ref, error: init[1] } satisfies AckMessage);
    }
    return init[1];
  }
  if (starter !== null) ctx.send(starter.to, { type: '$gen_ack', ref: starter.ref, error: null } satisfies AckMessage);
  let state = init[1];
  if (init.length === 3 && spec.handleContinue !== undefined) {
    const h = spec.handleContinue(init[2].continue, state, ctx);
    const r = isResult(h) ? h : yield* h;
    if (r[0] === 'stop') return yield* stop(spec, ctx, r[1], r[2]);
    state = r[1];
  }
  const parent = starter?.to;
  for (;;) {
    const msg: unknown = yield receiveEffect();
    if (isTagged(msg, '$gen_call')) {
      const { from, request } = msg as CallMessage;
      if (spec.handleCall === undefined) throw new Error(`${ctx.name} has no handleCall for ${describe(request)}`);
      const h = spec.handleCall(request, from, state, ctx);
      const r = isResult(h) ? h : yield* h;
      switch (r[0]) {
        case 'reply':
          reply(ctx, from, r[1]);
          state = r[2];
          break;
        case 'noreply':
          state = r[1];
          break;
        case 'stop':
          if (r.length === 4) {
            reply(ctx, from, r[2]);
            return yield* stop(spec, ctx, r[1], r[3]);
          }
          return yield* stop(spec, ctx, r[1], r[2]);
      }
    } else if (isTagged(msg, '$gen_cast')) {
      if (spec.handleCast === undefined) throw new Error(`${ctx.name} has no handleCast`);
      const h = spec.handleCast((msg as CastMessage).request, state, ctx);
      const r = isResult(h) ? h : yield* h;
      if (r[0] === 'stop') return yield* stop(spec, ctx, r[1], r[2]);
      state = r[1];
    } else if (parent !== undefined && isExit(msg, parent)) {
      // A trapping server whose parent exits stops with the parent's reason (gen_server does this).
      return yield* stop(spec, ctx, msg.reason, state);
    } else if (spec.handleInfo !== undefined) {
      const h = spec.handleInfo(msg, state, ctx);
      const r = isResult(h) ? h : yield* h;
      if (r[0] === 'stop') return yield* stop(spec, ctx, r[1], r[2]);
      state = r[1];
    }
    // Without handleInfo, stray messages are dropped, as the default handle_info does (it logs).
  }
}

function* stop<S>(spec: GenServerSpec<S>, ctx: Ctx, reason: ExitReason, state: S): Gen<ExitReason> {
  if (spec.terminate !== undefined) yield* spec.terminate(reason, state, ctx);
  return reason;
}

function describe(request: unknown): string {
  try {
    return JSON.stringify(request, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(request);
  } catch {
    return String(request);
  }
}
