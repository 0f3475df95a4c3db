/**
 * RESP2 + RESP3 codec: a streaming reply decoder, a server-side command decoder (multibulk and
 * inline), and encoders. Pure TypeScript over Uint8Array, TextEncoder and TextDecoder, so it
 * runs in Node and in a browser Web Worker alike; no clocks, no randomness.
 *
 * Attributes (`|`) are attached to the value that follows as its `attributes` field.
 * Limits (RESP_DEFAULTS, each a constructor option): bulk payload 512 MB (proto-max-bulk-len),
 * 128 open aggregates, 2^32-1 elements per aggregate for replies (hiredis) and 1024*1024
 * arguments per command (Redis), 64 KB inline lines (PROTO_INLINE_MAX_SIZE), 64 bytes for a
 * number or length line, and `+ - , (` lines up to the bulk limit. Breaking one, or any
 * malformed input, throws RespProtocolError and leaves the decoder failed.
 */
export { RespDecoder, RESP_DEFAULTS, type RespDecoderOptions } from './decoder.js';
export { RespCommandDecoder, splitInlineArgs, type RespCommandDecoderOptions } from './command.js';
export { encode, encodeCommand, utf8Length, type RespEncodeOptions } from './encoder.js';
export {
  RespProtocolError,
  type RespValue,
  type RespType,
  type RespAttributes,
  type RespSimple,
  type RespError,
  type RespInteger,
  type RespBulk,
  type RespArray,
  type RespNull,
  type RespBoolean,
  type RespDouble,
  type RespBigNumber,
  type RespVerbatim,
  type RespMap,
  type RespSet,
  type RespPush,
  type RespJs,
  simpleString,
  simpleError,
  integer,
  bulkString,
  array,
  respNull,
  boolean,
  double,
  bigNumber,
  verbatimString,
  map,
  set,
  push,
  withAttributes,
  commandValue,
  bytesToText,
  textToBytes,
  respToJs,
  toText,
  formatDouble,
  describeResp,
} from './types.js';
