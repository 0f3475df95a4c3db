/**
 * The Connection behaviour (hex.pm/packages/connection, lesson L7): a GenServer with two more
 * callbacks, `connect` and `disconnect`, and more results:
 * `['connect', info, state]` (connect now), `['backoff', timeout, state]` (try connect again after
 * `timeout` microseconds), `['disconnect', info, state]` (drop the connection, then let
 * disconnect decide). As in the library, init's `['connect', info, state]` makes start return
 * first and then calls connect before any other message (an async connect); a sync connect is
 * done inside init itself, as Redix's sync_connect does.
 *
 * It is built as a layer over GenServer: each callback's result is translated, and connect /
 * disconnect run inside the same step sequence, so no message can slip in between.
 */
import type { Micros } from '../kernel/time.js';
import type { Ctx } from './context.js';
import { type From, type GenServerSpec, type Handled, type InfoReturn, type CallReturn, isResult, serve, start, startLink, type StartOptions, type StartOutcome } from './gen_server.js';
import { isTagged, type ExitReason, type Gen, type ProcFn, type Ref } from './types.js';

export type ConnInit<S> =
  | readonly ['ok', S]
  | readonly ['connect', unknown, S]
  | readonly ['backoff', Micros, S]
  | readonly ['stop', ExitReason];
export type ConnectReturn<S> = readonly ['ok', S] | readonly ['backoff', Micros, S] | readonly ['stop', ExitReason, S];
export type DisconnectReturn<S> =
  | readonly ['connect', unknown, S]
  | readonly ['backoff', Micros, S]
  | readonly ['noconnect', S]
  | readonly ['stop', ExitReason, S];
/** What handleCast / handleInfo may return. */
export type ConnInfoReturn<S> =
  | readonly ['noreply', S]
  | readonly ['connect', unknown, S]
  | readonly ['disconnect', unknown, S]
  | readonly ['backoff', Micros, S]
  | readonly ['stop', ExitReason, S];
/** What handleCall may return: the above, plus reply forms. */
export type ConnCallReturn<S> =
  | ConnInfoReturn<S>
  | readonly ['reply', unknown, S]
  | readonly ['stop', ExitReason, unknown, S];

/** As in GenServerSpec, a callback that never waits may return its result instead of a generator. */
export interface ConnectionSpec<S> {
  init(ctx: Ctx): Gen<ConnInit<S>>;
  connect(info: unknown, state: S, ctx: Ctx): Gen<ConnectReturn<S>>;
  disconnect(info: unknown, state: S, ctx: Ctx): Gen<DisconnectReturn<S>>;
  handleCall?(request: unknown, from: From, state: S, ctx: Ctx): Handled<ConnCallReturn<S>>;
  handleCast?(request: unknown, state: S, ctx: Ctx): Handled<ConnInfoReturn<S>>;
  handleInfo?(msg: unknown, state: S, ctx: Ctx): Handled<ConnInfoReturn<S>>;
  terminate?(reason: ExitReason, state: S, ctx: Ctx): Gen<void>;
}

declare module '../kernel/trace.js' {
  interface TraceEvents {
    /** A Connection process will try connect again after `us` microseconds. */
    'conn.backoff': { pid: number; us: number };
  }
}

interface Backoff {
  /** Carried by the timer's message, so a stale one (fired before it was cancelled) is recognised. */
  readonly token: Ref;
  readonly timer: Ref;
}

interface Wrapped<S> {
  readonly s: S;
  readonly backoffTimer: Backoff | null;
  /** ['noreply', this], made once: most messages leave the state as it was. */
  noreply: readonly ['noreply', Wrapped<S>] | null;
}

/** A wrapped state: never changed in place, so its noreply result can be kept with it. */
function wrap<S>(s: S, backoffTimer: Backoff | null): Wrapped<S> {
  return { s, backoffTimer, noreply: null };
}

interface BackoffMessage {
  readonly type: '$conn_backoff';
  readonly token: Ref;
}

