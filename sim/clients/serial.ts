/**
 * L2: one socket kept in a GenServer, used serially. handleCall sends the command and then blocks
 * in a passive recv until the reply is in, so the process serves one request at a time: callers
 * queue in its mailbox and throughput is capped at one request per round trip. No more connect
 * cost per command (L1), but no concurrency either: the step between L1 and L3/L4.
 *
 *   def handle_call({:command, cmd}, _from, sock) do
 *     :gen_tcp.send(sock, encode(cmd))
 *     {:ok, data} = :gen_tcp.recv(sock, 0)
 *     {:reply, decode(data), sock}
 *   end
 *
 * Between calls the socket is `active: :once`, so the process hears when Redis closes it
 * instead of finding out on the next call (as Postgrex does with its idle sockets).
 */
import type { Micros } from '../kernel/time.js';
import { tcp } from '../net/index.js';
import type { RespValue } from '../resp/index.js';
import { Connection, GenServer, type ConnectionSpec, type Ctx, type Gen } from '../runtime/index.js';
import { makeBackoff, type Backoff, type BackoffOptions } from './backoff.js';
import { PIPELINE_REPLY, Wire, beginRequest, connectionOptionsShape, endRequest, failure, openConnection, type ClientEnv, type Command, type CommandResult, type Established } from './common.js';

export interface SerialOptions {
  backoff: BackoffOptions;
  connect: 'sync' | 'async';
  connectTimeoutMs: number;
  /** When a connection counts as up and the backoff resets (common.ts, Established). */
  established: Established;
}

/** The scenario's options of a serial client (sim/scenario/schema.ts composes them). */
export const serialOptionsShape = { ...connectionOptionsShape };

export const defaultSerial: SerialOptions = { backoff: { strategy: 'redix' }, connect: 'async', connectTimeoutMs: 5000, established: 'reply' };

export interface SerialClient {
  readonly kind: 'serial';
  readonly name: string;
  readonly env: ClientEnv;
  readonly options: SerialOptions;
}

export function serialClient(env: ClientEnv, name: string, options: Partial<SerialOptions> = {}): SerialClient {
  return { kind: 'serial', name, env, options: { ...defaultSerial, ...options } };
}

interface CommandRequest {
  readonly type: 'command';
  readonly req: number;
  readonly cmds: readonly Command[];
  /** When the caller gives up: past it, the command is not even sent. */
  readonly deadline: Micros;
}

interface State {
  wire: Wire | null;
  backoff: Backoff;
}

function serialSpec(client: SerialClient): ConnectionSpec<State> {
  const { env, options } = client;

  function* open(ctx: Ctx, s: State): Gen<boolean> {
    const wire = yield* openConnection(ctx, env, options, s.backoff);
    if (wire === null) return false;
    s.wire = wire;
    tcp.setActive(ctx, wire.socket, 'once');
    return true;
  }

  return {
    *init(ctx) {
      ctx.register(client.name);
      const s: State = { wire: null, backoff: makeBackoff(options.backoff, ctx.random(`backoff/${client.name}`)) };
      if (options.connect === 'async') return ['connect', 'init', s];
      if (!(yield* open(ctx, s))) return ['stop', 'connection_failed'];
      return ['ok', s];
    },
    *connect(_info, s, ctx) {
      if (yield* open(ctx, s)) return ['ok', s];
      return ['backoff', s.backoff.next(), s];
    },
    *disconnect(reason, s, ctx) {
      if (s.wire !== null) {
        tcp.close(ctx, s.wire.socket);
        ctx.trace('client.disconnection', { pid: ctx.self, conn: s.wire.conn, reason: String(reason) });
        s.wire = null;
      }
      return ['backoff', 0, s];
    },
    *handleCall(request, from, s, ctx) {
      const { req, cmds, deadline } = request as CommandRequest;
      if (s.wire === null) return ['reply', failure('closed', false), s];
      if (ctx.now >= deadline) return ['reply', failure('timeout', false), s];
      const wire = s.wire;
      const idle = wire.passive(ctx);
      if (idle !== 'ok') {
        // Nothing was sent: the caller is told so, and the next call finds a new socket.
        GenServer.reply(ctx, from, failure('closed', false));
        return ['disconnect', idle, s];
      }
      if (!wire.write(ctx, req, cmds)) {
        GenServer.reply(ctx, from, failure('closed', false));
        return ['disconnect', 'send_failed', s];
      }
      const replies: RespValue[] = [];
      while (replies.length < cmds.length) {
        // The blocking recv inside handle_call: nothing else is served meanwhile.
        const got = yield* tcp.recv(ctx, wire.socket, 0, Math.max(0, deadline - ctx.now));
        if (!got.ok) {
          GenServer.reply(ctx, from, failure(got.error === 'timeout' ? 'timeout' : 'disconnected', true));
          // A late reply would answer the next caller's command: this socket must go.
          return ['disconnect', got.error, s];
        }
        for (const v of wire.read(ctx, got.data)) {
          ctx.emit(PIPELINE_REPLY, req, wire.conn, wire.replied++);
          replies.push(v);
        }
      }
      tcp.setActive(ctx, wire.socket, 'once');
      return ['reply', { ok: true, replies } satisfies CommandResult, s];
    },
    *handleInfo(msg, s) {
      // Only an idle socket is active: a close, or bytes nobody asked for, end it.
      if ((tcp.isTcpClosed(msg) || tcp.isTcpData(msg)) && msg.socket === s.wire?.socket) {
        return ['disconnect', tcp.isTcpClosed(msg) ? 'tcp_closed' : 'unexpected_data', s];
      }
      return ['noreply', s];
    },
  };
}

export function* startSerial(ctx: Ctx, client: SerialClient): Gen<GenServer.StartOutcome> {
  return yield* Connection.startConnectionLink(ctx, serialSpec(client), { name: client.name });
}

export function* serialCommand(ctx: Ctx, client: SerialClient, cmds: readonly Command[], timeout: Micros): Gen<CommandResult> {
  const req = beginRequest(ctx, cmds);
  const pid = ctx.whereis(client.name);
  if (pid === undefined) return endRequest(ctx, req, failure('noproc', false));
  const deadline = ctx.now + timeout;
  const r = yield* GenServer.call<CommandResult>(ctx, pid, { type: 'command', req, cmds, deadline } satisfies CommandRequest, timeout);
  if (r.ok) return endRequest(ctx, req, r.value);
  if (r.error === 'timeout') return endRequest(ctx, req, failure('timeout', true));
  return endRequest(ctx, req, failure('noproc', r.error === 'exit'));
}
