import { afterEach, describe, expect, it, vi } from 'vitest';
import { RespDecoder } from '../../sim/resp/index.js';

// Issue 15, item 5: consecutive RESP3 attribute maps (`|1` key value, again and again) were
// concatenated into a new list per map: 100k maps copied ~5e9 pairs (44 s). Work is counted here,
// not timed: the array elements copied while decoding must stay linear in the number of maps.

const enc = new TextEncoder();
const attribute = (i: number) => `|1\r\n+k${i}\r\n:${i}\r\n`;

/** Elements copied by Array concat / slice / splice during `fn`; throws once past `bound`. */
function elementsCopied(bound: number, fn: () => void): number {
  let copied = 0;
  const count = (n: number) => {
    copied += n;
    if (copied > bound) throw new Error(`decoding copied more than ${bound} array elements`);
  };
  const concat = Array.prototype.concat;
  const slice = Array.prototype.slice;
  const splice = Array.prototype.splice;
  vi.spyOn(Array.prototype, 'concat').mockImplementation(function (this: unknown[], ...rest: unknown[]) {
    const out = concat.apply(this, rest);
    count(out.length);
    return out;
  });
  vi.spyOn(Array.prototype, 'slice').mockImplementation(function (this: unknown[], ...args: [number?, number?]) {
    const out = slice.apply(this, args);
    count(out.length);
    return out;
  });
  vi.spyOn(Array.prototype, 'splice').mockImplementation(function (this: unknown[], ...args: [number, number, ...unknown[]]) {
    count(Math.max(0, this.length - args[0]));
    return splice.apply(this, args);
  });
  try {
    fn();
  } finally {
    vi.restoreAllMocks();
  }
  return copied;
}

afterEach(() => vi.restoreAllMocks());

describe('consecutive attribute maps', () => {
  it('are_decoded_in_work_linear_in_their_number_and_counted_as_pending', () => {
    const n = 100_000;
    const d = new RespDecoder();
    let pendingMidway = 0;
    let values: ReturnType<RespDecoder['feed']> = [];
    // Linear: a few copies per map at most (the quadratic decoder copied n²/2 = 5e9).
    const copied = elementsCopied(10 * n, () => {
      // In 1 kB chunks, as a socket would hand them over.
      const all = enc.encode(Array.from({ length: n }, (_, i) => attribute(i)).join(''));
      for (let at = 0; at < all.length; at += 1024) {
        values.push(...d.feed(all.subarray(at, at + 1024)));
        if (at <= all.length / 2 && all.length / 2 < at + 1024) pendingMidway = d.pendingBytes;
      }
      values = values.concat(d.feed(enc.encode('+OK\r\n')));
    });
    expect(values).toHaveLength(1);
    expect(values[0]!.type).toBe('simple');
    expect(values[0]!.attributes).toHaveLength(n);
    expect(values[0]!.attributes![n - 1]![1]).toEqual({ type: 'integer', value: BigInt(n - 1) });
    expect(copied).toBeLessThanOrEqual(10 * n);
    // Half the maps are held for a value that has not come yet: they are pending bytes.
    expect(pendingMidway).toBeGreaterThan(enc.encode(attribute(0)).length * (n / 2) * 0.9);
    expect(d.pendingBytes).toBe(0);
  });

  it('count_as_pending_until_their_value_completes', () => {
    const d = new RespDecoder();
    expect(d.feed(enc.encode('|1\r\n+a\r\n:1\r\n|1\r\n+b\r\n:2\r\n'))).toEqual([]);
    expect(d.pendingBytes).toBe(24);
    expect(d.feed(enc.encode('*2\r\n:1\r\n'))).toEqual([]);
    expect(d.pendingBytes).toBe(32);
    const [v] = d.feed(enc.encode(':2\r\n'));
    expect(v!.attributes).toHaveLength(2);
    expect(d.pendingBytes).toBe(0);
  });
});
