import { describe, expect, it } from 'vitest';
import { Kernel, ms } from '../../sim/kernel/index.js';
import {
  Connection,
  GenServer,
  MIN_STEP_NS,
  Runtime,
  TIMEOUT,
  isDown,
  isExit,
  isTagged,
  termSize,
  type Ctx,
  type ConnectionSpec,
  type ExitReason,
  type Gen,
  type Pid,
  type RuntimeOptions,
} from '../../sim/runtime/index.js';

function world(options: RuntimeOptions = {}, seed = 1) {
  const kernel = new Kernel({ seed });
  const rt = new Runtime(kernel, options);
  return { kernel, rt };
}

const isNum = (m: unknown): m is number => typeof m === 'number';
const isStr = (m: unknown): m is string => typeof m === 'string';

/** A GenServer that echoes calls, or sleeps `request.sleep` µs before replying. */
const echo = GenServer.serve<null>({
  *init() {
    return ['ok', null];
  },
  *handleCall(request, _from, s, ctx) {
    const r = request as { sleep?: number; crash?: boolean; value?: unknown };
    if (r.crash) throw new Error('boom');
    if (r.sleep !== undefined) yield* ctx.sleep(r.sleep);
    return ['reply', r.value ?? request, s];
  },
});

describe('processes and mailboxes', () => {
  it('selective_receive_takes_the_first_match_and_keeps_the_rest_in_order', () => {
    const { kernel, rt } = world();
    const got: unknown[] = [];
    const p = rt.spawn(function* (ctx) {
      yield* ctx.sleep(10);
      got.push(yield* ctx.receive(isNum));
      got.push(yield* ctx.receive());
      got.push(yield* ctx.receive());
      got.push(yield* ctx.receive(isStr, 5));
    });
    rt.send(p, 'a');
    rt.send(p, 'b');
    rt.send(p, 1);
    kernel.run();
    expect(got).toEqual([1, 'a', 'b', TIMEOUT]);
  });

  it('receive_times_out_at_the_exact_virtual_time', () => {
    const { kernel, rt } = world();
    let woke = -1;
    rt.spawn(function* (ctx) {
      const m = yield* ctx.receive(isNum, ms(3));
      expect(m).toBe(TIMEOUT);
      woke = ctx.now;
    });
    kernel.run();
    expect(woke).toBe(ms(3));
  });

  it('a_message_that_arrives_before_the_timeout_cancels_it', () => {
    const { kernel, rt } = world();
    const got: unknown[] = [];
    const p = rt.spawn(function* (ctx) {
      got.push(yield* ctx.receive(isNum, ms(10)));
      got.push(ctx.now);
    });
    kernel.at(ms(2), () => rt.send(p, 7));
    kernel.run();
    expect(got).toEqual([7, ms(2)]);
    expect(kernel.now).toBe(ms(2)); // the 10 ms timer was cancelled, nothing ran after
  });

  it('send_after_delivers_later_and_cancel_timer_stops_it', () => {
    const { kernel, rt } = world();
    const got: Array<[unknown, number]> = [];
    rt.spawn(function* (ctx) {
      ctx.sendAfter(ms(5), 'late');
      const t = ctx.sendAfter(ms(1), 'cancelled');
      expect(ctx.cancelTimer(t)).toBe(ms(1));
      expect(ctx.cancelTimer(t)).toBe(false);
      const m = yield* ctx.receive();
      got.push([m, ctx.now]);
      const m2 = yield* ctx.receive(isStr, ms(100));
      got.push([m2, ctx.now]);
    });
    kernel.run();
    expect(got).toEqual([
      ['late', ms(5)],
      [TIMEOUT, ms(105)],
    ]);
  });

  it('messages_between_two_processes_keep_their_order', () => {
    const { kernel, rt } = world({ copyNsPerByte: 50 });
    const got: unknown[] = [];
    const rx = rt.spawn(function* (ctx) {
      for (let i = 0; i < 5; i++) got.push(yield* ctx.receive());
    });
    rt.spawn(function* (ctx) {
      ctx.send(rx, 'x'.repeat(1000)); // a big one, slow to copy
      ctx.send(rx, 1);
      yield* ctx.sleep(0);
      ctx.send(rx, 2);
      ctx.send(rx, new Uint8Array(3000));
      ctx.send(rx, 3);
    });
    kernel.run();
    expect(got.map((m) => (typeof m === 'string' ? 'big' : m instanceof Uint8Array ? 'bin' : m))).toEqual(['big', 1, 2, 'bin', 3]);
  });

  it('process_operations_outside_its_own_step_are_refused', () => {
    const { kernel, rt } = world();
    let leaked: Ctx | null = null;
    const p = rt.spawn(function* (ctx) {
      leaked = ctx;
      yield* ctx.receive();
    });
    kernel.run();
    expect(() => leaked!.send(p, 'x')).toThrow(/outside its own step/);
  });

  it('a_crash_ends_only_that_process_and_is_recorded', () => {
    const { kernel, rt } = world();
    const a = rt.spawn(function* () {
      throw new Error('bad input');
    });
    const b = rt.spawn(function* (ctx) {
      yield* ctx.sleep(10);
      return 'done';
    });
    kernel.run();
    expect(rt.exitReasonOf(a)).toBe('crash: bad input');
    expect(rt.exitReasonOf(b)).toBe('done');
    expect(rt.crashes.map((c) => c.pid)).toEqual([a]);
    expect([...kernel.trace.ofKind('proc.exit')].map((e) => e.reason)).toEqual(['crash: bad input', 'done']);
  });
});

