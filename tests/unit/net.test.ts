import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Kernel, ms } from '../../sim/kernel/index.js';
import { Runtime, type Ctx, type Gen } from '../../sim/runtime/index.js';
import { Network, tcp, type LinkOptions, type ServerConn, type ServerHandler } from '../../sim/net/index.js';

const ADDR = 'server:7000';
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A server that records what it gets and, unless told otherwise, echoes it back. */
class EchoServer implements ServerHandler {
  conns: ServerConn[] = [];
  received: Array<{ t: number; conn: number; data: string }> = [];
  closes: Array<{ t: number; conn: number; how: string }> = [];
  echo = true;
  constructor(private readonly kernel: Kernel) {}
  accept(conn: ServerConn) {
    this.conns.push(conn);
  }
  data(conn: ServerConn, data: Uint8Array) {
    this.received.push({ t: this.kernel.now, conn: conn.id, data: text(data) });
    if (this.echo) conn.write(data);
  }
  closed(conn: ServerConn, how: 'fin' | 'reset') {
    this.closes.push({ t: this.kernel.now, conn: conn.id, how });
  }
}

function world(link: Partial<LinkOptions> = {}, seed = 1) {
  const kernel = new Kernel({ seed });
  const rt = new Runtime(kernel, { schedulers: 4 });
  const net = new Network(rt, { latencyUs: 250, ...link });
  const server = new EchoServer(kernel);
  const listener = net.listen(ADDR, server);
  return { kernel, rt, net, server, listener };
}

function* connected(ctx: Ctx, net: Network, active: tcp.ConnectOptions['active'] = false): Gen<tcp.Socket> {
  const r = yield* tcp.connect(ctx, net, ADDR, { active });
  if (!r.ok) throw new Error(`connect failed: ${r.error}`);
  return r.socket;
}

describe('connect', () => {
  it('connect_costs_one_round_trip', () => {
    const { kernel, rt, net } = world();
    let at = -1;
    rt.spawn(function* (ctx) {
      yield* connected(ctx, net);
      at = ctx.now;
    });
    kernel.run();
    expect(at).toBe(500);
  });

  it('a_tls_handshake_costs_three_round_trips', () => {
    const { kernel, rt, net } = world({ connectRtts: 3 });
    let at = -1;
    rt.spawn(function* (ctx) {
      yield* connected(ctx, net);
      at = ctx.now;
    });
    kernel.run();
    expect(at).toBe(1500);
  });

  it('connect_to_a_closed_port_is_refused_after_a_round_trip', () => {
    const { kernel, rt, net, listener } = world();
    listener.close();
    let r: unknown;
    let at = -1;
    rt.spawn(function* (ctx) {
      r = yield* tcp.connect(ctx, net, ADDR);
      at = ctx.now;
    });
    kernel.run();
    expect(r).toEqual({ ok: false, error: 'econnrefused' });
    expect(at).toBe(500);
  });

  it('refused_connections_fault_refuses_only_during_its_window', () => {
    const { kernel, rt, net } = world();
    const results: unknown[] = [];
    kernel.at(0, () => net.refuseConnections(ms(10)));
    rt.spawn(function* (ctx) {
      results.push((yield* tcp.connect(ctx, net, ADDR)).ok);
      yield* ctx.sleep(ms(10));
      results.push((yield* tcp.connect(ctx, net, ADDR)).ok);
    });
    kernel.run();
    expect(results).toEqual([false, true]);
  });

  it('network_partitions_during_connect_time_out', () => {
    const { kernel, rt, net, server } = world();
    kernel.at(0, () => net.partition('drop', ms(100)));
    let r: unknown;
    rt.spawn(function* (ctx) {
      r = yield* tcp.connect(ctx, net, ADDR, { timeout: ms(50) });
    });
    kernel.run();
    expect(r).toEqual({ ok: false, error: 'timeout' });
    expect(server.conns).toHaveLength(0); // the SYN retried after the heal finds an abandoned attempt
  });

  it('a_connect_waiting_on_a_partition_completes_after_the_heal_within_its_timeout', () => {
    const { kernel, rt, net } = world();
    kernel.at(0, () => net.partition('hold', ms(10)));
    let at = -1;
    rt.spawn(function* (ctx) {
      yield* connected(ctx, net);
      at = ctx.now;
    });
    kernel.run();
    expect(at).toBe(ms(10) + 250 + 250);
  });
});

