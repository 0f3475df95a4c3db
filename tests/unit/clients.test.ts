import { describe, expect, it } from 'vitest';
import { ms } from '../../sim/kernel/index.js';
import { runLab, wrongEchoes } from './helpers/lab.js';
import { World } from '../../sim/worlds/world.js';
import { command, makeClient, type PoolClient } from '../../sim/clients/index.js';
import { startPool } from '../../sim/clients/pool.js';

const errorsOf = (calls: ReturnType<typeof runLab>['calls']) => {
  const out: Record<string, number> = {};
  for (const c of calls) if (!c.result.ok) out[c.result.error] = (out[c.result.error] ?? 0) + 1;
  return out;
};

describe('every client works on a healthy network', () => {
  for (const kind of ['naive', 'serial', 'pool', 'multiplex'] as const) {
    it(`${kind}_answers_every_request_with_its_own_reply`, () => {
      const lab = runLab({ seed: 1, client: { kind } });
      expect(lab.calls.length).toBeGreaterThan(100);
      expect(lab.calls.every((c) => c.result.ok)).toBe(true);
      expect(wrongEchoes(lab.calls)).toEqual([]);
      expect(lab.report).toMatchObject({ lost: 0, duplicatedReplies: 0, misrouted: 0, executedTwice: 0, falselyDeterminate: 0 });
    });
  }
});

describe('L1: a connection per command', () => {
  it('naive_opens_a_connection_per_request', () => {
    const lab = runLab({ seed: 2, client: { kind: 'naive' } });
    const connects = [...lab.world.kernel.trace.ofKind('tcp.established')].length;
    expect(connects).toBe(lab.calls.length);
    expect(lab.openConnections).toBe(0);
  });
});

describe('L2: one socket in a GenServer', () => {
  it('serial_has_at_most_one_request_on_the_wire', () => {
    const lab = runLab({ seed: 3, client: { kind: 'serial' }, callers: 10, thinkMs: 0.1 });
    let inFlight = 0;
    let max = 0;
    for (const e of lab.world.kernel.trace.rows()) {
      if (e.kind === 'pipeline.sent') max = Math.max(max, ++inFlight);
      if (e.kind === 'pipeline.reply') inFlight--;
    }
    expect(max).toBe(1);
  });
});

