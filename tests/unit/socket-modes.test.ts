import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/kernel/index.js';
import { Runtime } from '../../sim/runtime/index.js';
import { Network, tcp, type ServerConn, type ServerHandler } from '../../sim/net/index.js';
import { parseScenario } from '../../sim/scenario/index.js';
import { runScenario } from '../../sim/scenario/run.js';

// Issue 15, item 1: a socket's bytes reach one reader, in order, whichever mode the socket was in
// when each of them came.

const ADDR = 'server:7000';
const text = (b: Uint8Array) => new TextDecoder().decode(b);

class Echo implements ServerHandler {
  accept(_conn: ServerConn) {}
  data(conn: ServerConn, data: Uint8Array) {
    conn.write(data);
  }
  closed() {}
}

describe('a socket switched to passive', () => {
  it('reads_bytes_that_were_on_their_way_to_the_mailbox_before_later_ones', () => {
    const kernel = new Kernel({ seed: 1 });
    const rt = new Runtime(kernel, { schedulers: 2 });
    // MSS 2: "ABCD" comes back as two segments at the same instant.
    const net = new Network(rt, { latencyUs: 250, mss: 2 });
    net.listen(ADDR, new Echo());
    let read = '';
    let leftInMailbox = -1;
    rt.spawn(function* (ctx) {
      const r = yield* tcp.connect(ctx, net, ADDR, { active: 'once' });
      if (!r.ok) throw new Error(r.error);
      tcp.send(ctx, r.socket, new TextEncoder().encode('ABCD'));
      // Wake at the instant the echo arrives, after its first segment was handed to the mailbox
      // (a delivery is an event of its own) and before it landed: then switch to passive.
      yield* ctx.sleep(300);
      yield* ctx.sleep(200);
      tcp.setActive(ctx, r.socket, false);
      while (read.length < 4) {
        const got = yield* tcp.recv(ctx, r.socket, 0, 10_000);
        if (!got.ok) break;
        read += text(got.data);
      }
      leftInMailbox = ctx.poll((m): m is unknown => tcp.isTcpData(m)) === undefined ? 0 : 1;
    });
    kernel.run();
    expect(read).toBe('ABCD');
    expect(leftInMailbox).toBe(0);
  });
});

describe('the serial client with an idle socket that speaks', () => {
  it('never_decodes_a_reply_from_the_middle_of_a_frame', () => {
    // The case: MSS 7 cuts the greeting "-ERR max number of clients reached" into
    // segments, jitter spreads them, maxClients 1 makes every second connect get it.
    for (const seed of [1, 6, 8, 11]) {
      const p = parseScenario({
        seed,
        durationMs: 300,
        drainMs: 200,
        network: { mss: 7, jitterMs: 0.5 },
        server: { maxClients: 1 },
        workload: { callers: 4, callTimeoutMs: 50 },
        clients: [{ label: 'serial', kind: 'serial', backoff: { strategy: 'exp', initialMs: 2, maxMs: 20 } }],
        faults: [{ atMs: 100, kind: 'partition', forMs: 20, mode: 'drop' }],
      });
      if (!p.ok) throw new Error(p.errors.join('\n'));
      const w = runScenario(p.scenario).worlds[0]!;
      expect(w.world.rt.crashes.map((c) => String(c.error)), `seed ${seed}`).toEqual([]);
      expect(w.metrics.requests.errors.noproc ?? 0, `seed ${seed}`).toBe(0);
      expect(w.metrics.invariants.lost + w.metrics.invariants.misrouted, `seed ${seed}`).toBe(0);
    }
  });
});
