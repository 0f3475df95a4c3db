/** Zoomed in: each request as a command arrow down to the server and a reply arrow back up. */
import { REQUEST_STATES, WIRE, errorSwatch } from '../../../palette.js';
import { cx, type Frame } from '../frame.js';
import type { LaneArea } from '../layout.js';
import { forEachVisible, type WorldIndex } from '../world-index.js';
import { NONE, T_EXEC, T_REPLY, T_SENT } from '../../../../../sim/views/pack.js';

/**
 * Lamport-style: the command goes down from the client (top of the lane, sentAt) to the server
 * (bottom, execAt); the reply comes back up (execAt → replyAt). One at a time on pool lanes,
 * many overlapping on the multiplexed one. `only` draws a single request (the highlighted one).
 */
export function drawArrows(f: Frame, ix: WorldIndex, area: LaneArea, only: number | null): void {
  const { ctx } = f;
  const head = Math.min(5, Math.max(3, area.rowH / 5));
  const down = new Path2D();
  const up = new Path2D();
  const broken = new Map<string, Path2D>();
  const one = (i: number) => {
    const r = ix.rows;
    const sentAt = r.time(i, T_SENT);
    const conn = r.conn(i);
    if (sentAt === NONE || conn === NONE) return;
    const lane = ix.connToLane.get(conn);
    if (lane === undefined) return;
    const top = area.y + lane * area.rowH + 2;
    const bottom = area.y + (lane + 1) * area.rowH - 3;
    const xs = cx(f, sentAt);
    const execAt = r.time(i, T_EXEC);
    if (execAt === NONE) {
      // Never ran (or we never saw it run): a dashed stub to where the request ended.
      const error = r.error(i);
      let p = broken.get(error);
      if (p === undefined) broken.set(error, (p = new Path2D()));
      arrow(p, xs, top, cx(f, ix.end[i]!), (top + bottom) / 2, head);
      return;
    }
    const xe = cx(f, execAt);
    arrow(down, xs, top, xe, bottom, head);
    const replyAt = r.time(i, T_REPLY);
    if (replyAt !== NONE) arrow(up, xe, bottom, cx(f, replyAt), top, head);
  };
  if (only !== null) one(only);
  else forEachVisible(ix, f.from, f.to, one);
  // On a 1x screen a 1-px stroke is a hairline to Skia's software rasteriser, ~4x faster than a
  // 1.25-px one (300 arrow pairs: ~0.7 ms a frame instead of ~3 ms) and looks the same there.
  ctx.lineWidth = f.dpr < 2 ? 1 : 1.25;
  ctx.setLineDash([]);
  ctx.strokeStyle = WIRE.command.ink;
  ctx.stroke(down);
  ctx.strokeStyle = WIRE.reply.ink;
  ctx.stroke(up);
  ctx.setLineDash([3, 2]);
  for (const [error, p] of broken) {
    ctx.strokeStyle = error === '' ? REQUEST_STATES.inflight.ink : errorSwatch(error).fill;
    ctx.stroke(p);
  }
  ctx.setLineDash([]);
}

export function arrow(p: Path2D, xa: number, ya: number, xb: number, yb: number, head: number): void {
  p.moveTo(xa, ya);
  p.lineTo(xb, yb);
  const dx = xb - xa;
  const dy = yb - ya;
  const len = Math.hypot(dx, dy);
  if (len < head * 1.5) return; // too short for a head to mean anything
  const ux = dx / len;
  const uy = dy / len;
  const bx = xb - ux * head;
  const by = yb - uy * head;
  const w = head * 0.55;
  p.moveTo(bx - uy * w, by + ux * w);
  p.lineTo(xb, yb);
  p.lineTo(bx + uy * w, by - ux * w);
}

