import { describe, expect, it } from 'vitest';
import {
  RespCommandDecoder,
  RespDecoder,
  RespProtocolError,
  array,
  bulkString,
  encodeCommand,
  splitInlineArgs,
  type RespCommandDecoderOptions,
} from '../../sim/resp/index.js';
import { bytewise, concatBytes, feedAll, latin1Bytes, seededPieces } from '../../sim/resp/testing.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const argvText = (cmds: Uint8Array[][]) => cmds.map((argv) => argv.map(text));

function ways(input: Uint8Array): Array<[string, Uint8Array[]]> {
  return [
    ['whole', [input]],
    ['byte by byte', bytewise(input)],
    ['random pieces', seededPieces(input, 11, 5)],
  ];
}

/** Commands decoded from input, checked to be the same however the input is split. */
function commands(input: Uint8Array | string, options?: RespCommandDecoderOptions): string[][] {
  const bytes = typeof input === 'string' ? latin1Bytes(input) : input;
  const results = ways(bytes).map(([how, pieces]) => {
    const d = new RespCommandDecoder(options);
    const out = feedAll((c) => d.feed(c), pieces);
    expect(d.pendingBytes, how).toBe(0);
    return out;
  });
  for (const r of results.slice(1)) expect(r).toEqual(results[0]);
  return argvText(results[0]!);
}

function rejects(input: Uint8Array | string, pattern: RegExp, options?: RespCommandDecoderOptions): void {
  const bytes = typeof input === 'string' ? latin1Bytes(input) : input;
  for (const [how, pieces] of ways(bytes)) {
    const d = new RespCommandDecoder(options);
    expect(() => pieces.forEach((p) => d.feed(p)), how).toThrow(pattern);
    expect(d.failed).toBe(true);
    expect(() => d.feed(latin1Bytes('PING\r\n')), how).toThrow(RespProtocolError);
  }
}

describe('RespCommandDecoder multibulk commands', () => {
  it('decodes pipelined multibulk commands into argument vectors', () => {
    const input = concatBytes([encodeCommand(['SET', 'k', 'v']), encodeCommand(['GET', 'k']), encodeCommand(['PING'])]);
    expect(commands(input)).toEqual([['SET', 'k', 'v'], ['GET', 'k'], ['PING']]);
  });

  it('keeps binary arguments byte for byte', () => {
    const arg = latin1Bytes('\0\r\n\xff"\'');
    const d = new RespCommandDecoder();
    expect(d.feed(encodeCommand(['SET', arg]))).toEqual([[latin1Bytes('SET'), arg]]);
  });

  it('ignores *0 and *-1 like Redis', () => {
    expect(commands('*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n')).toEqual([['PING']]);
  });

  it('reads a 1 MB argument arriving in 16 KB chunks', () => {
    const big = new Uint8Array(1 << 20).fill(0x7a);
    const input = encodeCommand(['SET', 'k', big]);
    const d = new RespCommandDecoder();
    const out: Uint8Array[][] = [];
    for (let i = 0; i < input.length; i += 16384) out.push(...d.feed(input.subarray(i, i + 16384)));
    expect(out).toHaveLength(1);
    expect(out[0]![2]!.length).toBe(1 << 20);
    expect(out[0]![2]!.every((b) => b === 0x7a)).toBe(true);
  });

  // Vectors from redis/redis tests/unit/protocol.tcl.
  it('rejects an out of range multibulk length (protocol.tcl)', () => {
    rejects('*20000000\r\n', /invalid multibulk length/);
    rejects('*3\r\n', /invalid multibulk length/, { maxMultibulkLength: 2 });
    rejects('*abc\r\n', /invalid multibulk length/);
  });

  it('rejects a wrong multibulk payload header (protocol.tcl)', () => {
    rejects('*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n', /expected '\$', got "f"/);
  });

  it('rejects a multibulk request not followed by bulk arguments (protocol.tcl)', () => {
    rejects('*1\r\nfoo\r\n', /expected '\$', got "f"/);
  });

  it('rejects negative, out of range and non-number bulk lengths (protocol.tcl)', () => {
    rejects('*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n', /invalid bulk length/);
    rejects('*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n', /invalid bulk length/);
    rejects('*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n', /invalid bulk length/);
    rejects('*1\r\n$-1\r\n', /invalid bulk length/);
    rejects('*1\r\n$6\r\nfoobar\r\n', /invalid bulk length/, { maxBulkLength: 5 });
  });

  it('rejects a multibulk count below -1 (stricter than Redis, which ignores "*-10")', () => {
    rejects('*-10\r\n', /invalid multibulk length/);
  });

  it('fails on protocol desync instead of buffering forever (protocol.tcl desync regression)', () => {
    const payload = latin1Bytes('payload'.repeat(1000));
    for (const [seq, pattern] of [
      ['\0', /too big inline request/],
      ['*\0', /too big mbulk count string/],
      ['$\0', /too big inline request/],
    ] as const) {
      const d = new RespCommandDecoder();
      d.feed(latin1Bytes(seq));
      expect(() => {
        for (let i = 0; i < 20; i++) d.feed(payload);
      }).toThrow(pattern);
      expect(d.pendingBytes).toBeLessThan(80 * 1024);
    }
  });

  it('rejects a bulk argument not followed by CRLF', () => {
    rejects('*1\r\n$4\r\nPINGxx', /not followed by CRLF/);
    rejects(concatBytes([latin1Bytes('*1\r\n$300\r\n'), new Uint8Array(300), latin1Bytes('\r\r')]), /not followed by CRLF/);
  });
});

