/**
 * gen_tcp on Node's real sockets: the TcpStack that sim/net/tcp.ts calls, so the clients in
 * sim/clients run unchanged against a real redis-server. A socket's semantics (its buffer, active /
 * once / passive modes, tcp_closed, closing with its owner) are the simulated Network's, written
 * once in sim/net/socket.ts; this file only tells the Socket what Node's socket did. Every
 * callback from Node enters the runtime through the driver's `io`.
 */
import * as net from 'node:net';
import type { Micros } from '../sim/kernel/time.js';
import { Socket, SocketOwners, type ActiveMode, type SocketConn, type TcpStack } from '../sim/net/socket.js';
import type { Pid, Ref, Runtime } from '../sim/runtime/index.js';
import type { WallClockDriver } from './driver.js';

class NodeConn implements SocketConn {
  established = false;
  /** Kernel time the connect completes for the client (its round trips after the kernel's). */
  readyAt = 0;
  constructor(
    readonly net: NodeTcp,
    readonly sock: net.Socket,
  ) {}
}

interface Pending {
  readonly conn: NodeConn;
  readonly socket: Socket;
  abandoned: boolean;
  settled: boolean;
}

/** host:port (an IPv6 host in brackets: [::1]:6379). Throws a RangeError naming what is wrong. */
export function parseAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 1 && port <= 65535)) throw new RangeError(`expected an address HOST:PORT with a port 1-65535, got "${address}"`);
  return { host: (m[1] ?? m[2])!, port };
}

export class NodeTcp implements TcpStack {
  private nextId = 1;
  private readonly sockets = new Set<Socket>();
  /** Sockets by controlling process: they close when it exits. */
  private readonly owners: SocketOwners;
  /** Every Node socket not yet closed: connecting, open, or waiting on a timer to be destroyed. */
  private readonly raw = new Set<net.Socket>();

  /**
   * @param latencyUs one-way latency to add to every socket (the scenario's link, emulated):
   *   bytes written leave this much later, bytes and closes that arrive are seen this much later,
   *   a connect takes its round trips. On the kernel's timers, so as precise as the driver.
   */
  constructor(
    readonly rt: Runtime,
    readonly driver: WallClockDriver,
    readonly latencyUs = 0,
    readonly connectRtts = 1,
  ) {
    this.owners = new SocketOwners(rt, (s) => this.clientClose(s, 'owner_exit'));
  }

  private trace(kind: Parameters<Runtime['kernel']['trace']['record']>[0], fields: Parameters<Runtime['kernel']['trace']['record']>[1]): void {
    this.rt.kernel.trace.record(kind, fields);
  }

  startConnect(pid: Pid, ref: Ref, address: string, active: ActiveMode, startAt: Micros): object {
    void startAt;
    const id = this.nextId++;
    const { host, port } = parseAddress(address);
    const sock = net.createConnection({ host, port, noDelay: true });
    this.raw.add(sock);
    const conn = new NodeConn(this, sock);
    const socket = new Socket(id, conn, this.owners, pid, active);
    const p: Pending = { conn, socket, abandoned: false, settled: false };
    this.trace('tcp.connect', { conn: id, pid, address });
    sock.once('connect', () => {
      p.settled = true;
      this.driver.io(() => {
        conn.readyAt = this.rt.kernel.now + 2 * this.latencyUs * this.connectRtts;
        this.later(2 * this.latencyUs * this.connectRtts, () => {
          if (p.abandoned) return;
          conn.established = true;
          if (!this.rt.isAlive(pid)) {
            sock.destroy();
            return;
          }
          this.sockets.add(socket);
          socket.opened();
          this.trace('tcp.established', { conn: id });
          this.rt.send(pid, { type: '$tcp_connect', ref, socket, error: null });
        });
      });
    });
    // Bytes and a close from the server are seen no earlier than the connect itself (the link
    // delays a connect by its round trips, and them by one way only).
    sock.on('data', (data: Buffer) => this.driver.io(() => this.afterConnect(conn, () => this.arrive(socket, data))));
    // An error is followed by 'close'; before the connect it is the connect's outcome.
    sock.on('error', () => {
      if (p.settled) return;
      p.settled = true;
      this.driver.io(() => this.later(2 * this.latencyUs, () => {
        if (p.abandoned) return;
        this.trace('tcp.refused', { conn: id });
        this.rt.send(pid, { type: '$tcp_connect', ref, socket: null, error: 'econnrefused' });
      }));
    });
    sock.on('close', () => this.raw.delete(sock));
    sock.on('close', () => this.driver.io(() => this.afterConnect(conn, () => this.peerClosed(socket))));
    return p;
  }

  abandonConnect(pending: object): void {
    const p = pending as Pending;
    p.abandoned = true;
    this.trace('tcp.connect_timeout', { conn: p.socket.id });
    p.conn.sock.destroy();
  }

  clientSend(socket: Socket, data: Uint8Array, at: Micros): boolean {
    void at;
    if (socket.closed || socket.peerClosed) return false;
    if (data.length === 0) return true;
    this.trace('tcp.write', { conn: socket.id, dir: 'c2s', bytes: data.length });
    const sock = (socket.conn as NodeConn).sock;
    this.later(this.latencyUs, () => sock.write(data));
    return true;
  }

  /** Runs `fn` `us` from now on the kernel's clock (now, when there is no latency to add). */
  private later(us: Micros, fn: () => void): void {
    if (us <= 0) fn();
    else this.rt.kernel.at(this.rt.kernel.now + us, fn);
  }

  /** Runs `fn` one way later, and not before the connect completes for the client. */
  private afterConnect(conn: NodeConn, fn: () => void): void {
    const now = this.rt.kernel.now;
    this.later(Math.max(this.latencyUs, conn.readyAt - now), fn);
  }

  clientClose(socket: Socket, how: 'fin' | 'owner_exit' = 'fin'): void {
    if (!socket.closeHere()) return;
    this.sockets.delete(socket);
    const conn = socket.conn as NodeConn;
    if (conn.established && !socket.peerClosed) this.trace('tcp.close', { conn: socket.id, by: 'client', how });
    // After the bytes written before it, as a FIN would be.
    this.later(this.latencyUs, () => conn.sock.destroy());
  }

  /** Sockets connected and not closed by either side (the metrics' openAtEnd). */
  openConnections(): number {
    let n = 0;
    for (const s of this.sockets) if (!s.closed && !s.peerClosed) n++;
    return n;
  }

  /**
   * Closes every socket (the end of a run): open ones, connects in flight, and those whose close
   * waits on a timer of the runtime (the link's latency) that will not fire once it is stopped.
   */
  closeAll(): void {
    for (const s of [...this.sockets]) (s.conn as NodeConn).sock.destroy();
    this.sockets.clear();
    for (const sock of [...this.raw]) sock.destroy();
    this.raw.clear();
  }

  private arrive(socket: Socket, data: Uint8Array): void {
    if (socket.closed) return;
    this.trace('tcp.write', { conn: socket.id, dir: 's2c', bytes: data.length });
    socket.received(data);
  }

  private peerClosed(socket: Socket): void {
    const conn = socket.conn as NodeConn;
    if (!conn.established || socket.closed || socket.peerClosed) return;
    this.sockets.delete(socket);
    this.trace('tcp.close', { conn: socket.id, by: 'server', how: 'fin' });
    socket.peerClose();
  }
}
