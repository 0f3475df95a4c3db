/**
 * L3, blocking: a pool of connections. A caller checks a socket out, does send + recv itself in
 * passive mode (so the encoding and decoding are charged to the caller and the reply goes from
 * the socket straight to it), then checks it back in. One request per socket at a time.
 *
 *   sock = checkout(pool)
 *   :gen_tcp.send(sock, encode(cmd)); {:ok, data} = :gen_tcp.recv(sock, 0)
 *   checkin(pool, sock)
 *
 * When every socket is out, `onExhausted` decides: 'error' replies checked_out at once, 'queue'
 * waits in a FIFO (checkoutTimeoutMs, maxQueue), 'codel' waits in a queue managed like
 * DBConnection.ConnectionPool's (queue_target / queue_interval, after CoDel).
 *
 * Shaped like DBConnection: a pool process hands out connections; one process per connection
 * (a Connection behaviour) connects and reconnects with backoff. The pool monitors whoever holds
 * or waits for a connection: a holder that dies gets its socket closed and replaced (nobody
 * knows what it left on the wire), a waiter that dies leaves the queue. Like Postgrex, an idle
 * socket is `active: :once` so its connection process notices when Redis closes it.
 *
 * The pool process has one handler per event of the slide: checkout, checkin, holder DOWN, and
 * slot up / slot down from the connection processes.
 */
import { ms, type Micros } from '../kernel/time.js';
import { tcp } from '../net/index.js';
import type { RespValue } from '../resp/index.js';
import {
  Connection,
  GenServer,
  type ConnectionSpec,
  type Ctx,
  type DownMessage,
  type ExitMessage,
  type From,
  type Gen,
  type GenServerSpec,
  type CallReturn,
  type InfoReturn,
  type Pid,
  type Ref,
} from '../runtime/index.js';
import { makeBackoff, type Backoff, type BackoffOptions } from './backoff.js';
import { z } from 'zod';
import { msPositive, whole } from '../scenario/fields.js';
import { TraceEvent } from '../kernel/trace.js';
import { PIPELINE_REPLY, Wire, beginRequest, connectionOptionsShape, endRequest, failure, openConnection, type ClientEnv, type ClientError, type Command, type CommandResult, type Established } from './common.js';

/** A checkout's events, recorded for every request: declared once (Trace.emit). */
const CHECKOUT_START = new TraceEvent('checkout.start', ['req', 'slot', 'conn', 'waitedUs'], (f, req, slot, conn, waitedUs) => {
  f.req = req;
  f.slot = slot;
  f.conn = conn;
  f.waitedUs = waitedUs;
});
const CHECKOUT_END = new TraceEvent('checkout.end', ['req', 'slot', 'broken'], (f, req, slot, broken) => {
  f.req = req;
  f.slot = slot;
  f.broken = broken;
});

export interface PoolOptions {
  size: number;
  onExhausted: 'error' | 'queue' | 'codel';
  /** 'queue': the longest a caller waits for a connection. */
  checkoutTimeoutMs: number;
  /** 'queue' and 'codel': the longest the queue gets; one more caller gets queue_full. null: unbounded. */
  maxQueue: number | null;
  /** 'codel': DBConnection's queue_target (50 ms) and queue_interval (1000 ms). */
  queueTargetMs: number;
  queueIntervalMs: number;
  backoff: BackoffOptions;
  connect: 'sync' | 'async';
  connectTimeoutMs: number;
  /** When a connection counts as up and the backoff resets (common.ts, Established). */
  established: Established;
}

/** The scenario's options of a pool (sim/scenario/schema.ts composes them). */
export const poolOptionsShape = {
  size: whole(1, 'a whole number >= 1', 1000).optional().meta({ title: 'Pool size', unit: 'connections' }),
  onExhausted: z.enum(['error', 'queue', 'codel'], { error: 'expected "error", "queue" or "codel"' }).optional().meta({ title: 'When every connection is busy', description: 'error: fail fast · queue: wait · codel: shed' }),
  checkoutTimeoutMs: msPositive().optional().meta({ title: 'Checkout timeout', unit: 'ms', description: 'queue: the longest a caller waits for a connection' }),
  maxQueue: whole(1, 'a whole number >= 1, or null for no limit', 1_000_000).nullable().optional().meta({ title: 'Queue limit', unit: 'callers', empty: 'no limit', description: 'queue and codel: the longest the queue gets; empty: no limit' }),
  queueTargetMs: msPositive().optional().meta({ title: 'CoDel target', unit: 'ms', description: "codel: DBConnection's queue_target" }),
  queueIntervalMs: msPositive().optional().meta({ title: 'CoDel interval', unit: 'ms', description: "codel: DBConnection's queue_interval" }),
  ...connectionOptionsShape,
};

