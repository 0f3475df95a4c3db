/**
 * One world's canvas for a frame: the layers in order, each a pure function of (canvas context,
 * the visible window, the world's data) with no React and no DOM reads.
 *
 * Budget: a pan/zoom frame must stay well under 16 ms with 100k requests in a world. Three rules
 * keep it there:
 *  - cull before touching a request: requests are sorted by start, so the ones overlapping the
 *    window are a binary-searched slice [first start ≥ from − maxDuration, last start ≤ to]. The
 *    few very long requests (top 1% by duration) are kept apart so they don't widen that bound;
 *  - pick the drawing by how many requests are visible: arrows (few hundred), exact bars (a few
 *    thousand), else a per-pixel raster whose cost is bounded by the canvas, not the data;
 *  - aggregate step series (requests in flight) to one max value per pixel column.
 */
import { drawModes, type DrawOptions, type DrawResult, type Frame } from './frame.js';
import type { WorldLayout } from './layout.js';
import { drawArrows } from './layers/arrows.js';
import { drawBackoffs } from './layers/backoff.js';
import { drawConnBands, drawConnDensity, drawConnOccupancy } from './layers/connections.js';
import { drawErrorMarks } from './layers/errors.js';
import { drawHighlight, outlineRequest } from './layers/highlight.js';
import { drawLateDrops } from './layers/late-drops.js';
import { drawResends } from './layers/resends.js';
import { drawStripLabels, drawStrips } from './layers/strips.js';
import { drawGridLines, drawGutter, drawLaneBackgrounds } from './layers/lanes.js';
import { drawBarsPrecise, drawBarsRaster, drawCallerDensity } from './layers/requests.js';
import type { WorldIndex } from './world-index.js';

/** Draws one world's lanes for the frame's window. */
export function drawWorld(f: Frame, ix: WorldIndex, lay: WorldLayout, opts: DrawOptions): DrawResult {
  const { ctx } = f;
  const modes = drawModes(ix, lay, f.from, f.to);
  ctx.clearRect(0, 0, f.width, f.height);
  drawLaneBackgrounds(f, lay);
  drawGridLines(f);

  ctx.save();
  ctx.beginPath();
  ctx.rect(f.x0, 0, f.x1 - f.x0, f.height);
  ctx.clip();
  if (lay.conn.compressed) drawConnOccupancy(f, ix, lay.conn);
  else {
    drawConnBands(f, ix, lay.conn);
    drawBackoffs(f, ix, lay.conn);
    if (modes.wire === 'arrows') drawArrows(f, ix, lay.conn, null);
    else drawConnDensity(f, ix, lay.conn);
  }
  drawStrips(f, ix, lay);
  if (modes.bars === 'density') drawCallerDensity(f, ix, lay.callers);
  else if (modes.bars === 'precise') drawBarsPrecise(f, ix, lay.callers);
  else drawBarsRaster(f, ix, lay.callers);
  drawErrorMarks(f, ix, lay.callers);
  drawLateDrops(f, ix, lay.callers);
  drawHighlight(f, ix, lay, modes, opts);
  // Over the dimming: the marks are what at least once is about.
  drawResends(f, ix, lay, modes.wire === 'arrows');
  if (opts.hover !== null && opts.hover !== opts.cursor) outlineRequest(f, ix, lay, opts.hover, 'hover');
  if (opts.cursor !== null) outlineRequest(f, ix, lay, opts.cursor, opts.focused ? 'cursor' : 'hover');
  ctx.restore();

  drawGutter(f, ix, lay, modes);
  drawStripLabels(f, ix, lay);
  return modes;
}