describe('bytes on the wire', () => {
  it('a_passive_recv_gets_the_echo_one_round_trip_later', () => {
    const { kernel, rt, net } = world();
    const got: Array<[string, number]> = [];
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net);
      tcp.send(ctx, s, bytes('hello'));
      const r = yield* tcp.recv(ctx, s, 0, ms(10));
      if (r.ok) got.push([text(r.data), ctx.now]);
    });
    kernel.run();
    expect(got).toEqual([['hello', 1000]]);
  });

  it('recv_with_a_length_waits_for_exactly_that_many_bytes', () => {
    const { kernel, rt, net } = world({ mss: 3 });
    const got: string[] = [];
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net);
      tcp.send(ctx, s, bytes('abcdefgh'));
      for (const n of [5, 3]) {
        const r = yield* tcp.recv(ctx, s, n, ms(10));
        if (r.ok) got.push(text(r.data));
      }
    });
    kernel.run();
    expect(got).toEqual(['abcde', 'fgh']);
  });

  it('writes_are_cut_into_mss_segments', () => {
    const { kernel, rt, net, server } = world({ mss: 4 });
    server.echo = false;
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net);
      tcp.send(ctx, s, bytes('0123456789'));
    });
    kernel.run();
    expect(server.received.map((r) => r.data)).toEqual(['0123', '4567', '89']);
  });

  it('bandwidth_limits_how_fast_bytes_arrive', () => {
    const { kernel, rt, net, server } = world({ bandwidthMbps: 8, mss: 1000 }); // 8 Mbps = 1 byte/µs
    server.echo = false;
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net);
      tcp.send(ctx, s, new Uint8Array(10_000));
    });
    kernel.run();
    const last = server.received.at(-1)!;
    expect(last.t).toBe(500 + 10_000 + 250);
  });

  it('tcp_is_full_duplex_both_directions_stream_at_once', () => {
    // 1 byte/µs each way: 10 kB up and 10 kB down overlap instead of taking twice as long.
    const { kernel, rt, net, server } = world({ bandwidthMbps: 8, mss: 1000 });
    server.echo = false;
    let downDone = -1;
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net);
      tcp.send(ctx, s, new Uint8Array(10_000));
      const r = yield* tcp.recv(ctx, s, 10_000, ms(100));
      if (r.ok) downDone = ctx.now;
    });
    kernel.at(300, () => server.conns[0]!.write(new Uint8Array(10_000))); // accepted at 250
    kernel.run();
    const upDone = server.received.at(-1)!.t;
    expect(upDone).toBe(500 + 10_000 + 250);
    expect(downDone).toBe(300 + 10_000 + 250);
  });

  it('any_slicing_and_jitter_delivers_every_byte_in_order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 50 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer(),
        (writes, avg, variation, jitterUs, seed) => {
          const { kernel, rt, net, server } = world({ slicer: { averageBytes: avg, variationBytes: Math.min(variation, avg) }, jitterUs }, seed);
          server.echo = false;
          rt.spawn(function* (ctx) {
            const s = yield* connected(ctx, net);
            for (const w of writes) {
              tcp.send(ctx, s, bytes(w));
              yield* ctx.sleep(7);
            }
          });
          kernel.run();
          expect(server.received.map((r) => r.data).join('')).toBe(writes.join(''));
          const times = server.received.map((r) => r.t);
          expect([...times].sort((a, b) => a - b)).toEqual(times);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('segments_do_not_follow_message_boundaries_under_a_slicer', () => {
    const { kernel, rt, net, server } = world({ slicer: { averageBytes: 3, variationBytes: 2 } }, 5);
    server.echo = false;
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net);
      tcp.send(ctx, s, bytes('GET key\r\n'));
    });
    kernel.run();
    expect(server.received.length).toBeGreaterThan(1);
    expect(server.received.map((r) => r.data).join('')).toBe('GET key\r\n');
  });
});

