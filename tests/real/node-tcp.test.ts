/**
 * Node's sockets behind the simulator's gen_tcp (real/node-tcp.ts), with the link emulated: what
 * the server sends, and its close, reach the client after its connect, never lost before it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { ms } from '../../sim/kernel/time.js';
import { connect, recv } from '../../sim/net/tcp.js';
import { inRealWorld } from './helpers.js';

const servers: net.Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** A server that writes `reply` to every connection and closes it at once (Redis at maxclients). */
function refusing(reply: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.createServer((c) => {
      c.on('error', () => undefined);
      c.end(reply);
    });
    servers.push(s);
    s.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(s.address() as net.AddressInfo).port}`));
  });
}

describe('NodeTcp with the link emulated', () => {
  it('a_server_that_writes_and_closes_at_once_is_seen_to_write_then_close', async () => {
    const address = await refusing('-ERR max clients reached\r\n');
    for (let i = 0; i < 5; i++) {
      const seen = await inRealWorld(
        address,
        null,
        function* (ctx, _client, world) {
          const c = yield* connect(ctx, world.net, address, { timeout: ms(2000) });
          if (!c.ok) return [`connect ${c.error}`];
          const out: string[] = [];
          for (;;) {
            const r = yield* recv(ctx, c.socket, 0, ms(2000));
            if (!r.ok) {
              out.push(r.error);
              return out;
            }
            out.push(Buffer.from(r.data).toString());
          }
        },
        20_000,
        ms(10),
      );
      expect(seen.join('')).toBe('-ERR max clients reached\r\nclosed');
      expect(seen[seen.length - 1]).toBe('closed');
    }
  });
});
