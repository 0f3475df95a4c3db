/**
 * At least once, told apart: a request's first write (▸ "sent"), its loss with the connection
 * (✕ "lost"), and its write again after the reconnect (↻ "resent"), on the caller's row; zoomed
 * in, the lost write's arrow on its old connection, dashed, ending in the ✕.
 */
import { INK, OKABE_ITO } from '../../../palette.js';
import { cx, haloText, px, type Frame } from '../frame.js';
import type { WorldLayout } from '../layout.js';
import type { WorldIndex } from '../world-index.js';

/** Up to this many resends in view, each mark is labelled in words. */
const LABEL_LIMIT = 6;

export const RESEND_COLORS = { sent: OKABE_ITO.blue, lost: OKABE_ITO.vermillion, resent: '#6b3d9a' } as const;

function halo(ctx: CanvasRenderingContext2D, p: Path2D, color: string, width = 1.8) {
  ctx.lineWidth = width + 2;
  ctx.strokeStyle = '#ffffff';
  ctx.stroke(p);
  ctx.lineWidth = width;
  ctx.strokeStyle = color;
  ctx.stroke(p);
}

export function drawResends(f: Frame, ix: WorldIndex, lay: WorldLayout, arrows: boolean): void {
  const list = ix.world.resends;
  if (list.length === 0) return;
  const { ctx } = f;
  const area = lay.callers;
  const inView = list.filter((r) => r.at >= f.from && r.prevSentAt <= f.to);
  if (inView.length === 0) return;
  // Many in view: the first is labelled, the legend names the rest.
  const labelAll = inView.length <= LABEL_LIMIT && (area.compressed || area.rowH >= 6);
  const r = area.compressed ? 4 : Math.max(3, Math.min(5, area.rowH / 2));
  ctx.setLineDash([]);
  for (const [k, s] of inView.entries()) {
    const label = labelAll || k === 0;
    const y = area.compressed ? area.y + area.h - 6 : area.y + s.lane * area.rowH + area.rowH / 2;
    // The first write: a right-pointing triangle.
    const xs = px(f, s.prevSentAt);
    const sent = new Path2D();
    sent.moveTo(xs - r * 0.6, y - r);
    sent.lineTo(xs + r, y);
    sent.lineTo(xs - r * 0.6, y + r);
    sent.closePath();
    ctx.fillStyle = RESEND_COLORS.sent;
    ctx.fill(sent);
    halo(ctx, sent, RESEND_COLORS.sent, 1);
    if (s.lostAt !== null) {
      const xl = px(f, s.lostAt);
      const lost = new Path2D();
      lost.moveTo(xl - r, y - r);
      lost.lineTo(xl + r, y + r);
      lost.moveTo(xl - r, y + r);
      lost.lineTo(xl + r, y - r);
      halo(ctx, lost, RESEND_COLORS.lost, 2);
      if (arrows && !lay.conn.compressed) {
        const lane = ix.connToLane.get(s.prevConn);
        if (lane !== undefined) {
          // The write that never got its reply: dashed, from the old socket to where it died.
          const top = lay.conn.y + lane * lay.conn.rowH + 2;
          const mid = lay.conn.y + (lane + 0.5) * lay.conn.rowH;
          const p = new Path2D();
          p.moveTo(cx(f, s.prevSentAt), top);
          p.lineTo(cx(f, s.lostAt), mid);
          ctx.setLineDash([3, 2]);
          halo(ctx, p, RESEND_COLORS.lost, 1.4);
          ctx.setLineDash([]);
          const x = new Path2D();
          const xm = cx(f, s.lostAt);
          x.moveTo(xm - 3, mid - 3);
          x.lineTo(xm + 3, mid + 3);
          x.moveTo(xm - 3, mid + 3);
          x.lineTo(xm + 3, mid - 3);
          halo(ctx, x, RESEND_COLORS.lost, 2);
        }
      }
    }
    // The write again: a circular arrow (↻), set apart from the ✕ when the reconnect came at once.
    const xr = Math.max(px(f, s.at), s.lostAt === null ? -Infinity : px(f, s.lostAt) + 2 * r + 4);
    const again = new Path2D();
    again.arc(xr, y, r, -Math.PI * 0.4, Math.PI * 1.3);
    const hx = xr + r * Math.cos(-Math.PI * 0.4);
    const hy = y + r * Math.sin(-Math.PI * 0.4);
    again.moveTo(hx - 3, hy - 1);
    again.lineTo(hx, hy);
    again.lineTo(hx - 1, hy + 3);
    halo(ctx, again, RESEND_COLORS.resent, 1.8);
    if (label) {
      // Words under the marks, each only where it does not run into the next; above them when
      // under would leave the callers' rows (the last row), never past either edge.
      const below = y + r + 7;
      const ly = below + 6 <= area.y + area.h ? below : Math.max(area.y + 6, y - r - 7);
      const say = (text: string, x: number, next: number) => {
        if (next - x > ctx.measureText(text).width + 4 || next === Number.POSITIVE_INFINITY) haloText(ctx, text, x - 2, ly, INK.text);
      };
      ctx.font = '11px system-ui, sans-serif';
      say('sent', xs, s.lostAt === null ? xr : px(f, s.lostAt));
      if (s.lostAt !== null) say('lost', px(f, s.lostAt), xr);
      say('resent', xr, Number.POSITIVE_INFINITY);
    }
  }
}
