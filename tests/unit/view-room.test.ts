import { describe, expect, it } from 'vitest';
import { loadPreset, runWorld, type Scenario } from '../../sim/scenario/index.js';
import { stockRoom, viewPass, type WorldView } from '../../sim/views/index.js';
import { roomCounts, spareCount } from '../../sim/views/room.js';

/** A view pass of one world of `s`, as the lab's worker runs it (no trace kept). */
function pass(s: Scenario, label: string): WorldView {
  const spec = s.clients.find((c) => c.label === label)!;
  const view = viewPass(label, s);
  const w = runWorld(s, spec, () => {}, 20_000, false, 8_000_000, view);
  return view.finish({ ...w, endUs: w.world.kernel.now });
}

describe('a view pass stocked ahead (sim/views/room.ts)', () => {
  it('takes its large columns from the spares made for it, and draws the same view', () => {
    const base = loadPreset('l4-multiplex')!;
    const s: Scenario = { ...base, faults: [{ kind: 'drop_connections', atMs: 120 } as Scenario['faults'][number]] };
    const label = s.clients[0]!.label;
    pass(base, label);
    // Another fault: the same world and scenario for the sizes remembered.
    const plain = pass(s, label);
    expect(stockRoom(label, s, 1)).toBe(false);
    expect(stockRoom(label, s)).toBe(true);
    const stocked = spareCount();
    // The request columns, the id index, the per-request counts and the step functions' columns.
    expect(stocked).toBeGreaterThanOrEqual(9);
    const taken = roomCounts.taken;
    const again = pass(s, label);
    expect(roomCounts.taken - taken).toBe(stocked);
    expect(spareCount()).toBe(0);
    expect(again).toEqual(plain);
  });
  it('keeps at most one pass worth of spares, letting go of those stocked for another scenario', () => {
    const a = loadPreset('l4-multiplex')!;
    const b: Scenario = { ...a, durationMs: a.durationMs / 2 };
    const label = a.clients[0]!.label;
    pass(a, label);
    pass(b, label);
    stockRoom(label, a);
    const forA = spareCount();
    stockRoom(label, b);
    const forB = spareCount();
    expect(forB).toBeLessThanOrEqual(forA);
    // b's pass takes every spare there is: none of a's was kept beside b's.
    const taken = roomCounts.taken;
    pass(b, label);
    expect(roomCounts.taken - taken).toBe(forB);
    expect(spareCount()).toBe(0);
  });
});
