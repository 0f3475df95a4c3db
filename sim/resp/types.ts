/**
 * RESP values as a tagged union on `type`. Every variant may carry `attributes`: the RESP3
 * attribute map (`|`) that preceded it on the wire. The key is absent, not undefined, when
 * there were none, so decoded values deep-equal values built with the constructors below.
 */
export type RespAttributes = Array<[RespValue, RespValue]>;

interface WithAttributes {
  attributes?: RespAttributes;
}

export interface RespSimple extends WithAttributes {
  type: 'simple';
  value: string;
}
/** Both `-` simple errors and `!` blob errors decode to this. */
export interface RespError extends WithAttributes {
  type: 'error';
  value: string;
}
export interface RespInteger extends WithAttributes {
  type: 'integer';
  value: bigint;
}
/** `$-1` is `value: null`. */
export interface RespBulk extends WithAttributes {
  type: 'bulk';
  value: Uint8Array | null;
}
/** `*-1` is `value: null`. */
export interface RespArray extends WithAttributes {
  type: 'array';
  value: RespValue[] | null;
}
/** The RESP3 null, `_`. */
export interface RespNull extends WithAttributes {
  type: 'null';
}
export interface RespBoolean extends WithAttributes {
  type: 'boolean';
  value: boolean;
}
export interface RespDouble extends WithAttributes {
  type: 'double';
  value: number;
}
export interface RespBigNumber extends WithAttributes {
  type: 'bignum';
  value: bigint;
}
export interface RespVerbatim extends WithAttributes {
  type: 'verbatim';
  /** Three characters, e.g. `txt` or `mkd`. */
  format: string;
  value: string;
}
export interface RespMap extends WithAttributes {
  type: 'map';
  value: Array<[RespValue, RespValue]>;
}
export interface RespSet extends WithAttributes {
  type: 'set';
  value: RespValue[];
}
export interface RespPush extends WithAttributes {
  type: 'push';
  value: RespValue[];
}

export type RespValue =
  | RespSimple
  | RespError
  | RespInteger
  | RespBulk
  | RespArray
  | RespNull
  | RespBoolean
  | RespDouble
  | RespBigNumber
  | RespVerbatim
  | RespMap
  | RespSet
  | RespPush;

export type RespType = RespValue['type'];

/** Thrown on malformed input. The decoder that threw stays failed, like a closed connection. */
export class RespProtocolError extends Error {
  override name = 'RespProtocolError';
  /**
   * What the failing `feed` call completed before the bad input (replies, or argument vectors
   * for RespCommandDecoder), in order: a client can still answer those callers before closing.
   */
  completed: unknown[] = [];
}

