/**
 * A small promise-based Redis connection for the run's own housekeeping (FLUSHALL, INFO, the
 * faults' CLIENT KILL and DEBUG SLEEP, calibration), outside the runtime, on the project's RESP
 * codec. Commands are answered in order, so a FIFO of waiting promises is all it needs.
 */
import * as net from 'node:net';
import { RespDecoder, encodeCommand, toText, type RespValue } from '../sim/resp/index.js';
import { parseAddress } from './node-tcp.js';

/**
 * The Redis at the address misbehaved: it closed, did not answer in time, or sent something that
 * is not RESP. The message names the address and what it did.
 */
export class RedisUnusable extends Error {
  override name = 'RedisUnusable';
}

/** Wait for a reply (from the command's send, or from the reply before it) unless told otherwise. */
export const REPLY_TIMEOUT_MS = 10_000;

const name = (cmd: ReadonlyArray<string | Uint8Array>) => cmd.slice(0, cmd[0] === 'CLIENT' || cmd[0] === 'DEBUG' ? 2 : 1).map((c) => (typeof c === 'string' ? c : '…')).join(' ');

/** Bytes as they would read in a terminal: printable ASCII, the rest escaped, cut at 40. */
function preview(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes.subarray(0, 40)) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 13 ? '\\r' : b === 10 ? '\\n' : `\\x${b.toString(16).padStart(2, '0')}`;
  return bytes.length > 40 ? `${out}…` : out;
}

interface Waiting {
  resolve: (v: RespValue) => void;
  reject: (e: Error) => void;
  command: string;
  timeoutMs: number;
}

export class Admin {
  private readonly decoder = new RespDecoder();
  private readonly waiting: Waiting[] = [];
  private closed: Error | null = null;
  /** Bytes received since the last complete reply (what a server sent instead of one). */
  private pendingBytes = 0;
  /** The first bytes received since the last reply, to quote a server that does not speak RESP. */
  private firstBytes: Uint8Array | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  /** Commands sent so far (to take them out of the server's counts). */
  sent = 0;

  private constructor(
    readonly sock: net.Socket,
    readonly address: string,
    /** Bytes a server may send without completing a reply before it is given up. */
    private readonly maxReplyBytes: number,
  ) {
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', (e: NodeJS.ErrnoException) => this.fail(new RedisUnusable(`the connection to ${address} failed: ${e.code ?? e.message}`)));
    sock.on('close', () => this.fail(new RedisUnusable(this.waiting.length > 0 ? `${address} closed the connection without answering ${this.waiting[0]!.command}` : `${address} closed the connection`)));
  }

  private onData(d: Buffer): void {
    if (this.closed !== null) return;
    this.firstBytes ??= new Uint8Array(d.subarray(0, 40));
    this.pendingBytes += d.length;
    let replies: RespValue[];
    try {
      replies = this.decoder.feed(d);
    } catch (e) {
      const what = this.waiting[0]?.command ?? 'nothing';
      this.fail(new RedisUnusable(`${this.address} is not a Redis: it answered ${what} with "${preview(this.firstBytes ?? d)}", which is not RESP (${(e as Error).message})`));
      return;
    }
    for (const v of replies) {
      const w = this.waiting.shift();
      if (w === undefined) {
        this.fail(new RedisUnusable(`${this.address} sent a reply nobody asked for: "${preview(this.firstBytes ?? d)}"`));
        return;
      }
      w.resolve(v);
      this.pendingBytes = 0;
      this.firstBytes = null;
      this.arm();
    }
    if (this.waiting.length > 0 && this.pendingBytes > this.maxReplyBytes) {
      this.fail(new RedisUnusable(`${this.address} sent ${this.pendingBytes} bytes without completing a reply to ${this.waiting[0]!.command} (it began "${preview(this.firstBytes!)}")`));
    }
  }

