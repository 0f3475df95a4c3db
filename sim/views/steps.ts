/**
 * Step functions in columns, and the intervals the views build them from.
 *
 * Why columns: the 100k budget world has ~600k step points; built as `{t, v}` objects in the
 * worker, packed into typed arrays, built again on the page and turned back into arrays there,
 * they were most of deriving a view. Kept in typed arrays end to end, they are written once and
 * moved between threads as they are.
 */
import type { Steps } from './types.js';

/** The same numbers in an array twice as long. */
function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/** Appends to a step function in time order; `done()` gives it as columns of its exact length. */
export class StepWriter {
  private t: Float64Array;
  private v: Float64Array;
  private n = 0;

  constructor(capacity = 64) {
    this.t = new Float64Array(Math.max(1, capacity));
    this.v = new Float64Array(Math.max(1, capacity));
  }

  get length(): number {
    return this.n;
  }

  /** The value from t on (t not before the last point's): a point at the same instant is overwritten. */
  set(t: number, v: number): void {
    const n = this.n;
    if (n > 0 && this.t[n - 1] === t) this.v[n - 1] = v;
    else this.push(t, v);
  }

  /** As set, but no new point where the value does not change. */
  change(t: number, v: number): void {
    const n = this.n;
    if (n > 0 && this.t[n - 1] === t) this.v[n - 1] = v;
    else if (n === 0 || this.v[n - 1] !== v) this.push(t, v);
  }

  private push(t: number, v: number): void {
    if (this.n === this.t.length) {
      this.t = grow(this.t);
      this.v = grow(this.v);
    }
    this.t[this.n] = t;
    this.v[this.n] = v;
    this.n++;
  }

  /**
   * The points so far, as views of the writer's arrays (no copy: pack.ts copies them once into
   * buffers of their own to transfer). Write no more after this.
   */
  done(): Steps {
    return { t: this.t.subarray(0, this.n), v: this.v.subarray(0, this.n) };
  }
}

/** Intervals [from, to) as two growing columns, recorded as time goes. */
export class Intervals {
  private from: Float64Array = new Float64Array(64);
  private to: Float64Array = new Float64Array(64);
  private n = 0;

  get length(): number {
    return this.n;
  }

  add(from: number, to: number): void {
    if (this.n === this.from.length) {
      this.from = grow(this.from);
      this.to = grow(this.to);
    }
    this.from[this.n] = from;
    this.to[this.n] = to;
    this.n++;
  }

  /** The last interval's end (-Infinity when there is none). */
  lastTo(): number {
    return this.n === 0 ? Number.NEGATIVE_INFINITY : this.to[this.n - 1]!;
  }

  /** Moves the last interval's end to `to`. */
  extendLast(to: number): void {
    if (this.n > 0) this.to[this.n - 1] = to;
  }

  /** The summed length of the intervals. */
  total(): number {
    let a = 0;
    for (let i = 0; i < this.n; i++) a += this.to[i]! - this.from[i]!;
    return a;
  }

  /** How many are open at each time (occupancySteps). */
  steps(): Steps {
    return occupancyOf(this.from, this.to, this.n);
  }
}

/**
 * Sorts numbers that come almost in order (the views' intervals are recorded as time goes: their
 * starts in order, their ends nearly): insertion sort, linear when little is out of place, and
 * the typed array's native sort once more than a few moves per element were needed.
 */
function sortNearly(a: Float64Array): void {
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
        a.sort();
        return;
      }
    }
    a[j + 1] = x;
  }
}

/**
 * How many of the intervals [from[i], to[i]) (i < n) are open at each time, as a step function
 * starting at (0, 0). The starts and the ends are sorted apart and merged, an end before a start
 * at the same instant. Empty intervals (to <= from) count for nothing.
 */
export function occupancyOf(from: Float64Array, to: Float64Array, n: number): Steps {
  const opens = new Float64Array(n);
  const closes = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (!(to[i]! > from[i]!)) continue;
    opens[m] = from[i]!;
    closes[m++] = to[i]!;
  }
  const o = opens.subarray(0, m);
  const c = closes.subarray(0, m);
  sortNearly(o);
  sortNearly(c);
  const out = new StepWriter(2 * m + 1);
  out.set(0, 0);
  let v = 0;
  for (let i = 0, j = 0; i < m || j < m; ) {
    let t: number;
    if (j < m && (i >= m || c[j]! <= o[i]!)) {
      t = c[j++]!;
      v--;
    } else {
      t = o[i++]!;
      v++;
    }
    out.set(t, v);
  }
  return out.done();
}

/** How many intervals are open at each time, as a step function (see occupancyOf). */
export function occupancySteps(intervals: ReadonlyArray<{ from: number; to: number }>): Steps {
  const n = intervals.length;
  const from = new Float64Array(n);
  const to = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    from[i] = intervals[i]!.from;
    to[i] = intervals[i]!.to;
  }
  return occupancyOf(from, to, n);
}

/** The largest value a step function takes (0 if it has no point). */
export function stepMax(s: Steps): number {
  let max = 0;
  for (let i = 0; i < s.v.length; i++) if (s.v[i]! > max) max = s.v[i]!;
  return max;
}

/** The area under a step function from its first point to `until`. */
export function stepIntegral(s: Steps, until: number): number {
  let a = 0;
  const { t, v } = s;
  for (let i = 0; i < t.length && t[i]! < until; i++) {
    const next = i + 1 < t.length ? Math.min(t[i + 1]!, until) : until;
    a += v[i]! * (next - t[i]!);
  }
  return a;
}
