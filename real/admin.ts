/**
 * A small promise-based Redis connection for the run's own housekeeping (FLUSHALL, INFO, the
 * faults' CLIENT KILL and DEBUG SLEEP, calibration), outside the runtime, on the project's RESP
 * codec. Commands are answered in order, so a FIFO of waiting promises is all it needs.
 */
import * as net from 'node:net';
import { RespDecoder, encodeCommand, toText, type RespValue } from '../sim/resp/index.js';
import { parseAddress } from './node-tcp.js';

export class Admin {
  private readonly decoder = new RespDecoder();
  private readonly waiting: Array<{ resolve: (v: RespValue) => void; reject: (e: Error) => void }> = [];
  private closed: Error | null = null;
  /** Commands sent so far (to take them out of the server's counts). */
  sent = 0;

  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      for (const v of this.decoder.feed(d)) this.waiting.shift()?.resolve(v);
    });
    const fail = (e: Error) => {
      this.closed ??= e;
      for (const w of this.waiting.splice(0)) w.reject(this.closed);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed')));
  }

  static connect(address: string, timeoutMs = 2000): Promise<Admin> {
    const { host, port } = parseAddress(address);
    return new Promise((resolve, reject) => {
      const sock = net.createConnection({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`cannot connect to redis at ${address}: timeout after ${timeoutMs} ms`));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(new Admin(sock));
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to redis at ${address}: ${e.code ?? e.message}`));
      });
    });
  }

  command(cmd: ReadonlyArray<string | Uint8Array>): Promise<RespValue> {
    if (this.closed !== null) return Promise.reject(this.closed);
    this.sent++;
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.sock.write(encodeCommand(cmd));
    });
  }

  /** Like `command`, but an error reply (Redis refusing the command) rejects, naming it. */
  async must(cmd: ReadonlyArray<string | Uint8Array>): Promise<RespValue> {
    const v = await this.command(cmd);
    if (v.type === 'error') throw new Error(`${cmd.slice(0, 2).map((c) => (typeof c === 'string' ? c : '…')).join(' ')}: ${String(v.value)}`);
    return v;
  }

  /** Writes every command at once (one pipeline) and resolves with every reply. */
  pipeline(cmds: ReadonlyArray<ReadonlyArray<string | Uint8Array>>): Promise<RespValue[]> {
    if (this.closed !== null) return Promise.reject(this.closed);
    const all = cmds.map(
      () =>
        new Promise<RespValue>((resolve, reject) => {
          this.waiting.push({ resolve, reject });
        }),
    );
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
    this.closed ??= new Error('closed');
    this.sock.destroy();
  }
}
