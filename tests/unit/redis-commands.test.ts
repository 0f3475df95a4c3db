import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  commandName,
  createServerState,
  execute,
  flushAll,
  takeReadyKeys,
  type ClientState,
  type ExecResult,
  type ServerState,
} from '../../sim/redis/commands.js';
import { Keyspace, keyFromBytes, keyToBytes } from '../../sim/redis/keyspace.js';
import { respToJs, type RespJs, type RespValue } from '../../sim/resp/index.js';

type Arg = string | Uint8Array;
type KillFilter = Parameters<ServerState['killClients']>[0];

const enc = new TextEncoder();
const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
const NOT_INT = { error: 'ERR value is not an integer or out of range' };
const SYNTAX = { error: 'ERR syntax error' };

function bytes(a: Arg): Uint8Array {
  return typeof a === 'string' ? enc.encode(a) : a;
}

function client(over: Partial<ClientState> = {}): ClientState {
  return { id: 7, name: null, db: 0, protocol: 2, authenticated: true, ...over };
}

/** A server and one client, with helpers that run commands at a virtual time. */
function world(opts: { requirepass?: string | null; protocol?: 2 | 3; kill?: ServerState['killClients'] } = {}) {
  const server = createServerState({ requirepass: opts.requirepass ?? null }, opts.kill);
  const me = client({ protocol: opts.protocol ?? 2, authenticated: opts.requirepass == null });
  const exec = (now: number, ...args: Arg[]): ExecResult => execute(server, me, args.map(bytes), now);
  const raw = (now: number, ...args: Arg[]): RespValue => {
    const r = exec(now, ...args);
    if (r.kind !== 'reply') throw new Error(`expected a reply, got ${r.kind}`);
    return r.value;
  };
  const at = (now: number, ...args: Arg[]): RespJs => respToJs(raw(now, ...args));
  const cmd = (...args: Arg[]): RespJs => at(0, ...args);
  return { server, me, exec, raw, at, cmd };
}

describe('dispatch', () => {
  it('unknown_command_quotes_the_name_and_each_argument', () => {
    const { cmd } = world();
    expect(cmd('FOO', 'a', 'b c')).toEqual({ error: "ERR unknown command 'FOO', with args beginning with: 'a' 'b c' " });
    expect(cmd('nope')).toEqual({ error: "ERR unknown command 'nope', with args beginning with: " });
  });

  it('unknown_command_truncates_arguments_near_128_bytes_and_blanks_newlines', () => {
    const { cmd } = world();
    const long = 'x'.repeat(200);
    expect(cmd('foo', long, 'more')).toEqual({
      error: `ERR unknown command 'foo', with args beginning with: '${'x'.repeat(128)}' `,
    });
    expect(cmd('fo\r\no', 'a\nb')).toEqual({ error: "ERR unknown command 'fo  o', with args beginning with: 'a b' " });
  });

  it('command_names_are_case_insensitive', () => {
    const { cmd } = world();
    expect(cmd('sEt', 'k', 'v')).toBe('OK');
    expect(cmd('GeT', 'k')).toBe('v');
    expect(cmd('set', 'k2', 'v', 'nX')).toBe('OK');
  });

  it('wrong_arity_names_the_command_in_lower_case', () => {
    const { cmd } = world();
    expect(cmd('GET')).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(cmd('GET', 'a', 'b')).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(cmd('SET', 'k')).toEqual({ error: "ERR wrong number of arguments for 'set' command" });
    expect(cmd('LRANGE', 'k', '0')).toEqual({ error: "ERR wrong number of arguments for 'lrange' command" });
    expect(cmd('PING', 'a', 'b')).toEqual({ error: "ERR wrong number of arguments for 'ping' command" });
    expect(cmd('DBSIZE', 'x')).toEqual({ error: "ERR wrong number of arguments for 'dbsize' command" });
  });

  it('subcommand_arity_errors_use_the_parent_pipe_child_name', () => {
    const { cmd } = world();
    expect(cmd('CLIENT', 'SETNAME')).toEqual({ error: "ERR wrong number of arguments for 'client|setname' command" });
    expect(cmd('client', 'kill')).toEqual({ error: "ERR wrong number of arguments for 'client|kill' command" });
    expect(cmd('CLIENT')).toEqual({ error: "ERR wrong number of arguments for 'client' command" });
  });

  it('unknown_subcommand_suggests_help', () => {
    const { cmd } = world();
    expect(cmd('client', 'Bogus')).toEqual({ error: "ERR unknown subcommand 'Bogus'. Try CLIENT HELP." });
    expect(cmd('COMMAND', 'nope')).toEqual({ error: "ERR unknown subcommand 'nope'. Try COMMAND HELP." });
  });

  it('command_name_is_the_lower_case_first_argument', () => {
    expect(commandName([enc.encode('GET'), enc.encode('K')])).toBe('get');
    expect(commandName([])).toBe('');
  });

  it('unknown_command_is_reported_before_noauth_and_arity_before_noauth', () => {
    const { cmd } = world({ requirepass: 'pw' });
    expect(cmd('nope')).toEqual({ error: "ERR unknown command 'nope', with args beginning with: " });
    expect(cmd('GET')).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(cmd('GET', 'k')).toEqual({ error: 'NOAUTH Authentication required.' });
    expect(cmd('PING')).toEqual({ error: 'NOAUTH Authentication required.' });
  });
});

describe('PING, ECHO, QUIT, COMMAND', () => {
  it('ping_replies_pong_as_a_simple_string_or_echoes_its_argument_as_bulk', () => {
    const { raw } = world();
    expect(raw(0, 'PING')).toEqual({ type: 'simple', value: 'PONG' });
    expect(raw(0, 'PING', 'hi')).toEqual({ type: 'bulk', value: enc.encode('hi') });
    expect(raw(0, 'ECHO', 'yo')).toEqual({ type: 'bulk', value: enc.encode('yo') });
  });

  it('quit_replies_ok_and_closes', () => {
    const { exec } = world({ requirepass: 'pw' });
    expect(exec(0, 'QUIT')).toEqual({ kind: 'close', value: { type: 'simple', value: 'OK' } });
  });

  it('command_replies_an_empty_array_and_count_an_integer', () => {
    const { cmd } = world();
    expect(cmd('COMMAND')).toEqual([]);
    const n = cmd('COMMAND', 'COUNT');
    expect(typeof n === 'bigint' && n > 20n).toBe(true);
  });
});

