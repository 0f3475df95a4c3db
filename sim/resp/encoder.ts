import { allocBytes } from './bytes.js';
import { formatDouble, type RespValue } from './types.js';

export interface RespEncodeOptions {
  /**
   * 3 (default): every type with its RESP3 prefix. 2: what Redis sends a RESP2 client for the
   * same reply (networking.c addReplyNull/addReplyBool/addReplyDouble/addReplyMapLen...):
   * null as `$-1`, booleans as `:1`/`:0`, doubles, big numbers and verbatim text as bulk
   * strings, maps as flat arrays, sets and pushes as arrays, attributes dropped, errors as
   * simple errors with CR/LF turned into spaces.
   */
  protocol?: 2 | 3;
}

const CR = 13;
const LF = 10;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const textEncoder = new TextEncoder();
const WRITER_START = 256;
/** A scratch buffer grown past this by a large value is dropped after it. */
const WRITER_KEEP = 64 * 1024;

/** UTF-8 byte length of a JS string as TextEncoder encodes it (lone surrogates as U+FFFD). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}

function digitCount(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  let d = 5;
  for (n = Math.floor(n / 100000); n > 0; n = Math.floor(n / 10)) d++;
  return d;
}

/** Writes `n >= 0` in decimal ending just before `at + digitCount(n)`. Returns the end offset. */
function putUint(buf: Uint8Array, at: number, n: number): number {
  const stop = at + digitCount(n);
  let i = stop;
  do {
    buf[--i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return stop;
}

/** Writes a string known to be `len` UTF-8 bytes; ASCII (len === s.length) without a copy. */
function putText(buf: Uint8Array, at: number, s: string, len: number): number {
  if (len === s.length) {
    for (let i = 0; i < len; i++) buf[at + i] = s.charCodeAt(i);
  } else {
    // TextEncoder.encode, not encodeInto: sim/env.d.ts declares only what every host has.
    buf.set(textEncoder.encode(s), at);
  }
  return at + len;
}

/**
 * A command as a RESP array of bulk strings (strings UTF-8 encoded). Sized exactly up front:
 * the client hot path allocates once.
 */
/** encodeCommand's argument lengths, reused: it is synchronous and never re-entered. */
let argLens = new Int32Array(16);

/** Strings this long or longer are encoded through `longText`. */
const LONG_TEXT = 32;
/**
 * The last long string argument and its UTF-8 bytes: a workload sends the same value string
 * command after command, and copying its bytes is cheaper than encoding it again.
 */
let longText = '';
let longBytes: Uint8Array = new Uint8Array(0);

function longTextBytes(s: string): Uint8Array {
  if (s !== longText) {
    longBytes = textEncoder.encode(s);
    longText = s;
  }
  return longBytes;
}

export function encodeCommand(args: ReadonlyArray<string | Uint8Array>): Uint8Array {
  const n = args.length;
  if (argLens.length < n) argLens = new Int32Array(Math.max(n, argLens.length * 2));
  const lens = argLens;
  let total = 3 + digitCount(n);
  for (let i = 0; i < n; i++) {
    const a = args[i]!;
    const len = typeof a === 'string' ? (a.length >= LONG_TEXT ? longTextBytes(a).length : utf8Length(a)) : a.length;
    lens[i] = len;
    total += 5 + digitCount(len) + len;
  }
  const out = allocBytes(total);
  out[0] = 42; // *
  let at = putUint(out, 1, n);
  out[at++] = CR;
  out[at++] = LF;
  for (let i = 0; i < n; i++) {
    const a = args[i]!;
    const len = lens[i]!;
    out[at++] = 36; // $
    at = putUint(out, at, len);
    out[at++] = CR;
    out[at++] = LF;
    if (typeof a === 'string' && a.length < LONG_TEXT) at = putText(out, at, a, len);
    else {
      out.set(typeof a === 'string' ? longTextBytes(a) : a, at);
      at += len;
    }
    out[at++] = CR;
    out[at++] = LF;
  }
  return out;
}

/** A growable output buffer. */
class Writer {
  buf = new Uint8Array(WRITER_START);
  len = 0;

  /** Empties it for the next value, giving back a buffer a huge value grew it to. */
  reset(): void {
    this.len = 0;
    if (this.buf.length > WRITER_KEEP) this.buf = new Uint8Array(WRITER_START);
  }

  private ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const grown = new Uint8Array(cap);
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }

  /** `<prefix><n>\r\n` for n >= -1 (-1 for the null forms). */
  header(prefix: number, n: number): void {
    this.ensure(20);
    const b = this.buf;
    b[this.len++] = prefix;
    if (n < 0) {
      b[this.len++] = 45;
      b[this.len++] = 49;
    } else {
      this.len = putUint(b, this.len, n);
    }
    b[this.len++] = CR;
    b[this.len++] = LF;
  }

  /** `<prefix><text>\r\n` */
  line(prefix: number, s: string): void {
    const len = utf8Length(s);
    this.ensure(len + 3);
    this.buf[this.len++] = prefix;
    this.len = putText(this.buf, this.len, s, len);
    this.buf[this.len++] = CR;
    this.buf[this.len++] = LF;
  }

  /** `<prefix><len>\r\n<text>\r\n`, optionally after a verbatim `fmt:` prefix. */
  blobText(prefix: number, s: string, format?: string): void {
    const len = utf8Length(s);
    const flen = format === undefined ? 0 : 4;
    this.header(prefix, len + flen);
    this.ensure(len + flen + 2);
    if (format !== undefined) {
      this.len = putText(this.buf, this.len, format, 3);
      this.buf[this.len++] = 58; // :
    }
    this.len = putText(this.buf, this.len, s, len);
    this.buf[this.len++] = CR;
    this.buf[this.len++] = LF;
  }

  blobBytes(prefix: number, bytes: Uint8Array): void {
    this.header(prefix, bytes.length);
    this.ensure(bytes.length + 2);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    this.buf[this.len++] = CR;
    this.buf[this.len++] = LF;
  }

  result(): Uint8Array {
    const out = allocBytes(this.len);
    out.set(this.buf.subarray(0, this.len));
    return out;
  }
}

const ATTRS_DONE = 1;

/**
 * One writer for every encode: encoding is synchronous and never re-entered, and the result is a
 * copy, so the scratch buffer need not be allocated per reply (the server encodes every reply).
 */
const scratch = new Writer();
/** The work stacks of encode, reused the same way. */
const pendingValues: RespValue[] = [];
const pendingFlags: number[] = [];

/**
 * One value as RESP bytes. Errors containing CR or LF go out as `!` blob errors (RESP3) since a
 * `-` line cannot hold them. Throws RangeError for what RESP cannot carry: a simple string with
 * CR/LF, an integer outside signed 64 bits (use a big number), a verbatim format that is not 3
 * bytes. Iterative, so nesting depth is bounded by memory, not the call stack.
 */
export function encode(value: RespValue, options: RespEncodeOptions = {}): Uint8Array {
  const resp3 = (options.protocol ?? 3) === 3;
  if (value.attributes === undefined) {
    // Nearly every reply is one of these: written straight into its exact size.
    switch (value.type) {
      case 'bulk':
        return value.value !== null ? blobOf(value.value) : lineOf(36, '-1');
      case 'null':
        return resp3 ? lineOf(95, '') : lineOf(36, '-1');
      case 'simple':
        if (!hasNewline(value.value)) return lineOf(43, value.value);
        break;
      case 'error':
        if (!hasNewline(value.value)) return lineOf(45, value.value);
        break;
    }
  }
  const w = scratch;
  w.reset();
  const values = pendingValues;
  const flags = pendingFlags;
  values.length = 0;
  flags.length = 0;
  values.push(value);
  flags.push(0);
  while (values.length > 0) {
    const v = values.pop()!;
    const flag = flags.pop()!;
    if (resp3 && flag !== ATTRS_DONE && v.attributes !== undefined) {
      const attrs = v.attributes;
      w.header(124, attrs.length); // |
      values.push(v);
      flags.push(ATTRS_DONE);
      for (let i = attrs.length - 1; i >= 0; i--) {
        const [k, x] = attrs[i]!;
        values.push(x, k);
        flags.push(0, 0);
      }
      continue;
    }
    switch (v.type) {
      case 'simple':
        if (hasNewline(v.value)) throw new RangeError(`simple string cannot contain CR or LF: ${JSON.stringify(v.value)}`);
        w.line(43, v.value);
        break;
      case 'error':
        if (!hasNewline(v.value)) w.line(45, v.value);
        else if (resp3) w.blobText(33, v.value);
        else w.line(45, v.value.replace(/[\r\n]/g, ' '));
        break;
      case 'integer':
        if (v.value > INT64_MAX || v.value < INT64_MIN) {
          throw new RangeError(`integer ${v.value} outside signed 64 bits; use a bignum`);
        }
        w.line(58, v.value.toString());
        break;
      case 'bulk':
        if (v.value === null) w.header(36, -1);
        else w.blobBytes(36, v.value);
        break;
      case 'null':
        if (resp3) w.line(95, '');
        else w.header(36, -1);
        break;
      case 'boolean':
        if (resp3) w.line(35, v.value ? 't' : 'f');
        else w.line(58, v.value ? '1' : '0');
        break;
      case 'double':
        if (resp3) w.line(44, formatDouble(v.value));
        else w.blobText(36, formatDouble(v.value));
        break;
      case 'bignum':
        if (resp3) w.line(40, v.value.toString());
        else w.blobText(36, v.value.toString());
        break;
      case 'verbatim':
        if (utf8Length(v.format) !== 3) throw new RangeError(`verbatim format must be 3 bytes, got ${JSON.stringify(v.format)}`);
        if (resp3) w.blobText(61, v.value, v.format);
        else w.blobText(36, v.value);
        break;
      case 'array':
        if (v.value === null) {
          w.header(42, -1);
          break;
        }
        pushAll(values, flags, v.value);
        w.header(42, v.value.length);
        break;
      case 'set':
        pushAll(values, flags, v.value);
        w.header(resp3 ? 126 : 42, v.value.length);
        break;
      case 'push':
        pushAll(values, flags, v.value);
        w.header(resp3 ? 62 : 42, v.value.length);
        break;
      case 'map': {
        const pairs = v.value;
        for (let i = pairs.length - 1; i >= 0; i--) {
          const [k, x] = pairs[i]!;
          values.push(x, k);
          flags.push(0, 0);
        }
        if (resp3) w.header(37, pairs.length);
        else w.header(42, pairs.length * 2);
        break;
      }
      default:
        throw new TypeError(`not a RESP value: ${JSON.stringify((v as { type?: unknown }).type)}`);
    }
  }
  return w.result();
}

/** `$<len>\r\n<bytes>\r\n` */
function blobOf(bytes: Uint8Array): Uint8Array {
  const len = bytes.length;
  const out = allocBytes(len + digitCount(len) + 5);
  out[0] = 36; // $
  let at = putUint(out, 1, len);
  out[at++] = CR;
  out[at++] = LF;
  out.set(bytes, at);
  at += len;
  out[at++] = CR;
  out[at] = LF;
  return out;
}

/** `<prefix><text>\r\n` */
function lineOf(prefix: number, s: string): Uint8Array {
  const len = utf8Length(s);
  const out = allocBytes(len + 3);
  out[0] = prefix;
  const at = putText(out, 1, s, len);
  out[at] = CR;
  out[at + 1] = LF;
  return out;
}

function pushAll(values: RespValue[], flags: number[], items: RespValue[]): void {
  for (let i = items.length - 1; i >= 0; i--) {
    values.push(items[i]!);
    flags.push(0);
  }
}

function hasNewline(s: string): boolean {
  return s.indexOf('\r') !== -1 || s.indexOf('\n') !== -1;
}