describe('active mode and ownership', () => {
  it('an_active_socket_sends_data_and_closed_messages_to_its_owner', () => {
    const { kernel, rt, net, server } = world();
    server.echo = false;
    const got: string[] = [];
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net, true);
      for (;;) {
        const m = yield* ctx.receive();
        if (tcp.isTcpData(m, s)) got.push(`data:${text(m.data)}`);
        if (tcp.isTcpClosed(m, s)) {
          got.push('closed');
          return;
        }
      }
    });
    kernel.at(1000, () => {
      server.conns[0]!.write(bytes('+OK\r\n'));
      server.conns[0]!.close();
    });
    kernel.run();
    expect(got).toEqual(['data:+OK\r\n', 'closed']);
  });

  it('active_once_delivers_one_message_then_buffers', () => {
    const { kernel, rt, net, server } = world();
    server.echo = false;
    const got: string[] = [];
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net, 'once');
      const m = yield* ctx.receive(tcp.isTcpData);
      got.push(text(m.data));
      yield* ctx.sleep(ms(1));
      const r = yield* tcp.recv(ctx, s, 0, 0);
      if (r.ok) got.push(`passive:${text(r.data)}`);
    });
    kernel.at(600, () => server.conns[0]!.write(bytes('one')));
    kernel.at(700, () => server.conns[0]!.write(bytes('two')));
    kernel.run();
    expect(got).toEqual(['one', 'passive:two']);
  });

  it('controlling_process_hands_active_messages_to_the_new_owner', () => {
    const { kernel, rt, net, server } = world();
    server.echo = false;
    const got: string[] = [];
    const worker = rt.spawn(function* (ctx) {
      const m = yield* ctx.receive(tcp.isTcpData);
      got.push(`worker:${text(m.data)}`);
    });
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net, true);
      expect(tcp.controllingProcess(ctx, s, worker)).toEqual({ ok: true });
      expect(tcp.controllingProcess(ctx, s, worker)).toEqual({ ok: false, error: 'not_owner' });
      yield* ctx.receive(tcp.isTcpData, ms(5));
    });
    kernel.at(600, () => server.conns[0]!.write(bytes('hi')));
    kernel.run();
    expect(got).toEqual(['worker:hi']);
  });

  it('the_socket_closes_when_its_owner_exits', () => {
    const { kernel, rt, net, server } = world();
    rt.spawn(function* (ctx) {
      yield* connected(ctx, net);
      yield* ctx.sleep(ms(1));
      throw new Error('caller crashed');
    });
    kernel.run();
    expect(server.closes).toEqual([{ t: 500 + ms(1) + 250, conn: 1, how: 'fin' }]);
    expect(net.openConnections()).toBe(0);
  });
});

