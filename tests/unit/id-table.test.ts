import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IdTable } from '../../sim/kernel/id-table.js';

describe('the id table', () => {
  it('finds_what_a_map_would_whatever_the_order_ids_are_dropped_and_set_again_in', () => {
    // Ids handed out in increasing order with gaps (ids made for other uses), some dropped soon,
    // some held for thousands of ids (moved out of the column to the map), and now and then an
    // old one set again (a request resent after it was settled), found by number.
    const op = fc.oneof(
      { arbitrary: fc.tuple(fc.constant('new'), fc.integer({ min: 1, max: 3 })), weight: 6 },
      { arbitrary: fc.tuple(fc.constant('new'), fc.integer({ min: 1, max: 9000 })), weight: 1 },
      { arbitrary: fc.tuple(fc.constant('again'), fc.integer({ min: 0, max: 12_000 })), weight: 1 },
      { arbitrary: fc.tuple(fc.constant('dropOldest'), fc.nat()), weight: 3 },
      { arbitrary: fc.tuple(fc.constant('drop'), fc.nat()), weight: 3 },
      { arbitrary: fc.tuple(fc.constant('get'), fc.integer({ min: -5, max: 20_000 })), weight: 3 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const table = new IdTable<{ id: number }>();
        const model = new Map<number, { id: number }>();
        let next = 1;
        for (const [kind, n] of ops) {
          if (kind === 'new' || kind === 'again') {
            if (kind === 'new') next += n;
            const id = kind === 'new' ? next : Math.max(0, next - n);
            const v = { id };
            table.set(id, v);
            model.set(id, v);
          } else if (kind === 'get') {
            const id = next - n;
            expect(table.get(id)).toBe(model.get(id));
          } else if (model.size > 0) {
            const held = [...model.keys()];
            // Mostly one of the oldest or the newest (calls end about in order), sometimes any.
            const id = kind === 'dropOldest' ? held[n % Math.min(3, held.length)]! : held[held.length - 1 - (n % held.length)]!;
            table.delete(id);
            model.delete(id);
            expect(table.get(id)).toBeUndefined();
          }
          expect(table.size).toBe(model.size);
        }
        for (const [id, v] of model) expect(table.get(id)).toBe(v);
        for (let id = 0; id <= next + 1; id += 7) expect(table.get(id)).toBe(model.get(id));
        expect(new Set(table.values())).toEqual(new Set(model.values()));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps_the_column_short_when_one_id_is_held_for_ever', () => {
    // A monitor held for the whole run, then a million calls' aliases made and dropped.
    const table = new IdTable<string>();
    table.set(1, 'held');
    for (let id = 2; id < 1_000_000; id += 3) {
      table.set(id, 'call');
      table.delete(id);
    }
    expect(table.get(1)).toBe('held');
    expect(table.size).toBe(1);
    // At most a few thousand slots (RECENT_MAX), not one per id made.
    expect((table as unknown as { col: unknown[] }).col.length).toBeLessThan(10_000);
  });
});