const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** UTF-8 decode (invalid sequences become U+FFFD; a leading BOM is kept). */
export function bytesToText(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

export function textToBytes(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

// Constructors.

export function simpleString(value: string): RespSimple {
  return { type: 'simple', value };
}
export function simpleError(value: string): RespError {
  return { type: 'error', value };
}
export function integer(value: bigint | number): RespInteger {
  return { type: 'integer', value: BigInt(value) };
}
/** A bulk string from text (UTF-8 encoded) or bytes; `null` gives the null bulk `$-1`. */
export function bulkString(value: string | Uint8Array | null): RespBulk {
  return { type: 'bulk', value: typeof value === 'string' ? textToBytes(value) : value };
}
export function array(value: RespValue[] | null): RespArray {
  return { type: 'array', value };
}
export function respNull(): RespNull {
  return { type: 'null' };
}
export function boolean(value: boolean): RespBoolean {
  return { type: 'boolean', value };
}
export function double(value: number): RespDouble {
  return { type: 'double', value };
}
export function bigNumber(value: bigint | number): RespBigNumber {
  return { type: 'bignum', value: BigInt(value) };
}
export function verbatimString(format: string, value: string): RespVerbatim {
  return { type: 'verbatim', format, value };
}
export function map(value: Array<[RespValue, RespValue]>): RespMap {
  return { type: 'map', value };
}
export function set(value: RespValue[]): RespSet {
  return { type: 'set', value };
}
export function push(value: RespValue[]): RespPush {
  return { type: 'push', value };
}
/** Returns `value` with `attributes` attached (a new object; `value` is not changed). */
export function withAttributes<T extends RespValue>(value: T, attributes: RespAttributes): T {
  return { ...value, attributes };
}

/** An array of bulk strings, the shape of a command. */
export function commandValue(args: ReadonlyArray<string | Uint8Array>): RespArray {
  return array(args.map((a) => bulkString(a)));
}

// Helpers for tests and traces.

export type RespJs = string | bigint | number | boolean | null | { error: string } | RespJs[] | Map<RespJs, RespJs>;

/**
 * A plain JS view of a value, for assertions: strings for simple/bulk/verbatim (bulk bytes
 * decoded as UTF-8), `{ error }` for errors, bigint for integer/bignum, number for double,
 * null for every null form, arrays for array/set/push, Map for map. Attributes are dropped.
 * Recursive: meant for test-sized values.
 */
export function respToJs(v: RespValue): RespJs {
  switch (v.type) {
    case 'simple':
    case 'verbatim':
      return v.value;
    case 'error':
      return { error: v.value };
    case 'bulk':
      return v.value === null ? null : bytesToText(v.value);
    case 'integer':
    case 'bignum':
    case 'double':
    case 'boolean':
      return v.value;
    case 'null':
      return null;
    case 'array':
      return v.value === null ? null : v.value.map(respToJs);
    case 'set':
    case 'push':
      return v.value.map(respToJs);
    case 'map':
      return new Map(v.value.map(([k, x]) => [respToJs(k), respToJs(x)] as [RespJs, RespJs]));
  }
}

/**
 * The text of a scalar: strings as-is (bulk decoded as UTF-8), numbers in decimal,
 * booleans as `true`/`false`. Throws TypeError for null forms and aggregates.
 */
export function toText(v: RespValue): string {
  switch (v.type) {
    case 'simple':
    case 'error':
    case 'verbatim':
      return v.value;
    case 'bulk':
      if (v.value === null) break;
      return bytesToText(v.value);
    case 'integer':
    case 'bignum':
      return v.value.toString();
    case 'double':
      return formatDouble(v.value);
    case 'boolean':
      return v.value ? 'true' : 'false';
    default:
      break;
  }
  throw new TypeError(`toText: a ${v.type}${'value' in v && v.value === null ? ' (null)' : ''} has no text`);
}

/** RESP3 spelling of a double: `inf`, `-inf`, `nan`, `-0`, else the shortest round-trip form. */
export function formatDouble(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isNaN(x)) return 'nan';
  if (x === 0 && 1 / x < 0) return '-0';
  return String(x);
}

/** A one-line, redis-cli-flavoured rendering for traces and failure messages. */
export function describeResp(v: RespValue, maxLength = 200): string {
  const out = describeInto(v);
  return out.length > maxLength ? `${out.slice(0, maxLength - 1)}…` : out;
}

function describeInto(v: RespValue): string {
  const attrs = v.attributes ? `|{${v.attributes.map(([k, x]) => `${describeInto(k)}: ${describeInto(x)}`).join(', ')}} ` : '';
  let body: string;
  switch (v.type) {
    case 'simple':
      body = v.value;
      break;
    case 'error':
      body = `(error) ${v.value}`;
      break;
    case 'integer':
      body = `(integer) ${v.value}`;
      break;
    case 'bignum':
      body = `(big number) ${v.value}`;
      break;
    case 'double':
      body = `(double) ${formatDouble(v.value)}`;
      break;
    case 'boolean':
      body = v.value ? '(true)' : '(false)';
      break;
    case 'null':
      body = '(nil)';
      break;
    case 'bulk':
      body = v.value === null ? '(nil)' : JSON.stringify(bytesToText(v.value));
      break;
    case 'verbatim':
      body = `${v.format}:${JSON.stringify(v.value)}`;
      break;
    case 'array':
      body = v.value === null ? '(nil array)' : `[${v.value.map(describeInto).join(', ')}]`;
      break;
    case 'set':
      body = `~{${v.value.map(describeInto).join(', ')}}`;
      break;
    case 'push':
      body = `>[${v.value.map(describeInto).join(', ')}]`;
      break;
    case 'map':
      body = `{${v.value.map(([k, x]) => `${describeInto(k)}: ${describeInto(x)}`).join(', ')}}`;
      break;
  }
  return attrs + body;
}
