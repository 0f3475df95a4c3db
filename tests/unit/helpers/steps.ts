import type { Steps } from '../../../sim/views/index.js';

/** A step function's value at t (the last point at or before t): the tests' own reading, kept apart from the views' code. */
export function valueAt(points: Steps, t: number): number {
  let v = 0;
  for (let i = 0; i < points.t.length; i++) {
    if (points.t[i]! > t) break;
    v = points.v[i]!;
  }
  return v;
}

/** A step function's points one by one, as {t, v}: how the tests walk it. */
export function pointsOf(points: Steps): Array<{ t: number; v: number }> {
  return Array.from(points.t, (t, i) => ({ t, v: points.v[i]! }));
}
