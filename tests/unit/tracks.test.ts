import { describe, expect, it } from 'vitest';
import { loadPreset, runScenario } from '../../sim/scenario/index.js';
import { deriveLab, type WorldView } from '../../sim/views/index.js';
import { CODE_MAILBOX, CODE_WAITING, buildWorldIndex } from '../../web/src/components/timeline/world-index.js';
import { mailboxFigure, trackFigures } from '../../web/src/components/timeline/tracks.js';
import { pointsOf } from './helpers/steps.js';

const run = (name: string, durationMs?: number) => {
  const s = loadPreset(name)!;
  const result = runScenario(durationMs === undefined ? s : { ...s, durationMs });
  return { result, lab: deriveLab(result) };
};
const byLabel = (ws: WorldView[], l: string) => ws.find((w) => w.label === l)!;

describe('the mailbox track (L2)', () => {
  const { lab } = run('l2-genserver', 300);
  it('draws a call as waiting in the mailbox from when it is made until the process writes it', () => {
    const serial = byLabel(lab.worlds, 'serial');
    const ix = buildWorldIndex(serial);
    expect(ix.waitCode).toBe(CODE_MAILBOX);
    let checked = 0;
    ix.rows.all().forEach((r, i) => {
      if (r.sentAt === null || r.end === null) return;
      expect(ix.waitFrom[i]).toBe(r.start);
      expect(ix.waitTo[i]).toBe(r.sentAt);
      expect(ix.mainFrom[i]).toBe(r.sentAt);
      checked++;
    });
    expect(checked).toBeGreaterThan(100);
  });

  it('shows the serial callers waiting most of each call in the mailbox and the multiplexed ones hardly at all', () => {
    const serial = mailboxFigure(byLabel(lab.worlds, 'serial'))!;
    const mux = mailboxFigure(byLabel(lab.worlds, 'multiplex'))!;
    const latency = (w: WorldView) => {
      const done = w.requests.filter((r) => r.end !== null);
      return done.reduce((a, r) => a + r.end! - r.start, 0) / done.length;
    };
    // 20 callers behind one blocking recv: nearly all of a call is spent queued.
    expect(serial.value / latency(byLabel(lab.worlds, 'serial'))).toBeGreaterThan(0.8);
    expect(mux.value / latency(byLabel(lab.worlds, 'multiplex'))).toBeLessThan(0.1);
    expect(serial.text).toMatch(/mailbox/);
  });

  it('keeps the pool’s wait as the wait for a pooled connection', () => {
    const { lab: l3 } = run('l3-pool', 200);
    const ix = buildWorldIndex(byLabel(l3.worlds, 'pool-queue'));
    expect(ix.waitCode).toBe(CODE_WAITING);
    expect(trackFigures(byLabel(l3.worlds, "pool-queue"), l3.durationUs).map((t) => t.kind)).not.toContain('mailbox');
  });
});

describe('the at-least-once track', () => {
  const { result, lab } = run('at-least-once');
  it('marks each resend with the write before it and the close that lost it', () => {
    const w = byLabel(lab.worlds, 'at-least-once');
    const wi = lab.worlds.indexOf(w);
    const resendEvents = [...result.worlds[wi]!.trace.ofKind('pipeline.resend')].length;
    expect(resendEvents).toBeGreaterThan(0);
    expect(w.resends).toHaveLength(resendEvents);
    const byReq = new Map(w.requests.map((r) => [r.req, r]));
    for (const s of w.resends) {
      const r = byReq.get(s.req)!;
      expect(r.resent).toBe(true);
      expect(s.lane).toBe(r.callerLane);
      expect(s.lostAt).not.toBeNull();
      expect(s.prevSentAt).toBeLessThanOrEqual(s.lostAt!);
      expect(s.lostAt!).toBeLessThanOrEqual(s.at);
      expect(s.prevConn).not.toBe(r.conn);
    }
    // The mailbox wait ends at the first write, not the resend.
    const ix = buildWorldIndex(w);
    const s = w.resends[0]!;
    expect(ix.waitTo[ix.reqPos.get(s.req)!]).toBe(s.prevSentAt);
    expect(trackFigures(w, lab.durationUs).find((t) => t.kind === 'resends')!.value).toBe(new Set(w.resends.map((x) => x.req)).size);
    expect(byLabel(lab.worlds, 'at-most-once').resends).toHaveLength(0);
  });
});

