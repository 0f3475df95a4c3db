/**
 * L1, "the silly way": a connection per command.
 *
 *   {:ok, sock} = :gen_tcp.connect(...)
 *   :gen_tcp.send(sock, encode(cmd))
 *   {:ok, data} = :gen_tcp.recv(sock, 0)
 *   :gen_tcp.close(sock)
 *
 * Correct, and every call pays a handshake (one round trip, three with TLS) and the server an
 * accept: watch the connection count climb.
 */
import type { Micros } from '../kernel/time.js';
import { tcp } from '../net/index.js';
import type { RespValue } from '../resp/index.js';
import type { Ctx, Gen } from '../runtime/index.js';
import { PIPELINE_REPLY, Wire, beginRequest, endRequest, failure, type ClientEnv, type Command, type CommandResult } from './common.js';

export interface NaiveClient {
  readonly kind: 'naive';
  readonly env: ClientEnv;
}

export function startNaive(env: ClientEnv): NaiveClient {
  return { kind: 'naive', env };
}

export function* naiveCommand(ctx: Ctx, client: NaiveClient, cmds: readonly Command[], timeout: Micros): Gen<CommandResult> {
  const req = beginRequest(ctx, cmds);
  const deadline = ctx.now + timeout;
  const r = yield* tcp.connect(ctx, client.env.net, client.env.address, { active: false, timeout });
  if (!r.ok) {
    ctx.trace('client.failed_connection', { pid: ctx.self, reason: r.error });
    return endRequest(ctx, req, failure(r.error === 'timeout' ? 'timeout' : 'connect_failed', false));
  }
  const sock = r.socket;
  ctx.trace('client.connection', { pid: ctx.self, conn: sock.id });
  const wire = new Wire(sock, client.env.codecNsPerByte);
  try {
    if (!wire.write(ctx, req, cmds)) return endRequest(ctx, req, failure('disconnected', false));
    const replies: RespValue[] = [];
    while (replies.length < cmds.length) {
      const got = yield* tcp.recv(ctx, sock, 0, Math.max(0, deadline - ctx.now));
      if (!got.ok) return endRequest(ctx, req, failure(got.error === 'timeout' ? 'timeout' : 'disconnected', true));
      for (const v of wire.read(ctx, got.data)) {
        ctx.emit(PIPELINE_REPLY, req, wire.conn, wire.replied++);
        replies.push(v);
      }
    }
    return endRequest(ctx, req, { ok: true, replies });
  } finally {
    tcp.close(ctx, sock);
    ctx.trace('client.disconnection', { pid: ctx.self, conn: sock.id, reason: 'closed' });
  }
}
