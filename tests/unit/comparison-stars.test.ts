import { describe, expect, it } from 'vitest';
import { presetNames } from '../../sim/scenario/index.js';
import { starredWorlds, TRADE_OFFS } from '../../web/src/components/stars.js';

describe('comparison stars', () => {
  it('are_not_awarded_across_different_denominators', () => {
    // L6: one policy queues (19 failed of 4,168 issued), the other fails fast (of 9,000).
    const stars = starredWorlds({ values: [19, 4168], better: 'lower', ran: [true, true], denominators: [4168, 9000] });
    expect(stars.size).toBe(0);
  });

  it('are_awarded_between_counts_of_the_same_total', () => {
    expect([...starredWorlds({ values: [19, 4168], better: 'lower', ran: [true, true], denominators: [9000, 9000] })]).toEqual([0]);
  });

  it('never_go_to_a_world_that_served_no_request', () => {
    // L8: the sync world never connected; "Opened 0" is no merit.
    expect(starredWorlds({ values: [0, 1], better: 'lower', ran: [false, true] }).size).toBe(0);
    expect([...starredWorlds({ values: [0, 1, 3], better: 'lower', ran: [false, true, true] })]).toEqual([1]);
  });

  it('are_not_awarded_for_a_difference_under_one_percent', () => {
    expect(starredWorlds({ values: [9850, 9900], better: 'higher', ran: [true, true] }).size).toBe(0);
    expect([...starredWorlds({ values: [9850, 19936], better: 'higher', ran: [true, true] })]).toEqual([1]);
  });

  it('are_not_awarded_where_nothing_is_better_or_to_a_row_that_does_not_apply', () => {
    expect(starredWorlds({ values: [1, 2], better: null, ran: [true, true] }).size).toBe(0);
    expect(starredWorlds({ values: [null, 2], better: 'lower', ran: [true, true] }).size).toBe(0);
  });

  it('every_preset_has_a_one_line_trade_off_note', () => {
    for (const name of presetNames) {
      expect(TRADE_OFFS[name], name).toBeTruthy();
      expect(TRADE_OFFS[name]).not.toContain('\n');
    }
  });
});
