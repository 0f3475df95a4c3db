/** A frame: the canvas, the visible window and how a world is drawn at it (arrows, bars, density). */
import { canvasFill, type Swatch } from '../../palette.js';
import { GUTTER, RIGHT_PAD, type WorldLayout } from './layout.js';
import { countOnWire, countVisible, type WorldIndex } from './world-index.js';

/** Zoomed in this far (visible requests in a world), each request is drawn as two arrows. */
export const ARROW_LIMIT = 300;
/** Up to this many visible requests, caller bars are drawn one by one; beyond, rasterised. */
export const PRECISE_LIMIT = 3000;

export const LABEL_FONT = '11px system-ui, sans-serif';

// ---- Frames -------------------------------------------------------------------------------------

export type FillFor = (s: Swatch) => string | CanvasPattern;

/** Swatch fills (patterns are made once per context and pixel ratio). */
export function fillCache(ctx: CanvasRenderingContext2D, dpr: number): FillFor {
  const cache = new Map<string, string | CanvasPattern>();
  return (s) => {
    let v = cache.get(s.key);
    if (v === undefined) cache.set(s.key, (v = canvasFill(ctx, s, dpr)));
    return v;
  };
}

/** Everything a drawing needs about the canvas and the visible window. */
export interface Frame {
  ctx: CanvasRenderingContext2D;
  /** CSS px. */
  width: number;
  height: number;
  /** Plot range in CSS px: x0 is the window's `from`, x1 its `to`. */
  x0: number;
  x1: number;
  from: number;
  to: number;
  /** CSS px per µs. */
  k: number;
  ticks: readonly number[];
  fill: FillFor;
  /** Device pixels per CSS pixel (sprites are rendered at it). */
  dpr: number;
}

export function makeFrame(ctx: CanvasRenderingContext2D, width: number, height: number, from: number, to: number, ticks: readonly number[], fill: FillFor, dpr: number): Frame {
  const x0 = GUTTER;
  const x1 = Math.max(x0 + 1, width - RIGHT_PAD);
  return { ctx, width, height, x0, x1, from, to, k: (x1 - x0) / Math.max(1, to - from), ticks, fill, dpr };
}

export function px(f: Frame, t: number): number {
  return f.x0 + (t - f.from) * f.k;
}

/** Clamps to a little outside the plot so huge coordinates never reach the canvas. */
export function cx(f: Frame, t: number): number {
  const x = px(f, t);
  return x < f.x0 - 8 ? f.x0 - 8 : x > f.x1 + 8 ? f.x1 + 8 : x;
}

// ---- Drawing ------------------------------------------------------------------------------------

export interface DrawOptions {
  /** The guided tour points elsewhere: dim this whole world. */
  dimAll: boolean;
  /** The guided tour points here (already resolved to this world). req is a position in reqs. */
  highlight: { from?: number; to?: number; lane?: 'connections' | 'callers'; req?: number } | null;
  /** Keyboard cursor and pointer hover, as positions in reqs. */
  cursor: number | null;
  hover: number | null;
  /** Draw the cursor as focused (the canvas has keyboard focus). */
  focused: boolean;
}

export interface DrawResult {
  visible: number;
  wire: 'arrows' | 'density';
  bars: 'precise' | 'raster' | 'density';
}

/** Whether a world's requests are drawn one by one as arrows in a window (drawModes' rule). */
export function drawsArrows(ix: WorldIndex, from: number, to: number): boolean {
  return countOnWire(ix, from, to, ARROW_LIMIT) <= ARROW_LIMIT;
}

/** How a world will be drawn for a window: the same decision drawing and hit-testing use. */
export function drawModes(ix: WorldIndex, lay: WorldLayout, from: number, to: number): DrawResult {
  const visible = countVisible(ix, from, to, PRECISE_LIMIT);
  return {
    visible,
    wire: visible <= ARROW_LIMIT || drawsArrows(ix, from, to) ? 'arrows' : 'density',
    bars: lay.callers.compressed ? 'density' : visible <= PRECISE_LIMIT ? 'precise' : 'raster',
  };
}

/**
 * A swatch's rectangle: its fill, and its outline (palette's edge) where the fill alone is under
 * 3:1 against the lanes: inside the rectangle, all round where it is big enough, else a base
 * line; a sliver too narrow for an inside is drawn in the outline's colour.
 */
export function fillSwatch(f: Frame, s: Swatch, x: number, y: number, w: number, h: number): void {
  const { ctx } = f;
  if (s.edge !== undefined && w < 3) {
    ctx.fillStyle = s.edge;
    ctx.fillRect(x, y, w, h);
    return;
  }
  ctx.fillStyle = f.fill(s);
  ctx.fillRect(x, y, w, h);
  if (s.edge === undefined) return;
  ctx.fillStyle = s.edge;
  if (h >= 5) {
    ctx.fillRect(x, y, w, 1);
    ctx.fillRect(x, y + 1, 1, h - 2);
    ctx.fillRect(x + w - 1, y + 1, 1, h - 2);
  }
  ctx.fillRect(x, y + h - 1, w, 1);
}

export function haloText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, color: string): void {
  ctx.font = LABEL_FONT;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  ctx.lineWidth = 3;
  ctx.strokeStyle = 'rgba(255,255,255,0.92)';
  ctx.strokeText(text, x, y);
  ctx.fillStyle = color;
  ctx.fillText(text, x, y);
}
