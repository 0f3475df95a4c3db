/**
 * The latency scatter's dots on a canvas when there are many: each d3 symbol rasterised once per
 * sub-pixel position, and the dots composited in JavaScript (DotLayer).
 */
import type { SymbolType } from 'd3-shape';
import { symbolPath } from './style.js';

/** Sub-pixel positions a dot can take, per axis: centres are placed within 1/8 px. */
const PHASES = 4;

/** A d3 symbol's coverage (0–1) per device pixel, for one sub-pixel position of its centre:
 * `left` and `top` are where its first column and row lie, in pixels from the centre's pixel. */
export interface SymbolMask {
  w: number;
  h: number;
  left: number;
  top: number;
  cover: Float32Array;
}

const maskCache = new Map<string, SymbolMask[] | null>();

/**
 * A d3 symbol rasterised, filled, or stroked `stroke` CSS px wide, at the pixel ratio, once per
 * sub-pixel position (PHASES² masks, index qy * PHASES + qx): what filling its path at each dot's
 * exact position would give, to within 1/8 px. Made once per symbol, size and ratio.
 */
export function symbolMasks(type: SymbolType, size: number, dpr: number, stroke: number | null): SymbolMask[] | null {
  if (typeof document === 'undefined') return null;
  const key = `${symbolPath(type, size)}|${dpr}|${stroke}`;
  let masks = maskCache.get(key);
  if (masks === undefined) maskCache.set(key, (masks = rasteriseMasks(type, size, dpr, stroke)));
  return masks;
}

function rasteriseMasks(type: SymbolType, size: number, dpr: number, stroke: number | null): SymbolMask[] | null {
  // Room for every d3 symbol of that area and a stroke.
  const half = Math.ceil((Math.sqrt(size) * 1.6 + 3) * dpr);
  const side = 2 * half + 1;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = side;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  if (g === null) return null;
  const path = new Path2D(symbolPath(type, size));
  const masks: SymbolMask[] = [];
  for (let qy = 0; qy < PHASES; qy++) {
    for (let qx = 0; qx < PHASES; qx++) {
      g.setTransform(1, 0, 0, 1, 0, 0);
      g.clearRect(0, 0, side, side);
      g.setTransform(dpr, 0, 0, dpr, half + qx / PHASES, half + qy / PHASES);
      if (stroke === null) g.fill(path);
      else {
        g.lineWidth = stroke;
        g.stroke(path);
      }
      const px = g.getImageData(0, 0, side, side).data;
      let x0 = side;
      let y0 = side;
      let x1 = -1;
      let y1 = -1;
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          if (px[(y * side + x) * 4 + 3]! === 0) continue;
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
      if (x1 < 0) {
        masks.push({ w: 0, h: 0, left: 0, top: 0, cover: new Float32Array(0) });
        continue;
      }
      const w = x1 - x0 + 1;
      const h = y1 - y0 + 1;
      const cover = new Float32Array(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) cover[y * w + x] = px[((y + y0) * side + x + x0) * 4 + 3]! / 255;
      masks.push({ w, h, left: x0 - half, top: y0 - half, cover });
    }
  }
  return masks;
}

/**
 * The last layer's buffers, for the next layer of the same size: a 100k chart's are ~5 MB, and
 * fresh memory is slow to touch in the browser (~5 ms a MB). A layer takes them when made and
 * gives them back when put.
 */
let spare: { acc: Float32Array; image: ImageData | null; keys: Uint32Array } | null = null;

/**
 * Dots composited in JavaScript into one premultiplied RGBA buffer, then put on the canvas at
 * once. Filling a path per dot under a new transform cost ~200 ms for 100k dots in software;
 * stamping a sprite with drawImage ~6 µs a dot. Here dots of one colour at the same (sub-pixel)
 * place are counted and blended once, and the result is clipped to the plot.
 */
export class DotLayer {
  readonly w: number;
  readonly h: number;
  private readonly acc: Float32Array;
  private readonly clip: [number, number, number, number];
  private image: ImageData | null = null;
  private keys: Uint32Array = new Uint32Array(0);