describe('the CPU strips (L5)', () => {
  const { result, lab } = run('l5-tradeoffs');
  it('hold every busy step of the client’s process and its callers, and agree with the metrics', () => {
    for (const [wi, w] of lab.worlds.entries()) {
      const trace = result.worlds[wi]!.trace;
      const names = new Map<number, string>();
      for (const e of trace.ofKind('proc.spawn')) names.set(e.pid as number, e.name as string);
      let proc = 0;
      let callers = 0;
      for (const e of trace.ofKind('proc.busy')) {
        const n = names.get(e.pid as number)!;
        if (n === w.label) proc += e.us as number;
        else if (/^caller\d+$/.test(n)) callers += e.us as number;
      }
      expect(w.busy.find((b) => b.who === 'process')!.busyUs, w.label).toBe(proc);
      expect(w.busy.find((b) => b.who === 'callers')!.busyUs, w.label).toBe(callers);
      expect(w.busy.find((b) => b.who === 'callers')!.processes).toBe(lab.scenario.workload.callers);
      // The figure is the metrics' busiest process, when the client's process is the busiest.
      const cpu = trackFigures(w, lab.durationUs).find((t) => t.kind === 'cpu')!;
      if (w.metrics.cpu.busiestProcess === w.label) expect(cpu.value).toBeCloseTo(w.metrics.cpu.busiestProcessBusyPct, 0);
    }
    const share = (l: string) => trackFigures(byLabel(lab.worlds, l), lab.durationUs).find((t) => t.kind === 'cpu')!.value;
    expect(share('multiplex')).toBeGreaterThan(90);
    expect(share('pool')).toBeLessThan(20);
  });

  it('never counts one process busier than all the time', () => {
    for (const w of lab.worlds) for (const b of w.busy) for (const p of pointsOf(b.points)) expect(p.v).toBeLessThanOrEqual(b.processes);
  });
});

describe('the connect attempts strip (reconnect storm)', () => {
  const { result, lab } = run('reconnect-storm');
  it('holds every attempt, and without jitter the reconnects fall in far fewer milliseconds', () => {
    for (const [wi, w] of lab.worlds.entries()) {
      const attempts = [...result.worlds[wi]!.trace.ofKind('tcp.connect')];
      expect(w.connects).toEqual(attempts.map((e) => e.t));
      expect(w.reconnects.length).toBe(attempts.length - new Set(attempts.map((e) => e.pid)).size);
    }
    const cols = (l: string) => trackFigures(byLabel(lab.worlds, l), lab.durationUs).find((t) => t.kind === 'connects')!.value;
    expect(cols('exp-no-jitter') * 10).toBeLessThan(cols('rand-exp-jitter'));
  });

  it('has no strip of attempts in a world that never reconnected', () => {
    const { lab: l4 } = run('l4-multiplex', 200);
    for (const w of l4.worlds) expect(trackFigures(w, l4.durationUs).map((t) => t.kind)).not.toContain('connects');
  });
});

describe('the latency strip (pool overload)', () => {
  const { lab } = run('pool-overload');
  it('appears where callers are too many for a row each, and shows codel serving its calls sooner than the queue', () => {
    const fig = (l: string) => trackFigures(byLabel(lab.worlds, l), lab.durationUs).find((t) => t.kind === 'latency')!;
    const median = (w: WorldView) => {
      const xs = w.requests.filter((r) => r.ok === true).map((r) => r.end! - r.start).sort((a, b) => a - b);
      return xs[Math.floor((xs.length - 1) / 2)]!;
    };
    for (const l of ['queue', 'codel']) {
      expect(fig(l).value).toBe(Math.round(median(byLabel(lab.worlds, l))));
      expect(fig(l).count).toBe(byLabel(lab.worlds, l).requests.filter((r) => r.end !== null).length);
    }
    expect(fig('codel').value).toBeLessThan(fig('queue').value);
    const { lab: l2 } = run('l2-genserver', 100);
    expect(trackFigures(l2.worlds[0]!, l2.durationUs).map((t) => t.kind)).not.toContain('latency');
  });
});

