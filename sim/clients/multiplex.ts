/**
 * L4, non-blocking: one process owns one socket in active mode and multiplexes every caller on it.
 *
 *   handle_call: encode, :gen_tcp.send, remember `from` in a FIFO, {:noreply, state}
 *   handle_info {:tcp, ...}: decode, pop the oldest `from`, GenServer.reply(from, reply)
 *
 * TCP is full duplex: requests keep going out while replies come in, so many requests are in
 * flight on one socket and no pool is needed. The price: every reply is decoded in this one
 * process and copied to its caller (watch its busy %). Written in the shape of the Redix of the
 * talk (a Connection behaviour, `active: :once`), with the options later clients added:
 * - whileDisconnected: 'error' fails fast with `closed` (Redix), 'queue' waits in a bounded
 *   offline queue (ioredis);
 * - inFlightOnDisconnect: 'fail' answers `disconnected` (at most once: Redix, node-redis),
 *   'resend' writes them again after reconnecting (at least once: ioredis, lettuce), which can
 *   run a command twice;
 * - connect 'sync' (start fails while Redis is down) or 'async' (start succeeds, calls wait in
 *   the mailbox while connecting, as Redix's gen_statem postpones them);
 * - exitOnDisconnection: stop and let the supervisor restart it, instead of reconnecting in place;
 * - healthCheckMs: a PING every interval; one still unanswered at the next tick means the socket
 *   is half-open, so disconnect.
 */
import { ms, type Micros } from '../kernel/time.js';
import { tcp } from '../net/index.js';
import type { RespValue } from '../resp/index.js';
import { Connection, GenServer, isTagged, type ConnectionSpec, type Ctx, type From, type Gen } from '../runtime/index.js';
import { makeBackoff, type Backoff, type BackoffOptions } from './backoff.js';
import { z } from 'zod';
import { msPositive, whole } from '../scenario/fields.js';
import { PIPELINE_REPLY, Wire, beginRequest, connectionOptionsShape, endRequest, failure, openConnection, type ClientEnv, type Command, type CommandResult, type Established } from './common.js';

export interface MultiplexOptions {
  whileDisconnected: 'error' | 'queue';
  /** Most requests the offline queue holds (whileDisconnected 'queue'); one more gets queue_full. */
  offlineQueueMax: number;
  inFlightOnDisconnect: 'fail' | 'resend';
  backoff: BackoffOptions;
  connect: 'sync' | 'async';
  exitOnDisconnection: boolean;
  /** null: no health check. */
  healthCheckMs: number | null;
  connectTimeoutMs: number;
  /** When a connection counts as up and the backoff resets (common.ts, Established). */
  established: Established;
}

/** The scenario's options of a multiplexed connection (sim/scenario/schema.ts composes them). */
export const multiplexOptionsShape = {
  whileDisconnected: z.enum(['error', 'queue'], { error: 'expected "error" or "queue"' }).optional().meta({ title: 'While disconnected', description: 'error: fail fast · queue: hold calls in the offline queue' }),
  offlineQueueMax: whole(1, 'a whole number >= 1', 1_000_000).optional().meta({ title: 'Offline queue limit', unit: 'requests', description: 'queue: one more gets queue_full' }),
  inFlightOnDisconnect: z.enum(['fail', 'resend'], { error: 'expected "fail" or "resend"' }).optional().meta({ title: 'In flight on a disconnect', description: 'fail: at most once · resend: at least once (may run a command twice)' }),
  exitOnDisconnection: z.boolean({ error: 'expected true or false' }).optional().meta({ title: 'Exit on disconnection', description: 'stop and let the supervisor restart it, instead of reconnecting in place' }),
  healthCheckMs: msPositive('a number of ms > 0, or null for none').nullable().optional().meta({ title: 'Health check every', unit: 'ms', empty: 'none', description: 'a PING; one unanswered at the next means half-open; empty: none' }),
  ...connectionOptionsShape,
};

