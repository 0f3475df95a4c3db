import type { StepPoint } from '../../../sim/views/index.js';

/** A step function's value at t (the last point at or before t): the tests' own reading, kept apart from the views' code. */
export function valueAt(points: StepPoint[], t: number): number {
  let v = 0;
  for (const p of points) {
    if (p.t > t) break;
    v = p.v;
  }
  return v;
}
