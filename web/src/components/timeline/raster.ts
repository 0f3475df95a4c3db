/**
 * Zoomed-out drawing whose cost is bounded by the canvas, not the data: step series averaged per
 * pixel column, and columns painted into one image stamped with a single drawImage.
 */
import { makeCanvas, renderTile, type Swatch } from '../../palette.js';
import type { Frame } from './frame.js';
import { upperBound } from './search.js';
import type { StepSeries } from './world-index.js';

/** Index of the step in effect at t (last times[i] <= t), searching from `lo`; -1 before the first. */
export function stepIndex(times: Float64Array, t: number, lo: number): number {
  return upperBound(times, t, lo) - 1;
}

/**
 * stepIndex for a t that never decreases from call to call: gallops forward from `hint` (a
 * column's step is usually a few steps after the last column's), then binary-searches the
 * bracket, instead of binary-searching everything after `hint` each time.
 */
export function stepIndexAfter(times: Float64Array, t: number, hint: number): number {
  const n = times.length;
  let lo = hint < 0 ? 0 : hint;
  if (lo >= n || times[lo]! > t) return stepIndex(times, t, 0);
  let hi = lo + 1;
  let step = 1;
  while (hi < n && times[hi]! <= t) {
    lo = hi;
    hi = lo + step;
    step *= 2;
  }
  return upperBound(times, t, lo + 1, Math.min(hi, n)) - 1;
}

/**
 * The time-weighted mean of a step series over each pixel column of the plot, added into out
 * (which it returns). Mean, not max: zoomed out, a pool connection busy 30% of a column's time
 * must not read as busy all the time; zoomed in (a column shorter than a step) it is the value.
 * Few steps per column: walk the steps. Many: difference the running integral per column, so a
 * frame costs O(columns × log steps) instead of O(steps).
 */
/** The most steps a frame walks rather than make a series' running integral. */
const WALK_MAX = 32_768;

export function stepColumns(f: Frame, s: StepSeries, out: Float32Array): Float32Array {
  const { times, values } = s;
  const n = times.length;
  if (n === 0) return out;
  const cols = out.length;
  const stop = Math.min(f.to, s.until);
  const first = Math.max(0, stepIndex(times, f.from, 0));
  const lastIdx = stepIndex(times, stop, first);
  // Many steps per column: difference the running integral. While it is not made yet, walking
  // the window's steps is cheaper than making it, if the window holds a small part of the series
  // (a run that opens on a fault: its window's steps, not the whole run's, at most a frame's worth).
  const steps = lastIdx - first;
  if (steps > cols * 2 && (s.integralReady || steps > WALK_MAX || steps * 4 > n)) return integralColumns(f, s, out, stop, first);
  for (let i = first; i < n; i++) {
    const t = times[i]!;
    if (t >= stop) break;
    const v = values[i]!;
    if (v <= 0) continue;
    const tEnd = i + 1 < n ? Math.min(times[i + 1]!, stop) : stop;
    // Fractional pixel positions of the step, relative to the plot's left edge.
    const pa = Math.max(0, (Math.max(t, f.from) - f.from) * f.k);
    const pb = Math.min(cols, (tEnd - f.from) * f.k);
    if (pb <= pa) continue;
    const last = Math.min(cols - 1, Math.ceil(pb) - 1);
    for (let c = Math.floor(pa); c <= last; c++) {
      const overlap = Math.min(pb, c + 1) - Math.max(pa, c);
      if (overlap > 0) out[c]! += v * overlap;
    }
  }
  return out;
}

export function integralColumns(f: Frame, s: StepSeries, out: Float32Array, stop: number, first: number): Float32Array {
  const { times } = s;
  const cols = out.length;
  let hint = first;
  /** Area under the series from its start to t (t never decreases between calls). */
  const area = (t: number) => {
    const i = stepIndexAfter(times, t, hint);
    if (i < 0) return 0;
    hint = i;
    return s.areaAt(i, t);
  };
  const begin = Math.max(f.from, times[0]!);
  if (stop <= begin) return out;
  const c0 = Math.max(0, Math.floor((begin - f.from) * f.k));
  const c1 = Math.min(cols - 1, Math.ceil((stop - f.from) * f.k) - 1);
  let prev = area(Math.max(begin, f.from + c0 / f.k));
  for (let c = c0; c <= c1; c++) {
    const next = area(Math.min(stop, f.from + (c + 1) / f.k));
    // Area over the column's µs, times columns per µs: the mean value over the column.
    out[c]! += (next - prev) * f.k;
    prev = next;
  }
  return out;
}

/** Column bars from `bottom` up, each at least one pixel when its value is above 0, heights in
 * half pixels (as fillRect would anti-alias them). */