/** Turns a Connection spec into the GenServer spec that runs it. */
export function toGenServer<S>(spec: ConnectionSpec<S>): GenServerSpec<Wrapped<S>> {
  type W = Wrapped<S>;

  function setBackoff(ctx: Ctx, w: W, timeout: Micros, s: S): W {
    if (w.backoffTimer !== null) ctx.cancelTimer(w.backoffTimer.timer);
    const token = ctx.makeRef();
    const t = Math.max(0, Math.round(timeout));
    ctx.trace('conn.backoff', { pid: ctx.self, us: t });
    const timer = ctx.sendAfter(t, { type: '$conn_backoff', token } satisfies BackoffMessage);
    return wrap(s, { token, timer });
  }

  function* doConnect(ctx: Ctx, w: W, info: unknown, s: S): Gen<InfoReturn<W>> {
    // An explicit connect supersedes a pending backoff, as in the library.
    if (w.backoffTimer !== null) {
      ctx.cancelTimer(w.backoffTimer.timer);
      w = wrap(s, null);
    }
    const r = yield* spec.connect(info, s, ctx);
    switch (r[0]) {
      case 'ok':
        return ['noreply', wrap(r[1], null)];
      case 'backoff':
        return ['noreply', setBackoff(ctx, w, r[1], r[2])];
      case 'stop':
        return ['stop', r[1], wrap(r[2], null)];
    }
  }

  function* doDisconnect(ctx: Ctx, w: W, info: unknown, s: S): Gen<InfoReturn<W>> {
    const r = yield* spec.disconnect(info, s, ctx);
    switch (r[0]) {
      case 'connect':
        return yield* doConnect(ctx, w, r[1], r[2]);
      case 'backoff':
        return ['noreply', setBackoff(ctx, w, r[1], r[2])];
      case 'noconnect':
        return ['noreply', wrap(r[1], w.backoffTimer)];
      case 'stop':
        return ['stop', r[1], wrap(r[2], w.backoffTimer)];
    }
  }

  /** The common result, translated without the generator the others need. */
  function noreply(w: W, s: S): InfoReturn<W> {
    // A wrapped state is never changed in place, so an unchanged one can be kept.
    if (s !== w.s) return ['noreply', wrap(s, w.backoffTimer)];
    return (w.noreply ??= ['noreply', w]);
  }

  /** A generator only where connect or disconnect runs (they may wait). */
  function translate(ctx: Ctx, w: W, r: ConnInfoReturn<S>): Handled<InfoReturn<W>> {
    switch (r[0]) {
      case 'noreply':
        return noreply(w, r[1]);
      case 'connect':
        return doConnect(ctx, w, r[1], r[2]);
      case 'disconnect':
        return doDisconnect(ctx, w, r[1], r[2]);
      case 'backoff':
        return ['noreply', setBackoff(ctx, w, r[1], r[2])];
      case 'stop':
        return ['stop', r[1], wrap(r[2], w.backoffTimer)];
    }
  }

  function afterCall(ctx: Ctx, w: W, r: ConnCallReturn<S>): Handled<CallReturn<W>> {
    if (r[0] === 'reply') return ['reply', r[1], r[2] === w.s ? w : wrap(r[2], w.backoffTimer)];
    if (r[0] === 'stop' && r.length === 4) return ['stop', r[1], r[2], wrap(r[3], w.backoffTimer)];
    if (r[0] === 'noreply') return noreply(w, r[1]);
    return translate(ctx, w, r as ConnInfoReturn<S>);
  }

  function afterInfo(ctx: Ctx, w: W, r: ConnInfoReturn<S>): Handled<InfoReturn<W>> {
    return r[0] === 'noreply' ? noreply(w, r[1]) : translate(ctx, w, r);
  }

  /** The callback's result once its generator is done, translated. */
  function* later<R extends readonly unknown[], T extends readonly unknown[]>(ctx: Ctx, w: W, h: Gen<R>, then: (ctx: Ctx, w: W, r: R) => Handled<T>): Gen<T> {
    const t = then(ctx, w, yield* h);
    return isResult(t) ? t : yield* t;
  }

  const gs: GenServerSpec<W> = {
    *init(ctx) {
      const r = yield* spec.init(ctx);
      switch (r[0]) {
        case 'ok':
          return ['ok', wrap(r[1], null)];
        case 'connect':
          return ['ok', wrap(r[2], null), { continue: { connect: r[1] } }];
        case 'backoff':
          return ['ok', setBackoff(ctx, wrap(r[2], null), r[1], r[2])];
        case 'stop':
          return ['stop', r[1]];
      }
    },
    *handleContinue(cont, w, ctx) {
      return yield* doConnect(ctx, w, (cont as { connect: unknown }).connect, w.s);
    },
    // No generator of their own: the callback's, if it has one, and connect's or disconnect's.
    handleCall(request, from, w, ctx) {
      if (spec.handleCall === undefined) throw new Error(`${ctx.name} has no handleCall`);
      const h = spec.handleCall(request, from, w.s, ctx);
      return isResult(h) ? afterCall(ctx, w, h) : later(ctx, w, h, afterCall);
    },
    handleCast(request, w, ctx) {
      if (spec.handleCast === undefined) throw new Error(`${ctx.name} has no handleCast`);
      const h = spec.handleCast(request, w.s, ctx);
      return isResult(h) ? translate(ctx, w, h) : later(ctx, w, h, translate);
    },
    handleInfo(msg, w, ctx) {
      if (isTagged(msg, '$conn_backoff')) {
        if ((msg as BackoffMessage).token !== w.backoffTimer?.token) return ['noreply', w];
        return doConnect(ctx, wrap(w.s, null), 'backoff', w.s);
      }
      if (spec.handleInfo === undefined) return ['noreply', w];
      const h = spec.handleInfo(msg, w.s, ctx);
      return isResult(h) ? afterInfo(ctx, w, h) : later(ctx, w, h, afterInfo);
    },
    *terminate(reason, w, ctx) {
      if (spec.terminate !== undefined) yield* spec.terminate(reason, w.s, ctx);
    },
  };
  return gs;
}

export function* startConnectionLink<S>(ctx: Ctx, spec: ConnectionSpec<S>, options: StartOptions = {}): Gen<StartOutcome> {
  return yield* startLink(ctx, toGenServer(spec), options);
}

export function* startConnection<S>(ctx: Ctx, spec: ConnectionSpec<S>, options: StartOptions = {}): Gen<StartOutcome> {
  return yield* start(ctx, toGenServer(spec), options);
}

export function serveConnection<S>(spec: ConnectionSpec<S>): ProcFn {
  return serve(toGenServer(spec));
}
