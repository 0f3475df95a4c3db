import { describe, expect, it } from 'vitest';
import {
  RespDecoder,
  RespProtocolError,
  array,
  bigNumber,
  boolean,
  bulkString,
  describeResp,
  double,
  encode,
  encodeCommand,
  integer,
  map,
  push,
  respNull,
  respToJs,
  set,
  simpleError,
  simpleString,
  textToBytes,
  toText,
  verbatimString,
  withAttributes,
  type RespDecoderOptions,
  type RespValue,
} from '../../sim/resp/index.js';
import { bytewise, concatBytes, feedAll, latin1Bytes, seededPieces, splitAt } from '../../sim/resp/testing.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function piecings(input: Uint8Array): Array<[string, Uint8Array[]]> {
  return [
    ['whole', [input]],
    ['byte by byte', bytewise(input)],
    ['seed 1 pieces', seededPieces(input, 1)],
    ['seed 2 pieces', seededPieces(input, 2, 3)],
    ['seed 3 pieces', seededPieces(input, 3, 40)],
  ];
}

/** Decodes input whole, byte by byte and at seeded random cuts; all must agree. */
function decodeEveryWay(input: Uint8Array | string, options?: RespDecoderOptions): RespValue[] {
  const bytes = typeof input === 'string' ? latin1Bytes(input) : input;
  const whole = new RespDecoder(options).feed(bytes);
  for (const [how, pieces] of piecings(bytes).slice(1)) {
    const d = new RespDecoder(options);
    expect(feedAll((c) => d.feed(c), pieces), how).toEqual(whole);
    expect(d.pendingBytes, how).toBe(0);
  }
  return whole;
}

/** Every way of feeding input raises RespProtocolError, and the decoder stays failed. */
function expectRejected(input: Uint8Array | string, pattern?: RegExp, options?: RespDecoderOptions): void {
  const bytes = typeof input === 'string' ? latin1Bytes(input) : input;
  for (const [how, pieces] of piecings(bytes)) {
    const d = new RespDecoder(options);
    let error: unknown = null;
    for (const p of pieces) {
      try {
        d.feed(p);
      } catch (e) {
        error = e;
        break;
      }
    }
    expect(error, how).toBeInstanceOf(RespProtocolError);
    if (pattern) expect((error as Error).message, how).toMatch(pattern);
    expect(d.failed, how).toBe(true);
    expect(() => d.feed(latin1Bytes('+OK\r\n')), how).toThrow(RespProtocolError);
  }
}

function roundTrip(v: RespValue): RespValue {
  const out = decodeEveryWay(encode(v));
  expect(out).toHaveLength(1);
  return out[0]!;
}

describe('RESP encode/decode round trip', () => {
  const cases: Array<[string, RespValue, string]> = [
    ['simple string', simpleString('OK'), '+OK\r\n'],
    ['empty simple string', simpleString(''), '+\r\n'],
    ['simple error', simpleError('ERR unknown command'), '-ERR unknown command\r\n'],
    ['integer', integer(-42), ':-42\r\n'],
    ['int64 max', integer(9223372036854775807n), ':9223372036854775807\r\n'],
    ['bulk string', bulkString('hello'), '$5\r\nhello\r\n'],
    ['empty bulk string', bulkString(''), '$0\r\n\r\n'],
    ['binary bulk with CRLF inside', bulkString(latin1Bytes('a\r\n\0\xff')), '$5\r\na\r\n\0\xff\r\n'],
    ['null bulk', bulkString(null), '$-1\r\n'],
    ['array', array([integer(1), bulkString('x')]), '*2\r\n:1\r\n$1\r\nx\r\n'],
    ['empty array', array([]), '*0\r\n'],
    ['null array', array(null), '*-1\r\n'],
    ['RESP3 null', respNull(), '_\r\n'],
    ['true', boolean(true), '#t\r\n'],
    ['false', boolean(false), '#f\r\n'],
    ['double', double(1.5), ',1.5\r\n'],
    ['double with exponent', double(1e300), ',1e+300\r\n'],
    ['negative zero', double(-0), ',-0\r\n'],
    ['inf', double(Infinity), ',inf\r\n'],
    ['-inf', double(-Infinity), ',-inf\r\n'],
    ['nan', double(NaN), ',nan\r\n'],
    ['big number', bigNumber(-(10n ** 40n)), `(-1${'0'.repeat(40)}\r\n`],
    ['verbatim', verbatimString('txt', 'Some string'), '=15\r\ntxt:Some string\r\n'],
    ['map', map([[simpleString('first'), integer(1)]]), '%1\r\n+first\r\n:1\r\n'],
    ['empty map', map([]), '%0\r\n'],
    ['set', set([simpleString('a'), boolean(false)]), '~2\r\n+a\r\n#f\r\n'],
    ['push', push([bulkString('message'), bulkString('ch'), bulkString('hi')]), '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n'],
  ];
  for (const [name, value, wire] of cases) {
    it(`encodes and decodes a ${name}`, () => {
      expect(encode(value)).toEqual(latin1Bytes(wire));
      expect(roundTrip(value)).toEqual(value);
    });
  }

  it('round-trips nested aggregates of every kind, including null forms', () => {
    const v = array([
      map([
        [bulkString('k'), set([integer(1), array(null), bulkString(null)])],
        [array([respNull()]), push([double(NaN), verbatimString('mkd', '# hi\r\n')])],
      ]),
      array([array([array([])]), map([])]),
      bigNumber(1n),
    ]);
    expect(roundTrip(v)).toEqual(v);
  });

  it('keeps UTF-8 text, including a leading byte-order mark', () => {
    for (const s of ['é', '日本語', '🙂 emoji', '\ufeffBOM first']) {
      expect(roundTrip(simpleString(s))).toEqual(simpleString(s));
      expect(roundTrip(verbatimString('txt', s))).toEqual(verbatimString('txt', s));
      expect(toText(roundTrip(bulkString(s)))).toBe(s);
    }
  });

  it('round-trips bulk strings large enough to take the direct-copy path', () => {
    const payload = new Uint8Array(70_000).map((_, i) => (i * 31) & 0xff);
    const v = array([bulkString(payload), bulkString('tail'), verbatimString('txt', 'x'.repeat(5000))]);
    expect(roundTrip(v)).toEqual(v);
  });
});

