/** Connection and server commands: server.c, networking.c, acl.c, db.c, debug.c. */
import { array, bulkString, integer, simpleString, textToBytes, type RespValue } from '../resp/index.js';
import type { ClientState, ExecResult, ServerState } from './commands.js';
import { arityError } from './cmd-keys.js';
import {
  E_NOT_INT,
  E_SYNTAX,
  E_WRONGPASS,
  OK,
  bulk,
  bytesEqual,
  cstr,
  err,
  errFormat,
  int,
  is,
  latin1,
  mapReply,
  nullReply,
  parseInt64,
  strtodPrefix,
  text,
  verbatim,
  type Ctx,
} from './cmd-util.js';

export const REDIS_VERSION = '7.2.0';

/** Bytes as a C `%.Ns` prints them, as reply text. */
function textN(b: Uint8Array, n: number): string {
  return text(cstr(b).subarray(0, n));
}

export function pingCommand(c: Ctx): RespValue {
  if (c.args.length > 2) return arityError(c.fullname);
  return c.args.length === 1 ? simpleString('PONG') : bulk(c.args[1]!.slice());
}

export function echoCommand(c: Ctx): RespValue {
  return bulk(c.args[1]!.slice());
}

export function quitCommand(): ExecResult {
  return { kind: 'close', value: OK };
}

// Authentication. One ACL user, "default": no password when requirepass is null (any password
// then works for it, as for a nopass user), else requirepass.

function authenticate(server: ServerState, client: ClientState, user: Uint8Array, pass: Uint8Array): boolean {
  if (!bytesEqual(user, DEFAULT_USER)) return false;
  if (server.requirepass !== null && !bytesEqual(pass, textToBytes(server.requirepass))) return false;
  client.authenticated = true;
  return true;
}

const DEFAULT_USER = textToBytes('default');

export function authRequired(server: ServerState, client: ClientState): boolean {
  return server.requirepass !== null && !client.authenticated;
}

/** acl.c authCommand. */
export function authCommand(c: Ctx): RespValue {
  if (c.args.length > 3) return err(E_SYNTAX);
  let user = DEFAULT_USER;
  let pass = c.args[1]!;
  if (c.args.length === 2) {
    if (c.server.requirepass === null) {
      return err(
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      );
    }
  } else {
    user = c.args[1]!;
    pass = c.args[2]!;
  }
  return authenticate(c.server, c.client, user, pass) ? OK : err(E_WRONGPASS);
}

/** networking.c validateClientName: bytes '!'..'~' only; empty is allowed (clears the name). */
function validName(b: Uint8Array): boolean {
  for (const x of b) if (x < 0x21 || x > 0x7e) return false;
  return true;
}

const E_CLIENT_NAME = 'ERR Client names cannot contain spaces, newlines or special characters.';

