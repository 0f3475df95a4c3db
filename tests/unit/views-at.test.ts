import { describe, expect, it } from 'vitest';
import { loadPreset, presetNames, runScenario } from '../../sim/scenario/index.js';
import { deriveLab, packWorld, unpackWorld, type LabView } from '../../sim/views/index.js';
import { labAt, liveRequests, requestsIn, worldAt } from '../../sim/views/at.js';
import { valueAt } from './helpers/steps.js';

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
              const pts = w.connInFlight.find((c) => c.conn === s.conn)?.points ?? [];
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
