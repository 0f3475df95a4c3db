/**
 * What every client shares: the result of a command, the per-socket bookkeeping that ties each
 * request to the server executions that are its own, and the trace events named after Redix's
 * telemetry (connection, disconnection, failed_connection, pipeline start/stop) and
 * DBConnection's checkout events.
 */
import type { Micros } from '../kernel/time.js';
import { concatBytes } from '../kernel/bytes.js';
import type { TcpStack } from '../net/network.js';
import { tcp } from '../net/index.js';
import { RespDecoder, RespProtocolError, encodeCommand, type RespValue } from '../resp/index.js';
import type { Ctx, Gen } from '../runtime/index.js';
import { z } from 'zod';
import { msPositive } from '../scenario/fields.js';
import { backoffSchema, type Backoff } from './backoff.js';
import { ms } from '../kernel/time.js';
import { TraceEvent } from '../kernel/trace.js';

/** A request's events, recorded for every request: declared once (Trace.emit). */
const PIPELINE_START = new TraceEvent('pipeline.start', ['req', 'caller', 'cmds', 'name'], (f, req, caller, cmds, name) => {
  f.req = req;
  f.caller = caller;
  f.cmds = cmds;
  f.name = name;
});
const PIPELINE_STOP = new TraceEvent('pipeline.stop', ['req', 'ok', 'error', 'indeterminate'], (f, req, ok, error, indeterminate) => {
  f.req = req;
  f.ok = ok;
  f.error = error;
  f.indeterminate = indeterminate;
});
const PIPELINE_SENT = new TraceEvent('pipeline.sent', ['req', 'conn', 'i', 'n'], (f, req, conn, i, n) => {
  f.req = req;
  f.conn = conn;
  f.i = i;
  f.n = n;
});
export const PIPELINE_REPLY = new TraceEvent('pipeline.reply', ['req', 'conn', 'i'], (f, req, conn, i) => {
  f.req = req;
  f.conn = conn;
  f.i = i;
});

declare module '../kernel/trace.js' {
  interface TraceEvents {
    /** A caller issued a request of `cmds` commands (Redix [:redix, :pipeline, :start]). */
    'pipeline.start': { req: number; caller: number; cmds: number; name: string };
    /** The request's commands were written to connection `conn` as its commands i .. i+n-1. */
    'pipeline.sent': { req: number; conn: number; i: number; n: number };
    /** Reply number `i` read from `conn` was handed to `req`. */
    'pipeline.reply': { req: number; conn: number; i: number };
    /** The request ended (Redix [:redix, :pipeline, :stop]); `indeterminate`: it may have run. */
    'pipeline.stop': { req: number; ok: boolean; error: string; indeterminate: boolean };
    'client.connection': { pid: number; conn: number };
    'client.disconnection': { pid: number; conn: number; reason: string };
    'client.failed_connection': { pid: number; reason: string };
    /** A caller found every pooled connection busy and waits. */
    'checkout.wait': { req: number };
    'checkout.start': { req: number; slot: number; conn: number; waitedUs: number };
    'checkout.end': { req: number; slot: number; broken: boolean };
    /** A command written a second time after a reconnect (at-least-once delivery). */
    'pipeline.resend': { req: number };
  }
}

export type Command = ReadonlyArray<string | Uint8Array>;

export type ClientError =
  /** No reply in time. If the request was sent, it may have run. */
  | 'timeout'
  /** The connection dropped while the request was in flight (Redix: %ConnectionError{reason: :disconnected}). */
  | 'disconnected'
  /** Not connected, and the client fails fast (Redix: :closed). */
  | 'closed'
  /** Every pooled connection was checked out and the pool fails fast. */
  | 'checked_out'
  /** Waited too long in the pool's queue (or was shed by CoDel). */
  | 'queue_timeout'
  /** The pool's queue (or the offline queue) is full. */
  | 'queue_full'
  /** A connection per command could not connect. */
  | 'connect_failed'
  /** The client's process is gone. */
  | 'noproc';

export type CommandResult =
  | { readonly ok: true; readonly replies: RespValue[] }
  | { readonly ok: false; readonly error: ClientError; readonly indeterminate: boolean };

/** What a client needs of its world. */
export interface ClientEnv {
  /** The simulated Network, or Node's sockets (real/). */
  readonly net: TcpStack;
  readonly address: string;
  /** CPU to encode or decode one byte of RESP, charged to the process that does it. */
  readonly codecNsPerByte: number;
}

