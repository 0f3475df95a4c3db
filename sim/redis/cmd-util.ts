/**
 * Shared pieces of the command implementations: Redis's number parsers (byte-exact), reply
 * helpers that pick the RESP2 or RESP3 form, the fixed error texts, and ready-key bookkeeping.
 */
import type { Micros } from '../kernel/time.js';
import {
  array,
  bulkString,
  integer,
  map,
  respNull,
  simpleError,
  simpleString,
  verbatimString,
  type RespError,
  type RespValue,
} from '../resp/index.js';
import { keyFromBytes, type Keyspace } from './keyspace.js';
import type { ClientState, ExecResult, ServerState } from './commands.js';

/** What a command implementation sees. `fullname` is Redis's `cmd->fullname` (`get`, `client|kill`). */
export interface Ctx {
  readonly server: ServerState;
  readonly client: ClientState;
  readonly args: Uint8Array[];
  readonly now: Micros;
  readonly db: Keyspace;
  readonly fullname: string;
}

export type Handler = (c: Ctx) => RespValue | ExecResult;

// Error texts: server.c createSharedObjects, object.c, acl.c.
export const E_WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const E_SYNTAX = 'ERR syntax error';
export const E_NOT_INT = 'ERR value is not an integer or out of range';
export const E_NOAUTH = 'NOAUTH Authentication required.';
export const E_WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

export const INT64_MAX = (1n << 63n) - 1n;
export const INT64_MIN = -(1n << 63n);

export const OK = simpleString('OK');

export function err(text: string): RespError {
  return simpleError(text);
}

/**
 * addReplyErrorFormat: the `ERR ` prefix unless the text names its own code with a leading `-`;
 * CR and LF (user text may carry them) become spaces.
 */
export function errFormat(text: string): RespError {
  const clean = text.replace(/[\r\n]/g, ' ');
  return simpleError(clean.startsWith('-') ? clean.slice(1) : `ERR ${clean}`);
}

export function int(n: bigint | number): RespValue {
  return integer(n);
}

export function bulk(b: Uint8Array | string): RespValue {
  return bulkString(b);
}

const NULL_BULK = bulkString(null);
const NULL_RESP3 = respNull();

/** shared.null[resp]: `$-1` in RESP2, `_` in RESP3 (shared, as OK is: replies are never changed). */
export function nullReply(client: ClientState): RespValue {
  return client.protocol === 3 ? NULL_RESP3 : NULL_BULK;
}

/** shared.nullarray[resp]: `*-1` in RESP2, `_` in RESP3. */
export function nullArray(client: ClientState): RespValue {
  return client.protocol === 3 ? respNull() : array(null);
}

/** addReplyMapLen: a map in RESP3, a flat array of alternating keys and values in RESP2. */
export function mapReply(client: ClientState, pairs: Array<[RespValue, RespValue]>): RespValue {
  return client.protocol === 3 ? map(pairs) : array(pairs.flat());
}

/** addReplyVerbatim: `=txt:` in RESP3, a bulk string in RESP2. */
export function verbatim(client: ClientState, text: string): RespValue {
  return client.protocol === 3 ? verbatimString('txt', text) : bulkString(text);
}

// Bytes and text.

/** One char per byte: keys and option words compare byte-exactly this way. */
export function latin1(b: Uint8Array): string {
  return keyFromBytes(b);
}

/** ASCII-only lower case, like strcasecmp's view of a byte string. */
export function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

/** asciiLower(latin1(b)) in one pass: a command's name, looked up for every command run. */
export function asciiLowerBytes(b: Uint8Array): string {
  if (b.length > 64) return asciiLower(latin1(b));
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    s += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
  }
  return s;
}

