import { describe, expect, it } from 'vitest';
import { loadPreset, runScenario } from '../../sim/scenario/index.js';
import { deriveLab } from '../../sim/views/index.js';
import { CODE_INFLIGHT, CODE_OK, waitKey, worldIndexOf, type WorldIndex } from '../../web/src/components/timeline/world-index.js';
import { presentKeys, waitShown } from '../../web/src/components/timeline/legend-presence.js';
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
  it('finds a long wait alone in a window, however many short ones lie before it', () => {
    // 1,000 waits of 1 µs at 0..999 µs, then one of 10 ms from 500 µs: the longest 1% is kept
    // apart, so a window after the short ones meets only the long one.
    const n = 1001;
    const waitFrom = new Float64Array(n);
    const waitTo = new Float64Array(n);
    for (let i = 0; i < 1000; i++) {
      waitFrom[i] = i;
      waitTo[i] = i + 1;
    }
    waitFrom[1000] = 500;
    waitTo[1000] = 10_500;
    const ix = { rows: { n }, waitFrom, waitTo, code: new Uint8Array(n) } as unknown as Parameters<typeof waitShown>[0];
    expect(waitShown(ix, 5_000, 5_001)).toBe(true);
    expect(waitShown(ix, 10_500, 20_000)).toBe(true);
    expect(waitShown(ix, 10_501, 20_000)).toBe(false);
    expect(waitShown(ix, 200.5, 200.6)).toBe(true);
    expect(waitShown(ix, -10, -1)).toBe(false);
  });
});
