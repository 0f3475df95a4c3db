import { describe, expect, it } from 'vitest';
import { loadPreset, presetNames, runScenario } from '../../sim/scenario/index.js';
import { deriveLab, packWorld, unpackWorld, type LabView } from '../../sim/views/index.js';
import { labAt, liveRequests, requestsIn, worldAt } from '../../sim/views/at.js';
import { valueAt } from './helpers/steps.js';
import { parseScenario, type ScenarioInput } from '../../sim/scenario/schema.js';

/** Every preset, shortened so the set stays quick; the worlds come back through pack/unpack as on the page. */
const labs = presetNames.map((name) => {
  const s = loadPreset(name)!;
  const view = deriveLab(runScenario({ ...s, durationMs: Math.min(s.durationMs, 1500) }));
  const worlds = view.worlds.map((w) => unpackWorld(packWorld(w).packed));
  return { name, view: { ...view, worlds } as LabView };
});


/** Instants across the run: evenly spread, and just before, at and after each fault. */
function instants(view: LabView): number[] {
  const ts: number[] = [];
  for (let k = 0; k <= 40; k++) ts.push(Math.round((view.endUs * k) / 40));
  for (const f of view.faults) for (const t of [f.at - 1, f.at, f.at + 137, f.until - 1, f.until, f.until + 2000]) if (t >= 0 && t <= view.endUs) ts.push(t);
  // Odd instants inside busy stretches, where requests are on the wire.
  for (let k = 0; k < 20; k++) ts.push(Math.round(((k * 7919) % 1000) * (view.endUs / 1000)) + 3);
  return ts;
}

