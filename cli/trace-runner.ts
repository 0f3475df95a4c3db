/**
 * Runs a scenario's worlds with their traces read on a second thread: what `npm run sim` does
 * when no trace is exported. The world runs here and ships its events in chunks of 32-bit slots
 * (Trace.shipTo); a worker thread (trace-worker.ts) hashes them and makes the report (metrics and
 * checker) from them, on the other core. The result is the one runScenario gives with keepTrace
 * false — same trace hash, same metrics — tested in tests/unit/trace-runner.test.ts. (The lab's
 * workers and the tests keep the in-thread path: sim/ has no Node module.)
 *
 * Synchronous, like runScenario: the thread's answers are read with receiveMessageOnPort, and this
 * thread sleeps on an Atomics counter the worker bumps after each answer, when it has to wait
 * (the worker is behind by more than MAX_IN_FLIGHT chunks, or at the end of a world).
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { ms } from '../sim/kernel/time.js';
import type { TraceChunk } from '../sim/kernel/trace.js';
import { buildWorld, runSlices, startWorld, type ScenarioResult, type WorldResult } from '../sim/scenario/run.js';
import { worldFigures, type WorldMetrics } from '../sim/scenario/metrics.js';
import type { ClientSpec, Scenario } from '../sim/scenario/schema.js';

/** What this thread sends the worker. */
export type ToWorker =
  | { type: 'start'; windowUs: number; callTimeoutUs: number }
  | { type: 'chunk'; chunk: TraceChunk }
  | { type: 'finish'; figures: ReturnType<typeof worldFigures> };

/** What the worker answers. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'buffer'; buffer: ArrayBuffer }
  | { type: 'done'; traceHash: string; events: number; metrics: WorldMetrics }
  | { type: 'error'; message: string };

/**
 * Chunks handed to the worker and not yet given back, at most (256 KB each, ~12k events): past
 * this the world waits for it, so a slow reader cannot make memory grow. Enough for the world not
 * to wait while the thread starts (tsx's loader: ~0.5 s).
 */
const MAX_IN_FLIGHT = 128;

/** How long the world waits for the worker without a word before it gives up on it. */
const STALL_MS = 120_000;

/** How long the worker may take to load (tsx's loader under load: a few seconds) and say ready. */
const START_MS = 30_000;

/** The trace thread failed or went silent: said in one line by the CLI (cli/args.ts exitOnError). */
export class TraceThreadError extends Error {}

export interface ShippedRunOptions {
  onProgress?: (fraction: number) => void;
  sliceEvents?: number;
  /** The worker's entry (default: see WORKER). */
  workerUrl?: URL;
  /** How long the worker may take to say it is ready (default START_MS). */
  startMs?: number;
}

/**
 * The worker's entry: run from the TypeScript sources (tsx, the tests), trace-thread.mjs, which
 * registers tsx's loader; bundled (scripts/run-bench.mjs: npm run sim, the benchmarks),
 * trace-worker.mjs, bundled beside this code.
 */
const WORKER = import.meta.url.endsWith('.ts') ? new URL('./trace-thread.mjs', import.meta.url) : new URL('./trace-worker.mjs', import.meta.url);

/** The worker thread and this side of its channel. */
class TraceThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** Bumped by the worker after each answer it posts. */
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly free: Int32Array[] = [];
  private inFlight = 0;
  private ready = false;
  private done: Extract<FromWorker, { type: 'done' }> | null = null;
  private readonly createdAt = performance.now();

  constructor(url: URL, private readonly startMs: number) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(url, { workerData: { port: port2, signal: this.signal }, transferList: [port2] });
    this.worker.unref();
    // This thread is synchronous: it learns of a failure from the worker's own answer ('error', or
    // no 'ready'), and Node's 'error' event comes only after the run has given up. Without a
    // listener that late event would crash the process with a second stack trace.
    this.worker.on('error', () => {});
  }

  /** Runs one world, its trace shipped here, read there. */
  runWorld(s: Scenario, spec: ClientSpec, onProgress: ((f: number) => void) | undefined, sliceEvents: number): WorldResult {
    // The world does not wait for the thread to start (~0.1-0.2 s to load): the port keeps what
    // is sent meanwhile, up to MAX_IN_FLIGHT chunks.
    const { world, end } = buildWorld(s, spec, false);
    this.send({ type: 'start', windowUs: ms(s.durationMs), callTimeoutUs: ms(s.workload.callTimeoutMs) });
    world.kernel.trace.shipTo((chunk) => this.ship(chunk));
    startWorld(s, spec, world);
    runSlices(world, spec.label, end, sliceEvents, () => {
      this.read();
      onProgress?.(world.kernel.now / end);
    });
    world.kernel.trace.flush();
    this.done = null;
    this.send({ type: 'finish', figures: worldFigures(world) });
    this.startedOrFail();
    this.waitFor(() => this.done !== null);
    const done = this.done!;
    if (done.events !== world.kernel.trace.length) throw new Error(`the trace thread read ${done.events} events of ${world.kernel.trace.length}`);
    onProgress?.(1);
    return { label: spec.label, client: spec, world, trace: world.kernel.trace, traceHash: done.traceHash, metrics: done.metrics };
  }

  close(): void {
    void this.worker.terminate();
  }

  private send(m: ToWorker): void {
    this.port.postMessage(m);
  }

  private ship(chunk: TraceChunk): Int32Array | undefined {
    this.port.postMessage({ type: 'chunk', chunk } satisfies ToWorker, [chunk.slots.buffer as ArrayBuffer]);
    this.inFlight++;
    this.read();
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.startedOrFail();
      this.waitFor(() => this.inFlight < MAX_IN_FLIGHT);
    }
    return this.free.pop();
  }

  /** Waits for the thread to say it is ready, at most startMs from its creation. */
  private startedOrFail(): void {
    if (this.ready) return;
    const left = Math.max(0, this.startMs - (performance.now() - this.createdAt));
    this.waitFor(() => this.ready, left, `did not start within ${this.startMs / 1000} s`);
  }

  /** Takes every answer waiting. */
  private read(): void {
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const a = m.message as FromWorker;
      if (a.type === 'buffer') {
        this.inFlight--;
        this.free.push(new Int32Array(a.buffer));
      } else if (a.type === 'done') this.done = a;
      else if (a.type === 'ready') this.ready = true;
      else throw new TraceThreadError(`the trace thread failed: ${a.message}`);
    }
  }

  private waitFor(ready: () => boolean, limitMs = STALL_MS, what = `has not answered for ${STALL_MS / 1000} s`): void {
    let quiet = 0;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      this.read();
      if (ready()) return;
      // An answer posted after the read above has bumped the counter: no wait then.
      if (Atomics.wait(this.signal, 0, seen, 1000) === 'timed-out') quiet += 1000;
      else quiet = 0;
      if (quiet >= limitMs) throw new TraceThreadError(`the trace thread ${what}`);
    }
  }
}

/** runScenario with keepTrace false, each world's trace read on a second thread. */
export function runScenarioShipped(s: Scenario, options: ShippedRunOptions = {}): ScenarioResult {
  const thread = new TraceThread(options.workerUrl ?? WORKER, options.startMs ?? START_MS);
  try {
    const n = s.clients.length;
    const worlds = s.clients.map((c, i) => thread.runWorld(s, c, (f) => options.onProgress?.((i + f) / n), options.sliceEvents ?? 200_000));
    return { scenario: s, worlds };
  } finally {
    thread.close();
  }
}