export function columnBars(img: ColumnImage, cols: Float32Array, bottom: number, h: number, max: number, fill: Swatch | string, edge: string | null): void {
  const n = cols.length;
  const paint = img.paint(fill);
  const edgePaint = edge === null ? null : img.paint(edge);
  const height = (c: number) => {
    const v = cols[c]!;
    // Anything in flight gets at least one pixel: "some" must not look like "none".
    return v <= 0 ? 0 : Math.max(1, Math.round((Math.min(v, max) / max) * h * 2) / 2);
  };
  let c = 0;
  while (c < n) {
    const hh = height(c);
    let e = c + 1;
    while (e < n && height(e) === hh) e++;
    if (hh > 0) {
      img.span(c, e, bottom - hh, bottom, paint);
      if (edgePaint !== null) img.span(c, e, bottom - hh, bottom - hh + 1, edgePaint);
    }
    c = e;
  }
}

// ---- Pixel columns as an image --------------------------------------------------------------------

/** A solid colour (0–255 channels, alpha 0–1; `word`: its RGBA bytes as one little-endian word
 * if it is opaque, else 0), or a pattern tile in device pixels (RGBA). */
export type Paint = { r: number; g: number; b: number; a: number; word: number; tile: null } | { r: 0; g: 0; b: 0; a: 0; word: 0; tile: { px: number; data: Uint8ClampedArray } };

/** Word writes assume little-endian byte order (every browser platform); else per-byte. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function solidPaint(r: number, g: number, b: number, a: number): Paint {
  return { r, g, b, a, word: a >= 1 && LITTLE_ENDIAN ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : 0, tile: null };
}

export const paintCache = new Map<string, Paint>();

export function parseColor(css: string): Paint {
  const hex = /^#([0-9a-f]{6})$/i.exec(css);
  if (hex !== null) {
    const v = parseInt(hex[1]!, 16);
    return solidPaint((v >> 16) & 255, (v >> 8) & 255, v & 255, 1);
  }
  const rgba = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/i.exec(css);
  if (rgba !== null) return solidPaint(Number(rgba[1]), Number(rgba[2]), Number(rgba[3]), rgba[4] === undefined ? 1 : Number(rgba[4]));
  return solidPaint(0, 0, 0, 1);
}

/**
 * A swatch's pattern tile as pixels, drawn exactly as palette.canvasFill draws it: the canvas
 * pattern repeats it from the canvas origin, one tile pixel per device pixel.
 */
export function tilePaint(s: Swatch, dpr: number): Paint | null {
  const tile = renderTile(s, dpr);
  if (tile === null) return null;
  return { r: 0, g: 0, b: 0, a: 0, word: 0, tile: { px: tile.px, data: tile.g.getImageData(0, 0, tile.px, tile.px).data } };
}

/** A cleared ImageData of this size, reused from frame to frame (one per size in use). */
export const scratchImages = new Map<string, ImageData>();
export function scratchImage(w: number, h: number): ImageData {
  const key = `${w}x${h}`;
  let img = scratchImages.get(key);
  if (img === undefined) {
    if (scratchImages.size > 8) scratchImages.clear();
    scratchImages.set(key, (img = new ImageData(w, h)));
  } else img.data.fill(0);
  return img;
}

export let scratch: HTMLCanvasElement | OffscreenCanvas | null = null;
export let scratchCtx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null = null;

/**
 * Bars one pixel column wide, painted into an RGBA buffer in JavaScript and stamped with a single
 * drawImage. Zoomed out, the density views are thousands of 1-px rects (20 pool lanes × ~1000
 * columns); as fillRects they are cheap to record but Skia rasterises each one when the canvas
 * is flushed for the frame, ~15 ms a frame in software. Painting the pixels here costs about a
 * millisecond, and the result is the same: fractional edges get partial coverage, patterns repeat
 * from the canvas origin in device pixels, later spans paint over earlier ones.
 *
 * Covers the plot's columns [x0, x0 + cols) and the rows [top, top + height) in CSS px.
 */
export class ColumnImage {
  private readonly f: Frame;
  private readonly ox: number;
  private readonly oy: number;
  private readonly w: number;
  private readonly h: number;
  private readonly colX: Int32Array;
  private image: ImageData | null = null;
  private data: Uint8ClampedArray | null = null;
  private words: Uint32Array | null = null;

  constructor(f: Frame, top: number, height: number) {
    this.f = f;
    const cols = Math.max(1, Math.ceil(f.x1 - f.x0));
    this.ox = Math.round(f.x0 * f.dpr);
    this.oy = Math.floor(top * f.dpr);
    this.w = Math.max(1, Math.round((f.x0 + cols) * f.dpr) - this.ox);
    this.h = Math.max(1, Math.ceil((top + height) * f.dpr) - this.oy);
    // Device x where CSS column c starts (c = cols: the end).
    this.colX = new Int32Array(cols + 1);
    for (let c = 0; c <= cols; c++) this.colX[c] = Math.round((f.x0 + c) * f.dpr) - this.ox;
  }

