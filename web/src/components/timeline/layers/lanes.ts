/** The lanes' backgrounds, the tick grid, and the gutter's labels. */
import { INK } from '../../../palette.js';
import { LABEL_FONT, px, type DrawResult, type Frame } from '../frame.js';
import type { WorldLayout } from '../layout.js';
import type { WorldIndex } from '../world-index.js';

export function drawLaneBackgrounds(f: Frame, lay: WorldLayout): void {
  const { ctx } = f;
  for (const area of [lay.conn, lay.callers]) {
    if (area.compressed || area.rowH < 6) {
      ctx.fillStyle = INK.lane;
      ctx.fillRect(f.x0, area.y, f.x1 - f.x0, area.h);
      continue;
    }
    for (let r = 0; r < area.rows; r++) {
      ctx.fillStyle = r % 2 === 0 ? INK.lane : INK.laneAlt;
      ctx.fillRect(f.x0, area.y + r * area.rowH, f.x1 - f.x0, area.rowH);
    }
  }
}

export function drawGridLines(f: Frame): void {
  const { ctx } = f;
  ctx.strokeStyle = INK.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const t of f.ticks) {
    const x = Math.round(px(f, t)) + 0.5;
    if (x < f.x0 || x > f.x1) continue;
    ctx.moveTo(x, 0);
    ctx.lineTo(x, f.height);
  }
  ctx.stroke();
}

// -- gutter --

export function drawGutter(f: Frame, ix: WorldIndex, lay: WorldLayout, modes: DrawResult): void {
  const { ctx } = f;
  ctx.clearRect(0, 0, f.x0 - 4, f.height);
  ctx.font = LABEL_FONT;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillStyle = INK.text;
  const conns = ix.laneCount;
  ctx.fillText(conns === 1 ? 'connection' : `connections`, 6, lay.conn.y);
  ctx.fillStyle = INK.muted;
  const connNote = lay.conn.compressed ? `${conns} lanes: up / backoff` : modes.wire === 'arrows' ? 'cmd ↓  reply ↑' : `in flight, 0–${ix.connMax}`;
  if (lay.conn.h >= 26) ctx.fillText(connNote, 6, lay.conn.y + 13, f.x0 - 12);
  if (!lay.conn.compressed && lay.conn.rowH >= 12 && conns > 1) {
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let l = 0; l < conns; l++) {
      const y = lay.conn.y + (l + 0.5) * lay.conn.rowH;
      if (y < lay.conn.y + 28) continue; // keep clear of the group label
      ctx.fillText(String(l + 1), f.x0 - 8, y);
    }
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
  }
  ctx.fillStyle = INK.text;
  ctx.fillText(`callers (${ix.world.callerLanes})`, 6, lay.callers.y, f.x0 - 12);
  ctx.fillStyle = INK.muted;
  const callerNote = modes.bars === 'density' ? `in the system, 0–${ix.inFlightMax}` : 'one row each';
  if (lay.callers.h >= 26) ctx.fillText(callerNote, 6, lay.callers.y + 13, f.x0 - 12);
}
