import { describe, expect, it } from 'vitest';
import { Kernel, ms } from '../../sim/kernel/index.js';
import { Runtime, type Ctx, type Gen } from '../../sim/runtime/index.js';
import { Network, tcp, type LinkOptions } from '../../sim/net/index.js';
import { RespDecoder, encodeCommand, type RespValue } from '../../sim/resp/index.js';
import { RedisServer, type RedisOptions } from '../../sim/redis/server.js';

const ADDR = 'redis:6379';

function world(server: Partial<RedisOptions> = {}, link: Partial<LinkOptions> = {}) {
  const kernel = new Kernel({ seed: 1 });
  const rt = new Runtime(kernel, { schedulers: 8 });
  const net = new Network(rt, { latencyUs: 100, ...link });
  const redis = new RedisServer(net, { commandUs: 10, readEventUs: 20, ...server });
  return { kernel, rt, net, redis };
}

/** A bare RESP client over a passive socket: enough to talk to the server in tests. */
class Conn {
  private readonly decoder = new RespDecoder();
  private readonly ready: RespValue[] = [];
  constructor(readonly socket: tcp.Socket) {}

  static *open(ctx: Ctx, net: Network): Gen<Conn> {
    const r = yield* tcp.connect(ctx, net, ADDR);
    if (!r.ok) throw new Error(`connect: ${r.error}`);
    return new Conn(r.socket);
  }

  send(ctx: Ctx, ...commands: string[][]): void {
    for (const c of commands) tcp.send(ctx, this.socket, encodeCommand(c));
  }

  sendRaw(ctx: Ctx, raw: string): void {
    tcp.send(ctx, this.socket, new TextEncoder().encode(raw));
  }

  /** The next reply, or 'closed' / 'timeout'. */
  *read(ctx: Ctx, timeout = ms(1000)): Gen<RespValue | 'closed' | 'timeout'> {
    while (this.ready.length === 0) {
      const r = yield* tcp.recv(ctx, this.socket, 0, timeout);
      if (!r.ok) return r.error;
      this.ready.push(...this.decoder.feed(r.data));
    }
    return this.ready.shift()!;
  }

  *call(ctx: Ctx, ...args: string[]): Gen<unknown> {
    this.send(ctx, args);
    return show(yield* this.read(ctx));
  }
}

/** Replies as plain values, so tests read like redis-cli. */
function show(v: RespValue | string): unknown {
  if (typeof v === 'string') return v;
  switch (v.type) {
    case 'simple':
      return v.value;
    case 'error':
      return `(error) ${v.value}`;
    case 'integer':
      return Number(v.value);
    case 'bulk':
      return v.value === null ? null : new TextDecoder().decode(v.value);
    case 'array':
      return v.value === null ? null : v.value.map(show);
    case 'null':
      return null;
    default:
      return v;
  }
}

