/**
 * Command semantics of a simulated Redis 7.2 server: a pure, synchronous `execute` that the
 * server's event loop calls with each argv and the current virtual time. Replies and error texts
 * follow Redis's source (file and function named where a behaviour is modelled on it).
 */
import type { Micros } from '../kernel/time.js';
import { array, bulkString, type RespValue } from '../resp/index.js';
import { Keyspace } from './keyspace.js';
import {
  E_NOAUTH,
  E_SYNTAX,
  asciiLower,
  asciiLowerBytes,
  cstr,
  drainReady,
  err,
  errFormat,
  int,
  latin1,
  mapReply,
  type Ctx,
  type Handler,
} from './cmd-util.js';
import {
  arityError,
  decrbyCommand,
  decrCommand,
  delCommand,
  existsCommand,
  expireCommand,
  getCommand,
  incrbyCommand,
  incrCommand,
  mgetCommand,
  msetCommand,
  pexpireCommand,
  pttlCommand,
  setCommand,
  ttlCommand,
} from './cmd-keys.js';
import {
  blpopCommand,
  llenCommand,
  lpopCommand,
  lpushCommand,
  lrangeCommand,
  rpopCommand,
  rpushCommand,
} from './cmd-lists.js';
import {
  authCommand,
  authRequired,
  clientGetnameCommand,
  clientIdCommand,
  clientInfoCommand,
  clientKillCommand,
  clientListCommand,
  clientSetinfoCommand,
  clientSetnameCommand,
  dbsizeCommand,
  debugCommand,
  echoCommand,
  flushallCommand,
  flushdbCommand,
  helloCommand,
  infoCommand,
  pingCommand,
  quitCommand,
  selectCommand,
} from './cmd-server.js';

export interface ClientState {
  readonly id: number;
  name: string | null;
  db: number;
  protocol: 2 | 3;
  authenticated: boolean;
}

export interface ServerState {
  dbs: Keyspace[];
  requirepass: string | null;
  /** CLIENT KILL support: the loop passes a function that kills matching clients and returns how many. */
  killClients(
    filter: { id?: number; addr?: string; skipMe?: boolean; laddr?: string; user?: string },
    self: ClientState,
  ): number;
  clientList?(): ClientState[];
}

export type ExecResult =
  | { kind: 'reply'; value: RespValue }
  /** Nothing to pop: block. `timeoutUs` is a duration from now; null blocks forever (timeout 0). */
  | { kind: 'block'; keys: string[]; timeoutUs: Micros | null }
  | { kind: 'sleep'; us: Micros; value: RespValue }
  | { kind: 'close'; value: RespValue };

interface Spec {
  /** Lower-case name; a subcommand's full name is `parent|name`. */
  readonly name: string;
  /** Redis command-table arity: N exactly, or -N for at least N (argv[0] included). */
  readonly arity: number;
  /** CMD_NO_AUTH: runs before AUTH on a password-protected server. */
  readonly noAuth?: boolean;
  readonly run: Handler;
  readonly subcommands?: ReadonlyMap<string, Spec>;
}

function spec(name: string, arity: number, run: Handler, extra: Partial<Spec> = {}): [string, Spec] {
  return [name, { name, arity, run, ...extra }];
}

const unreachable: Handler = () => err('ERR internal error');

const CLIENT_SUBCOMMANDS = new Map<string, Spec>([
  spec('id', 2, clientIdCommand),
  spec('getname', 2, clientGetnameCommand),
  spec('setname', 3, clientSetnameCommand),
  spec('setinfo', 4, clientSetinfoCommand),
  spec('kill', -3, clientKillCommand),
  spec('info', 2, clientInfoCommand),
  spec('list', -2, clientListCommand),
]);

const COMMAND_SUBCOMMANDS = new Map<string, Spec>([
  spec('count', 2, () => int(COMMANDS.size)),
  // Only the unfiltered form; FILTERBY is not modelled.
  spec('list', -2, (c) => (c.args.length === 2 ? array([...COMMANDS.keys()].map((n) => bulkString(n))) : err(E_SYNTAX))),
  spec('docs', -2, (c) => mapReply(c.client, [])),
]);

const COMMANDS: ReadonlyMap<string, Spec> = new Map<string, Spec>([
  // Connection (server.c, networking.c, acl.c).
  spec('ping', -1, pingCommand),
  spec('echo', 2, echoCommand),
  spec('hello', -1, helloCommand, { noAuth: true }),
  spec('auth', -2, authCommand, { noAuth: true }),
  spec('quit', -1, quitCommand, { noAuth: true }),
  spec('select', 2, selectCommand),
  spec('client', -2, unreachable, { subcommands: CLIENT_SUBCOMMANDS }),
  // COMMAND with no arguments answers an empty array: no command docs are modelled.
  spec('command', -1, () => array([]), { subcommands: COMMAND_SUBCOMMANDS }),
  // Strings and keys (t_string.c, db.c, expire.c).
  spec('get', 2, getCommand),
  spec('set', -3, setCommand),
  spec('del', -2, delCommand),
  spec('exists', -2, existsCommand),
  spec('incr', 2, incrCommand),
  spec('incrby', 3, incrbyCommand),
  spec('decr', 2, decrCommand),
  spec('decrby', 3, decrbyCommand),
  spec('mget', -2, mgetCommand),
  spec('mset', -3, msetCommand),
  spec('expire', -3, expireCommand),
  spec('pexpire', -3, pexpireCommand),
  spec('ttl', 2, ttlCommand),
  spec('pttl', 2, pttlCommand),
  // Lists (t_list.c).
  spec('lpush', -3, lpushCommand),
  spec('rpush', -3, rpushCommand),
  spec('lpop', -2, lpopCommand),
  spec('rpop', -2, rpopCommand),
  spec('llen', 2, llenCommand),
  spec('lrange', 4, lrangeCommand),
  spec('blpop', -3, blpopCommand),
  // Server (db.c, debug.c, server.c).
  spec('dbsize', 1, dbsizeCommand),
  spec('flushall', -1, flushallCommand),
  spec('flushdb', -1, flushdbCommand),
  spec('debug', -2, debugCommand),
  spec('info', -1, infoCommand),
]);

