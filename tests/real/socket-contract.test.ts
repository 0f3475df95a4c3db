/** The socket contract (tests/unit/helpers/socket-contract.ts) on Node's real sockets, on loopback. */
import { afterAll } from 'vitest';
import * as net from 'node:net';
import { socketContract, type ServerLog, type ServerSide } from '../unit/helpers/socket-contract.js';
import { inRealWorld } from './helpers.js';

const servers: net.Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

function listen(s: net.Server): Promise<string> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(s.address() as net.AddressInfo).port}`)));
}

socketContract("Node's sockets", {
  async run(server, main) {
    const log: ServerLog = { accepted: 0, received: '', closed: 0 };
    const s = net.createServer((c) => {
      log.accepted++;
      c.on('error', () => undefined);
      c.on('close', () => log.closed++);
      const side: ServerSide = { write: (t) => c.write(t), close: () => c.end() };
      c.on('data', (d: Buffer) => {
        log.received += d.toString();
        server.data?.(side, d.toString());
      });
      server.accept?.(side);
    });
    servers.push(s);
    const address = await listen(s);
    return inRealWorld(address, null, (ctx, _client, world) => main(ctx, world.net, address, log));
  },
  async refusedAddress() {
    // A port that was just free: nothing listens on it once this server is closed.
    const s = net.createServer();
    const address = await listen(s);
    await new Promise((r) => s.close(r));
    return address;
  },
});
