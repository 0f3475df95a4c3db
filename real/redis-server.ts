/**
 * A redis-server of our own on loopback: a free port, no persistence (--save '' --appendonly no),
 * DEBUG allowed (the SLEEP workload and the slow_server fault use DEBUG SLEEP). Stopped with the
 * run; `crash` and `start` again make the server_down fault real (SIGKILL: the data is lost, as
 * in the simulator's restart).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { Admin } from './admin.js';

/** The redis-server on PATH, or null. */
export function findRedisServer(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = r.status === 0 ? r.stdout.trim() : '';
  return path === '' ? null : path;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** `p`, or a rejection after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Servers still running, killed if this process exits first (Ctrl-C, a timeout's SIGTERM). */
const live = new Set<ChildProcess>();
let hooked = false;
function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const c of live) c.kill('SIGKILL');
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}

/** The port was taken between picking it and the server binding it (by another test's server, say). */
class PortTaken extends Error {}

export class RedisProcess {
  private child: ChildProcess | null = null;
  private log = '';

  private constructor(
    readonly binary: string,
    readonly port: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /**
   * Starts a redis-server from PATH on a free loopback port and waits until it answers. A port
   * taken between `ports()` picking it and the server binding it is given up for another.
   */
  static async start(binary = findRedisServer(), ports: () => Promise<number> = freePort): Promise<RedisProcess> {
    if (binary === null) throw new Error('no redis-server on PATH: install it (apt-get install redis-server) or give --redis HOST:PORT');
    for (let attempt = 1; ; attempt++) {
      const r = new RedisProcess(binary, await ports());
      try {
        await r.start();
        return r;
      } catch (e) {
        if (!(e instanceof PortTaken) || attempt >= 5) throw e;
      }
    }
  }

  /** (Re)starts the server on its port. */
  async start(): Promise<void> {
    if (this.child !== null) return;
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes', '--daemonize', 'no', '--loglevel', 'warning'];
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    killOnExit(child);
    this.child = child;
    this.log = '';
    const keep = (b: Buffer) => {
      this.log = (this.log + b.toString()).slice(-4000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.child !== child) {
        if (/address already in use/i.test(this.log)) throw new PortTaken(`port ${this.port} is taken:\n${this.log}`);
        throw new Error(`redis-server exited at start:\n${this.log}`);
      }
      let a: Admin | null = null;
      try {
        a = await Admin.connect(this.address, 500);
        // The server that answers must be this child, not another that holds the port.
        const info = await within(a.info('server'), 1000);
        if (Number(info.get('process_id')) !== child.pid) throw new Error(`another server answers on ${this.address}`);
        return;
      } catch {
        if (Date.now() > deadline) {
          await this.stop();
          throw new Error(`redis-server did not answer on ${this.address} within 10 s:\n${this.log}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      } finally {
        a?.close();
      }
    }
  }

  /** Kills the server at once (SIGKILL): connections reset, data gone. */
  crash(): Promise<void> {
    return this.kill('SIGKILL');
  }

  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void> {
    return this.kill('SIGTERM');
  }

  private kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}
