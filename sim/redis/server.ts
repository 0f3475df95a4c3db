/**
 * A simulated Redis: one single-threaded event loop serving every connection, speaking real RESP.
 *
 * Modelled on Redis's ae event loop and networking.c: when a connection is readable the server
 * reads everything that has arrived (one read event, with a fixed overhead), runs every complete
 * command in it (each with its own cost), and writes the replies at the end of the event, so a
 * pipeline is cheaper per command than the same commands one round trip apart. One connection
 * at a time: while a command runs, every other connection waits. BLPOP blocks only its own
 * connection; DEBUG SLEEP blocks the whole server. A restart drops every connection and the data.
 */
import { concatBytes } from '../kernel/bytes.js';
import { Fifo } from '../kernel/fifo.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Rng } from '../kernel/rng.js';
import type { Micros } from '../kernel/time.js';
import type { Network, ServerConn, ServerHandler } from '../net/network.js';
import { RespCommandDecoder, RespProtocolError, encode, type RespEncodeOptions, type RespValue } from '../resp/index.js';
import { commandName, createServerState, execute, executeValue, flushAll, takeReadyKeys, type ClientState, type ServerState } from './commands.js';
import { TraceEvent } from '../kernel/trace.js';

/** Recorded for every command and read event: declared once (Trace.emit). */
const REDIS_EXEC = new TraceEvent('redis.exec', ['conn', 'i', 'cmd'], (f, conn, i, cmd) => {
  f.conn = conn;
  f.i = i;
  f.cmd = cmd;
});
const REDIS_EVENT = new TraceEvent('redis.event', ['conn', 'commands', 'us'], (f, conn, commands, us) => {
  f.conn = conn;
  f.commands = commands;
  f.us = us;
});

declare module '../kernel/trace.js' {
  interface TraceEvents {
    'redis.accept': { conn: number; client: number };
    /** One read event: `commands` run for `us` of server CPU. */
    'redis.event': { conn: number; commands: number; us: number };
    /** The i-th command of a connection ran (0-based): lets a checker match executions to requests. */
    'redis.exec': { conn: number; i: number; cmd: string };
    'redis.block': { conn: number; keys: string };
    'redis.unblock': { conn: number; why: 'data' | 'timeout' };
    'redis.close': { conn: number; why: string };
    'redis.down': { forUs: number };
    'redis.up': { address: string };
    'redis.slow': { factor: number; forUs: number };
    /** No command runs for forUs (CLIENT PAUSE ALL). */
    'redis.pause': { forUs: number };
  }
}

export interface RedisOptions {
  address: string;
  /** Mean CPU per command, µs. */
  commandUs: number;
  /** 'fixed': every command costs commandUs; 'exp': exponentially distributed with that mean. */
  commandDist: 'fixed' | 'exp';
  /** CPU per read event (the read syscall, parsing, the write back), µs. */
  readEventUs: number;
  /** Redis's maxclients: one more connection gets "-ERR max number of clients reached" and is closed. */
  maxClients: number;
  requirepass: string | null;
}

export const defaultRedis: RedisOptions = {
  address: 'redis:6379',
  commandUs: 2,
  commandDist: 'fixed',
  readEventUs: 8,
  maxClients: 10000,
  requirepass: null,
};

interface Blocked {
  argv: Uint8Array[];
  keys: string[];
  timer: { cancel(): void } | null;
  timedOut: boolean;
}

/** Command names counted in a list (see RedisServer.count). */
const COUNTED_NAMES = 16;

class Client {
  readonly decoder = new RespCommandDecoder();
  unread: Uint8Array[] = [];
  queued: Uint8Array[][] = [];
  blocked: Blocked | null = null;
  inQueue = false;
  closing = false;
  protocolError: string | null = null;
  executed = 0;
  constructor(
    readonly conn: ServerConn,
    readonly state: ClientState,
  ) {}
}

export class RedisServer implements ServerHandler {
  readonly options: RedisOptions;
  readonly state: ServerState;
  private readonly kernel: Kernel;
  private readonly costs: Rng;
  private listener: { close(): void } | null = null;
  private readonly clients = new Map<number, Client>();
  private readonly readable = new Fifo<Client>();
  /** The CPU is busy until then; the next read event starts no earlier. */
  private busyUntil: Micros = 0;
  private running = false;
  private nextClientId = 1;
  private slowFactor = 1;
  private slowUntil: Micros = 0;
  private down = false;
  /** Paused until then: the event loop reads nothing (CLIENT PAUSE ALL). */
  private pausedUntil: Micros = 0;
  private upAt: Micros = 0;
  /** The event loop as a kernel event: one function, not a closure per read event. */
  private readonly loopFn = (): void => this.loop();

