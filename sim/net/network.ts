/**
 * The simulated network between the BEAM's processes and servers outside it (TALK: "the outside
 * world is scary"). A TCP connection is two independent byte streams (full duplex), each with
 * one-way latency, seeded jitter and a bandwidth; bytes travel in segments whose boundaries do
 * not follow message boundaries. Faults are verbs on the network: reset every connection, refuse
 * new ones, partition (bytes held or lost, no close seen), add latency, limit bandwidth.
 *
 * Modelled on: TCP's in-order delivery and three-way handshake (connect costs a round trip, more
 * for TLS), Toxiproxy's toxics (latency + jitter, bandwidth, slicer, reset_peer, timeout) and
 * turmoil's partition / hold / release / repair.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Rng } from '../kernel/rng.js';
import type { Micros } from '../kernel/time.js';
import type { Pid, Ref, Runtime } from '../runtime/index.js';
import { FaultWindows } from './fault-windows.js';
import { Socket, SocketOwners, type ActiveMode, type SocketConn, type TcpStack } from './socket.js';
import { TraceEvent } from '../kernel/trace.js';

/** Recorded for every write and segment: declared once (Trace.emit). */
const TCP_WRITE = new TraceEvent('tcp.write', ['conn', 'dir', 'bytes'], (f, conn, dir, bytes) => {
  f.conn = conn;
  f.dir = dir;
  f.bytes = bytes;
});
const TCP_SEGMENT = new TraceEvent('tcp.segment', ['conn', 'dir', 'bytes', 'sentAt'], (f, conn, dir, bytes, sentAt) => {
  f.conn = conn;
  f.dir = dir;
  f.bytes = bytes;
  f.sentAt = sentAt;
});

export { Socket, type ActiveMode, type SocketConn, type TcpClosed, type TcpData, type TcpStack } from './socket.js';

declare module '../kernel/trace.js' {
  interface TraceEvents {
    'tcp.connect': { conn: number; pid: number; address: string };
    'tcp.established': { conn: number };
    'tcp.refused': { conn: number };
    'tcp.connect_timeout': { conn: number };
    /** Bytes handed to the stack by one side (dir: c2s client to server, s2c server to client). */
    'tcp.write': { conn: number; dir: Dir; bytes: number };
    /** One segment delivered to the receiving side. */
    'tcp.segment': { conn: number; dir: Dir; bytes: number; sentAt: number };
    /** A segment that met a partition: 'held' until it heals, or 'lost'. */
    'tcp.blocked': { conn: number; dir: Dir; bytes: number; fate: 'held' | 'lost' };
    'tcp.close': { conn: number; by: 'client' | 'server' | 'network'; how: 'fin' | 'reset' | 'owner_exit' };
    'net.fault': { fault: string; forUs: number; detail: string };
    'net.heal': { fault: string };
  }
}

export type Dir = 'c2s' | 's2c';

export interface LinkOptions {
  /** One-way latency, µs. */
  latencyUs: Micros;
  /** Up to this much extra one-way delay per segment, uniform, µs (Toxiproxy's latency jitter). */
  jitterUs: Micros;
  /** Per direction; Infinity for no limit. */
  bandwidthMbps: number;
  /** Largest segment, bytes (1460 on Ethernet). */
  mss: number;
  /** Cuts every write into pieces of averageBytes ± variationBytes (Toxiproxy's slicer toxic). */
  slicer: { averageBytes: number; variationBytes: number } | null;
  /** Handshake round trips before a connection is up: 1 for TCP, 3 for TCP + TLS 1.2. */
  connectRtts: number;
}

export const defaultLink: LinkOptions = {
  latencyUs: 250,
  jitterUs: 0,
  bandwidthMbps: Number.POSITIVE_INFINITY,
  mss: 1460,
  slicer: null,
  connectRtts: 1,
};

/** What a server sees of one connection. */
export interface ServerConn {
  readonly id: number;
  /** The client's address as a server would print it (ip:port). */
  readonly peer: string;
  readonly open: boolean;
  write(data: Uint8Array): void;
  /** Orderly close: the client sees it after the bytes already written. */
  close(): void;
  /** Abortive close: undelivered bytes are dropped, the client sees the close after one-way latency. */
  reset(): void;
}

export interface ServerHandler {
  accept(conn: ServerConn): void;
  data(conn: ServerConn, data: Uint8Array): void;
  closed(conn: ServerConn, how: 'fin' | 'reset'): void;
}