describe('RESP3 attributes', () => {
  it('attaches an attribute map to the value that follows it (RESP3.md MGET example)', () => {
    const wire =
      '|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n';
    const [v, ...more] = decodeEveryWay(wire);
    expect(more).toEqual([]);
    expect(v).toEqual({
      type: 'array',
      value: [integer(2039123), integer(9543892)],
      attributes: [
        [
          simpleString('key-popularity'),
          map([
            [bulkString('a'), double(0.1923)],
            [bulkString('b'), double(0.0012)],
          ]),
        ],
      ],
    });
  });

  it('does not count an attribute as an aggregate element (RESP3.md ttl example)', () => {
    const [v] = decodeEveryWay('*3\r\n:1\r\n:2\r\n|1\r\n+ttl\r\n:3600\r\n:3\r\n');
    expect(v).toEqual(array([integer(1), integer(2), withAttributes(integer(3), [[simpleString('ttl'), integer(3600)]])]));
  });

  it('merges consecutive attribute maps and nests attributes inside attributes', () => {
    const [v] = decodeEveryWay('|1\r\n|1\r\n+x\r\n+y\r\n+a\r\n+b\r\n|1\r\n+c\r\n+d\r\n:7\r\n');
    expect(v).toEqual(
      withAttributes(integer(7), [
        [withAttributes(simpleString('a'), [[simpleString('x'), simpleString('y')]]), simpleString('b')],
        [simpleString('c'), simpleString('d')],
      ]),
    );
  });

  it('round-trips attributes on scalars, aggregates, map keys and null forms', () => {
    const attrs: Array<[RespValue, RespValue]> = [[simpleString('ttl'), integer(3600)]];
    const v = withAttributes(
      map([[withAttributes(bulkString('k'), attrs), withAttributes(array(null), [])]]),
      [[bulkString('src'), withAttributes(set([]), attrs)]],
    );
    expect(roundTrip(v)).toEqual(v);
  });

  it('holds a trailing top-level attribute until its value arrives', () => {
    const d = new RespDecoder();
    expect(d.feed(latin1Bytes('|1\r\n+a\r\n+b\r\n'))).toEqual([]);
    expect(d.feed(latin1Bytes('+OK\r\n'))).toEqual([withAttributes(simpleString('OK'), [[simpleString('a'), simpleString('b')]])]);
  });

  it('drops attributes when encoding for RESP2', () => {
    const v = withAttributes(integer(1), [[simpleString('a'), simpleString('b')]]);
    expect(text(encode(v, { protocol: 2 }))).toBe(':1\r\n');
  });
});