describe('the tracks of the remaining chapters', () => {
  const fig = (lab: ReturnType<typeof run>['lab'], label: string, kind: string) => trackFigures(byLabel(lab.worlds, label), lab.durationUs).find((t) => t.kind === kind);

  it('L1: every per-command call opens with a handshake of one round trip, the multiplexed calls never do', () => {
    const { lab } = run('l1-silly-way', 200);
    const rtt = 2 * lab.scenario.network.latencyMs * 1000;
    const h = fig(lab, 'per-command', 'handshake')!;
    expect(h.value).toBeGreaterThanOrEqual(rtt);
    expect(h.value).toBeLessThan(rtt * 1.2);
    const ix = buildWorldIndex(byLabel(lab.worlds, 'per-command'));
    const i = ix.rows.all().findIndex((r) => r.sentAt !== null);
    expect(ix.waitTo[i]).toBe(ix.rows.at(i)!.sentAt);
    expect(fig(lab, 'multiplex', 'handshake')).toBeUndefined();
    expect(fig(lab, 'per-command', 'connects')!.text).toMatch(/a new connection for every call/);
  });

  it('L4: one connection with many requests in flight against ten with one each', () => {
    const { lab } = run('l4-multiplex', 200);
    const pool = fig(lab, 'pool', 'wire')!;
    const mux = fig(lab, 'multiplex', 'wire')!;
    expect([pool.count, pool.value]).toEqual([10, 1]);
    expect(mux.count).toBe(1);
    expect(mux.value).toBeGreaterThan(10);
    expect(mux.value).toBe(byLabel(lab.worlds, 'multiplex').metrics.maxInFlightPerConnection);
    // The pool's callers queue for a connection; its figure counts only the calls that waited.
    const q = fig(lab, 'pool', 'queue')!;
    expect(q.value).toBeGreaterThan(0);
  });

  it('L6: the multiplexer’s backoffs grow ×1.5 and are listed; a backoff of 0 is none', () => {
    const { result, lab } = run('l6-resiliency');
    const b = fig(lab, 'multiplex', 'backoff')!;
    const wi = lab.worlds.findIndex((w) => w.label === 'multiplex');
    const positive = [...result.worlds[wi]!.trace.ofKind('conn.backoff')].filter((e) => e.us > 0);
    expect(b.count).toBe(positive.length);
    expect(b.text).toMatch(/50, 75, 113, 170 ms/);
  });

  it('head of line: BLPOPs hold requests behind them on the multiplexed socket and none in the pool', () => {
    const { lab } = run('hol-blpop', 500);
    expect(fig(lab, 'multiplex', 'blocked')!.value).toBeGreaterThan(0);
    expect(fig(lab, 'pool', 'blocked')!.value).toBe(0);
    // Against a plain scan: requests sent on a BLPOP's connection while it blocked.
    const w = byLabel(lab.worlds, 'multiplex');
    let held = 0;
    for (const b of w.requests) {
      if (b.name !== 'blpop' || b.conn === null || b.sentAt === null || b.replyAt === null) continue;
      for (const r of w.requests) if (r.conn === b.conn && r.sentAt !== null && r.sentAt > b.sentAt && r.sentAt < b.replyAt) held++;
    }
    expect(fig(lab, 'multiplex', 'blocked')!.value).toBe(held);
  });

  it('L8: the sync world never opens a connection and every call ends noproc', () => {
    const { lab } = run('l8-sync-async');
    const sync = byLabel(lab.worlds, 'sync');
    expect(fig(lab, 'sync', 'wire')).toMatchObject({ count: 0, text: 'no connection ever opened' });
    const o = fig(lab, 'sync', 'outcomes')!;
    expect(o.value).toBe(sync.metrics.requests.failed);
    expect(o.text).toContain(`${sync.metrics.requests.errors.noproc!.toLocaleString('en-GB')} noproc`);
  });
});

describe('what the wire and the strips draw at a chapter’s zoom', () => {
  it('pool overload: codel’s served calls are arrows at 900–1000 ms, its shed calls do not turn the wire into a count', async () => {
    const { drawModes, drawsArrows } = await import('../../web/src/components/timeline/frame.js');
    const { layoutWorld } = await import('../../web/src/components/timeline/layout.js');
    const { countVisible, countOnWire } = await import('../../web/src/components/timeline/world-index.js');
    const { lab } = run('pool-overload', 1200);
    const codel = byLabel(lab.worlds, 'codel');
    const ix = buildWorldIndex(codel);
    const [from, to] = [900_000, 1_000_000];
    // More calls in view than the arrow limit, fewer of them on the wire.
    expect(countVisible(ix, from, to, 10_000)).toBeGreaterThan(300);
    expect(countOnWire(ix, from, to, 10_000)).toBeLessThanOrEqual(300);
    expect(drawsArrows(ix, from, to)).toBe(true);
    expect(drawModes(ix, layoutWorld(codel), from, to).wire).toBe('arrows');
  });

  it('at least once: one reconnect draws no strip of connect attempts (the lane shows it)', () => {
    const { lab } = run('at-least-once');
    for (const w of lab.worlds) expect(trackFigures(w, lab.durationUs).map((t) => t.kind), w.label).not.toContain('connects');
    expect(byLabel(lab.worlds, 'at-least-once').reconnects.length).toBe(1);
  });
});
