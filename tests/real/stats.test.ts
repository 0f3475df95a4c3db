import { describe, expect, it } from 'vitest';
import { median } from '../../real/stats.js';

describe('median', () => {
  it('is_the_middle_value_or_the_mean_of_the_middle_two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBe(0);
  });
});
