/**
 * The thread that reads a world's shipped trace (cli/trace-runner.ts): hashes its events and makes
 * its report from them, handing each chunk's buffer back to be filled again. After each answer it
 * bumps the shared counter the world's thread may be sleeping on.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { TraceReader } from '../sim/kernel/trace.js';
import { streamMetrics, type MetricsPass } from '../sim/scenario/metrics.js';
import type { FromWorker, ToWorker } from './trace-runner.js';

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };

let reader = new TraceReader();
let pass: MetricsPass | null = null;

function answer(a: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(a, transfer);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

// Anything thrown outside a message's handling is answered too: the world's thread waits on answers.
process.on('uncaughtException', (e) => answer({ type: 'error', message: e instanceof Error ? e.message : String(e) }));

port.on('message', (m: ToWorker) => {
  try {
    switch (m.type) {
      case 'start':
        reader = new TraceReader();
        pass = streamMetrics(reader, m.windowUs, m.callTimeoutUs);
        break;
      case 'chunk':
        reader.take(m.chunk);
        answer({ type: 'buffer', buffer: m.chunk.slots.buffer as ArrayBuffer }, [m.chunk.slots.buffer as ArrayBuffer]);
        break;
      case 'finish':
        answer({ type: 'done', traceHash: reader.hash(), events: reader.length, metrics: pass!.finishWith(m.figures) });
        break;
    }
  } catch (e) {
    answer({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
});

// Loaded and listening: the world's thread waits for this before its first world.
answer({ type: 'ready' });
