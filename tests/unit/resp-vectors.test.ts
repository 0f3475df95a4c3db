/**
 * Published input/expected pairs from other RESP implementations and the spec, restated as our
 * own tests (their code is not reused). Sources:
 *  - hiredis  = redis/hiredis test.c, test_reply_reader()
 *  - valkey   = valkey-io/libvalkey tests/client_test.c, test_reply_reader() (the hiredis fork's
 *               newer vectors: NaN, -nan, attributes, big numbers, NUL in a double)
 *  - node-redis = redis/node-redis packages/client/lib/RESP/decoder.spec.ts
 *  - RESP3.md = redis/redis-specifications protocol/RESP3.md
 * Every input is fed whole, byte by byte and at seeded random cut points.
 */
import { describe, expect, it } from 'vitest';
import {
  RespDecoder,
  RespProtocolError,
  array,
  bigNumber,
  boolean,
  bulkString,
  double,
  integer,
  map,
  push,
  respNull,
  set,
  simpleError,
  simpleString,
  verbatimString,
  withAttributes,
  type RespDecoderOptions,
  type RespValue,
} from '../../sim/resp/index.js';
import { bytewise, concatBytes, feedAll, latin1Bytes, seededPieces } from '../../sim/resp/testing.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Input given as separate writes (as the source fed it) or one string; latin1 unless utf8. */
function inputOf(parts: string | string[], encoding: 'latin1' | 'utf8' = 'latin1'): Uint8Array {
  const list = typeof parts === 'string' ? [parts] : parts;
  return concatBytes(list.map((p) => (encoding === 'utf8' ? utf8(p) : latin1Bytes(p))));
}

function ways(input: Uint8Array): Array<[string, Uint8Array[]]> {
  return [
    ['whole', [input]],
    ['byte by byte', bytewise(input)],
    ['random pieces', seededPieces(input, 7, 4)],
  ];
}

function decodes(input: Uint8Array, expected: RespValue[], options?: RespDecoderOptions): void {
  for (const [how, pieces] of ways(input)) {
    const d = new RespDecoder(options);
    expect(feedAll((c) => d.feed(c), pieces), how).toEqual(expected);
  }
}

function rejects(input: Uint8Array, pattern: RegExp, options?: RespDecoderOptions): void {
  for (const [how, pieces] of ways(input)) {
    const d = new RespDecoder(options);
    expect(() => pieces.forEach((p) => d.feed(p)), how).toThrow(pattern);
    expect(() => d.feed(latin1Bytes('+OK\r\n')), how).toThrow(RespProtocolError);
  }
}

interface Vector {
  source: string;
  name: string;
  input: string | string[];
  utf8?: boolean;
  expect?: RespValue[];
  error?: RegExp;
  options?: RespDecoderOptions;
}

function nested(depth: number, leaf: RespValue): RespValue {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = array([v]);
  return v;
}

const ints = (...n: number[]) => n.map((x) => integer(x));