export const defaultPool: PoolOptions = {
  size: 10,
  onExhausted: 'queue',
  checkoutTimeoutMs: 5000,
  maxQueue: null,
  queueTargetMs: 50,
  queueIntervalMs: 1000,
  backoff: { strategy: 'rand_exp' },
  connect: 'async',
  connectTimeoutMs: 5000,
  established: 'reply',
};

export interface PoolClient {
  readonly kind: 'pool';
  readonly name: string;
  readonly env: ClientEnv;
  readonly options: PoolOptions;
}

export function poolClient(env: ClientEnv, name: string, options: Partial<PoolOptions> = {}): PoolClient {
  const o = { ...defaultPool, ...options };
  if (!Number.isInteger(o.size) || o.size < 1) throw new RangeError(`pool size must be a whole number >= 1, got ${o.size}`);
  return { kind: 'pool', name, env, options: o };
}

// ---- Messages ----

/** A caller asks for a socket (a call; `ref` names this checkout in a later checkin or cancel). */
interface Checkout {
  readonly type: 'checkout';
  readonly ref: Ref;
  readonly req: number;
}
/** A caller gives its socket back; `broken`: nobody may use it again. */
interface Checkin {
  readonly type: 'checkin';
  readonly ref: Ref;
  readonly slot: number;
  readonly socket: tcp.Socket;
  readonly broken: boolean;
}
/** A caller's checkout call timed out: it is no longer waiting, nor holding what raced it. */
interface Cancel {
  readonly type: 'cancel';
  readonly ref: Ref;
}
/** A connection process connected its slot's socket (the wire has counted its handshake). */
interface SlotUp {
  readonly type: 'slot_up';
  readonly slot: number;
  readonly socket: tcp.Socket;
  readonly wire: Wire;
}
/** A connection process saw its idle socket close (or speak unasked) and is reconnecting. */
interface SlotDown {
  readonly type: 'slot_down';
  readonly slot: number;
  readonly socket: tcp.Socket;
}
interface QueueTimeout {
  readonly type: '$queue_timeout';
  readonly ref: Ref;
}
interface CodelPoll {
  readonly type: '$codel_poll';
  readonly lastSince: Micros;
}

type PoolCall = Checkout;
type PoolCast = Checkin | Cancel | SlotUp | SlotDown;
type PoolInfo = DownMessage | ExitMessage | QueueTimeout | CodelPoll;

/** The pool to a connection process: close this socket and connect a new one. */
interface Reconnect {
  readonly type: 'reconnect';
  readonly socket: tcp.Socket;
}

/** What a caller gets from checkout. */
type Lease = { readonly ok: true; readonly slot: number; readonly socket: tcp.Socket; readonly wire: Wire } | { readonly ok: false; readonly error: ClientError };

// ---- The pool process ----

/** Who has a slot's socket: the pool monitors it (`mref`) until checkin. */
interface Holder {
  readonly caller: Pid;
  readonly mref: Ref;
  readonly ref: Ref;
  readonly req: number;
}

/** A slot's states. 'lost': its socket went down while out; the holder still has it. */
type SlotState =
  | { readonly status: 'down' }
  | Idle
  | { readonly status: 'out'; readonly socket: tcp.Socket; readonly wire: Wire; readonly holder: Holder }
  | { readonly status: 'lost'; readonly holder: Holder };

interface Idle {
  readonly status: 'idle';
  readonly socket: tcp.Socket;
  readonly wire: Wire;
}

interface Slot {
  readonly id: number;
  /** Its connection process. */
  pid: Pid;
  state: SlotState;
}

const DOWN: SlotState = { status: 'down' };