/** The options of every client that keeps a connection: backoff, sync or async connect, its timeout. */
export const connectionOptionsShape = {
  backoff: backoffSchema.optional().meta({ title: 'Reconnection backoff', description: 'how long to wait between reconnection attempts' }),
  connect: z.enum(['sync', 'async'], { error: 'expected "sync" or "async"' }).optional().meta({ title: 'Connect', description: 'sync: start fails while Redis is down · async: start succeeds and connects after' }),
  connectTimeoutMs: msPositive().optional().meta({ title: 'Connect timeout', unit: 'ms', description: 'give up on a connect after this long' }),
  established: z
    .enum(['reply', 'accept'], { error: 'expected "reply" (after the handshake\'s reply) or "accept" (on TCP connect)' })
    .optional()
    .meta({ title: 'Counts as up', description: 'when the backoff resets · reply: after the handshake PING is answered · accept: on the TCP connect (a reconnect storm when the server accepts and refuses)' }),
};

export interface RequestOptions {
  /** Give up after this long, µs. */
  timeout: Micros;
}

export function failure(error: ClientError, indeterminate: boolean): CommandResult {
  return { ok: false, error, indeterminate };
}

const lowerNames = new Map<string, string>();

/** A command's name in lower case, one string per name: the trace keeps one for every request. */
function lowerName(name: string): string {
  let lower = lowerNames.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowerNames.size < 1024) lowerNames.set(name, lower);
  }
  return lower;
}

/** Records a request's start; its id is a world-unique ref. */
export function beginRequest(ctx: Ctx, cmds: readonly Command[]): number {
  if (cmds.length === 0) throw new RangeError('a request needs at least one command');
  const req = ctx.makeRef();
  const first = cmds[0]![0];
  const name = typeof first === 'string' ? lowerName(first) : first === undefined ? '' : new TextDecoder().decode(first).toLowerCase();
  ctx.emit(PIPELINE_START, req, ctx.self, cmds.length, name);
  return req;
}

export function endRequest(ctx: Ctx, req: number, r: CommandResult): CommandResult {
  ctx.emit(PIPELINE_STOP, req, r.ok, r.ok ? '' : r.error, r.ok ? false : r.indeterminate);
  return r;
}

/**
 * One socket's RESP stream: counts commands written and replies read, so that reply number i
 * belongs to command number i (Redis answers in order on a connection). Whoever holds the wire
 * pays the codec's CPU.
 */
export class Wire {
  sent = 0;
  replied = 0;
  private readonly decoder = new RespDecoder();
  /** What read returns, emptied and filled again by each read (no array per reply). */
  private readonly values: RespValue[] = [];

  constructor(
    readonly socket: tcp.Socket,
    private readonly codecNsPerByte: number,
  ) {}

  get conn(): number {
    return this.socket.id;
  }

  /** Encodes and writes a request's commands; false if the socket is known to be closed. */
  write(ctx: Ctx, req: number, cmds: readonly Command[]): boolean {
    let bytes: Uint8Array;
    if (cmds.length === 1) bytes = encodeCommand(cmds[0]!);
    else {
      const parts = cmds.map((c) => encodeCommand(c));
      let total = 0;
      for (const p of parts) total += p.length;
      bytes = concatBytes(parts, total);
    }
    const n = bytes.length;
    ctx.cpuNs(n * this.codecNsPerByte);
    if (!tcp.send(ctx, this.socket, bytes).ok) return false;
    ctx.emit(PIPELINE_SENT, req, this.conn, this.sent, cmds.length);
    this.sent += cmds.length;
    return true;
  }

  /**
   * Decodes what arrived. The array is the wire's own, filled again by the next read: read it
   * before that, do not keep it.
   */
  read(ctx: Ctx, data: Uint8Array): readonly RespValue[] {
    ctx.cpuNs(data.length * this.codecNsPerByte);
    const values = this.values;
    // Emptied in place: `length = 0` would free its room and the next push allocate it again.
    while (values.length > 0) values.pop();
    return this.decoder.feed(data, values);
  }

  /**
   * Takes an idle `active: :once` socket into passive mode for a request. What the socket sent
   * before the switch is still in this process's mailbox (or on its way back to the buffer): it is
   * looked at before anything is written, so no later recv decodes from the middle of it (Postgrex
   * flushes its mailbox the same way when it takes an idle socket). Nothing was asked on an idle
   * socket, so bytes on it (a greeting error, a reply to nothing) or its close make it unusable:
   * 'unexpected_data' or 'tcp_closed', and it must be dropped.
   */
  passive(ctx: Ctx): 'ok' | 'unexpected_data' | 'tcp_closed' {
    const socket = this.socket;
    tcp.setActive(ctx, socket, false);
    let result: 'ok' | 'unexpected_data' | 'tcp_closed' = socket.unread ? 'unexpected_data' : 'ok';
    for (;;) {
      const m = ctx.poll((x): x is tcp.TcpData | tcp.TcpClosed => tcp.isTcpData(x, socket) || tcp.isTcpClosed(x, socket));
      if (m === undefined) return result;
      if (tcp.isTcpClosed(m)) return 'tcp_closed';
      result = 'unexpected_data';
    }
  }