const vectors: Vector[] = [
  // hiredis
  { source: 'hiredis', name: 'bad type byte', input: '@foo\r\n', error: /got "@" as reply type byte/ },
  { source: 'hiredis', name: 'bad type byte after part of an array', input: ['*2\r\n', '$5\r\nhello\r\n', '@foo\r\n'], error: /got "@" as reply type byte/ },
  { source: 'hiredis', name: '128 nested multi-bulks', input: ['*1\r\n'.repeat(128), '$6\r\nLOLWUT\r\n'], expect: [nested(128, bulkString('LOLWUT'))] },
  { source: 'hiredis', name: 'LLONG_MAX', input: ':9223372036854775807\r\n', expect: [integer(9223372036854775807n)] },
  { source: 'hiredis', name: 'above LLONG_MAX', input: ':9223372036854775808\r\n', error: /bad integer value/ },
  { source: 'hiredis', name: 'LLONG_MIN', input: ':-9223372036854775808\r\n', expect: [integer(-9223372036854775808n)] },
  { source: 'hiredis', name: 'below LLONG_MIN', input: ':-9223372036854775809\r\n', error: /bad integer value/ },
  { source: 'hiredis', name: 'array length < -1', input: '*-2\r\n+asdf\r\n', error: /array length out of range/ },
  { source: 'hiredis', name: 'bulk length < -1', input: '$-2\r\nasdf\r\n', error: /bulk string length out of range/ },
  { source: 'hiredis', name: 'configured max multi-bulk elements', input: '*1025\r\n', options: { maxMultibulkLength: 1024 }, error: /array length 1025 exceeds the limit of 1024/ },
  { source: 'hiredis', name: 'array length > SIZE_MAX', input: '*9223372036854775807\r\n+asdf\r\n', error: /array length .* exceeds/ },
  { source: 'hiredis', name: 'bulk length > SIZE_MAX', input: '$9223372036854775807\r\nasdf\r\n', error: /bulk string length .* exceeds/ },
  { source: 'hiredis', name: 'CRLF across two feeds', input: ['+OK\r', '\n'], expect: [simpleString('OK')] },
  { source: 'hiredis', name: 'lone bad byte', input: 'x', error: /got "x" as reply type byte/ },
  { source: 'hiredis', name: 'empty multi-bulk', input: '*0\r\n', expect: [array([])] },
  { source: 'hiredis', name: 'verbatim string', input: '=10\r\ntxt:LOLWUT\r\n', expect: [verbatimString('txt', 'LOLWUT')] },
  { source: 'hiredis', name: 'push message', input: '>2\r\n$6\r\nLOLWUT\r\n:42\r\n', expect: [push([bulkString('LOLWUT'), integer(42)])] },
  { source: 'hiredis', name: 'double', input: ',3.14159265358979323846\r\n', expect: [double(3.14159265358979323846)] },
  { source: 'hiredis', name: 'double inf', input: ',inf\r\n', expect: [double(Infinity)] },
  { source: 'hiredis', name: 'nil', input: '_\r\n', expect: [respNull()] },
  { source: 'hiredis', name: 'invalid nil', input: '_nil\r\n', error: /bad nil value/ },
  { source: 'hiredis', name: 'bool true', input: '#t\r\n', expect: [boolean(true)] },
  { source: 'hiredis', name: 'bool false', input: '#f\r\n', expect: [boolean(false)] },
  { source: 'hiredis', name: 'invalid bool', input: '#foobar\r\n', error: /bad bool value/ },
  {
    source: 'hiredis',
    name: 'map',
    input: '%2\r\n+first\r\n:123\r\n$6\r\nsecond\r\n#t\r\n',
    expect: [map([[simpleString('first'), integer(123)], [bulkString('second'), boolean(true)]])],
  },
  {
    source: 'hiredis',
    name: 'set',
    input: '~5\r\n+orange\r\n$5\r\napple\r\n#f\r\n:100\r\n:999\r\n',
    expect: [set([simpleString('orange'), bulkString('apple'), boolean(false), integer(100), integer(999)])],
  },
  // valkey (hiredis fork). Older hiredis rejected ",nan"; RESP3.md 1.4 makes "nan" the spelling.
  { source: 'valkey', name: 'state kept across a split length line', input: ['*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$', '3\r\nval\r\n'], expect: [array([bulkString('SET'), bulkString('hello'), bulkString('val')])] },
  { source: 'valkey', name: 'NUL inside a double', input: ',3.14159\x00265358979323846\r\n', error: /bad double value/ },
  { source: 'valkey', name: 'double NaN', input: ',nan\r\n', expect: [double(NaN)] },
  { source: 'valkey', name: 'double -nan', input: ',-nan\r\n', expect: [double(NaN)] },
  {
    // valkey returns the attribute itself as a reply; we attach it to the value that follows.
    source: 'valkey',
    name: 'attribute',
    input: ['|2\r\n+foo\r\n:123\r\n+bar\r\n#t\r\n', '+OK\r\n'],
    expect: [withAttributes(simpleString('OK'), [[simpleString('foo'), integer(123)], [simpleString('bar'), boolean(true)]])],
  },
  { source: 'valkey', name: 'big number', input: '(3492890328409238509324850943850943825024385\r\n', expect: [bigNumber(3492890328409238509324850943850943825024385n)] },
  { source: 'valkey', name: 'double in an array', input: '*1\r\n,3.14159265358979323846\r\n', expect: [array([double(3.14159265358979323846)])] },

  // node-redis
  { source: 'node-redis', name: 'null', input: '_\r\n', expect: [respNull()] },
  { source: 'node-redis', name: 'numbers', input: ':0\r\n:+1\r\n:-1\r\n', expect: ints(0, 1, -1) },
  { source: 'node-redis', name: 'big numbers', input: '(0\r\n(1\r\n(+1\r\n(-1\r\n', expect: [bigNumber(0), bigNumber(1), bigNumber(1), bigNumber(-1)] },
  {
    source: 'node-redis',
    name: 'doubles',
    input: ',0\r\n,1\r\n,+1\r\n,-1\r\n,1.1\r\n,nan\r\n,inf\r\n,+inf\r\n,-inf\r\n,1e1\r\n,-1.1E+1\r\n',
    expect: [0, 1, 1, -1, 1.1, NaN, Infinity, Infinity, -Infinity, 10, -11].map((x) => double(x)),
  },
  { source: 'node-redis', name: 'simple strings', input: '+OK\r\n+é\r\n', utf8: true, expect: [simpleString('OK'), simpleString('é')] },
  {
    source: 'node-redis',
    name: 'blob strings',
    input: '$0\r\n\r\n$10\r\n1234567890\r\n$-1\r\n$2\r\né\r\n',
    utf8: true,
    expect: [bulkString(''), bulkString('1234567890'), bulkString(null), bulkString('é')],
  },
  { source: 'node-redis', name: 'chunked blob string', input: ['$10\r\n', '1234567890', '\r\n'], expect: [bulkString('1234567890')] },
  {
    source: 'node-redis',
    name: 'verbatim strings',
    input: '=4\r\ntxt:\r\n=10\r\ntxt:123456\r\n=6\r\ntxt:OK\r\n=6\r\ntxt:é\r\n',
    utf8: true,
    expect: [verbatimString('txt', ''), verbatimString('txt', '123456'), verbatimString('txt', 'OK'), verbatimString('txt', 'é')],
  },
  { source: 'node-redis', name: 'simple and blob errors', input: '-ERROR\r\n!5\r\nERROR\r\n', expect: [simpleError('ERROR'), simpleError('ERROR')] },
  { source: 'node-redis', name: 'arrays', input: '*0\r\n*10\r\n:0\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n*-1\r\n', expect: [array([]), array(ints(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)), array(null)] },
  {
    source: 'node-redis',
    name: 'array with all types',
    input: '*13\r\n_\r\n#f\r\n:0\r\n(0\r\n,0\r\n+\r\n$0\r\n\r\n=4\r\ntxt:\r\n-\r\n!0\r\n\r\n*0\r\n~0\r\n%0\r\n',
    expect: [
      array([
        respNull(),
        boolean(false),
        integer(0),
        bigNumber(0),
        double(0),
        simpleString(''),
        bulkString(''),
        verbatimString('txt', ''),
        simpleError(''),
        simpleError(''),
        array([]),
        set([]),
        map([]),
      ]),
    ],
  },
  { source: 'node-redis', name: 'sets', input: '~0\r\n~10\r\n:0\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n', expect: [set([]), set(ints(0, 1, 2, 3, 4, 5, 6, 7, 8, 9))] },
  {
    source: 'node-redis',
    name: 'maps',
    input: '%0\r\n%10\r\n' + Array.from({ length: 10 }, (_, i) => `+${i}\r\n+${i}\r\n`).join(''),
    expect: [map([]), map(Array.from({ length: 10 }, (_, i) => [simpleString(String(i)), simpleString(String(i))] as [RespValue, RespValue]))],
  },
  { source: 'node-redis', name: 'pushes', input: '>0\r\n>10\r\n:0\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n', expect: [push([]), push(ints(0, 1, 2, 3, 4, 5, 6, 7, 8, 9))] },

  // RESP3.md
  { source: 'RESP3.md', name: 'blob string', input: '$11\r\nhello world\r\n$0\r\n\r\n', expect: [bulkString('hello world'), bulkString('')] },
  { source: 'RESP3.md', name: 'simple string and error', input: '+hello world\r\n-ERR this is the error description\r\n', expect: [simpleString('hello world'), simpleError('ERR this is the error description')] },
  { source: 'RESP3.md', name: 'number', input: ':1234\r\n', expect: [integer(1234)] },
  { source: 'RESP3.md', name: 'the same 10 as number and as double', input: ':10\r\n,10\r\n', expect: [integer(10), double(10)] },
  { source: 'RESP3.md', name: 'double', input: ',1.23\r\n,inf\r\n,-inf\r\n,nan\r\n', expect: [double(1.23), double(Infinity), double(-Infinity), double(NaN)] },
  { source: 'RESP3.md', name: 'double starting with a dot', input: ',.5\r\n', error: /bad double value/ },
  { source: 'RESP3.md', name: 'blob error', input: '!21\r\nSYNTAX invalid syntax\r\n', expect: [simpleError('SYNTAX invalid syntax')] },
  { source: 'RESP3.md', name: 'verbatim string', input: '=15\r\ntxt:Some string\r\n', expect: [verbatimString('txt', 'Some string')] },
  { source: 'RESP3.md', name: 'big number', input: '(3492890328409238509324850943850943825024385\r\n', expect: [bigNumber(3492890328409238509324850943850943825024385n)] },
  { source: 'RESP3.md', name: 'array of numbers', input: '*3\r\n:1\r\n:2\r\n:3\r\n', expect: [array(ints(1, 2, 3))] },
  {
    source: 'RESP3.md',
    name: 'nested array [[1,"hello",2],false]',
    input: '*2\r\n*3\r\n:1\r\n$5\r\nhello\r\n:2\r\n#f\r\n',
    expect: [array([array([integer(1), bulkString('hello'), integer(2)]), boolean(false)])],
  },
  {
    source: 'RESP3.md',
    name: 'map {"first":1,"second":2}',
    input: '%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n',
    expect: [map([[simpleString('first'), integer(1)], [simpleString('second'), integer(2)]])],
  },
  {
    source: 'RESP3.md',
    name: 'set',
    input: '~5\r\n+orange\r\n+apple\r\n#t\r\n:100\r\n:999\r\n',
    expect: [set([simpleString('orange'), simpleString('apple'), boolean(true), integer(100), integer(999)])],
  },
  {
    source: 'RESP3.md',
    name: 'push before and after a reply',
    input: '>3\r\n+message\r\n+somechannel\r\n+this is the message\r\n$9\r\nGet-Reply\r\n>3\r\n+message\r\n+somechannel\r\n+this is the message\r\n',
    expect: [
      push([simpleString('message'), simpleString('somechannel'), simpleString('this is the message')]),
      bulkString('Get-Reply'),
      push([simpleString('message'), simpleString('somechannel'), simpleString('this is the message')]),
    ],
  },
  { source: 'RESP3.md', name: 'streamed array', input: '*?\r\n:1\r\n:2\r\n:3\r\n.\r\n', expect: [array(ints(1, 2, 3))] },
  {
    source: 'RESP3.md',
    name: 'streamed map',
    input: '%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n',
    expect: [map([[simpleString('a'), integer(1)], [simpleString('b'), integer(2)]])],
  },
];

describe('published RESP test vectors', () => {
  for (const v of vectors) {
    const input = inputOf(v.input, v.utf8 ? 'utf8' : 'latin1');
    if (v.error) {
      it(`${v.source}: rejects ${v.name}`, () => rejects(input, v.error!, v.options));
    } else {
      it(`${v.source}: decodes ${v.name}`, () => decodes(input, v.expect!, v.options));
    }
  }
});
