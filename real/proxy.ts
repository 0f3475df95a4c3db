/**
 * A small loopback TCP proxy of our own between the clients and redis-server, for the faults a
 * server cannot make by itself. Modelled on Toxiproxy's toxics and on the simulated Network's
 * verbs (sim/net/network.ts):
 * - drop: reset every connection (Toxiproxy reset_peer);
 * - refuse(for): stop listening, so connects get ECONNREFUSED, then listen again on the same port;
 * - partition(hold | drop, for): no byte crosses; 'hold' delivers them in order when it heals,
 *   'drop' loses them and the connections that lived through it stay black holes (no close seen);
 * - latency(add, for): bytes read during the window are delivered `add` later (in order);
 * - bandwidth(mbps, for): each direction is paced at `mbps`.
 * Limits (the kernel's handshake cannot be held from user space): a connect during a partition
 * completes at once for the client; the proxy reaches Redis, and the bytes go through, when the
 * partition heals.
 */
import * as net from 'node:net';
import { parseAddress } from './node-tcp.js';

class Pipe {
  private readonly queue: Array<{ data: Buffer; at: number }> = [];
  private timer: NodeJS.Timeout | null = null;
  busyUntil = 0;
  constructor(private readonly to: net.Socket) {}

  /** Writes `data` at `at` (ms, performance.now), after everything queued before it. */
  push(data: Buffer, at: number): void {
    if (this.queue.length === 0 && at <= performance.now()) {
      this.to.write(data);
      return;
    }
    this.queue.push({ data, at });
    this.flush();
  }

  private flush = (): void => {
    this.timer = null;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) this.to.write(this.queue.shift()!.data);
    if (this.queue.length > 0 && this.timer === null) this.timer = setTimeout(this.flush, Math.max(0, this.queue[0]!.at - now));
  };

  clear(): void {
    this.queue.length = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
  /** Bytes from the client before the upstream is connected (or while a partition holds them). */
  toServer: Pipe | null;
  toClient: Pipe;
  held: Array<{ dir: 'c2s' | 's2c'; data: Buffer }>;
  blackHoled: boolean;
}

export class Proxy {
  private server: net.Server | null = null;
  private readonly pairs = new Set<Pair>();
  /** Every socket ever accepted or opened, so close() leaves none (black holes included). */
  private readonly sockets = new Set<net.Socket>();
  private partition: { mode: 'hold' | 'drop'; until: number } | null = null;

  /** A partition is in force. */
  get partitioned(): boolean {
    return this.partition !== null;
  }
  /** Connections accepted during a partition: they reach Redis when it heals (TCP retries its SYN). */
  private waitingForHeal: Array<() => void> = [];
  private latency: Array<{ until: number; addMs: number }> = [];
  private bandwidth: { until: number; mbps: number } | null = null;
  private timers = new Set<NodeJS.Timeout>();
  /** Called by close(): refusals waiting to listen again are over. */
  private readonly onClose = new Set<() => void>();
  port = 0;

  private constructor(private readonly upstream: { host: string; port: number }) {}

