/**
 * What gen_tcp promises process code, as one contract both stacks satisfy: the simulated Network
 * (tests/unit/socket-contract.test.ts) and Node's real sockets (tests/real/socket-contract.test.ts).
 * Each case runs a process against a scripted server and looks only at what process code can see:
 * recv's results, the mailbox, send's result, and what the server saw. Nothing here depends on
 * how long anything takes (real sockets cut and merge bytes as they like: text is compared whole).
 */
import { describe, expect, it } from 'vitest';
import { ms } from '../../../sim/kernel/time.js';
import { tcp, type TcpStack } from '../../../sim/net/index.js';
import { TIMEOUT, type Ctx, type Gen, type Pid } from '../../../sim/runtime/index.js';

/** The server's end of one connection. */
export interface ServerSide {
  write(text: string): void;
  /** An orderly close (FIN). */
  close(): void;
}

/** What the test's server does; every connection to it is handled the same way. */
export interface ScriptedServer {
  accept?(c: ServerSide): void;
  data?(c: ServerSide, text: string): void;
}

/** What the server saw, for the process to wait on. */
export interface ServerLog {
  accepted: number;
  received: string;
  /** Connections the client closed (or that closed with it). */
  closed: number;
}

export interface SocketWorld {
  /** Runs `main` as a process of a fresh world with `server` at `address`; resolves with what it returns. */
  run<T>(server: ScriptedServer, main: (ctx: Ctx, stack: TcpStack, address: string, log: ServerLog) => Gen<T>): Promise<T>;
  /** An address nothing listens on. */
  refusedAddress(): Promise<string>;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);
const LONG = ms(2000);

/** Waits (in steps of 1 ms of the world's clock) until `f` holds, at most 2 s; returns whether it did. */
function* until(ctx: Ctx, f: () => boolean): Gen<boolean> {
  for (let i = 0; i < 2000 && !f(); i++) yield* ctx.sleep(ms(1));
  return f();
}

function* open(ctx: Ctx, stack: TcpStack, address: string, active: tcp.ConnectOptions['active']): Gen<tcp.Socket> {
  const r = yield* tcp.connect(ctx, stack, address, { active, timeout: LONG });
  if (!r.ok) throw new Error(`connect failed: ${r.error}`);
  return r.socket;
}

/** Everything recv returns until an error: the text, then the error. */
function* readAll(ctx: Ctx, socket: tcp.Socket): Gen<[string, string]> {
  let got = '';
  for (;;) {
    const r = yield* tcp.recv(ctx, socket, 0, LONG);
    if (!r.ok) return [got, r.error];
    got += text(r.data);
  }
}

/** Active messages until `stop` holds of the text, or a tcp_closed, or 2 s pass. */
function* readMessages(ctx: Ctx, socket: tcp.Socket, stop: (got: string) => boolean = () => false): Gen<{ got: string; closed: number }> {
  let got = '';
  let closed = 0;
  while (closed === 0 && !stop(got)) {
    const m = yield* ctx.receive((x): x is tcp.TcpData | tcp.TcpClosed => tcp.isTcpData(x, socket) || tcp.isTcpClosed(x, socket), LONG);
    if (m === TIMEOUT) break;
    if (tcp.isTcpClosed(m)) closed++;
    else got += text(m.data);
  }
  return { got, closed };
}

const anyTcpMessage = (ctx: Ctx, socket: tcp.Socket) => ctx.poll((x): x is unknown => tcp.isTcpData(x, socket) || tcp.isTcpClosed(x, socket)) !== undefined;

const greetAndClose = (greeting: string): ScriptedServer => ({
  accept(c) {
    c.write(greeting);
    c.close();
  },
});
const echo: ScriptedServer = { data: (c, t) => c.write(t) };

