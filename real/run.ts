/**
 * A scenario against a real Redis: for each client configuration, a world whose runtime runs on
 * Node's clock (driver.ts) and whose sockets are Node's (node-tcp.ts), with the same clients,
 * workload, fault schedule (made real where it can be: faults.ts) and metrics as the simulator
 * (sim/scenario/run.ts). Worlds run one after the other against one redis-server, FLUSHALLed
 * between them; the server's own counters (INFO) give what the trace of a real server cannot.
 */
import { ms, type Micros } from '../sim/kernel/time.js';
import type { Trace } from '../sim/kernel/trace.js';
import type { Pid } from '../sim/runtime/index.js';
import type { ClientConfig } from '../sim/clients/index.js';
import { setupClient } from '../sim/scenario/harness.js';
import { worldMetrics, type WorldMetrics } from '../sim/scenario/metrics.js';
import { drainUs } from '../sim/scenario/run.js';
import type { ClientSpec, Scenario } from '../sim/scenario/schema.js';
import { spawnWorkload } from '../sim/scenario/workload.js';
import { Admin } from './admin.js';
import { RealFaults, checkDebug, checkFaults, needsProxy } from './faults.js';
import { workloadCallers } from '../sim/faults/index.js';
import { connectForeign, foreignIssue, type ForeignKind } from './foreign.js';
import { realWorld } from './world.js';
import { Proxy } from './proxy.js';
import { RedisProcess } from './redis-server.js';

export interface ServerStats {
  /** Commands the server ran for this world (INFO total_commands_processed, our own taken out). */
  commands: number;
  /** Connections the server accepted (INFO total_connections_received). */
  connections: number;
  /** The server's CPU (user + sys) over the world's run, % of one core. */
  cpuPct: number;
  /** This Node process's CPU (every client process, the driver, the sockets), % of one core. */
  nodeCpuPct: number;
  /** Time the runtime spent running process steps and socket callbacks, % of the run. */
  runtimeBusyPct: number;
  /** Process steps run (every process's, callers included). */
  steps: number;
  /** Runtime busy time per step, ns: what calibration turns into the simulator's stepOverheadNs. */
  nsPerStep: number;
  /** Real time the world ran, µs. */
  elapsedUs: number;
}

export interface RealWorldResult {
  label: string;
  /** 'pool', 'multiplex', ... or a reference library ('ioredis', 'node-redis-pool', ...). */
  kind: string;
  options: Record<string, unknown>;
  traceHash: string;
  trace: Trace;
  metrics: WorldMetrics;
  server: ServerStats;
  /** Processes that crashed (a bug in a client would show here). */
  crashes: string[];
  /** Faults that could not be applied (a CLIENT KILL that failed, a restart that did not come up). */
  faultErrors: string[];
}

export interface RealResult {
  scenario: Scenario;
  /** Where the clients connected (the proxy, when the faults need one). */
  address: string;
  redisVersion: string;
  worlds: RealWorldResult[];
}

export interface RealOptions {
  /** HOST:PORT of a running Redis; otherwise one is started from PATH and stopped after. */
  redis?: string;
  /** Also run the reference libraries, with the workload of the scenario. */
  compare?: boolean;
  /** Emulate the scenario's link (network.latencyMs each way) in Duplex's clients' sockets. */
  link?: boolean;
  /** Called as each world starts. */
  onWorld?: (label: string, index: number, total: number) => void;
}

/** One world to run: one of the scenario's clients, or a reference library. */
export type RealTarget = { spec: ClientSpec } | { foreign: ForeignKind; poolSize: number };

export function targets(s: Scenario, compare: boolean): RealTarget[] {
  const out: RealTarget[] = s.clients.map((spec) => ({ spec }));
  if (compare) {
    const pool = s.clients.find((c) => c.kind === 'pool');
    const poolSize = pool?.kind === 'pool' ? (pool.size ?? 10) : 10;
    for (const foreign of ['ioredis', 'ioredis-autopipeline', 'node-redis', 'node-redis-pool'] as const) out.push({ foreign, poolSize });
  }
  return out;
}

/** How long the first look at the server (INFO) may wait for its reply. */
const PROBE_REPLY_MS = 5000;

/** Starts (or reaches) Redis, runs every world, stops what it started. */
export async function runReal(s: Scenario, options: RealOptions = {}): Promise<RealResult> {
  checkFaults(s, options.redis === undefined);
  const own = options.redis === undefined ? await RedisProcess.start() : null;
  const redisAddress = own?.address ?? options.redis!;
  let proxy: Proxy | null = null;
  try {
    // A server that is not a Redis (silent, another protocol, a flood) fails here, named.
    const probe = await Admin.connect(redisAddress, 2000, { replyTimeoutMs: PROBE_REPLY_MS, maxReplyBytes: 1024 * 1024 });
    const info = await probe.info('server').finally(() => probe.close());
    // An own server allows DEBUG; another may not (Redis 7's default): say so before the run.
    if (own === null) await checkDebug(s, redisAddress);
    if (needsProxy(s)) proxy = await Proxy.start(redisAddress);
    const address = proxy?.address ?? redisAddress;
    const list = targets(s, options.compare ?? false);
    const worlds: RealWorldResult[] = [];
    for (const [i, t] of list.entries()) {
      options.onWorld?.('spec' in t ? t.spec.label : t.foreign, i, list.length);
      worlds.push(await runRealWorld(s, t, { redisAddress, address, own, proxy, link: options.link ?? false }));
    }
    return { scenario: s, address, redisVersion: info.get('redis_version') ?? '?', worlds };
  } finally {
    await proxy?.close();
    await own?.stop();
  }
}

