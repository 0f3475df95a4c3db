/** Virtual time is an integer number of microseconds since the start of a world. */
export type Micros = number;

export const US_PER_MS = 1000;
export const US_PER_S = 1_000_000;

export function ms(n: number): Micros {
  return Math.round(n * US_PER_MS);
}

export function seconds(n: number): Micros {
  return Math.round(n * US_PER_S);
}

/** Rejects anything that is not a non-negative safe integer: time must never be fractional. */
export function assertMicros(t: number, what: string): Micros {
  if (!Number.isSafeInteger(t) || t < 0) {
    throw new RangeError(`${what} must be a non-negative integer number of microseconds, got ${t}`);
  }
  return t;
}