describe('monitors and links', () => {
  it('a_monitor_gets_down_with_the_crash_reason', () => {
    const { kernel, rt } = world();
    let down: unknown;
    rt.spawn(function* (ctx) {
      const child = ctx.spawn(function* (c) {
        yield* c.sleep(5);
        throw new Error('disk full');
      });
      const ref = ctx.monitor(child);
      down = yield* ctx.receive((m) => isDown(m, ref));
    });
    kernel.run();
    expect(down).toMatchObject({ type: 'DOWN', reason: 'crash: disk full' });
  });

  it('monitoring_a_dead_process_gives_noproc_at_once', () => {
    const { kernel, rt } = world();
    const dead = rt.spawn(function* () {});
    let down: unknown;
    kernel.run();
    rt.spawn(function* (ctx) {
      const ref = ctx.monitor(dead);
      down = yield* ctx.receive((m) => isDown(m, ref), 0);
    });
    kernel.run();
    expect(down).toMatchObject({ type: 'DOWN', pid: dead, reason: 'noproc' });
  });

  it('demonitor_with_flush_removes_a_down_already_received', () => {
    const { kernel, rt } = world();
    let after: unknown;
    rt.spawn(function* (ctx) {
      const child = ctx.spawn(function* () {});
      const ref = ctx.monitor(child);
      yield* ctx.sleep(10); // the DOWN arrives meanwhile
      ctx.demonitor(ref, { flush: true });
      after = yield* ctx.receive(() => true, 0);
    });
    kernel.run();
    expect(after).toBe(TIMEOUT);
  });

  it('a_crash_kills_linked_processes_with_the_same_reason', () => {
    const { kernel, rt } = world();
    let child: Pid | null = null;
    const parent = rt.spawn(function* (ctx) {
      child = ctx.spawnLink(function* (c) {
        yield* c.sleep(5);
        throw new Error('oops');
      });
      yield* ctx.receive();
    });
    kernel.run();
    expect(rt.exitReasonOf(child!)).toBe('crash: oops');
    expect(rt.exitReasonOf(parent)).toBe('crash: oops');
  });

  it('trapping_exits_turns_a_linked_crash_into_a_message', () => {
    const { kernel, rt } = world();
    let msg: unknown;
    const parent = rt.spawn(function* (ctx) {
      ctx.trapExit(true);
      const child = ctx.spawnLink(function* () {
        throw new Error('oops');
      });
      msg = yield* ctx.receive((m) => isExit(m, child));
      return 'handled';
    });
    kernel.run();
    expect(msg).toMatchObject({ type: 'EXIT', reason: 'crash: oops' });
    expect(rt.exitReasonOf(parent)).toBe('handled');
  });

  it('a_normal_exit_does_not_kill_linked_processes', () => {
    const { kernel, rt } = world();
    const parent = rt.spawn(function* (ctx) {
      ctx.spawnLink(function* () {});
      yield* ctx.sleep(ms(1));
      return 'survived';
    });
    kernel.run();
    expect(rt.exitReasonOf(parent)).toBe('survived');
  });

  it('kill_cannot_be_trapped_and_linked_processes_see_killed', () => {
    const { kernel, rt } = world();
    let seen: unknown;
    let victim: Pid | null = null;
    rt.spawn(function* (ctx) {
      ctx.trapExit(true);
      victim = ctx.spawnLink(function* (c) {
        c.trapExit(true);
        yield* c.receive();
      });
      yield* ctx.sleep(1);
      ctx.exit(victim, 'kill');
      seen = yield* ctx.receive((m) => isExit(m, victim!));
    });
    kernel.run();
    expect(rt.exitReasonOf(victim!)).toBe('killed');
    expect(seen).toMatchObject({ reason: 'killed' });
  });

  it('a_process_killed_from_outside_drops_its_pending_timers', () => {
    const { kernel, rt } = world();
    const p = rt.spawn(function* (ctx) {
      ctx.sendAfter(ms(10), 'tick');
      yield* ctx.receive();
    });
    kernel.at(ms(1), () => rt.exit(p, 'kill'));
    kernel.run();
    expect(kernel.now).toBe(ms(1));
    expect([...kernel.trace.ofKind('msg.drop')]).toEqual([]);
  });
});

