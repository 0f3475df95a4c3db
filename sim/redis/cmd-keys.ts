/** String and keyspace commands: t_string.c, db.c and expire.c. */
import type { Micros } from '../kernel/time.js';
import { array, type RespValue } from '../resp/index.js';
import { keyFromBytes, type Entry } from './keyspace.js';
import {
  E_NOT_INT,
  E_SYNTAX,
  E_WRONGTYPE,
  INT64_MAX,
  INT64_MIN,
  OK,
  bulk,
  err,
  errFormat,
  int,
  is,
  nullReply,
  parseInt64,
  text,
  type Ctx,
} from './cmd-util.js';

export function arityError(fullname: string): RespValue {
  return err(`ERR wrong number of arguments for '${fullname}' command`);
}

/** addReplyErrorExpireTime. */
function expireTimeError(c: Ctx): RespValue {
  return err(`ERR invalid expire time in '${c.fullname}' command`);
}

function nowMs(now: Micros): bigint {
  return BigInt(Math.floor(now / 1000));
}

/** Arguments are copied on store: the decoder may reuse the buffers they point into. */
function copy(b: Uint8Array): Uint8Array {
  return b.slice();
}

export function lookup(c: Ctx, keyArg: Uint8Array): Entry | undefined {
  return c.db.getBytes(keyArg, c.now);
}

// GET / SET

export function getCommand(c: Ctx): RespValue {
  const e = lookup(c, c.args[1]!);
  if (e === undefined) return nullReply(c.client);
  if (e.kind !== 'string') return err(E_WRONGTYPE);
  return bulk(e.value);
}

const NX = 1 << 0;
const XX = 1 << 1;
const EX = 1 << 2;
const PX = 1 << 3;
const KEEPTTL = 1 << 4;
const GET = 1 << 5;
const EXAT = 1 << 6;
const PXAT = 1 << 7;

/** t_string.c setCommand / parseExtendedStringArgumentsOrReply / setGenericCommand. */
export function setCommand(c: Ctx): RespValue {
  const a = c.args;
  let flags = 0;
  let expire: Uint8Array | null = null;
  for (let j = 3; j < a.length; j++) {
    const opt = a[j]!;
    const hasNext = j < a.length - 1;
    if (is(opt, 'nx') && !(flags & XX)) flags |= NX;
    else if (is(opt, 'xx') && !(flags & NX)) flags |= XX;
    else if (is(opt, 'get')) flags |= GET;
    else if (is(opt, 'keepttl') && !(flags & (EX | EXAT | PX | PXAT))) flags |= KEEPTTL;
    else if (is(opt, 'ex') && !(flags & (KEEPTTL | EXAT | PX | PXAT)) && hasNext) {
      flags |= EX;
      expire = a[++j]!;
    } else if (is(opt, 'px') && !(flags & (KEEPTTL | EX | EXAT | PXAT)) && hasNext) {
      flags |= PX;
      expire = a[++j]!;
    } else if (is(opt, 'exat') && !(flags & (KEEPTTL | EX | PX | PXAT)) && hasNext) {
      flags |= EXAT;
      expire = a[++j]!;
    } else if (is(opt, 'pxat') && !(flags & (KEEPTTL | EX | EXAT | PX)) && hasNext) {
      flags |= PXAT;
      expire = a[++j]!;
    } else return err(E_SYNTAX);
  }

  // getExpireMillisecondsOrReply. EXAT/PXAT count virtual time as the Unix clock.
  let expireAt: Micros | null = null;
  if (expire !== null) {
    const v = parseInt64(expire);
    if (v === null) return err(E_NOT_INT);
    const inSeconds = (flags & (EX | EXAT)) !== 0;
    if (v <= 0n || (inSeconds && v > INT64_MAX / 1000n)) return expireTimeError(c);
    const msv = inSeconds ? v * 1000n : v;
    const relative = (flags & (EX | PX)) !== 0;
    if (relative && msv + nowMs(c.now) > INT64_MAX) return expireTimeError(c); // wraps negative in C
    // Relative expiries count from `now` to the microsecond.
    expireAt = relative ? c.now + Number(msv) * 1000 : Number(msv) * 1000;
  }

  const old = c.db.getBytes(a[1]!, c.now);
  let getReply: RespValue | null = null;
  if (flags & GET) {
    if (old !== undefined && old.kind !== 'string') return err(E_WRONGTYPE);
    getReply = old === undefined ? nullReply(c.client) : bulk(old.value);
  }
  const found = old !== undefined;
  if ((flags & NX && found) || (flags & XX && !found)) return getReply ?? nullReply(c.client);
  if (flags & KEEPTTL && old !== undefined) expireAt = old.expireAt;
  c.db.set(keyFromBytes(a[1]!), { kind: 'string', value: copy(a[2]!), expireAt }, a[1]);
  return getReply ?? OK;
}

// DEL / EXISTS / MGET / MSET

export function delCommand(c: Ctx): RespValue {
  let n = 0;
  for (let j = 1; j < c.args.length; j++) {
    const key = keyFromBytes(c.args[j]!);
    if (c.db.get(key, c.now) !== undefined && c.db.delete(key)) n++;
  }
  return int(n);
}