/** networking.c helloCommand. */
export function helloCommand(c: Ctx): RespValue {
  let ver = 0;
  let next = 1;
  if (c.args.length >= 2) {
    const v = parseInt64(c.args[next++]!);
    if (v === null) return err('ERR Protocol version is not an integer or out of range');
    if (v < 2n || v > 3n) return err('NOPROTO unsupported protocol version');
    ver = Number(v);
  }
  let user: Uint8Array | null = null;
  let pass: Uint8Array | null = null;
  let name: Uint8Array | null = null;
  for (let j = next; j < c.args.length; j++) {
    const more = c.args.length - 1 - j;
    const opt = c.args[j]!;
    if (is(opt, 'auth') && more >= 2) {
      user = c.args[j + 1]!;
      pass = c.args[j + 2]!;
      j += 2;
    } else if (is(opt, 'setname') && more >= 1) {
      name = c.args[++j]!;
    } else return errFormat(`Syntax error in HELLO option '${text(opt)}'`);
  }
  if (user !== null && pass !== null && !authenticate(c.server, c.client, user, pass)) return err(E_WRONGPASS);
  if (authRequired(c.server, c.client)) {
    return err(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (name !== null) {
    if (!validName(name)) return err(E_CLIENT_NAME);
    c.client.name = name.length === 0 ? null : latin1(name);
  }
  if (ver !== 0) c.client.protocol = ver as 2 | 3;
  return mapReply(c.client, [
    [bulk('server'), bulk('redis')],
    [bulk('version'), bulk(REDIS_VERSION)],
    [bulk('proto'), integer(c.client.protocol)],
    [bulk('id'), integer(c.client.id)],
    [bulk('mode'), bulk('standalone')],
    [bulk('role'), bulk('master')],
    [bulk('modules'), array([])],
  ]);
}

/** db.c selectCommand (getIntFromObjectOrReply, then the database range). */
export function selectCommand(c: Ctx): RespValue {
  const v = parseInt64(c.args[1]!);
  if (v === null) return err(E_NOT_INT);
  if (v < -2147483648n || v > 2147483647n) {
    return err('ERR value is out of range, value must between -2147483648 and 2147483647');
  }
  if (v < 0n || v >= BigInt(c.server.dbs.length)) return err('ERR DB index is out of range');
  c.client.db = Number(v);
  return OK;
}

export function dbsizeCommand(c: Ctx): RespValue {
  return int(c.db.size(c.now));
}

/** db.c getFlushCommandFlags: optional SYNC or ASYNC (both flush at once here). */
function flushArgsOk(c: Ctx): boolean {
  return c.args.length === 1 || (c.args.length === 2 && (is(c.args[1], 'sync') || is(c.args[1], 'async')));
}

export function flushallCommand(c: Ctx): RespValue {
  if (!flushArgsOk(c)) return err(E_SYNTAX);
  for (const db of c.server.dbs) db.clear();
  return OK;
}

export function flushdbCommand(c: Ctx): RespValue {
  if (!flushArgsOk(c)) return err(E_SYNTAX);
  c.db.clear();
  return OK;
}

/** Longest DEBUG SLEEP, in µs: keeps `now + us` a safe integer for any sane `now`. */
const MAX_SLEEP_US = 2 ** 52;

/** debug.c debugCommand: only SLEEP. The enable-debug-command gate is taken as "yes". */
export function debugCommand(c: Ctx): RespValue | ExecResult {
  if (is(c.args[1], 'sleep') && c.args.length === 3) {
    // strtod with no end check (junk sleeps 0), then (long long)(dtime*1000000); a negative
    // time makes nanosleep fail at once.
    const utime = Math.trunc(strtodPrefix(c.args[2]!) * 1_000_000);
    const us = Number.isNaN(utime) || utime <= 0 ? 0 : Math.min(utime, MAX_SLEEP_US);
    return { kind: 'sleep', us, value: OK };
  }
  return subcommandSyntaxError(c, 'DEBUG');
}

/** networking.c addReplySubcommandSyntaxError. */
function subcommandSyntaxError(c: Ctx, upper: string): RespValue {
  return errFormat(
    `unknown subcommand or wrong number of arguments for '${textN(c.args[1]!, 128)}'. Try ${upper} HELP.`,
  );
}

// CLIENT. Library name/version (CLIENT SETINFO) live here, off the shared ClientState shape.

const libInfo = new WeakMap<ClientState, { name: string; ver: string }>();

/** A subset of catClientInfoString's fields: the ones this model knows. */
function clientInfoLine(cl: ClientState): string {
  const lib = libInfo.get(cl);
  return (
    `id=${cl.id} name=${cl.name ?? ''} flags=N db=${cl.db} user=default resp=${cl.protocol}` +
    ` lib-name=${lib?.name ?? ''} lib-ver=${lib?.ver ?? ''}`
  );
}

export function clientIdCommand(c: Ctx): RespValue {
  return int(c.client.id);
}

export function clientGetnameCommand(c: Ctx): RespValue {
  return c.client.name === null ? nullReply(c.client) : bulkString(latinBytes(c.client.name));
}

function latinBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

export function clientSetnameCommand(c: Ctx): RespValue {
  const name = c.args[2]!;
  if (!validName(name)) return err(E_CLIENT_NAME);
  c.client.name = name.length === 0 ? null : latin1(name);
  return OK;
}

/** networking.c clientSetinfoCommand (Redis 7.2). */
export function clientSetinfoCommand(c: Ctx): RespValue {
  const attr = c.args[2]!;
  const val = c.args[3]!;
  const isName = is(attr, 'lib-name');
  if (!isName && !is(attr, 'lib-ver')) return errFormat(`Unrecognized option '${text(attr)}'`);
  if (!validName(val)) return errFormat(`${text(attr)} cannot contain spaces, newlines or special characters.`);
  const lib = libInfo.get(c.client) ?? { name: '', ver: '' };
  if (isName) lib.name = latin1(val);
  else lib.ver = latin1(val);
  libInfo.set(c.client, lib);
  return OK;
}

export function clientInfoCommand(c: Ctx): RespValue {
  return verbatim(c.client, `${clientInfoLine(c.client)}\n`);
}

const CLIENT_TYPES = ['normal', 'slave', 'replica', 'pubsub', 'master'];

function clientType(b: Uint8Array): string | null {
  return CLIENT_TYPES.find((t) => is(b, t)) ?? null;
}

/** networking.c clientCommand LIST: all clients are of type normal here. */
export function clientListCommand(c: Ctx): RespValue {
  const all = c.server.clientList?.() ?? [c.client];
  let shown: ClientState[];
  if (c.args.length === 4 && is(c.args[2], 'type')) {
    const type = clientType(c.args[3]!);
    if (type === null) return errFormat(`Unknown client type '${text(c.args[3]!)}'`);
    shown = type === 'normal' ? all : [];
  } else if (c.args.length > 3 && is(c.args[2], 'id')) {
    shown = [];
    for (let j = 3; j < c.args.length; j++) {
      const id = parseInt64(c.args[j]!);
      if (id === null) return err('ERR Invalid client ID');
      const cl = all.find((x) => BigInt(x.id) === id);
      if (cl !== undefined) shown.push(cl);
    }
  } else if (c.args.length !== 2) return err(E_SYNTAX);
  else shown = all;
  return verbatim(c.client, shown.map((cl) => `${clientInfoLine(cl)}\n`).join(''));
}

/** networking.c clientCommand KILL: old form `CLIENT KILL addr`, new form filter pairs. */
export function clientKillCommand(c: Ctx): RespValue {
  const a = c.args;
  if (a.length === 3) {
    const killed = c.server.killClients({ addr: text(a[2]!), skipMe: false }, c.client);
    return killed === 0 ? err('ERR No such client') : OK;
  }
  const filter: Parameters<ServerState['killClients']>[0] = { skipMe: true };
  let matchesNone = false;
  for (let i = 2; i < a.length; i += 2) {
    const opt = a[i]!;
    const val = a[i + 1];
    if (val === undefined) return err(E_SYNTAX);
    if (is(opt, 'id')) {
      const id = parseInt64(val);
      if (id === null || id < 1n) return err('ERR client-id should be greater than 0');
      filter.id = Number(id);
    } else if (is(opt, 'type')) {
      const type = clientType(val);
      if (type === null) return errFormat(`Unknown client type '${text(val)}'`);
      if (type !== 'normal') matchesNone = true;
    } else if (is(opt, 'addr')) filter.addr = text(val);
    else if (is(opt, 'laddr')) filter.laddr = text(val);
    else if (is(opt, 'user')) {
      if (!bytesEqual(val, DEFAULT_USER)) return errFormat(`No such user '${text(val)}'`);
      filter.user = 'default';
    } else if (is(opt, 'skipme')) {
      if (is(val, 'yes')) filter.skipMe = true;
      else if (is(val, 'no')) filter.skipMe = false;
      else return err(E_SYNTAX);
    } else return err(E_SYNTAX);
  }
  return int(matchesNone ? 0 : c.server.killClients(filter, c.client));
}

// INFO: the sections clients look at (ioredis's ready check reads `loading`).

export function infoCommand(c: Ctx): RespValue {
  const now = c.now;
  const clients = c.server.clientList?.().length ?? 1;
  const sections: Array<[string, string[]]> = [
    [
      'Server',
      [
        `redis_version:${REDIS_VERSION}`,
        'redis_mode:standalone',
        `uptime_in_seconds:${Math.floor(now / 1_000_000)}`,
      ],
    ],
    ['Clients', [`connected_clients:${clients}`]],
    ['Persistence', ['loading:0']],
    ['Replication', ['role:master', 'connected_slaves:0']],
    [
      'Keyspace',
      c.server.dbs.flatMap((db, i) => {
        const keys = db.size(now);
        return keys === 0 ? [] : [`db${i}:keys=${keys},expires=${db.volatileCount(now)},avg_ttl=0`];
      }),
    ],
  ];
  const wanted = c.args.slice(1).map((b) => latin1(b).toLowerCase());
  const all = wanted.length === 0 || wanted.some((w) => w === 'all' || w === 'default' || w === 'everything');
  const body = sections
    .filter(([name]) => all || wanted.includes(name.toLowerCase()))
    .map(([name, lines]) => `# ${name}\r\n${lines.map((l) => `${l}\r\n`).join('')}`)
    .join('\r\n');
  return verbatim(c.client, body);
}
