/**
 * The checker keeps what can still change, not every request of the run: a request is dropped
 * once it ended and none of its commands can still run, and what it leaves behind (4 bits) still
 * catches it ending again or being written again. Counted in records, never in bytes or time.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/kernel/index.js';
import type { TraceEvents, TraceKind } from '../../sim/kernel/trace.js';
import { CHECKED_KINDS, Checker, check } from '../../sim/clients/index.js';
import { parseScenario, runScenario, type ScenarioInput } from '../../sim/scenario/index.js';

function scenario(input: ScenarioInput) {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

/** The most records the checker held while reading the world's trace, and its report. */
function peakRetained(input: ScenarioInput): { peak: number; requests: number; report: ReturnType<Checker['report']> } {
  const [w] = runScenario(scenario(input)).worlds;
  const checker = new Checker();
  let peak = 0;
  w!.trace.each((t, kind, f) => {
    checker.visit(t, kind, f);
    peak = Math.max(peak, checker.retained);
  }, CHECKED_KINDS);
  return { peak, requests: w!.metrics.requests.issued, report: checker.report() };
}

const closed = (durationMs: number): ScenarioInput => ({
  name: 'checker-memory',
  durationMs,
  workload: { callers: 20, thinkMs: 0.5 },
  clients: [{ label: 'm', kind: 'multiplex' }],
});

describe('the checker in a long run', () => {
  it('holds_as_many_records_at_four_times_the_requests', () => {
    const short = peakRetained(closed(100));
    const long = peakRetained(closed(400));
    expect(long.requests).toBeGreaterThan(3 * short.requests);
    // Bounded by what is in flight (20 callers), not by the requests of the run.
    expect(long.peak).toBeLessThan(100);
    expect(long.peak).toBeLessThanOrEqual(short.peak + 5);
  }, 60_000);

  it('stays_bounded_with_connections_dropped_now_and_then', () => {
    // What a dropped connection leaves unanswered is kept (a reply could still be read): it grows
    // with the faults, not with the requests.
    for (const kind of ['naive', 'pool', 'multiplex'] as const) {
      const run = (durationMs: number) =>
        peakRetained({
          ...closed(durationMs),
          workload: { callers: 10, thinkMs: 0.5 },
          clients: [kind === 'pool' ? { label: 'c', kind, size: 4 } : { label: 'c', kind }],
          faults: [20, 70, 120].map((atMs) => ({ atMs, kind: 'drop_connections' as const })),
        });
      const short = run(200);
      const long = run(800);
      expect(long.requests, kind).toBeGreaterThan(2 * short.requests);
      expect(long.peak, kind).toBeLessThanOrEqual(short.peak + 5);
      expect(long.report.lost, kind).toBe(0);
    }
  }, 120_000);
});

/** A trace written by hand: each entry [µs, kind, fields]. */
function trace(events: Array<[number, TraceKind, Record<string, number | string | boolean>]>) {
  const k = new Kernel({ seed: 1 });
  for (const [t, kind, f] of events) k.at(t, () => k.trace.record(kind, f as TraceEvents[typeof kind]));
  k.run();
  return k.trace;
}

