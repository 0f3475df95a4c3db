/**
 * Reconnection backoff strategies, with the formulas of the clients they are named after.
 * Each is a small state machine: next() gives the wait before the next attempt, reset() is
 * called after a successful connect. Jitter draws from a seeded stream.
 */
import { z } from 'zod';
import type { Rng } from '../kernel/rng.js';
import { ms, type Micros } from '../kernel/time.js';
import { msAtLeast0 } from '../scenario/fields.js';

export type BackoffStrategy = 'redix' | 'exp' | 'rand' | 'rand_exp' | 'ioredis' | 'none';

export interface BackoffOptions {
  strategy: BackoffStrategy;
  /** First wait (ms). Defaults per strategy: redix 500, exp 100, rand/rand_exp 1000, ioredis 50. */
  initialMs?: number;
  /** Largest wait (ms). Defaults: redix 30000, exp 30000, rand/rand_exp 30000, ioredis 5000. */
  maxMs?: number;
}

export interface Backoff {
  /** Wait before the next connection attempt, µs. */
  next(): Micros;
  reset(): void;
}

/** Each strategy's waits when the options leave them out (the schema checks maxMs against them). */
export const BACKOFF_DEFAULTS: Readonly<Record<BackoffStrategy, { readonly initialMs: number; readonly maxMs: number }>> = {
  redix: { initialMs: 500, maxMs: 30_000 },
  exp: { initialMs: 100, maxMs: 30_000 },
  rand: { initialMs: 1_000, maxMs: 30_000 },
  rand_exp: { initialMs: 1_000, maxMs: 30_000 },
  ioredis: { initialMs: 50, maxMs: 5_000 },
  none: { initialMs: 0, maxMs: 0 },
};
const DEFAULTS = BACKOFF_DEFAULTS;

const STRATEGIES = Object.keys(BACKOFF_DEFAULTS) as BackoffStrategy[];

/**
 * The `backoff` option of a client. maxMs is checked against the initialMs the strategy will
 * use, given or its default (makeBackoff throws otherwise, and the client could not start).
 */
export const backoffSchema = z
  .object({
    strategy: z.enum(STRATEGIES as [BackoffStrategy, ...BackoffStrategy[]], { error: `expected one of ${STRATEGIES.map((k) => `"${k}"`).join(', ')}` }).meta({ title: 'Strategy', description: 'whose formula: none retries at once' }),
    initialMs: msAtLeast0()
      .optional()
      .meta({ title: 'First wait', unit: 'ms', defaultBy: { field: 'strategy', values: Object.fromEntries(STRATEGIES.map((k) => [k, BACKOFF_DEFAULTS[k].initialMs])) } }),
    maxMs: msAtLeast0()
      .optional()
      .meta({ title: 'Longest wait', unit: 'ms', description: '≥ first wait', defaultBy: { field: 'strategy', values: Object.fromEntries(STRATEGIES.map((k) => [k, BACKOFF_DEFAULTS[k].maxMs])) } }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.maxMs === undefined) return;
    const initial = b.initialMs ?? BACKOFF_DEFAULTS[b.strategy].initialMs;
    if (b.maxMs < initial) {
      const which = b.initialMs === undefined ? `${initial}, the default initialMs of "${b.strategy}"` : `initialMs, ${initial}`;
      ctx.addIssue({ code: 'custom', path: ['maxMs'], message: `expected maxMs >= ${which}` });
    }
  });

export function makeBackoff(options: BackoffOptions, rng: Rng): Backoff {
  const d = DEFAULTS[options.strategy];
  if (d === undefined) throw new RangeError(`backoff.strategy must be one of ${Object.keys(DEFAULTS).join(', ')}, got ${String(options.strategy)}`);
  const min = options.initialMs ?? d.initialMs;
  const max = options.maxMs ?? Math.max(d.maxMs, min);
  if (!(min >= 0)) throw new RangeError(`backoff.initialMs must be >= 0, got ${min}`);
  if (!(max >= min)) throw new RangeError(`backoff.maxMs must be >= initialMs (${min}), got ${max}`);
  const randInt = (lo: number, hi: number) => rng.int(Math.round(lo), Math.round(hi));

  switch (options.strategy) {
    case 'none':
      return { next: () => 0, reset: () => {} };

    case 'redix': {
      // Redix.Connection: backoff_initial, then × 1.5 each attempt up to backoff_max, no jitter.
      let current: number | null = null;
      return {
        next() {
          current = current === null ? min : Math.min(Math.round(current * 1.5), max);
          return ms(current);
        },
        reset() {
          current = null;
        },
      };
    }

    case 'exp': {
      // DBConnection.Backoff :exp: min, then doubling up to max.
      let prev: number | null = null;
      return {
        next() {
          prev = prev === null ? min : Math.min(prev * 2, max);
          return ms(prev);
        },
        reset() {
          prev = null;
        },
      };
    }

    case 'rand':
      // DBConnection.Backoff :rand: uniform in [min, max] every time.
      return { next: () => ms(randInt(min, max)), reset: () => {} };

    case 'rand_exp': {
      // DBConnection.Backoff :rand_exp: uniform in [min(prev, lower), min(prev * 3, max)],
      // lower = max(min, max / 3); reset goes back to prev = min.
      const lower = Math.max(min, Math.floor(max / 3));
      let prev = min;
      return {
        next() {
          prev = randInt(Math.min(prev, lower), Math.min(prev * 3, max));
          return ms(prev);
        },
        reset() {
          prev = min;
        },
      };
    }

    case 'ioredis': {
      // min(2^(n-1) · initial, max) + 0–199 ms of jitter, n counting attempts since the last success.
      let n = 0;
      return {
        next() {
          n++;
          // The exponent capped: past 2^1024 it is Infinity, and Infinity · 0 (initialMs 0) is NaN.
          return ms(Math.min(2 ** Math.min(n - 1, 64) * min, max) + randInt(0, 199));
        },
        reset() {
          n = 0;
        },
      };
    }
  }
}