  /** Server CPU time spent, µs. */
  busyUs = 0;
  /** The names of the commands that ran, in the order first run, and how many times each. */
  private readonly countedNames: string[] = [];
  private readonly counts: number[] = [];
  /** Names past the first COUNTED_NAMES (a run of unknown commands can have any number). */
  private readonly moreCounts = new Map<string, number>();

  /** How many times each command (lower-case name) ran. */
  get commandCounts(): Map<string, number> {
    const m = new Map(this.countedNames.map((name, i) => [name, this.counts[i]!]));
    for (const [name, n] of this.moreCounts) m.set(name, n);
    return m;
  }
  readEvents = 0;

  constructor(
    private readonly net: Network,
    options: Partial<RedisOptions> = {},
  ) {
    this.options = validate({ ...defaultRedis, ...options });
    this.kernel = net.kernel;
    this.costs = net.kernel.rng.child('redis/cost');
    this.state = createServerState({ requirepass: this.options.requirepass }, (filter, self) => this.kill(filter, self));
    this.listener = net.listen(this.options.address, this);
  }

  get connectedClients(): number {
    return this.clients.size;
  }

  get isUp(): boolean {
    return !this.down;
  }

  // ---- Faults ----

  /** Redis goes down for `forUs`: every connection drops, connects are refused, and it comes back empty. */
  restart(forUs: Micros): void {
    if (!(forUs >= 0)) throw new RangeError(`server_down needs a duration >= 0 µs, got ${forUs}`);
    this.kernel.trace.record('redis.down', { forUs });
    this.down = true;
    this.listener?.close();
    this.listener = null;
    for (const c of [...this.clients.values()]) {
      c.blocked?.timer?.cancel();
      this.clients.delete(c.conn.id);
      c.conn.reset();
    }
    this.readable.retain(() => false);
    flushAll(this.state);
    // A restart while down extends the outage; only the latest one brings it back.
    const upAt = Math.max(this.upAt, this.kernel.now + Math.round(forUs));
    this.upAt = upAt;
    this.kernel.at(upAt, () => {
      if (this.upAt !== upAt || !this.down) return;
      this.down = false;
      this.busyUntil = Math.max(this.busyUntil, this.kernel.now);
      this.listener = this.net.listen(this.options.address, this);
      this.kernel.trace.record('redis.up', { address: this.options.address });
    });
  }

  /** Every cost × `factor` for `forUs` (a slow disk, a noisy neighbour, a big KEYS). */
  slow(factor: number, forUs: Micros): void {
    if (!(factor > 0)) throw new RangeError(`slow_server needs a factor > 0, got ${factor}`);
    this.kernel.trace.record('redis.slow', { factor, forUs });
    this.slowFactor = factor;
    this.slowUntil = this.kernel.now + Math.round(forUs);
  }

  /**
   * CLIENT PAUSE <ms> ALL: for `forUs` no command runs; connections are still accepted and bytes
   * still arrive. The backlog runs in order when it ends. A pause during a pause extends it.
   */
  pause(forUs: Micros): void {
    if (!(forUs >= 0)) throw new RangeError(`server_pause needs a duration >= 0 µs, got ${forUs}`);
    this.kernel.trace.record('redis.pause', { forUs });
    this.pausedUntil = Math.max(this.pausedUntil, this.kernel.now + Math.round(forUs));
  }

  // ---- ServerHandler ----

  accept(conn: ServerConn): void {
    if (this.clients.size >= this.options.maxClients) {
      // networking.c acceptCommonHandler: the error is written, then the connection closed.
      conn.write(encode({ type: 'error', value: 'ERR max number of clients reached' }, { protocol: 2 }));
      conn.close();
      this.kernel.trace.record('redis.close', { conn: conn.id, why: 'maxclients' });
      return;
    }
    const id = this.nextClientId++;
    this.clients.set(conn.id, new Client(conn, { id, name: null, db: 0, protocol: 2, authenticated: this.options.requirepass === null }));
    this.kernel.trace.record('redis.accept', { conn: conn.id, client: id });
  }

  data(conn: ServerConn, data: Uint8Array): void {
    const c = this.clients.get(conn.id);
    if (c === undefined || c.closing) return;
    c.unread.push(data);
    this.markReadable(c);
  }

  closed(conn: ServerConn): void {
    const c = this.clients.get(conn.id);
    if (c === undefined) return;
    c.blocked?.timer?.cancel();
    this.clients.delete(conn.id);
    this.kernel.trace.record('redis.close', { conn: conn.id, why: 'peer' });
  }

  // ---- The event loop ----

  private markReadable(c: Client): void {
    if (c.inQueue) return;
    c.inQueue = true;
    this.readable.push(c);
    this.kick();
  }

  /**
   * Starts the event loop if it is idle, as an event of its own once the server is free: what
   * arrives at the same instant is read by the same read event (epoll reports it all at once).
   */
  private kick(): void {
    if (this.running || this.readable.size === 0) return;
    this.running = true;
    this.kernel.post(Math.max(this.kernel.now, this.busyUntil), this.loopFn);
  }

