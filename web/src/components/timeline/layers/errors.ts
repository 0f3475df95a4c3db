/** Error marks: each failed request's kind as a glyph at its end time. */
import { ERROR_KINDS, OKABE_ITO, glyphIsStroked, glyphShape, makeCanvas, type GlyphShape, type Swatch } from '../../../palette.js';
import type { Frame } from '../frame.js';
import type { LaneArea } from '../layout.js';
import { lowerBound, upperBound } from '../search.js';
import { CODE_ERROR0, CODE_SWATCH, type WorldIndex } from '../world-index.js';

// -- error marks --

export type Sprite = HTMLCanvasElement | OffscreenCanvas;
export const spriteCache = new Map<string, Sprite | null>();

/**
 * One error kind's glyph, rendered once per radius and pixel ratio. Marks are stamped with
 * drawImage: filling one path of a thousand overlapping glyphs costs Skia milliseconds.
 */
export function glyphSprite(kind: number, r: number, dpr: number): { img: Sprite; size: number } | null {
  const size = Math.ceil(2 * r + 5);
  const key = `${kind}:${r}:${dpr}`;
  let img = spriteCache.get(key);
  if (img === undefined) {
    img = makeCanvas(Math.ceil(size * dpr), Math.ceil(size * dpr));
    const g = img?.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null | undefined;
    if (img !== null && g !== null && g !== undefined) {
      const s = kindSwatch(kind);
      const glyph = s.glyph ?? 'x';
      const p = new Path2D();
      traceGlyph(p, glyphShape(glyph, r), size / 2, size / 2);
      g.scale(dpr, dpr);
      g.lineJoin = 'round';
      if (glyphIsStroked(glyph)) {
        // A white halo under the stroke keeps it readable on any bar colour.
        g.lineWidth = s.edge === undefined ? 3.5 : 4.5;
        g.strokeStyle = '#ffffff';
        g.stroke(p);
        if (s.edge !== undefined) {
          // A pale colour rides on its outline's colour (palette's edge).
          g.lineWidth = 3;
          g.strokeStyle = s.edge;
          g.stroke(p);
        }
        g.lineWidth = s.edge === undefined ? 1.8 : 1.4;
        g.strokeStyle = s.fill;
        g.stroke(p);
      } else {
        g.fillStyle = s.fill;
        g.fill(p);
        g.lineWidth = 1;
        g.strokeStyle = s.fill === OKABE_ITO.black ? '#ffffff' : '#000000';
        g.stroke(p);
      }
    } else img = null;
    spriteCache.set(key, img);
  }
  return img === null ? null : { img, size };
}

export function traceGlyph(p: Path2D, shape: GlyphShape, x: number, y: number): void {
  for (const line of shape.lines) {
    line.pts.forEach(([gx, gy], k) => (k === 0 ? p.moveTo(x + gx, y + gy) : p.lineTo(x + gx, y + gy)));
    if (line.closed) p.closePath();
  }
  if (shape.circle !== null) {
    p.moveTo(x + shape.circle, y);
    p.arc(x, y, shape.circle, 0, Math.PI * 2);
  }
}

/**
 * Every failed request ending in the window gets its kind's glyph at its end time. Marks closer
 * than a glyph's radius on the same row and kind would be stamped on top of each other: those are
 * drawn once (a bitmask per row and radius-wide bucket), which bounds the work by the canvas size
 * when thousands fail at once.
 */
export function drawErrorMarks(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const lo = lowerBound(ix.failEnd, f.from);
  const hi = upperBound(ix.failEnd, f.to);
  if (hi <= lo) return;
  const r = area.compressed ? 4 : Math.max(3, Math.min(5, Math.round(area.rowH / 2 + 1)));
  const bucketPx = Math.max(1, Math.floor(r));
  const buckets = Math.ceil((f.x1 - f.x0 + 1) / bucketPx) + 1;
  const rows = area.compressed ? 1 : area.rows;
  const seen = new Uint16Array(rows * buckets);
  const kinds = ERROR_KINDS.length + 1;
  const sprites = Array.from({ length: kinds }, (_, kind) => glyphSprite(kind, r, f.dpr));
  const { failIdx, failKind, lane, end } = ix;
  const { ctx } = f;
  for (let j = lo; j < hi; j++) {
    const i = failIdx[j]!;
    const kind = failKind[j]!;
    const row = area.compressed ? 0 : lane[i]!;
    if (row >= rows) continue;
    const x = f.x0 + (end[i]! - f.from) * f.k;
    const cell = row * buckets + Math.floor((x - f.x0) / bucketPx);
    const bit = 1 << kind;
    if ((seen[cell]! & bit) !== 0) continue;
    seen[cell] = seen[cell]! | bit;
    // Compressed callers: one line of marks per error kind, so kinds stay apart.
    const y = area.compressed ? area.y + 6 + (kind % 5) * 8 : area.y + row * area.rowH + area.rowH / 2;
    const sp = sprites[kind];
    if (sp !== null && sp !== undefined) ctx.drawImage(sp.img, x - sp.size / 2, y - sp.size / 2, sp.size, sp.size);
  }
}

export function kindSwatch(kind: number): Swatch {
  return CODE_SWATCH[CODE_ERROR0 + kind]!;
}