describe('L3: blocking pool', () => {
  it('pool_error_policy_fails_fast_with_checked_out', () => {
    const lab = runLab({ seed: 4, client: { kind: 'pool', size: 1, onExhausted: 'error' }, callers: 8, thinkMs: 0.1 });
    expect(errorsOf(lab.calls).checked_out).toBeGreaterThan(0);
    expect(lab.report.misrouted).toBe(0);
  });

  it('pool_queue_times_out_when_all_held', () => {
    // One connection, callers that hold it for a 20 ms DEBUG SLEEP: the queue wait runs out.
    const lab = runLab({
      seed: 5,
      client: { kind: 'pool', size: 1, onExhausted: 'queue', checkoutTimeoutMs: 10 },
      callers: 4,
      timeoutMs: 200,
      workload: () => [['DEBUG', 'SLEEP', '0.02']],
    });
    expect(errorsOf(lab.calls).queue_timeout).toBeGreaterThan(0);
    expect(lab.report).toMatchObject({ lost: 0, misrouted: 0 });
  });

  it('pool_max_queue_rejects_with_queue_full', () => {
    const lab = runLab({
      seed: 6,
      client: { kind: 'pool', size: 1, onExhausted: 'queue', maxQueue: 1, checkoutTimeoutMs: 1000 },
      callers: 5,
      timeoutMs: 2000,
      workload: () => [['DEBUG', 'SLEEP', '0.005']],
    });
    expect(errorsOf(lab.calls).queue_full).toBeGreaterThan(0);
  });

  it('pool_codel_sheds_waiters_when_the_queue_stays_over_target', () => {
    const lab = runLab({
      seed: 7,
      client: { kind: 'pool', size: 1, onExhausted: 'codel', queueTargetMs: 5, queueIntervalMs: 50 },
      callers: 10,
      durationMs: 1000,
      timeoutMs: 5000,
      workload: () => [['DEBUG', 'SLEEP', '0.004']],
    });
    expect(errorsOf(lab.calls).queue_timeout).toBeGreaterThan(0);
    // Shed callers waited more than twice the target; served ones mostly far less.
    expect(lab.report.lost).toBe(0);
  });

  it('a_caller_killed_while_holding_a_socket_does_not_leak_it', () => {
    const lab = runLab({
      seed: 8,
      client: { kind: 'pool', size: 2 },
      callers: 3,
      workload: () => [['DEBUG', 'SLEEP', '0.01']],
      kills: [{ atMs: 5, caller: 0 }],
      durationMs: 100,
    });
    const ends = [...lab.world.kernel.trace.ofKind('checkout.end')];
    expect(ends.some((e) => e.broken)).toBe(true);
    expect(lab.openConnections).toBe(2);
    expect(lab.calls.filter((c) => c.caller !== 0).every((c) => c.result.ok)).toBe(true);
  });

  it('checkin_stops_watching_the_caller_so_its_later_death_reaches_no_pool', () => {
    // DBConnection demonitors a holder on checkin: the pool must not hear of callers it no longer serves.
    const world = new World({ seed: 11 });
    const client = makeClient({ net: world.net, address: world.address, codecNsPerByte: 0 }, 'pool', { kind: 'pool', size: 1 });
    world.rt.spawn(function* (ctx) {
      yield* startPool(ctx, client as PoolClient);
      yield* ctx.receive(() => false);
    });
    const results: boolean[] = [];
    const caller = world.rt.spawn(function* (ctx) {
      yield* ctx.sleep(ms(1));
      for (let i = 0; i < 3; i++) results.push((yield* command(ctx, client, [['PING']], ms(100))).ok);
      yield* ctx.receive(() => false);
    });
    world.kernel.run(ms(50));
    expect(results).toEqual([true, true, true]);
    const received = () => world.rt.stats().find((p) => p.name === 'pool')!.messagesReceived;
    const before = received();
    world.rt.exit(caller, 'kill');
    world.kernel.run(ms(100));
    expect(world.rt.isAlive(caller)).toBe(false);
    expect(received()).toBe(before);
  });

  it('a_caller_killed_while_queued_leaves_the_queue', () => {
    const lab = runLab({
      seed: 9,
      client: { kind: 'pool', size: 1, onExhausted: 'queue', checkoutTimeoutMs: 1000 },
      callers: 3,
      timeoutMs: 2000,
      workload: () => [['DEBUG', 'SLEEP', '0.01']],
      kills: [{ atMs: 3, caller: 2 }],
      durationMs: 100,
    });
    expect(lab.report).toMatchObject({ lost: 0, abandoned: 1 });
    // The pool did not hand the connection to the dead waiter: the others kept being served.
    expect(lab.calls.filter((c) => c.startedAt > ms(30)).every((c) => c.result.ok)).toBe(true);
    expect(lab.openConnections).toBe(1);
  });
});