  constructor(w: number, h: number, clip: [number, number, number, number]) {
    this.w = w;
    this.h = h;
    const s = spare;
    if (s !== null && s.acc.length === w * h * 4) {
      spare = null;
      this.acc = s.acc.fill(0);
      this.image = s.image;
      this.keys = s.keys;
    } else this.acc = new Float32Array(w * h * 4);
    this.clip = [Math.max(0, Math.round(clip[0])), Math.max(0, Math.round(clip[1])), Math.min(w, Math.round(clip[2])), Math.min(h, Math.round(clip[3]))];
  }

  /**
   * Source-over of the symbol in `color` (#rrggbb) at `alpha`, centred on every (x, y) pair of
   * `xy` (mapped to device pixels by px and py). Dots of one colour commute, so the n dots on the
   * same place are blended once, as n of them would be: coverage 1 - (1 - a)^n. A dense cloud
   * has far fewer places than dots.
   */
  dots(xy: Float64Array, px: (v: number) => number, py: (v: number) => number, masks: SymbolMask[], color: string, alpha: number): void {
    const c = parseInt(color.slice(1), 16);
    const r = ((c >> 16) & 255) / 255;
    const g = ((c >> 8) & 255) / 255;
    const b = (c & 255) / 255;
    const { acc, w, h } = this;
    const [cx0, cy0, cx1, cy1] = this.clip;
    const phases = PHASES * PHASES;
    // Each dot's place as one number (pixel, then sub-pixel phase), sorted: equal places are runs.
    if (this.keys.length < xy.length / 2) this.keys = new Uint32Array(xy.length / 2);
    const keys = this.keys;
    let count = 0;
    for (let i = 0; i < xy.length; i += 2) {
      const fx = px(xy[i]!);
      const fy = py(xy[i + 1]!);
      let X = Math.floor(fx);
      let Y = Math.floor(fy);
      let qx = Math.round((fx - X) * PHASES);
      let qy = Math.round((fy - Y) * PHASES);
      if (qx === PHASES) {
        X++;
        qx = 0;
      }
      if (qy === PHASES) {
        Y++;
        qy = 0;
      }
      if (X < 0 || X >= w || Y < 0 || Y >= h) continue;
      keys[count++] = (Y * w + X) * phases + qy * PHASES + qx;
    }
    const sorted = keys.subarray(0, count).sort();
    for (let run = 0; run < count; ) {
      const key = sorted[run]!;
      let end = run + 1;
      while (end < count && sorted[end] === key) end++;
      const n = end - run;
      run = end;
      const { cover, w: mw, h: mh, left, top } = masks[key % phases]!;
      const centre = Math.floor(key / phases);
      const X = (centre % w) + left;
      const Y = Math.floor(centre / w) + top;
      const ja = Math.max(0, cy0 - Y);
      const jb = Math.min(mh, cy1 - Y);
      const ia = Math.max(0, cx0 - X);
      const ib = Math.min(mw, cx1 - X);
      for (let j = ja; j < jb; j++) {
        let o = ((Y + j) * w + X + ia) * 4;
        let m = j * mw + ia;
        for (let k = ia; k < ib; k++, o += 4, m++) {
          const a1 = cover[m]! * alpha;
          if (a1 === 0) continue;
          const a = n === 1 ? a1 : 1 - Math.pow(1 - a1, n);
          const keep = 1 - a;
          acc[o] = r * a + acc[o]! * keep;
          acc[o + 1] = g * a + acc[o + 1]! * keep;
          acc[o + 2] = b * a + acc[o + 2]! * keep;
          acc[o + 3] = a + acc[o + 3]! * keep;
        }
      }
    }
  }

  /** Replaces the canvas's pixels with the dots. The layer is done with (its buffers go to the next). */
  put(ctx: CanvasRenderingContext2D): void {
    let image = this.image;
    if (image === null || image.width !== this.w || image.height !== this.h) image = ctx.createImageData(this.w, this.h);
    const out = image.data;
    const { acc } = this;
    for (let o = 0; o < acc.length; o += 4) {
      const a = acc[o + 3]!;
      if (a <= 0) {
        // A reused image holds the last chart's pixels.
        out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
        continue;
      }
      out[o] = (acc[o]! / a) * 255;
      out[o + 1] = (acc[o + 1]! / a) * 255;
      out[o + 2] = (acc[o + 2]! / a) * 255;
      out[o + 3] = a * 255;
    }
    ctx.putImageData(image, 0, 0);
    spare = { acc, image, keys: this.keys };
  }
}