function holderOf(slot: Slot): Holder | null {
  return slot.state.status === 'out' || slot.state.status === 'lost' ? slot.state.holder : null;
}

interface Waiter {
  readonly from: From;
  readonly caller: Pid;
  readonly mref: Ref;
  readonly ref: Ref;
  readonly req: number;
  readonly since: Micros;
  readonly timer: Ref | null;
}

interface Codel {
  /** Smallest queue delay seen in this interval (DBConnection's `delay`). */
  delay: Micros;
  slow: boolean;
  next: Micros;
}

interface PoolState {
  slots: Slot[];
  /** Idle slots' ids, the longest idle first. */
  idle: number[];
  queue: Waiter[];
  codel: Codel;
}

type Reply = InfoReturn<PoolState>;

function poolSpec(client: PoolClient): GenServerSpec<PoolState> {
  const o = client.options;
  const target = ms(o.queueTargetMs);
  const interval = ms(o.queueIntervalMs);

  // ---- The events of the slide ----

  /** checkout: an idle socket at once; else fail fast, or wait in the queue. */
  function checkout(ctx: Ctx, s: PoolState, { ref, req }: Checkout, from: From): CallReturn<PoolState> {
    const mref = ctx.monitor(from.pid);
    const id = s.idle.shift();
    if (id !== undefined) {
      const slot = s.slots[id]!;
      const { socket, wire } = slot.state as Idle;
      give(ctx, slot, socket, wire, { from, caller: from.pid, mref, ref, req }, 0);
      return ['noreply', s];
    }
    if (o.onExhausted === 'error' || (o.maxQueue !== null && s.queue.length >= o.maxQueue)) {
      ctx.demonitor(mref, { flush: true });
      return ['reply', { ok: false, error: o.onExhausted === 'error' ? 'checked_out' : 'queue_full' } satisfies Lease, s];
    }
    const timer = o.onExhausted === 'queue' ? ctx.sendAfter(ms(o.checkoutTimeoutMs), { type: '$queue_timeout', ref } satisfies QueueTimeout) : null;
    // :queue.in — spelled out: a spread here made every waiter in a slow, one-off shape.
    s.queue.push({ from, caller: from.pid, mref, ref, req, since: ctx.now, timer });
    ctx.trace('checkout.wait', { req });
    return ['noreply', s];
  }

  /** checkin: stop watching the holder; the socket goes to the next waiter, or back to idle. */
  function checkin(ctx: Ctx, s: PoolState, m: Checkin): Reply {
    const slot = s.slots[m.slot]!;
    const st = slot.state;
    if ((st.status !== 'out' && st.status !== 'lost') || st.holder.ref !== m.ref) return ['noreply', s];
    ctx.demonitor(st.holder.mref, { flush: true });
    ctx.emit(CHECKOUT_END, st.holder.req, slot.id, m.broken);
    // 'lost': it went down while out; its connection process is already reconnecting.
    if (st.status === 'lost') slot.state = DOWN;
    else if (m.broken) replace(ctx, slot);
    else release(ctx, s, slot, st.socket, st.wire);
    return ['noreply', s];
  }

  /** cancel: the caller gave up on its checkout: out of the queue, or back from it if it raced. */
  function cancel(ctx: Ctx, s: PoolState, { ref }: Cancel): Reply {
    const w = removeWaiter(s, (x) => x.ref === ref);
    if (w !== undefined) reject(ctx, w, 'timeout');
    const held = s.slots.find((x) => holderOf(x)?.ref === ref);
    const st = held?.state;
    if (held !== undefined && (st?.status === 'out' || st?.status === 'lost')) {
      ctx.demonitor(st.holder.mref, { flush: true });
      ctx.trace('checkout.end', { req: st.holder.req, slot: held.id, broken: false });
      if (st.status === 'lost') held.state = DOWN;
      else release(ctx, s, held, st.socket, st.wire);
    }
    return ['noreply', s];
  }

  /** DOWN of a holder: it died with the socket in an unknown state, so close it and connect anew. Of a waiter: it leaves the queue. */
  function down(ctx: Ctx, s: PoolState, m: DownMessage): Reply {
    const held = s.slots.find((x) => holderOf(x)?.mref === m.ref);
    if (held !== undefined) {
      ctx.trace('checkout.end', { req: holderOf(held)!.req, slot: held.id, broken: true });
      replace(ctx, held);
    } else {
      removeWaiter(s, (w) => w.mref === m.ref);
    }
    return ['noreply', s];
  }

  /** slot up: a new socket, for the next waiter or idle. */
  function slotUp(ctx: Ctx, s: PoolState, m: SlotUp): Reply {
    const slot = s.slots[m.slot]!;
    release(ctx, s, slot, m.socket, m.wire);
    return ['noreply', s];
  }

  /** slot down: an idle socket closed; one out stays with its holder, who will find it broken. */
  function slotDown(s: PoolState, m: SlotDown): Reply {
    const slot = s.slots[m.slot]!;
    const st = slot.state;
    if ((st.status !== 'idle' && st.status !== 'out') || st.socket !== m.socket) return ['noreply', s];
    if (st.status === 'idle') {
      s.idle = s.idle.filter((x) => x !== slot.id);
      slot.state = DOWN;
    } else {
      slot.state = { status: 'lost', holder: st.holder };
    }
    return ['noreply', s];
  }

  function queueTimeout(ctx: Ctx, s: PoolState, { ref }: QueueTimeout): Reply {
    const w = removeWaiter(s, (x) => x.ref === ref);
    if (w !== undefined) reject(ctx, { ...w, timer: null }, 'queue_timeout');
    return ['noreply', s];
  }

  // ---- Helpers ----

  function give(ctx: Ctx, slot: Slot, socket: tcp.Socket, wire: Wire, w: Omit<Waiter, 'since' | 'timer'>, waitedUs: Micros): void {
    slot.state = { status: 'out', socket, wire, holder: { caller: w.caller, mref: w.mref, ref: w.ref, req: w.req } };
    tcp.setActive(ctx, socket, false);
    ctx.emit(CHECKOUT_START, w.req, slot.id, socket.id, waitedUs);
    GenServer.reply(ctx, w.from, { ok: true, slot: slot.id, socket, wire } satisfies Lease);
  }

  function reject(ctx: Ctx, w: Waiter, error: ClientError): void {
    if (w.timer !== null) ctx.cancelTimer(w.timer);
    ctx.demonitor(w.mref, { flush: true });
    GenServer.reply(ctx, w.from, { ok: false, error } satisfies Lease);
  }

  function removeWaiter(s: PoolState, pred: (w: Waiter) => boolean): Waiter | undefined {
    const i = s.queue.findIndex(pred);
    if (i < 0) return undefined;
    return s.queue.splice(i, 1)[0];
  }

  /** A slot with a socket is free: the next waiter gets it (:queue.out), or it goes idle. */
  function release(ctx: Ctx, s: PoolState, slot: Slot, socket: tcp.Socket, wire: Wire): void {
    const w = o.onExhausted === 'codel' ? codelNext(ctx, s) : s.queue.shift();
    if (w !== undefined) {
      if (w.timer !== null) ctx.cancelTimer(w.timer);
      give(ctx, slot, socket, wire, w, ctx.now - w.since);
      return;
    }
    slot.state = { status: 'idle', socket, wire };
    tcp.setActive(ctx, socket, 'once');
    s.idle.push(slot.id);
  }

  /** The socket is unusable: the slot's connection process closes it and connects a new one. */
  function replace(ctx: Ctx, slot: Slot): void {
    const st = slot.state;
    slot.state = DOWN;
    if (st.status === 'out') GenServer.cast(ctx, slot.pid, { type: 'reconnect', socket: st.socket } satisfies Reconnect);
  }

  /** DBConnection.ConnectionPool's dequeue: dequeue_first / dequeue_fast / dequeue_slow. */
  function codelNext(ctx: Ctx, s: PoolState): Waiter | undefined {
    const now = ctx.now;
    const c = s.codel;
    if (now >= c.next) {
      const slow = c.delay > target;
      c.next = now + interval;
      c.slow = slow;
      const w = s.queue.shift();
      c.delay = w === undefined ? 0 : now - w.since;
      return w;
    }
    if (c.slow) {
      // Slow: shed everyone who has waited more than twice the target.
      while (s.queue.length > 0 && now - s.queue[0]!.since > 2 * target) reject(ctx, s.queue.shift()!, 'queue_timeout');
    }
    const w = s.queue.shift();
    if (w === undefined) c.delay = 0;
    else if (now - w.since < c.delay) c.delay = now - w.since;
    return w;
  }

  /** DBConnection's poll: with no progress for an interval, a queue over target turns slow and sheds. */
  function codelPoll(ctx: Ctx, s: PoolState, { lastSince }: CodelPoll): Reply {
    const now = ctx.now;
    const first = s.queue[0];
    if (first !== undefined && first.since <= lastSince) {
      const c = s.codel;
      const delay = now - first.since;
      if (now >= c.next && c.delay > target) {
        c.slow = true;
        c.delay = delay;
        c.next = now + interval;
        while (s.queue.length > 0 && s.queue[0]!.since < now - 2 * target) reject(ctx, s.queue.shift()!, 'queue_timeout');
      } else if (now >= c.next) {
        c.slow = false;
        c.delay = delay;
        c.next = now + interval;
      }
    }
    ctx.sendAfter(interval, { type: '$codel_poll', lastSince: s.queue[0]?.since ?? now } satisfies CodelPoll);
    return ['noreply', s];
  }

  /** A connection process died (it should not: it reconnects in place). */
  function connectionExit(s: PoolState, m: ExitMessage): Reply {
    const slot = s.slots.find((x) => x.pid === m.from);
    if (slot === undefined) return ['stop', m.reason, s];
    return ['stop', `connection ${slot.id} exited: ${m.reason}`, s];
  }

  return {
    *init(ctx) {
      ctx.register(client.name);
      ctx.trapExit(true);
      const s: PoolState = { slots: [], idle: [], queue: [], codel: { delay: 0, slow: false, next: ctx.now } };
      for (let id = 0; id < o.size; id++) {
        const r = yield* Connection.startConnectionLink(ctx, slotSpec(client, ctx.self, id), { name: `${client.name}/conn${id}` });
        if (!r.ok) return ['stop', `connection ${id} failed to start: ${r.reason}`];
        s.slots.push({ id, pid: r.pid, state: DOWN });
      }
      if (o.onExhausted === 'codel') ctx.sendAfter(interval, { type: '$codel_poll', lastSince: ctx.now } satisfies CodelPoll);
      return ['ok', s];
    },

    // Plain callbacks, not generators: none of them waits, and a generator per message was a
    // tenth of the pool process's cost.
    handleCall(request, from, s, ctx) {
      const m = request as PoolCall;
      switch (m.type) {
        case 'checkout':
          return checkout(ctx, s, m, from);
      }
    },

    handleCast(msg, s, ctx) {
      const m = msg as PoolCast;
      switch (m.type) {
        case 'checkin':
          return checkin(ctx, s, m);
        case 'cancel':
          return cancel(ctx, s, m);
        case 'slot_up':
          return slotUp(ctx, s, m);
        case 'slot_down':
          return slotDown(s, m);
      }
    },

    handleInfo(msg, s, ctx) {
      const m = msg as PoolInfo;
      switch (m.type) {
        case 'DOWN':
          return down(ctx, s, m);
        case '$queue_timeout':
          return queueTimeout(ctx, s, m);
        case '$codel_poll':
          return codelPoll(ctx, s, m);
        case 'EXIT':
          return connectionExit(s, m);
        default:
          return ['noreply', s];
      }
    },
  };
}

