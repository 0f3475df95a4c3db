/** The socket contract (tests/unit/helpers/socket-contract.ts) on the simulated Network. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/kernel/index.js';
import { Runtime } from '../../sim/runtime/index.js';
import { Network, type ServerConn } from '../../sim/net/index.js';
import { socketContract, type ServerLog, type ServerSide } from './helpers/socket-contract.js';

const ADDR = 'server:7000';
const text = (b: Uint8Array) => new TextDecoder().decode(b);

socketContract('the simulated network', {
  async run(server, main) {
    const kernel = new Kernel({ seed: 1 });
    const rt = new Runtime(kernel, { schedulers: 2 });
    const net = new Network(rt, { latencyUs: 250 });
    const log: ServerLog = { accepted: 0, received: '', closed: 0 };
    const side = (conn: ServerConn): ServerSide => ({ write: (t) => conn.write(new TextEncoder().encode(t)), close: () => conn.close() });
    net.listen(ADDR, {
      accept(conn) {
        log.accepted++;
        server.accept?.(side(conn));
      },
      data(conn, data) {
        log.received += text(data);
        server.data?.(side(conn), text(data));
      },
      closed() {
        log.closed++;
      },
    });
    let done = false;
    let value: unknown;
    rt.spawn(function* (ctx) {
      value = yield* main(ctx, net, ADDR, log);
      done = true;
    });
    kernel.run();
    if (rt.crashes.length > 0) throw new Error(`processes crashed: ${rt.crashes.map((c) => String(c.error)).join('; ')}`);
    if (!done) throw new Error('the test process did not finish');
    return value as never;
  },
  refusedAddress: async () => 'nobody:7000',
});

describe("a socket's state is its own", () => {
  it('clients_read_only_what_a_socket_shows_and_act_on_it_through_gen_tcp', () => {
    // What process code may read of a tcp.Socket; everything else goes through sim/net/tcp.ts.
    const shown = new Set(['id', 'unread', 'pending', 'isClosed', 'closed', 'peerClosed', 'active', 'owner']);
    const dir = join(import.meta.dirname, '../../sim/clients');
    const reached: string[] = [];
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = readFileSync(join(dir, f), 'utf8');
      for (const m of src.matchAll(/\b(?:socket|sock)\.([A-Za-z_$#][\w$]*)/g)) if (!shown.has(m[1]!)) reached.push(`${f}: ${m[0]}`);
    }
    expect(reached).toEqual([]);
  });
});
