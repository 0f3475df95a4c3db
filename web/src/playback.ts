/**
 * Playback at human speed: a ladder of speeds named in plain words, and the default speed of a
 * run, chosen so its interesting part (a chapter's focus, the faults and the recovery after them,
 * or the first round trips of a run without faults) takes 5–10 s of wall time.
 */
import { reconnectedAt, type LabView } from '../../sim/views/index.js';

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

/** "0.5 ms of the run per second (2,000× slower than real time)". */
export function speedName(index: number): string {
  const us = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, index))]!;
  const factor = 1_000_000 / us;
  const rel =
    Math.abs(factor - 1) < 1e-9
      ? 'real time'
      : factor > 1
        ? `${Math.round(factor).toLocaleString('en-US')}× slower than real time`
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