  /**
   * Serves readable connections, one read event at a time. `running` stays true while it works:
   * a connection made readable meanwhile (a BLPOP served by a push) waits for the server to be
   * free, not for another loop started beside this one.
   */
  private loop(): void {
    if (this.kernel.now < this.pausedUntil) {
      // Still `running`: one loop is due, when the pause ends.
      this.kernel.post(this.pausedUntil, this.loopFn);
      return;
    }
    for (let c = this.readable.shift(); c !== undefined; c = this.readable.shift()) {
      c.inQueue = false;
      if (this.clients.get(c.conn.id) !== c) continue;
      const cost = this.readEvent(c);
      this.busyUntil = this.kernel.now + cost;
      if (cost > 0) {
        if (this.readable.size > 0) this.kernel.post(this.busyUntil, this.loopFn);
        else this.running = false;
        return;
      }
    }
    this.running = false;
  }

  /**
   * One more run of `name`. A few names, each the same string every time (commandName's): a
   * short list looked through, not a Map hashed twice per command.
   */
  private count(name: string): void {
    const names = this.countedNames;
    for (let i = 0; i < names.length; i++) {
      if (names[i] === name) {
        this.counts[i]!++;
        return;
      }
    }
    if (names.length < COUNTED_NAMES) {
      names.push(name);
      this.counts.push(1);
    } else this.moreCounts.set(name, (this.moreCounts.get(name) ?? 0) + 1);
  }

  private factor(): number {
    return this.kernel.now < this.slowUntil ? this.slowFactor : 1;
  }

  /** Handles one readable connection; returns the CPU it took, µs (whole). */
  private readEvent(c: Client): Micros {
    const start = this.kernel.now;
    const f = this.factor();
    let cost = this.options.readEventUs * f;
    const out = new Outbox();
    this.readEvents++;

    if (c.blocked?.timedOut) {
      this.unblock(c, 'timeout', false);
      addReply(out, c, c.state.protocol === 3 ? { type: 'null' } : { type: 'array', value: null });
    }
    if (c.unread.length > 0) {
      const chunks = c.unread;
      try {
        // Decoded straight into the queue (no array per chunk).
        for (let i = 0; i < chunks.length; i++) c.decoder.feed(chunks[i]!, c.queued);
      } catch (e) {
        if (!(e instanceof RespProtocolError)) throw e;
        // networking.c setProtocolError: the commands before the bad bytes still run (they are
        // queued), then the error is replied and the connection closed once it is written.
        c.protocolError = e.message;
      }
      // Emptied in place: `length = 0` would free its room, and the next chunk allocate it again.
      while (chunks.length > 0) chunks.pop();
    }
    let commands = 0;
    while (c.queued.length > 0 && c.blocked === null && !c.closing) {
      const argv = c.queued.shift()!;
      cost += this.commandCost() * f;
      commands++;
      const name = commandName(argv);
      this.count(name);
      this.kernel.trace.emit(REDIS_EXEC, c.conn.id, c.executed++, name);
      const r = executeValue(this.state, c.state, argv, start + Math.floor(cost), name);
      // A reply (nearly every command) comes as its value, not wrapped.
      if (!('kind' in r)) {
        addReply(out, c, r);
        this.serveReadyKeys(out);
        continue;
      }
      switch (r.kind) {
        case 'reply':
          addReply(out, c, r.value);
          break;
        case 'close':
          addReply(out, c, r.value);
          c.closing = true;
          break;
        case 'sleep':
          cost += r.us;
          addReply(out, c, r.value);
          break;
        case 'block':
          this.block(c, argv, r.keys, r.timeoutUs);
          break;
      }
      this.serveReadyKeys(out);
    }
    if (c.protocolError !== null && c.blocked === null && !c.closing) {
      c.queued = [];
      addReply(out, c, { type: 'error', value: `ERR Protocol error: ${c.protocolError}` });
      c.closing = true;
    }
    const us = Math.max(0, Math.round(cost));
    this.busyUs += us;
    this.kernel.trace.emit(REDIS_EVENT, c.conn.id, commands, us);
    this.kernel.post(start + us, RedisServer.flushEvent, this, c, out);
    return us;
  }

  /** flush as a kernel event: its values, not a closure per read event. */
  private static flushEvent(server: RedisServer, c: Client, out: Outbox): void {
    server.flush(c, out);
  }

  /** The end of a read event: its replies are written, and connections done with are closed. */
  private flush(c: Client, out: Outbox): void {
    let wroteToC = false;
    for (let o = out.first; o !== null; o = o.next) {
      o.to.conn.write(o.more === null ? o.bytes : concatBytes(o.more));
      if (o.to === c) wroteToC = true;
      if (o.to.closing) this.closeClient(o.to, 'quit');
    }
    if (c.closing && !wroteToC) this.closeClient(c, 'quit');
  }

