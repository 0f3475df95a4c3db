/**
 * The strips between a world's connections and its callers: how busy its own process and its
 * callers are (the share of each pixel column's time they run), and how many connects it
 * attempted in each pixel column (lockstep reconnects stand as columns, jittered ones scatter).
 */
import { INK, STRIPS } from '../../../palette.js';
import { LABEL_FONT, type Frame } from '../frame.js';
import type { WorldLayout } from '../layout.js';
import { ColumnImage, columnBars, stepColumns } from '../raster.js';
import { lowerBound, upperBound } from '../search.js';
import { seriesMean, type WorldIndex } from '../world-index.js';

export function drawStrips(f: Frame, ix: WorldIndex, lay: WorldLayout): void {
  const { rows } = lay.strips;
  if (rows.length === 0) return;
  const cols = Math.max(1, Math.ceil(f.x1 - f.x0));
  const img = new ColumnImage(f, lay.strips.y, lay.strips.h);
  let busy = 0;
  const connects: Array<{ bottom: number; h: number }> = [];
  for (const row of rows) {
    const bottom = row.y + row.h - 2;
    const h = row.h - 3;
    if (row.kind === 'connects') {
      connects.push({ bottom, h });
      continue;
    }
    const b = ix.busy[busy++];
    if (b === undefined) continue;
    const buf = stepColumns(f, b.series, new Float32Array(cols));
    columnBars(img, buf, bottom, h, b.processes, STRIPS.busy, null);
  }
  img.stamp();
  // Attempts are few and far between: each column with any is drawn 3 px wide, at least 2 px tall.
  for (const { bottom, h } of connects) {
    const counts = connectColumns(f, ix, cols);
    f.ctx.fillStyle = STRIPS.connects.fill;
    for (let c = 0; c < cols; c++) {
      const v = counts[c]!;
      if (v <= 0) continue;
      const hh = Math.max(2, Math.round((Math.min(v, ix.connectFull) / ix.connectFull) * h));
      f.ctx.fillRect(f.x0 + c - 1, bottom - hh, 3, hh);
    }
  }
  // A baseline per row: an empty strip still reads as a track, at 0.
  f.ctx.fillStyle = INK.grid;
  for (const row of rows) f.ctx.fillRect(f.x0, row.y + row.h - 2, f.x1 - f.x0, 1);
}

/** Connect attempts per pixel column. */
export function connectColumns(f: Frame, ix: WorldIndex, cols: number): Float32Array {
  const out = new Float32Array(cols);
  const lo = lowerBound(ix.connectT, f.from);
  const hi = upperBound(ix.connectT, f.to);
  for (let j = lo; j < hi; j++) {
    const c = Math.min(cols - 1, Math.max(0, Math.floor((ix.connectT[j]! - f.from) * f.k)));
    out[c]! += 1;
  }
  return out;
}

/** The strips' names in the gutter, with their figure for the window. */
export function drawStripLabels(f: Frame, ix: WorldIndex, lay: WorldLayout): void {
  const { ctx } = f;
  ctx.font = LABEL_FONT;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  let busy = 0;
  for (const row of lay.strips.rows) {
    let text: string;
    if (row.kind === 'connects') {
      const n = upperBound(ix.connectT, f.to) - lowerBound(ix.connectT, f.from);
      text = `connects: ${n.toLocaleString('en-GB')}`;
    } else {
      const b = ix.busy[busy++];
      if (b === undefined) continue;
      const pct = Math.round((100 * seriesMean(b.series, f.from, f.to)) / b.processes);
      text = b.who === 'process' ? `CPU ${ix.world.label}: ${pct}%` : `CPU callers: ${pct}% ea.`;
    }
    ctx.fillStyle = INK.muted;
    ctx.fillText(text, 6, row.y + row.h / 2 - 1, f.x0 - 10);
  }
}
