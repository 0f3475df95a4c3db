import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * A seeded random stream. Each purpose (workload, network jitter, backoff jitter, each world)
 * takes its own child stream by name, so a draw added in one place never shifts another stream.
 * The child's seed is a hash of (parent's seed path, name): it does not consume parent draws.
 */
export class Rng {
  private readonly gen: RandomGenerator;

  private constructor(
    readonly path: string,
    private readonly seedKey: number,
  ) {
    this.gen = xoroshiro128plus(seedKey);
  }

  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    // Fold a 53-bit seed into 32 bits without losing the high part.
    const folded = (seed | 0) ^ Math.floor(seed / 0x1_0000_0000);
    return new Rng(`seed:${seed}`, folded | 0);
  }

  /** An independent stream for one purpose. Same parent and name always give the same stream. */
  child(name: string): Rng {
    const path = `${this.path}/${name}`;
    return new Rng(path, mixString(this.seedKey, name));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.gen, min, max);
  }

  /** Exponentially distributed with the given mean (inverse transform sampling). */
  exp(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** Picks a key with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    return new Weighted(weights).pick(this);
  }
}

/** Rng.weighted's choice, its keys and total taken once, for a hot loop that picks many times. */
export class Weighted<K extends string> {
  private readonly keys: K[];
  private readonly weights: number[];
  private readonly total: number;

  constructor(weights: Readonly<Record<K, number>>) {
    this.keys = Object.keys(weights) as K[];
    this.weights = this.keys.map((k) => weights[k]);
    let total = 0;
    for (const w of this.weights) total += w;
    this.total = total;
  }

  /** The same draw and the same key as `rng.weighted(weights)`. */
  pick(rng: Rng): K {
    let x = rng.float() * this.total;
    for (let i = 0; i < this.keys.length; i++) {
      x -= this.weights[i]!;
      if (x < 0) return this.keys[i]!;
    }
    return this.keys[this.keys.length - 1]!;
  }
}

/** murmur3-style mixing of a string into a 32-bit seed (a hash, not a random draw). */
function mixString(seed: number, s: string): number {
  let h = seed ^ 0x9e3779b9;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