describe('the state of a world at time t', () => {
  it('dots_on_a_socket_are_the_requests_written_on_it_and_not_yet_answered', () => {
    let checked = 0;
    for (const { name, view } of labs) {
      for (const w of view.worlds) {
        // derive.ts counts a request off the wire at its first reply; a pipeline's replyAt is its
        // last, so compare only where every request is one command; a resent request is known by
        // its last connection only, so not where one was resent.
        const single = w.requests.every((r) => r.cmds === 1 && !r.resent);
        for (const t of instants(view)) {
          const at = worldAt(view, w, t);
          for (const s of at.sockets) {
            if (s.state !== 'connecting' && s.state !== 'up') {
              expect(s.dots, `${name}/${w.label} t=${t} lane ${s.lane} ${s.state}`).toEqual([]);
              continue;
            }
            const expected = w.requests.filter((r) => r.conn === s.conn && r.sentAt !== null && r.sentAt <= t && t < Math.min(r.replyAt ?? Infinity, r.end ?? Infinity)).length;
            expect(s.dots.length, `${name}/${w.label} t=${t} conn ${s.conn}`).toBe(expected);
            if (single && s.conn !== null) {
              const pts = w.connInFlight.find((c) => c.conn === s.conn)?.points ?? { t: new Float64Array(0), v: new Float64Array(0) };
              expect(s.dots.length, `${name}/${w.label} t=${t} conn ${s.conn} vs connInFlight`).toBe(valueAt(pts, t));
            }
            checked += s.dots.length;
          }
        }
      }
    }
    // The check saw requests on the wire, not only empty sockets.
    expect(checked).toBeGreaterThan(500);
  });

  it('a_socket_backing_off_or_closed_carries_no_dots_and_says_how_long_is_left', () => {
    let backoffs = 0;
    for (const { view } of labs) {
      for (const w of view.worlds) {
        for (const b of w.backoffs) {
          const t = Math.round((b.from + b.to) / 2);
          const at = worldAt(view, w, t);
          const s = at.sockets.find((x) => x.state === 'backoff' && (b.lane < 0 || x.lane === b.lane));
          if (s === undefined) continue; // its lane was reused by a connection meanwhile
          backoffs++;
          expect(s.dots).toEqual([]);
          expect(s.backoffLeftUs).toBeGreaterThan(0);
          expect(s.backoffLeftUs).toBeLessThanOrEqual(b.to - t);
        }
      }
    }
    expect(backoffs).toBeGreaterThan(3);
  });

  it('callers_waiting_and_outcomes_so_far_match_the_run', () => {
    for (const { name, view } of labs) {
      for (const w of view.worlds) {
        for (const t of instants(view)) {
          const at = worldAt(view, w, t);
          const ctx = `${name}/${w.label} t=${t}`;
          expect(at.inSystem, ctx).toBe(valueAt(w.inFlight, t));
          expect(at.succeeded, ctx).toBe(w.requests.filter((r) => r.ok === true && r.end! <= t).length);
          expect(at.failed, ctx).toBe(w.requests.filter((r) => r.ok === false && r.end! <= t).length);
          expect(at.onWire, ctx).toBe(at.sockets.reduce((n, s) => n + s.dots.length, 0));
          if (w.client.kind === 'pool') {
            expect(at.checkedOut, ctx).toBeLessThanOrEqual(at.poolSize);
            expect(at.mailbox, ctx).toBe(0);
            expect(at.poolWaiting, ctx).toBe(w.requests.filter((r) => r.queuedAt !== null && r.queuedAt <= t && t < (r.checkedOutAt ?? r.end ?? Infinity)).length);
          } else {
            expect(at.poolWaiting + at.checkedOut, ctx).toBe(0);
          }
        }
        const end = worldAt(view, w, view.endUs);
        expect(end.succeeded).toBe(w.metrics.requests.ok);
      }
    }
  });

  it('the_multiplexer_fifo_is_in_the_order_requests_were_written', () => {
    let long = 0;
    for (const { view } of labs) {
      for (const w of view.worlds.filter((x) => x.client.kind === 'multiplex')) {
        const sent = new Map(w.requests.map((r) => [r.req, r.sentAt!]));
        for (const t of instants(view)) {
          const at = worldAt(view, w, t);
          const times = at.fifo.map((r) => sent.get(r)!);
          expect([...times].sort((a, b) => a - b)).toEqual(times);
          if (at.fifo.length > 5) long++;
          for (const s of at.sockets) s.dots.forEach((d, i) => expect(d.fifo).toBe(i));
          for (const s of at.sockets) for (const d of s.dots) expect(d.pos).toBeGreaterThanOrEqual(0), expect(d.pos).toBeLessThanOrEqual(1);
        }
      }
    }
    // Full duplex: many requests on one socket at once, somewhere.
    expect(long).toBeGreaterThan(10);
  });

  it('while_redis_is_down_no_socket_is_up_and_it_queues_nothing', () => {
    let seen = 0;
    for (const { view } of labs) {
      for (const f of view.faults.filter((x) => x.kind === 'server_down')) {
        const t = Math.round((f.at + f.until) / 2);
        for (const at of labAt(view, t)) {
          seen++;
          expect(at.redisUp).toBe(false);
          expect(at.open).toBe(0);
          expect(at.redisQueue).toBe(0);
        }
        for (const at of labAt(view, f.until + 1)) expect(at.redisUp).toBe(true);
      }
    }
    expect(seen).toBeGreaterThan(0);
  });

  it('live_requests_from_the_index_equal_a_scan_of_every_request', () => {
    for (const { name, view } of labs) {
      for (const w of view.worlds) {
        for (const t of instants(view)) {
          const scan = w.requests.filter((r) => r.start <= t && t < (r.end ?? Infinity)).map((r) => r.req);
          expect(liveRequests(w, t).map((r) => r.req), `${name}/${w.label} t=${t}`).toEqual(scan);
        }
      }
    }
  });
});