describe('HELLO', () => {
  it('hello_3_switches_to_resp3_and_replies_a_map', () => {
    const { raw, me } = world();
    const r = raw(0, 'HELLO', '3');
    expect(me.protocol).toBe(3);
    expect(r.type).toBe('map');
    expect(respToJs(r)).toEqual(
      new Map<RespJs, RespJs>([
        ['server', 'redis'],
        ['version', '7.2.0'],
        ['proto', 3n],
        ['id', 7n],
        ['mode', 'standalone'],
        ['role', 'master'],
        ['modules', []],
      ]),
    );
  });

  it('hello_2_replies_a_flat_array_even_from_resp3', () => {
    const { raw, me } = world({ protocol: 3 });
    const r = raw(0, 'HELLO', '2');
    expect(me.protocol).toBe(2);
    expect(r.type).toBe('array');
    expect(respToJs(r)).toEqual(['server', 'redis', 'version', '7.2.0', 'proto', 2n, 'id', 7n, 'mode', 'standalone', 'role', 'master', 'modules', []]);
  });

  it('hello_without_version_keeps_the_protocol', () => {
    const { raw, me } = world({ protocol: 3 });
    expect(raw(0, 'HELLO').type).toBe('map');
    expect(me.protocol).toBe(3);
  });

  it('hello_4_and_hello_1_give_noproto_and_keep_the_protocol', () => {
    const { cmd, me } = world();
    expect(cmd('HELLO', '4')).toEqual({ error: 'NOPROTO unsupported protocol version' });
    expect(cmd('HELLO', '1')).toEqual({ error: 'NOPROTO unsupported protocol version' });
    expect(me.protocol).toBe(2);
  });

  it('hello_with_a_non_integer_version_says_so', () => {
    const { cmd } = world();
    expect(cmd('HELLO', 'three')).toEqual({ error: 'ERR Protocol version is not an integer or out of range' });
  });

  it('hello_rejects_unknown_or_incomplete_options', () => {
    const { cmd } = world();
    expect(cmd('HELLO', '3', 'FOO')).toEqual({ error: "ERR Syntax error in HELLO option 'FOO'" });
    expect(cmd('HELLO', '3', 'AUTH', 'default')).toEqual({ error: "ERR Syntax error in HELLO option 'AUTH'" });
  });

  it('hello_setname_names_the_client', () => {
    const { cmd, me } = world();
    cmd('HELLO', '3', 'SETNAME', 'worker-1');
    expect(me.name).toBe('worker-1');
    expect(cmd('HELLO', '3', 'SETNAME', 'bad name')).toEqual({
      error: 'ERR Client names cannot contain spaces, newlines or special characters.',
    });
  });

  it('hello_auth_authenticates_and_switches_in_one_step', () => {
    const { cmd, raw, me } = world({ requirepass: 'sekret' });
    expect(cmd('HELLO', '3', 'AUTH', 'default', 'wrong')).toEqual({
      error: 'WRONGPASS invalid username-password pair or user is disabled.',
    });
    expect(me.protocol).toBe(2);
    expect(raw(0, 'HELLO', '3', 'AUTH', 'default', 'sekret').type).toBe('map');
    expect(me.authenticated).toBe(true);
    expect(me.protocol).toBe(3);
  });

  it('hello_without_auth_on_a_protected_server_is_refused', () => {
    const { cmd, me } = world({ requirepass: 'sekret' });
    expect(cmd('HELLO', '3')).toEqual({
      error:
        'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    });
    expect(me.protocol).toBe(2);
  });
});

describe('AUTH', () => {
  it('auth_with_the_password_lets_commands_run', () => {
    const { cmd, me } = world({ requirepass: 'pw' });
    expect(cmd('AUTH', 'bad')).toEqual({ error: 'WRONGPASS invalid username-password pair or user is disabled.' });
    expect(me.authenticated).toBe(false);
    expect(cmd('AUTH', 'pw')).toBe('OK');
    expect(cmd('PING')).toBe('PONG');
  });

  it('auth_with_username_accepts_only_default', () => {
    const { cmd } = world({ requirepass: 'pw' });
    expect(cmd('AUTH', 'bob', 'pw')).toEqual({ error: 'WRONGPASS invalid username-password pair or user is disabled.' });
    expect(cmd('AUTH', 'default', 'pw')).toBe('OK');
  });

  it('auth_without_a_configured_password', () => {
    const { cmd } = world();
    expect(cmd('AUTH', 'x')).toEqual({
      error:
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    });
    expect(cmd('AUTH', 'default', 'anything')).toBe('OK');
  });

  it('auth_with_too_many_arguments_is_a_syntax_error', () => {
    const { cmd } = world({ requirepass: 'pw' });
    expect(cmd('AUTH', 'a', 'b', 'c')).toEqual(SYNTAX);
  });
});

describe('SELECT', () => {
  it('select_switches_between_separate_databases', () => {
    const { cmd, me } = world();
    cmd('SET', 'k', 'zero');
    expect(cmd('SELECT', '15')).toBe('OK');
    expect(me.db).toBe(15);
    expect(cmd('GET', 'k')).toBeNull();
    cmd('SET', 'k', 'fifteen');
    cmd('SELECT', '0');
    expect(cmd('GET', 'k')).toBe('zero');
  });

  it('select_out_of_range', () => {
    const { cmd, me } = world();
    expect(cmd('SELECT', '16')).toEqual({ error: 'ERR DB index is out of range' });
    expect(cmd('SELECT', '-1')).toEqual({ error: 'ERR DB index is out of range' });
    expect(cmd('SELECT', 'one')).toEqual(NOT_INT);
    expect(cmd('SELECT', '4294967296')).toEqual({
      error: 'ERR value is out of range, value must between -2147483648 and 2147483647',
    });
    expect(me.db).toBe(0);
  });
});

describe('GET and SET', () => {
  it('get_of_a_missing_key_is_a_null_bulk_in_resp2_and_null_in_resp3', () => {
    expect(world({ protocol: 2 }).raw(0, 'GET', 'nope')).toEqual({ type: 'bulk', value: null });
    expect(world({ protocol: 3 }).raw(0, 'GET', 'nope')).toEqual({ type: 'null' });
  });

  it('set_nx_only_sets_a_missing_key_and_xx_only_an_existing_one', () => {
    const { cmd, raw } = world();
    expect(cmd('SET', 'k', '1', 'XX')).toBeNull();
    expect(cmd('GET', 'k')).toBeNull();
    expect(cmd('SET', 'k', '1', 'NX')).toBe('OK');
    expect(raw(0, 'SET', 'k', '2', 'NX')).toEqual({ type: 'bulk', value: null });
    expect(cmd('SET', 'k', '3', 'XX')).toBe('OK');
    expect(cmd('GET', 'k')).toBe('3');
  });

  it('set_option_conflicts_are_syntax_errors', () => {
    const { cmd } = world();
    expect(cmd('SET', 'k', 'v', 'NX', 'XX')).toEqual(SYNTAX);
    expect(cmd('SET', 'k', 'v', 'EX', '10', 'PX', '100')).toEqual(SYNTAX);
    expect(cmd('SET', 'k', 'v', 'KEEPTTL', 'EX', '10')).toEqual(SYNTAX);
    expect(cmd('SET', 'k', 'v', 'PXAT', '10', 'KEEPTTL')).toEqual(SYNTAX);
    expect(cmd('SET', 'k', 'v', 'EX')).toEqual(SYNTAX);
    expect(cmd('SET', 'k', 'v', 'BOGUS')).toEqual(SYNTAX);
    expect(cmd('EXISTS', 'k')).toBe(0n);
    expect(cmd('SET', 'k', 'v', 'EX', '10', 'EX', '20')).toBe('OK'); // a repeated EX is allowed
    expect(cmd('TTL', 'k')).toBe(20n);
  });

  it('set_invalid_expire_times', () => {
    const { cmd } = world();
    const invalid = { error: "ERR invalid expire time in 'set' command" };
    expect(cmd('SET', 'k', 'v', 'EX', '0')).toEqual(invalid);
    expect(cmd('SET', 'k', 'v', 'PX', '-5')).toEqual(invalid);
    expect(cmd('SET', 'k', 'v', 'EX', '9223372036854775807')).toEqual(invalid);
    expect(cmd('SET', 'k', 'v', 'EX', '1.5')).toEqual(NOT_INT);
    expect(cmd('EXISTS', 'k')).toBe(0n);
  });

  it('set_get_returns_the_old_value_and_sets', () => {
    const { cmd } = world();
    expect(cmd('SET', 'k', 'a', 'GET')).toBeNull();
    expect(cmd('SET', 'k', 'b', 'GET')).toBe('a');
    expect(cmd('GET', 'k')).toBe('b');
  });

  it('set_nx_get_on_an_existing_key_returns_it_without_setting', () => {
    const { cmd } = world();
    cmd('SET', 'k', 'old');
    expect(cmd('SET', 'k', 'new', 'NX', 'GET')).toBe('old');
    expect(cmd('GET', 'k')).toBe('old');
  });

  it('set_get_on_a_list_is_wrongtype_and_changes_nothing_but_plain_set_overwrites', () => {
    const { cmd } = world();
    cmd('RPUSH', 'l', 'x');
    expect(cmd('SET', 'l', 'v', 'GET')).toEqual(WRONGTYPE);
    expect(cmd('LLEN', 'l')).toBe(1n);
    expect(cmd('SET', 'l', 'v')).toBe('OK');
    expect(cmd('GET', 'l')).toBe('v');
  });

  it('set_px_expires_at_the_virtual_microsecond', () => {
    const { at } = world();
    expect(at(0, 'SET', 'k', 'v', 'PX', '100')).toBe('OK');
    expect(at(99_999, 'GET', 'k')).toBe('v');
    expect(at(100_000, 'GET', 'k')).toBeNull();
    expect(at(100_000, 'EXISTS', 'k')).toBe(0n);
  });

  it('set_ex_counts_from_now_in_seconds', () => {
    const { at } = world();
    at(5_000_000, 'SET', 'k', 'v', 'EX', '10');
    expect(at(5_000_000, 'TTL', 'k')).toBe(10n);
    expect(at(5_000_000, 'PTTL', 'k')).toBe(10_000n);
    expect(at(14_999_999, 'GET', 'k')).toBe('v');
    expect(at(15_000_000, 'GET', 'k')).toBeNull();
  });

  it('set_exat_and_pxat_are_absolute_virtual_times', () => {
    const { at } = world();
    at(1_000_000, 'SET', 'a', 'v', 'EXAT', '3');
    at(1_000_000, 'SET', 'b', 'v', 'PXAT', '2500');
    expect(at(1_000_000, 'PTTL', 'a')).toBe(2000n);
    expect(at(2_499_999, 'GET', 'b')).toBe('v');
    expect(at(2_500_000, 'GET', 'b')).toBeNull();
    expect(at(2_999_999, 'GET', 'a')).toBe('v');
    expect(at(3_000_000, 'GET', 'a')).toBeNull();
  });

  it('set_without_keepttl_clears_the_ttl_and_with_it_keeps_it', () => {
    const { at } = world();
    at(0, 'SET', 'k', 'v', 'EX', '100');
    at(0, 'SET', 'k', 'w', 'KEEPTTL');
    expect(at(0, 'TTL', 'k')).toBe(100n);
    at(0, 'SET', 'k', 'x');
    expect(at(0, 'TTL', 'k')).toBe(-1n);
    expect(at(200_000_000, 'GET', 'k')).toBe('x');
  });

  it('keys_and_values_are_binary_safe', () => {
    const { raw, cmd } = world();
    const key = new Uint8Array([0x61, 0x00, 0xff, 0x0d, 0x0a]);
    const value = new Uint8Array([0x00, 0x80, 0xfe, 0xff]);
    expect(cmd('SET', key, value)).toBe('OK');
    expect(raw(0, 'GET', key)).toEqual({ type: 'bulk', value });
    expect(cmd('GET', 'a')).toBeNull();
    expect(cmd('EXISTS', key, new Uint8Array([0x61, 0x00]))).toBe(1n);
    expect(keyToBytes(keyFromBytes(key))).toEqual(key);
  });

  it('stored_values_do_not_alias_the_argument_buffer', () => {
    const { exec, raw, server, me } = world();
    const buf = enc.encode('abc');
    execute(server, me, [enc.encode('SET'), enc.encode('k'), buf], 0);
    buf[0] = 0x7a;
    expect(raw(0, 'GET', 'k')).toEqual({ type: 'bulk', value: enc.encode('abc') });
    expect(exec(0, 'GET', 'k').kind).toBe('reply');
  });
});

describe('DEL, EXISTS, MGET, MSET', () => {
  it('del_counts_keys_removed_once_each_and_exists_counts_repeats', () => {
    const { cmd } = world();
    cmd('SET', 'a', '1');
    cmd('RPUSH', 'b', 'x');
    expect(cmd('EXISTS', 'a', 'a', 'b', 'nope')).toBe(3n);
    expect(cmd('DEL', 'a', 'a', 'b', 'nope')).toBe(2n);
    expect(cmd('EXISTS', 'a', 'b')).toBe(0n);
  });

  it('del_of_an_expired_key_counts_nothing', () => {
    const { at } = world();
    at(0, 'SET', 'k', 'v', 'PX', '1');
    expect(at(1000, 'DEL', 'k')).toBe(0n);
  });

  it('mget_gives_null_for_missing_and_non_string_keys_in_the_clients_protocol', () => {
    const w2 = world();
    w2.cmd('SET', 'a', '1');
    w2.cmd('LPUSH', 'l', 'x');
    expect(w2.raw(0, 'MGET', 'a', 'nope', 'l')).toEqual({
      type: 'array',
      value: [
        { type: 'bulk', value: enc.encode('1') },
        { type: 'bulk', value: null },
        { type: 'bulk', value: null },
      ],
    });
    const w3 = world({ protocol: 3 });
    expect(w3.raw(0, 'MGET', 'nope')).toEqual({ type: 'array', value: [{ type: 'null' }] });
  });

  it('mset_sets_pairs_clears_ttls_and_rejects_an_odd_count', () => {
    const { cmd } = world();
    cmd('SET', 'a', 'old', 'EX', '10');
    expect(cmd('MSET', 'a', '1', 'b', '2')).toBe('OK');
    expect(cmd('MGET', 'a', 'b')).toEqual(['1', '2']);
    expect(cmd('TTL', 'a')).toBe(-1n);
    expect(cmd('MSET', 'a', '1', 'b')).toEqual({ error: "ERR wrong number of arguments for 'mset' command" });
    expect(cmd('MSET', 'a')).toEqual({ error: "ERR wrong number of arguments for 'mset' command" });
  });
});

describe('INCR family', () => {
  it('incr_incrby_decr_decrby_count_from_zero', () => {
    const { cmd } = world();
    expect(cmd('INCR', 'n')).toBe(1n);
    expect(cmd('INCRBY', 'n', '41')).toBe(42n);
    expect(cmd('DECR', 'n')).toBe(41n);
    expect(cmd('DECRBY', 'n', '50')).toBe(-9n);
    expect(cmd('GET', 'n')).toBe('-9');
  });

  it('incr_rejects_values_redis_does_not_parse_as_integers', () => {
    const { cmd } = world();
    for (const v of ['abc', ' 1', '1 ', '01', '+1', '-0', '1.0', '', '99999999999999999999']) {
      cmd('SET', 'n', v);
      expect(cmd('INCR', 'n'), JSON.stringify(v)).toEqual(NOT_INT);
    }
    expect(cmd('INCRBY', 'm', 'x')).toEqual(NOT_INT);
    expect(cmd('EXISTS', 'm')).toBe(0n);
  });

  it('incr_overflow_is_refused_and_leaves_the_value', () => {
    const { cmd } = world();
    cmd('SET', 'n', '9223372036854775807');
    expect(cmd('INCR', 'n')).toEqual({ error: 'ERR increment or decrement would overflow' });
    expect(cmd('GET', 'n')).toBe('9223372036854775807');
    cmd('SET', 'm', '-9223372036854775808');
    expect(cmd('DECR', 'm')).toEqual({ error: 'ERR increment or decrement would overflow' });
    expect(cmd('DECRBY', 'z', '-9223372036854775808')).toEqual({ error: 'ERR decrement would overflow' });
    expect(cmd('INCRBY', 'z', '9223372036854775808')).toEqual(NOT_INT);
  });

  it('incr_on_a_list_is_wrongtype', () => {
    const { cmd } = world();
    cmd('LPUSH', 'l', 'x');
    expect(cmd('INCR', 'l')).toEqual(WRONGTYPE);
  });

  it('incr_keeps_the_ttl', () => {
    const { at } = world();
    at(0, 'SET', 'n', '1', 'EX', '10');
    expect(at(0, 'INCR', 'n')).toBe(2n);
    expect(at(0, 'TTL', 'n')).toBe(10n);
  });
});

describe('EXPIRE, TTL, PTTL', () => {
  it('ttl_is_minus_two_when_missing_and_minus_one_without_expiry', () => {
    const { cmd } = world();
    expect(cmd('TTL', 'k')).toBe(-2n);
    expect(cmd('PTTL', 'k')).toBe(-2n);
    cmd('SET', 'k', 'v');
    expect(cmd('TTL', 'k')).toBe(-1n);
    expect(cmd('PTTL', 'k')).toBe(-1n);
  });

  it('expire_sets_a_ttl_that_counts_down_in_virtual_time', () => {
    const { at } = world();
    expect(at(0, 'EXPIRE', 'k', '10')).toBe(0n);
    at(0, 'SET', 'k', 'v');
    expect(at(0, 'EXPIRE', 'k', '10')).toBe(1n);
    expect(at(2_500_000, 'PTTL', 'k')).toBe(7500n);
    expect(at(2_500_000, 'TTL', 'k')).toBe(8n); // (7500 + 500) / 1000
    expect(at(2_500_999, 'TTL', 'k')).toBe(8n); // PTTL still 7500: partial ms round up
    expect(at(2_501_000, 'TTL', 'k')).toBe(7n);
    expect(at(10_000_000, 'TTL', 'k')).toBe(-2n);
  });

  it('ttl_rounds_milliseconds_to_the_nearest_second_half_up', () => {
    const { at } = world();
    at(0, 'SET', 'a', 'v', 'PX', '1499');
    at(0, 'SET', 'b', 'v', 'PX', '1500');
    expect(at(0, 'TTL', 'a')).toBe(1n);
    expect(at(0, 'TTL', 'b')).toBe(2n);
    expect(at(99_000, 'PTTL', 'a')).toBe(1400n);
  });

  it('expire_with_zero_or_negative_deletes_the_key', () => {
    const { cmd } = world();
    cmd('SET', 'a', 'v');
    cmd('SET', 'b', 'v');
    expect(cmd('EXPIRE', 'a', '0')).toBe(1n);
    expect(cmd('EXPIRE', 'b', '-10')).toBe(1n);
    expect(cmd('EXISTS', 'a', 'b')).toBe(0n);
  });

  it('expire_nx_xx_gt_lt', () => {
    const { cmd } = world();
    cmd('SET', 'k', 'v');
    expect(cmd('EXPIRE', 'k', '100', 'XX')).toBe(0n);
    expect(cmd('EXPIRE', 'k', '100', 'GT')).toBe(0n); // no TTL counts as infinite
    expect(cmd('EXPIRE', 'k', '100', 'NX')).toBe(1n);
    expect(cmd('EXPIRE', 'k', '50', 'NX')).toBe(0n);
    expect(cmd('EXPIRE', 'k', '50', 'GT')).toBe(0n);
    expect(cmd('EXPIRE', 'k', '200', 'gt')).toBe(1n);
    expect(cmd('EXPIRE', 'k', '300', 'LT')).toBe(0n);
    expect(cmd('EXPIRE', 'k', '150', 'LT', 'XX')).toBe(1n);
    expect(cmd('TTL', 'k')).toBe(150n);
  });

  it('expire_option_errors', () => {
    const { cmd } = world();
    cmd('SET', 'k', 'v');
    expect(cmd('EXPIRE', 'k', '10', 'NX', 'XX')).toEqual({
      error: 'ERR NX and XX, GT or LT options at the same time are not compatible',
    });
    expect(cmd('EXPIRE', 'k', '10', 'GT', 'LT')).toEqual({ error: 'ERR GT and LT options at the same time are not compatible' });
    expect(cmd('EXPIRE', 'k', '10', 'FOO')).toEqual({ error: 'ERR Unsupported option FOO' });
    expect(cmd('EXPIRE', 'k', 'ten')).toEqual(NOT_INT);
    expect(cmd('EXPIRE', 'k', '9223372036854775807')).toEqual({ error: "ERR invalid expire time in 'expire' command" });
    expect(cmd('TTL', 'k')).toBe(-1n);
  });
});

describe('lists', () => {
  it('lpush_and_rpush_order_and_lrange', () => {
    const { cmd } = world();
    expect(cmd('LPUSH', 'l', 'a', 'b', 'c')).toBe(3n);
    expect(cmd('RPUSH', 'l', 'd')).toBe(4n);
    expect(cmd('LRANGE', 'l', '0', '-1')).toEqual(['c', 'b', 'a', 'd']);
    expect(cmd('LRANGE', 'l', '-2', '100')).toEqual(['a', 'd']);
    expect(cmd('LRANGE', 'l', '-100', '0')).toEqual(['c']);
    expect(cmd('LRANGE', 'l', '3', '1')).toEqual([]);
    expect(cmd('LRANGE', 'l', '9', '10')).toEqual([]);
    expect(cmd('LRANGE', 'nope', '0', '-1')).toEqual([]);
    expect(cmd('LRANGE', 'l', 'a', '1')).toEqual(NOT_INT);
    expect(cmd('LLEN', 'l')).toBe(4n);
    expect(cmd('LLEN', 'nope')).toBe(0n);
  });

  it('list_and_string_commands_refuse_each_others_keys', () => {
    const { cmd } = world();
    cmd('SET', 's', 'v');
    cmd('RPUSH', 'l', 'x');
    expect(cmd('LPUSH', 's', 'x')).toEqual(WRONGTYPE);
    expect(cmd('RPUSH', 's', 'x')).toEqual(WRONGTYPE);
    expect(cmd('LPOP', 's')).toEqual(WRONGTYPE);
    expect(cmd('LLEN', 's')).toEqual(WRONGTYPE);
    expect(cmd('LRANGE', 's', '0', '1')).toEqual(WRONGTYPE);
    expect(cmd('GET', 'l')).toEqual(WRONGTYPE);
  });

  it('lpop_and_rpop_take_one_element_or_null', () => {
    const { cmd, raw } = world();
    cmd('RPUSH', 'l', 'a', 'b', 'c');
    expect(cmd('LPOP', 'l')).toBe('a');
    expect(cmd('RPOP', 'l')).toBe('c');
    expect(raw(0, 'LPOP', 'nope')).toEqual({ type: 'bulk', value: null });
    expect(world({ protocol: 3 }).raw(0, 'RPOP', 'nope')).toEqual({ type: 'null' });
  });

  it('pop_with_count_returns_up_to_count_in_pop_order', () => {
    const { cmd } = world();
    cmd('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    expect(cmd('LPOP', 'l', '2')).toEqual(['a', 'b']);
    expect(cmd('RPOP', 'l', '2')).toEqual(['e', 'd']);
    expect(cmd('LPOP', 'l', '0')).toEqual([]);
    expect(cmd('RPOP', 'l', '10')).toEqual(['c']);
    expect(cmd('EXISTS', 'l')).toBe(0n);
  });

  it('pop_with_count_on_a_missing_key_is_a_null_array_per_protocol', () => {
    expect(world().raw(0, 'LPOP', 'nope', '2')).toEqual({ type: 'array', value: null });
    expect(world().raw(0, 'LPOP', 'nope', '0')).toEqual({ type: 'array', value: null });
    expect(world({ protocol: 3 }).raw(0, 'RPOP', 'nope', '2')).toEqual({ type: 'null' });
  });

  it('pop_count_errors', () => {
    const { cmd } = world();
    cmd('RPUSH', 'l', 'a');
    const positive = { error: 'ERR value is out of range, must be positive' };
    expect(cmd('LPOP', 'l', '-1')).toEqual(positive);
    expect(cmd('LPOP', 'l', 'two')).toEqual(positive);
    expect(cmd('LPOP', 'l', '1', '2')).toEqual({ error: "ERR wrong number of arguments for 'lpop' command" });
    expect(cmd('LLEN', 'l')).toBe(1n);
  });

  it('an_emptied_list_no_longer_exists', () => {
    const { cmd } = world();
    cmd('LPUSH', 'l', 'x');
    cmd('LPOP', 'l');
    expect(cmd('EXISTS', 'l')).toBe(0n);
    expect(cmd('DBSIZE')).toBe(0n);
    expect(cmd('SET', 'l', 'now a string', 'GET')).toBeNull();
  });
});

describe('BLPOP and ready keys', () => {
  it('blpop_pops_from_the_first_non_empty_key_at_once', () => {
    const { cmd, exec } = world();
    cmd('RPUSH', 'b', 'x', 'y');
    expect(cmd('BLPOP', 'a', 'b', '0')).toEqual(['b', 'x']);
    expect(cmd('BLPOP', 'b', '5')).toEqual(['b', 'y']);
    expect(cmd('EXISTS', 'b')).toBe(0n);
    expect(exec(0, 'BLPOP', 'b', '1').kind).toBe('block');
  });

  it('blpop_blocks_with_the_timeout_in_microseconds_rounded_up_to_a_millisecond', () => {
    const { exec } = world();
    expect(exec(0, 'BLPOP', 'a', 'b', '1.5')).toEqual({ kind: 'block', keys: ['a', 'b'], timeoutUs: 1_500_000 });
    expect(exec(0, 'BLPOP', 'a', '0')).toEqual({ kind: 'block', keys: ['a'], timeoutUs: null });
    expect(exec(0, 'BLPOP', 'a', '0.0001')).toEqual({ kind: 'block', keys: ['a'], timeoutUs: 1000 });
    expect(exec(0, 'BLPOP', 'a', '2')).toEqual({ kind: 'block', keys: ['a'], timeoutUs: 2_000_000 });
    expect(exec(0, 'BLPOP', 'a', '1e1')).toEqual({ kind: 'block', keys: ['a'], timeoutUs: 10_000_000 });
  });

  it('blpop_timeout_errors', () => {
    const { cmd } = world();
    expect(cmd('BLPOP', 'a', '-1')).toEqual({ error: 'ERR timeout is negative' });
    expect(cmd('BLPOP', 'a', 'soon')).toEqual({ error: 'ERR timeout is not a float or out of range' });
    expect(cmd('BLPOP', 'a', ' 1')).toEqual({ error: 'ERR timeout is not a float or out of range' });
    expect(cmd('BLPOP', 'a', 'nan')).toEqual({ error: 'ERR timeout is not a float or out of range' });
    expect(cmd('BLPOP', 'a', 'inf')).toEqual({ error: 'ERR timeout is out of range' });
    expect(cmd('BLPOP', 'a', '1e300')).toEqual({ error: 'ERR timeout is out of range' });
    expect(cmd('BLPOP', 'a')).toEqual({ error: "ERR wrong number of arguments for 'blpop' command" });
  });

  it('blpop_on_a_string_key_is_wrongtype', () => {
    const { cmd } = world();
    cmd('SET', 's', 'v');
    expect(cmd('BLPOP', 'nope', 's', '0')).toEqual(WRONGTYPE);
  });

  it('take_ready_keys_lists_new_lists_in_order_once_and_clears', () => {
    const { cmd, server } = world();
    expect(takeReadyKeys(server)).toEqual([]);
    cmd('LPUSH', 'k', 'a');
    cmd('RPUSH', 'j', 'b');
    cmd('LPUSH', 'k', 'c');
    cmd('SET', 's', 'v');
    expect(takeReadyKeys(server)).toEqual(['k', 'j']);
    expect(takeReadyKeys(server)).toEqual([]);
  });

  it('a_blocked_blpop_retried_after_a_push_gets_the_element', () => {
    const { server } = world();
    const waiter = client({ id: 1 });
    const pusher = client({ id: 2 });
    const run = (c: ClientState, now: number, ...a: string[]) => execute(server, c, a.map(bytes), now);
    expect(run(waiter, 0, 'BLPOP', 'q', '0').kind).toBe('block');
    run(pusher, 10, 'RPUSH', 'q', 'job');
    expect(takeReadyKeys(server)).toEqual(['q']);
    const r = run(waiter, 10, 'BLPOP', 'q', '0');
    expect(r.kind === 'reply' && respToJs(r.value)).toEqual(['q', 'job']);
  });
});

describe('DBSIZE and flushing', () => {
  it('dbsize_does_not_count_expired_keys', () => {
    const { at } = world();
    at(0, 'SET', 'a', '1', 'PX', '10');
    at(0, 'SET', 'b', '2');
    at(0, 'RPUSH', 'c', 'x');
    expect(at(9_999, 'DBSIZE')).toBe(3n);
    expect(at(10_000, 'DBSIZE')).toBe(2n);
  });

  it('flushdb_empties_the_selected_database_and_flushall_every_one', () => {
    const { cmd } = world();
    cmd('SET', 'a', '1');
    cmd('SELECT', '1');
    cmd('SET', 'b', '1');
    expect(cmd('FLUSHDB')).toBe('OK');
    expect(cmd('DBSIZE')).toBe(0n);
    cmd('SELECT', '0');
    expect(cmd('DBSIZE')).toBe(1n);
    expect(cmd('FLUSHALL', 'ASYNC')).toBe('OK');
    expect(cmd('DBSIZE')).toBe(0n);
    expect(cmd('FLUSHALL', 'later')).toEqual(SYNTAX);
  });

  it('flush_all_helper_empties_every_database', () => {
    const { cmd, server } = world();
    cmd('SET', 'a', '1');
    cmd('SELECT', '3');
    cmd('SET', 'a', '1');
    flushAll(server);
    expect(server.dbs.every((db) => db.size(0) === 0)).toBe(true);
    expect(server.dbs).toHaveLength(16);
  });
});

describe('DEBUG SLEEP', () => {
  it('debug_sleep_asks_the_loop_to_sleep_then_reply_ok', () => {
    const { exec } = world();
    const ok = { type: 'simple', value: 'OK' };
    expect(exec(0, 'DEBUG', 'SLEEP', '0.5')).toEqual({ kind: 'sleep', us: 500_000, value: ok });
    expect(exec(0, 'debug', 'sleep', '2')).toEqual({ kind: 'sleep', us: 2_000_000, value: ok });
    expect(exec(0, 'DEBUG', 'SLEEP', 'abc')).toEqual({ kind: 'sleep', us: 0, value: ok }); // strtod: 0
    expect(exec(0, 'DEBUG', 'SLEEP', '-1')).toEqual({ kind: 'sleep', us: 0, value: ok });
  });

  it('debug_unknown_subcommand', () => {
    const { cmd } = world();
    expect(cmd('DEBUG', 'nap')).toEqual({
      error: "ERR unknown subcommand or wrong number of arguments for 'nap'. Try DEBUG HELP.",
    });
    expect(cmd('DEBUG', 'SLEEP')).toEqual({
      error: "ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.",
    });
  });
});

describe('CLIENT', () => {
  it('client_id_setname_getname', () => {
    const { cmd, raw, me } = world();
    expect(cmd('CLIENT', 'ID')).toBe(7n);
    expect(raw(0, 'CLIENT', 'GETNAME')).toEqual({ type: 'bulk', value: null });
    expect(cmd('CLIENT', 'SETNAME', 'app')).toBe('OK');
    expect(me.name).toBe('app');
    expect(cmd('CLIENT', 'GETNAME')).toBe('app');
    expect(cmd('CLIENT', 'SETNAME', 'two words')).toEqual({
      error: 'ERR Client names cannot contain spaces, newlines or special characters.',
    });
    expect(cmd('CLIENT', 'SETNAME', '')).toBe('OK');
    expect(me.name).toBeNull();
  });

  it('client_getname_without_a_name_is_null_in_resp3', () => {
    expect(world({ protocol: 3 }).raw(0, 'CLIENT', 'GETNAME')).toEqual({ type: 'null' });
  });

  it('client_kill_with_filters_calls_back_and_replies_the_count', () => {
    const calls: Array<[KillFilter, number]> = [];
    const { cmd } = world({
      kill: (filter, self) => {
        calls.push([filter, self.id]);
        return filter.id === 5 ? 1 : 0;
      },
    });
    expect(cmd('CLIENT', 'KILL', 'ID', '5')).toBe(1n);
    expect(cmd('CLIENT', 'KILL', 'addr', '10.0.0.1:5000', 'SKIPME', 'no')).toBe(0n);
    expect(calls).toEqual([
      [{ id: 5, skipMe: true }, 7],
      [{ addr: '10.0.0.1:5000', skipMe: false }, 7],
    ]);
  });

  it('client_kill_old_style_replies_ok_or_no_such_client', () => {
    const filters: KillFilter[] = [];
    const { cmd } = world({
      kill: (f) => {
        filters.push(f);
        return f.addr === '1.2.3.4:5' ? 1 : 0;
      },
    });
    expect(cmd('CLIENT', 'KILL', '1.2.3.4:5')).toBe('OK');
    expect(cmd('CLIENT', 'KILL', '9.9.9.9:9')).toEqual({ error: 'ERR No such client' });
    expect(filters[0]).toEqual({ addr: '1.2.3.4:5', skipMe: false });
  });

  it('client_kill_argument_errors', () => {
    let called = 0;
    const { cmd } = world({ kill: () => ++called });
    expect(cmd('CLIENT', 'KILL', 'ID', '0')).toEqual({ error: 'ERR client-id should be greater than 0' });
    expect(cmd('CLIENT', 'KILL', 'ID', 'x')).toEqual({ error: 'ERR client-id should be greater than 0' });
    expect(cmd('CLIENT', 'KILL', 'SKIPME', 'maybe')).toEqual(SYNTAX);
    expect(cmd('CLIENT', 'KILL', 'ID', '3', 'ADDR')).toEqual(SYNTAX);
    expect(cmd('CLIENT', 'KILL', 'COLOR', 'red')).toEqual(SYNTAX);
    expect(cmd('CLIENT', 'KILL', 'USER', 'bob')).toEqual({ error: "ERR No such user 'bob'" });
    expect(cmd('CLIENT', 'KILL', 'TYPE', 'alien')).toEqual({ error: "ERR Unknown client type 'alien'" });
    expect(called).toBe(0);
  });

  it('client_list_and_info_describe_clients', () => {
    const other = client({ id: 9, name: 'bg', db: 2 });
    const w = world();
    w.server.clientList = () => [w.me, other];
    const list = w.cmd('CLIENT', 'LIST');
    expect(typeof list === 'string' && list.split('\n').filter(Boolean).length).toBe(2);
    expect(list).toContain('id=9 name=bg flags=N db=2');
    expect(w.cmd('CLIENT', 'LIST', 'ID', '9')).toMatch(/^id=9 /);
    expect(w.cmd('CLIENT', 'SETINFO', 'LIB-NAME', 'mylib')).toBe('OK');
    expect(w.cmd('CLIENT', 'INFO')).toContain('lib-name=mylib');
    expect(w.cmd('CLIENT', 'SETINFO', 'color', 'x')).toEqual({ error: "ERR Unrecognized option 'color'" });
  });
});

describe('INFO', () => {
  it('info_reports_version_loading_and_keyspace', () => {
    const { cmd } = world();
    cmd('SET', 'a', '1', 'EX', '5');
    cmd('SET', 'b', '1');
    const info = cmd('INFO');
    expect(info).toContain('redis_version:7.2.0\r\n');
    expect(info).toContain('loading:0\r\n');
    expect(info).toContain('db0:keys=2,expires=1,avg_ttl=0');
    expect(cmd('INFO', 'keyspace')).toBe('# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n');
  });
});

describe('Keyspace', () => {
  it('lazy_expiry_removes_an_entry_when_looked_at', () => {
    const ks = new Keyspace();
    ks.set('k', { kind: 'string', value: enc.encode('v'), expireAt: 50 });
    expect(ks.get('k', 49)?.kind).toBe('string');
    expect(ks.get('k', 50)).toBeUndefined();
    expect(ks.size(0)).toBe(0);
  });
});

// Reference model for the property test: strings and lists only.
type Model = Map<string, string | string[]>;
type Op =
  | { op: 'SET'; key: string; value: string }
  | { op: 'GET' | 'DEL' | 'INCR' | 'LPOP'; key: string }
  | { op: 'LPUSH'; key: string; value: string };

const INT64_MAX = (1n << 63n) - 1n;

function modelStep(m: Model, o: Op): RespJs {
  const cur = m.get(o.key);
  switch (o.op) {
    case 'SET':
      m.set(o.key, o.value);
      return 'OK';
    case 'GET':
      if (cur === undefined) return null;
      return typeof cur === 'string' ? cur : WRONGTYPE;
    case 'DEL':
      return m.delete(o.key) ? 1n : 0n;
    case 'INCR': {
      if (Array.isArray(cur)) return WRONGTYPE;
      const s = cur ?? '0';
      if (!/^(0|-?[1-9][0-9]*)$/.test(s) || s.length > 20) return NOT_INT;
      const v = BigInt(s);
      if (v > INT64_MAX || v < -INT64_MAX - 1n) return NOT_INT;
      if (v === INT64_MAX) return { error: 'ERR increment or decrement would overflow' };
      m.set(o.key, String(v + 1n));
      return v + 1n;
    }
    case 'LPUSH': {
      if (typeof cur === 'string') return WRONGTYPE;
      const list = cur ?? [];
      list.unshift(o.value);
      m.set(o.key, list);
      return BigInt(list.length);
    }
    case 'LPOP': {
      if (cur === undefined) return null;
      if (typeof cur === 'string') return WRONGTYPE;
      const v = cur.shift()!;
      if (cur.length === 0) m.delete(o.key);
      return v;
    }
  }
}

describe('property: commands match a reference model', () => {
  it('random_set_get_del_incr_lpush_lpop_sequences_agree_with_the_model', () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const value = fc.oneof(
      fc.constantFrom('0', '1', '-1', '41', '007', 'abc', '', '9223372036854775806', '9223372036854775807', '-9223372036854775808'),
      fc.integer({ min: -1000, max: 1000 }).map(String),
    );
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('SET' as const), key, value }),
      fc.record({ op: fc.constantFrom('GET' as const, 'DEL' as const, 'INCR' as const, 'LPOP' as const), key }),
      fc.record({ op: fc.constant('LPUSH' as const), key, value }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const { cmd } = world();
        const model: Model = new Map();
        for (const o of ops) {
          const args = 'value' in o ? [o.op, o.key, o.value] : [o.op, o.key];
          expect(cmd(...args)).toEqual(modelStep(model, o));
        }
        expect(cmd('DBSIZE')).toBe(BigInt(model.size));
      }),
      { numRuns: 300 },
    );
  });
});

describe('arguments decoded as views of the bytes received', () => {
  it('what the server keeps is its own copy: changing the command bytes afterwards changes nothing', async () => {
    const { RespCommandDecoder, encodeCommand } = await import('../../sim/resp/index.js');
    const server = createServerState({ requirepass: null });
    const me = client();
    const chunk = encodeCommand(['RPUSH', 'q', 'one']);
    const set = encodeCommand(['SET', 'k', 'value']);
    const decoder = new RespCommandDecoder();
    for (const bytesIn of [chunk, set]) {
      for (const argv of decoder.feed(bytesIn)) execute(server, me, argv, 0);
      bytesIn.fill(0x41);
    }
    const get = execute(server, me, [bytes('GET'), bytes('k')], 1);
    const pop = execute(server, me, [bytes('LPOP'), bytes('q')], 1);
    expect(get.kind === 'reply' && respToJs(get.value)).toBe('value');
    expect(pop.kind === 'reply' && respToJs(pop.value)).toBe('one');
  });
});
