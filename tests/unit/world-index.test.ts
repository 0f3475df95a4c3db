import { describe, expect, it, vi } from 'vitest';
import { loadPreset, runScenario } from '../../sim/scenario/index.js';
import { deriveLab, packWorld, requestRows, unpackWorld } from '../../sim/views/index.js';
import { buildWorldIndex, forEachEndedIn, nthSmallest, seriesMean, toSeries, worldIndexOf } from '../../web/src/components/timeline/world-index.js';
import { prepareWorld } from '../../web/src/components/timeline/prepare.js';
import { roomCounts, spareCount } from '../../sim/views/room.js';
import { trackFigures, trackFiguresOf } from '../../web/src/components/timeline/tracks.js';
import { stepColumns } from '../../web/src/components/timeline/raster.js';
import type { Frame } from '../../web/src/components/timeline/frame.js';

/** A small deterministic generator (the test must not depend on Math.random's draws). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('nthSmallest', () => {
  it('is what sorting and indexing gives, for every k, on shuffled, repeated, sorted and reversed values', () => {
    const next = lcg(7);
    const cases: Float64Array[] = [
      Float64Array.from({ length: 301 }, () => Math.floor(next() * 1000)),
      Float64Array.from({ length: 257 }, () => Math.floor(next() * 4)), // mostly equal values
      Float64Array.from({ length: 200 }, (_, i) => i),
      Float64Array.from({ length: 200 }, (_, i) => 200 - i),
      Float64Array.from({ length: 64 }, () => 5),
      Float64Array.of(3),
    ];
    for (const xs of cases) {
      const sorted = xs.slice().sort();
      for (let k = 0; k < xs.length; k++) expect(nthSmallest(xs.slice(), k)).toBe(sorted[k]);
    }
  });
});

describe('the world index', () => {
  const lab = deriveLab(runScenario({ ...loadPreset('l4-multiplex')!, durationMs: 150 }));
  it('counts at each step of its waiting series the requests waiting then (pool queue or mailbox)', () => {
    for (const w of lab.worlds) {
      const ix = buildWorldIndex(w);
      const { times, values } = ix.waiting;
      expect(times.length, w.label).toBeGreaterThan(10);
      for (let k = 0; k < times.length; k++) {
        const t = times[k]!;
        let n = 0;
        for (let i = 0; i < ix.rows.n; i++) if (ix.waitFrom[i]! <= t && t < ix.waitTo[i]!) n++;
        expect(values[k], `${w.label} at ${t}`).toBe(n);
      }
      expect(ix.waiting).toBe(ix.waiting);
    }
  });
  it('finds each request by id where a Map of every request would', () => {
    for (const w of lab.worlds) {
      const ix = buildWorldIndex(w);
      const map = new Map<number, number>();
      ix.rows.all().forEach((r, i) => map.set(r.req, i));
      expect(map.size).toBeGreaterThan(100);
      for (const [id, i] of map) expect(ix.reqPos.get(id)).toBe(i);
      expect(ix.reqPos.get(-12345)).toBeUndefined();
    }
  });
  it('finds the requests that ended in a window, in start order, as a filter of every request would', () => {
    let found = 0;
    for (const w of lab.worlds) {
      const ix = buildWorldIndex(w);
      for (const [from, to] of [
        [0, 1_000],
        [40_000, 43_000],
        [100_000, 100_500],
        [149_000, 400_000],
        [-5, 0],
      ] as const) {
        const got: number[] = [];
        forEachEndedIn(ix, from, to, (end, start, ok, i) => {
          const r = ix.rows.at(i)!;
          expect([end, start, ok]).toEqual([r.end, r.start, r.ok === true]);
          got.push(r.req);
        });
        const want = w.requests.filter((r) => r.end !== null && r.end >= from && r.end <= to).map((r) => r.req);
        expect(got).toEqual(want);
        found += got.length;
      }
    }
    expect(found).toBeGreaterThan(100);
  });
  it('prepares a world from a worker from its columns, making no request object, as it would from the objects', () => {
    for (const w of lab.worlds) {
      const u = unpackWorld(packWorld(w).packed);
      prepareWorld(u, lab.durationUs);
      expect(requestRows(u).objects, w.label).toBe(0);
      expect(Object.getOwnPropertyDescriptor(u, 'requests')!.get, w.label).toBeDefined();
      const a = worldIndexOf(u);
      const b = buildWorldIndex(w);
      for (const k of ['start', 'end', 'lane', 'waitFrom', 'waitTo', 'mainFrom', 'code', 'sent', 'isLong', 'longIdx', 'failEnd', 'failIdx', 'failKind', 'latencyMax', 'shortMaxDur'] as const) expect(a[k], `${w.label} ${k}`).toEqual(b[k]);
      expect(trackFiguresOf(u, lab.durationUs)).toEqual(trackFigures(w, lab.durationUs));
      // The objects, once asked for, are the requests the view had.
      expect(u.requests).toEqual(w.requests);
      expect(requestRows(u).objects).toBe(w.requests.length);
      expect(requestRows(u).at(7)).toBe(u.requests[7]);
    }
  });
  it('prepares the next world of the same name in arrays made while the page was idle, to the same index', () => {
    const big = deriveLab(runScenario(loadPreset('l4-multiplex')!));
    const w = big.worlds[0]!;
    expect(w.requests.length).toBeGreaterThan(5000);
    const g = globalThis as { requestIdleCallback?: unknown };
    const idle: Array<(d: { timeRemaining(): number }) => void> = [];
    g.requestIdleCallback = (fn: (d: { timeRemaining(): number }) => void) => idle.push(fn);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const first = unpackWorld(packWorld(w).packed);
      prepareWorld(first, big.durationUs);
      expect(idle).toHaveLength(0);
      // A while later, the page idle: the spares are made a slice at a time.
      vi.runAllTimers();
      while (idle.length > 0) idle.shift()!({ timeRemaining: () => 50 });
      expect(spareCount()).toBeGreaterThanOrEqual(13);
      const taken = roomCounts.taken;
      const second = unpackWorld(packWorld(w).packed);
      prepareWorld(second, big.durationUs);
      // The index's columns, the state-at-t index's ends and the figures' latencies.
      expect(roomCounts.taken - taken).toBeGreaterThanOrEqual(12);
      const a = worldIndexOf(first);
      const b = worldIndexOf(second);
      for (const k of ['start', 'end', 'lane', 'waitFrom', 'waitTo', 'code', 'sent', 'isLong', 'longIdx', 'failEnd'] as const) expect(b[k], k).toEqual(a[k]);
      expect(trackFiguresOf(second, big.durationUs)).toEqual(trackFiguresOf(first, big.durationUs));
    } finally {
      vi.useRealTimers();
      delete g.requestIdleCallback;
    }
  });
  it('sets apart as long the requests over the 99th percentile of duration', () => {
    for (const w of lab.worlds) {
      const ix = buildWorldIndex(w);
      const d = ix.rows.all().map((_, i) => ix.end[i]! - ix.start[i]!);
      const cut = Float64Array.from(d).sort()[Math.floor(d.length * 0.99)]!;
      d.forEach((x, i) => expect(ix.isLong[i]).toBe(x > cut ? 1 : 0));
    }
  });
});

describe('a step series', () => {
  const next = lcg(11);
  const n = 20_000;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0, at = 100; i < n; i++) {
    t[i] = at;
    v[i] = Math.floor(next() * 5);
    at += 1 + Math.floor(next() * 9);
  }
  const s = toSeries({ t, v }, t[n - 1]! - 500);
  /** The mean by brute force: the value at each µs of the span (times are whole µs). */
  const brute = (from: number, to: number) => {
    let area = 0;
    for (let x = from; x < to; x++) {
      if (x >= s.until) break;
      let i = -1;
      while (i + 1 < n && t[i + 1]! <= x) i++;
      if (i >= 0) area += v[i]!;
    }
    return area / (to - from);
  };
  it('has the running integral of its steps, to the bit, at every step and between steps', () => {
    // Fractional times and values, so that the order of the additions shows in the last bits.
    const rand = lcg(23);
    const m = 5_000;
    const ft = new Float64Array(m);
    const fv = new Float64Array(m);
    for (let i = 0, at = 0.3; i < m; i++, at += 0.1 + rand() * 9.7) {
      ft[i] = at;
      fv[i] = rand() * 5;
    }
    const f = toSeries({ t: ft, v: fv });
    // A full running sum, as the series kept it before it kept every 16th step only.
    const cum = new Float64Array(m);
    for (let i = 1; i < m; i++) cum[i] = cum[i - 1]! + fv[i - 1]! * (ft[i]! - ft[i - 1]!);
    expect(f.areaAt(0, ft[0]!)).toBe(0);
    for (let i = 0; i < m; i++) {
      expect(f.areaAt(i, ft[i]!)).toBe(cum[i]);
      const mid = i + 1 < m ? (ft[i]! + ft[i + 1]!) / 2 : ft[i]! + 7;
      expect(f.areaAt(i, mid)).toBe(cum[i]! + fv[i]! * (mid - ft[i]!));
    }
  });
  it('gives the same mean added up over a few steps as read from the integral over many', () => {
    for (const [from, to] of [
      [0, 50],
      [0, 400],
      [150, 160],
      [1_000, 3_000],
      [t[n - 1]! - 2_000, t[n - 1]! + 1_000],
      [t[n - 1]! + 10, t[n - 1]! + 20],
    ] as const)
      expect(seriesMean(s, from, to)).toBeCloseTo(brute(from, to), 9);
    // Over most of the run (more steps than are added up one by one): the integral's way.
    expect(seriesMean(s, 200, t[n - 1]!)).toBeCloseTo(brute(200, t[n - 1]!), 6);
  });
});

