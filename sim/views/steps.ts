/** Step functions the views build from intervals. */
import type { StepPoint } from './types.js';

/** How many intervals are open at each time, as a step function. */
export function occupancySteps(intervals: ReadonlyArray<{ from: number; to: number }>): StepPoint[] {
  const events: Array<[number, number]> = [];
  for (const b of intervals) if (b.to > b.from) events.push([b.from, 1], [b.to, -1]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: StepPoint[] = [{ t: 0, v: 0 }];
  let v = 0;
  for (const [t, d] of events) {
    v += d;
    const last = out[out.length - 1]!;
    if (last.t === t) last.v = v;
    else out.push({ t, v });
  }
  return out;
}