  static async start(upstream: string): Promise<Proxy> {
    const p = new Proxy(parseAddress(upstream));
    await p.listen(0);
    return p;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = net.createServer({ noDelay: true }, (c) => this.accept(c));
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        this.server = s;
        this.port = (s.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private accept(client: net.Socket): void {
    const pair: Pair = { client, upstream: null, toServer: null, toClient: new Pipe(client), held: [], blackHoled: false };
    this.pairs.add(pair);
    const pending: Buffer[] = [];
    this.sockets.add(client);
    client.on('data', (d: Buffer) => (pair.toServer === null ? pending.push(d) : this.forward(pair, 'c2s', d)));
    let up: net.Socket | null = null;
    const open = () => {
      if (!this.pairs.has(pair)) return;
      const u = net.createConnection({ ...this.upstream, noDelay: true });
      up = u;
      this.sockets.add(u);
      u.once('connect', () => {
        pair.upstream = u;
        pair.toServer = new Pipe(u);
        for (const d of pending.splice(0)) this.forward(pair, 'c2s', d);
      });
      u.on('data', (d: Buffer) => this.forward(pair, 's2c', d));
      u.on('error', end);
      u.on('close', () => {
        this.sockets.delete(u);
        end();
      });
    };
    const end = () => {
      if (!this.pairs.delete(pair)) return;
      pair.toClient.clear();
      pair.toServer?.clear();
      // A black hole hides the close too: the client goes on holding a half-open socket.
      if (!pair.blackHoled) client.destroy();
      up?.destroy();
    };
    client.on('error', end);
    client.on('close', () => {
      this.sockets.delete(client);
      end();
    });
    if (this.partition === null) open();
    else this.waitingForHeal.push(open);
  }

  private forward(pair: Pair, dir: 'c2s' | 's2c', data: Buffer): void {
    if (pair.blackHoled) return;
    if (this.partition !== null) {
      if (this.partition.mode === 'hold') pair.held.push({ dir, data });
      return;
    }
    const now = performance.now();
    let at = now;
    for (const w of this.latency) if (now < w.until) at += w.addMs;
    const pipe = dir === 'c2s' ? pair.toServer! : pair.toClient;
    if (this.bandwidth !== null && now < this.bandwidth.until) {
      at = Math.max(at, pipe.busyUntil) + (data.length * 8) / (this.bandwidth.mbps * 1000);
      pipe.busyUntil = at;
    }
    pipe.push(data, at);
  }

  /** Resets every connection (RST to the client). */
  drop(): void {
    for (const p of [...this.pairs]) {
      this.pairs.delete(p);
      p.toClient.clear();
      p.toServer?.clear();
      p.client.resetAndDestroy();
      p.upstream?.destroy();
    }
  }

  /**
   * New connections are refused for `forMs`. Resolves when the proxy listens again (or is
   * closed first); rejects if it cannot listen again on its port.
   */
  refuse(forMs: number): Promise<void> {
    const s = this.server;
    if (s === null) return Promise.resolve();
    this.server = null;
    s.close();
    return new Promise((resolve, reject) => {
      this.onClose.add(resolve);
      this.later(forMs, () => {
        this.onClose.delete(resolve);
        this.listen(this.port).then(resolve, (e: NodeJS.ErrnoException) => reject(new Error(`the proxy could not listen again on port ${this.port}: ${e.code ?? e.message}`)));
      });
    });
  }

  partitionFor(mode: 'hold' | 'drop', forMs: number): void {
    if (mode === 'drop') for (const p of this.pairs) p.blackHoled = true;
    const until = performance.now() + forMs;
    // The partition that ends last heals it: each one's timer heals only if it is still the
    // current one (by identity, not by comparing clocks: Node's timers may fire a little early).
    if (this.partition !== null && this.partition.until >= until) return;
    const current = { mode: this.partition?.mode === 'drop' ? ('drop' as const) : mode, until };
    this.partition = current;
    this.later(forMs, () => {
      if (this.partition !== current) return;
      this.partition = null;
      for (const p of this.pairs) for (const h of p.held.splice(0)) this.forward(p, h.dir, h.data);
      for (const open of this.waitingForHeal.splice(0)) open();
    });
  }

  addLatency(addMs: number, forMs: number): void {
    const w = { until: performance.now() + forMs, addMs };
    this.latency.push(w);
    this.later(forMs, () => (this.latency = this.latency.filter((x) => x !== w)));
  }

  limitBandwidth(mbps: number, forMs: number): void {
    this.bandwidth = { until: performance.now() + forMs, mbps };
  }

  close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const f of this.onClose) f();
    this.onClose.clear();
    this.waitingForHeal = [];
    for (const sock of this.sockets) sock.destroy();
    this.sockets.clear();
    this.pairs.clear();
    const s = this.server;
    this.server = null;
    return new Promise((resolve) => (s === null ? resolve() : s.close(() => resolve())));
  }
}