describe('faults', () => {
  it('a_reset_is_seen_by_an_active_socket_as_tcp_closed', () => {
    const { kernel, rt, net, server } = world();
    const got: Array<[string, number]> = [];
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net, true);
      const m = yield* ctx.receive((x) => tcp.isTcpClosed(x, s));
      got.push([m.type, ctx.now]);
    });
    kernel.at(ms(2), () => net.dropConnections());
    kernel.run();
    expect(got).toEqual([['tcp_closed', ms(2)]]);
    expect(server.closes).toEqual([{ t: ms(2), conn: 1, how: 'reset' }]);
  });

  it('a_reset_is_seen_by_a_passive_recv_as_closed_and_discards_unread_bytes', () => {
    const { kernel, rt, net, server } = world();
    server.echo = false;
    let r: unknown;
    let s2: unknown;
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net);
      yield* ctx.sleep(ms(2));
      r = yield* tcp.recv(ctx, s, 0, ms(1));
      s2 = tcp.send(ctx, s, bytes('x'));
    });
    kernel.at(600, () => server.conns[0]!.write(bytes('unread')));
    kernel.at(ms(1), () => server.conns[0]!.reset());
    kernel.run();
    expect(r).toEqual({ ok: false, error: 'closed' });
    expect(s2).toEqual({ ok: false, error: 'closed' });
  });

  it('a_blocked_recv_wakes_with_closed_on_reset', () => {
    const { kernel, rt, net, server } = world();
    server.echo = false;
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net);
      got.push(yield* tcp.recv(ctx, s, 0, ms(100)), ctx.now);
    });
    kernel.at(ms(1), () => server.conns[0]!.reset());
    kernel.run();
    expect(got).toEqual([{ ok: false, error: 'closed' }, ms(1) + 250]);
  });

  it('a_partition_is_revealed_only_by_a_timeout', () => {
    const { kernel, rt, net } = world();
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net);
      yield* ctx.sleep(ms(1));
      tcp.send(ctx, s, bytes('ping'));
      got.push(yield* tcp.recv(ctx, s, 0, ms(20)));
    });
    kernel.at(ms(1), () => net.partition('drop', ms(50)));
    kernel.run();
    expect(got).toEqual([{ ok: false, error: 'timeout' }]);
    // The only close is the client's own, when its process ends after the timeout.
    expect([...kernel.trace.ofKind('tcp.close')].map((c) => c.by)).toEqual(['client']);
  });

  it('held_bytes_are_delivered_in_order_after_the_heal', () => {
    const { kernel, rt, net, server } = world();
    const got: Array<[string, number]> = [];
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net);
      yield* ctx.sleep(ms(1));
      tcp.send(ctx, s, bytes('a'));
      tcp.send(ctx, s, bytes('b'));
      const r = yield* tcp.recv(ctx, s, 2, ms(100));
      if (r.ok) got.push([text(r.data), ctx.now]);
    });
    kernel.at(ms(1), () => net.partition('hold', ms(30)));
    kernel.run();
    expect(server.received.map((r) => [r.data, r.t])).toEqual([
      ['a', ms(31)],
      ['b', ms(31)],
    ]);
    expect(got).toEqual([['ab', ms(31) + 250]]);
  });

  it('after_a_drop_partition_old_connections_stay_dead_and_new_ones_work', () => {
    const { kernel, rt, net } = world();
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const old = yield* connected(ctx, net);
      yield* ctx.sleep(ms(20)); // partition from 1 ms to 11 ms
      tcp.send(ctx, old, bytes('lost'));
      got.push(yield* tcp.recv(ctx, old, 0, ms(5)));
      const fresh = yield* connected(ctx, net);
      tcp.send(ctx, fresh, bytes('ok'));
      const r = yield* tcp.recv(ctx, fresh, 0, ms(5));
      got.push(r.ok ? text(r.data) : r);
    });
    kernel.at(ms(1), () => net.partition('drop', ms(10)));
    kernel.run();
    expect(got).toEqual([{ ok: false, error: 'timeout' }, 'ok']);
  });

  it('a_latency_spike_slows_only_what_is_sent_during_it', () => {
    const { kernel, rt, net } = world();
    const rtts: number[] = [];
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net);
      for (let i = 0; i < 3; i++) {
        const t0 = ctx.now;
        tcp.send(ctx, s, bytes('x'));
        yield* tcp.recv(ctx, s, 1, ms(100));
        rtts.push(ctx.now - t0);
        yield* ctx.sleep(ms(10));
      }
    });
    kernel.at(ms(5), () => net.addLatency(ms(2), ms(10)));
    kernel.run();
    // Sent at 0.5 ms, 11.0 ms (inside the spike: 5..15 ms) and 21.5 ms.
    expect(rtts).toEqual([500, 500 + ms(4), 500]);
  });

  it('a_bandwidth_limit_applies_during_its_window', () => {
    const { kernel, rt, net, server } = world({ mss: 1000 });
    server.echo = false;
    rt.spawn(function* (ctx) {
      const s = yield* connected(ctx, net);
      tcp.send(ctx, s, new Uint8Array(1000));
      yield* ctx.sleep(ms(20));
      tcp.send(ctx, s, new Uint8Array(1000));
    });
    kernel.at(0, () => net.limitBandwidth(8, ms(10))); // 1 byte/µs until 10 ms
    kernel.run();
    expect(server.received.map((r) => r.t)).toEqual([500 + 1000 + 250, 500 + ms(20) + 250]);
  });

  it('invalid_link_settings_name_the_field', () => {
    const kernel = new Kernel({ seed: 1 });
    const rt = new Runtime(kernel);
    expect(() => new Network(rt, { latencyUs: -1 })).toThrow(/network\.latencyUs must be a whole number/);
    expect(() => new Network(rt, { mss: 0 })).toThrow(/network\.mss/);
    expect(() => new Network(rt, { connectRtts: 0.5 })).toThrow(/network\.connectRtts/);
  });
});