describe('RESP3 streamed strings and aggregates', () => {
  it('joins streamed string parts into one bulk string (RESP3.md example)', () => {
    // The spec's parts really spell "Hello word": its prose says "Hello world" but ";1 d" is one byte.
    expect(decodeEveryWay('$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n')).toEqual([bulkString('Hello word')]);
    expect(decodeEveryWay('$?\r\n;0\r\n')).toEqual([bulkString('')]);
  });

  it('ends streamed arrays, sets and maps at the END type', () => {
    expect(decodeEveryWay('*?\r\n:1\r\n:2\r\n:3\r\n.\r\n~?\r\n+a\r\n.\r\n%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n')).toEqual([
      array([integer(1), integer(2), integer(3)]),
      set([simpleString('a')]),
      map([
        [simpleString('a'), integer(1)],
        [simpleString('b'), integer(2)],
      ]),
    ]);
  });

  it('rejects END outside a streamed aggregate, parts outside a streamed string, and odd streamed maps', () => {
    expectRejected('.\r\n', /outside a streamed aggregate/);
    expectRejected('*1\r\n.\r\n', /outside a streamed aggregate/);
    expectRejected(';1\r\na\r\n', /outside a streamed string/);
    expectRejected('$?\r\n:1\r\n', /expected ';'/);
    expectRejected('%?\r\n+a\r\n.\r\n', /key without its value/);
    expectRejected('*?\r\n|1\r\n+a\r\n+b\r\n.\r\n', /attribute not followed by a value/);
    expectRejected('$?\r\n;3\r\nabc\r\n;3\r\ndef\r\n;0\r\n', /exceeds the limit of 5/, { maxBulkLength: 5 });
  });
});

describe('RespDecoder streaming', () => {
  it('returns nothing until a value completes, then every completed value in order', () => {
    const d = new RespDecoder();
    expect(d.feed(latin1Bytes('*2\r\n$5\r\nhel'))).toEqual([]);
    expect(d.pendingBytes).toBeGreaterThan(0);
    expect(d.feed(latin1Bytes('lo\r\n:4'))).toEqual([]);
    expect(d.feed(latin1Bytes('2\r\n+OK\r\n+PO'))).toEqual([array([bulkString('hello'), integer(42)]), simpleString('OK')]);
    expect(d.feed(latin1Bytes('NG\r\n'))).toEqual([simpleString('PONG')]);
    expect(d.pendingBytes).toBe(0);
  });

  it('does not keep references to caller chunks that are later overwritten', () => {
    const d = new RespDecoder();
    const chunk = latin1Bytes('$3\r\nab');
    expect(d.feed(chunk)).toEqual([]);
    chunk.fill(0x58); // the caller reuses its read buffer
    const [v] = d.feed(latin1Bytes('c\r\n'));
    expect(v).toEqual(bulkString('abc'));
    const big = concatBytes([latin1Bytes('$300\r\n'), new Uint8Array(300).fill(0x61), latin1Bytes('\r\n')]);
    const first = big.slice(0, 200);
    expect(d.feed(first)).toEqual([]);
    first.fill(0);
    expect(d.feed(big.subarray(200))).toEqual([bulkString('a'.repeat(300))]);
  });

  it('returns bulk payloads that stay valid after the input chunk changes', () => {
    const chunk = latin1Bytes('$3\r\nabc\r\n');
    const [v] = new RespDecoder().feed(chunk);
    chunk.fill(0);
    expect(v).toEqual(bulkString('abc'));
  });

  it('decodes a 1 MB bulk string fed in 16 KB chunks', () => {
    const payload = new Uint8Array(1 << 20).map((_, i) => i % 251);
    const input = encode(bulkString(payload));
    const d = new RespDecoder();
    const cuts = Array.from({ length: Math.ceil(input.length / 16384) }, (_, i) => i * 16384);
    const out = feedAll((c) => d.feed(c), splitAt(input, cuts));
    expect(out).toHaveLength(1);
    const v = out[0]!;
    // Byte-for-byte check without a 1M-element deep-equal walk.
    expect(v.type === 'bulk' && v.value !== null && sameBytes(v.value, payload)).toBe(true);
  });

  it('handles a CRLF split across two feeds (hiredis "single newline covers two calls")', () => {
    const d = new RespDecoder();
    expect(d.feed(latin1Bytes('+OK\r'))).toEqual([]);
    expect(d.feed(latin1Bytes('\n'))).toEqual([simpleString('OK')]);
  });

  it('lists values completed before a protocol error on the error', () => {
    const d = new RespDecoder();
    let caught: unknown;
    try {
      d.feed(latin1Bytes('+OK\r\n:1\r\n@bad\r\n'));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RespProtocolError);
    expect((caught as RespProtocolError).completed).toEqual([simpleString('OK'), integer(1)]);
  });
});

