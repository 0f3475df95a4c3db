import { ON_HEAP_MAX } from '../kernel/bytes.js';
import { RespProtocolError } from './types.js';

/** Redis's own limits (server.h / config.c) and hiredis's reader defaults. */
export const RESP_DEFAULTS = {
  /** proto-max-bulk-len: 512 MB. */
  maxBulkLength: 512 * 1024 * 1024,
  /** Open aggregates (arrays, maps, sets, pushes, attributes) at once; hiredis parses 128 levels. */
  maxDepth: 128,
  /** Elements per aggregate a client accepts: hiredis REDIS_READER_MAX_ARRAY_ELEMENTS. */
  maxMultibulkLengthClient: 2 ** 32 - 1,
  /** Arguments per command a server accepts (networking.c processMultibulkBuffer, Redis <= 6). */
  maxMultibulkLengthServer: 1024 * 1024,
  /** PROTO_INLINE_MAX_SIZE: inline command lines and unterminated length lines, server side. */
  maxInlineLength: 64 * 1024,
} as const;

export const CR = 13;
export const LF = 10;

export const EMPTY = new Uint8Array(0);

export { allocBytes } from '../kernel/bytes.js';

/** parseLength results below zero. */
export const LEN_NULL = -1;
export const LEN_STREAMED = -2;
export const LEN_SYNTAX = -3;
export const LEN_NEGATIVE = -4;

/**
 * A length field: digits with no sign and no leading zero (Redis util.c string2ll), `-1`, or `?`
 * (RESP3 streamed). Over 15 digits is Infinity so any configured limit rejects it.
 */
export function parseLength(buf: Uint8Array, a: number, b: number): number {
  const n = b - a;
  if (n === 0) return LEN_SYNTAX;
  const c0 = buf[a]!;
  if (c0 === 45 /* - */) {
    if (n === 2 && buf[a + 1] === 49 /* 1 */) return LEN_NULL;
    return n > 1 && allDigits(buf, a + 1, b) ? LEN_NEGATIVE : LEN_SYNTAX;
  }
  if (c0 === 63 /* ? */) return n === 1 ? LEN_STREAMED : LEN_SYNTAX;
  if (c0 === 48 /* 0 */) return n === 1 ? 0 : LEN_SYNTAX;
  let v = 0;
  for (let i = a; i < b; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return LEN_SYNTAX;
    v = v * 10 + d;
  }
  return n > 15 ? Infinity : v;
}

