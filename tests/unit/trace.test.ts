import { describe, expect, it } from 'vitest';
import { hashCounts, Trace, TraceEvent, TraceReader, type TraceChunk, type TraceFields } from '../../sim/kernel/trace.js';

declare module '../../sim/kernel/trace.js' {
  interface TraceEvents {
    'test.value': { v: number | string | boolean | null; w: number | string | boolean | null };
    'test.other': { a: number };
  }
}

// Values at the edges of what a kept log stores in its 32-bit slots, and past them.
const VALUES = [0, -0, 1, -1, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31, -(2 ** 31), 2 ** 53, 1.5, -0.25, 1e-7, Number.MAX_VALUE, '', 'a', 'c2s', 'héllo ✓', 'x'.repeat(41), true, false, null];

const VALUE = new TraceEvent('test.value', ['v', 'w']);
const VALUE_WV = new TraceEvent('test.value', ['w', 'v']);
const OTHER = new TraceEvent('test.other', ['a']);

/** `emit`: the same events recorded with Trace.emit rather than record (every other one, or all). */
function logOf(kept: boolean, times: number[], ship?: (chunk: TraceChunk) => Int32Array | undefined, emit: 'none' | 'half' | 'all' = 'none'): Trace {
  const clock = { now: 0 };
  const t = new Trace(clock, true, kept);
  if (ship !== undefined) t.shipTo(ship);
  let i = 0;
  for (const v of VALUES) {
    for (const w of VALUES) {
      clock.now = times[i++ % times.length]!;
      const e = emit === 'all' || (emit === 'half' && i % 2 === 0);
      // A kind recorded with its fields in one order, then now and then in another.
      if (i % 7 === 0) e ? t.emit(VALUE_WV, w, v) : t.record('test.value', { w, v } as never);
      else e ? t.emit(VALUE, v, w) : t.record('test.value', { v, w });
      if (i % 11 === 0) e ? t.emit(OTHER, i) : t.record('test.other', { a: i });
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

  it('holds the same events and hash whether they were recorded with emit or record', () => {
    for (const emit of ['half', 'all'] as const) {
      const a = logOf(true, times, undefined, emit);
      const b = logOf(true, times);
      expect(a.toArray()).toEqual(b.toArray());
      expect(a.toArray().map((r) => Object.keys(r))).toEqual(b.toArray().map((r) => Object.keys(r)));
      expect(a.hash()).toBe(b.hash());
      expect(logOf(false, times, undefined, emit).hash()).toBe(b.hash());
      const reader = new TraceReader();
      logOf(false, times, (c) => (reader.take(c), undefined), emit).flush();
      expect(reader.hash()).toBe(b.hash());
    }
  });

  it('tells an observer of emitted events with the fields record would give', () => {
    for (const kept of [true, false]) {
      const got: unknown[] = [];
      const clock = { now: 7 };
      const t = new Trace(clock, true, kept);
      t.observe((at, kind, f, code) => got.push([at, kind, Object.entries(f), code]), ['test.other', 'test.value']);
      t.emit(VALUE_WV, 'x', null);
      t.emit(OTHER, 2);
      expect(got).toEqual([
        [7, 'test.value', [['w', 'x'], ['v', null]], 1],
        [7, 'test.other', [['a', 2]], 0],
      ]);
    }
  });

  it('refuses an event declared with no fields, too many or one twice', () => {
    expect(() => new TraceEvent('test.value', [])).toThrow(/1 to 4 different fields/);
    expect(() => new TraceEvent('test.value', ['v', 'v'])).toThrow(/1 to 4 different fields/);
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

describe('a trace hashed as it is recorded', () => {
  it("mixes an emitted string's characters once per string, not once per event", () => {
    const clock = { now: 0 };
    const streamed = new Trace(clock, true, false);
    // Warm: the kind's name and the event's layout are made on the first event.
    streamed.emit(VALUE, 'c2s', 0);
    const before = { ...hashCounts };
    for (let i = 1; i <= 1000; i++) {
      clock.now = i;
      // A field that repeats two strings (a direction), now and then a third.
      const dir = i % 50 === 0 ? 'other' : i % 2 === 0 ? 'c2s' : 's2c';
      streamed.emit(VALUE, dir, i);
    }
    expect(hashCounts.stringsMixed - before.stringsMixed).toBe(0);
    expect(hashCounts.stringWords - before.stringWords).toBeLessThanOrEqual(3);
    // The same hash as the log kept.
    clock.now = 0;
    const kept = new Trace(clock, true, true);
    for (let i = 0; i <= 1000; i++) {
      clock.now = i;
      kept.emit(VALUE, i === 0 ? 'c2s' : i % 50 === 0 ? 'other' : i % 2 === 0 ? 'c2s' : 's2c', i);
    }
    expect(streamed.hash()).toBe(kept.hash());
  });
});

describe('a shipped trace', () => {
  const times = [0, 5, 2 ** 30 + 3, 2 ** 31 + 7];

  /** Records `rounds` times logOf's events (with a string new in each round), shipped to a reader. */
  function shipped(rounds: number, handBack: boolean): { reader: TraceReader; chunks: TraceChunk[]; seen: unknown[]; trace: Trace } {
    const reader = new TraceReader();
    const seen: unknown[] = [];
    reader.observe((t, kind, f, code) => seen.push(t, kind, code, ...Object.entries(f).flat()), ['test.other', 'test.value']);
    const chunks: TraceChunk[] = [];
    const clock = { now: 0 };
    const trace = new Trace(clock, true, false);
    trace.shipTo((chunk) => {
      chunks.push({ ...chunk, slots: chunk.slots.slice() });
      reader.take(chunk);
      return handBack ? chunk.slots : undefined;
    });
    recordRounds(trace, clock, rounds);
    trace.flush();
    return { reader, chunks, seen, trace };
  }

  /** The events both traces get: every pair of VALUES a round, fields in either order, now and then another kind. */
  function recordRounds(trace: Trace, clock: { now: number }, rounds: number): void {
    let i = 0;
    for (let r = 0; r < rounds; r++) {
      for (const v of VALUES) {
        for (const w of VALUES) {
          clock.now = times[i++ % times.length]!;
          if (i % 7 === 0) trace.record('test.value', { w, v } as never);
          else trace.record('test.value', { v, w });
          if (i % 11 === 0) trace.record('test.other', { a: i });
        }
      }
      trace.record('test.value', { v: `round ${r}`, w: r });
    }
  }

  /** The same events, kept, seen by an observer as they are recorded. */
  function kept(rounds: number): { trace: Trace; seen: unknown[] } {
    const seen: unknown[] = [];
    const clock = { now: 0 };
    const trace = new Trace(clock, true, true);
    trace.observe((t, kind, f, code) => seen.push(t, kind, code, ...Object.entries(f).flat()), ['test.other', 'test.value']);
    recordRounds(trace, clock, rounds);
    return { trace, seen };
  }

  it('is read back by its reader with the hash and the events of a kept log, across chunks', () => {
    const rounds = 60;
    const a = shipped(rounds, true);
    const b = kept(rounds);
    // Several chunks, each with only its own strings and numbers.
    expect(a.chunks.length).toBeGreaterThan(2);
    for (const c of a.chunks) expect(c.values.length).toBeLessThanOrEqual(3 + c.used);
    expect(a.chunks.at(-1)!.values).not.toContain('round 0');
    expect(a.reader.length).toBe(b.trace.length);
    expect(a.trace.length).toBe(b.trace.length);
    expect(a.reader.hash()).toBe(b.trace.hash());
    expect(a.seen.length).toBe(b.seen.length);
    expect(a.seen.every((x, i) => Object.is(x, b.seen[i]))).toBe(true);
    // A buffer handed back or a fresh one: the same.
    expect(shipped(rounds, false).reader.hash()).toBe(a.reader.hash());
  });

  it('any value changed changes the reader hash', () => {
    const a = shipped(2, true).reader.hash();
    const reader = new TraceReader();
    logOf(false, [0, 5, 2 ** 30 + 3, 2 ** 31 + 8], (c) => (reader.take(c), undefined)).flush();
    const other = new TraceReader();
    logOf(false, times, (c) => (other.take(c), undefined)).flush();
    expect(other.hash()).toBe(logOf(true, times).hash());
    expect(reader.hash()).not.toBe(other.hash());
    expect(a).not.toBe(other.hash());
  });

  it('refuses to hash itself or to start shipping once started', () => {
    const t = logOf(false, times, () => undefined);
    expect(() => t.hash()).toThrow(/TraceReader/);
    expect(() => logOf(false, times).shipTo(() => undefined)).toThrow(/neither kept nor started/);
    expect(() => new Trace({ now: 0 }, true, true).shipTo(() => undefined)).toThrow(/neither kept nor started/);
    expect(() => new Trace({ now: 0 }, true, false).flush()).toThrow(/does not ship/);
  });
});