describe('GenServer', () => {
  it('call_returns_the_reply', () => {
    const { kernel, rt } = world();
    const server = rt.spawn(echo);
    let r: unknown;
    rt.spawn(function* (ctx) {
      r = yield* GenServer.call(ctx, server, { value: 42 });
    });
    kernel.run();
    expect(r).toEqual({ ok: true, value: 42 });
  });

  it('call_timeout_then_late_reply_is_dropped_and_never_reaches_the_next_call', () => {
    const { kernel, rt } = world();
    const server = rt.spawn(echo);
    const results: unknown[] = [];
    let mailboxAfter = -1;
    const caller = rt.spawn(function* (ctx) {
      results.push(yield* GenServer.call(ctx, server, { sleep: ms(50), value: 'slow' }, ms(10)));
      results.push(yield* GenServer.call(ctx, server, { value: 'fast' }, ms(100)));
      yield* ctx.sleep(ms(100));
      mailboxAfter = rt.mailboxLength(caller);
    });
    kernel.run();
    expect(results).toEqual([
      { ok: false, error: 'timeout', reason: 'timeout' },
      { ok: true, value: 'fast' },
    ]);
    const drops = [...kernel.trace.ofKind('msg.drop')];
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({ tag: '$gen_reply', reason: 'inactive_alias', t: ms(50) });
    expect(mailboxAfter).toBe(0);
  });

  it('a_reply_that_races_the_timeout_is_still_taken', () => {
    // Two callers on one scheduler: the reply lands while the timed-out caller waits for the CPU.
    const { kernel, rt } = world({ schedulers: 1 });
    const server = rt.spawn(echo);
    let r: unknown;
    rt.spawn(function* (ctx) {
      yield* ctx.sleep(ms(10) - 1);
      ctx.cpu(5); // busy exactly when the caller's timeout fires and the reply lands
    });
    rt.spawn(function* (ctx) {
      r = yield* GenServer.call(ctx, server, { sleep: ms(10) - 1, value: 'raced' }, ms(10));
    });
    kernel.run();
    expect(r).toEqual({ ok: true, value: 'raced' });
  });

  it('call_to_a_dead_server_returns_noproc_and_to_a_crashing_one_returns_exit', () => {
    const { kernel, rt } = world();
    const server = rt.spawn(echo);
    const results: unknown[] = [];
    rt.spawn(function* (ctx) {
      results.push(yield* GenServer.call(ctx, server, { crash: true }));
      results.push(yield* GenServer.call(ctx, server, { value: 1 }));
    });
    kernel.run();
    expect(results).toEqual([
      { ok: false, error: 'exit', reason: 'crash: boom' },
      { ok: false, error: 'noproc', reason: 'noproc' },
    ]);
  });

  it('noreply_then_reply_later_answers_callers_out_of_band', () => {
    const { kernel, rt } = world();
    // Holds callers until two have asked, then answers both (GenServer.reply/2).
    const barrier = rt.spawn(
      GenServer.serve<GenServer.From[]>({
        *init() {
          return ['ok', []];
        },
        *handleCall(_req, from, waiting, ctx) {
          const all = [...waiting, from];
          if (all.length < 2) return ['noreply', all];
          for (const f of all) GenServer.reply(ctx, f, all.length);
          return ['noreply', []];
        },
      }),
    );
    const got: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      rt.spawn(function* (ctx) {
        yield* ctx.sleep(ms(i + 1));
        got.push([i, (yield* GenServer.call(ctx, barrier, 'wait')), ctx.now]);
      });
    }
    kernel.run();
    expect(got).toEqual([
      [0, { ok: true, value: 2 }, ms(2)],
      [1, { ok: true, value: 2 }, ms(2)],
    ]);
  });

  it('cast_is_handled_in_order_with_calls', () => {
    const { kernel, rt } = world();
    const server = rt.spawn(
      GenServer.serve<number>({
        *init() {
          return ['ok', 0];
        },
        *handleCast(req, n) {
          return ['noreply', n + (req as number)];
        },
        *handleCall(_req, _from, n) {
          return ['reply', n, n];
        },
      }),
    );
    let r: unknown;
    rt.spawn(function* (ctx) {
      GenServer.cast(ctx, server, 2);
      GenServer.cast(ctx, server, 3);
      r = yield* GenServer.call(ctx, server, 'get');
    });
    kernel.run();
    expect(r).toEqual({ ok: true, value: 5 });
  });

  it('callbacks_that_return_their_result_directly_run_as_generator_ones_do', () => {
    // A callback that never waits may return its tuple instead of a generator (no generator per
    // message); the world must not tell the two apart.
    const traceOf = (direct: boolean) => {
      const { kernel, rt } = world();
      const handleCast = (req: unknown, n: number) => ['noreply', n + (req as number)] as const;
      const handleCall = (req: unknown, _from: GenServer.From, n: number, ctx: Ctx) => {
        ctx.cpu(3);
        return req === 'stop' ? (['stop', 'asked', n, n] as const) : (['reply', n, n] as const);
      };
      const handleInfo = (_msg: unknown, n: number) => ['noreply', n * 10] as const;
      const server = rt.spawn(
        GenServer.serve<number>(
          direct
            ? { *init() { return ['ok', 0]; }, handleCast, handleCall, handleInfo }
            : {
                *init() {
                  return ['ok', 0];
                },
                *handleCast(req, n) {
                  return handleCast(req, n);
                },
                *handleCall(req, from, n, ctx) {
                  return handleCall(req, from, n, ctx);
                },
                *handleInfo(msg, n) {
                  return handleInfo(msg, n);
                },
              },
        ),
      );
      const got: unknown[] = [];
      rt.spawn(function* (ctx) {
        GenServer.cast(ctx, server, 2);
        ctx.send(server, 'info');
        got.push(yield* GenServer.call(ctx, server, 'get'), yield* GenServer.call(ctx, server, 'stop'), yield* GenServer.call(ctx, server, 'get'));
      });
      kernel.run();
      return { got, hash: kernel.trace.hash(), exit: rt.exitReasonOf(server) };
    };
    const direct = traceOf(true);
    expect(direct.got).toEqual([
      { ok: true, value: 20 },
      { ok: true, value: 20 },
      // The server stops when its step's CPU is spent: the third call finds it still alive.
      { ok: false, error: 'exit', reason: 'asked' },
    ]);
    expect(direct.exit).toBe('asked');
    expect(direct).toEqual(traceOf(false));
  });

  it('a_call_its_reply_and_a_cast_are_charged_the_termSize_of_the_messages_sent', () => {
    // GenServer sizes its envelopes once; what it charges must be termSize of the whole message.
    const { kernel, rt } = world({ traceMessages: true, copyNsPerByte: 1 });
    const expected: number[] = [];
    const server = rt.spawn(
      GenServer.serve<null>({
        *init() {
          return ['ok', null];
        },
        handleCall(request, from, s) {
          const value = { ok: true, replies: [new Uint8Array(100), 'x'.repeat(7), [1, null]] };
          expected.push(termSize({ type: '$gen_call', from, request }), termSize({ type: '$gen_reply', alias: from.alias, value }));
          return ['reply', value, s];
        },
        handleCast(request, s) {
          expected.push(termSize({ type: '$gen_cast', request }));
          return ['noreply', s];
        },
      }),
    );
    rt.spawn(function* (ctx) {
      yield* GenServer.call(ctx, server, { type: 'command', req: 1, cmds: [['GET', 'key:1']] });
      yield* GenServer.call(ctx, server, ['a', { deep: [new Uint8Array(3)] }]);
      GenServer.cast(ctx, server, { type: 'checkin', ref: 7, socket: new Map(), broken: false, list: [2, 'ab', true] });
    });
    kernel.run();
    const sent = [...kernel.trace.ofKind('msg.send')].filter((e) => e.tag === '$gen_call' || e.tag === '$gen_reply' || e.tag === '$gen_cast');
    expect(sent.map((e) => e.bytes)).toEqual(expected);
    expect(expected).toHaveLength(5);
    expect(expected[0]).toBeGreaterThan(100);
  });

  it('termSize_counts_numbers_strings_and_what_holds_them', () => {
    // A word per number and per element or field, a string its length plus a word.
    expect(termSize(['ab', 1])).toBe(8 + 10 + 8);
    expect(termSize({ a: 'xyz', b: 2, c: null })).toBe(8 + (8 + 11) + (8 + 8) + (8 + 8));
    expect(termSize({ x: [new Uint8Array(5)] })).toBe(8 + 8 + (8 + 13));
  });

  it('start_link_returns_the_init_error_without_killing_the_caller', () => {
    const { kernel, rt } = world();
    let r: unknown;
    const caller = rt.spawn(function* (ctx) {
      r = yield* GenServer.startLink(ctx, {
        *init() {
          return ['stop', 'econnrefused'];
        },
      });
      yield* ctx.sleep(ms(1));
      return 'alive';
    });
    kernel.run();
    expect(r).toEqual({ ok: false, reason: 'econnrefused' });
    expect(rt.exitReasonOf(caller)).toBe('alive');
  });

  it('a_linked_server_stops_with_its_trapping_parent_and_runs_terminate', () => {
    const { kernel, rt } = world();
    const terminated: ExitReason[] = [];
    let server: Pid | null = null;
    const parent = rt.spawn(function* (ctx) {
      const r = yield* GenServer.startLink(ctx, {
        *init(c: Ctx) {
          c.trapExit(true);
          return ['ok', null];
        },
        *terminate(reason: ExitReason) {
          terminated.push(reason);
        },
      });
      if (r.ok) server = r.pid;
      yield* ctx.sleep(ms(1));
      return 'shutdown';
    });
    kernel.run();
    expect(rt.exitReasonOf(parent)).toBe('shutdown');
    expect(rt.exitReasonOf(server!)).toBe('shutdown');
    expect(terminated).toEqual(['shutdown']);
  });
});