  /** One timer, for the oldest command waiting: a server that never answers fails every one. */
  private arm(): void {
    if (this.watchdog !== null) clearTimeout(this.watchdog);
    this.watchdog = null;
    const head = this.waiting[0];
    if (head === undefined || this.closed !== null) return;
    this.watchdog = setTimeout(() => {
      const got = this.pendingBytes > 0 ? ` (it sent ${this.pendingBytes} bytes, beginning "${preview(this.firstBytes!)}", and no complete reply)` : '';
      this.fail(new RedisUnusable(`${this.address} did not answer ${head.command} within ${head.timeoutMs} ms${got}`));
    }, head.timeoutMs);
  }

  private fail(e: Error): void {
    this.closed ??= e;
    if (this.watchdog !== null) clearTimeout(this.watchdog);
    this.watchdog = null;
    for (const w of this.waiting.splice(0)) w.reject(this.closed);
    this.sock.destroy();
  }

  /**
   * Connects; `timeoutMs` bounds the connect, `replyTimeoutMs` each reply (a command may ask for
   * longer), `maxReplyBytes` what a server may send without completing one (a probe keeps it small).
   */
  static connect(address: string, timeoutMs = 2000, options: { replyTimeoutMs?: number; maxReplyBytes?: number } = {}): Promise<Admin> {
    const { host, port } = parseAddress(address);
    return new Promise((resolve, reject) => {
      const sock = net.createConnection({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new RedisUnusable(`cannot connect to redis at ${address}: timeout after ${timeoutMs} ms`));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        const a = new Admin(sock, address, options.maxReplyBytes ?? Number.POSITIVE_INFINITY);
        a.replyTimeoutMs = options.replyTimeoutMs ?? REPLY_TIMEOUT_MS;
        resolve(a);
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new RedisUnusable(`cannot connect to redis at ${address}: ${e.code ?? e.message}`));
      });
    });
  }

  private replyTimeoutMs = REPLY_TIMEOUT_MS;

  private wait(cmd: ReadonlyArray<string | Uint8Array>, timeoutMs: number): Promise<RespValue> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject, command: name(cmd), timeoutMs });
      if (this.waiting.length === 1) this.arm();
    });
  }

  /** Sends one command; its reply (an error reply included). `timeoutMs` for a command that takes long (DEBUG SLEEP). */
  command(cmd: ReadonlyArray<string | Uint8Array>, timeoutMs = this.replyTimeoutMs): Promise<RespValue> {
    if (this.closed !== null) return Promise.reject(this.closed);
    this.sent++;
    const reply = this.wait(cmd, timeoutMs);
    this.sock.write(encodeCommand(cmd));
    return reply;
  }

  /** Like `command`, but an error reply (Redis refusing the command) rejects, naming it. */
  async must(cmd: ReadonlyArray<string | Uint8Array>, timeoutMs = this.replyTimeoutMs): Promise<RespValue> {
    const v = await this.command(cmd, timeoutMs);
    if (v.type === 'error') throw new Error(`${cmd.slice(0, 2).map((c) => (typeof c === 'string' ? c : '…')).join(' ')}: ${String(v.value)}`);
    return v;
  }

  /** Writes every command at once (one pipeline) and resolves with every reply. */
  pipeline(cmds: ReadonlyArray<ReadonlyArray<string | Uint8Array>>): Promise<RespValue[]> {
    if (this.closed !== null) return Promise.reject(this.closed);
    const all = cmds.map((c) => this.wait(c, this.replyTimeoutMs));
    this.sent += cmds.length;
    this.sock.write(Buffer.concat(cmds.map((c) => encodeCommand(c))));
    return Promise.all(all);
  }

  /** INFO as a map of its fields. */
  async info(section = 'all'): Promise<Map<string, string>> {
    const v = await this.command(['INFO', section]);
    if (v.type === 'error') throw new Error(`INFO failed: ${v.value}`);
    const text = toText(v);
    const out = new Map<string, string>();
    for (const line of text.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1));
    }
    return out;
  }

  close(): void {
    this.fail(new Error('closed'));
  }
}
