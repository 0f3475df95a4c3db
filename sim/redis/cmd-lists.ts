/** List commands: t_list.c and timeout.c. */
import { array, type RespValue } from '../resp/index.js';
import { keyFromBytes } from './keyspace.js';
import type { ExecResult } from './commands.js';
import { arityError, lookup } from './cmd-keys.js';
import {
  E_NOT_INT,
  E_WRONGTYPE,
  INT64_MAX,
  bulk,
  err,
  int,
  markReady,
  nullArray,
  nullReply,
  parseInt64,
  parseLongDouble,
  toIndex,
  type Ctx,
} from './cmd-util.js';

/** t_list.c pushGenericCommand. A newly created list is a ready key for blocked BLPOPs. */
function pushGeneric(c: Ctx, head: boolean): RespValue {
  const key = keyFromBytes(c.args[1]!);
  const e = c.db.get(key, c.now);
  if (e !== undefined && e.kind !== 'list') return err(E_WRONGTYPE);
  let list: Uint8Array[];
  if (e === undefined) {
    list = [];
    c.db.set(key, { kind: 'list', value: list, expireAt: null });
    markReady(c.server, key);
  } else list = e.value;
  for (let j = 2; j < c.args.length; j++) {
    const v = c.args[j]!.slice();
    if (head) list.unshift(v);
    else list.push(v);
  }
  return int(list.length);
}

export function lpushCommand(c: Ctx): RespValue {
  return pushGeneric(c, true);
}

export function rpushCommand(c: Ctx): RespValue {
  return pushGeneric(c, false);
}

/** t_list.c popGenericCommand. */
function popGeneric(c: Ctx, head: boolean): RespValue {
  const hasCount = c.args.length === 3;
  if (c.args.length > 3) return arityError(c.fullname);
  let count = 0;
  if (hasCount) {
    // getPositiveLongFromObjectOrReply: its message covers non-numbers too.
    const v = parseInt64(c.args[2]!);
    if (v === null || v < 0n) return err('ERR value is out of range, must be positive');
    count = toIndex(v);
  }
  const key = keyFromBytes(c.args[1]!);
  const e = c.db.get(key, c.now);
  if (e === undefined) return hasCount ? nullArray(c.client) : nullReply(c.client);
  if (e.kind !== 'list') return err(E_WRONGTYPE);
  const list = e.value;
  if (hasCount && count === 0) return array([]);
  let reply: RespValue;
  if (!hasCount) {
    reply = bulk((head ? list.shift() : list.pop())!);
  } else {
    const n = Math.min(count, list.length);
    const taken = head ? list.splice(0, n) : list.splice(list.length - n, n).reverse();
    reply = array(taken.map((v) => bulk(v)));
  }
  if (list.length === 0) c.db.delete(key);
  return reply;
}

export function lpopCommand(c: Ctx): RespValue {
  return popGeneric(c, true);
}

export function rpopCommand(c: Ctx): RespValue {
  return popGeneric(c, false);
}

export function llenCommand(c: Ctx): RespValue {
  const e = lookup(c, c.args[1]!);
  if (e === undefined) return int(0);
  if (e.kind !== 'list') return err(E_WRONGTYPE);
  return int(e.value.length);
}

/** t_list.c lrangeCommand / addListRangeReply. */
export function lrangeCommand(c: Ctx): RespValue {
  const s = parseInt64(c.args[2]!);
  if (s === null) return err(E_NOT_INT);
  const t = parseInt64(c.args[3]!);
  if (t === null) return err(E_NOT_INT);
  const e = lookup(c, c.args[1]!);
  if (e === undefined) return array([]);
  if (e.kind !== 'list') return err(E_WRONGTYPE);
  const len = e.value.length;
  let start = toIndex(s);
  let end = toIndex(t);
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return array([]);
  if (end >= len) end = len - 1;
  return array(e.value.slice(start, end + 1).map((v) => bulk(v)));
}

/** Above this a timeout is effectively forever, and would not stay a safe integer of µs. */
const MAX_TIMEOUT_US = Number.MAX_SAFE_INTEGER;

/**
 * timeout.c getTimeoutFromObjectOrReply (seconds as a long double, rounded up to whole ms).
 * Returns the timeout as a duration in µs, null for "forever" (0), or the error reply.
 */
function parseTimeout(c: Ctx, arg: Uint8Array): { us: number | null } | RespValue {
  const v = parseLongDouble(arg);
  if (v === null) return err('ERR timeout is not a float or out of range');
  const ftval = v * 1000;
  if (ftval >= 2 ** 63) return err('ERR timeout is out of range');
  const tval = Math.ceil(ftval);
  if (tval < 0) return err('ERR timeout is negative');
  if (tval === 0) return { us: null };
  if (BigInt(tval) > INT64_MAX - BigInt(Math.floor(c.now / 1000))) return err('ERR timeout is out of range');
  const us = tval * 1000;
  return { us: us > MAX_TIMEOUT_US ? null : us };
}

/**
 * t_list.c blockingPopGenericCommand for BLPOP. Pops from the first non-empty list; otherwise
 * asks the loop to block, with the timeout as a duration from now. The loop retries by calling
 * execute again (which answers `block` again, with the full timeout, if still nothing is there).
 */
export function blpopCommand(c: Ctx): RespValue | ExecResult {
  const keyArgs = c.args.slice(1, -1);
  const t = parseTimeout(c, c.args[c.args.length - 1]!);
  if ('type' in t) return t;
  for (const keyArg of keyArgs) {
    const key = keyFromBytes(keyArg);
    const e = c.db.get(key, c.now);
    if (e === undefined) continue;
    if (e.kind !== 'list') return err(E_WRONGTYPE);
    if (e.value.length === 0) continue;
    const v = e.value.shift()!;
    if (e.value.length === 0) c.db.delete(key);
    return array([bulk(keyArg.slice()), bulk(v)]);
  }
  return { kind: 'block', keys: keyArgs.map(keyFromBytes), timeoutUs: t.us };
}