export function socketContract(name: string, world: SocketWorld): void {
  describe(`the socket contract: ${name}`, () => {
    it('a_passive_socket_returns_what_arrived_then_closed_once_the_peer_closed', async () => {
      const seen = await world.run(greetAndClose('hello'), function* (ctx, stack, address) {
        const s = yield* open(ctx, stack, address, false);
        const [got, error] = yield* readAll(ctx, s);
        const again = yield* tcp.recv(ctx, s, 0, LONG);
        return { got, error, again: again.ok ? 'data' : again.error, send: tcp.send(ctx, s, bytes('x')), isClosed: s.isClosed, mailbox: anyTcpMessage(ctx, s) };
      });
      expect(seen).toEqual({ got: 'hello', error: 'closed', again: 'closed', send: { ok: false, error: 'closed' }, isClosed: true, mailbox: false });
    });

    it('an_active_socket_sends_its_bytes_as_messages_then_one_tcp_closed', async () => {
      const seen = await world.run(
        {
          accept(c) {
            c.write('one ');
            c.write('two');
            c.close();
          },
        },
        function* (ctx, stack, address) {
          const s = yield* open(ctx, stack, address, true);
          const r = yield* readMessages(ctx, s);
          yield* ctx.sleep(ms(20));
          return { ...r, more: anyTcpMessage(ctx, s), closed: r.closed, socketClosed: s.closed };
        },
      );
      expect(seen).toEqual({ got: 'one two', closed: 1, more: false, socketClosed: true });
    });

    it('an_active_once_socket_sends_one_message_and_keeps_the_rest_for_recv', async () => {
      const seen = await world.run(
        {
          accept: (c) => c.write('one'),
          data: (c) => c.write('two'),
        },
        function* (ctx, stack, address) {
          const s = yield* open(ctx, stack, address, 'once');
          const first = yield* readMessages(ctx, s, (got) => got.length > 0);
          const mode = s.active;
          tcp.send(ctx, s, bytes('more'));
          const r = yield* tcp.recv(ctx, s, 3, LONG);
          return { first: first.got, mode, second: r.ok ? text(r.data) : r.error, mailbox: anyTcpMessage(ctx, s) };
        },
      );
      expect(seen).toEqual({ first: 'one', mode: false, second: 'two', mailbox: false });
    });

    it('switching_to_active_hands_over_what_was_buffered_then_the_close_that_followed_it', async () => {
      const seen = await world.run(greetAndClose('buffered'), function* (ctx, stack, address) {
        const s = yield* open(ctx, stack, address, false);
        const ready = yield* until(ctx, () => s.pending === 8 && s.peerClosed);
        const before = { pending: s.pending, closed: s.closed, isClosed: s.isClosed };
        tcp.setActive(ctx, s, true);
        const r = yield* readMessages(ctx, s);
        return { ready, before, ...r, pendingAfter: s.pending };
      });
      expect(seen).toEqual({ ready: true, before: { pending: 8, closed: false, isClosed: false }, got: 'buffered', closed: 1, pendingAfter: 0 });
    });

    it('closing_its_own_side_sends_no_tcp_closed_fails_later_sends_and_the_server_sees_it', async () => {
      const seen = await world.run({}, function* (ctx, stack, address, log) {
        const s = yield* open(ctx, stack, address, true);
        tcp.close(ctx, s);
        const send = tcp.send(ctx, s, bytes('late'));
        const serverSaw = yield* until(ctx, () => log.closed === 1);
        yield* ctx.sleep(ms(20));
        return { send, serverSaw, received: log.received, mailbox: anyTcpMessage(ctx, s), closed: s.closed };
      });
      expect(seen).toEqual({ send: { ok: false, error: 'closed' }, serverSaw: true, received: '', mailbox: false, closed: true });
    });

    it('a_socket_closes_when_its_controlling_process_exits', async () => {
      const seen = await world.run({}, function* (ctx, stack, address, log) {
        let connected = false;
        ctx.spawn(function* (c) {
          yield* open(c, stack, address, false);
          connected = true;
        });
        const up = yield* until(ctx, () => connected);
        const serverSaw = yield* until(ctx, () => log.closed === 1);
        return { up, accepted: log.accepted, serverSaw };
      });
      expect(seen).toEqual({ up: true, accepted: 1, serverSaw: true });
    });

    it('only_the_owner_hands_a_socket_over_and_its_messages_then_go_to_the_new_owner', async () => {
      const seen = await world.run(echo, function* (ctx, stack, address) {
        const s = yield* open(ctx, stack, address, true);
        let taken: string | null = null;
        let childGot: string | null = null;
        const child: Pid = ctx.spawn(function* (c) {
          const r = tcp.controllingProcess(c, s, c.self);
          taken = r.ok ? 'ok' : r.error;
          childGot = (yield* readMessages(c, s, (got) => got.length >= 7)).got;
        });
        yield* until(ctx, () => taken !== null);
        const handed = tcp.controllingProcess(ctx, s, child);
        const again = tcp.controllingProcess(ctx, s, ctx.self);
        tcp.send(ctx, s, bytes('echo me'));
        yield* until(ctx, () => childGot !== null);
        return { taken, handed, again: again.ok ? 'ok' : again.error, owner: s.owner === child, childGot, mine: anyTcpMessage(ctx, s) };
      });
      expect(seen).toEqual({ taken: 'not_owner', handed: { ok: true }, again: 'not_owner', owner: true, childGot: 'echo me', mine: false });
    });

    it('a_connect_where_nothing_listens_is_refused', async () => {
      const refused = await world.refusedAddress();
      const seen = await world.run({}, function* (ctx, stack) {
        return yield* tcp.connect(ctx, stack, refused, { timeout: LONG });
      });
      expect(seen).toEqual({ ok: false, error: 'econnrefused' });
    });

    it('a_recv_that_times_out_leaves_the_socket_readable', async () => {
      const seen = await world.run(echo, function* (ctx, stack, address) {
        const s = yield* open(ctx, stack, address, false);
        const first = yield* tcp.recv(ctx, s, 0, ms(5));
        tcp.send(ctx, s, bytes('ping'));
        const second = yield* tcp.recv(ctx, s, 4, LONG);
        return { first: first.ok ? 'data' : first.error, second: second.ok ? text(second.data) : second.error };
      });
      expect(seen).toEqual({ first: 'timeout', second: 'ping' });
    });

    it('recv_on_an_active_socket_is_refused', async () => {
      const seen = await world.run({}, function* (ctx, stack, address) {
        const s = yield* open(ctx, stack, address, true);
        try {
          yield* tcp.recv(ctx, s, 0, LONG);
          return 'read';
        } catch (e) {
          return String(e);
        }
      });
      expect(seen).toMatch(/recv on socket \d+ in active mode/);
    });
  });
}
