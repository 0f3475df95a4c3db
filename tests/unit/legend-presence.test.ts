import { describe, expect, it } from 'vitest';
import { loadPreset, runScenario } from '../../sim/scenario/index.js';
import { deriveLab } from '../../sim/views/index.js';
import { CODE_INFLIGHT, CODE_OK, waitKey, worldIndexOf, type WorldIndex } from '../../web/src/components/timeline/world-index.js';
import { okShown, presentKeys, waitShown } from '../../web/src/components/timeline/legend-presence.js';
import type { WorldData } from '../../web/src/components/timeline/types.js';

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** The request states in view by looking at every request: what presentKeys must agree with. */
function byScan(ix: WorldIndex, from: number, to: number): Set<string> {
  const keys = new Set<string>();
  for (let i = 0; i < ix.rows.n; i++) {
    if (ix.start[i]! > to || ix.end[i]! < from) continue;
    if (ix.waitTo[i]! > ix.waitFrom[i]! && ix.waitFrom[i]! <= to && ix.waitTo[i]! >= from) keys.add(waitKey(ix.waitCode));
    if (ix.code[i] === CODE_OK) keys.add('ok');
    else if (ix.code[i] === CODE_INFLIGHT) keys.add('inflight');
  }
  return keys;
}

describe('the legend’s request states', () => {
  // Cut short, so requests are still in flight at the end; a pool that queues, one that times
  // out in its queue (long waits), a multiplexed mailbox, and faults.
  const cases = [
    ['l3-pool', 300],
    ['pool-overload', 1500],
    ['l4-multiplex', 150],
    ['l6-resiliency', 1200],
  ] as const;
  it.each(cases)('%s: each state is in the legend exactly when a request in view shows it', (preset, durationMs) => {
    const scenario = { ...loadPreset(preset)!, durationMs, drainMs: 0 };
    const lab = deriveLab(runScenario(scenario));
    const next = lcg(durationMs);
    const seen = new Map<string, { present: number; absent: number }>();
    for (const world of lab.worlds) {
      const ix = worldIndexOf(world);
      const data = [{ world, ix } as unknown as WorldData];
      const wait = waitKey(ix.waitCode);
      const endUs = durationMs * 1000;
      for (let k = 0; k < 300; k++) {
        // Windows from a microsecond to the whole run and past it, anywhere in it.
        const width = Math.exp(next() * Math.log(1.5 * endUs));
        const from = next() * 1.2 * endUs - 0.1 * endUs;
        const to = from + width;
        const got = presentKeys(data, [], { from, to });
        const want = byScan(ix, from, to);
        for (const key of [wait, 'ok', 'inflight']) {
          expect(got.has(key), `${world.label} ${key} in [${from}, ${to}]`).toBe(want.has(key));
          const s = seen.get(key) ?? { present: 0, absent: 0 };
          if (want.has(key)) s.present++;
          else s.absent++;
          seen.set(key, s);
        }
      }
    }
    // Each state both shown and not somewhere: the comparison was not one-sided.
    for (const [key, s] of seen) {
      expect(s.present, `${preset} ${key} present`).toBeGreaterThan(0);
      expect(s.absent, `${preset} ${key} absent`).toBeGreaterThan(0);
    }
  });
});

describe('waitShown', () => {
  it('finds a wait that starts after its request, and a long wait alone in a window', () => {
    // 1,000 requests of 1 µs at 0..999 µs, each waiting its second half; then one of 10 ms from
    // 1,000 µs, all of it waiting: the index's longest 1%, kept apart, so a window after the
    // short ones meets only the long one.
    const n = 1001;
    const start = Float64Array.from({ length: n }, (_, i) => i);
    const waitFrom = Float64Array.from({ length: n }, (_, i) => i + 0.5);
    const waitTo = Float64Array.from({ length: n }, (_, i) => i + 1);
    const isLong = new Uint8Array(n);
    waitFrom[1000] = 1000;
    waitTo[1000] = 11_000;
    isLong[1000] = 1;
    const ix = { rows: { n }, start, waitFrom, waitTo, isLong, code: new Uint8Array(n), shortMaxDur: 1 } as unknown as Parameters<typeof waitShown>[0];
    expect(waitShown(ix, 5_000, 5_001)).toBe(true);
    expect(waitShown(ix, 11_000, 20_000)).toBe(true);
    expect(waitShown(ix, 11_001, 20_000)).toBe(false);
    expect(waitShown(ix, 300.7, 300.8)).toBe(true);
    expect(waitShown(ix, 300.1, 300.4)).toBe(false);
    expect(waitShown(ix, -10, -1)).toBe(false);
  });
});

describe('okShown', () => {
  it('finds a served request among the longest 1% when it is the only one in view', () => {
    // 300 failed requests of 1 µs at 0..299 µs, then one served of 10 ms from 300 µs (the long one).
    const n = 301;
    const start = Float64Array.from({ length: n }, (_, i) => i);
    const end = Float64Array.from({ length: n }, (_, i) => i + 1);
    const code = new Uint8Array(n).fill(CODE_OK + 5);
    end[300] = 10_300;
    code[300] = CODE_OK;
    const ix = { start, end, code, shortMaxDur: 1, longIdx: Int32Array.of(300) } as unknown as Parameters<typeof okShown>[0];
    expect(okShown(ix, { from: 5_000, to: 5_001 })).toBe(true);
    expect(okShown(ix, { from: 10_301, to: 20_000 })).toBe(false);
    expect(okShown(ix, { from: 100, to: 200 })).toBe(false);
  });
});

describe('the legend over two worlds', () => {
  it('shows each world’s waiting key when either world shows it', () => {
    const scenario = { ...loadPreset('l5-tradeoffs')!, durationMs: 400, drainMs: 0 };
    const lab = deriveLab(runScenario(scenario));
    expect(lab.worlds.length).toBeGreaterThanOrEqual(2);
    const data = lab.worlds.map((world) => ({ world, ix: worldIndexOf(world) }) as unknown as WorldData);
    const next = lcg(11);
    const waits = new Set(data.map((d) => waitKey(d.ix.waitCode)));
    expect(waits.size, 'the worlds wait in different ways').toBeGreaterThan(1);
    for (let k = 0; k < 200; k++) {
      const from = next() * 400_000;
      const to = from + Math.exp(next() * Math.log(400_000));
      const got = presentKeys(data, [], { from, to });
      const want = new Set<string>();
      for (const d of data) for (const key of byScan(d.ix, from, to)) want.add(key);
      for (const key of [...waits, 'ok', 'inflight']) expect(got.has(key), `${key} in [${from}, ${to}]`).toBe(want.has(key));
    }
  });
});
