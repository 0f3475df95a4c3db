import { ARROW_LIMIT, type Frame } from './frame.js';
import type { WorldLayout } from './layout.js';
import { lowerBound, upperBound } from './search.js';
import { countOnWire, forEachVisible, type WorldIndex } from './world-index.js';
import { NONE, T_REPLY, T_SENT } from '../../../../sim/views/pack.js';

// ---- Hit testing --------------------------------------------------------------------------------

/**
 * The request under (mx, my) in CSS px of this world's canvas, or null: a caller bar (or an error
 * mark), or, zoomed in, a request's arrows on its connection lane. Tolerance: 4 px.
 */
export function hitTest(f: Pick<Frame, 'x0' | 'x1' | 'from' | 'to' | 'k'>, ix: WorldIndex, lay: WorldLayout, mx: number, my: number): number | null {
  if (mx < f.x0 - 4 || mx > f.x1 + 4) return null;
  const t = f.from + (mx - f.x0) / f.k;
  const tol = 4 / f.k;
  const dist = (a: number, b: number) => (t < a ? a - t : t > b ? t - b : 0);
  let best: number | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  const consider = (i: number, a: number, b: number) => {
    const d = dist(a, b);
    if (d <= tol && d < bestD) {
      bestD = d;
      best = i;
    }
  };
  const { callers, conn } = lay;
  if (my >= callers.y - 2 && my <= callers.y + callers.h + 2) {
    if (callers.compressed) {
      // Only the error marks are individual here.
      const lo = lowerBound(ix.failEnd, t - tol);
      const hi = upperBound(ix.failEnd, t + tol);
      for (let j = lo; j < hi; j++) consider(ix.failIdx[j]!, ix.failEnd[j]!, ix.failEnd[j]!);
      return best;
    }
    const row = Math.floor((my - callers.y) / callers.rowH);
    forEachVisible(ix, t - tol, t + tol, (i) => {
      if (ix.lane[i] === row) consider(i, ix.start[i]!, ix.end[i]!);
    });
    return best;
  }
  if (!conn.compressed && my >= conn.y && my <= conn.y + conn.h) {
    if (countOnWire(ix, f.from, f.to, ARROW_LIMIT) > ARROW_LIMIT) return null; // density: no single request
    const lane = Math.floor((my - conn.y) / conn.rowH);
    forEachVisible(ix, t - tol, t + tol, (i) => {
      const r = ix.rows;
      const sentAt = r.time(i, T_SENT);
      const conn = r.conn(i);
      if (sentAt === NONE || conn === NONE || ix.connToLane.get(conn) !== lane) return;
      const replyAt = r.time(i, T_REPLY);
      consider(i, sentAt, replyAt === NONE ? ix.end[i]! : replyAt);
    });
    return best;
  }
  return null;
}

/** Where a request sits, for placing its card: its start and end in CSS px (clamped to the plot)
 * and the top and bottom of its caller row. */
export function requestAnchor(f: Pick<Frame, 'x0' | 'x1' | 'from' | 'k'>, ix: WorldIndex, lay: WorldLayout, i: number): { xa: number; xb: number; top: number; bottom: number } {
  const clamp = (t: number) => Math.min(f.x1, Math.max(f.x0, f.x0 + (t - f.from) * f.k));
  const xa = clamp(ix.start[i]!);
  const xb = clamp(ix.end[i]!);
  if (lay.callers.compressed) return { xa, xb, top: lay.callers.y, bottom: lay.callers.y + lay.callers.h };
  const top = lay.callers.y + ix.lane[i]! * lay.callers.rowH;
  return { xa, xb, top, bottom: top + lay.callers.rowH };
}
