import { describe, expect, it } from 'vitest';
import { Rng, ms } from '../../sim/kernel/index.js';
import { makeBackoff, type BackoffOptions } from '../../sim/clients/index.js';

const seq = (o: BackoffOptions, n: number, seed = 1) => {
  const b = makeBackoff(o, Rng.fromSeed(seed).child('b'));
  return Array.from({ length: n }, () => b.next() / 1000);
};

describe('backoff strategies', () => {
  it('redix_grows_by_one_and_a_half_from_500ms_to_30s_without_jitter', () => {
    expect(seq({ strategy: 'redix' }, 12)).toEqual([500, 750, 1125, 1688, 2532, 3798, 5697, 8546, 12819, 19229, 28844, 30000]);
  });

  it('exp_doubles_up_to_the_cap', () => {
    expect(seq({ strategy: 'exp', initialMs: 100, maxMs: 1000 }, 6)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('rand_stays_between_min_and_max', () => {
    const xs = seq({ strategy: 'rand', initialMs: 1000, maxMs: 3000 }, 200);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...xs)).toBeLessThanOrEqual(3000);
    expect(new Set(xs).size).toBeGreaterThan(100);
  });

  it('rand_exp_draws_between_min_of_prev_and_lower_and_three_times_prev', () => {
    // DBConnection: lower = max(min, max div 3); next in [min(prev, lower), min(prev * 3, max)].
    const b = makeBackoff({ strategy: 'rand_exp', initialMs: 1000, maxMs: 30000 }, Rng.fromSeed(3));
    let prev = 1000;
    for (let i = 0; i < 50; i++) {
      const next = b.next() / 1000;
      expect(next).toBeGreaterThanOrEqual(Math.min(prev, 10000));
      expect(next).toBeLessThanOrEqual(Math.min(prev * 3, 30000));
      prev = next;
    }
  });

  it('ioredis_doubles_from_50ms_to_5s_plus_up_to_199ms_of_jitter', () => {
    const xs = seq({ strategy: 'ioredis' }, 10);
    const base = [50, 100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000];
    xs.forEach((x, i) => {
      expect(x - base[i]!).toBeGreaterThanOrEqual(0);
      expect(x - base[i]!).toBeLessThanOrEqual(199);
    });
  });

  it('jitter_is_seeded_the_same_seed_gives_the_same_waits', () => {
    expect(seq({ strategy: 'ioredis' }, 5, 7)).toEqual(seq({ strategy: 'ioredis' }, 5, 7));
    expect(seq({ strategy: 'ioredis' }, 5, 7)).not.toEqual(seq({ strategy: 'ioredis' }, 5, 8));
  });

  it('reset_after_a_successful_connect_starts_over', () => {
    const b = makeBackoff({ strategy: 'redix' }, Rng.fromSeed(1));
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(ms(500));
  });

  it('none_reconnects_at_once', () => {
    expect(seq({ strategy: 'none' }, 3)).toEqual([0, 0, 0]);
  });

  it('bad_settings_name_the_field', () => {
    const rng = Rng.fromSeed(1);
    expect(() => makeBackoff({ strategy: 'exp', initialMs: 100, maxMs: 10 }, rng)).toThrow(/backoff\.maxMs must be >= initialMs/);
    expect(() => makeBackoff({ strategy: 'nope' as 'exp' }, rng)).toThrow(/backoff\.strategy must be one of/);
    expect(() => makeBackoff({ strategy: 'exp', initialMs: -1 }, rng)).toThrow(/backoff\.initialMs/);
  });
});
