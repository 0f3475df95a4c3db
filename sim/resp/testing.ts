/** Deterministic helpers for feeding input in pieces: tests, benchmarks, fault scenarios. */

export { concatBytes } from '../kernel/bytes.js';

/** One byte per char code (0-255), so protocol text can spell raw bytes like "\xff" or "\0". */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`latin1Bytes: char code ${c} at ${i} is not a byte`);
    out[i] = c;
  }
  return out;
}

/** Pieces of `input` cut at the given offsets (any order; out-of-range and repeats ignored). */
export function splitAt(input: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < input.length))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of points) {
    out.push(input.subarray(from, c));
    from = c;
  }
  out.push(input.subarray(from));
  return out;
}

export function bytewise(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < input.length; i++) out.push(input.subarray(i, i + 1));
  return out;
}

/** Pieces of seeded pseudo-random length (1 to 2*meanPiece-1 bytes), from an xorshift32 stream. */
export function seededPieces(input: Uint8Array, seed: number, meanPiece = 7): Uint8Array[] {
  let x = seed | 0 || 0x9e3779b9;
  const cuts: number[] = [];
  let at = 0;
  for (;;) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    at += 1 + ((x >>> 0) % (2 * meanPiece - 1));
    if (at >= input.length) break;
    cuts.push(at);
  }
  return splitAt(input, cuts);
}

/** Feeds every piece to `feed` and returns everything it produced, in order. */
export function feedAll<T>(feed: (chunk: Uint8Array) => T[], pieces: readonly Uint8Array[]): T[] {
  const out: T[] = [];
  for (const p of pieces) for (const v of feed(p)) out.push(v);
  return out;
}