describe('requests over a window', () => {
  it('requests_in_a_window_are_those_whose_life_overlaps_it', () => {
    for (const { name, view } of labs) {
      for (const w of view.worlds) {
        for (const t of instants(view).slice(0, 12)) {
          const from = t;
          const to = t + 1500;
          const scan = w.requests.filter((r) => r.start <= to && (r.end ?? Infinity) > from).map((r) => r.req);
          expect(requestsIn(w, from, to).map((r) => r.req), `${name}/${w.label} ${from}–${to}`).toEqual(scan);
        }
      }
    }
  });
});

/** One scenario of our own, run and derived as the page gets it (through pack/unpack). */
function labOf(input: ScenarioInput): LabView {
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const view = deriveLab(runScenario(parsed.scenario));
  return { ...view, worlds: view.worlds.map((w) => unpackWorld(packWorld(w).packed)) } as LabView;
}

const base = {
  durationMs: 60,
  network: { latencyMs: 0.5 },
  workload: { callers: 8, thinkMs: 1 },
  clients: [
    { label: 'pool', kind: 'pool' as const, size: 4 },
    { label: 'multiplex', kind: 'multiplex' as const },
  ],
};

describe('arrival at Redis, exact', () => {
  it('each_request_reaches_redis_one_link_delay_after_it_is_written_on_a_plain_link', () => {
    const view = labOf({ ...base, name: 'plain' });
    let n = 0;
    for (const w of view.worlds) {
      for (const r of w.requests) {
        if (r.sentAt === null || r.arriveAt === null) continue;
        n++;
        // The trace stamps 'pipeline.sent' at its step's start; the bytes leave after the step's
        // CPU (the encoding, a few µs), and land on a whole µs.
        expect(r.arriveAt - r.sentAt, `${w.label} req ${r.req}`).toBeGreaterThanOrEqual(500);
        expect(r.arriveAt - r.sentAt, `${w.label} req ${r.req}`).toBeLessThan(520);
        if (r.execAt !== null) expect(r.execAt).toBeGreaterThanOrEqual(r.arriveAt);
      }
    }
    expect(n).toBeGreaterThan(100);
  });

  it('a_slow_link_delays_arrival_beyond_the_latency_and_the_dots_queue_only_once_arrived', () => {
    // 0.05 Mbps: a ~30-byte GET takes ~5 ms to serialise, so arrival is far past the 0.5 ms latency.
    const view = labOf({ ...base, name: 'narrow', faults: [{ atMs: 20, kind: 'bandwidth', mbps: 0.05, forMs: 20 }] });
    let late = 0;
    for (const w of view.worlds) {
      for (const r of w.requests) {
        if (r.sentAt === null || r.arriveAt === null || r.sentAt < 20_000 || r.sentAt > 38_000) continue;
        if (r.arriveAt - r.sentAt > 1000) late++;
      }
      for (let t = 20_000; t < 45_000; t += 250) {
        const at = worldAt(view, w, t);
        const queued = at.sockets.flatMap((s) => s.dots).filter((d) => d.phase === 'queued');
        const expected = w.requests.filter((r) => r.arriveAt !== null && r.arriveAt <= t && t < (r.execAt ?? Infinity) && r.sentAt !== null && t < Math.min(r.replyAt ?? Infinity, r.end ?? Infinity));
        expect(queued.map((d) => d.req).sort(), `${w.label} t=${t}`).toEqual(expected.map((r) => r.req).sort().filter((req) => queued.some((d) => d.req === req)));
        expect(at.redisQueue).toBe(queued.length);
        for (const d of at.sockets.flatMap((s) => s.dots)) {
          const r = w.requests.find((x) => x.req === d.req)!;
          if (d.phase === 'request') expect(r.arriveAt === null || t < r.arriveAt, `req ${r.req} at ${t}`).toBe(true);
          else expect(r.arriveAt, `req ${r.req} at ${t}`).not.toBeNull();
        }
      }
    }
    expect(late).toBeGreaterThan(5);
  });

  it('bytes_held_by_a_partition_arrive_when_it_heals_and_lost_ones_never_do', () => {
    const hold = labOf({ ...base, name: 'hold', workload: { ...base.workload, callTimeoutMs: 5000 }, faults: [{ atMs: 20, kind: 'partition', forMs: 10, mode: 'hold' }] });
    let held = 0;
    for (const w of hold.worlds) {
      for (const r of w.requests) {
        if (r.sentAt === null || r.sentAt < 20_000 || r.sentAt >= 29_000) continue;
        held++;
        expect(r.arriveAt, `${w.label} req ${r.req}`).toBeGreaterThanOrEqual(30_000);
      }
    }
    expect(held).toBeGreaterThan(0);
    const drop = labOf({ ...base, name: 'drop', workload: { ...base.workload, callTimeoutMs: 5 }, faults: [{ atMs: 20, kind: 'partition', forMs: 10, mode: 'drop' }] });
    let lost = 0;
    for (const w of drop.worlds) {
      for (const r of w.requests) {
        if (r.sentAt === null || r.sentAt < 20_000 || r.sentAt >= 29_000 || r.conn === null) continue;
        lost++;
        expect(r.arriveAt, `${w.label} req ${r.req}`).toBeNull();
        // On the wire it is stuck halfway, never queued at Redis.
        const at = worldAt(drop, w, r.sentAt + 2000);
        const d = at.sockets.flatMap((s) => s.dots).find((x) => x.req === r.req);
        if (d !== undefined) expect([d.phase, d.pos <= 0.5]).toEqual(['request', true]);
      }
    }
    expect(lost).toBeGreaterThan(0);
  });
});