// ---- One connection's process ----

interface ConnState {
  socket: tcp.Socket | null;
  backoff: Backoff;
}

function slotSpec(client: PoolClient, pool: Pid, slot: number): ConnectionSpec<ConnState> {
  const o = client.options;

  function* open(ctx: Ctx, s: ConnState): Gen<boolean> {
    const wire = yield* openConnection(ctx, client.env, o, s.backoff);
    if (wire === null) return false;
    s.socket = wire.socket;
    GenServer.cast(ctx, pool, { type: 'slot_up', slot, socket: wire.socket, wire } satisfies SlotUp);
    return true;
  }

  return {
    *init(ctx) {
      const s: ConnState = { socket: null, backoff: makeBackoff(o.backoff, ctx.random(`backoff/${client.name}/${slot}`)) };
      if (o.connect === 'async') return ['connect', 'init', s];
      if (!(yield* open(ctx, s))) return ['stop', 'connection_failed'];
      return ['ok', s];
    },
    *connect(_info, s, ctx) {
      if (yield* open(ctx, s)) return ['ok', s];
      return ['backoff', s.backoff.next(), s];
    },
    *disconnect(reason, s, ctx) {
      if (s.socket !== null) {
        tcp.close(ctx, s.socket);
        ctx.trace('client.disconnection', { pid: ctx.self, conn: s.socket.id, reason: String(reason) });
        s.socket = null;
      }
      return ['connect', 'reconnect', s];
    },
    *handleCast(msg, s) {
      // The pool's reconnect: a holder broke this socket (or died holding it).
      const m = msg as Reconnect;
      if (m.type === 'reconnect' && m.socket === s.socket) return ['disconnect', 'checkin_broken', s];
      return ['noreply', s];
    },
    *handleInfo(msg, s, ctx) {
      // Only an idle socket is active (once): anything on it means Redis closed it or spoke unasked.
      if ((tcp.isTcpClosed(msg) || tcp.isTcpData(msg)) && msg.socket === s.socket) {
        GenServer.cast(ctx, pool, { type: 'slot_down', slot, socket: msg.socket } satisfies SlotDown);
        return ['disconnect', tcp.isTcpClosed(msg) ? 'tcp_closed' : 'unexpected_data', s];
      }
      return ['noreply', s];
    },
  };
}

