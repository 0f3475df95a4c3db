/** Backoff bands: a process waiting before it reconnects, on its connection lane, each labelled with its length where it has room. */
import { CONN_STATES, INK } from '../../../palette.js';
import { cx, fillSwatch, haloText, type Frame } from '../frame.js';
import type { LaneArea } from '../layout.js';
import type { WorldIndex } from '../world-index.js';

export function drawBackoffs(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const { ctx } = f;
  const s = CONN_STATES.backoff;
  ix.world.backoffs.forEach((b, i) => {
    if (b.to < f.from || b.from > f.to) return;
    const lane = ix.backoffLane[i]!;
    const a = cx(f, b.from);
    const w = Math.max(1, cx(f, b.to) - a);
    // No free lane: a thin strip at the bottom of one, so the band is still seen.
    const y = lane >= 0 ? area.y + lane * area.rowH : area.y + ((b.pid % area.rows) + 1) * area.rowH - 4;
    const h = lane >= 0 ? Math.max(1, area.rowH - 1) : 3;
    fillSwatch(f, s, a, y, w, h);
    if (lane >= 0 && area.rowH >= 10) {
      // Every band its label, as long as the band has room for: words, then the time alone.
      const ms = (b.to - b.from) / 1000;
      const t = `${ms >= 10 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
      const text = w > 84 ? `backoff ${t}` : w > 40 ? t : w > 22 ? t.replace(' ms', '') : null;
      if (text !== null) haloText(ctx, text, Math.max(a, f.x0) + 3, y + h / 2, INK.text);
    }
  });
}
