import { describe, expect, it } from 'vitest';
import { loadPreset, presetNames, presets, runScenario } from '../../sim/scenario/index.js';
import { deriveLab, describeDelta, nextFaultAt, reconnectedAt, worldDelta } from '../../sim/views/index.js';
import { ARROW_STEPS, interestingSpan, lastActivityUs, openingView, SPEEDS, speedIndexFor, speedName, zoomStepsToArrows, zoomWindow } from '../../web/src/playback.js';
import { scenarioLabel } from '../../web/src/scenario-label.js';
import { chapters } from '../../web/src/tour/chapters.js';

describe('play at human speed', () => {
  it('the_default_speed_shows_any_span_in_5_to_10_seconds', () => {
    for (let span = 1000; span < 5e7; span *= 1.37) {
      const wall = span / SPEEDS[speedIndexFor(span)]!;
      expect(wall, `span ${span} µs`).toBeGreaterThanOrEqual(5);
      expect(wall, `span ${span} µs`).toBeLessThanOrEqual(10);
    }
  });

  it('speeds_are_named_in_words', () => {
    expect(speedName(SPEEDS.indexOf(1000))).toBe('1 ms of the run per second (1,000× slower than real time)');
    expect(speedName(SPEEDS.indexOf(1_000_000))).toBe('1 s of the run per second (real time)');
    expect(speedName(SPEEDS.indexOf(500))).toBe('500 µs of the run per second (2,000× slower than real time)');
  });

  it('every_preset_has_an_interesting_part_inside_its_run', () => {
    for (const name of presetNames) {
      const s = loadPreset(name)!;
      const view = deriveLab(runScenario({ ...s, durationMs: Math.min(s.durationMs, 800), faults: s.faults.filter((f) => f.atMs < 800) }));
      const span = interestingSpan(view);
      expect(span.from, name).toBeGreaterThanOrEqual(0);
      expect(span.to, name).toBeLessThanOrEqual(view.endUs);
      expect(span.to - span.from, name).toBeGreaterThan(0);
      // A run with faults looks at them.
      for (const f of view.faults) if (f.at < span.to) expect(span.from, name).toBeLessThanOrEqual(f.at);
    }
  });
});

describe('where a run opens', () => {
  it('zooming_in_halves_the_window_around_the_playhead_inside_the_run', () => {
    expect(zoomWindow({ from: 0, to: 1000 }, 400, 1000, 0.5)).toEqual({ from: 150, to: 650 });
    // The playhead outside the window: around the window's middle.
    expect(zoomWindow({ from: 0, to: 1000 }, 5000, 10_000, 0.5)).toEqual({ from: 250, to: 750 });
    // Never past either end of the run.
    expect(zoomWindow({ from: 0, to: 1000 }, 990, 1000, 0.5)).toEqual({ from: 500, to: 1000 });
    expect(zoomWindow({ from: 200, to: 600 }, 300, 1000, 2)).toEqual({ from: 0, to: 800 });
  });

  // Every preset, at its full length, as the page runs it.
  const opened = presets.map((p) => {
    const view = deriveLab(runScenario(loadPreset(p.name)!));
    return { p, view, open: openingView(view, p, chapters.find((c) => c.preset === p.name)?.focus?.(view)) };
  });

  it('every_preset_shows_single_requests_as_arrows_within_three_presses_of_zoom_in', () => {
    for (const { p, view, open } of opened) {
      const steps = zoomStepsToArrows(view, open.window, open.playhead);
      expect(steps, `${p.name}: opens at ${open.window.from}–${open.window.to} µs`).not.toBeNull();
      expect(steps!, p.name).toBeLessThanOrEqual(ARROW_STEPS);
      expect(open.window.from, p.name).toBeGreaterThanOrEqual(0);
      expect(open.window.to, p.name).toBeLessThanOrEqual(view.endUs);
      expect(open.playhead, p.name).toBeGreaterThanOrEqual(open.window.from);
      expect(open.playhead, p.name).toBeLessThanOrEqual(open.window.to);
      // A run with faults and no view of its own opens on the first one.
      const chapter = chapters.find((c) => c.preset === p.name);
      if (view.faults.length > 0 && p.view === undefined && chapter?.focus === undefined) expect(open.playhead, p.name).toBe(Math.min(...view.faults.map((f) => f.at)));
    }
  });

  it('the_whole_run_is_too_dense_for_arrows_so_the_opening_is_what_makes_them_reachable', () => {
    // The check above is not empty: from the whole run, most presets are more than three presses away.
    const far = opened.filter(({ view, open }) => zoomStepsToArrows(view, { from: 0, to: view.endUs }, open.playhead) === null);
    expect(far.length).toBeGreaterThan(presets.length / 2);
  });

  it('l4_opens_where_full_duplex_is_drawn_request_by_request', () => {
    const { view, open } = opened.find((o) => o.p.name === 'l4-multiplex')!;
    expect(zoomStepsToArrows(view, open.window, open.playhead)).toBe(0);
    // Steady state: many requests in flight at once on the multiplexed socket within the window.
    const mux = view.worlds.find((w) => w.client.kind === 'multiplex')!;
    const crossing = mux.requests.filter((r) => r.sentAt !== null && r.sentAt >= open.window.from && r.replyAt !== null && r.replyAt <= open.window.to);
    expect(crossing.length).toBeGreaterThan(20);
  });
});