describe('redis at the playhead, from the trace', () => {
  it('a_restart_during_an_outage_keeps_redis_down_until_it_really_comes_back', () => {
    // Two overlapping server_down faults: the second extends the outage to 35 ms (redis.up then),
    // and the time left counts to that, not to the end of the first.
    const view = labOf({ ...base, name: 'twice', faults: [{ atMs: 10, kind: 'server_down', forMs: 15 }, { atMs: 20, kind: 'server_down', forMs: 15 }] });
    for (const w of view.worlds) {
      expect(worldAt(view, w, 9_999).redis.state).toBe('up');
      expect(worldAt(view, w, 12_000).redis).toMatchObject({ state: 'down', leftUs: 23_000 });
      expect(worldAt(view, w, 30_000).redisUp).toBe(false);
      expect(worldAt(view, w, 30_000).redis.leftUs).toBe(5_000);
      expect(worldAt(view, w, 35_000).redisUp).toBe(true);
    }
  });

  it('a_pause_and_a_slow_server_are_states_of_their_own_and_maxclients_rejections_are_counted', () => {
    const view = labOf({
      ...base,
      name: 'states',
      server: { maxClients: 2 },
      faults: [
        { atMs: 10, kind: 'server_pause', forMs: 5 },
        { atMs: 30, kind: 'slow_server', factor: 10, forMs: 5 },
      ],
    });
    for (const w of view.worlds) {
      expect(worldAt(view, w, 12_000).redis).toMatchObject({ state: 'paused', leftUs: 3_000 });
      expect(worldAt(view, w, 12_000).redisUp).toBe(true);
      expect(worldAt(view, w, 16_000).redis.state).toBe('up');
      expect(worldAt(view, w, 31_000).redis).toMatchObject({ state: 'slow', factor: 10, leftUs: 4_000 });
    }
    // The pool of four against maxclients 2: two of its connections are turned away, again and again.
    const pool = view.worlds.find((w) => w.label === 'pool')!;
    const early = worldAt(view, pool, 5_000).redis.rejected;
    const late = worldAt(view, pool, 59_000).redis.rejected;
    expect(early).toBeGreaterThan(0);
    expect(late).toBeGreaterThanOrEqual(early);
    expect(worldAt(view, view.worlds.find((w) => w.label === 'multiplex')!, 59_000).redis.rejected).toBe(0);
  });
});
