/**
 * gen_tcp, as process code sees it. Blocking operations are generators (`yield*`), the others
 * plain calls, all on the calling process's clock:
 *
 *   const r = yield* tcp.connect(ctx, net, 'redis:6379', { active: false, timeout: ms(1000) });
 *   tcp.send(ctx, r.socket, encodeCommand(['GET', 'k']));
 *   const data = yield* tcp.recv(ctx, r.socket, 0, ms(5000));
 *
 * In active mode the socket's controlling process gets {type: 'tcp', socket, data} messages and
 * one {type: 'tcp_closed', socket}; in passive mode `recv` returns data, then {error: 'closed'}.
 * Any process may send or recv on a passive socket (as with gen_tcp); only the controlling
 * process gets active messages, and the socket closes when that process exits.
 */
import { TIMEOUT, isTagged, type Ctx, type Gen, type Pid, type ReceiveEffect, type Ref } from '../runtime/index.js';
import type { Micros } from '../kernel/time.js';
import { Socket, type ActiveMode, type TcpClosed, type TcpData, type TcpStack } from './socket.js';

export { Socket, type TcpClosed, type TcpData };

export type ConnectError = 'econnrefused' | 'timeout';
export type ConnectResult = { readonly ok: true; readonly socket: Socket } | { readonly ok: false; readonly error: ConnectError };
export type RecvResult = { readonly ok: true; readonly data: Uint8Array } | { readonly ok: false; readonly error: 'closed' | 'timeout' };
export type SendResult = { readonly ok: true } | { readonly ok: false; readonly error: 'closed' };

export interface ConnectOptions {
  /** Active mode (true, 'once') or passive (false, the default as in `active: false`). */
  active?: ActiveMode;
  /** Give up after this long, µs (default: 5 s). */
  timeout?: Micros;
}

interface ConnectReply {
  readonly type: '$tcp_connect';
  readonly ref: Ref;
  readonly socket: Socket | null;
  readonly error: ConnectError | null;
}

/** :gen_tcp.connect/4: one round trip (connectRtts of them) later, a socket or an error. */
export function* connect(ctx: Ctx, net: TcpStack, address: string, options: ConnectOptions = {}): Gen<ConnectResult> {
  const ref = ctx.makeRef();
  const pending = net.startConnect(ctx.self, ref, address, options.active ?? false, ctx.now);
  const reply = yield* ctx.receive(
    (m): m is ConnectReply => isTagged(m, '$tcp_connect') && (m as ConnectReply).ref === ref,
    options.timeout ?? 5_000_000,
  );
  if (reply === TIMEOUT) {
    net.abandonConnect(pending);
    return { ok: false, error: 'timeout' };
  }
  if (reply.socket === null) return { ok: false, error: reply.error ?? 'econnrefused' };
  return { ok: true, socket: reply.socket };
}

/** :gen_tcp.send/2: queues the bytes; an error only if this side knows the socket is closed. */
const SENT: SendResult = Object.freeze({ ok: true });
const CLOSED: SendResult = Object.freeze({ ok: false, error: 'closed' });

export function send(ctx: Ctx, socket: Socket, data: Uint8Array): SendResult {
  return socket.stack.clientSend(socket, data, ctx.now) ? SENT : CLOSED;
}

/**
 * :gen_tcp.recv/3 on a passive socket: `length` 0 returns whatever has arrived (at least a byte),
 * otherwise exactly `length` bytes. Data that arrived before a close is still returned first.
 *
 * As a generator it reads:
 *
 *   if (socket.active !== false) throw einval;
 *   const deadline = ctx.now + timeout;
 *   for (;;) {
 *     const data = socket.read(length);
 *     if (data !== null) return {ok: true, data};
 *     if (socket.closed || socket.peerClosed) return {ok: false, error: 'closed'};
 *     const ref = ctx.makeRef();
 *     socket.await(ctx.self, ref);   // {type: '$tcp_ready', ref} when there is something to read
 *     if ((yield receive($tcp_ready of ref, deadline - ctx.now)) === TIMEOUT) {
 *       socket.stopWaiting(ref);
 *       return {ok: false, error: 'timeout'};
 *     }
 *   }
 *
 * It is that generator's iterator written out (Recv), which is also the receive it waits in: a
 * pool's caller recvs on every request, and a generator, a closure and an effect per recv were
 * ~400 bytes of what a request allocated. Used the same way: `yield* tcp.recv(...)`.
 */
