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
 */
import { ms, type Micros } from '../kernel/time.js';
import { tcp } from '../net/index.js';
import type { RespValue } from '../resp/index.js';
import {
  Connection,
  GenServer,
  isDown,
  isTagged,
  type ConnectionSpec,
  type Ctx,
  type From,
  type Gen,
  type GenServerSpec,
  type Pid,
  type Ref,
} from '../runtime/index.js';
import { makeBackoff, type Backoff, type BackoffOptions } from './backoff.js';
import { Wire, beginRequest, endRequest, failure, type ClientEnv, type ClientError, type Command, type CommandResult } from './common.js';

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
}

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

interface Checkout {
  readonly type: 'checkout';
  readonly ref: Ref;
  readonly req: number;
}
interface Checkin {
  readonly type: 'checkin';
  readonly ref: Ref;
  readonly slot: number;
  readonly socket: tcp.Socket;
  readonly broken: boolean;
}
interface Cancel {
  readonly type: 'cancel';
  readonly ref: Ref;
}
interface SlotUp {
  readonly type: 'slot_up';
  readonly slot: number;
  readonly socket: tcp.Socket;
}
interface SlotDown {
  readonly type: 'slot_down';
  readonly slot: number;
  readonly socket: tcp.Socket;
}
/** What a caller gets from checkout. */
type Lease = { readonly ok: true; readonly slot: number; readonly socket: tcp.Socket; readonly wire: Wire } | { readonly ok: false; readonly error: ClientError };

// ---- The pool process ----

interface Holder {
  readonly caller: Pid;
  readonly mref: Ref;
  readonly ref: Ref;
  readonly req: number;
}

interface Slot {
  readonly id: number;
  pid: Pid | null;
  socket: tcp.Socket | null;
  wire: Wire | null;
  status: 'down' | 'idle' | 'busy';
  holder: Holder | null;
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
  idle: number[];
  queue: Waiter[];
  codel: Codel;
}

