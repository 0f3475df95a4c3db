import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RefTable } from '../../sim/runtime/ref-table.js';

describe('the runtime ref table', () => {
  it('finds_what_a_map_would_whatever_the_order_refs_are_dropped_in', () => {
    // Refs made in increasing order with gaps (refs made for other uses), some dropped soon and
    // some held for thousands of refs (moved out of the column to the map), found by number.
    const op = fc.oneof(
      { arbitrary: fc.tuple(fc.constant('set'), fc.integer({ min: 1, max: 3 })), weight: 6 },
      { arbitrary: fc.tuple(fc.constant('set'), fc.integer({ min: 1, max: 9000 })), weight: 1 },
      { arbitrary: fc.tuple(fc.constant('dropOldest'), fc.nat()), weight: 3 },
      { arbitrary: fc.tuple(fc.constant('drop'), fc.nat()), weight: 3 },
      { arbitrary: fc.tuple(fc.constant('get'), fc.integer({ min: -5, max: 20_000 })), weight: 3 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const table = new RefTable<{ ref: number }>();
        const model = new Map<number, { ref: number }>();
        let next = 1;
        for (const [kind, n] of ops) {
          if (kind === 'set') {
            next += n;
            const e = { ref: next };
            table.set(e);
            model.set(next, e);
          } else if (kind === 'get') {
            const ref = next - n;
            expect(table.get(ref)).toBe(model.get(ref));
          } else if (model.size > 0) {
            const held = [...model.keys()];
            // Mostly the oldest or a recent one (calls end about in order), sometimes any.
            const ref = kind === 'dropOldest' ? held[n % Math.min(3, held.length)]! : held[held.length - 1 - (n % held.length)]!;
            table.delete(ref);
            model.delete(ref);
            expect(table.get(ref)).toBeUndefined();
          }
        }
        for (const [ref, e] of model) expect(table.get(ref)).toBe(e);
        for (let r = 0; r <= next + 1; r += 7) expect(table.get(r)).toBe(model.get(r));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps_the_column_short_when_one_ref_is_held_for_ever', () => {
    // A monitor held for the whole run, then a million calls' aliases made and dropped.
    const table = new RefTable<{ ref: number }>();
    const held = { ref: 1 };
    table.set(held);
    for (let r = 2; r < 1_000_000; r += 3) {
      table.set({ ref: r });
      table.delete(r);
    }
    expect(table.get(1)).toBe(held);
    // At most a few thousand slots (RECENT_MAX), not one per ref made.
    expect((table as unknown as { col: unknown[] }).col.length).toBeLessThan(10_000);
  });
});
