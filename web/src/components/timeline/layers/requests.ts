/** Caller lanes: a bar per request (one by one, or rasterised), or the callers' density. */
import { REQUEST_STATES } from '../../../palette.js';
import { cx, fillSwatch, type Frame } from '../frame.js';
import type { LaneArea } from '../layout.js';
import { ColumnImage, columnBars, stepColumns } from '../raster.js';
import { lowerBound, upperBound } from '../search.js';
import { CODE_SWATCH, forEachVisible, rowSwatch, segments, type WorldIndex } from '../world-index.js';

// -- caller lanes --

export function drawBarsPrecise(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const h = Math.max(1, area.rowH - 1);
  const wait = CODE_SWATCH[ix.waitCode]!;
  forEachVisible(ix, f.from, f.to, (i) => {
    const y = area.y + ix.lane[i]! * area.rowH;
    const sg = segments(ix, i);
    if (sg.waitTo > sg.waitFrom) {
      const a = cx(f, sg.waitFrom);
      fillSwatch(f, wait, a, y, Math.max(1, cx(f, sg.waitTo) - a), h);
    }
    const a = cx(f, sg.mainFrom);
    const failed = ix.rows.ok(i) === 0;
    fillSwatch(f, rowSwatch(ix, i), a, y, Math.max(failed ? 2 : 1, cx(f, sg.mainTo) - a), h);
  });
}

/**
 * Zoomed out: paint each request into a (rows × pixel columns) grid keeping the highest-priority
 * code per cell, then fill runs. Cost: O(visible requests + cells) whatever the data size, with
 * no allocation per request (the hot loop reads the index's typed arrays only).
 */
export function drawBarsRaster(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const cols = Math.max(1, Math.ceil(f.x1 - f.x0));
  const rows = area.rows;
  const grid = new Uint8Array(rows * cols);
  const { start, end, lane, waitFrom, waitTo, mainFrom, code, isLong, waitCode } = ix;
  const k = f.k;
  const from = f.from;
  const last = cols - 1;
  const paint = (base: number, t0: number, t1: number, c: number) => {
    let a = Math.floor((t0 - from) * k);
    let b = Math.ceil((t1 - from) * k) - 1;
    if (a < 0) a = 0;
    if (b > last) b = last;
    if (b < a) b = a;
    for (let x = a; x <= b; x++) if (grid[base + x]! < c) grid[base + x] = c;
  };
  const one = (i: number) => {
    const row = lane[i]!;
    if (row >= rows) return;
    const base = row * cols;
    if (waitTo[i]! > waitFrom[i]!) paint(base, waitFrom[i]!, waitTo[i]!, waitCode);
    paint(base, mainFrom[i]!, end[i]!, code[i]!);
  };
  const lo = lowerBound(start, from - ix.shortMaxDur);
  const hi = upperBound(start, f.to);
  for (let i = lo; i < hi; i++) if (isLong[i] === 0 && end[i]! >= from) one(i);
  for (let j = 0; j < ix.longIdx.length; j++) {
    const i = ix.longIdx[j]!;
    if (start[i]! <= f.to && end[i]! >= from) one(i);
  }

  // The cells' runs go through a ColumnImage: as fillRects (with patterns) they cost Skia
  // milliseconds to rasterise when the canvas is flushed.
  const img = new ColumnImage(f, area.y, area.h);
  const paints = CODE_SWATCH.map((s) => img.paint(s));
  const edges = CODE_SWATCH.map((s) => (s.edge === undefined ? null : img.paint(s.edge)));
  const h = Math.max(1, area.rowH - 1);
  for (let row = 0; row < rows; row++) {
    const base = row * cols;
    const y = area.y + row * area.rowH;
    let c = 0;
    while (c < cols) {
      const v = grid[base + c]!;
      let e = c + 1;
      while (e < cols && grid[base + e] === v) e++;
      if (v !== 0) img.box(c, e, y, y + h, paints[v]!, edges[v]!);
      c = e;
    }
  }
  img.stamp();
}

/**
 * Too many callers for a row each: requests in the system over time (mean per pixel column), with
 * the part waiting (for a pooled connection, or in the GenServer's mailbox) stacked at the bottom
 * in its own colour and pattern.
 */
export function drawCallerDensity(f: Frame, ix: WorldIndex, area: LaneArea): void {
  const cols = Math.max(1, Math.ceil(f.x1 - f.x0));
  const max = Math.max(1, ix.inFlightMax);
  const bottom = area.y + area.h - 1;
  const h = area.h - 3;
  const img = new ColumnImage(f, area.y, area.h);
  columnBars(img, stepColumns(f, ix.inFlight, new Float32Array(cols)), bottom, h, max, REQUEST_STATES.inflight, REQUEST_STATES.inflight.edge);
  if (ix.waiting.times.length > 1) columnBars(img, stepColumns(f, ix.waiting, new Float32Array(cols)), bottom, h, max, CODE_SWATCH[ix.waitCode]!, CODE_SWATCH[ix.waitCode]!.edge ?? null);
  img.stamp();
}
