/**
 * Playback at human speed: a ladder of speeds named in plain words, and the default speed of a
 * run, chosen so its interesting part (a chapter's focus, the faults and the recovery after them,
 * or the first round trips of a run without faults) takes 5–10 s of wall time.
 */
import { reconnectedAt, type LabView } from '../../sim/views/index.js';
import type { Preset } from '../../sim/scenario/presets.js';
import { drawsArrows } from './components/timeline/frame.js';
import { worldIndexOf } from './components/timeline/world-index.js';

/** Simulated µs per wall second: 1, 1.5, 2, 3, 5, 7 per decade (neighbours ≤ 1.67× apart, so one lands in any 5–10 s). */
export const SPEEDS: number[] = [];
for (let d = 1; d <= 7; d++) for (const m of [1, 1.5, 2, 3, 5, 7]) SPEEDS.push(m * 10 ** d);

/** Wall seconds the interesting part should take: the middle of 5–10 s (geometrically). */
const TARGET_S = Math.sqrt(50);

export function speedIndexFor(spanUs: number): number {
  const ideal = spanUs / TARGET_S;
  let best = 0;
  for (let i = 1; i < SPEEDS.length; i++) if (Math.abs(Math.log(SPEEDS[i]! / ideal)) < Math.abs(Math.log(SPEEDS[best]! / ideal))) best = i;
  return best;
}

function amount(us: number): string {
  if (us >= 1_000_000) return `${+(us / 1_000_000).toPrecision(2)} s`;
  if (us >= 1000) return `${+(us / 1000).toPrecision(2)} ms`;
  return `${+us.toPrecision(2)} µs`;
}

/** One formatter (toLocaleString makes one per call: the toolbar names the speed at every progress report). */
const wholeNumber = new Intl.NumberFormat('en-US');

/** "0.5 ms of the run per second (2,000× slower than real time)". */
export function speedName(index: number): string {
  const us = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, index))]!;
  const factor = 1_000_000 / us;
  const rel =
    Math.abs(factor - 1) < 1e-9
      ? 'real time'
      : factor > 1
        ? `${wholeNumber.format(Math.round(factor))}× slower than real time`
        : `${+(1 / factor).toPrecision(2)}× faster than real time`;
  return `${amount(us)} of the run per second (${rel})`;
}

/** When every world has as many connections up again as just before `at` (null: one never does in the run). */
export function recoveredAt(view: LabView, at: number): number | null {
  let latest = at;
  for (const w of view.worlds) {
    const back = reconnectedAt(w, at);
    if (back === null) return null;
    if (back !== undefined) latest = Math.max(latest, back);
  }
  return latest;
}

/**
 * Where "the whole run" ends on screen: the last thing that happened in any world (a request
 * ending, a connection opening or closing, a backoff, Redis coming back, a late reply dropped, a
 * resend, a connection turned away, a fault), and at least the load's duration; a little past
 * it, so the last requests are not on the edge. Not the run's end: a run goes on after its load
 * for the calls still out (sim/scenario/run.ts drainUs: the call timeout + 100 ms), and with the
 * default 5 s timeout a 2.5 s run ends at 7.6 s, its last two thirds empty. A request still out
 * when the run ended makes it the run's end.
 */
export function lastActivityUs(view: LabView): number {
  let last = view.durationUs;
  for (const f of view.faults) last = Math.max(last, f.until);
  for (const w of view.worlds) {
    const { end, rows } = worldIndexOf(w);
    for (let i = 0; i < rows.n; i++) if (end[i]! > last) last = end[i]!;
    if (w.connects.length > 0) last = Math.max(last, w.connects[w.connects.length - 1]!);
    for (const lane of w.connLanes) for (const b of lane.bands) last = Math.max(last, b.from, b.to < w.endUs ? b.to : b.from);
    for (const b of w.backoffs) last = Math.max(last, b.to);
    for (const b of w.redis) last = Math.max(last, b.to);
    for (const d of w.lateDrops) last = Math.max(last, d.t);
    for (const r of w.resends) last = Math.max(last, r.at);
    if (w.maxclientsRejects.length > 0) last = Math.max(last, w.maxclientsRejects[w.maxclientsRejects.length - 1]!);
  }
  return Math.min(view.endUs, last + last * 0.02);
}

