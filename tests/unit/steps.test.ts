import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenCount, occupancySteps } from '../../sim/views/steps.js';
import { pointsOf } from './helpers/steps.js';

const interval = fc.record({ from: fc.integer({ min: 0, max: 50 }), len: fc.integer({ min: -2, max: 8 }) }).map(({ from, len }) => ({ from, to: from + len }));

describe('occupancy steps', () => {
  it('give_at_each_change_how_many_intervals_are_open_then', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 40 }), (xs) => {
        const steps = pointsOf(occupancySteps(xs));
        const open = (t: number) => xs.filter((x) => x.to > x.from && x.from <= t && t < x.to).length;
        expect(steps[0]!.t).toBe(0);
        for (let i = 0; i < steps.length; i++) {
          if (i > 0) expect(steps[i]!.t).toBeGreaterThan(steps[i - 1]!.t);
          expect(steps[i]!.v).toBe(open(steps[i]!.t));
        }
        // A point wherever an interval starts or ends.
        for (const x of xs) if (x.to > x.from) for (const t of [x.from, x.to]) expect(steps.some((s) => s.t === t)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('sorts_intervals_recorded_out_of_order_as_well_as_in_order', () => {
    const xs = Array.from({ length: 2000 }, (_, i) => ({ from: (i * 7919) % 2000, to: ((i * 7919) % 2000) + 3 }));
    const steps = pointsOf(occupancySteps(xs));
    expect(steps.length).toBe(2003);
    expect(Math.max(...steps.map((s) => s.v))).toBe(3);
  });

  it('are_the_same_built_as_intervals_come_in_order_of_their_starts', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 60 }), (xs) => {
        const sorted = [...xs].sort((a, b) => a.from - b.from);
        const open = new OpenCount();
        for (const x of sorted) open.add(x.from, x.to);
        expect(open.total()).toBe(sorted.reduce((a, x) => a + (x.to - x.from), 0));
        expect(pointsOf(open.steps())).toEqual(pointsOf(occupancySteps(sorted)));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses_an_interval_that_starts_before_the_last_one', () => {
    const open = new OpenCount();
    open.add(5, 8);
    expect(() => open.add(4, 6)).toThrow(/an interval from 4 after one from 5/);
  });
});