export const defaultMultiplex: MultiplexOptions = {
  whileDisconnected: 'error',
  offlineQueueMax: 1000,
  inFlightOnDisconnect: 'fail',
  backoff: { strategy: 'redix' },
  connect: 'async',
  exitOnDisconnection: false,
  healthCheckMs: null,
  connectTimeoutMs: 5000,
  established: 'reply',
};

export interface MultiplexClient {
  readonly kind: 'multiplex';
  /** The connection process is registered under this name, so callers find its successor after a restart. */
  readonly name: string;
  readonly env: ClientEnv;
  readonly options: MultiplexOptions;
}

interface CommandRequest {
  readonly type: 'command';
  readonly req: number;
  readonly cmds: readonly Command[];
}

/** One request in flight: its caller (null for the health check's PING) and the replies so far. */
interface Pending {
  readonly from: From | null;
  readonly req: number;
  readonly cmds: readonly Command[];
  replies: RespValue[];
}

interface State {
  socket: tcp.Socket | null;
  wire: Wire | null;
  /** FIFO of requests written to the socket; `head` is the oldest unanswered. */
  inFlight: Pending[];
  head: number;
  /** Requests to write again after reconnecting (inFlightOnDisconnect 'resend'). */
  resend: Pending[];
  /** Requests waiting for a connection (whileDisconnected 'queue'). */
  offline: Pending[];
  backoff: Backoff;
  healthPending: boolean;
}

// The state is a mutable record, changed in place and returned, where Elixir would build a new
// map: same shape, less garbage on the hot path.