describe('cost model', () => {
  function busyWorld(schedulers: number, processes: number): number {
    const { kernel, rt } = world({ schedulers });
    for (let i = 0; i < processes; i++) {
      rt.spawn(function* (ctx) {
        ctx.cpu(ms(10));
      });
    }
    kernel.run();
    return kernel.now;
  }

  it('two_schedulers_run_four_busy_processes_in_twice_the_time_of_two', () => {
    expect(busyWorld(2, 2)).toBe(ms(10));
    expect(busyWorld(2, 4)).toBe(ms(20));
    expect(busyWorld(4, 4)).toBe(ms(10));
    expect(busyWorld(1, 3)).toBe(ms(30));
  });

  it('busy_time_is_charged_to_the_process_that_works', () => {
    const { kernel, rt } = world({ schedulers: 2 });
    const a = rt.spawn(function* (ctx) {
      ctx.cpu(300);
      yield* ctx.sleep(ms(1));
      ctx.cpuNs(2500);
    });
    const b = rt.spawn(function* (ctx) {
      yield* ctx.sleep(10);
    });
    kernel.run();
    const stats = new Map(rt.stats().map((s) => [s.pid, s]));
    expect(stats.get(a)!.busyUs).toBe(302.5);
    // b's two steps charge nothing themselves: each costs the floor.
    expect(stats.get(b)!.busyUs).toBe((2 * MIN_STEP_NS) / 1000);
  });

  it('sub_microsecond_costs_add_up_instead_of_vanishing', () => {
    const { kernel, rt } = world();
    rt.spawn(function* (ctx) {
      for (let i = 0; i < 1000; i++) {
        ctx.cpuNs(400);
        yield* ctx.sleep(0);
      }
    });
    kernel.run();
    expect(kernel.now).toBe(400);
  });

  it('copying_a_message_costs_the_sender_per_byte_and_delays_its_arrival', () => {
    const { kernel, rt } = world({ copyNsPerByte: 10, schedulers: 2 });
    let arrived = -1;
    const rx = rt.spawn(function* (ctx) {
      yield* ctx.receive();
      arrived = ctx.now;
    });
    const tx = rt.spawn(function* (ctx) {
      ctx.send(rx, new Uint8Array(992)); // 992 bytes + 8 of header = 1000 bytes = 10 µs
      ctx.send(rx, 'later', { bytes: 100 }); // explicit size: 1 µs more
    });
    kernel.run();
    expect(arrived).toBe(10);
    const s = rt.stats().find((x) => x.pid === tx)!;
    expect(s.busyUs).toBe(11);
    expect(s.bytesCopiedOut).toBe(1100);
    expect(rt.bytesCopied).toBe(1100);
  });

  it('a_message_that_arrives_during_a_step_s_cpu_is_taken_when_the_step_ends', () => {
    const { kernel, rt } = world({ schedulers: 2 });
    let got = -1;
    const rx = rt.spawn(function* (ctx) {
      ctx.cpu(100); // busy until 100 µs, then waits for a message
      yield* ctx.receive(isStr);
      got = ctx.now;
    });
    rt.spawn(function* (ctx) {
      yield* ctx.sleep(10);
      ctx.send(rx, 'early'); // lands at ~10 µs, while rx's step still runs
    });
    kernel.run();
    expect(got).toBe(100);
  });

  it('a_receive_timeout_counts_from_the_end_of_the_step_that_asked_for_it', () => {
    const { kernel, rt } = world({ schedulers: 1 });
    let woke = -1;
    let what: unknown = null;
    rt.spawn(function* (ctx) {
      ctx.cpu(100);
      what = yield* ctx.receive(isStr, 50);
      woke = ctx.now;
    });
    kernel.run();
    expect(what).toBe(TIMEOUT);
    expect(woke).toBe(150);
  });

  it('a_busy_scheduler_delays_a_runnable_process', () => {
    const { kernel, rt } = world({ schedulers: 1 });
    let woke = -1;
    rt.spawn(function* (ctx) {
      yield* ctx.sleep(ms(1)); // due at 1 ms, but the only scheduler is busy until 5 ms
      woke = ctx.now;
    });
    rt.spawn(function* (ctx) {
      ctx.cpu(ms(5));
    });
    kernel.run();
    expect(woke).toBe(ms(5));
  });
});