describe('RespDecoder rejects malformed input', () => {
  it('rejects a bad type byte', () => {
    expectRejected('@foo\r\n', /"@" as reply type byte/);
    expectRejected('x');
    expectRejected('*2\r\n$5\r\nhello\r\n@foo\r\n', /"@"/);
  });

  it('rejects negative lengths below -1', () => {
    expectRejected('*-2\r\n+asdf\r\n', /array length out of range/);
    expectRejected('$-2\r\nasdf\r\n', /bulk string length out of range/);
    expectRejected('%-2\r\n', /out of range/);
  });

  it('rejects the null length on types that have no null form', () => {
    for (const t of ['%', '~', '>', '|', '!', '=']) expectRejected(`${t}-1\r\n`);
  });

  it('rejects non-numeric, signed, empty and zero-padded lengths', () => {
    for (const wire of ['$abc\r\n', '*1x\r\n', '$\r\n', '*\r\n', '$+5\r\nhello\r\n', '$05\r\nhello\r\n', '$ 5\r\n', '$5.0\r\n']) {
      expectRejected(wire, /invalid/);
    }
  });

  it('rejects lengths over the configured limits', () => {
    expectRejected(`$${512 * 1024 * 1024 + 1}\r\n`, /bulk string length 536870913 exceeds the limit of 536870912 bytes/);
    expectRejected('$11\r\nhello world\r\n', /exceeds the limit of 10 bytes/, { maxBulkLength: 10 });
    expectRejected('!11\r\nhello world\r\n', /blob error length 11/, { maxBulkLength: 10 });
    expectRejected('*3\r\n:1\r\n:2\r\n:3\r\n', /array length 3 exceeds the limit of 2 elements/, { maxMultibulkLength: 2 });
    expectRejected('%2\r\n', /map length 2 exceeds/, { maxMultibulkLength: 1 });
    expectRejected('*?\r\n:1\r\n:2\r\n:3\r\n', /exceeds the limit of 2/, { maxMultibulkLength: 2 });
    expect(decodeEveryWay('$10\r\nhelloworld\r\n', { maxBulkLength: 10 })).toEqual([bulkString('helloworld')]);
  });

  it('rejects nesting deeper than the limit without overflowing the stack', () => {
    expect(decodeEveryWay('*1\r\n'.repeat(128) + ':1\r\n')).toHaveLength(1);
    expectRejected('*1\r\n'.repeat(129) + ':1\r\n', /nested deeper than maxDepth \(128\)/);
    expectRejected('*1\r\n%1\r\n~1\r\n:1\r\n', /map nested deeper than maxDepth \(1\)/, { maxDepth: 1 });
    expect(() => new RespDecoder({ maxDepth: 1e6 }).feed(latin1Bytes('*1\r\n'.repeat(200_000)))).not.toThrow();
    expect(() => new RespDecoder().feed(latin1Bytes('*1\r\n'.repeat(200_000)))).toThrow(RespProtocolError);
  });

  it('rejects a bulk payload not followed by CRLF', () => {
    expectRejected('$3\r\nabcX\r\n', /not followed by CRLF/);
    expectRejected('$3\r\nabc\rX', /not followed by CRLF/);
    expectRejected('=5\r\ntxt:aXY', /not followed by CRLF/);
    expectRejected(concatBytes([latin1Bytes('$300\r\n'), new Uint8Array(300), latin1Bytes('\nX')]), /not followed by CRLF/);
  });

  it('rejects a CR that is not followed by LF', () => {
    expectRejected('+OK\rX\r\n', /expected LF after CR/);
    expectRejected(':1\r\r\n', /expected LF after CR/);
  });

  it('rejects malformed scalars', () => {
    expectRejected(':abc\r\n', /bad integer value/);
    expectRejected(':\r\n', /bad integer value/);
    expectRejected(':1.5\r\n', /bad integer value/);
    expectRejected(',.5\r\n', /bad double value/); // RESP3.md: starting with '.' is invalid
    expectRejected(',1.\r\n', /bad double value/);
    expectRejected(',\r\n', /bad double value/);
    expectRejected('(1.5\r\n', /bad big number/);
    expectRejected('#T\r\n', /bad bool value/);
    expectRejected('_ \r\n', /bad nil value/);
    expectRejected('=3\r\ntxt\r\n', /no format prefix/);
    expectRejected('=5\r\ntxtXa\r\n', /without ':'/);
  });

  it('never buffers an unterminated line past its limit', () => {
    expectRejected(':' + '1'.repeat(100), /longer than 64 bytes/);
    expectRejected('$' + '1'.repeat(100), /longer than 64 bytes/);
    expectRejected('+' + 'a'.repeat(100), /longer than 64 bytes/, { maxLineLength: 64 });
    const d = new RespDecoder({ maxLineLength: 64 * 1024 });
    const junk = new Uint8Array(16 * 1024).fill(0x61);
    d.feed(latin1Bytes('+'));
    expect(() => {
      for (let i = 0; i < 10; i++) d.feed(junk);
    }).toThrow(RespProtocolError);
  });

  it('rejects invalid limit options', () => {
    expect(() => new RespDecoder({ maxDepth: 0 })).toThrow(RangeError);
    expect(() => new RespDecoder({ maxBulkLength: 1.5 })).toThrow(RangeError);
  });
});