  /**
   * The connect handshake on a passive socket: PING, and its reply by `deadline`. Returns null
   * when it was +PONG, else why not (the server's error reply, a close, a timeout).
   */
  *handshake(ctx: Ctx, deadline: Micros): Gen<string | null> {
    if (!this.write(ctx, 0, [['PING']])) return 'closed during handshake';
    for (;;) {
      const got = yield* tcp.recv(ctx, this.socket, 0, Math.max(0, deadline - ctx.now));
      if (!got.ok) return got.error === 'timeout' ? 'handshake timeout' : 'closed during handshake';
      let values: readonly RespValue[];
      try {
        values = this.read(ctx, got.data);
      } catch (e) {
        if (e instanceof RespProtocolError) return `handshake: ${e.message}`;
        throw e;
      }
      const v = values[0];
      if (v === undefined) continue;
      ctx.emit(PIPELINE_REPLY, 0, this.conn, this.replied++);
      if (values.length > 1) return 'handshake: more replies than commands';
      if (v.type === 'simple' && v.value === 'PONG') return null;
      return v.type === 'error' ? v.value : `handshake: unexpected ${v.type} reply`;
    }
  }

  /** Replies owed: commands written and not yet answered. */
  get outstanding(): number {
    return this.sent - this.replied;
  }
}

/**
 * Who owns command `i` of connection `conn`: the index the checker and the views build from
 * 'pipeline.sent' to match replies and executions to requests. Commands on a connection are
 * numbered 0, 1, 2, ... as they are written, so each connection keeps a dense array; a map keyed
 * by "conn:i" strings built a string for every lookup, a fifth of the checker's time.
 */
export class CommandOwners<T> {
  private readonly byConn = new Map<number, T[]>();

  set(conn: number, i: number, owner: T): void {
    let list = this.byConn.get(conn);
    if (list === undefined) this.byConn.set(conn, (list = []));
    list[i] = owner;
  }

  get(conn: number, i: number): T | undefined {
    return i < 0 ? undefined : this.byConn.get(conn)?.[i];
  }
}

/**
 * When a connection counts as up, and its backoff starts over:
 * - 'reply': once the connect handshake (a PING) has its first successful reply. A server or a
 *   proxy that accepts and then refuses (Redis's "-ERR max number of clients reached", sent right
 *   after accept, then a close) is a failed connection, and the backoff keeps growing. ioredis
 *   waits the same way for its ready check (INFO) before `ready`, and Redix's connect includes its
 *   HELLO / AUTH / SELECT.
 * - 'accept': as soon as TCP connects (what ioredis's connect handler does with its retry
 *   count): each accept-then-refuse starts the backoff over, a reconnect storm.
 */
export type Established = 'reply' | 'accept';

export interface OpenOptions {
  connectTimeoutMs: number;
  established: Established;
}

/**
 * Connects, then shakes hands before the connection is used: one PING, answered before any
 * caller's command is written, so a greeting error is never taken for a command's reply.
 * Returns the connection's wire (passive socket, the PING counted as its command 0), or null
 * after tracing why it failed. Resets `backoff` when the connection counts as up (see Established).
 */
export function* openConnection(ctx: Ctx, env: ClientEnv, o: OpenOptions, backoff: Backoff): Gen<Wire | null> {
  const deadline = ctx.now + ms(o.connectTimeoutMs);
  const r = yield* tcp.connect(ctx, env.net, env.address, { active: false, timeout: ms(o.connectTimeoutMs) });
  if (!r.ok) {
    ctx.trace('client.failed_connection', { pid: ctx.self, reason: r.error });
    return null;
  }
  if (o.established === 'accept') backoff.reset();
  const wire = new Wire(r.socket, env.codecNsPerByte);
  const failed = yield* wire.handshake(ctx, deadline);
  if (failed !== null) {
    tcp.close(ctx, r.socket);
    ctx.trace('client.failed_connection', { pid: ctx.self, reason: failed });
    return null;
  }
  if (o.established === 'reply') backoff.reset();
  ctx.trace('client.connection', { pid: ctx.self, conn: r.socket.id });
  return wire;
}
