/**
 * Node's sockets behind the simulator's gen_tcp (real/node-tcp.ts), with the link emulated: what
 * the server sends, and its close, reach the client after its connect, never lost before it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { ms } from '../../sim/kernel/time.js';
import { close, connect, recv } from '../../sim/net/tcp.js';
import { realWorld } from '../../real/world.js';
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

/** A server that accepts and keeps connections; `closed` counts the ones the client closed. */
function keeping(): Promise<{ address: string; accepted: () => number; closed: () => number }> {
  let accepted = 0;
  let closed = 0;
  return new Promise((resolve) => {
    const s = net.createServer((c) => {
      accepted++;
      c.on('error', () => undefined);
      c.on('close', () => closed++);
    });
    servers.push(s);
    s.listen(0, '127.0.0.1', () => resolve({ address: `127.0.0.1:${(s.address() as net.AddressInfo).port}`, accepted: () => accepted, closed: () => closed }));
  });
}

const until = async (f: () => boolean, ms: number) => {
  const end = performance.now() + ms;
  while (!f() && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
  return f();
};

describe('NodeTcp.closeAll', () => {
  it('closes_a_connect_still_in_flight', async () => {
    const server = await keeping();
    const world = realWorld(1, server.address);
    world.rt.spawn(
      function* (ctx) {
        yield* connect(ctx, world.net, server.address, { timeout: ms(5000) });
      },
      { name: 'connecting' },
    );
    world.driver.start();
    world.driver.stop();
    world.net.closeAll();
    // The kernel may have completed the handshake before the destroy: then the server sees a close.
    await new Promise((r) => setTimeout(r, 100));
    expect(await until(() => server.closed() === server.accepted(), 2000)).toBe(true);
  });

  it('closes_a_socket_whose_close_waits_on_the_links_latency', async () => {
    const server = await keeping();
    await inRealWorld(
      server.address,
      null,
      function* (ctx, _client, world) {
        const c = yield* connect(ctx, world.net, server.address, { timeout: ms(2000) });
        if (!c.ok) throw new Error(c.error);
        close(ctx, c.socket);
      },
      20_000,
      ms(500),
    );
    expect(await until(() => server.accepted() === 1 && server.closed() === 1, 2000)).toBe(true);
  });
});