  paint(fill: Swatch | string): Paint {
    if (typeof fill === 'string') {
      let p = paintCache.get(fill);
      if (p === undefined) paintCache.set(fill, (p = parseColor(fill)));
      return p;
    }
    const key = `${fill.key}@${this.f.dpr}`;
    let p = paintCache.get(key);
    if (p === undefined) paintCache.set(key, (p = tilePaint(fill, this.f.dpr) ?? parseColor(fill.fill)));
    return p;
  }

  /** Fills columns [c0, c1) from y0 to y1 (CSS px, fractional edges anti-aliased). */
  span(c0: number, c1: number, y0: number, y1: number, p: Paint): void {
    const cols = this.colX.length - 1;
    if (c0 < 0) c0 = 0;
    if (c1 > cols) c1 = cols;
    if (c1 <= c0) return;
    const dpr = this.f.dpr;
    let ya = y0 * dpr - this.oy;
    let yb = y1 * dpr - this.oy;
    if (ya < 0) ya = 0;
    if (yb > this.h) yb = this.h;
    if (yb <= ya) return;
    if (this.image === null) {
      this.image = scratchImage(this.w, this.h);
      this.data = this.image.data;
      this.words = new Uint32Array(this.data.buffer, this.data.byteOffset, this.w * this.h);
    }
    const data = this.data!;
    const words = this.words!;
    const w = this.w;
    const xa = this.colX[c0]!;
    const xb = this.colX[c1]!;
    const tile = p.tile;
    const rowEnd = Math.ceil(yb);
    for (let row = Math.floor(ya); row < rowEnd; row++) {
      const top = row < ya ? ya : row;
      const cover = (row + 1 < yb ? row + 1 : yb) - top;
      if (cover <= 0) continue;
      if (p.word !== 0 && cover >= 1) {
        // An opaque colour over a whole pixel row: one word per pixel. A plain loop: spans are
        // mostly one column wide, too short for fill() to pay off.
        for (let i = row * w + xa, end = row * w + xb; i < end; i++) words[i] = p.word;
        continue;
      }
      let o = (row * w + xa) * 4;
      for (let x = xa; x < xb; x++, o += 4) {
        let r: number, g: number, b: number, a: number;
        if (tile === null) {
          r = p.r;
          g = p.g;
          b = p.b;
          a = p.a * cover;
        } else {
          // The pattern is anchored at the canvas origin: tile pixel by global device position.
          const t = (((row + this.oy) % tile.px) * tile.px + ((x + this.ox) % tile.px)) * 4;
          r = tile.data[t]!;
          g = tile.data[t + 1]!;
          b = tile.data[t + 2]!;
          a = (tile.data[t + 3]! / 255) * cover;
        }
        const da = data[o + 3]!;
        if (a >= 1 || da === 0) {
          data[o] = r;
          data[o + 1] = g;
          data[o + 2] = b;
          data[o + 3] = a * 255;
          continue;
        }
        // Source-over on straight (non-premultiplied) RGBA.
        const d = da / 255;
        const oa = a + d * (1 - a);
        const kd = (d * (1 - a)) / oa;
        const ks = a / oa;
        data[o] = r * ks + data[o]! * kd;
        data[o + 1] = g * ks + data[o + 1]! * kd;
        data[o + 2] = b * ks + data[o + 2]! * kd;
        data[o + 3] = oa * 255;
      }
    }
  }

  /**
   * Columns [c0, c1) from y0 to y1 in a swatch's fill with its outline (palette's edge) as
   * frame.fillSwatch draws one: all round where the run is big enough, else a base line.
   */
  box(c0: number, c1: number, y0: number, y1: number, fill: Paint, edge: Paint | null): void {
    if (edge === null) return this.span(c0, c1, y0, y1, fill);
    if (c1 - c0 < 3) return this.span(c0, c1, y0, y1, edge);
    this.span(c0, c1, y0, y1, fill);
    if (y1 - y0 >= 5) {
      this.span(c0, c1, y0, y0 + 1, edge);
      this.span(c0, c0 + 1, y0 + 1, y1 - 1, edge);
      this.span(c1 - 1, c1, y0 + 1, y1 - 1, edge);
    }
    this.span(c0, c1, y1 - 1, y1, edge);
  }

  /** Draws what was painted onto the frame's canvas (under its clip), if anything was. */
  stamp(): void {
    if (this.image === null) return;
    if (scratch === null || scratch.width < this.w || scratch.height < this.h) {
      scratch = makeCanvas(Math.max(this.w, scratch?.width ?? 0), Math.max(this.h, scratch?.height ?? 0));
      scratchCtx = (scratch?.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null | undefined) ?? null;
    }
    if (scratch === null || scratchCtx === null) return;
    scratchCtx.putImageData(this.image, 0, 0);
    const { ctx } = this.f;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(scratch, 0, 0, this.w, this.h, this.ox, this.oy, this.w, this.h);
    ctx.restore();
  }
}