describe('Connection behaviour', () => {
  /** A fake connection that fails `failures` times, then succeeds; its socket is a flag. */
  function fakeConn(log: string[], failures: number, sync = false): ConnectionSpec<{ up: boolean; attempts: number }> {
    return {
      *init(ctx) {
        log.push(`init@${ctx.now}`);
        if (!sync) return ['connect', 'init', { up: false, attempts: 0 }];
        log.push('sync connect failed');
        return ['stop', 'econnrefused'];
      },
      *connect(info, s, ctx) {
        const attempts = s.attempts + 1;
        log.push(`connect(${String(info)})#${attempts}@${ctx.now}`);
        ctx.cpu(100);
        if (attempts <= failures) return ['backoff', ms(500) * attempts, { up: false, attempts }];
        return ['ok', { up: true, attempts }];
      },
      *disconnect(info, s, ctx) {
        log.push(`disconnect(${String(info)})@${ctx.now}`);
        return ['backoff', ms(100), { ...s, up: false }];
      },
      *handleCall(req, _from, s) {
        if (req === 'status') return ['reply', s.up ? 'up' : 'down', s];
        return ['disconnect', 'asked', s];
      },
      *handleInfo(msg, s) {
        if (isTagged(msg, 'tcp_closed')) return ['disconnect', 'tcp_closed', s];
        return ['noreply', s];
      },
    };
  }

  it('async_connect_start_returns_before_connect_then_backs_off_until_up', () => {
    const { kernel, rt } = world({ schedulers: 2 });
    const log: string[] = [];
    const statuses: unknown[] = [];
    rt.spawn(function* (ctx) {
      const r = yield* Connection.startConnectionLink(ctx, fakeConn(log, 2));
      log.push(`started@${ctx.now}`);
      if (!r.ok) return;
      statuses.push((yield* GenServer.call(ctx, r.pid, 'status')));
      yield* ctx.sleep(ms(2000));
      statuses.push((yield* GenServer.call(ctx, r.pid, 'status')));
    });
    kernel.run();
    // connect costs 100 µs of CPU, and each backoff timer starts when that work is done.
    expect(log).toEqual(['init@0', 'connect(init)#1@0', 'started@0', 'connect(backoff)#2@500100', 'connect(backoff)#3@1500200']);
    expect(statuses).toEqual([
      { ok: true, value: 'down' },
      { ok: true, value: 'up' },
    ]);
  });

  it('sync_connect_failure_fails_start', () => {
    const { kernel, rt } = world();
    const log: string[] = [];
    let r: unknown;
    rt.spawn(function* (ctx) {
      r = yield* Connection.startConnectionLink(ctx, fakeConn(log, 0, true));
    });
    kernel.run();
    expect(r).toEqual({ ok: false, reason: 'econnrefused' });
  });

  it('disconnect_backs_off_then_reconnects', () => {
    const { kernel, rt } = world();
    const log: string[] = [];
    const conn = rt.spawn(Connection.serveConnection(fakeConn(log, 0)));
    kernel.at(ms(10), () => rt.send(conn, { type: 'tcp_closed' }));
    kernel.run();
    expect(log).toEqual(['init@0', 'connect(init)#1@0', 'disconnect(tcp_closed)@10000', 'connect(backoff)#2@110000']);
    expect([...kernel.trace.ofKind('conn.backoff')].map((e) => e.us)).toEqual([ms(100)]);
  });

  it('an_explicit_connect_cancels_a_pending_backoff', () => {
    const { kernel, rt } = world();
    const log: string[] = [];
    const spec = fakeConn(log, 1);
    const conn = rt.spawn(
      Connection.serveConnection({
        ...spec,
        *handleInfo(msg, s) {
          if (msg === 'now') return ['connect', 'manual', s];
          return ['noreply', s];
        },
      }),
    );
    kernel.at(ms(100), () => rt.send(conn, 'now'));
    kernel.run();
    // The backoff of 500 ms after the first failure never fires: the manual connect replaced it.
    expect(log).toEqual(['init@0', 'connect(init)#1@0', 'connect(manual)#2@100000']);
  });
  it('callbacks_that_return_their_result_directly_still_reach_disconnect_and_connect', () => {
    const run = (direct: boolean) => {
      const { kernel, rt } = world();
      const log: string[] = [];
      const spec = fakeConn(log, 0);
      const handleCall = (req: unknown, _from: GenServer.From, s: { up: boolean; attempts: number }) =>
        req === 'status' ? (['reply', s.up ? 'up' : 'down', s] as const) : (['disconnect', 'asked', s] as const);
      const handleInfo = (msg: unknown, s: { up: boolean; attempts: number }) => (isTagged(msg, 'tcp_closed') ? (['disconnect', 'tcp_closed', s] as const) : (['noreply', s] as const));
      const conn = rt.spawn(Connection.serveConnection(direct ? { ...spec, handleCall, handleInfo } : spec));
      const statuses: unknown[] = [];
      kernel.at(ms(10), () => rt.send(conn, { type: 'tcp_closed' }));
      rt.spawn(function* (ctx) {
        yield* ctx.sleep(ms(5));
        statuses.push(yield* GenServer.call(ctx, conn, 'status'), yield* GenServer.call(ctx, conn, 'drop'));
        yield* ctx.sleep(ms(300));
        statuses.push(yield* GenServer.call(ctx, conn, 'status'));
      });
      kernel.run();
      return { log, statuses, hash: kernel.trace.hash() };
    };
    const direct = run(true);
    expect(direct.log).toEqual(['init@0', 'connect(init)#1@0', 'disconnect(asked)@5100', 'disconnect(tcp_closed)@10000', 'connect(backoff)#2@110000']);
    expect(direct.statuses[0]).toEqual({ ok: true, value: 'up' });
    expect(direct.statuses[2]).toEqual({ ok: true, value: 'up' });
    expect(direct).toEqual(run(false));
  });
});