/** strcasecmp(arg, word) for an ASCII word. */
export function is(arg: Uint8Array | undefined, word: string): boolean {
  if (arg === undefined || arg.length !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    let c = arg[i]!;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** The bytes a C `%s` prints: up to the first NUL. */
export function cstr(b: Uint8Array): Uint8Array {
  const z = b.indexOf(0);
  return z < 0 ? b : b.subarray(0, z);
}

const utf8 = new TextDecoder('utf-8');

/** Argument bytes as reply text, the way a client decoding the error as UTF-8 would see them. */
export function text(b: Uint8Array): string {
  return utf8.decode(cstr(b));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Numbers.

/**
 * util.c string2ll: optional `-`, no `+`, no spaces, no leading zeros ("0" alone is fine, "-0"
 * is not), under 21 bytes, within signed 64 bits. Null when Redis would reject it.
 */
export function parseInt64(b: Uint8Array): bigint | null {
  const n = b.length;
  if (n === 0 || n >= 21) return null;
  if (n === 1 && b[0] === 48) return 0n;
  let i = 0;
  if (b[0] === 45) {
    i = 1;
    if (n === 1) return null;
  }
  if (b[i]! < 49 || b[i]! > 57) return null;
  for (let j = i + 1; j < n; j++) if (b[j]! < 48 || b[j]! > 57) return null;
  const v = BigInt(latin1(b));
  return v > INT64_MAX || v < INT64_MIN ? null : v;
}

/** Int64 bigint as a number when it is safe, for list indexes and counts. */
export function toIndex(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER)
    ? Number.MAX_SAFE_INTEGER
    : v < BigInt(Number.MIN_SAFE_INTEGER)
      ? Number.MIN_SAFE_INTEGER
      : Number(v);
}

const LDBL_MAX_EXP10 = 4932; // LDBL_MAX ~ 1.19e4932
const LDBL_MIN_EXP10 = -4951; // smallest x87 subnormal ~ 3.65e-4951
const LDBL_SYNTAX =
  /^[+-]?(?:(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?|inf(?:inity)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?)$/i;

/**
 * util.c string2ld (strtold into an x87 long double): no leading space, the whole string must
 * parse, NaN and out-of-range values are rejected. Numbers a long double holds but a double does
 * not come back as ±Infinity (too big) or ±Number.MIN_VALUE (too small but not zero).
 */
export function parseLongDouble(b: Uint8Array): number | null {
  if (b.length === 0 || b.length >= 5 * 1024) return null;
  const s = latin1(cstr(b)); // strtold stops at NUL, and eptr then points at a NUL: accepted
  if (s === '') return 0;
  if (/^[ \t\n\v\f\r]/.test(s)) return null;
  const m = LDBL_SYNTAX.exec(s);
  if (m === null) return null;
  const neg = s[0] === '-';
  const body = s.replace(/^[+-]/, '');
  if (/^inf/i.test(body)) return neg ? -Infinity : Infinity;
  if (/^0x/i.test(body)) return parseHexFloat(body, neg);
  const v = Number(s);
  const whole = m[1] ?? '';
  const frac = m[2] ?? m[3] ?? '';
  const digits = (whole + frac).replace(/^0+/, '');
  if (digits === '') return v; // zero
  // Decimal exponent of the leading significant digit, to place the value in long double range.
  const lead = whole.replace(/^0+/, '');
  const shift = lead.length > 0 ? lead.length - 1 : -((frac.match(/^0*/)?.[0].length ?? 0) + 1);
  const exp10 = Number(m[4] ?? '0') + shift;
  if (exp10 >= LDBL_MAX_EXP10) return null; // ERANGE with HUGE_VAL
  if (exp10 < LDBL_MIN_EXP10) return null; // ERANGE with 0
  if (!Number.isFinite(v)) return v;
  if (v === 0) return neg ? -Number.MIN_VALUE : Number.MIN_VALUE;
  return v;
}

function parseHexFloat(body: string, neg: boolean): number {
  const [mant = '', exp = '0'] = body.slice(2).split(/[pP]/);
  const [ip = '', fp = ''] = mant.split('.');
  let v = 0;
  for (const ch of ip + fp) v = v * 16 + parseInt(ch, 16);
  v *= 2 ** (Number(exp) - 4 * fp.length);
  return neg ? -v : v;
}

/** strtod(s, NULL) as debug.c uses it: the longest numeric prefix after spaces, else 0. */
export function strtodPrefix(b: Uint8Array): number {
  const m = /^[ \t\n\v\f\r]*([+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))/i.exec(latin1(cstr(b)));
  if (m === null) return 0;
  const t = m[1]!;
  if (/inf/i.test(t)) return t[0] === '-' ? -Infinity : Infinity;
  if (/nan/i.test(t)) return NaN;
  return Number(t);
}

// Ready keys for blocked BLPOPs: kept off the exported ServerState shape.

const readyKeys = new WeakMap<ServerState, Set<string>>();

export function markReady(server: ServerState, key: string): void {
  let set = readyKeys.get(server);
  if (set === undefined) {
    set = new Set();
    readyKeys.set(server, set);
  }
  set.add(key);
}

const NONE_READY: readonly string[] = Object.freeze([]);

export function drainReady(server: ServerState): readonly string[] {
  const set = readyKeys.get(server);
  if (set === undefined || set.size === 0) return NONE_READY;
  const out = [...set];
  set.clear();
  return out;
}
