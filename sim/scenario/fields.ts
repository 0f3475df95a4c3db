/**
 * Number fields of the scenario format, each with the bounds that keep a run representable:
 * virtual time is a whole number of µs below 2^53 (sim/kernel/time.ts), so every time is capped
 * and every period or rate has a floor. The largest time a run schedules is its end (durationMs +
 * drainMs, at most 20 minutes) plus a few capped waits (a fault's atMs + forMs, a timeout, a
 * backoff, the link's latency): a few hours, far below 2^53 µs (285 years).
 */
import { z } from 'zod';

/** Cap of every time, wait, timeout or latency in a scenario: one hour. */
export const MAX_MS = 3_600_000;
/** Floor of a period that repeats (a timeout, a health check): one µs, the clock's resolution. */
export const MIN_PERIOD_MS = 0.001;

const atMost = (max: number, unit = '') => ({ error: `expected at most ${max}${unit}` });

export const number = (what: string) => z.number({ error: `expected ${what}` });

/** A number > 0 (and at least `min`, when given) and at most `max`. */
export const positive = (what: string, max: number, unit = '', min = 0) => {
  const p = number(what).gt(0, { error: `expected ${what}`, abort: true });
  return (min > 0 ? p.gte(min, { error: `expected at least ${min}${unit}` }) : p).max(max, atMost(max, unit));
};

/** A number >= 0 and at most `max`. */
export const nonNegative = (what: string, max: number, unit = '') => number(what).gte(0, { error: `expected ${what}` }).max(max, atMost(max, unit));

/** A whole number >= `min` and at most `max`. */
export const whole = (min: number, what: string, max: number) =>
  // The bounds first: zod's int refuses a number beyond 2^53 as not whole, and only the first
  // message of a field is kept.
  number(what)
    .max(max, atMost(max))
    .gte(min, { error: `expected ${what}` })
    .int({ error: `expected ${what}` });

/** A time or a wait in ms, >= 0, at most an hour. */
export const msAtLeast0 = (what = 'a number of ms >= 0') => nonNegative(what, MAX_MS, ' ms');

/** A period or timeout in ms: > 0 (at least one µs, so it cannot repeat at one instant), at most an hour. */
export const msPositive = (what = 'a number of ms > 0') => positive(what, MAX_MS, ' ms', MIN_PERIOD_MS);