describe('determinism', () => {
  function run(seed: number): string {
    const { kernel, rt } = world({ schedulers: 2, copyNsPerByte: 3 }, seed);
    const server = rt.spawn(echo, { name: 'echo' });
    for (let i = 0; i < 5; i++) {
      rt.spawn(function* (ctx): Gen<void> {
        const rng = ctx.random(`caller${i}`);
        for (let n = 0; n < 10; n++) {
          yield* ctx.sleep(Math.round(rng.exp(ms(1))));
          yield* GenServer.call(ctx, server, { sleep: rng.int(0, 500), value: n }, ms(0.3));
        }
      });
    }
    kernel.run();
    return kernel.trace.hash();
  }

  it('same_seed_gives_an_identical_trace_hash', () => {
    expect(run(11)).toBe(run(11));
  });

  it('different_seeds_give_different_traces_where_randomness_is_used', () => {
    expect(run(11)).not.toBe(run(12));
  });
});

describe('work per process exit', () => {
  /** Entries terminate visits when one process ends beside `others` unrelated live processes. */
  function visitsForOneExit(others: number): number {
    const { kernel, rt } = world();
    const server = rt.spawn(function* (ctx) {
      for (;;) yield* ctx.receive();
    });
    for (let i = 0; i < others; i++) {
      rt.spawn(function* (ctx) {
        // Each holds what the runtime's tables hold: a name, a monitor, an alias, a timer.
        ctx.register(`other${i}`);
        ctx.monitor(server);
        ctx.alias();
        ctx.sendAfter(ms(1000), 'tick');
        yield* ctx.receive(isStr);
      });
    }
    rt.spawn(function* (ctx) {
      ctx.register('leaver');
      ctx.monitor(server);
      ctx.alias();
      ctx.sendAfter(ms(1000), 'tick');
      yield* ctx.sleep(ms(10));
    });
    kernel.run(ms(5));
    const before = rt.terminateVisits;
    kernel.run(ms(20));
    expect(rt.isAlive(server)).toBe(true);
    return rt.terminateVisits - before;
  }

  it('terminate_visits_only_what_the_process_owns_however_many_others_live', () => {
    // Its name, its monitor, its alias and its timer: nothing of the others'.
    expect(visitsForOneExit(10)).toBe(4);
    expect(visitsForOneExit(2000)).toBe(4);
  });
});

