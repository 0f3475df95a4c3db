/** What the tour points at (the rest dimmed), the keyboard cursor and the hovered request. */
import { INK } from '../../../palette.js';
import { cx, fillSwatch, px, type DrawOptions, type DrawResult, type Frame } from '../frame.js';
import type { WorldLayout } from '../layout.js';
import { CODE_SWATCH, outcomeSwatch, segments, type WorldIndex } from '../world-index.js';
import { drawArrows } from './arrows.js';

// -- highlight, cursor, hover --

/** The rows a lane pointer frames (both lanes: the whole world), in CSS px. */
export function laneRange(lay: WorldLayout, lane: 'connections' | 'callers' | undefined, height: number): [number, number] {
  // The strips above the connections (connect attempts) belong to them.
  if (lane === 'connections') return [Math.min(lay.conn.y, lay.strips.rows.length > 0 ? lay.strips.y : lay.conn.y) - 2, lay.conn.y + lay.conn.h + 2];
  if (lane === 'callers') return [lay.callers.y - 2, lay.callers.y + lay.callers.h + 2];
  return [0, height];
}

/** Dims what the tour is not pointing at, then outlines what it is. */
export function drawHighlight(f: Frame, ix: WorldIndex, lay: WorldLayout, modes: DrawResult, opts: DrawOptions): void {
  const { ctx } = f;
  const hl = opts.highlight;
  if (opts.dimAll || (hl !== null && hl.req !== undefined)) {
    ctx.fillStyle = INK.dim;
    ctx.fillRect(f.x0, 0, f.x1 - f.x0, f.height);
  }
  if (hl === null || opts.dimAll) return;
  if (hl.req !== undefined) {
    redrawRequest(f, ix, lay, modes, hl.req);
    outlineRequest(f, ix, lay, hl.req, 'highlight');
    return;
  }
  const [y0, y1] = laneRange(lay, hl.lane, f.height);
  const xa = hl.from === undefined ? f.x0 : Math.max(f.x0, px(f, hl.from));
  const xb = hl.to === undefined ? f.x1 : Math.min(f.x1, px(f, hl.to));
  ctx.fillStyle = INK.dim;
  ctx.fillRect(f.x0, 0, f.x1 - f.x0, y0);
  ctx.fillRect(f.x0, y1, f.x1 - f.x0, f.height - y1);
  if (xa > f.x0) ctx.fillRect(f.x0, y0, xa - f.x0, y1 - y0);
  if (xb < f.x1) ctx.fillRect(xb, y0, f.x1 - xb, y1 - y0);
  if (xb > xa) {
    ctx.lineWidth = 2;
    ctx.strokeStyle = INK.text;
    ctx.setLineDash([]);
    ctx.strokeRect(xa + 1, y0 + 1, xb - xa - 2, y1 - y0 - 2);
  }
}

/** The highlighted request drawn again, on top of the dimming. */
export function redrawRequest(f: Frame, ix: WorldIndex, lay: WorldLayout, modes: DrawResult, i: number): void {
  const { ctx } = f;
  const r = ix.rows.at(i);
  if (r === undefined) return;
  if (!lay.callers.compressed) {
    const y = lay.callers.y + r.callerLane * lay.callers.rowH;
    const h = Math.max(1, lay.callers.rowH - 1);
    const sg = segments(ix, i);
    if (sg.waitTo > sg.waitFrom) fillSwatch(f, CODE_SWATCH[ix.waitCode]!, cx(f, sg.waitFrom), y, Math.max(1, cx(f, sg.waitTo) - cx(f, sg.waitFrom)), h);
    fillSwatch(f, outcomeSwatch(r), cx(f, sg.mainFrom), y, Math.max(2, cx(f, sg.mainTo) - cx(f, sg.mainFrom)), h);
  }
  if (!lay.conn.compressed && (modes.wire === 'arrows' || r.sentAt !== null)) drawArrows(f, ix, lay.conn, i);
}

/** An outline around a request's bar (and its arrows' span on the connection lane). */
export function outlineRequest(f: Frame, ix: WorldIndex, lay: WorldLayout, i: number, how: 'hover' | 'cursor' | 'highlight'): void {
  const { ctx } = f;
  const r = ix.rows.at(i);
  if (r === undefined) return;
  const xa = cx(f, r.start) - 2;
  const xb = Math.max(xa + 5, cx(f, ix.end[i]!) + 2);
  const boxes: Array<[number, number, number, number]> = [];
  if (lay.callers.compressed) boxes.push([xa, lay.callers.y, xb - xa, lay.callers.h]);
  else boxes.push([xa, lay.callers.y + r.callerLane * lay.callers.rowH - 2, xb - xa, lay.callers.rowH + 3]);
  const lane = r.conn === null ? undefined : ix.connToLane.get(r.conn);
  if (!lay.conn.compressed && lane !== undefined && r.sentAt !== null) {
    const sa = cx(f, r.sentAt) - 2;
    const sb = Math.max(sa + 5, cx(f, r.replyAt ?? ix.end[i]!) + 2);
    boxes.push([sa, lay.conn.y + lane * lay.conn.rowH - 1, sb - sa, lay.conn.rowH + 1]);
  }
  ctx.setLineDash(how === 'hover' ? [3, 2] : []);
  for (const [x, y, w, h] of boxes) {
    if (how !== 'hover') {
      ctx.lineWidth = 4;
      ctx.strokeStyle = '#ffffff';
      ctx.strokeRect(x, y, w, h);
    }
    ctx.lineWidth = how === 'hover' ? 1.5 : 2;
    ctx.strokeStyle = how === 'cursor' ? INK.focus : INK.text;
    ctx.strokeRect(x, y, w, h);
  }
  ctx.setLineDash([]);
}
