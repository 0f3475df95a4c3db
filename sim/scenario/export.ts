/**
 * What a run is turned into for people and tools: the JSON report (the CLI's --json), the raw
 * trace, and the Chrome trace event format that ui.perfetto.dev opens.
 */
import { FAULT_EVENTS } from '../faults/index.js';
import type { WorldMetrics } from './metrics.js';
import type { ScenarioResult } from './run.js';

export interface JsonReport {
  scenario: string;
  seed: number;
  worlds: Array<{
    label: string;
    client: string;
    traceHash: string;
    requests: { issued: number; ok: number; failed: number; unfinished: number; errors: Record<string, number> };
    latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
    throughputPerSec: number;
    connections: { opened: number; connectAttempts: number; openAtEnd: number };
    bytes: { sent: number; received: number; copiedBetweenProcesses: number };
    cpu: { busiestProcessBusyPct: number; serverBusyPct: number; busiestProcess: string };
    invariants: { lost: number; duplicatedReplies: number; misrouted: number; indeterminate: number; executedTwice: number; falselyDeterminate: number; abandoned: number };
    maxInFlightPerConnection: number;
    meanInSystem: number;
    poolQueueWaitMs: { mean: number; p99: number; max: number; waited: number };
    commandsExecuted: number;
    options: Record<string, unknown>;
  }>;
}

export type JsonWorld = JsonReport['worlds'][number];

export function jsonReport(r: ScenarioResult): JsonReport {
  return {
    scenario: r.scenario.name,
    seed: r.scenario.seed,
    worlds: r.worlds.map((w) => {
      const { label, kind, ...options } = w.client;
      return jsonWorld({ label, kind, options, traceHash: w.traceHash, metrics: w.metrics });
    }),
  };
}

/** One world of the JSON report (a simulated one, or a real one: cli/real.ts). */
export function jsonWorld(w: { label: string; kind: string; options: Record<string, unknown>; traceHash: string; metrics: WorldMetrics }): JsonWorld {
  const m = w.metrics;
  return {
    label: w.label,
    client: w.kind,
    traceHash: w.traceHash,
    requests: m.requests,
    latencyMs: m.latencyMs,
    throughputPerSec: m.throughputPerSec,
    connections: m.connections,
    bytes: m.bytes,
    cpu: { busiestProcessBusyPct: m.cpu.busiestProcessBusyPct, serverBusyPct: m.cpu.serverBusyPct, busiestProcess: m.cpu.busiestProcess },
    invariants: m.invariants,
    maxInFlightPerConnection: m.maxInFlightPerConnection,
    meanInSystem: m.meanInSystem,
    poolQueueWaitMs: m.poolQueueWaitMs,
    commandsExecuted: m.commandsExecuted,
    options: w.options,
  };
}

/** `{worlds: [{label, events: [{t, kind, ...}]}]}`, t in µs, in time order. */
export function traceExport(r: ScenarioResult): { worlds: Array<{ label: string; events: Array<Record<string, unknown>> }> } {
  return { worlds: r.worlds.map((w) => ({ label: w.label, events: w.trace.toArray() })) };
}

interface ChromeEvent {
  name: string;
  ph: string;
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  id?: number;
  cat?: string;
  s?: string;
  args?: Record<string, unknown>;
}


/**
 * Chrome trace event format (what ui.perfetto.dev and chrome://tracing open): one process per
 * world; each request an async slice on its caller's track (they overlap, so async); counters for
 * requests in flight and the pool's queue; instants for faults; CPU slices for busy processes.
 */
export function perfettoExport(r: ScenarioResult): { traceEvents: ChromeEvent[]; displayTimeUnit: 'ms' } {
  const out: ChromeEvent[] = [];
  r.worlds.forEach((w, wi) => {
    const pid = wi + 1;
    out.push({ name: 'process_name', ph: 'M', pid, args: { name: `${w.label} (${w.client.kind})` } });
    out.push({ name: 'thread_name', ph: 'M', pid, tid: 0, args: { name: 'redis' } });
    const named = new Set<number>();
    const names = new Map<number, string>();
    const reqName = new Map<number, { name: string; caller: number }>();
    let inFlight = 0;
    let queued = 0;
    for (const e of w.trace.rows()) {
      const ts = e.t;
      switch (e.kind) {
        case 'proc.spawn':
          names.set(e.pid as number, e.name as string);
          break;
        case 'pipeline.start': {
          const caller = e.caller as number;
          if (!named.has(caller)) {
            named.add(caller);
            out.push({ name: 'thread_name', ph: 'M', pid, tid: caller, args: { name: names.get(caller) ?? `pid ${caller}` } });
          }
          reqName.set(e.req as number, { name: (e.name as string).toUpperCase() || 'request', caller });
          out.push({ name: (e.name as string).toUpperCase() || 'request', cat: 'request', ph: 'b', id: e.req as number, pid, tid: caller, ts, args: { commands: e.cmds } });
          out.push({ name: 'requests in flight', ph: 'C', pid, ts, args: { requests: ++inFlight } });
          break;
        }
        case 'pipeline.stop': {
          const r0 = reqName.get(e.req as number);
          if (r0 === undefined) break;
          reqName.delete(e.req as number);
          out.push({ name: r0.name, cat: 'request', ph: 'e', id: e.req as number, pid, tid: r0.caller, ts, args: { ok: e.ok, error: e.error, indeterminate: e.indeterminate } });
          out.push({ name: 'requests in flight', ph: 'C', pid, ts, args: { requests: --inFlight } });
          break;
        }
        case 'checkout.wait':
          out.push({ name: 'pool queue', ph: 'C', pid, ts, args: { waiting: ++queued } });
          break;
        case 'checkout.start':
          if ((e.waitedUs as number) > 0) out.push({ name: 'pool queue', ph: 'C', pid, ts, args: { waiting: (queued = Math.max(0, queued - 1)) } });
          break;
        case 'proc.busy':
          out.push({ name: 'cpu', cat: 'cpu', ph: 'X', pid, tid: e.pid as number, ts, dur: e.us as number });
          break;
        case 'redis.event':
          if ((e.us as number) > 0) out.push({ name: `read event (${e.commands} cmd)`, cat: 'redis', ph: 'X', pid, tid: 0, ts, dur: e.us as number });
          break;
        default:
          if (FAULT_EVENTS.has(e.kind)) {
            const { t: _t, kind, ...args } = e;
            out.push({ name: kind === 'net.fault' ? String(args.fault) : kind, cat: 'fault', ph: 'i', s: 'g', pid, ts, args });
          }
      }
    }
  });
  return { traceEvents: out, displayTimeUnit: 'ms' };
}
