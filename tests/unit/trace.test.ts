import { describe, expect, it } from 'vitest';
import { Trace, type TraceFields } from '../../sim/kernel/trace.js';

declare module '../../sim/kernel/trace.js' {
  interface TraceEvents {
    'test.value': { v: number | string | boolean | null; w: number | string | boolean | null };
    'test.other': { a: number };
  }
}

// Values at the edges of what a kept log stores in its 32-bit slots, and past them.
const VALUES = [0, -0, 1, -1, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31, -(2 ** 31), 2 ** 53, 1.5, -0.25, 1e-7, Number.MAX_VALUE, '', 'a', 'c2s', 'héllo ✓', 'x'.repeat(41), true, false, null];

function logOf(kept: boolean, times: number[]): Trace {
  const clock = { now: 0 };
  const t = new Trace(clock, true, kept);
  let i = 0;
  for (const v of VALUES) {
    for (const w of VALUES) {
      clock.now = times[i++ % times.length]!;
      // A kind recorded with its fields in one order, then now and then in another.
      if (i % 7 === 0) t.record('test.value', { w, v } as never);
      else t.record('test.value', { v, w });
      if (i % 11 === 0) t.record('test.other', { a: i });
    }
  }
  return t;
}

describe('a kept trace', () => {
  const times = [0, 5, 2 ** 30 + 3, 2 ** 31 + 7];

  it('gives back every value exactly as recorded, in field order', () => {
    const t = logOf(true, times);
    let i = 0;
    let n = 0;
    for (const v of VALUES) {
      for (const w of VALUES) {
        const row = t.at(n++);
        i++;
        expect(row.t).toBe(times[(i - 1) % times.length]);
        expect(row.kind).toBe('test.value');
        expect(Object.is(row.v, v) && Object.is(row.w, w)).toBe(true);
        expect(Object.keys(row)).toEqual(i % 7 === 0 ? ['t', 'kind', 'w', 'v'] : ['t', 'kind', 'v', 'w']);
        if (i % 11 === 0) expect(t.at(n++)).toEqual({ t: row.t, kind: 'test.other', a: i });
      }
    }
    expect(t.length).toBe(n);
    const seen: unknown[] = [];
    t.each((_, kind, f) => seen.push(kind, ...Object.values(f)));
    expect(seen).toEqual(t.toArray().flatMap((r) => [r.kind, ...Object.values(r).slice(2)]));
    expect([...t.ofKind('test.other')].map((e) => e.a)).toEqual(t.toArray().filter((r) => r.kind === 'test.other').map((r) => r.a));
  });

  it('hashes the same as a streamed log of the same events, however its values are stored', () => {
    expect(logOf(true, times).hash()).toBe(logOf(false, times).hash());
    // And any one value changed changes it.
    expect(logOf(true, times).hash()).not.toBe(logOf(true, [0, 5, 2 ** 30 + 3, 2 ** 31 + 8]).hash());
  });

  it('tells its observer of the kinds it asked for as they are recorded, with their place in the list', () => {
    const clock = { now: 0 };
    const t = new Trace(clock);
    const got: Array<[number, string, TraceFields, number]> = [];
    t.record('test.other', { a: 1 });
    t.observe((at, kind, f, code) => got.push([at, kind, { ...f }, code]), ['nothing', 'test.value', 'test.other']);
    clock.now = 3;
    t.record('test.value', { v: 'x', w: null });
    t.record('test.other', { a: 2 });
    expect(got).toEqual([
      [3, 'test.value', { v: 'x', w: null }, 1],
      [3, 'test.other', { a: 2 }, 2],
    ]);
    expect(t.length).toBe(3);
  });
});