class Direction {
  /** When the link finishes sending what it has been given, µs (fractional: bandwidth). */
  busyUntil = 0;
  /** Arrival time of the last segment: TCP delivers in order, so jitter never reorders. */
  lastArrival = 0;
  held: Array<{ data: Uint8Array | null; sentAt: Micros }> = [];
}

/** @internal One connection: both directions and both ends. */
export class Conn implements ServerConn, SocketConn {
  readonly c2s = new Direction();
  readonly s2c = new Direction();
  socket: Socket | null = null;
  handler: ServerHandler | null = null;
  /** Established and not yet closed by either side. */
  serverOpen = false;
  clientOpen = false;
  /** Black-holed by a 'drop' partition: every byte is lost, and nothing says so. */
  blackHoled = false;
  /** The server's accept ran (it may have closed the connection straight away, as on maxclients). */
  accepted = false;

  constructor(
    readonly net: Network,
    readonly id: number,
    readonly address: string,
    readonly peer: string,
  ) {}

  get open(): boolean {
    return this.serverOpen;
  }

  write(data: Uint8Array): void {
    if (!this.serverOpen) return;
    this.net.transmit(this, 's2c', data);
  }

  close(): void {
    if (!this.serverOpen) return;
    this.serverOpen = false;
    this.net.trace('tcp.close', { conn: this.id, by: 'server', how: 'fin' });
    this.net.transmit(this, 's2c', null);
  }

  reset(): void {
    this.net.resetConn(this, 'server');
  }
}

interface Listener {
  handler: ServerHandler;
}

interface PendingConnect {
  conn: Conn;
  pid: Pid;
  ref: Ref;
  abandoned: boolean;
  startedAt: Micros;
}

export class Network implements TcpStack {
  readonly kernel: Kernel;
  readonly link: LinkOptions;
  private readonly listeners = new Map<string, Listener>();
  private readonly conns = new Map<number, Conn>();
  /** Sockets by controlling process: they close when it exits. */
  private readonly owners: SocketOwners;
  private nextConn = 1;
  private readonly jitter: Rng;
  private readonly slicer: Rng;

  /** What faults hold now: consulted on every SYN and segment. */
  private readonly faults: FaultWindows;
  /** SYNs that met a partition: TCP retries them, so they go on when it heals. */
  private heldSyns: PendingConnect[] = [];

  constructor(
    readonly rt: Runtime,
    link: Partial<LinkOptions> = {},
  ) {
    this.kernel = rt.kernel;
    this.trace = rt.kernel.trace.record.bind(rt.kernel.trace);
    this.link = validateLink({ ...defaultLink, ...link });
    this.jitter = rt.kernel.rng.child('net/jitter');
    this.slicer = rt.kernel.rng.child('net/slicer');
    this.faults = new FaultWindows(this.kernel, this.trace, () => this.releaseHeld());
    this.owners = new SocketOwners(rt, (s) => this.clientClose(s, 'owner_exit'));
  }

  // ---- Servers ----

  listen(address: string, handler: ServerHandler): { close(): void } {
    if (this.listeners.has(address)) throw new Error(`address ${address} is already in use`);
    const l: Listener = { handler };
    this.listeners.set(address, l);
    return {
      close: () => {
        if (this.listeners.get(address) === l) this.listeners.delete(address);
      },
    };
  }

  isListening(address: string): boolean {
    return this.listeners.has(address);
  }

  /**
   * Connections to an address that their client still holds open, for views and leak checks.
   * (A server can keep more: one whose FIN was lost in a black hole lingers there, as it does on
   * a real Redis until tcp-keepalive or its idle timeout reaps it.)
   */
  openConnections(address?: string): number {
    let n = 0;
    for (const c of this.conns.values()) if ((address === undefined || c.address === address) && c.clientOpen) n++;
    return n;
  }

  // ---- Faults (verbs) ----

  /** Resets every connection, as a proxy that resets its peers (Toxiproxy reset_peer) or a dropped NAT table. */
  dropConnections(): void {
    this.trace('net.fault', { fault: 'drop_connections', forUs: 0, detail: `${this.conns.size} connections` });
    for (const c of [...this.conns.values()]) this.resetConn(c, 'network');
  }

  /** New connections are refused (RST on SYN) for `forUs`. */
  refuseConnections(forUs: Micros): void {
    this.faults.refuse.open(forUs, true);
  }