export function recv(ctx: Ctx, socket: Socket, length = 0, timeout: Micros = Number.POSITIVE_INFINITY): Gen<RecvResult> {
  return new Recv(ctx, socket, length, timeout) as unknown as Gen<RecvResult>;
}

const RECV_START = 0;
const RECV_WAITING = 1;
const RECV_DONE = 2;

class Recv implements ReceiveEffect {
  readonly kind = 'receive';
  /** The current wait's timeout (the receive's), µs. */
  timeout = 0;
  private ref = 0 as Ref;
  private deadline = 0;
  private phase = RECV_START;

  constructor(
    private readonly ctx: Ctx,
    private readonly socket: Socket,
    private readonly length: number,
    private readonly limit: Micros,
  ) {}

  match(x: unknown): boolean {
    return isTagged(x, '$tcp_ready') && (x as { ref: Ref }).ref === this.ref;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(input?: unknown): IteratorResult<ReceiveEffect, RecvResult> {
    const { ctx, socket } = this;
    const phase = this.phase;
    // Done unless it waits again: a throw from here ends it, as it ends a generator.
    this.phase = RECV_DONE;
    if (phase === RECV_START) {
      if (socket.active !== false) throw new Error(`recv on socket ${socket.id} in active mode (gen_tcp returns einval)`);
      this.deadline = Number.isFinite(this.limit) ? ctx.now + this.limit : Number.POSITIVE_INFINITY;
    } else if (phase === RECV_WAITING) {
      if (input === TIMEOUT) {
        socket.stopWaiting(this.ref);
        return { value: { ok: false, error: 'timeout' }, done: true };
      }
    } else {
      return { value: undefined as never, done: true };
    }
    const data = socket.read(this.length);
    if (data !== null) return { value: { ok: true, data }, done: true };
    if (socket.closed || socket.peerClosed) return { value: { ok: false, error: 'closed' }, done: true };
    const ref = ctx.makeRef();
    this.ref = ref;
    socket.await(ctx.self, ref);
    const timeout = Math.max(0, this.deadline - ctx.now);
    if (!(timeout >= 0)) throw new RangeError(`receive timeout must be >= 0, got ${timeout}`);
    this.timeout = timeout;
    this.phase = RECV_WAITING;
    return { value: this, done: false };
  }

  return(value: RecvResult): IteratorResult<ReceiveEffect, RecvResult> {
    this.phase = RECV_DONE;
    return { value, done: true };
  }

  throw(e: unknown): never {
    this.phase = RECV_DONE;
    throw e;
  }
}

/** inet:setopts(socket, active: ...). Switching to active delivers what is buffered. */
export function setActive(ctx: Ctx, socket: Socket, active: ActiveMode): void {
  void ctx;
  socket.setActive(active);
}

/** :gen_tcp.controlling_process/2: only the current owner may hand the socket over. */
export function controllingProcess(ctx: Ctx, socket: Socket, pid: Pid): { ok: true } | { ok: false; error: 'not_owner' | 'closed' } {
  if (socket.owner !== ctx.self) return { ok: false, error: 'not_owner' };
  if (socket.closed) return { ok: false, error: 'closed' };
  socket.setOwner(pid);
  return { ok: true };
}

/** :gen_tcp.close/1. No tcp_closed message follows for a socket closed by its own side. */
export function close(ctx: Ctx, socket: Socket): void {
  void ctx;
  socket.stack.clientClose(socket);
}

export function isTcpData(msg: unknown, socket?: Socket): msg is TcpData {
  return isTagged(msg, 'tcp') && (socket === undefined || (msg as TcpData).socket === socket);
}

export function isTcpClosed(msg: unknown, socket?: Socket): msg is TcpClosed {
  return isTagged(msg, 'tcp_closed') && (socket === undefined || (msg as TcpClosed).socket === socket);
}