const utf8 = new TextDecoder('utf-8');

/** server.c commandCheckExistence: the name and up to ~128 bytes of arguments, each quoted. */
function unknownCommand(args: Uint8Array[]): RespValue {
  const parts: number[] = [];
  for (let i = 1; i < args.length && parts.length < 128; i++) {
    const a = cstr(args[i]!).subarray(0, 128 - parts.length);
    parts.push(39, ...a, 39, 32);
  }
  const name = args.length > 0 ? utf8.decode(cstr(args[0]!).subarray(0, 128)) : '';
  return errFormat(`unknown command '${name}', with args beginning with: ${utf8.decode(new Uint8Array(parts))}`);
}

function reply(value: RespValue): ExecResult {
  return { kind: 'reply', value };
}

/**
 * Runs one command. Checks in processCommand's order: the command exists, then its arity, then
 * authentication; then the command's own checks. `name` is commandName(args), when the caller
 * has it already.
 */
export function execute(server: ServerState, client: ClientState, args: Uint8Array[], now: Micros, name = commandName(args)): ExecResult {
  const out = executeValue(server, client, args, now, name);
  return 'kind' in out ? out : reply(out);
}

/**
 * execute, a reply given as its value (the usual result) rather than wrapped in an ExecResult:
 * for the server's loop, which runs it for every command.
 */
export function executeValue(server: ServerState, client: ClientState, args: Uint8Array[], now: Micros, name = commandName(args)): RespValue | ExecResult {
  const base = COMMANDS.get(name);
  if (base === undefined) return unknownCommand(args);
  let cmd = base;
  let fullname = base.name;
  if (base.subcommands !== undefined && args.length >= 2) {
    const sub = base.subcommands.get(asciiLower(latin1(args[1]!)));
    if (sub === undefined) {
      const shown = utf8.decode(cstr(args[1]!).subarray(0, 128));
      return errFormat(`unknown subcommand '${shown}'. Try ${base.name.toUpperCase()} HELP.`);
    }
    cmd = sub;
    fullname = `${base.name}|${sub.name}`;
  }
  if ((cmd.arity > 0 && cmd.arity !== args.length) || args.length < -cmd.arity) return arityError(fullname);
  if (!cmd.noAuth && authRequired(server, client)) return err(E_NOAUTH);
  const db = server.dbs[client.db];
  if (db === undefined) throw new RangeError(`client ${client.id} has db ${client.db}, out of range`);
  const ctx: Ctx = { server, client, args, now, db, fullname };
  return cmd.run(ctx);
}

/** Keys that became non-empty lists since the last call (LPUSH/RPUSH), in order, deduplicated; clears the set. */
export function takeReadyKeys(server: ServerState): readonly string[] {
  return drainReady(server);
}

export function createServerState(
  options: { requirepass?: string | null; databases?: number } = {},
  killClients: ServerState['killClients'] = () => 0,
): ServerState {
  const n = options.databases ?? 16;
  return {
    dbs: Array.from({ length: n }, () => new Keyspace()),
    requirepass: options.requirepass ?? null,
    killClients,
  };
}

/** Empties every database (used on a restart). */
export function flushAll(server: ServerState): void {
  for (const db of server.dbs) db.clear();
}

/** Recently seen command names, by a hash of their lower-case bytes. */
const names: string[] = new Array<string>(256).fill('');

/**
 * Lower-case command name of an argv (e.g. 'get'), or '' if empty. The same few names come back
 * for every command: they are taken from a small cache rather than built each time, so the trace
 * (which keeps each 'redis.exec' name) holds one string per name, not one per command.
 */
export function commandName(args: Uint8Array[]): string {
  const first = args[0];
  if (first === undefined) return '';
  const n = first.length;
  if (n > 32) return asciiLowerBytes(first);
  let h = n;
  for (let i = 0; i < n; i++) h = (h * 31 + lowerByte(first[i]!)) | 0;
  const slot = (h ^ (h >>> 8)) & 255;
  const hit = names[slot]!;
  if (hit.length === n) {
    let i = 0;
    while (i < n && hit.charCodeAt(i) === lowerByte(first[i]!)) i++;
    if (i === n) return hit;
  }
  const name = asciiLowerBytes(first);
  names[slot] = name;
  return name;
}

function lowerByte(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}