describe('redis server', () => {
  it('ping_costs_a_round_trip_plus_a_read_event_and_a_command', () => {
    const { kernel, rt, net } = world();
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const c = yield* Conn.open(ctx, net);
      const t0 = ctx.now;
      got.push(yield* c.call(ctx, 'PING'), ctx.now - t0);
    });
    kernel.run();
    expect(got).toEqual(['PONG', 200 + 20 + 10]);
  });

  it('inline_commands_are_understood', () => {
    const { kernel, rt, net } = world();
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const c = yield* Conn.open(ctx, net);
      c.sendRaw(ctx, 'SET greeting "hello world"\r\nGET greeting\r\n');
      got.push(show(yield* c.read(ctx)), show(yield* c.read(ctx)));
    });
    kernel.run();
    expect(got).toEqual(['OK', 'hello world']);
  });

  it('a_pipeline_pays_one_read_event_for_all_its_commands', () => {
    const pipelined = world();
    const serial = world();
    const n = 10;
    const done = { pipelined: -1, serial: -1 };
    pipelined.rt.spawn(function* (ctx) {
      const c = yield* Conn.open(ctx, pipelined.net);
      c.send(ctx, ...Array.from({ length: n }, (_, i) => ['SET', `k${i}`, 'v']));
      for (let i = 0; i < n; i++) yield* c.read(ctx);
      done.pipelined = ctx.now;
    });
    serial.rt.spawn(function* (ctx) {
      const c = yield* Conn.open(ctx, serial.net);
      for (let i = 0; i < n; i++) yield* c.call(ctx, 'SET', `k${i}`, 'v');
      done.serial = ctx.now;
    });
    pipelined.kernel.run();
    serial.kernel.run();
    expect(pipelined.redis.busyUs).toBe(20 + n * 10);
    expect(serial.redis.busyUs).toBe(n * (20 + 10));
    expect(pipelined.redis.readEvents).toBe(1);
    // Pipelining time is RTT + k·s against k·(RTT + s).
    expect(done.pipelined).toBe(200 + 200 + 20 + n * 10);
    expect(done.serial).toBe(200 + n * (200 + 30));
  });

  it('replies_come_back_in_order_per_connection', () => {
    const { kernel, rt, net } = world({}, { slicer: { averageBytes: 3, variationBytes: 2 } });
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const c = yield* Conn.open(ctx, net);
      c.send(ctx, ['SET', 'a', '1'], ['INCR', 'a'], ['INCR', 'a'], ['GET', 'a'], ['ECHO', 'done']);
      for (let i = 0; i < 5; i++) got.push(show(yield* c.read(ctx)));
    });
    kernel.run();
    expect(got).toEqual(['OK', 2, 3, '3', 'done']);
  });

  it('one_connection_at_a_time_the_server_is_single_threaded', () => {
    const { kernel, rt, net, redis } = world({ commandUs: 100, readEventUs: 0 });
    const done: number[] = [];
    for (let i = 0; i < 3; i++) {
      rt.spawn(function* (ctx) {
        const c = yield* Conn.open(ctx, net);
        yield* c.call(ctx, 'PING');
        done.push(ctx.now);
      });
    }
    kernel.run();
    // All three PINGs land at 300 µs; they are served one after another.
    expect(done).toEqual([300 + 100 + 100, 300 + 200 + 100, 300 + 300 + 100]);
    expect(redis.busyUs).toBe(300);
  });

  it('maxclients_rejects_one_more_connection_with_an_error_then_closes_it', () => {
    const { kernel, rt, net } = world({ maxClients: 2 });
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      yield* Conn.open(ctx, net);
      yield* Conn.open(ctx, net);
      const third = yield* Conn.open(ctx, net);
      got.push(show(yield* third.read(ctx)), yield* third.read(ctx));
    });
    kernel.run();
    expect(got).toEqual(['(error) ERR max number of clients reached', 'closed']);
  });

  it('blpop_blocks_only_its_own_connection', () => {
    const { kernel, rt, net } = world();
    const log: unknown[] = [];
    rt.spawn(function* (ctx) {
      const a = yield* Conn.open(ctx, net);
      log.push(['a', yield* a.call(ctx, 'BLPOP', 'jobs', '0'), ctx.now]);
    });
    rt.spawn(function* (ctx) {
      const b = yield* Conn.open(ctx, net);
      yield* ctx.sleep(ms(1));
      log.push(['b', yield* b.call(ctx, 'PING'), ctx.now]);
      log.push(['b', yield* b.call(ctx, 'RPUSH', 'jobs', 'j1'), ctx.now]);
    });
    kernel.run();
    expect(log.map((e) => (e as unknown[]).slice(0, 2))).toEqual([
      ['b', 'PONG'],
      ['b', 1],
      ['a', ['jobs', 'j1']],
    ]);
  });

  it('blpop_times_out_with_a_null_reply', () => {
    const { kernel, rt, net } = world();
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const a = yield* Conn.open(ctx, net);
      const t0 = ctx.now;
      got.push(yield* a.call(ctx, 'BLPOP', 'jobs', '0.05'));
      got.push(ctx.now - t0 >= ms(50) && ctx.now - t0 < ms(51));
      got.push(yield* a.call(ctx, 'PING'));
    });
    kernel.run();
    expect(got).toEqual([null, true, 'PONG']);
  });

  it('commands_sent_behind_a_blpop_wait_for_it', () => {
    const { kernel, rt, net } = world();
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const a = yield* Conn.open(ctx, net);
      a.send(ctx, ['BLPOP', 'q', '0.01'], ['PING']);
      got.push(show(yield* a.read(ctx)), ctx.now >= ms(10), show(yield* a.read(ctx)));
    });
    kernel.run();
    expect(got).toEqual([null, true, 'PONG']);
  });

  it('a_blpop_served_by_a_push_runs_what_queued_behind_it_once_the_push_is_done', () => {
    // One thread: the commands that waited behind the BLPOP run after the pushing read event
    // has used its CPU, never beside it.
    const { kernel, rt, net } = world({ commandUs: 100, readEventUs: 0 });
    rt.spawn(function* (ctx) {
      const a = yield* Conn.open(ctx, net);
      a.send(ctx, ['BLPOP', 'q', '0'], ['PING']);
      yield* a.read(ctx);
      yield* a.read(ctx);
    });
    rt.spawn(function* (ctx) {
      const b = yield* Conn.open(ctx, net);
      yield* ctx.sleep(ms(1));
      yield* b.call(ctx, 'RPUSH', 'q', 'x');
    });
    kernel.run();
    const events = [...kernel.trace.ofKind('redis.event')].filter((e) => e.commands > 0);
    for (let i = 1; i < events.length; i++) expect(events[i]!.t).toBeGreaterThanOrEqual(events[i - 1]!.t + events[i - 1]!.us);
    const execs = [...kernel.trace.ofKind('redis.exec')].map((e) => e.cmd);
    expect(execs).toEqual(['blpop', 'rpush', 'ping']);
  });

  it('debug_sleep_blocks_the_whole_server', () => {
    const { kernel, rt, net } = world();
    const log: Array<[string, number]> = [];
    rt.spawn(function* (ctx) {
      const a = yield* Conn.open(ctx, net);
      yield* a.call(ctx, 'DEBUG', 'SLEEP', '0.1');
      log.push(['sleep done', ctx.now]);
    });
    rt.spawn(function* (ctx) {
      const b = yield* Conn.open(ctx, net);
      yield* ctx.sleep(ms(1));
      yield* b.call(ctx, 'PING');
      log.push(['ping done', ctx.now]);
    });
    kernel.run();
    expect(log[0]![0]).toBe('sleep done');
    expect(log[1]![0]).toBe('ping done');
    expect(log[1]![1]).toBeGreaterThan(ms(100));
  });

  it('a_restart_drops_connections_refuses_while_down_and_comes_back_empty', () => {
    const { kernel, rt, net, redis } = world();
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const c = yield* Conn.open(ctx, net);
      got.push(yield* c.call(ctx, 'SET', 'k', 'v'));
      yield* ctx.sleep(ms(5));
      got.push(yield* c.read(ctx)); // the restart at 2 ms closed it
      got.push((yield* tcp.connect(ctx, net, ADDR)).ok);
      yield* ctx.sleep(ms(20));
      const again = yield* Conn.open(ctx, net);
      got.push(yield* again.call(ctx, 'GET', 'k'));
      got.push(yield* again.call(ctx, 'DBSIZE'));
    });
    kernel.at(ms(2), () => redis.restart(ms(10)));
    kernel.run();
    expect(got).toEqual(['OK', 'closed', false, null, 0]);
  });

  it('a_slow_server_multiplies_its_costs_for_a_while', () => {
    const { kernel, rt, net, redis } = world();
    const rtts: number[] = [];
    rt.spawn(function* (ctx) {
      const c = yield* Conn.open(ctx, net);
      for (let i = 0; i < 2; i++) {
        const t0 = ctx.now;
        yield* c.call(ctx, 'PING');
        rtts.push(ctx.now - t0);
        yield* ctx.sleep(ms(10));
      }
    });
    kernel.at(0, () => redis.slow(10, ms(5)));
    kernel.run();
    expect(rtts).toEqual([200 + 300, 200 + 30]);
  });

  it('a_protocol_error_gets_an_error_reply_then_the_connection_closes', () => {
    const { kernel, rt, net } = world();
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const c = yield* Conn.open(ctx, net);
      c.sendRaw(ctx, 'PING\r\n*1\r\n$x\r\n');
      got.push(show(yield* c.read(ctx)));
      const r = show(yield* c.read(ctx));
      got.push(typeof r === 'string' && r.startsWith('(error) ERR Protocol error'), yield* c.read(ctx));
    });
    kernel.run();
    expect(got).toEqual(['PONG', true, 'closed']);
  });

  it('quit_replies_ok_then_closes', () => {
    const { kernel, rt, net } = world();
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const c = yield* Conn.open(ctx, net);
      got.push(yield* c.call(ctx, 'QUIT'), yield* c.read(ctx));
    });
    kernel.run();
    expect(got).toEqual(['OK', 'closed']);
  });

  it('client_kill_from_another_connection_closes_the_target', () => {
    const { kernel, rt, net } = world();
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const victim = yield* Conn.open(ctx, net);
      const admin = yield* Conn.open(ctx, net);
      const id = yield* victim.call(ctx, 'CLIENT', 'ID');
      got.push(yield* admin.call(ctx, 'CLIENT', 'KILL', 'ID', String(id)));
      got.push(yield* victim.read(ctx));
    });
    kernel.run();
    expect(got).toEqual([1, 'closed']);
  });

  it('keys_expire_on_virtual_time', () => {
    const { kernel, rt, net } = world();
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const c = yield* Conn.open(ctx, net);
      got.push(yield* c.call(ctx, 'SET', 'k', 'v', 'PX', '5'));
      yield* ctx.sleep(ms(3));
      got.push(yield* c.call(ctx, 'GET', 'k'));
      yield* ctx.sleep(ms(3));
      got.push(yield* c.call(ctx, 'GET', 'k'));
    });
    kernel.run();
    expect(got).toEqual(['OK', 'v', null]);
  });

  it('the_server_counts_executions_and_traces_each_with_its_connection_index', () => {
    const { kernel, rt, net, redis } = world();
    rt.spawn(function* (ctx) {
      const c = yield* Conn.open(ctx, net);
      c.send(ctx, ['INCR', 'n'], ['INCR', 'n'], ['GET', 'n']);
      for (let i = 0; i < 3; i++) yield* c.read(ctx);
    });
    kernel.run();
    expect(redis.commandCounts.get('incr')).toBe(2);
    expect(redis.commandCounts.get('get')).toBe(1);
    expect([...kernel.trace.ofKind('redis.exec')].map((e) => [e.i, e.cmd])).toEqual([
      [0, 'incr'],
      [1, 'incr'],
      [2, 'get'],
    ]);
  });

  it('hello_3_switches_the_connection_to_resp3', () => {
    const { kernel, rt, net } = world();
    const got: unknown[] = [];
    rt.spawn(function* (ctx) {
      const c = yield* Conn.open(ctx, net);
      c.send(ctx, ['HELLO', '3']);
      const hello = yield* c.read(ctx);
      got.push(typeof hello === 'object' ? hello.type : hello);
      c.send(ctx, ['GET', 'missing']);
      const r = yield* c.read(ctx);
      got.push(typeof r === 'object' ? r.type : r);
    });
    kernel.run();
    expect(got).toEqual(['map', 'null']);
  });

  it('invalid_server_settings_name_the_field', () => {
    const kernel = new Kernel({ seed: 1 });
    const net = new Network(new Runtime(kernel));
    expect(() => new RedisServer(net, { maxClients: 0 })).toThrow(/server\.maxClients/);
    expect(() => new RedisServer(net, { commandUs: -1 })).toThrow(/server\.commandUs/);
  });
});

describe('redis restarts', () => {
  it('a_restart_while_down_extends_the_outage', () => {
    const { kernel, rt, net, redis } = world();
    const got: unknown[] = [];
    kernel.at(ms(1), () => redis.restart(ms(10)));
    kernel.at(ms(5), () => redis.restart(ms(10)));
    kernel.at(ms(3), () => redis.restart(ms(1)));
    rt.spawn(function* (ctx) {
      for (const t of [ms(12), ms(16)]) {
        yield* ctx.sleep(t - ctx.now);
        got.push((yield* tcp.connect(ctx, net, ADDR)).ok);
      }
    });
    kernel.run();
    expect(got).toEqual([false, true]);
  });
});