describe('RespCommandDecoder inline commands', () => {
  it('splits a line on blanks, with CRLF or a bare LF', () => {
    expect(commands('PING\r\n  SET   a    b  \r\nGET a\nECHO\tx\r\n')).toEqual([['PING'], ['SET', 'a', 'b'], ['GET', 'a'], ['ECHO', 'x']]);
  });

  it('ignores empty and blank lines (protocol.tcl "Handle an empty query")', () => {
    expect(commands('\r\n\n   \r\n\t\r\nPING\r\n')).toEqual([['PING']]);
  });

  it('mixes inline and multibulk commands on one connection', () => {
    const input = concatBytes([latin1Bytes('PING\r\n'), encodeCommand(['GET', 'k']), latin1Bytes('ECHO hi\r\n')]);
    expect(commands(input)).toEqual([['PING'], ['GET', 'k'], ['ECHO', 'hi']]);
  });

  it('treats any first byte other than * as inline, like networking.c processInputBuffer', () => {
    expect(commands('+PING\r\n$3 x\r\n')).toEqual([['+PING'], ['$3', 'x']]);
  });

  it('parses double-quoted arguments with escapes like sdssplitargs', () => {
    expect(commands('SET "hello world" "a\\"b" "\\x41\\x4a" "\\n\\r\\t\\b\\a" "\\q" "\\xZZ" ""\r\n')).toEqual([
      ['SET', 'hello world', 'a"b', 'AJ', '\n\r\t\b\x07', 'q', 'xZZ', ''],
    ]);
  });

  it('parses single-quoted arguments, where only \\\' is an escape', () => {
    expect(commands("SET 'it\\'s' 'a\\nb' 'x\"y'\r\n")).toEqual([['SET', "it's", 'a\\nb', 'x"y']]);
  });

  it('joins a quoted part onto the word it continues', () => {
    expect(commands('SET foo"bar baz" x\r\n')).toEqual([['SET', 'foobar baz', 'x']]);
  });

  it('rejects unbalanced quotes and text glued after a closing quote', () => {
    rejects('SET "unterminated\r\n', /unbalanced quotes/);
    rejects("SET 'unterminated\r\n", /unbalanced quotes/);
    rejects('SET "a"b\r\n', /unbalanced quotes/);
    rejects('set """test-key""" test-value\r\n', /unbalanced quotes/); // protocol.tcl "Unbalanced number of quotes"
  });

  it('stops a line at a NUL byte, as the C string does', () => {
    expect(commands('GET a\0b c\r\nPING\r\n')).toEqual([['GET', 'a'], ['PING']]);
    rejects('GET "a\0b"\r\n', /unbalanced quotes/);
  });

  it('rejects inline lines over the limit, complete or not', () => {
    rejects('x'.repeat(64 * 1024 + 1) + '\r\n', /too big inline request/);
    rejects('x'.repeat(64 * 1024 + 1), /too big inline request/);
    rejects('PING 12345\r\n', /too big inline request/, { maxInlineLength: 8 });
    expect(commands('x'.repeat(64 * 1024 - 1) + '\r\n')[0]![0]!.length).toBe(64 * 1024 - 1);
  });
});

describe('splitInlineArgs', () => {
  it('splits text and returns null for unbalanced quotes', () => {
    expect(splitInlineArgs('  a "b c" \'d\'  ')!.map(text)).toEqual(['a', 'b c', 'd']);
    expect(splitInlineArgs('')).toEqual([]);
    expect(splitInlineArgs('"open')).toBeNull();
  });

  it('works on a slice of a byte buffer', () => {
    const buf = latin1Bytes('xxGET keyyy');
    expect(splitInlineArgs(buf, 2, 9)!.map(text)).toEqual(['GET', 'key']);
  });
});

describe('RespDecoder in server mode', () => {
  it('yields each command as an array of bulk strings', () => {
    const d = new RespDecoder({ mode: 'server' });
    expect(d.feed(latin1Bytes('PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n\r\n'))).toEqual([
      array([bulkString('PING')]),
      array([bulkString('GET'), bulkString('k')]),
    ]);
  });

  it('stays failed after a protocol error', () => {
    const d = new RespDecoder({ mode: 'server' });
    expect(() => d.feed(latin1Bytes('*1\r\n:1\r\n'))).toThrow(RespProtocolError);
    expect(d.failed).toBe(true);
    expect(() => d.feed(latin1Bytes('PING\r\n'))).toThrow(RespProtocolError);
  });

  it('applies the server multibulk limit of 1024*1024 by default', () => {
    const d = new RespDecoder({ mode: 'server' });
    expect(() => d.feed(latin1Bytes('*1048577\r\n'))).toThrow(/invalid multibulk length/);
    expect(new RespDecoder({ mode: 'server' }).feed(latin1Bytes('*1048576\r\n'))).toEqual([]);
  });
});
