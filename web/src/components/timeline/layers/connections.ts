/** Connection lanes: each connection's states as bands, or, zoomed out, what is in flight on it. */
import type { ConnBand } from '../../../../../sim/views/types.js';
import { CONN_STATES, WIRE, type Swatch } from '../../../palette.js';
import { cx, fillSwatch, type Frame } from '../frame.js';
import type { LaneArea } from '../layout.js';
import { ColumnImage, columnBars, stepColumns } from '../raster.js';
import type { WorldIndex } from '../world-index.js';

// -- connection lanes --

export function connSwatch(b: ConnBand): Swatch {
  return CONN_STATES[b.state];
}

export function drawConnBands(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const { ctx } = f;
  ix.world.connLanes.forEach((lane, l) => {
    const y = area.y + l * area.rowH;
    const h = Math.max(1, area.rowH - 1);
    for (const b of lane.bands) {
      if (b.to < f.from || b.from > f.to) continue;
      const a = cx(f, b.from);
      const w = Math.max(1, cx(f, b.to) - a);
      const s = connSwatch(b);
      fillSwatch(f, s, a, y, w, h);
      if (b.state === 'up' && area.rowH >= 8) {
        // A solid base line: "up" must read even where the tint is hidden by density.
        ctx.fillStyle = s.ink;
        ctx.fillRect(a, y + h - 2, w, 2);
      }
    }
  });
}

/** Zoomed out: requests in flight per connection, one max value per pixel column. */
export function drawConnDensity(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const cols = Math.max(1, Math.ceil(f.x1 - f.x0));
  const perLane: Float32Array[] = [];
  for (const s of ix.connSeries) {
    const buf = (perLane[s.lane] ??= new Float32Array(cols));
    stepColumns(f, s.series, buf);
  }
  const max = Math.max(1, ix.connMax);
  const img = new ColumnImage(f, area.y, area.h);
  perLane.forEach((buf, lane) => {
    const bottom = area.y + (lane + 1) * area.rowH - 1;
    // Tall rows keep a margin above the bars; 3-px rows need every pixel.
    columnBars(img, buf, bottom, Math.max(1, area.rowH - (area.rowH >= 8 ? 3 : 1)), max, WIRE.density, null);
  });
  img.stamp();
}

/** Many lanes: how many connections are up / connecting / backing off, over time. */
export function drawConnOccupancy(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const cols = Math.max(1, Math.ceil(f.x1 - f.x0));
  const max = Math.max(1, ix.laneCount);
  const up = stepColumns(f, ix.occupancy.up, new Float32Array(cols));
  const connecting = stepColumns(f, ix.occupancy.connecting, new Float32Array(cols));
  const backoff = stepColumns(f, ix.occupancy.backoff, new Float32Array(cols));
  const bottom = area.y + area.h - 1;
  const h = area.h - 2;
  const img = new ColumnImage(f, area.y, area.h);
  columnBars(img, up, bottom, h, max, CONN_STATES.up.ink, null);
  // Stack "connecting" on top of "up".
  const connectingPaint = img.paint(CONN_STATES.connecting);
  const connectingEdge = img.paint(CONN_STATES.connecting.edge);
  for (let c = 0; c < cols; c++) {
    const v = connecting[c]!;
    if (v <= 0) continue;
    const base = (up[c]! / max) * h;
    const hh = Math.max(1, (v / max) * h);
    img.span(c, c + 1, bottom - base - hh, bottom - base, connectingPaint);
    img.span(c, c + 1, bottom - base - hh, bottom - base - hh + 1, connectingEdge);
  }
  // Backoffs hang from the top, so the two never hide each other.
  const backoffPaint = img.paint(CONN_STATES.backoff);
  const backoffEdge = img.paint(CONN_STATES.backoff.edge);
  for (let c = 0; c < cols; c++) {
    const v = backoff[c]!;
    if (v <= 0) continue;
    const y1 = area.y + Math.max(1, (v / max) * h);
    img.span(c, c + 1, area.y, y1, backoffPaint);
    img.span(c, c + 1, y1 - 1, y1, backoffEdge);
  }
  img.stamp();
}

