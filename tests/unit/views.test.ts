import { describe, expect, it } from 'vitest';
import { loadPreset, parseScenario, presetNames, runScenario } from '../../sim/scenario/index.js';
import { deriveLab, packWorld, unpackWorld, type RequestView, type WorldView } from '../../sim/views/index.js';
import { RequestsById } from '../../sim/views/derive.js';
import { pointsOf, valueAt } from './helpers/steps.js';

/** Every preset, shortened so the whole set stays quick; the faults inside the window still fire. */
const labs = presetNames.map((name) => {
  const s = loadPreset(name)!;
  return { name, view: deriveLab(runScenario({ ...s, durationMs: Math.min(s.durationMs, 3000) })) };
});


/** How many of the sorted xs are <= t. */
function countAtMost(xs: number[], t: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function eachWorld(fn: (w: WorldView, preset: string) => void): void {
  for (const { name, view } of labs) for (const w of view.worlds) fn(w, name);
}

describe('views derived from a run', () => {
  it('every_request_is_counted_as_the_metrics_count_it', () => {
    eachWorld((w, preset) => {
      const ctx = `${preset}/${w.label}`;
      expect(w.requests.length, ctx).toBe(w.metrics.requests.issued);
      expect(w.requests.filter((r) => r.ok === true).length, ctx).toBe(w.metrics.requests.ok);
      const errors: Record<string, number> = {};
      for (const r of w.requests) if (r.ok === false) errors[r.error] = (errors[r.error] ?? 0) + 1;
      expect(errors, ctx).toEqual(w.metrics.requests.errors);
    });
  });

  it('each_request_life_is_in_order', () => {
    eachWorld((w, preset) => {
      const wrong: string[] = [];
      for (const r of w.requests) {
        // A reply may come after its caller gave up (a late reply), so it is checked apart.
        const steps = [r.start, r.queuedAt, r.checkedOutAt, r.sentAt, r.end].filter((x): x is number => x !== null);
        if (steps.some((x, i) => i > 0 && x < steps[i - 1]!)) wrong.push(`req ${r.req}: steps out of order ${steps.join(' ')}`);
        if (r.replyAt !== null && (r.sentAt === null || r.replyAt < r.sentAt)) wrong.push(`req ${r.req}: a reply before it was sent`);
        if (r.replyAt !== null && r.end !== null && r.replyAt > r.end && r.ok !== false) wrong.push(`req ${r.req}: a late reply, yet ok`);
        if (r.ok !== null && r.end === null) wrong.push(`req ${r.req}: an outcome without an end`);
        if ((r.ok === true) !== (r.error === '') && r.ok !== null) wrong.push(`req ${r.req}: ok ${r.ok} with error '${r.error}'`);
      }
      expect(wrong, `${preset}/${w.label}`).toEqual([]);
    });
  });

  it('requests_in_the_system_match_the_requests_themselves', () => {
    eachWorld((w, preset) => {
      const ts = [...w.inFlight.t];
      for (const t of ts.filter((_, i) => i % Math.max(1, Math.floor(ts.length / 200)) === 0)) {
        const live = w.requests.filter((r) => r.start <= t && (r.end === null || r.end > t)).length;
        expect(valueAt(w.inFlight, t), `${preset}/${w.label} at ${t}`).toBe(live);
      }
    });
  });

  it('a_connection_carries_what_was_written_on_it_until_answered_ended_or_closed', () => {
    eachWorld((w, preset) => {
      if (w.requests.some((r) => r.resent)) return; // a resent request's conn is its last one only
      const closedAt = new Map<number, number>();
      for (const lane of w.connLanes) for (const b of lane.bands) closedAt.set(b.conn, Math.max(closedAt.get(b.conn) ?? 0, b.to));
      const wrong: string[] = [];
      for (const { conn, points } of w.connInFlight) {
        const onIt = w.requests.filter((r) => r.conn === conn && r.sentAt !== null);
        const closed = closedAt.get(conn) ?? Number.POSITIVE_INFINITY;
        // On the wire from its send until its reply or its end: count the sends and the leavings up to t.
        const sends = onIt.map((r) => r.sentAt!).sort((a, b) => a - b);
        const leaves = onIt.map((r) => Math.min(r.replyAt ?? Infinity, r.end ?? Infinity)).sort((a, b) => a - b);
        for (const p of pointsOf(points)) {
          const want = p.t >= closed && closed < w.endUs ? 0 : countAtMost(sends, p.t) - countAtMost(leaves, p.t);
          if (p.v !== want) wrong.push(`conn ${conn} at ${p.t}: ${p.v}, expected ${want}`);
        }
      }
      expect(wrong.slice(0, 5), `${preset}/${w.label}`).toEqual([]);
    });
  });

  it('nothing_stays_in_flight_on_a_connection_after_it_closes', () => {
    // The drop presets close connections with requests on them.
    let closedWithRequests = 0;
    eachWorld((w, preset) => {
      const closes = new Map<number, number>();
      for (const lane of w.connLanes) for (const b of lane.bands) closes.set(b.conn, Math.max(closes.get(b.conn) ?? 0, b.to));
      for (const [conn, at] of closes) if (at >= w.endUs) closes.delete(conn);
      for (const { conn, points } of w.connInFlight) {
        const at = closes.get(conn);
        if (at === undefined) continue;
        if (valueAt(points, at - 1) > 0) closedWithRequests++;
        expect(valueAt(points, at), `${preset}/${w.label} conn ${conn}`).toBe(0);
      }
    });
    expect(closedWithRequests).toBeGreaterThan(0);
  });

  it('connections_on_one_lane_never_overlap', () => {
    eachWorld((w, preset) => {
      for (const lane of w.connLanes) {
        const byConn = new Map<number, { from: number; to: number }>();
        for (const b of lane.bands) {
          const c = byConn.get(b.conn);
          byConn.set(b.conn, c === undefined ? { from: b.from, to: b.to } : { from: Math.min(c.from, b.from), to: Math.max(c.to, b.to) });
        }
        const spans = [...byConn.values()].sort((a, b) => a.from - b.from);
        for (let i = 1; i < spans.length; i++) expect(spans[i]!.from, `${preset}/${w.label} lane ${lane.lane}`).toBeGreaterThanOrEqual(spans[i - 1]!.to);
      }
    });
  });

  it('a_process_backs_off_and_reconnects_on_its_own_lane', () => {
    let onOwnLane = 0;
    let reconnectedThere = 0;
    eachWorld((w, preset) => {
      const laneOf = new Map<number, number>();
      for (const lane of w.connLanes) for (const b of lane.bands) laneOf.set(b.conn, lane.lane);
      for (const b of w.backoffs) {
        if (b.lane < 0) continue;
        onOwnLane++;
        const lane = w.connLanes[b.lane]!;
        // Nothing else on the lane while it waits.
        const clash = lane.bands.find((c) => c.from < b.to && b.from < c.to);
        expect(clash, `${preset}/${w.label} backoff of ${b.pid} at ${b.from}`).toBeUndefined();
        // The next connection on the lane starts as the wait ends (a scheduling step later).
        const next = lane.bands.filter((c) => c.from >= b.to).sort((x, y) => x.from - y.from)[0];
        if (next !== undefined && next.from - b.to <= 100) reconnectedThere++;
      }
    });
    expect(onOwnLane).toBeGreaterThan(0);
    expect(reconnectedThere).toBeGreaterThan(0);
  });
});

describe('a packed view', () => {
  it('unpacks_to_the_same_view_after_crossing_to_another_thread', () => {
    eachWorld((w, preset) => {
      const { packed, transfer } = packWorld(w);
      // As postMessage does: a structured clone, the buffers moved.
      const moved = structuredClone(packed, { transfer });
      expect(unpackWorld(moved), `${preset}/${w.label}`).toEqual(w);
    });
  });

  it('keeps_nulls_apart_from_zero', () => {
    const w = labs[0]!.view.worlds[0]!;
    const r: RequestView = { ...w.requests[0]!, start: 0, queuedAt: null, checkedOutAt: 0, sentAt: null, conn: 0, execAt: null, replyAt: 0, end: null, ok: null, error: '' };
    const back = unpackWorld(packWorld({ ...w, requests: [r, { ...r, conn: null, ok: false, error: 'timeout', indeterminate: true, resent: true }] }).packed);
    expect(back.requests).toEqual([r, { ...r, conn: null, ok: false, error: 'timeout', indeterminate: true, resent: true }]);
  });
});

describe('a killed caller', () => {
  it('ends_its_request_at_the_kill_as_killed_not_in_flight_to_the_end_of_the_run', () => {
    const parsed = parseScenario({
      name: 'kill',
      durationMs: 200,
      workload: { callers: 4, thinkMs: 1, callTimeoutMs: 100, mix: { SLEEP: 1 }, sleepMs: 5 },
      clients: [
        { label: 'pool', kind: 'pool', size: 2 },
        { label: 'mux', kind: 'multiplex' },
      ],
      faults: [{ atMs: 50, kind: 'kill_caller', caller: 1 }],
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const result = runScenario(parsed.scenario);
    const lab = deriveLab(result);
    for (const [wi, w] of lab.worlds.entries()) {
      const kill = [...result.worlds[wi]!.trace.ofKind('fault.kill_caller')][0]!;
      const killed = w.requests.filter((r) => r.error === 'killed');
      expect(killed, w.label).toHaveLength(1);
      expect(killed[0]!.end).toBe(kill.t);
      expect(killed[0]!.ok).toBe(false);
      expect(killed[0]!.caller).toBe(kill.pid);
      // Nothing of it is left in flight after the kill.
      expect(w.requests.filter((r) => r.caller === killed[0]!.caller && r.end === null)).toHaveLength(0);
    }
  });
});

describe('late replies', () => {
  it('each_reply_dropped_by_an_inactive_alias_is_marked_on_the_request_that_timed_out', () => {
    const result = runScenario(loadPreset('late-replies')!);
    const lab = deriveLab(result);
    for (const [wi, w] of lab.worlds.entries()) {
      const dropTimes = new Set([...result.worlds[wi]!.trace.ofKind('msg.drop')].filter((d) => d.reason === 'inactive_alias').map((d) => d.t));
      // A request whose reply was read after its caller gave up: its reply was dropped.
      const late = w.requests.filter((r) => r.error === 'timeout' && r.replyAt !== null && r.replyAt > r.end!);
      expect(w.lateDrops, w.label).toHaveLength(late.length);
      const byReq = new Map(w.requests.map((r) => [r.req, r]));
      for (const d of w.lateDrops) {
        expect(dropTimes.has(d.t)).toBe(true);
        const r = byReq.get(d.req)!;
        expect(r.error).toBe('timeout');
        expect(d.t).toBeGreaterThanOrEqual(r.replyAt!);
        expect(d.t).toBeGreaterThan(r.end!);
        expect(d.lane).toBe(r.callerLane);
      }
    }
    // The multiplexer's late replies are dropped by the runtime, every one of them a command's; the
    // pool's die with their socket (its drops are checkout replies that raced a caller's timeout).
    const mux = lab.worlds.findIndex((w) => w.label === 'multiplex');
    const muxDrops = [...result.worlds[mux]!.trace.ofKind('msg.drop')].filter((d) => d.reason === 'inactive_alias');
    expect(lab.worlds[mux]!.lateDrops.length).toBeGreaterThan(0);
    expect(lab.worlds[mux]!.lateDrops).toHaveLength(muxDrops.length);
    expect(lab.worlds.find((w) => w.label === 'pool')!.lateDrops).toHaveLength(0);
  }, 120_000);
});

describe('the requests by id in the view pass', () => {
  it('finds_every_request_as_a_map_would_in_order_or_not', () => {
    const byId = new RequestsById();
    const oracle = new Map<number, number>();
    let id = 5;
    const rng = (() => {
      let x = 7;
      return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    })();
    for (let i = 0; i < 5000; i++) {
      // Mostly increasing by a few (refs), now and then one out of order.
      // Now and then an id already added (a Map keeps the latest).
      const req = rng() < 0.01 ? Math.floor(rng() * id) * 2 + 1 : rng() < 0.01 && oracle.size > 0 ? [...oracle.keys()][Math.floor(rng() * oracle.size)]! : (id += 1 + Math.floor(rng() * 6)) * 2;
      // The row: its place among the requests added.
      byId.add(req, i);
      oracle.set(req, i);
      for (let k = 0; k < 3; k++) {
        const probe = Math.floor(rng() * (2 * id + 4));
        expect(byId.get(probe)).toBe(oracle.get(probe) ?? -1);
      }
    }
    for (const [req, row] of oracle) expect(byId.get(req)).toBe(row);
  });
});