describe('the whole run on screen (z)', () => {
  const base = loadPreset('l4-multiplex')!;
  const lastEnd = (view: ReturnType<typeof deriveLab>) => Math.max(...view.worlds.flatMap((w) => w.requests.map((r) => r.end ?? view.endUs)));

  it('ends_after_the_last_request_not_at_the_end_of_the_drain', () => {
    const view = deriveLab(runScenario(base));
    // The drain: the call timeout (5 s) + 100 ms after a 1 s load.
    expect(view.endUs).toBeGreaterThan(5 * view.durationUs);
    const to = lastActivityUs(view);
    expect(to).toBeGreaterThanOrEqual(lastEnd(view));
    expect(to).toBeLessThanOrEqual(view.durationUs * 1.03);
  });

  it('takes_in_what_happens_after_the_load', () => {
    // Redis down from 0.9 s to 1.6 s: callers time out, connections come back after the load
    // (the pool's last after backing off to ~3.5 s), well before the 5 s drain is over.
    const view = deriveLab(runScenario({ ...base, drainMs: 5000, workload: { ...base.workload, callTimeoutMs: 200 }, faults: [{ atMs: 900, kind: 'server_down', forMs: 700 }] }));
    const to = lastActivityUs(view);
    expect(to).toBeGreaterThanOrEqual(lastEnd(view));
    expect(to).toBeGreaterThanOrEqual(1_600_000);
    const ups = view.worlds.flatMap((w) => w.connLanes.flatMap((l) => l.bands.filter((b) => b.state === 'up').map((b) => b.from)));
    expect(to).toBeGreaterThan(Math.max(...ups));
    expect(Math.max(...ups)).toBeGreaterThan(2_000_000);
    expect(to).toBeLessThan(view.endUs);
  });

  it('a_request_still_out_at_the_end_makes_it_the_end_of_the_run', () => {
    // Held by a partition to the end, with a timeout longer than the drain: never ended.
    const view = deriveLab(runScenario({ ...base, durationMs: 300, drainMs: 200, faults: [{ atMs: 250, kind: 'partition', forMs: 10_000 }] }));
    expect(view.worlds.some((w) => w.requests.some((r) => r.end === null))).toBe(true);
    expect(lastActivityUs(view)).toBe(view.endUs);
    // Not the partition's band alone (it reaches past the end too): the requests still out.
    expect(lastActivityUs({ ...view, faults: [] })).toBe(view.endUs);
  });
});