describe('a step series per pixel column', () => {
  const next = lcg(5);
  const n = 60_000;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0, at = 0; i < n; i++) {
    t[i] = at;
    v[i] = Math.floor(next() * 7);
    at += 1 + Math.floor(next() * 3);
  }
  const cols = 200;
  const frame = (from: number, to: number) => ({ from, to, k: cols / (to - from) }) as unknown as Frame;
  it('is the same walked over a window (before the integral is made) as read from the integral', () => {
    const fresh = toSeries({ t, v });
    const made = toSeries({ t, v });
    made.areaAt(0, 0);
    expect(fresh.integralReady).toBe(false);
    expect(made.integralReady).toBe(true);
    // 2,000 steps in 200 columns: walked while nothing made the integral.
    const walked = stepColumns(frame(10_000, 14_000), fresh, new Float32Array(cols));
    expect(fresh.integralReady).toBe(false);
    const read = stepColumns(frame(10_000, 14_000), made, new Float32Array(cols));
    for (let c = 0; c < cols; c++) expect(walked[c]).toBeCloseTo(read[c]!, 3);
    // The whole run: the integral is made and read.
    stepColumns(frame(0, t[n - 1]!), fresh, new Float32Array(cols));
    expect(fresh.integralReady).toBe(true);
  });
});
