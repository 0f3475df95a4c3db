/**
 * Late replies dropped by the runtime: a reply that came after its call timed out, thrown away
 * because the caller's alias was inactive. A ⊘ on the caller's row where it was dropped, and,
 * when few are in view, the words "dropped (inactive alias)".
 */
import { INK } from '../../../palette.js';
import { haloText, px, type Frame } from '../frame.js';
import type { LaneArea } from '../layout.js';
import { lowerBound, upperBound } from '../search.js';
import type { WorldIndex } from '../world-index.js';

/** Up to this many in view, each mark is labelled. */
const LABEL_LIMIT = 12;

export function drawLateDrops(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const lo = lowerBound(ix.dropT, f.from);
  const hi = upperBound(ix.dropT, f.to);
  if (hi <= lo) return;
  const { ctx } = f;
  const r = area.compressed ? 4 : Math.max(3, Math.min(5, area.rowH / 2));
  const label = hi - lo <= LABEL_LIMIT && (area.compressed || area.rowH >= 6);
  ctx.setLineDash([]);
  for (let j = lo; j < hi; j++) {
    const d = ix.world.lateDrops[j]!;
    const x = px(f, d.t);
    const y = area.compressed ? area.y + area.h - 6 : area.y + d.lane * area.rowH + area.rowH / 2;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.moveTo(x - r * 0.7, y + r * 0.7);
    ctx.lineTo(x + r * 0.7, y - r * 0.7);
    ctx.lineWidth = 3.5;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
    ctx.lineWidth = 1.6;
    ctx.strokeStyle = INK.text;
    ctx.stroke();
    if (label) haloText(ctx, 'dropped (inactive alias)', x + r + 3, y, INK.text);
  }
}