describe('what a fault changed', () => {
  const base = loadPreset('l4-multiplex')!;
  const before = deriveLab(runScenario(base));
  const after = deriveLab(runScenario({ ...base, faults: [{ atMs: 400, kind: 'drop_connections' }] }));

  it('a_drop_is_counted_and_the_reconnection_timed', () => {
    for (const w of after.worlds) {
      const b = before.worlds.find((x) => x.label === w.label)!;
      const d = worldDelta(b, w, 400_000);
      // Requests on the wire at the drop fail as disconnected; none did before.
      expect(d.disconnected).toBe(w.requests.filter((r) => r.error === 'disconnected').length);
      expect(d.disconnected).toBeGreaterThan(0);
      expect(d.reconnectedAfterUs).toBeGreaterThan(0);
      // The reconnection is when the world's lanes have a connection up again.
      const back = 400_000 + (d.reconnectedAfterUs as number);
      const upAt = (t: number) => w.connLanes.filter((l) => l.bands.some((x) => x.state === 'up' && x.from <= t && t < x.to)).length;
      expect(upAt(back)).toBe(upAt(399_999));
      expect(upAt(back - 1)).toBeLessThan(upAt(399_999));
      expect(describeDelta(d)).toMatch(/^\+[\d,]+ disconnected (· \+[\d,]+ failed in all )?· reconnected after [\d.]+ (ms|µs) · throughput [+−±]\d+% · p99 [+−±][\d.]+ ms$/);
    }
  });

  it('a_drop_followed_by_another_fault_is_timed_to_its_own_reconnection', () => {
    const two = deriveLab(runScenario({ ...base, faults: [{ atMs: 150, kind: 'drop_connections' }, { atMs: 450, kind: 'drop_connections' }] }));
    const one = deriveLab(runScenario({ ...base, faults: [{ atMs: 450, kind: 'drop_connections' }] }));
    for (const w of two.worlds) {
      const b = one.worlds.find((x) => x.label === w.label)!;
      const upAt = (t: number) => w.connLanes.filter((l) => l.bands.some((x) => x.state === 'up' && x.from <= t && t < x.to)).length;
      // Without the next fault's instant, the search runs on into that fault's own drop.
      expect(reconnectedAt(w, 150_000)!).toBeGreaterThan(450_000);
      const d = worldDelta(b, w, 150_000, 450_000);
      const back = 150_000 + (d.reconnectedAfterUs as number);
      expect(back).toBeGreaterThan(150_000);
      expect(back).toBeLessThan(450_000);
      expect(upAt(back)).toBe(upAt(149_999));
      expect(upAt(back - 1)).toBeLessThan(upAt(149_999));
      expect(d.nextFault).toBe(true);
    }
    const never = { label: 'x', disconnected: 3, failed: 3, reconnectedAfterUs: null, throughput: 0, p99Ms: 0 };
    expect(describeDelta({ ...never, nextFault: true })).toContain('not reconnected before the next fault');
    expect(describeDelta({ ...never, nextFault: false })).toContain('not reconnected by the end of the run');
  });

  it('the_search_stops_at_the_next_fault_that_starts_once_this_one_is_over', () => {
    const f = (at: number, until = at) => ({ at, until });
    expect(nextFaultAt([f(150_000), f(450_000)], f(150_000))).toBe(450_000);
    // A latency spike within an outage does not stop it; the next fault after the outage does.
    expect(nextFaultAt([f(500_000, 2_000_000), f(1_000_000, 1_200_000), f(2_500_000)], f(500_000, 2_000_000))).toBe(2_500_000);
    expect(nextFaultAt([f(500_000, 2_000_000), f(1_000_000, 1_200_000)], f(500_000, 2_000_000))).toBe(Number.POSITIVE_INFINITY);
    // Another at the same instant is this edit's company, not the next fault; earlier ones are before it.
    expect(nextFaultAt([f(100_000), f(300_000), f(300_000), f(700_000)], f(300_000))).toBe(700_000);
  });

  it('a_connection_per_command_has_nothing_to_reconnect', () => {
    // L1: its connections open and close with every call, so the count of those up dips all the time.
    const l1 = loadPreset('l1-silly-way')!;
    const before1 = deriveLab(runScenario(l1));
    const after1 = deriveLab(runScenario({ ...l1, faults: [{ atMs: 300, kind: 'latency', addMs: 20, forMs: 200 }] }));
    const naive = after1.worlds.find((w) => w.client.kind === 'naive')!;
    const closes = naive.connLanes.flatMap((l) => l.bands.filter((b) => b.state === 'up' && b.to > 300_000 && b.to < naive.endUs));
    expect(closes.length).toBeGreaterThan(10);
    expect(reconnectedAt(naive, 300_000)).toBeUndefined();
    const d = worldDelta(before1.worlds.find((w) => w.label === naive.label)!, naive, 300_000);
    expect(describeDelta(d)).not.toMatch(/reconnected/);
  });

  it('no_drop_means_nothing_to_reconnect', () => {
    for (const w of before.worlds) expect(reconnectedAt(w, 400_000)).toBeUndefined();
  });

  it('an_edited_preset_keeps_its_lesson_in_its_name', () => {
    const l4 = presets.find((p) => p.name === 'l4-multiplex')!.scenario;
    expect(scenarioLabel(l4)).toBeNull();
    expect(scenarioLabel({ ...l4, faults: [{ atMs: 300, kind: 'drop_connections' }] })).toBe('L4 + 1 fault');
    const l6 = presets.find((p) => p.name === 'l6-resiliency')!.scenario;
    expect(scenarioLabel({ ...l6, faults: [...l6.faults!, { atMs: 100, kind: 'drop_connections' }, { atMs: 900, kind: 'kill_caller' }] })).toBe('L6 + 2 faults');
    expect(scenarioLabel({ ...l6, faults: [] })).toMatch(/^L6, faults edited/);
    expect(scenarioLabel({ ...l4, durationMs: 777 })).toBeNull();
  });
});