// ---- Callers ----

export function* startPool(ctx: Ctx, client: PoolClient): Gen<GenServer.StartOutcome> {
  return yield* GenServer.startLink(ctx, poolSpec(client), { name: client.name });
}

/** checkout, send + recv in the caller, checkin. */
export function* poolCommand(ctx: Ctx, client: PoolClient, cmds: readonly Command[], timeout: Micros): Gen<CommandResult> {
  const req = beginRequest(ctx, cmds);
  const deadline = ctx.now + timeout;
  const pool = ctx.whereis(client.name);
  if (pool === undefined) return endRequest(ctx, req, failure('noproc', false));
  const ref = ctx.makeRef();
  const co = yield* GenServer.call<Lease>(ctx, pool, { type: 'checkout', ref, req } satisfies Checkout, timeout);
  if (!co.ok) {
    if (co.error === 'timeout') GenServer.cast(ctx, pool, { type: 'cancel', ref } satisfies Cancel);
    return endRequest(ctx, req, failure(co.error === 'timeout' ? 'timeout' : 'noproc', false));
  }
  const lease = co.value;
  if (!lease.ok) return endRequest(ctx, req, failure(lease.error, false));
  const { socket, wire, slot } = lease;
  const checkin = (brokenSocket: boolean) =>
    GenServer.cast(ctx, pool, { type: 'checkin', ref, slot, socket, broken: brokenSocket } satisfies Checkin);

  // Bytes on the socket before anything was asked came unasked (on their way to its connection
  // process when the pool took it, so back in the buffer): a reply read after them would start
  // mid-frame. Nothing was sent.
  if (socket.unread) {
    checkin(true);
    return endRequest(ctx, req, failure('disconnected', false));
  }
  if (!wire.write(ctx, req, cmds)) {
    checkin(true);
    return endRequest(ctx, req, failure('disconnected', false));
  }
  const replies: RespValue[] = [];
  while (replies.length < cmds.length) {
    const got = yield* tcp.recv(ctx, socket, 0, Math.max(0, deadline - ctx.now));
    if (!got.ok) {
      // A reply may still be on its way: nobody may use this socket again.
      checkin(true);
      return endRequest(ctx, req, failure(got.error === 'timeout' ? 'timeout' : 'disconnected', true));
    }
    for (const v of wire.read(ctx, got.data)) {
      ctx.emit(PIPELINE_REPLY, req, wire.conn, wire.replied++);
      replies.push(v);
    }
  }
  checkin(false);
  return endRequest(ctx, req, { ok: true, replies });
}