describe('L4: multiplexed connection', () => {
  it('multiplex_keeps_many_requests_in_flight_on_one_socket', () => {
    const lab = runLab({ seed: 10, client: { kind: 'multiplex' }, callers: 20, thinkMs: 0.1 });
    let inFlight = 0;
    let max = 0;
    for (const e of lab.world.kernel.trace.rows()) {
      if (e.kind === 'pipeline.sent') max = Math.max(max, ++inFlight);
      if (e.kind === 'pipeline.reply') inFlight--;
    }
    expect(max).toBeGreaterThan(5);
    expect(new Set([...lab.world.kernel.trace.ofKind('tcp.established')].map((e) => e.conn)).size).toBe(1);
  });

  it('multiplex_late_reply_is_dropped_not_misrouted', () => {
    // Every other request is a slow DEBUG SLEEP that outlives its caller's timeout.
    const lab = runLab({
      seed: 11,
      client: { kind: 'multiplex' },
      callers: 4,
      timeoutMs: 5,
      workload: (c, n) => (n % 2 === 0 && c === 0 ? [['DEBUG', 'SLEEP', '0.01']] : [['ECHO', `c${c}-r${n}`]]),
    });
    expect(errorsOf(lab.calls).timeout).toBeGreaterThan(0);
    expect(wrongEchoes(lab.calls)).toEqual([]);
    expect(lab.report.misrouted).toBe(0);
    const drops = [...lab.world.kernel.trace.ofKind('msg.drop')].filter((d) => d.reason === 'inactive_alias');
    expect(drops.length).toBeGreaterThan(0);
  });

  it('in_flight_callers_get_disconnected_and_indeterminate_when_the_socket_drops', () => {
    const lab = runLab({
      seed: 12,
      client: { kind: 'multiplex' },
      callers: 10,
      thinkMs: 0.2,
      faults: [{ atMs: 50, kind: 'drop_connections' }],
    });
    const disconnected = lab.calls.filter((c) => !c.result.ok && c.result.error === 'disconnected');
    expect(disconnected.length).toBeGreaterThan(0);
    expect(disconnected.every((c) => !c.result.ok && c.result.indeterminate)).toBe(true);
    expect(lab.report).toMatchObject({ misrouted: 0, lost: 0, executedTwice: 0, falselyDeterminate: 0 });
    expect(lab.openConnections).toBe(1);
  });

  it('while_disconnected_calls_fail_fast_with_closed', () => {
    const lab = runLab({
      seed: 13,
      client: { kind: 'multiplex', backoff: { strategy: 'exp', initialMs: 20 } },
      faults: [{ atMs: 50, kind: 'server_down', forMs: 60 }],
    });
    const closed = lab.calls.filter((c) => !c.result.ok && c.result.error === 'closed');
    expect(closed.length).toBeGreaterThan(0);
    expect(closed.every((c) => c.endedAt - c.startedAt < ms(1))).toBe(true);
  });

  it('while_disconnected_calls_wait_in_the_offline_queue', () => {
    const lab = runLab({
      seed: 14,
      client: { kind: 'multiplex', whileDisconnected: 'queue', backoff: { strategy: 'exp', initialMs: 10, maxMs: 10 } },
      timeoutMs: 500,
      faults: [{ atMs: 50, kind: 'server_down', forMs: 60 }],
    });
    expect(lab.calls.some((c) => !c.result.ok && c.result.error === 'closed')).toBe(false);
    const waited = lab.calls.filter((c) => c.result.ok && c.endedAt - c.startedAt > ms(20));
    expect(waited.length).toBeGreaterThan(0);
  });

  it('at_least_once_resend_can_double_incr', () => {
    // A partition swallows replies but not the commands: they ran, the socket then dies, and the
    // client sends them again.
    const lab = runLab({
      seed: 15,
      client: { kind: 'multiplex', inFlightOnDisconnect: 'resend', healthCheckMs: 5, backoff: { strategy: 'none' } },
      callers: 4,
      thinkMs: 0.5,
      timeoutMs: 500,
      workload: () => [['INCR', 'counter']],
      faults: [
        { atMs: 50, kind: 'latency', addMs: 20, forMs: 1 },
        { atMs: 55, kind: 'drop_connections' },
      ],
    });
    expect(lab.report.executedTwice).toBeGreaterThan(0);
    expect([...lab.world.kernel.trace.ofKind('pipeline.resend')].length).toBeGreaterThan(0);
  });

  it('at_most_once_never_runs_a_command_twice', () => {
    const lab = runLab({
      seed: 15,
      client: { kind: 'multiplex', inFlightOnDisconnect: 'fail', healthCheckMs: 5, backoff: { strategy: 'none' } },
      callers: 4,
      thinkMs: 0.5,
      timeoutMs: 500,
      workload: () => [['INCR', 'counter']],
      faults: [
        { atMs: 50, kind: 'latency', addMs: 20, forMs: 1 },
        { atMs: 55, kind: 'drop_connections' },
      ],
    });
    expect(lab.report.executedTwice).toBe(0);
    expect(lab.report.indeterminate).toBeGreaterThan(0);
  });

  it('health_check_detects_a_half_open_socket', () => {
    const lab = runLab({
      seed: 16,
      client: { kind: 'multiplex', healthCheckMs: 20, backoff: { strategy: 'exp', initialMs: 5 } },
      timeoutMs: 10,
      durationMs: 300,
      faults: [{ atMs: 50, kind: 'partition', mode: 'drop', forMs: 30 }],
    });
    const reasons = [...lab.world.kernel.trace.ofKind('client.disconnection')].map((d) => d.reason);
    expect(reasons).toContain('health_check_timeout');
    // After the new connection is up, requests succeed again.
    expect(lab.calls.filter((c) => c.startedAt > ms(150)).every((c) => c.result.ok)).toBe(true);
  });

  it('without_a_health_check_a_half_open_socket_only_times_out', () => {
    const lab = runLab({
      seed: 16,
      client: { kind: 'multiplex' },
      timeoutMs: 10,
      durationMs: 300,
      faults: [{ atMs: 50, kind: 'partition', mode: 'drop', forMs: 30 }],
    });
    expect(lab.calls.filter((c) => c.startedAt > ms(150)).every((c) => !c.result.ok && c.result.error === 'timeout')).toBe(true);
  });
});

