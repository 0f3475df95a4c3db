/**
 * The strips between a world's connections and its callers: how busy its own process and its
 * callers are (the share of each pixel column's time they run), and how many connects it
 * attempted in each pixel column (lockstep reconnects stand as columns, jittered ones scatter),
 * and, when the callers are too many for a row each, each call's latency as a dot.
 */
import { INK, REQUEST_STATES, STRIPS, errorSwatch } from '../../../palette.js';
import { LABEL_FONT, px, type Frame } from '../frame.js';
import type { WorldLayout } from '../layout.js';
import { ColumnImage, columnBars, stepColumns } from '../raster.js';
import { lowerBound, upperBound } from '../search.js';
import { forEachVisible, seriesMean, type WorldIndex } from '../world-index.js';
import { NONE, T_END } from '../../../../../sim/views/pack.js';
import { numberFormat } from '../../charts/format.js';

export function drawStrips(f: Frame, ix: WorldIndex, lay: WorldLayout): void {
  const { rows } = lay.strips;
  if (rows.length === 0) return;
  const cols = Math.max(1, Math.ceil(f.x1 - f.x0));
  const img = new ColumnImage(f, lay.strips.y, lay.strips.h);
  let busy = 0;
  const connects: Array<{ bottom: number; h: number }> = [];
  let latency: { y: number; h: number } | null = null;
  for (const row of rows) {
    const bottom = row.y + row.h - 2;
    const h = row.h - 3;
    if (row.kind === 'connects') {
      connects.push({ bottom, h });
      continue;
    }
    if (row.kind === 'latency') {
      latency = row;
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
  if (latency !== null) drawLatency(f, ix, latency);
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
    if (row.kind === 'latency') {
      ctx.fillStyle = INK.muted;
      ctx.fillText('latency', 6, row.y + 7, f.x0 - 10);
      ctx.fillText(`0–${numberFormat('en-GB', { max: ix.latencyTop < 10_000 ? 1 : 0 }).format(ix.latencyTop / 1000)} ms`, 6, row.y + 20, f.x0 - 10);
      continue;
    }
    if (row.kind === 'connects') {
      const n = upperBound(ix.connectT, f.to) - lowerBound(ix.connectT, f.from);
      text = `connects: ${numberFormat('en-GB').format(n)}`;
    } else {
      const b = ix.busy[busy++];
      if (b === undefined) continue;
      const pct = Math.round((100 * seriesMean(b.series, f.from, f.to)) / b.processes);
      // The world's name where it fits; a long one is in the title already: never squeezed.
      const long = b.who === 'process' ? `CPU ${ix.world.label}: ${pct}%` : `CPU callers: ${pct}% ea.`;
      const short = b.who === 'process' ? `CPU: ${pct}%` : `callers: ${pct}% ea.`;
      text = ctx.measureText(long).width <= f.x0 - 10 ? long : short;
    }
    ctx.fillStyle = INK.muted;
    ctx.fillText(text, 6, row.y + row.h / 2 - 1, f.x0 - 10);
  }
}

/** The latency strip's scale: linear from 0 at the bottom to the lab's longest call at the top. */
export function latencyY(us: number, top: number, row: { y: number; h: number }): number {
  return row.y + row.h - 3 - (Math.min(us, top) / top) * (row.h - 6);
}

/**
 * Which dot positions a frame's latency strip has drawn already. Zoomed out, tens of thousands of
 * calls end in a few hundred pixel columns at a few dozen heights: the same 3x3 square over and
 * over. A path's fill is the union of its rects, so one rect per position draws the same pixels,
 * and each rect left out is one Skia does not rasterise (at a 1 s window on 100k requests, the
 * rects were most of a frame's drawing).
 */
class SeenDots {
  private bits = new Uint8Array(0);
  private x0 = 0;
  private y0 = 0;
  private w = 0;
  private h = 0;

  reset(x0: number, y0: number, w: number, h: number): this {
    this.x0 = x0;
    this.y0 = y0;
    this.w = w;
    this.h = h;
    if (this.bits.length < w * h) this.bits = new Uint8Array(w * h);
    else this.bits.fill(0, 0, w * h);
    return this;
  }

  /** Whether (x, y) is new (and now seen); a position outside the strip is always new. */
  first(x: number, y: number): boolean {
    const cx = x - this.x0;
    const cy = y - this.y0;
    if (cx < 0 || cy < 0 || cx >= this.w || cy >= this.h) return true;
    const at = cy * this.w + cx;
    if (this.bits[at] === 1) return false;
    this.bits[at] = 1;
    return true;
  }
}
const seenDotsOf = new SeenDots();

/** The strip's positions, none seen yet (dots are at most a pixel left of x0 and above the row). */
function seenDots(f: Frame, row: { y: number; h: number }): SeenDots {
  const x0 = Math.floor(f.x0) - 2;
  const y0 = Math.floor(row.y) - 2;
  return seenDotsOf.reset(x0, y0, Math.ceil(f.x1) + 2 - x0, Math.ceil(row.y + row.h) + 2 - y0);
}

/**
 * Too many callers for a row each: each call as a dot at its end, as high as it took (the
 * same scale in every world): served ones in the blue of "replied ok", failed ones in their error's colour, on top.
 */
function drawLatency(f: Frame, ix: WorldIndex, row: { y: number; h: number }): void {
  const { ctx } = f;
  const top = ix.latencyTop;
  ctx.strokeStyle = INK.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const v of [top / 2, top]) {
    const y = Math.round(latencyY(v, top, row)) + 0.5;
    ctx.moveTo(f.x0, y);
    ctx.lineTo(f.x1, y);
  }
  ctx.stroke();
  const ok = new Path2D();
  const failed = new Map<string, Path2D>();
  const seen = seenDots(f, row);
  forEachVisible(ix, f.from, f.to, (i) => {
    const r = ix.rows;
    const end = r.time(i, T_END);
    if (end === NONE || end < f.from || end > f.to) return;
    const x = Math.round(px(f, end)) - 1;
    const y = Math.round(latencyY(end - r.start(i), top, row)) - 1;
    if (r.ok(i) === 1) {
      if (seen.first(x, y)) ok.rect(x, y, 3, 3);
    } else {
      const error = r.error(i);
      let p = failed.get(error);
      if (p === undefined) failed.set(error, (p = new Path2D()));
      p.rect(x - 0.5, y - 0.5, 4, 4);
    }
  });
  ctx.fillStyle = REQUEST_STATES.ok.fill;
  ctx.fill(ok);
  for (const [error, p] of failed) {
    // A pale error colour gets its outline's colour round the dot (palette's edge).
    const s = errorSwatch(error);
    if (s.edge !== undefined) {
      ctx.strokeStyle = s.edge;
      ctx.lineWidth = 2;
      ctx.stroke(p);
    }
    ctx.fillStyle = s.fill;
    ctx.fill(p);
  }
}
