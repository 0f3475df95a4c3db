/**
 * Node side of tour-chapters.spec.ts: each chapter's scenario run with the simulator, and the
 * figures its claim tracks must show, computed from that run — its metrics and trace events
 * where they hold the figure, else from the requests' own times — not by the page's code.
 */
import { loadPreset, runScenario, type ScenarioResult } from '../../sim/scenario/index.js';
import { deriveLab, type RequestView, type WorldView } from '../../sim/views/index.js';

/** The tracks that carry each chapter's claims: [kind, world]; the first is its first pointer's. */
export const CLAIMS: Record<string, Array<[string, string]>> = {
  'silly-way': [['handshake', 'per-command'], ['connects', 'per-command'], ['wire', 'multiplex']],
  genserver: [['mailbox', 'serial'], ['mailbox', 'multiplex']],
  pool: [['outcomes', 'pool-error'], ['queue', 'pool-queue'], ['outcomes', 'pool-queue']],
  multiplex: [['wire', 'multiplex'], ['wire', 'pool']],
  tradeoffs: [['cpu', 'multiplex'], ['cpu', 'pool'], ['mailbox', 'multiplex']],
  resiliency: [['backoff', 'multiplex'], ['outcomes', 'multiplex'], ['backoff', 'pool']],
  connection: [['connects', 'no-backoff'], ['backoff', 'redix-backoff'], ['connects', 'redix-backoff']],
  'sync-async': [['outcomes', 'sync'], ['wire', 'sync'], ['outcomes', 'async']],
  'head-of-line': [['blocked', 'multiplex'], ['blocked', 'pool']],
  'late-replies': [['late-drops', 'multiplex'], ['outcomes', 'multiplex']],
  'pool-overload': [['latency', 'codel'], ['latency', 'queue']],
  'pool-size': [['queue', 'pool'], ['wire', 'multiplex']],
  'reconnect-storm': [['connects', 'exp-no-jitter'], ['connects', 'rand-exp-jitter']],
  'backoff-reset': [['connects', 'reset-on-accept'], ['backoff', 'reset-on-reply']],
  'at-least-once': [['resends', 'at-least-once'], ['outcomes', 'at-most-once']],
};

export interface Expected {
  testid: string;
  count: number;
  value: number;
  /** How far data-value may be from `value` (rounding, a histogram's precision). */
  tolerance: number;
}

const ended = (w: WorldView) => w.requests.filter((r) => r.end !== null);
const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** When each request was first written: a resent one's first write, else its only one. */
function firstWrite(w: WorldView, r: RequestView): number {
  const prev = w.resends.filter((s) => s.req === r.req).map((s) => s.prevSentAt);
  const t = prev.length > 0 ? Math.min(...prev) : (r.sentAt ?? r.end!);
  return Math.min(t, r.end!);
}

export function runChapter(preset: string): { result: ScenarioResult; worlds: WorldView[] } {
  const s = loadPreset(preset);
  if (s === undefined) throw new Error(`no preset ${preset}`);
  const result = runScenario(s);
  return { result, worlds: deriveLab(result).worlds };
}

export function expectedFigures(chapter: string, preset: string): Expected[] {
  const { result, worlds } = runChapter(preset);
  const durationUs = result.scenario.durationMs * 1000;
  return (CLAIMS[chapter] ?? []).map(([kind, label]) => {
    const wi = result.worlds.findIndex((w) => w.label === label);
    if (wi < 0) throw new Error(`${chapter}: no world ${label}`);
    const rw = result.worlds[wi]!;
    const vw = worlds[wi]!;
    const m = rw.metrics;
    const done = m.requests.ok + m.requests.failed;
    const testid = `track-${kind}-${label}`;
    const exact = (count: number, value: number): Expected => ({ testid, count, value, tolerance: 0 });
    switch (kind) {
      case 'handshake':
      case 'mailbox':
        return { testid, count: done, value: mean(ended(vw).map((r) => firstWrite(vw, r) - r.start)), tolerance: 1 };
      case 'queue': {
        // The pool's own record of each checkout's wait (checkout.start), over the calls that
        // ended; a call shed from the queue waited until it failed.
        const over = new Map(ended(vw).map((r) => [r.req, r]));
        let wait = 0;
        for (const e of rw.trace.ofKind('checkout.start')) if (over.has(e.req)) wait += e.waitedUs;
        for (const r of over.values()) if (r.checkedOutAt === null && r.queuedAt !== null) wait += r.end! - r.queuedAt;
        return { testid, count: done, value: wait / done, tolerance: 1 };
      }
      case 'outcomes':
        return exact(done, m.requests.failed);
      case 'wire':
        return exact(m.connections.opened, m.maxInFlightPerConnection);
      case 'backoff': {
        // A backoff of 0 (reconnect at once) is no wait, and no band.
        const us = [...rw.trace.ofKind('conn.backoff')].map((e) => (e as { us: number }).us).filter((x) => x > 0);
        return exact(us.length, Math.max(...us));
      }
      case 'connects': {
        const first = new Set<number>();
        const ms = new Set<number>();
        for (const e of rw.trace.ofKind('tcp.connect')) {
          const pid = (e as { pid: number }).pid;
          if (first.has(pid)) ms.add(Math.floor(e.t / 1000));
          else first.add(pid);
        }
        return exact(m.connections.connectAttempts, ms.size);
      }
      case 'late-drops': {
        const n = [...rw.trace.ofKind('msg.drop')].filter((e) => (e as { reason: string }).reason === 'inactive_alias').length;
        return exact(n, n);
      }
      case 'resends': {
        const rs = [...rw.trace.ofKind('pipeline.resend')].map((e) => (e as { req: number }).req);
        return exact(rs.length, new Set(rs).size);
      }
      case 'cpu': {
        // The client's own process: its busy µs over the run's duration, from proc.busy.
        const pids = new Set<number>();
        for (const e of rw.trace.ofKind('proc.spawn')) if ((e as { name: string }).name === label) pids.add((e as { pid: number }).pid);
        let busy = 0;
        for (const e of rw.trace.ofKind('proc.busy')) {
          const b = e as { pid: number; us: number };
          if (pids.has(b.pid) && e.t < durationUs) busy += Math.min(b.us, durationUs - e.t);
        }
        return { testid, count: vw.busy.length, value: (100 * busy) / durationUs, tolerance: 0.1 };
      }
      case 'latency': {
        const ok = ended(vw).filter((r) => r.ok === true).map((r) => r.end! - r.start).sort((a, b) => a - b);
        return { testid, count: done, value: ok[Math.floor((ok.length - 1) / 2)]!, tolerance: 0.5 };
      }
      case 'blocked': {
        let held = 0;
        const blockers = vw.requests.filter((r) => r.name === 'blpop' && r.conn !== null && r.sentAt !== null && r.replyAt !== null);
        for (const b of blockers) held += vw.requests.filter((r) => r.conn === b.conn && r.sentAt !== null && r.sentAt > b.sentAt! && r.sentAt < b.replyAt!).length;
        return exact(blockers.length, held);
      }
      default:
        throw new Error(`${chapter}: no figures for a ${kind} track`);
    }
  });
}