describe('L6-L8: resilience', () => {
  it('sync_connect_fails_when_redis_down', () => {
    const lab = runLab({
      seed: 17,
      client: { kind: 'multiplex', connect: 'sync' },
      faults: [{ atMs: 0, kind: 'server_down', forMs: 100 }],
    });
    const starts = [...lab.world.kernel.trace.ofKind('supervisor.start_child')];
    expect(starts[0]).toMatchObject({ ok: false });
    expect(lab.calls.every((c) => !c.result.ok && c.result.error === 'noproc')).toBe(true);
  });

  it('async_connect_starts_while_redis_is_down_and_serves_once_it_is_up', () => {
    const lab = runLab({
      seed: 18,
      client: { kind: 'multiplex', connect: 'async', backoff: { strategy: 'exp', initialMs: 10, maxMs: 10 } },
      faults: [{ atMs: 0, kind: 'server_down', forMs: 100 }],
    });
    const starts = [...lab.world.kernel.trace.ofKind('supervisor.start_child')];
    expect(starts[0]).toMatchObject({ ok: true });
    expect(lab.calls.some((c) => !c.result.ok && c.result.error === 'closed')).toBe(true);
    expect(lab.calls.filter((c) => c.startedAt > ms(120)).every((c) => c.result.ok)).toBe(true);
  });

  it('exit_on_disconnection_lets_the_supervisor_restart_the_connection', () => {
    const lab = runLab({
      seed: 19,
      client: { kind: 'multiplex', exitOnDisconnection: true },
      faults: [{ atMs: 50, kind: 'drop_connections' }],
    });
    const starts = [...lab.world.kernel.trace.ofKind('supervisor.start_child')];
    expect(starts.length).toBe(2);
    expect(lab.calls.filter((c) => c.startedAt > ms(60)).every((c) => c.result.ok)).toBe(true);
    expect(lab.openConnections).toBe(1);
  });

  it('reconnect_backoff_follows_the_strategy', () => {
    const lab = runLab({
      seed: 20,
      client: { kind: 'multiplex', backoff: { strategy: 'redix' } },
      faults: [{ atMs: 10, kind: 'server_down', forMs: 3000 }],
      durationMs: 20,
      settleMs: 5000,
    });
    const waits = [...lab.world.kernel.trace.ofKind('conn.backoff')].map((e) => e.us);
    // Backoff 0 to churn the mailbox, then Redix's 500 ms × 1.5 per attempt.
    expect(waits.slice(0, 5)).toEqual([0, ms(500), ms(750), ms(1125), ms(1688)]);
  });

  it('pool_reconnects_every_connection_after_a_restart', () => {
    const lab = runLab({
      seed: 21,
      client: { kind: 'pool', size: 4, backoff: { strategy: 'exp', initialMs: 10 } },
      faults: [{ atMs: 50, kind: 'server_down', forMs: 40 }],
    });
    expect(lab.openConnections).toBe(4);
    expect(lab.calls.filter((c) => c.startedAt > ms(150)).every((c) => c.result.ok)).toBe(true);
    expect(lab.report).toMatchObject({ misrouted: 0, lost: 0 });
  });
});