function allDigits(buf: Uint8Array, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** A RESP integer: optional sign, digits, signed 64-bit range (hiredis "Bad integer value"). */
export function parseInteger(buf: Uint8Array, a: number, b: number): bigint | null {
  let i = a;
  let neg = false;
  const c0 = buf[a];
  if (c0 === 45) {
    neg = true;
    i++;
  } else if (c0 === 43) {
    i++;
  }
  const digits = b - i;
  if (digits <= 0) return null;
  if (digits <= 15) {
    let v = 0;
    for (let k = i; k < b; k++) {
      const d = buf[k]! - 48;
      if (d < 0 || d > 9) return null;
      v = v * 10 + d;
    }
    return BigInt(neg ? -v : v);
  }
  if (!allDigits(buf, i, b)) return null;
  let v = BigInt(latin1(buf, i, b));
  if (neg) v = -v;
  return v > INT64_MAX || v < INT64_MIN ? null : v;
}

const DOUBLE_RE = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INF_RE = /^[+-]?inf(?:inity)?$/i;
// Redis before 7.2 could send any libc NaN spelling ("-nan", "NAN", "nan(...)"); RESP3 spec 1.4.
const NAN_RE = /^[+-]?nan(?:\([0-9A-Za-z_]*\))?$/i;

/** A RESP3 double per the spec grammar, plus inf/-inf/nan spellings. */
export function parseDouble(buf: Uint8Array, a: number, b: number): number | null {
  const s = latin1(buf, a, b);
  if (DOUBLE_RE.test(s)) return Number(s);
  if (INF_RE.test(s)) return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
  if (NAN_RE.test(s)) return NaN;
  return null;
}

const BIGNUM_RE = /^[+-]?\d+$/;

export function parseBigNumber(buf: Uint8Array, a: number, b: number): bigint | null {
  const s = latin1(buf, a, b);
  return BIGNUM_RE.test(s) ? BigInt(s) : null;
}

/** Bytes as code points 0-255; only for short, mostly-ASCII fields (numbers, snippets). */
export function latin1(buf: Uint8Array, a: number, b: number): string {
  return String.fromCharCode.apply(null, buf.subarray(a, b) as unknown as number[]);
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

const SHORT_TEXT_MAX = 16;
/** Recently decoded short ASCII strings by hash: "OK", "PONG", "QUEUED", error codes repeat. */
const shortText: string[] = new Array<string>(256).fill('');

/**
 * UTF-8 text of buf[a, b). Short ASCII text is looked up in a small direct-mapped cache before
 * building a string: building costs more than the rest of decoding a `+OK` reply.
 */
export function decodeText(buf: Uint8Array, a: number, b: number): string {
  const n = b - a;
  if (n <= SHORT_TEXT_MAX) {
    let h = n;
    let i = a;
    for (; i < b; i++) {
      const c = buf[i]!;
      if (c >= 0x80) break;
      h = (h * 31 + c) | 0;
    }
    if (i === b) {
      if (n === 0) return '';
      const slot = (h ^ (h >>> 8)) & 255;
      const hit = shortText[slot]!;
      if (hit.length === n) {
        let k = 0;
        while (k < n && hit.charCodeAt(k) === buf[a + k]) k++;
        if (k === n) return hit;
      }
      const s = latin1(buf, a, b);
      shortText[slot] = s;
      return s;
    }
  }
  return utf8.decode(buf.subarray(a, b));
}

/** A printable excerpt of input for error messages. */
export function excerpt(buf: Uint8Array, a: number, b: number, max = 32): string {
  const cut = b - a > max;
  return JSON.stringify(latin1(buf, a, cut ? a + max : b)) + (cut ? '…' : '');
}

export function describeByte(c: number): string {
  return c >= 0x20 && c < 0x7f ? JSON.stringify(String.fromCharCode(c)) : `0x${c.toString(16).padStart(2, '0')}`;
}

export function protocolError(message: string): RespProtocolError {
  return new RespProtocolError(`Protocol error: ${message}`);
}

/** Smallest power-of-two-ish capacity holding n bytes, at least 256. */
function capacityFor(n: number): number {
  let c = 256;
  while (c < n) c *= 2;
  return c;
}

/** Payloads at least this long that straddle chunks are copied straight into their own buffer. */
const BODY_DIRECT_MIN = 256;
/** Upfront allocation cap for a streamed payload: a 14-byte `$536870912` header must not reserve 512 MB. */
const BODY_PREALLOC_MAX = 8 * 1024 * 1024;

/**
 * Input buffering shared by the reply and command decoders: a read offset into the current
 * chunk, an owned buffer for bytes of an incomplete item (compacted, never re-scanned from the
 * start), and a direct-copy path for large length-prefixed payloads so a 1 MB bulk string in
 * 16 KB chunks is copied once rather than re-buffered per chunk.
 */
export abstract class ByteStream<T> {
  protected buf: Uint8Array = EMPTY;
  protected pos = 0;
  protected end = 0;
  /** Bytes after `pos` already known to hold no line terminator (saves re-scanning a long line). */
  protected scanned = 0;
  private own: Uint8Array = EMPTY;
  private rest = 0;

  // A payload being copied straight into its destination (`bodyKind` 0 when none).
  protected bodyKind = 0;
  private bodyLen = 0;
  private bodyDst: Uint8Array = EMPTY;
  private bodyFilled = 0;
  private bodyTail = 0;

  private failure: RespProtocolError | null = null;

  /** Parses buf[pos, end); leaves pos at the first unconsumed byte. */
  protected abstract parse(out: T[]): void;
  /** A payload of `kind` completed in the direct-copy path; `data` is exactly its length. */
  protected abstract bodyDone(kind: number, data: Uint8Array, out: T[]): void;

  /**
   * Parses `chunk`, pushing every item it completes onto `out` (a fresh array unless given: a
   * caller with a queue of its own passes it, and no array is made per chunk). On a protocol
   * error the error's `completed` lists the items this call pushed.
   */
  protected feedItems(chunk: Uint8Array, out: T[] = []): T[] {
    if (this.failure !== null) {
      throw new RespProtocolError(`decoder unusable after an earlier error: ${this.failure.message}`, {
        cause: this.failure,
      });
    }
    const before = out.length;
    try {
      let off = 0;
      if (this.bodyKind !== 0) {
        off = this.fillBody(chunk, 0, chunk.length, out);
        if (this.bodyKind !== 0) return out;
      }
      this.load(chunk, off);
      this.parse(out);
      this.keepRest();
    } catch (e) {
      if (e instanceof RespProtocolError) {
        e.completed = before === 0 ? out : out.slice(before);
        this.failure = e;
      } else {
        this.failure = new RespProtocolError(`internal error: ${String(e)}`);
      }
      this.buf = EMPTY;
      this.own = EMPTY;
      this.bodyDst = EMPTY;
      throw e;
    }
    return out;
  }

  /** True after a protocol error: every later feed throws. */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Bytes held for an incomplete item (buffered input plus a partly received payload). */
  get pendingBytes(): number {
    return this.rest + (this.bodyKind !== 0 ? this.bodyFilled + this.bodyTail : 0);
  }

  private load(chunk: Uint8Array, off: number): void {
    const rest = this.rest;
    if (rest === 0) {
      this.buf = chunk;
      this.pos = off;
      this.end = chunk.length;
      return;
    }
    const need = rest + chunk.length - off;
    if (this.own.length < need) {
      const grown = new Uint8Array(capacityFor(need));
      grown.set(this.own.subarray(0, rest));
      this.own = grown;
    }
    this.own.set(off === 0 ? chunk : chunk.subarray(off), rest);
    this.buf = this.own;
    this.pos = 0;
    this.end = need;
  }

  /** Copies unconsumed bytes to the front of the owned buffer: never keep a caller's chunk. */
  private keepRest(): void {
    const rest = this.end - this.pos;
    this.rest = rest;
    if (rest === 0) {
      this.buf = EMPTY;
      this.pos = this.end = 0;
      // Drop a buffer grown for one huge line.
      if (this.own.length > 1 << 20) this.own = EMPTY;
      return;
    }
    if (this.buf === this.own) {
      if (this.pos > 0) this.own.copyWithin(0, this.pos, this.end);
    } else {
      if (this.own.length < rest) this.own = new Uint8Array(capacityFor(rest));
      this.own.set(this.buf.subarray(this.pos, this.end));
    }
    this.buf = EMPTY;
    this.pos = this.end = 0;
  }

  /**
   * buf[a, b) to hand out: a view when `buf` is the chunk being fed (a chunk is never written
   * after it is fed: a socket's bytes, an encoder's output) and lives outside the JS heap; a copy
   * when it is the decoder's own buffer, which is reused, or a small chunk. (V8 keeps an array of
   * up to 64 bytes in the JS heap itself, and a view of it first moves its bytes out to a buffer
   * of their own: ~0.5 µs, where a copy of a few bytes is ~0.05 µs. Most commands are that small.)
   */
  protected bytesOf(buf: Uint8Array, a: number, b: number): Uint8Array {
    return buf === this.own || buf.byteLength <= ON_HEAP_MAX ? buf.slice(a, b) : buf.subarray(a, b);
  }

  /**
   * A payload of `len` bytes plus CRLF starting at buf[start]; end of buffer before its end.
   * Returns false when it is short enough to just wait for the whole item instead.
   */
  protected startBody(kind: number, len: number, start: number, out: T[]): boolean {
    if (len < BODY_DIRECT_MIN) return false;
    this.bodyKind = kind;
    this.bodyLen = len;
    this.bodyDst = new Uint8Array(Math.min(len, Math.max(BODY_PREALLOC_MAX, this.end - start)));
    this.bodyFilled = 0;
    this.bodyTail = 0;
    this.fillBody(this.buf, start, this.end, out);
    this.pos = this.end;
    return true;
  }

  private fillBody(src: Uint8Array, off: number, end: number, out: T[]): number {
    const len = this.bodyLen;
    let filled = this.bodyFilled;
    if (filled < len) {
      const n = Math.min(len - filled, end - off);
      if (filled + n > this.bodyDst.length) {
        const grown = new Uint8Array(Math.min(len, Math.max(this.bodyDst.length * 2, filled + n)));
        grown.set(this.bodyDst.subarray(0, filled));
        this.bodyDst = grown;
      }
      this.bodyDst.set(src.subarray(off, off + n), filled);
      filled += n;
      off += n;
      this.bodyFilled = filled;
      if (filled < len) return off;
    }
    while (this.bodyTail < 2) {
      if (off >= end) return off;
      if (src[off] !== (this.bodyTail === 0 ? CR : LF)) {
        throw protocolError(`payload of ${len} bytes not followed by CRLF`);
      }
      this.bodyTail++;
      off++;
    }
    const kind = this.bodyKind;
    const data = this.bodyDst;
    this.bodyKind = 0;
    this.bodyDst = EMPTY;
    this.bodyDone(kind, data, out);
    return off;
  }
}

/** Positive integer option with a default. */
export function limitOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value > 0)) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