describe('what the checker still counts after it dropped a request', () => {
  const start = (req: number) => ['pipeline.start', { req, caller: 9, cmds: 1, name: 'get' }] as const;
  const sent = (req: number, conn: number, i: number) => ['pipeline.sent', { req, conn, i, n: 1 }] as const;
  const exec = (conn: number, i: number) => ['redis.exec', { conn, i, cmd: 'get' }] as const;
  const reply = (req: number, conn: number, i: number) => ['pipeline.reply', { req, conn, i }] as const;
  const stop = (req: number, ok: boolean, indeterminate = !ok) => ['pipeline.stop', { req, ok, error: ok ? '' : 'timeout', indeterminate }] as const;
  const at = <T extends readonly [TraceKind, object]>(t: number, e: T): [number, TraceKind, Record<string, number | string | boolean>] => [t, e[0], e[1] as Record<string, number | string | boolean>];

  it('a_request_that_ends_again_long_after_it_was_settled_is_a_duplicated_reply', () => {
    const events = [at(0, ['redis.accept', { conn: 1, client: 1 }] as const), at(1, start(10)), at(2, sent(10, 1, 0)), at(3, exec(1, 0)), at(4, reply(10, 1, 0)), at(5, stop(10, true))];
    // A thousand more requests on the same connection, then request 10 ends a second time.
    for (let n = 1; n <= 1000; n++) {
      const req = 10 + n;
      events.push(at(10 * n + 10, start(req)), at(10 * n + 11, sent(req, 1, n)), at(10 * n + 12, exec(1, n)), at(10 * n + 13, reply(req, 1, n)), at(10 * n + 14, stop(req, true)));
    }
    events.push(at(20_000, stop(10, false)));
    const checker = new Checker();
    trace(events).each((t, kind, f) => checker.visit(t, kind, f), CHECKED_KINDS);
    expect(checker.retained).toBeLessThan(5);
    const r = checker.report();
    expect(r).toMatchObject({ requests: 1001, ok: 1001, duplicatedReplies: 1, lost: 0 });
    expect(r.problems.join('\n')).toMatch(/request 10 ended/);
  });

  it('a_timed_out_request_written_again_and_run_twice_counts_as_executed_twice', () => {
    // Request 1 times out, runs, its connection drops (so it is settled); an at-least-once client
    // writes it again on a new connection, where it runs a second time.
    const r = check(
      trace([
        at(0, ['redis.accept', { conn: 1, client: 1 }] as const),
        at(1, start(1)),
        at(2, sent(1, 1, 0)),
        at(3, stop(1, false)),
        at(4, exec(1, 0)),
        at(5, ['redis.close', { conn: 1, why: 'killed' }] as const),
        at(6, ['redis.accept', { conn: 2, client: 2 }] as const),
        at(7, ['pipeline.resend', { req: 1 }] as const),
        at(8, sent(1, 2, 0)),
        at(9, exec(2, 0)),
        at(10, reply(1, 2, 0)),
      ]),
    );
    expect(r).toMatchObject({ requests: 1, executedTwice: 1, indeterminate: 1, duplicatedReplies: 0, misrouted: 0 });
  });

  it('a_request_failed_as_not_run_whose_command_runs_after_it_was_settled_is_falsely_determinate', () => {
    const r = check(
      trace([
        at(0, ['redis.accept', { conn: 1, client: 1 }] as const),
        at(1, start(1)),
        at(2, sent(1, 1, 0)),
        at(3, stop(1, false, false)),
        at(4, ['redis.close', { conn: 1, why: 'killed' }] as const),
        at(6, ['redis.accept', { conn: 2, client: 2 }] as const),
        at(8, sent(1, 2, 0)),
        at(9, exec(2, 0)),
      ]),
    );
    expect(r).toMatchObject({ requests: 1, falselyDeterminate: 1, executedTwice: 0 });
  });

  it('a_late_reply_to_a_request_that_ended_is_matched_to_its_command_not_misrouted', () => {
    // The caller gave up before the reply; the reply is still read and handed to its request.
    const r = check(
      trace([
        at(0, ['redis.accept', { conn: 1, client: 1 }] as const),
        at(1, start(1)),
        at(2, sent(1, 1, 0)),
        at(3, stop(1, false)),
        at(4, exec(1, 0)),
        at(5, start(2)),
        at(6, sent(2, 1, 1)),
        at(7, reply(1, 1, 0)),
        at(8, exec(1, 1)),
        at(9, reply(3, 1, 1)),
        at(10, stop(2, true)),
      ]),
    );
    expect(r.misrouted).toBe(1);
    expect(r.problems).toEqual(['t=9: reply 1 on conn 1 went to request 3 but answers request 2']);
  });

  it('a_killed_callers_request_is_abandoned_not_lost', () => {
    const other = ['pipeline.start', { req: 2, caller: 8, cmds: 1, name: 'get' }] as const;
    const r = check(trace([at(1, start(1)), at(1, other), at(2, ['proc.exit', { pid: 9, name: 'caller', reason: 'killed' }] as const)]));
    expect(r).toMatchObject({ requests: 2, abandoned: 1, lost: 1 });
  });

  it('names_the_requests_left_open_in_the_order_it_first_saw_them', () => {
    // Requests are kept by number (request refs count up) but reported in the order seen: here
    // 7 and 40 start after higher numbers.
    const r = check(trace([at(1, start(10_000)), at(2, start(7)), at(3, start(9000)), at(4, start(40))]));
    expect(r.lost).toBe(4);
    expect(r.problems).toEqual(['request 10000 never ended', 'request 7 never ended', 'request 9000 never ended', 'request 40 never ended']);
  });
});
