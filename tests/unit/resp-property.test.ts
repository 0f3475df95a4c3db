import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RespCommandDecoder,
  RespDecoder,
  RespProtocolError,
  encode,
  encodeCommand,
  type RespAttributes,
  type RespValue,
} from '../../sim/resp/index.js';
import { bytewise, concatBytes, feedAll, splitAt } from '../../sim/resp/testing.js';

const noNewline = (s: string) => !s.includes('\r') && !s.includes('\n');
const text = fc.string({ unit: 'binary', maxLength: 20 });

const scalar: fc.Arbitrary<RespValue> = fc.oneof(
  text.filter(noNewline).map((value): RespValue => ({ type: 'simple', value })),
  // Errors with CR/LF go out as blob errors; both decode to type 'error'.
  text.map((value): RespValue => ({ type: 'error', value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value): RespValue => ({ type: 'integer', value })),
  // Some payloads long enough (>= 256) to take the decoder's direct-copy path when split.
  fc
    .oneof({ arbitrary: fc.uint8Array({ maxLength: 24 }), weight: 6 }, { arbitrary: fc.uint8Array({ minLength: 256, maxLength: 400 }), weight: 1 })
    .map((value): RespValue => ({ type: 'bulk', value })),
  fc.constant<RespValue>({ type: 'bulk', value: null }),
  fc.constant<RespValue>({ type: 'array', value: null }),
  fc.constant<RespValue>({ type: 'null' }),
  fc.boolean().map((value): RespValue => ({ type: 'boolean', value })),
  fc.double().map((value): RespValue => ({ type: 'double', value })),
  fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }).map((value): RespValue => ({ type: 'bignum', value })),
  fc
    .tuple(fc.string({ unit: fc.constantFrom('t', 'x', 'm', 'k', 'd', ':'), minLength: 3, maxLength: 3 }), text)
    .map(([format, value]): RespValue => ({ type: 'verbatim', format, value })),
);

const { value: respValue } = fc.letrec<{ value: RespValue; node: RespValue; attrs: RespAttributes }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4, withCrossShrink: true },
    tie('node'),
    fc.tuple(tie('node'), tie('attrs')).map(([v, attributes]): RespValue => ({ ...v, attributes })),
  ),
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 4, withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 5 }).map((value): RespValue => ({ type: 'array', value })),
    fc.array(tie('value'), { maxLength: 5 }).map((value): RespValue => ({ type: 'set', value })),
    fc.array(tie('value'), { maxLength: 5 }).map((value): RespValue => ({ type: 'push', value })),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 4 }).map((value): RespValue => ({ type: 'map', value })),
  ),
  attrs: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 2 }),
}));

/** Random cut offsets into a byte string of length n. */
const cutsFor = (n: number) => fc.array(fc.integer({ min: 0, max: Math.max(0, n) }), { maxLength: 40 });

describe('RESP codec properties', { timeout: 60_000 }, () => {
  it('decodes any encoded value tree to itself, fed whole, byte by byte or split randomly', () => {
    fc.assert(
      fc.property(
        respValue.chain((v) => {
          const wire = encode(v);
          return fc.tuple(fc.constant(v), fc.constant(wire), cutsFor(wire.length));
        }),
        ([v, wire, cuts]) => {
          expect(new RespDecoder().feed(wire)).toEqual([v]);
          if (wire.length <= 4096) {
            const byByte = new RespDecoder();
            expect(feedAll((c) => byByte.feed(c), bytewise(wire))).toEqual([v]);
          }
          const split = new RespDecoder();
          expect(feedAll((c) => split.feed(c), splitAt(wire, cuts))).toEqual([v]);
          expect(split.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodes a pipelined stream of values in order, however it is split', () => {
    fc.assert(
      fc.property(
        fc.array(respValue, { minLength: 1, maxLength: 6 }).chain((vs) => {
          const wire = concatBytes(vs.map((v) => encode(v)));
          return fc.tuple(fc.constant(vs), fc.constant(wire), cutsFor(wire.length));
        }),
        ([vs, wire, cuts]) => {
          const d = new RespDecoder();
          expect(feedAll((c) => d.feed(c), splitAt(wire, cuts))).toEqual(vs);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('round-trips any argument vector through encodeCommand and the command decoder', () => {
    const arg = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 256, maxLength: 600 }));
    fc.assert(
      fc.property(
        fc.array(fc.array(arg, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }).chain((cmds) => {
          const wire = concatBytes(cmds.map((c) => encodeCommand(c)));
          return fc.tuple(fc.constant(cmds), fc.constant(wire), cutsFor(wire.length));
        }),
        ([cmds, wire, cuts]) => {
          const d = new RespCommandDecoder();
          expect(feedAll((c) => d.feed(c), splitAt(wire, cuts))).toEqual(cmds);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('encodes string arguments as their UTF-8 bytes, long ones sent again and again included', () => {
    const utf8 = new TextEncoder();
    const arg = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: 32, maxLength: 90 }),
      // Equal long strings that are different objects, and the same object repeated.
      fc.constantFrom('v'.repeat(64), 'w'.repeat(64), 'é'.repeat(40), 'v'.repeat(63) + 'w'),
      fc.nat(64).map((n) => 'v'.repeat(n)),
    );
    fc.assert(
      fc.property(fc.array(fc.array(arg, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }), (cmds) => {
        for (const c of cmds) expect(encodeCommand(c)).toEqual(encodeCommand(c.map((s) => utf8.encode(s))));
      }),
      { numRuns: 300 },
    );
  });

  it('parses any argument vector written as an inline line of \\xHH-quoted strings', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 6 }), fc.nat(), (argv, cut) => {
        const quoted = argv.map((a) => `"${Array.from(a, (b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}"`);
        const line = new TextEncoder().encode(`${quoted.join(' ')}\r\n`);
        const d = new RespCommandDecoder();
        const at = cut % (line.length + 1);
        expect(feedAll((c) => d.feed(c), splitAt(line, [at]))).toEqual([argv]);
      }),
      { numRuns: 200 },
    );
  });

  it('on arbitrary bytes either decodes or throws RespProtocolError, the same however it is split', () => {
    const wireish = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      // Valid encodings with a byte changed, which reach deeper parser states than pure noise.
      fc.tuple(respValue, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([v, at, b]) => {
        const wire = encode(v);
        wire[at % wire.length] = b;
        return wire;
      }),
    );
    fc.assert(
      fc.property(wireish, cutsFor(64), (wire, cuts) => {
        const run = (pieces: Uint8Array[], server: boolean) => {
          const d = new RespDecoder(server ? { mode: 'server' } : {});
          const values: RespValue[] = [];
          try {
            for (const p of pieces) values.push(...d.feed(p));
            return { values, failed: false };
          } catch (e) {
            expect(e).toBeInstanceOf(RespProtocolError);
            values.push(...((e as RespProtocolError).completed as RespValue[]));
            return { values, failed: true };
          }
        };
        for (const server of [false, true]) {
          const whole = run([wire], server);
          expect(run(splitAt(wire, cuts), server)).toEqual(whole);
          expect(run(bytewise(wire), server)).toEqual(whole);
        }
      }),
      { numRuns: 500 },
    );
  });
});