export function multiplexSpec(client: MultiplexClient): ConnectionSpec<State> {
  const { env, options } = client;

  function* open(ctx: Ctx, s: State): Gen<boolean> {
    const wire = yield* openConnection(ctx, env, options, s.backoff);
    if (wire === null) return false;
    const socket = wire.socket;
    tcp.setActive(ctx, socket, 'once');
    s.socket = socket;
    s.wire = wire;
    s.inFlight = [];
    s.head = 0;
    s.healthPending = false;
    // At least once: what was in flight when the socket died goes out first, then the offline queue.
    for (const p of s.resend) ctx.trace('pipeline.resend', { req: p.req });
    const waiting = [...s.resend, ...s.offline];
    s.resend = [];
    s.offline = [];
    for (const p of waiting) write(ctx, s, p);
    if (options.healthCheckMs !== null) ctx.sendAfter(ms(options.healthCheckMs), { type: '$health', conn: socket.id });
    return true;
  }

  function write(ctx: Ctx, s: State, p: Pending): boolean {
    p.replies = [];
    if (!s.wire!.write(ctx, p.req, p.cmds)) return false;
    s.inFlight.push(p);
    return true;
  }

  function answer(ctx: Ctx, p: Pending, r: CommandResult): void {
    if (p.from !== null) GenServer.reply(ctx, p.from, r);
  }

  function failAll(ctx: Ctx, list: Pending[], error: 'disconnected' | 'closed', indeterminate: boolean): void {
    for (const p of list) answer(ctx, p, failure(error, indeterminate));
  }

  return {
    *init(ctx) {
      const s: State = { socket: null, wire: null, inFlight: [], head: 0, resend: [], offline: [], backoff: makeBackoff(options.backoff, ctx.random(`backoff/${client.name}`)), healthPending: false };
      if (options.connect === 'async') return ['connect', 'init', s];
      // Sync connect: start_link returns only once connected, and fails if Redis is down.
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
      }
      const inFlight = s.inFlight.slice(s.head).filter((p) => p.from !== null);
      s.socket = null;
      s.wire = null;
      s.inFlight = [];
      s.head = 0;
      if (options.inFlightOnDisconnect === 'resend') s.resend.push(...inFlight);
      // At most once: the command may or may not have run; the caller is told it cannot know.
      else failAll(ctx, inFlight, 'disconnected', true);
      if (options.exitOnDisconnection) {
        failAll(ctx, s.resend, 'disconnected', true);
        failAll(ctx, s.offline, 'closed', false);
        s.resend = [];
        s.offline = [];
        return ['stop', `disconnected: ${String(reason)}`, s];
      }
      // Backoff 0 first: the calls already in the mailbox are answered (or queued) before the
      // reconnection attempt, as the Redix of the talk did.
      return ['backoff', 0, s];
    },

    handleCall(request, from, s, ctx) {
      const { req, cmds } = request as CommandRequest;
      const p: Pending = { from, req, cmds, replies: [] };
      if (s.socket === null) {
        if (options.whileDisconnected === 'error') return ['reply', failure('closed', false), s];
        if (s.offline.length >= options.offlineQueueMax) return ['reply', failure('queue_full', false), s];
        s.offline.push(p);
        return ['noreply', s];
      }
      if (!write(ctx, s, p)) {
        answer(ctx, p, failure('closed', false));
        return ['disconnect', 'send_failed', s];
      }
      return ['noreply', s];
    },

    handleInfo(msg, s, ctx) {
      if (tcp.isTcpData(msg)) {
        if (msg.socket !== s.socket || s.wire === null) return ['noreply', s];
        for (const v of s.wire.read(ctx, msg.data)) {
          const p = s.inFlight[s.head];
          if (p === undefined) return ['disconnect', 'unexpected_reply', s];
          ctx.emit(PIPELINE_REPLY, p.req, s.wire.conn, s.wire.replied++);
          p.replies.push(v);
          if (p.replies.length < p.cmds.length) continue;
          s.head++;
          if (p.from === null) s.healthPending = false;
          // The caller may have given up: its alias is then inactive and the reply is dropped
          // by the runtime, never delivered to anyone else.
          else answer(ctx, p, { ok: true, replies: p.replies });
        }
        if (s.head > 64 && s.head * 2 > s.inFlight.length) {
          s.inFlight = s.inFlight.slice(s.head);
          s.head = 0;
        }
        tcp.setActive(ctx, msg.socket, 'once');
        return ['noreply', s];
      }
      if (tcp.isTcpClosed(msg)) {
        return msg.socket === s.socket ? ['disconnect', 'tcp_closed', s] : ['noreply', s];
      }
      if (isTagged(msg, '$health')) {
        if (s.socket === null || (msg as { conn: number }).conn !== s.socket.id) return ['noreply', s];
        if (s.healthPending) return ['disconnect', 'health_check_timeout', s];
        s.healthPending = true;
        if (!write(ctx, s, { from: null, req: 0, cmds: [['PING']], replies: [] })) return ['disconnect', 'send_failed', s];
        ctx.sendAfter(ms(options.healthCheckMs!), msg);
      }
      return ['noreply', s];
    },
  };
}

export function multiplexClient(env: ClientEnv, name: string, options: Partial<MultiplexOptions> = {}): MultiplexClient {
  return { kind: 'multiplex', name, env, options: { ...defaultMultiplex, ...options } };
}

/** The process body of the connection, registering itself under the client's name. */
export function* startMultiplex(ctx: Ctx, client: MultiplexClient): Gen<GenServer.StartOutcome> {
  const spec = multiplexSpec(client);
  return yield* Connection.startConnectionLink(ctx, {
    ...spec,
    *init(c) {
      c.register(client.name);
      return yield* spec.init(c);
    },
  }, { name: client.name });
}

/** Redix.pipeline/3 from a caller: one request of one or more commands. */
export function* multiplexCommand(ctx: Ctx, client: MultiplexClient, cmds: readonly Command[], timeout: Micros): Gen<CommandResult> {
  const req = beginRequest(ctx, cmds);
  const pid = ctx.whereis(client.name);
  if (pid === undefined) return endRequest(ctx, req, failure('noproc', false));
  const r = yield* GenServer.call<CommandResult>(ctx, pid, { type: 'command', req, cmds } satisfies CommandRequest, timeout);
  if (r.ok) return endRequest(ctx, req, r.value);
  if (r.error === 'timeout') return endRequest(ctx, req, failure('timeout', true));
  return endRequest(ctx, req, failure('noproc', r.error === 'exit'));
}
