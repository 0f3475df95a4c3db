/** Step functions the views build from intervals. */
import type { StepPoint } from './types.js';

/**
 * Sorts numbers that come almost in order (the views' intervals are recorded as time goes: their
 * starts in order, their ends nearly): insertion sort, linear when little is out of place, and
 * a typed array's sort (native, no comparator) once more than a few moves per element were needed.
 */
function sortNearly(a: number[]): void {
  let budget = 4 * a.length + 64;
  for (let i = 1; i < a.length; i++) {
    const x = a[i]!;
    let j = i - 1;
    if (a[j]! <= x) continue;
    while (j >= 0 && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
      if (--budget < 0) {
        a[j + 1] = x;
        const sorted = Float64Array.from(a).sort();
        for (let k = 0; k < a.length; k++) a[k] = sorted[k]!;
        return;
      }
    }
    a[j + 1] = x;
  }
}

/**
 * How many intervals are open at each time, as a step function. The starts and the ends are
 * sorted apart, as numbers, and merged, an end before a start at the same instant: a pair per
 * interval sorted with a comparator was a sixth of deriving a view.
 */
export function occupancySteps(intervals: ReadonlyArray<{ from: number; to: number }>): StepPoint[] {
  const opens: number[] = [];
  const closes: number[] = [];
  for (const b of intervals) {
    if (!(b.to > b.from)) continue;
    opens.push(b.from);
    closes.push(b.to);
  }
  const n = opens.length;
  sortNearly(opens);
  sortNearly(closes);
  const out: StepPoint[] = [{ t: 0, v: 0 }];
  let v = 0;
  for (let i = 0, j = 0; i < n || j < n; ) {
    let t: number;
    if (j < n && (i >= n || closes[j]! <= opens[i]!)) {
      t = closes[j++]!;
      v--;
    } else {
      t = opens[i++]!;
      v++;
    }
    const last = out[out.length - 1]!;
    if (last.t === t) last.v = v;
    else out.push({ t, v });
  }
  return out;
}