  /**
   * No byte crosses for `forUs` and nobody is told. 'hold': bytes wait and are delivered, in
   * order, when it heals (a long stall). 'drop': bytes are lost and the connections that lived
   * through it stay black holes (a middlebox forgot them): only timeouts reveal them, as with a
   * half-open socket. New connections wait for the heal either way (TCP retries its SYN).
   */
  partition(mode: 'hold' | 'drop', forUs: Micros): void {
    if (mode === 'drop') for (const c of this.conns.values()) c.blackHoled = true;
    this.faults.partition.open(forUs, mode, mode, (held, m) => (held === 'drop' ? 'drop' : m));
  }

  /** Ends a partition now. */
  heal(): void {
    this.faults.partition.end();
  }

  /** Held bytes were waiting at the far edge: they land when the partition heals, in order. */
  private releaseHeld(): void {
    for (const c of [...this.conns.values()]) {
      for (const dir of ['c2s', 's2c'] as const) {
        const held = c[dir].held;
        c[dir].held = [];
        for (const h of held) this.arrive(c, dir, h.data, h.sentAt);
      }
    }
    const syns = this.heldSyns;
    this.heldSyns = [];
    for (const p of syns) this.kernel.after(this.oneWay(), () => this.synArrives(p));
  }

  /** Adds `addUs` one-way latency to segments sent during the next `forUs`. */
  addLatency(addUs: Micros, forUs: Micros): void {
    this.faults.latency.open(forUs, addUs, `+${addUs}us`);
  }

  /** Caps both directions of every connection at `mbps` for `forUs`. */
  limitBandwidth(mbps: number, forUs: Micros): void {
    if (!(mbps > 0)) throw new RangeError(`bandwidth limit must be > 0 Mbps, got ${mbps}`);
    this.faults.bandwidth.open(forUs, mbps, `${mbps}Mbps`);
  }

  // ---- Client side (used by tcp.ts) ----

  /** @internal Starts a handshake; the outcome is sent to `pid` as {type:'$tcp_connect', ref, socket|error}. */
  startConnect(pid: Pid, ref: Ref, address: string, active: ActiveMode, startAt: Micros): PendingConnect {
    const id = this.nextConn++;
    const conn = new Conn(this, id, address, `10.0.0.2:${40000 + id}`);
    const p: PendingConnect = { conn, pid, ref, abandoned: false, startedAt: startAt };
    conn.socket = new Socket(id, conn, this.owners, pid, active);
    this.trace('tcp.connect', { conn: id, pid, address });
    this.kernel.at(startAt + this.oneWay(), () => this.synArrives(p));
    return p;
  }

  /** @internal */
  abandonConnect(p: PendingConnect): void {
    p.abandoned = true;
    this.trace('tcp.connect_timeout', { conn: p.conn.id });
    if (p.conn.serverOpen) this.resetConn(p.conn, 'client');
  }

  /** @internal */
  clientSend(socket: Socket, data: Uint8Array, at: Micros): boolean {
    if (socket.closed || socket.peerClosed) return false;
    const conn = socket.conn as Conn;
    if (conn.clientOpen) this.transmit(conn, 'c2s', data, at);
    return true;
  }

  /** @internal */
  clientClose(socket: Socket, how: 'fin' | 'owner_exit' = 'fin'): void {
    if (!socket.closeHere()) return;
    const conn = socket.conn as Conn;
    if (!conn.clientOpen) return;
    conn.clientOpen = false;
    this.trace('tcp.close', { conn: conn.id, by: 'client', how });
    this.transmit(conn, 'c2s', null);
  }

  // ---- Internals ----

  /** @internal */
  readonly trace: Kernel['trace']['record'];