function poolSpec(client: PoolClient): GenServerSpec<PoolState> {
  const o = client.options;
  const target = ms(o.queueTargetMs);
  const interval = ms(o.queueIntervalMs);

  function give(ctx: Ctx, s: PoolState, slot: Slot, w: { from: From; caller: Pid; mref: Ref; ref: Ref; req: number }, waitedUs: Micros): void {
    slot.status = 'busy';
    slot.holder = { caller: w.caller, mref: w.mref, ref: w.ref, req: w.req };
    tcp.setActive(ctx, slot.socket!, false);
    ctx.trace('checkout.start', { req: w.req, slot: slot.id, conn: slot.socket!.id, waitedUs });
    GenServer.reply(ctx, w.from, { ok: true, slot: slot.id, socket: slot.socket!, wire: slot.wire! } satisfies Lease);
    void s;
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

  /** A connection is free: the next waiter gets it, or it goes idle. */
  function release(ctx: Ctx, s: PoolState, slot: Slot): void {
    slot.holder = null;
    for (;;) {
      const w = o.onExhausted === 'codel' ? codelNext(ctx, s) : s.queue.shift();
      if (w === undefined) break;
      if (w.timer !== null) ctx.cancelTimer(w.timer);
      give(ctx, s, slot, w, ctx.now - w.since);
      return;
    }
    slot.status = 'idle';
    tcp.setActive(ctx, slot.socket!, 'once');
    s.idle.push(slot.id);
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
  function codelPoll(ctx: Ctx, s: PoolState, lastSince: Micros): void {
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
    ctx.sendAfter(interval, { type: '$codel_poll', lastSince: s.queue[0]?.since ?? now });
  }

  /** The socket is unusable: the slot's connection process replaces it. */
  function broken(ctx: Ctx, slot: Slot): void {
    const socket = slot.socket;
    slot.status = 'down';
    slot.socket = null;
    slot.wire = null;
    slot.holder = null;
    if (socket !== null && slot.pid !== null) GenServer.cast(ctx, slot.pid, { type: 'reconnect', socket });
  }

  return {
    *init(ctx) {
      ctx.register(client.name);
      ctx.trapExit(true);
      const s: PoolState = { slots: [], idle: [], queue: [], codel: { delay: 0, slow: false, next: ctx.now } };
      for (let id = 0; id < o.size; id++) {
        const slot: Slot = { id, pid: null, socket: null, wire: null, status: 'down', holder: null };
        s.slots.push(slot);
        const r = yield* Connection.startConnectionLink(ctx, slotSpec(client, ctx.self, id), { name: `${client.name}/conn${id}` });
        if (!r.ok) return ['stop', `connection ${id} failed to start: ${r.reason}`];
        slot.pid = r.pid;
      }
      if (o.onExhausted === 'codel') ctx.sendAfter(interval, { type: '$codel_poll', lastSince: ctx.now });
      return ['ok', s];
    },

    *handleCall(request, from, s, ctx) {
      const { ref, req } = request as Checkout;
      const mref = ctx.monitor(from.pid);
      const w = { from, caller: from.pid, mref, ref, req };
      const id = s.idle.shift();
      if (id !== undefined) {
        give(ctx, s, s.slots[id]!, w, 0);
        return ['noreply', s];
      }
      if (o.onExhausted === 'error' || (o.maxQueue !== null && s.queue.length >= o.maxQueue)) {
        ctx.demonitor(mref, { flush: true });
        return ['reply', { ok: false, error: o.onExhausted === 'error' ? 'checked_out' : 'queue_full' } satisfies Lease, s];
      }
      const timer = o.onExhausted === 'queue' ? ctx.sendAfter(ms(o.checkoutTimeoutMs), { type: '$queue_timeout', ref }) : null;
      // Spelled out: a spread here made every waiter in a slow, one-off shape.
      s.queue.push({ from, caller: from.pid, mref, ref, req, since: ctx.now, timer });
      ctx.trace('checkout.wait', { req });
      return ['noreply', s];
    },

    *handleCast(msg, s, ctx) {
      if (isTagged(msg, 'checkin')) {
        const m = msg as Checkin;
        const slot = s.slots[m.slot]!;
        if (slot.holder?.ref !== m.ref) return ['noreply', s];
        ctx.demonitor(slot.holder.mref, { flush: true });
        ctx.trace('checkout.end', { req: slot.holder.req, slot: slot.id, broken: m.broken });
        if (slot.socket !== m.socket) {
          // It went down while out; its connection process is already reconnecting.
          slot.status = 'down';
          slot.holder = null;
        } else if (m.broken) broken(ctx, slot);
        else release(ctx, s, slot);
      } else if (isTagged(msg, 'cancel')) {
        // The caller gave up on its checkout: out of the queue, or back from it if it raced.
        const ref = (msg as Cancel).ref;
        const w = removeWaiter(s, (x) => x.ref === ref);
        if (w !== undefined) reject(ctx, w, 'timeout');
        const held = s.slots.find((x) => x.holder?.ref === ref);
        if (held !== undefined) {
          ctx.demonitor(held.holder!.mref, { flush: true });
          ctx.trace('checkout.end', { req: held.holder!.req, slot: held.id, broken: false });
          release(ctx, s, held);
        }
      } else if (isTagged(msg, 'slot_up')) {
        const m = msg as SlotUp;
        const slot = s.slots[m.slot]!;
        slot.socket = m.socket;
        slot.wire = new Wire(m.socket, client.env.codecNsPerByte);
        release(ctx, s, slot);
      } else if (isTagged(msg, 'slot_down')) {
        const m = msg as SlotDown;
        const slot = s.slots[m.slot]!;
        if (slot.socket !== m.socket) return ['noreply', s];
        if (slot.status === 'idle') s.idle = s.idle.filter((x) => x !== slot.id);
        if (slot.status !== 'busy') slot.status = 'down';
        slot.socket = null;
        slot.wire = null;
      }
      return ['noreply', s];
    },

    *handleInfo(msg, s, ctx) {
      if (isDown(msg)) {
        const held = s.slots.find((x) => x.holder?.mref === msg.ref);
        if (held !== undefined) {
          // The holder died with the socket in an unknown state: close it, connect a new one.
          ctx.trace('checkout.end', { req: held.holder!.req, slot: held.id, broken: true });
          broken(ctx, held);
        } else {
          removeWaiter(s, (w) => w.mref === msg.ref);
        }
      } else if (isTagged(msg, '$queue_timeout')) {
        const ref = (msg as { ref: Ref }).ref;
        const w = removeWaiter(s, (x) => x.ref === ref);
        if (w !== undefined) reject(ctx, { ...w, timer: null }, 'queue_timeout');
      } else if (isTagged(msg, '$codel_poll')) {
        codelPoll(ctx, s, (msg as { lastSince: Micros }).lastSince);
      } else if (isTagged(msg, 'EXIT')) {
        // A connection process died (it should not: it reconnects in place).
        const m = msg as { from: Pid; reason: string };
        const slot = s.slots.find((x) => x.pid === m.from);
        if (slot === undefined) return ['stop', m.reason, s];
        return ['stop', `connection ${slot.id} exited: ${m.reason}`, s];
      }
      return ['noreply', s];
    },
  };
}

// ---- One connection's process ----

interface SlotState {
  socket: tcp.Socket | null;
  backoff: Backoff;
}

function slotSpec(client: PoolClient, pool: Pid, slot: number): ConnectionSpec<SlotState> {
  const o = client.options;

  function* open(ctx: Ctx, s: SlotState): Gen<boolean> {
    const r = yield* tcp.connect(ctx, client.env.net, client.env.address, { active: false, timeout: ms(o.connectTimeoutMs) });
    if (!r.ok) {
      ctx.trace('client.failed_connection', { pid: ctx.self, reason: r.error });
      return false;
    }
    s.socket = r.socket;
    s.backoff.reset();
    ctx.trace('client.connection', { pid: ctx.self, conn: r.socket.id });
    GenServer.cast(ctx, pool, { type: 'slot_up', slot, socket: r.socket } satisfies SlotUp);
    return true;
  }

  return {
    *init(ctx) {
      const s: SlotState = { socket: null, backoff: makeBackoff(o.backoff, ctx.random(`backoff/${client.name}/${slot}`)) };
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
      if (isTagged(msg, 'reconnect') && (msg as { socket: tcp.Socket }).socket === s.socket) return ['disconnect', 'checkin_broken', s];
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
      ctx.trace('pipeline.reply', { req, conn: wire.conn, i: wire.replied++ });
      replies.push(v);
    }
  }
  checkin(false);
  return endRequest(ctx, req, { ok: true, replies });
}