export interface Place {
  /** The Redis itself (for the run's own commands). */
  redisAddress: string;
  /** Where the clients connect. */
  address: string;
  own: RedisProcess | null;
  proxy: Proxy | null;
  /** Emulate the scenario's link latency in the sockets (Duplex's clients only). */
  link?: boolean;
}

/** Runs one world on the real clock; resolves when every caller is done (or the drain is over). */
export async function runRealWorld(s: Scenario, target: RealTarget, place: Place): Promise<RealWorldResult> {
  if (place.own !== null && !place.own.running) await place.own.start();
  // Everything opened here is closed in the finally, whatever throws: the admin connection, the
  // library's connections, the world's sockets.
  let admin: Admin | null = null;
  let foreign: Awaited<ReturnType<typeof connectForeign>> | null = null;
  let world: ReturnType<typeof realWorld> | null = null;
  try {
    admin = await Admin.connect(place.redisAddress);
    await admin.command(['CLIENT', 'SETNAME', 'duplex-admin']);
    await admin.command(['FLUSHALL']);
    const before = await admin.info('all');
    const adminSentBefore = admin.sent;

    // A library connects before the world's clock starts, so its connect is not in the run.
    foreign = 'spec' in target ? null : await connectForeign(target.foreign, place.address, target.poolSize);
    world = place.link === true ? realWorld(s.seed, place.address, ms(s.network.latencyMs), s.network.connectRtts) : realWorld(s.seed, place.address);
    const { kernel, rt, driver, net } = world;

    let label: string;
    let kind: string;
    let opts: Record<string, unknown>;
    let live: Set<Pid>;
    let callers: Pid[];
    if ('spec' in target) {
      const { label: l, ...config } = target.spec;
      label = l;
      ({ kind, ...opts } = config);
      const client = setupClient(world, label, config as ClientConfig, 0);
      ({ callers, live } = spawnWorkload(world, client, s));
    } else {
      label = kind = target.foreign;
      opts = target.foreign === 'node-redis-pool' ? { size: target.poolSize } : {};
      ({ callers, live } = spawnWorkload(world, foreign!, s, foreignIssue(rt, driver)));
    }

    const faults = new RealFaults(place, () => admin!, (a) => (admin = a), workloadCallers(kernel, rt, callers, live, kernel.rng.child('faults')));
    for (const f of s.faults) kernel.at(ms(f.atMs), () => faults.apply(f));

    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const end: Micros = ms(s.durationMs) + drainUs(s);
    driver.start();
    // The run ends when every caller is done (its last request ended), or at the end of the drain.
    await driver.until(end, () => live.size === 0 && kernel.now >= ms(s.durationMs));
    driver.stop();
    const elapsedMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await faults.settle();
    net.closeAll();
    await foreign?.close();
    foreign = null;

    if (await admin.command(['PING']).then(() => false, () => true)) admin = await Admin.connect(place.redisAddress);
    const after = await admin.info('all');
    const own = admin.sent - adminSentBefore;
    const num = (m: Map<string, string>, k: string) => Number(m.get(k) ?? 0);
    const restarted = faults.restarted;
    const delta = (k: string) => (restarted ? num(after, k) : num(after, k) - num(before, k));
    const serverCpuS = delta('used_cpu_user') + delta('used_cpu_sys');
    const metrics = worldMetrics(world, ms(s.durationMs), ms(s.workload.callTimeoutMs));
    metrics.commandsExecuted = Math.max(0, delta('total_commands_processed') - own);
    metrics.cpu.serverBusyPct = round1((100 * serverCpuS * 1000) / elapsedMs);
    // One Node thread runs every process: the "busiest process" is the runtime as a whole.
    metrics.cpu.busiestProcess = 'runtime (all)';
    metrics.cpu.busiestProcessBusyPct = round1((100 * driver.busyUs) / 1000 / elapsedMs);
    const steps = rt.stats().reduce((n, p) => n + p.steps, rt.forgottenStats().steps);
    if (!('spec' in target)) {
      // A library's sockets are its own: the server's count is the only one.
      metrics.connections.opened = metrics.connections.connectAttempts = delta('total_connections_received');
    }
    return {
      label,
      kind,
      options: opts,
      traceHash: kernel.trace.hash(),
      trace: kernel.trace,
      metrics,
      server: {
        commands: metrics.commandsExecuted,
        connections: delta('total_connections_received'),
        cpuPct: metrics.cpu.serverBusyPct,
        nodeCpuPct: round1((100 * (cpu.user + cpu.system)) / 1000 / elapsedMs),
        runtimeBusyPct: metrics.cpu.busiestProcessBusyPct,
        steps,
        nsPerStep: steps === 0 ? 0 : Math.round((driver.busyUs * 1000) / steps),
        elapsedUs: Math.round(elapsedMs * 1000),
      },
      crashes: rt.crashes.map((c) => `${c.name}: ${c.error instanceof Error ? c.error.message : String(c.error)}`),
      faultErrors: [...faults.errors],
    };
  } finally {
    world?.driver.stop();
    world?.net.closeAll();
    admin?.close();
    await foreign?.close().catch(() => undefined);
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