  private synArrives(p: PendingConnect): void {
    if (p.abandoned) return;
    if (this.faults.partition.value !== null) {
      this.heldSyns.push(p);
      return;
    }
    const listener = this.listeners.get(p.conn.address);
    if (listener === undefined || this.faults.refuse.value !== null) {
      // RST comes back after one more one-way trip.
      this.kernel.after(this.oneWay(), () => {
        if (p.abandoned) return;
        this.kernel.trace.record('tcp.refused', { conn: p.conn.id });
        this.rt.send(p.pid, { type: '$tcp_connect', ref: p.ref, socket: null, error: 'econnrefused' });
      });
      return;
    }
    // The rest of the handshake (SYN-ACK, ACK, and TLS's extra round trips).
    const rest = Math.max(0, Math.round(this.rtt() * p.conn.net.link.connectRtts - this.oneWay()));
    const conn = p.conn;
    this.kernel.after(Math.max(0, rest - this.oneWay()), () => {
      if (p.abandoned || !this.listeners.has(conn.address)) return;
      conn.handler = listener.handler;
      conn.serverOpen = true;
      conn.accepted = true;
      this.conns.set(conn.id, conn);
      listener.handler.accept(conn);
    });
    this.kernel.after(rest, () => {
      if (p.abandoned) return;
      if (!conn.accepted) {
        // The server vanished mid-handshake.
        this.kernel.trace.record('tcp.refused', { conn: conn.id });
        this.rt.send(p.pid, { type: '$tcp_connect', ref: p.ref, socket: null, error: 'econnrefused' });
        return;
      }
      conn.clientOpen = true;
      const socket = conn.socket!;
      if (!this.rt.isAlive(p.pid)) {
        // Nobody is left to own it: the kernel would close it as the port's owner is gone.
        this.clientClose(socket, 'owner_exit');
        return;
      }
      socket.opened();
      this.kernel.trace.record('tcp.established', { conn: conn.id });
      this.rt.send(p.pid, { type: '$tcp_connect', ref: p.ref, socket, error: null });
    });
  }

  /** @internal Sends bytes (or a FIN, `data === null`) from one end. */
  transmit(conn: Conn, dir: Dir, data: Uint8Array | null, at: Micros = this.kernel.now): void {
    if (data !== null) {
      if (data.length === 0) return;
      this.kernel.trace.emit(TCP_WRITE, conn.id, dir, data.length);
    }
    const cap = this.faults.bandwidth.value;
    const mbps = cap !== null ? Math.min(cap, this.link.bandwidthMbps) : this.link.bandwidthMbps;
    // Most writes (a command, a reply) fit one segment: no list of segments to make.
    if (data === null || (this.link.slicer === null && data.length <= this.link.mss)) {
      this.send(conn, dir, data, at, mbps);
      return;
    }
    for (const seg of this.segments(data)) this.send(conn, dir, seg, at, mbps);
  }

  /** One segment (or the FIN) onto the link, after what the link is still sending. */
  private send(conn: Conn, dir: Dir, seg: Uint8Array | null, at: Micros, mbps: number): void {
    // A field each, not conn[dir]: a load by a computed name, on every segment.
    const d = dir === 'c2s' ? conn.c2s : conn.s2c;
    const size = seg === null ? 0 : seg.length;
    const depart = Math.max(at, d.busyUntil) + (Number.isFinite(mbps) ? (size * 8) / mbps : 0);
    d.busyUntil = depart;
    this.schedule(conn, d, dir, seg, depart, at);
  }

  private schedule(conn: Conn, d: Direction, dir: Dir, seg: Uint8Array | null, depart: number, sentAt: Micros): void {
    const jitter = this.link.jitterUs > 0 ? this.jitter.float() * this.link.jitterUs : 0;
    let arrival = Math.ceil(depart + this.oneWayAt(sentAt) + jitter);
    if (arrival < d.lastArrival) arrival = d.lastArrival;
    if (arrival < this.kernel.now) arrival = this.kernel.now;
    d.lastArrival = arrival;
    this.kernel.post(arrival, arriveEvent, conn, dir, seg, sentAt);
  }

  /** @internal A segment (or the FIN) reaches the far end. */
  arrive(conn: Conn, dir: Dir, seg: Uint8Array | null, sentAt: Micros): void {
    if (conn.blackHoled) {
      if (seg !== null) this.kernel.trace.record('tcp.blocked', { conn: conn.id, dir, bytes: seg.length, fate: 'lost' });
      return;
    }
    if (this.faults.partition.value !== null) {
      conn[dir].held.push({ data: seg, sentAt });
      if (seg !== null) this.kernel.trace.record('tcp.blocked', { conn: conn.id, dir, bytes: seg.length, fate: 'held' });
      return;
    }
    if (dir === 'c2s') {
      if (!conn.serverOpen) return;
      if (seg === null) {
        conn.serverOpen = false;
        this.conns.delete(conn.id);
        conn.handler!.closed(conn, 'fin');
        return;
      }
      this.kernel.trace.emit(TCP_SEGMENT, conn.id, dir, seg.length, sentAt);
      conn.handler!.data(conn, seg);
      return;
    }
    const socket = conn.socket!;
    if (socket.closed) return;
    if (seg === null) {
      conn.clientOpen = false;
      if (!conn.serverOpen) this.conns.delete(conn.id);
      socket.peerClose();
      return;
    }
    this.kernel.trace.emit(TCP_SEGMENT, conn.id, dir, seg.length, sentAt);
    socket.received(seg);
  }