/** The part of a run worth watching closely, in µs. */
export function interestingSpan(view: LabView, focus?: { from: number; to: number } | null): { from: number; to: number } {
  if (focus !== null && focus !== undefined && focus.to > focus.from) return focus;
  if (view.faults.length > 0) {
    const from = Math.min(...view.faults.map((f) => f.at));
    const last = Math.max(...view.faults.map((f) => f.until));
    const back = recoveredAt(view, from) ?? last;
    const to = Math.min(view.endUs, Math.max(last, back) + 2000);
    return { from: Math.max(0, from - (to - from) * 0.1), to };
  }
  // No fault: the first round trips, where connections open and requests start to flow.
  const rtt = 2 * view.scenario.network.latencyMs * 1000;
  return { from: 0, to: Math.min(view.endUs, Math.max(4000, 10 * rtt)) };
}

export interface TimeWindow {
  from: number;
  to: number;
}

/** What `=` does (factor 0.5) and `-` (2): the window scaled around the playhead (its middle if the playhead is outside it). */
export function zoomWindow(w: TimeWindow, t: number, endUs: number, factor: number): TimeWindow {
  const center = t >= w.from && t <= w.to ? t : (w.from + w.to) / 2;
  const span = Math.max(50, Math.min(endUs, (w.to - w.from) * factor));
  const from = Math.max(0, Math.min(endUs - span, center - span / 2));
  return { from, to: from + span };
}

/** Presses of `=` a learner may need, from where a run opens, to see single requests as arrows. */
export const ARROW_STEPS = 3;

/**
 * How many presses of `=` (around the playhead at t) from window w until every world draws its
 * requests as arrows; null if not within `max`.
 */
export function zoomStepsToArrows(view: LabView, w: TimeWindow, t: number, max = ARROW_STEPS): number | null {
  const ixs = view.worlds.map(worldIndexOf);
  let win = w;
  for (let k = 0; k <= max; k++) {
    if (ixs.every((ix) => drawsArrows(ix, win.from, win.to))) return k;
    win = zoomWindow(win, t, view.endUs, 0.5);
  }
  return null;
}

/**
 * Where a run opens: its preset's own view when it has one (L4 opens where full duplex reads as
 * arrows), else where the lesson's chapter of the tour looks (`focus`), else the part worth
 * watching — the faults and the recovery after them, or the first round trips — with the
 * playhead on the first fault (or at its start). Whichever it is, it is narrowed around the
 * playhead until arrow-level detail is at most ARROW_STEPS presses of `=` away.
 */
export function openingView(view: LabView, preset?: Pick<Preset, 'view'> | null, focus?: (TimeWindow & { playhead: number }) | null): { window: TimeWindow; playhead: number } {
  const end = view.endUs;
  const clamp = (x: number) => Math.max(0, Math.min(end, x));
  const given = preset?.view !== undefined ? { from: preset.view.fromMs * 1000, to: preset.view.toMs * 1000, playhead: preset.view.playheadMs * 1000 } : focus;
  if (given != null && clamp(given.to) > clamp(given.from)) return narrowed(view, { from: clamp(given.from), to: clamp(given.to) }, clamp(given.playhead));
  const span = interestingSpan(view);
  const t = view.faults.length > 0 ? clamp(Math.min(...view.faults.map((f) => f.at))) : span.from;
  const w: TimeWindow = { from: clamp(span.from), to: clamp(span.to) };
  return narrowed(view, w.to > w.from ? w : { from: 0, to: Math.max(1, end) }, t);
}

function narrowed(view: LabView, w: TimeWindow, t: number): { window: TimeWindow; playhead: number } {
  while (w.to - w.from > 50 && zoomStepsToArrows(view, w, t) === null) w = zoomWindow(w, t, view.endUs, 0.5);
  return { window: w, playhead: t };
}