/** db.c existsCommand: a key named twice counts twice. */
export function existsCommand(c: Ctx): RespValue {
  let n = 0;
  for (let j = 1; j < c.args.length; j++) if (lookup(c, c.args[j]!) !== undefined) n++;
  return int(n);
}

export function mgetCommand(c: Ctx): RespValue {
  const out: RespValue[] = [];
  for (let j = 1; j < c.args.length; j++) {
    const e = lookup(c, c.args[j]!);
    out.push(e !== undefined && e.kind === 'string' ? bulk(e.value) : nullReply(c.client));
  }
  return array(out);
}

export function msetCommand(c: Ctx): RespValue {
  if (c.args.length % 2 === 0) return arityError(c.fullname);
  for (let j = 1; j < c.args.length; j += 2) {
    c.db.set(keyFromBytes(c.args[j]!), { kind: 'string', value: copy(c.args[j + 1]!), expireAt: null });
  }
  return OK;
}

// INCR / DECR

const encoder = new TextEncoder();

/** t_string.c incrDecrCommand: keeps the key's TTL. */
function incrDecr(c: Ctx, incr: bigint): RespValue {
  const key = keyFromBytes(c.args[1]!);
  const e = c.db.get(key, c.now);
  if (e !== undefined && e.kind !== 'string') return err(E_WRONGTYPE);
  const v = e === undefined ? 0n : parseInt64(e.value);
  if (v === null) return err(E_NOT_INT);
  if ((incr < 0n && v < 0n && incr < INT64_MIN - v) || (incr > 0n && v > 0n && incr > INT64_MAX - v)) {
    return err('ERR increment or decrement would overflow');
  }
  const next = v + incr;
  c.db.set(key, { kind: 'string', value: encoder.encode(next.toString()), expireAt: e?.expireAt ?? null });
  return int(next);
}

export function incrCommand(c: Ctx): RespValue {
  return incrDecr(c, 1n);
}

export function decrCommand(c: Ctx): RespValue {
  return incrDecr(c, -1n);
}

export function incrbyCommand(c: Ctx): RespValue {
  const incr = parseInt64(c.args[2]!);
  if (incr === null) return err(E_NOT_INT);
  return incrDecr(c, incr);
}

export function decrbyCommand(c: Ctx): RespValue {
  const incr = parseInt64(c.args[2]!);
  if (incr === null) return err(E_NOT_INT);
  if (incr === INT64_MIN) return err('ERR decrement would overflow'); // negating it overflows
  return incrDecr(c, -incr);
}

// EXPIRE / TTL

const E_NX = 1 << 0;
const E_XX = 1 << 1;
const E_GT = 1 << 2;
const E_LT = 1 << 3;

/** expire.c expireGenericCommand with parseExtendedExpireArgumentsOrReply. */
function expireGeneric(c: Ctx, inSeconds: boolean): RespValue {
  let flags = 0;
  for (let j = 3; j < c.args.length; j++) {
    const opt = c.args[j]!;
    if (is(opt, 'nx')) flags |= E_NX;
    else if (is(opt, 'xx')) flags |= E_XX;
    else if (is(opt, 'gt')) flags |= E_GT;
    else if (is(opt, 'lt')) flags |= E_LT;
    else return errFormat(`Unsupported option ${text(opt)}`);
  }
  if (flags & E_NX && flags & (E_XX | E_GT | E_LT)) {
    return err('ERR NX and XX, GT or LT options at the same time are not compatible');
  }
  if (flags & E_GT && flags & E_LT) return err('ERR GT and LT options at the same time are not compatible');

  let when = parseInt64(c.args[2]!);
  if (when === null) return err(E_NOT_INT);
  if (inSeconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) return expireTimeError(c);
    when *= 1000n;
  }
  if (when > INT64_MAX - nowMs(c.now)) return expireTimeError(c);
  const expireAt = c.now + Number(when) * 1000;

  const key = keyFromBytes(c.args[1]!);
  const e = c.db.get(key, c.now);
  if (e === undefined) return int(0);
  const current = e.expireAt; // null: no TTL, which GT treats as infinite
  if (flags & E_NX && current !== null) return int(0);
  if (flags & E_XX && current === null) return int(0);
  if (flags & E_GT && (current === null || expireAt <= current)) return int(0);
  if (flags & E_LT && current !== null && expireAt >= current) return int(0);

  if (expireAt <= c.now) c.db.delete(key); // checkAlreadyExpired
  else c.db.setExpire(key, expireAt);
  return int(1);
}

export function expireCommand(c: Ctx): RespValue {
  return expireGeneric(c, true);
}

export function pexpireCommand(c: Ctx): RespValue {
  return expireGeneric(c, false);
}

/** expire.c ttlGenericCommand. Milliseconds left round up, so a live key never shows 0 early. */
function ttlGeneric(c: Ctx, inMs: boolean): RespValue {
  const e = lookup(c, c.args[1]!);
  if (e === undefined) return int(-2);
  if (e.expireAt === null) return int(-1);
  const ttl = Math.max(0, Math.ceil((e.expireAt - c.now) / 1000));
  return int(inMs ? ttl : Math.floor((ttl + 500) / 1000));
}

export function ttlCommand(c: Ctx): RespValue {
  return ttlGeneric(c, false);
}

export function pttlCommand(c: Ctx): RespValue {
  return ttlGeneric(c, true);
}