describe('encode', () => {
  it('sends errors containing CR or LF as RESP3 blob errors, and sanitises them for RESP2', () => {
    expect(text(encode(simpleError('ERR a\r\nb')))).toBe('!8\r\nERR a\r\nb\r\n');
    expect(decodeEveryWay(encode(simpleError('ERR a\r\nb')))).toEqual([simpleError('ERR a\r\nb')]);
    expect(text(encode(simpleError('ERR a\r\nb'), { protocol: 2 }))).toBe('-ERR a  b\r\n');
  });

  it('downgrades RESP3-only types the way Redis replies to a RESP2 client', () => {
    const v = array([
      respNull(),
      boolean(true),
      double(2.5),
      bigNumber(12345678901234567890n),
      verbatimString('txt', 'hi'),
      map([[simpleString('a'), integer(1)]]),
      set([integer(2)]),
      push([bulkString('x')]),
    ]);
    expect(text(encode(v, { protocol: 2 }))).toBe(
      '*8\r\n$-1\r\n:1\r\n$3\r\n2.5\r\n$20\r\n12345678901234567890\r\n$2\r\nhi\r\n*2\r\n+a\r\n:1\r\n*1\r\n:2\r\n*1\r\n$1\r\nx\r\n',
    );
  });

  it('refuses what RESP cannot carry', () => {
    expect(() => encode(simpleString('a\nb'))).toThrow(RangeError);
    expect(() => encode(integer(2n ** 63n))).toThrow(RangeError);
    expect(() => encode(verbatimString('text', 'x'))).toThrow(RangeError);
    expect(() => encode({ type: 'nope' } as unknown as RespValue)).toThrow(TypeError);
  });

  it('encodes very deep values without recursion', () => {
    let v: RespValue = integer(1);
    for (let i = 0; i < 100_000; i++) v = array([v]);
    const wire = encode(v);
    expect(wire.length).toBe(100_000 * 4 + 4);
  });
});

describe('encodeCommand', () => {
  it('encodes arguments as an array of bulk strings with UTF-8 byte lengths', () => {
    expect(text(encodeCommand(['SET', 'key', 'vé']))).toBe('*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$3\r\nvé\r\n');
    expect(encodeCommand([latin1Bytes('\0\xff'), ''])).toEqual(latin1Bytes('*2\r\n$2\r\n\0\xff\r\n$0\r\n\r\n'));
    expect(text(encodeCommand([]))).toBe('*0\r\n');
  });

  it('counts surrogate pairs and lone surrogates as TextEncoder does', () => {
    for (const s of ['🙂', 'a\ud800b', '\udc00', 'x'.repeat(1000) + '€']) {
      const [v] = decodeEveryWay(encodeCommand([s]));
      expect(v).toEqual(array([bulkString(textToBytes(s))]));
    }
  });
});

describe('helpers', () => {
  it('converts values to plain JS for assertions', () => {
    const v = array([
      simpleString('OK'),
      bulkString('x'),
      bulkString(null),
      integer(3),
      simpleError('ERR'),
      map([[bulkString('k'), boolean(true)]]),
      respNull(),
    ]);
    expect(respToJs(v)).toEqual(['OK', 'x', null, 3n, { error: 'ERR' }, new Map([['k', true]]), null]);
  });

  it('gives the text of scalars and refuses aggregates', () => {
    expect(toText(bulkString('hé'))).toBe('hé');
    expect(toText(double(-Infinity))).toBe('-inf');
    expect(toText(integer(-5))).toBe('-5');
    expect(() => toText(array([]))).toThrow(TypeError);
    expect(() => toText(bulkString(null))).toThrow(TypeError);
  });

  it('describes values on one line', () => {
    expect(describeResp(array([simpleString('OK'), integer(1), bulkString(null)]))).toBe('[OK, (integer) 1, (nil)]');
  });
});