  private block(c: Client, argv: Uint8Array[], keys: string[], timeoutUs: Micros | null): void {
    const b: Blocked = { argv, keys, timer: null, timedOut: false };
    if (timeoutUs !== null) {
      b.timer = this.kernel.after(Math.max(0, Math.round(timeoutUs)), () => {
        if (c.blocked !== b) return;
        b.timedOut = true;
        this.markReadable(c);
      });
    }
    c.blocked = b;
    this.kernel.trace.record('redis.block', { conn: c.conn.id, keys: keys.join(' ') });
  }

  private unblock(c: Client, why: 'data' | 'timeout', reschedule = true): void {
    c.blocked?.timer?.cancel();
    c.blocked = null;
    this.kernel.trace.record('redis.unblock', { conn: c.conn.id, why });
    // Commands that arrived while it was blocked run next (processUnblockedClients).
    if (reschedule && (c.queued.length > 0 || c.unread.length > 0)) this.markReadable(c);
  }

  /** After a push, blocked clients waiting on the key are served in the order they blocked. */
  private serveReadyKeys(out: Outbox): void {
    for (let keys = takeReadyKeys(this.state); keys.length > 0; keys = takeReadyKeys(this.state)) {
      for (const key of keys) {
        for (const other of this.clients.values()) {
          const b = other.blocked;
          if (b === null || b.timedOut || !b.keys.includes(key)) continue;
          const r = execute(this.state, other.state, b.argv, this.kernel.now);
          if (r.kind !== 'reply') continue;
          this.unblock(other, 'data');
          addReply(out, other, r.value);
        }
      }
    }
  }

  private commandCost(): number {
    const mean = this.options.commandUs;
    return this.options.commandDist === 'exp' ? this.costs.exp(mean) : mean;
  }

  private closeClient(c: Client, why: string): void {
    if (this.clients.get(c.conn.id) !== c) return;
    c.blocked?.timer?.cancel();
    this.clients.delete(c.conn.id);
    c.conn.close();
    this.kernel.trace.record('redis.close', { conn: c.conn.id, why });
  }

  /** CLIENT KILL: closes the matching connections, returns how many. */
  private kill(filter: { id?: number; addr?: string; skipMe?: boolean }, self: ClientState): number {
    let n = 0;
    for (const c of [...this.clients.values()]) {
      if (filter.id !== undefined && c.state.id !== filter.id) continue;
      if (filter.addr !== undefined && c.conn.peer !== filter.addr) continue;
      if ((filter.skipMe ?? true) && c.state === self) continue;
      n++;
      if (c.state === self) c.closing = true;
      else this.closeClient(c, 'killed');
    }
    return n;
  }
}

/**
 * The replies of one read event, per client in the order each first got one. Almost always just
 * the reader's (others only when a push serves their BLPOP), so a short list, not a Map: a chain
 * through Reply.next, with no array to make per read event.
 */
class Outbox {
  first: Reply | null = null;
  last: Reply | null = null;
}

/** One client's replies of a read event: the first, and all of them once there is more than one. */
class Reply {
  more: Uint8Array[] | null = null;
  next: Reply | null = null;
  constructor(
    readonly to: Client,
    readonly bytes: Uint8Array,
  ) {}
}

const RESP2: RespEncodeOptions = { protocol: 2 };
const RESP3: RespEncodeOptions = { protocol: 3 };

function addReply(out: Outbox, to: Client, v: RespValue): void {
  const bytes = encode(v, to.state.protocol === 3 ? RESP3 : RESP2);
  for (let o = out.first; o !== null; o = o.next) {
    if (o.to === to) {
      (o.more ??= [o.bytes]).push(bytes);
      return;
    }
  }
  const r = new Reply(to, bytes);
  if (out.last === null) out.first = r;
  else out.last.next = r;
  out.last = r;
}

function validate(o: RedisOptions): RedisOptions {
  const check = (ok: boolean, field: string, expected: string, got: unknown) => {
    if (!ok) throw new RangeError(`server.${field} must be ${expected}, got ${String(got)}`);
  };
  check(Number.isFinite(o.commandUs) && o.commandUs >= 0, 'commandUs', 'a number of µs >= 0', o.commandUs);
  check(Number.isFinite(o.readEventUs) && o.readEventUs >= 0, 'readEventUs', 'a number of µs >= 0', o.readEventUs);
  check(o.commandDist === 'fixed' || o.commandDist === 'exp', 'commandDist', '"fixed" or "exp"', o.commandDist);
  check(Number.isInteger(o.maxClients) && o.maxClients >= 1, 'maxClients', 'a whole number >= 1', o.maxClients);
  return o;
}