  /** @internal An abortive close: both ends lose what is in flight; the client hears of it after one-way latency. */
  resetConn(conn: Conn, by: 'client' | 'server' | 'network'): void {
    if (!conn.serverOpen && !conn.clientOpen) return;
    const serverWasOpen = conn.serverOpen;
    const clientWasOpen = conn.clientOpen;
    conn.serverOpen = false;
    conn.c2s.held = [];
    conn.s2c.held = [];
    this.trace('tcp.close', { conn: conn.id, by, how: 'reset' });
    // Segments still in flight to the server are dropped: arrive() sees it closed.
    if (serverWasOpen && by !== 'server') conn.handler!.closed(conn, 'reset');
    if (by === 'client' || !clientWasOpen) {
      conn.clientOpen = false;
      this.conns.delete(conn.id);
      return;
    }
    // A black-holed connection's RST from the server is lost like everything else on it: the
    // client goes on holding a half-open socket.
    if (by === 'server' && conn.blackHoled) return;
    const socket = conn.socket!;
    const notify = () => {
      conn.clientOpen = false;
      this.conns.delete(conn.id);
      if (socket.closed) return;
      // An RST discards what was received and not yet read.
      socket.peerClose(true);
    };
    if (by === 'network') notify();
    else this.kernel.after(this.oneWay(), notify);
  }

  private segments(data: Uint8Array): Uint8Array[] {
    const slicer = this.link.slicer;
    const out: Uint8Array[] = [];
    for (let off = 0; off < data.length; ) {
      let size = this.link.mss;
      if (slicer !== null) {
        const v = slicer.variationBytes;
        size = Math.min(size, Math.max(1, slicer.averageBytes + (v > 0 ? this.slicer.int(-v, v) : 0)));
      }
      out.push(data.subarray(off, Math.min(data.length, off + size)));
      off += size;
    }
    return out;
  }

  private oneWay(): Micros {
    return this.oneWayAt(this.kernel.now);
  }

  private oneWayAt(t: Micros): Micros {
    return this.link.latencyUs + this.faults.latency.at(t);
  }

  private rtt(): Micros {
    return 2 * this.oneWay();
  }
}

/** A segment's arrival as a kernel event: its values, not a closure per segment. */
function arriveEvent(conn: Conn, dir: Dir, seg: Uint8Array | null, sentAt: Micros): void {
  conn.net.arrive(conn, dir, seg, sentAt);
}

function validateLink(l: LinkOptions): LinkOptions {
  const check = (ok: boolean, field: string, expected: string, got: unknown) => {
    if (!ok) throw new RangeError(`network.${field} must be ${expected}, got ${String(got)}`);
  };
  check(Number.isInteger(l.latencyUs) && l.latencyUs >= 0, 'latencyUs', 'a whole number of µs >= 0', l.latencyUs);
  check(Number.isFinite(l.jitterUs) && l.jitterUs >= 0, 'jitterUs', 'a number of µs >= 0', l.jitterUs);
  check(l.bandwidthMbps > 0, 'bandwidthMbps', 'a number > 0 (Infinity for no limit)', l.bandwidthMbps);
  check(Number.isInteger(l.mss) && l.mss >= 1, 'mss', 'a whole number of bytes >= 1', l.mss);
  check(Number.isFinite(l.connectRtts) && l.connectRtts >= 1, 'connectRtts', 'a number >= 1', l.connectRtts);
  if (l.slicer !== null) {
    check(Number.isInteger(l.slicer.averageBytes) && l.slicer.averageBytes >= 1, 'slicer.averageBytes', 'a whole number >= 1', l.slicer.averageBytes);
    check(Number.isInteger(l.slicer.variationBytes) && l.slicer.variationBytes >= 0, 'slicer.variationBytes', 'a whole number >= 0', l.slicer.variationBytes);
  }
  return l;
}
