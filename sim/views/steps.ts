/**
 * Step functions in columns, and the intervals the views build them from.
 *
 * Why columns: the 100k budget world has ~600k step points; built as `{t, v}` objects in the
 * worker, packed into typed arrays, built again on the page and turned back into arrays there,
 * they were most of deriving a view. Kept in typed arrays end to end, they are written once and
 * moved between threads as they are.
 */
import type { Steps } from './types.js';
import { freshArray } from './room.js';

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
    // Large ones touched in one sweep (or stocked ahead: ./room.ts): fresh memory's page faults
    // cost less taken together than one by one as the points come.
    this.t = freshArray(Float64Array, StepWriter.room(capacity));
    this.v = freshArray(Float64Array, StepWriter.room(capacity));
  }

  /** The length of its columns for `capacity` points. */
  static room(capacity: number): number {
    return Math.max(1, capacity);
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

/**
 * How many intervals are open at each time, built as the intervals come in order of their starts
 * (the views' CPU busy steps, recorded as time goes): the same step function occupancyOf gives
 * of them, with a heap of the open ones' ends instead of every interval kept, copied and sorted
 * at the end. That storage was most of the view's finish: fresh memory is slow to touch here
 * (page faults: ~3 ms per MB first written, against ~0.1 ms once touched).
 */
export class OpenCount {
  private readonly out: StepWriter;
  /** A binary min-heap of the open intervals' ends. */
  private ends: Float64Array = new Float64Array(16);
  private size = 0;
  private open = 0;
  private sum = 0;
  private lastFrom = Number.NEGATIVE_INFINITY;

  /** `capacity`: the points expected (room made for them at once). */
  constructor(capacity = 1024) {
    this.out = new StepWriter(capacity);
    this.out.set(0, 0);
  }

  /** Points written so far. */
  get length(): number {
    return this.out.length;
  }

  /** The interval [from, to), `from` not before the last one's (empty ones count for nothing). */
  add(from: number, to: number): void {
    if (from < this.lastFrom) throw new RangeError(`OpenCount: an interval from ${from} after one from ${this.lastFrom}`);
    this.lastFrom = from;
    this.sum += to - from;
    if (!(to > from)) return;
    // An end before a start at the same instant, as occupancyOf merges them.
    this.closeUntil(from);
    this.out.set(from, ++this.open);
    this.push(to);
  }

  /** The summed length of the intervals. */
  total(): number {
    return this.sum;
  }

  /** The step function, starting at (0, 0). Add no more after this. */
  steps(): Steps {
    this.closeUntil(Number.POSITIVE_INFINITY);
    return this.out.done();
  }

  private closeUntil(t: number): void {
    const ends = this.ends;
    while (this.size > 0 && ends[0]! <= t) {
      const e = ends[0]!;
      // Pop: the last end goes to the root and sifts down.
      const last = ends[--this.size]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= this.size) break;
        const c = l + 1 < this.size && ends[l + 1]! < ends[l]! ? l + 1 : l;
        if (ends[c]! >= last) break;
        ends[i] = ends[c]!;
        i = c;
      }
      ends[i] = last;
      this.out.set(e, --this.open);
    }
  }

  private push(to: number): void {
    if (this.size === this.ends.length) this.ends = grow(this.ends);
    const ends = this.ends;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (ends[p]! <= to) break;
      ends[i] = ends[p]!;
      i = p;
    }
    ends[i] = to;
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
  const opens = freshArray(Float64Array, n);
  const closes = freshArray(Float64Array, n);
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