describe('the process table', () => {
  /** Spawns `n` short-lived processes one after another; returns the table's size at the end. */
  function tableAfter(n: number, retainExited?: number): { rt: Runtime; size: number; first: Pid; last: Pid } {
    const { kernel, rt } = world(retainExited === undefined ? {} : { retainExited });
    const pids: Pid[] = [];
    const keeper = rt.spawn(function* (ctx) {
      for (let i = 0; i < n; i++) {
        pids.push(ctx.spawn(function* (c) {
          yield* c.sleep(10);
        }));
        yield* ctx.sleep(20);
      }
      yield* ctx.receive(() => false);
    });
    kernel.run();
    expect(rt.isAlive(keeper)).toBe(true);
    return { rt, size: rt.processCount, first: pids[0]!, last: pids[pids.length - 1]! };
  }

  it('forgets_exited_processes_beyond_the_retained_ones_so_it_does_not_grow_with_the_run', () => {
    const small = tableAfter(200, 50);
    const large = tableAfter(2000, 50);
    // The keeper (live) and the last 50 to exit, however many were spawned.
    expect(small.size).toBe(51);
    expect(large.size).toBe(51);
    expect(large.rt.stats().length).toBe(51);
  });

  it('a_forgotten_process_reads_as_dead_and_recent_ones_keep_their_exit_reason', () => {
    const { rt, first, last } = tableAfter(100, 10);
    expect(rt.isAlive(first)).toBe(false);
    expect(rt.exitReasonOf(first)).toBe(null);
    expect(rt.exitReasonOf(last)).toBe('normal');
    expect(rt.stats().some((s) => s.pid === last)).toBe(true);
  });

  it('a_message_to_a_forgotten_process_is_dropped_as_to_any_dead_one', () => {
    const { kernel, rt } = world({ retainExited: 1 });
    const gone = rt.spawn(function* () {});
    rt.spawn(function* () {});
    kernel.run();
    expect(rt.processCount).toBe(1);
    rt.send(gone, 'hello');
    kernel.run();
    expect(rt.messagesDropped).toBe(1);
  });

  it('keeps_the_steps_and_the_busiest_of_each_name_it_forgets', () => {
    // A busy "conn N" exits first, then short "arrival N"s push it out of a small table.
    const runWith = (retainExited: number) => {
      const { kernel, rt } = world({ retainExited });
      rt.spawn(function* (ctx) {
        for (let i = 0; i < 5; i++) {
          ctx.spawn(function* (c) {
            c.cpu(200 + i);
          }, { name: `conn ${i}` });
          yield* ctx.sleep(1000);
        }
        for (let i = 0; i < 20; i++) {
          ctx.spawn(function* () {}, { name: `arrival ${i}` });
          yield* ctx.sleep(1000);
        }
      }, { name: 'spawner' });
      kernel.run();
      return rt;
    };
    const small = runWith(2);
    const large = runWith(1000);
    expect(small.stats().some((s) => s.name.startsWith('conn'))).toBe(false);
    const forgotten = small.forgottenStats();
    expect(forgotten.busiest.map((s) => s.name.replace(/ \d+$/, '')).sort()).toEqual(['arrival', 'conn']);
    // The busiest conn is the one a table that forgets nothing has.
    const busiestConn = large.stats().filter((s) => s.name.startsWith('conn')).sort((a, b) => b.busyUs - a.busyUs)[0]!;
    expect(forgotten.busiest.find((s) => s.name.startsWith('conn'))).toMatchObject({ name: busiestConn.name, busyUs: busiestConn.busyUs });
    // Every step is counted once: held or forgotten.
    const steps = (rt: Runtime) => rt.stats().reduce((n, s) => n + s.steps, rt.forgottenStats().steps);
    expect(large.forgottenStats().steps).toBe(0);
    expect(steps(small)).toBe(steps(large));
  });

  it('rejects_a_retention_that_is_not_a_whole_number_above_zero', () => {
    expect(() => world({ retainExited: 0 })).toThrow(/retainExited must be a whole number >= 1, got 0/);
  });
});
