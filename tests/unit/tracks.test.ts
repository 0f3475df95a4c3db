import { describe, expect, it } from 'vitest';
import { loadPreset, runScenario } from '../../sim/scenario/index.js';
import { deriveLab, type WorldView } from '../../sim/views/index.js';
import { CODE_MAILBOX, CODE_WAITING, buildWorldIndex } from '../../web/src/components/timeline/world-index.js';
import { mailboxFigure, trackFigures } from '../../web/src/components/timeline/tracks.js';

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
    ix.reqs.forEach((r, i) => {
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
    expect(trackFigures(byLabel(l3.worlds, 'pool-queue')).map((t) => t.kind)).not.toContain('mailbox');
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
    expect(trackFigures(w).find((t) => t.kind === 'resends')!.value).toBe(new Set(w.resends.map((x) => x.req)).size);
    expect(byLabel(lab.worlds, 'at-most-once').resends).toHaveLength(0);
  });
});
