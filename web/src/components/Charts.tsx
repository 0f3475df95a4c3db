/**
 * The lab's two charts over the timeline's visible window: each request's latency at the time it
 * ended (log scale, failures as ×), and completions per bucket (ok and failed), one series per
 * world. SVG; the scatter's dots go to a canvas under the SVG axes when there are many of them.
 * Each chart is one image to assistive technology, with a summary as its name and a visually
 * hidden table of the figures.
 */
import { memo, useId, useLayoutEffect, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react';
import { scaleLinear, scaleLog } from 'd3-scale';
import { curveStepAfter, line, symbol, symbolCircle, symbolCross, symbolDiamond, symbolSquare, symbolStar, symbolTimes, symbolTriangle, symbolWye, type SymbolType } from 'd3-shape';
import type { LabView, WorldView } from '../../../sim/views/index.js';
import './panels.css';

// ---- Shared look: a colour and a shape per world ----

/** Okabe–Ito, in the order worlds get them; vermilion last: it marks failures. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#000000', '#F0E442', '#D55E00'] as const;
export const ERROR_COLOR = '#D55E00';
/** Pool blue and multiplex orange wherever they appear; the others take the next free colour. */
const PREFERRED: Record<string, number> = { pool: 0, multiplex: 1, serial: 2, naive: 3 };
const SHAPES: Array<{ name: string; type: SymbolType }> = [
  { name: 'circle', type: symbolCircle },
  { name: 'square', type: symbolSquare },
  { name: 'triangle', type: symbolTriangle },
  { name: 'diamond', type: symbolDiamond },
  { name: 'star', type: symbolStar },
  { name: 'wye', type: symbolWye },
  { name: 'cross', type: symbolCross },
  { name: 'circle', type: symbolCircle },
];

export interface WorldStyle {
  color: string;
  shape: string;
  symbol: SymbolType;
}

/** One style per world, stable for a given list of worlds (by kind first, then by position). */
export function worldStyles(worlds: ReadonlyArray<{ client: { kind: string } }>): WorldStyle[] {
  const used = new Set<number>();
  return worlds.map((w, i) => {
    let c = PREFERRED[w.client.kind];
    if (c === undefined || used.has(c)) c = PALETTE.findIndex((_, k) => !used.has(k));
    if (c < 0) c = i % PALETTE.length;
    used.add(c);
    const shape = SHAPES[i % SHAPES.length]!;
    return { color: PALETTE[c]!, shape: shape.name, symbol: shape.type };
  });
}

const symbolPath = (type: SymbolType, size: number) => symbol(type, size)() ?? '';

/** Sub-pixel positions a dot can take, per axis: centres are placed within 1/8 px. */
const PHASES = 4;

/** A d3 symbol's coverage (0–1) per device pixel, for one sub-pixel position of its centre:
 * `left` and `top` are where its first column and row lie, in pixels from the centre's pixel. */
interface SymbolMask {
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
function symbolMasks(type: SymbolType, size: number, dpr: number, stroke: number | null): SymbolMask[] | null {
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
 * Dots composited in JavaScript into one premultiplied RGBA buffer, then put on the canvas at
 * once. Filling a path per dot under a new transform cost ~200 ms for 100k dots in software;
 * stamping a sprite with drawImage ~6 µs a dot. Here dots of one colour at the same (sub-pixel)
 * place are counted and blended once, and the result is clipped to the plot.
 */
class DotLayer {
  readonly w: number;
  readonly h: number;
  private readonly acc: Float32Array;
  private readonly clip: [number, number, number, number];

  constructor(w: number, h: number, clip: [number, number, number, number]) {
    this.w = w;
    this.h = h;
    this.acc = new Float32Array(w * h * 4);
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
    const keys = new Uint32Array(xy.length / 2);
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

  /** Replaces the canvas's pixels with the dots. */
  put(ctx: CanvasRenderingContext2D): void {
    const image = ctx.createImageData(this.w, this.h);
    const out = image.data;
    const { acc } = this;
    for (let o = 0; o < acc.length; o += 4) {
      const a = acc[o + 3]!;
      if (a <= 0) continue;
      out[o] = (acc[o]! / a) * 255;
      out[o + 1] = (acc[o + 1]! / a) * 255;
      out[o + 2] = (acc[o + 2]! / a) * 255;
      out[o + 3] = a * 255;
    }
    ctx.putImageData(image, 0, 0);
  }
}

// ---- Formatting ----

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const fmtInt = (n: number) => intFmt.format(n);

/** A duration given in ms, in the unit that reads best (µs, ms, s). */
export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const a = Math.abs(ms);
  if (a === 0) return '0 ms';
  if (a < 1) return `${trim(ms * 1000, a * 1000 >= 100 ? 0 : a * 1000 >= 10 ? 1 : 2)} µs`;
  if (a >= 1000) return `${trim(ms / 1000, a >= 100_000 ? 0 : a >= 10_000 ? 1 : 2)} s`;
  return `${trim(ms, a >= 100 ? 0 : a >= 10 ? 1 : 2)} ms`;
}

function trim(x: number, digits: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(x);
}

/** A time on the axis, µs → "250 ms" with as many decimals as the tick step needs. */
function timeTickFormat(stepUs: number): (us: number) => string {
  const stepMs = stepUs / 1000;
  const decimals = stepMs >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(stepMs) - 1e-9));
  return (us) => `${new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(us / 1000)} ms`;
}

const windowText = (w: { from: number; to: number }) => `${trim(w.from / 1000, 3)}–${trim(w.to / 1000, 3)} ms`;

// ---- Layout helpers ----

/** The width of an element, kept up to date (falls back until measured). */
function useWidth(fallback: number): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const update = () => {
      const w = Math.floor(el.clientWidth);
      if (w > 0) setWidth((prev) => (prev === w ? prev : w));
    };
    update();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

interface LegendItem {
  key: string;
  label: string;
  glyph: (x: number, y: number) => ReactNode;
}

/** Legend items laid out in rows across the top; returns the nodes and the height used. */
function layoutLegend(items: LegendItem[], width: number, x0: number): { nodes: ReactNode; height: number } {
  const rowH = 16;
  let x = x0;
  let row = 0;
  const nodes = items.map((it) => {
    const w = 18 + it.label.length * 6.4 + 14;
    if (x + w > width && x > x0) {
      x = x0;
      row++;
    }
    const y = 10 + row * rowH;
    const node = (
      <g key={it.key} className="dx-legend-item">
        {it.glyph(x + 6, y)}
        <text x={x + 16} y={y} dominantBaseline="central" className="dx-legend-text">
          {it.label}
        </text>
      </g>
    );
    x += w;
    return node;
  });
  return { nodes, height: (row + 1) * rowH + 4 };
}

function Marker({ style, x, y, size }: { style: WorldStyle; x: number; y: number; size: number }) {
  return <path d={symbolPath(style.symbol, size)} transform={`translate(${x},${y})`} fill={style.color} stroke="rgba(0,0,0,0.55)" strokeWidth={0.6} />;
}

function Cross({ x, y, size }: { x: number; y: number; size: number }) {
  return <path d={symbolPath(symbolTimes, size)} transform={`translate(${x},${y})`} fill="none" stroke={ERROR_COLOR} strokeWidth={1.5} />;
}

interface AxesProps {
  x: (t: number) => number;
  y: (v: number) => number;
  yTicks: readonly number[];
  yFormat: (v: number) => string;
  /** The time window (µs) along the bottom. */
  from: number;
  to: number;
  left: number;
  top: number;
  plotW: number;
  plotH: number;
}

/** Both charts' scaffolding: value ticks and grid lines on the left, the frame, evenly spaced
 * time ticks along the bottom. */
function Axes({ x, y, yTicks, yFormat, from, to, left, top, plotW, plotH }: AxesProps) {
  const ticks = scaleLinear().domain([from, to]).ticks(Math.max(2, Math.floor(plotW / 90)));
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : Math.max(1, to - from);
  const fmt = timeTickFormat(step);
  return (
    <>
      <g className="dx-axis dx-axis-y">
        {yTicks.map((t) => (
          <g key={t} transform={`translate(0,${y(t)})`}>
            <line className="dx-grid" x1={left} x2={left + plotW} />
            <text x={left - 6} dominantBaseline="central" textAnchor="end">
              {yFormat(t)}
            </text>
          </g>
        ))}
      </g>
      <rect className="dx-frame" x={left} y={top} width={plotW} height={plotH} />
      <g className="dx-axis dx-axis-x">
        {ticks.map((t) => (
          <g key={t} transform={`translate(${x(t)},${top + plotH})`}>
            <line y2={4} />
            <text y={7} dominantBaseline="hanging" textAnchor="middle">
              {fmt(t)}
            </text>
          </g>
        ))}
      </g>
    </>
  );
}

/** A window the charts can draw: at least a µs wide, in order. */
function normWindow(w: { from: number; to: number }): { from: number; to: number } {
  const from = Math.max(0, Math.min(w.from, w.to));
  const to = Math.max(w.from, w.to);
  return to > from ? { from, to } : { from, to: from + 1 };
}

// ---- Latency scatter ----

/** Above this many points the dots go to a canvas. */
export const CANVAS_THRESHOLD = 5000;

interface ScatterSeries {
  world: WorldView;
  style: WorldStyle;
  /** x: end (µs), y: latency (ms). */
  ok: Float64Array;
  failed: Float64Array;
  okCount: number;
  failedCount: number;
  sorted: Float64Array;
}

const pct = (sorted: Float64Array, q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!);

function scatterSeries(view: LabView, from: number, to: number): ScatterSeries[] {
  const styles = worldStyles(view.worlds);
  return view.worlds.map((world, wi) => {
    // Typed arrays filled in place: this runs over every request each time the window settles.
    const n = world.requests.length;
    const ok = new Float64Array(2 * n);
    const failed = new Float64Array(2 * n);
    let nOk = 0;
    let nFailed = 0;
    for (const r of world.requests) {
      if (r.end === null || r.end < from || r.end > to) continue;
      const lat = Math.max(1, r.end - r.start) / 1000;
      if (r.ok === true) {
        ok[nOk++] = r.end;
        ok[nOk++] = lat;
      } else {
        failed[nFailed++] = r.end;
        failed[nFailed++] = lat;
      }
    }
    const sorted = new Float64Array(nOk / 2);
    for (let i = 1, k = 0; i < nOk; i += 2, k++) sorted[k] = ok[i]!;
    sorted.sort();
    return { world, style: styles[wi]!, ok: ok.slice(0, nOk), failed: failed.slice(0, nFailed), okCount: nOk / 2, failedCount: nFailed / 2, sorted };
  });
}

/** "pool: latency of 10,478 requests, p50 0.95 ms, p99 3.8 ms, max 5.1 ms, 0 failed" */
function scatterSummary(s: ScatterSeries): string {
  if (s.okCount === 0) return `${s.world.label}: no successful requests${s.failedCount > 0 ? `, ${fmtInt(s.failedCount)} failed` : ''}`;
  return `${s.world.label}: latency of ${fmtInt(s.okCount)} requests, p50 ${fmtDuration(pct(s.sorted, 50))}, p99 ${fmtDuration(pct(s.sorted, 99))}, max ${fmtDuration(s.sorted[s.sorted.length - 1]!)}, ${fmtInt(s.failedCount)} failed`;
}

/** Log-scale ticks: powers of ten, with 2 and 5 between them when the range is short. */
function logTicks(lo: number, hi: number): number[] {
  const e0 = Math.floor(Math.log10(lo));
  const e1 = Math.ceil(Math.log10(hi));
  const mults = e1 - e0 <= 2 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = e0; e <= e1; e++) {
    for (const m of mults) {
      const v = Number((m * 10 ** e).toPrecision(3));
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

const SCATTER_H = 230;

/** The run before a fault edit in the latency chart: per world, its p50 and p99 over time (ms). */
interface LatencyGhost {
  world: WorldView;
  style: WorldStyle;
  /** Step points [t µs, latency ms]; NaN latency: no request ended in that bin (a gap). */
  p50: Array<[number, number]>;
  p99: Array<[number, number]>;
}

/** About this many bins across the window for the ghost's percentiles. */
const GHOST_BINS = 60;

function latencyGhost(view: LabView, from: number, to: number): LatencyGhost[] {
  const styles = worldStyles(view.worlds);
  return view.worlds.map((world, wi) => {
    const binUs = Math.max(1, (to - from) / GHOST_BINS);
    const bins: number[][] = Array.from({ length: GHOST_BINS }, () => []);
    for (const r of world.requests) {
      if (r.ok !== true || r.end === null || r.end < from || r.end > to) continue;
      bins[Math.min(GHOST_BINS - 1, Math.floor((r.end - from) / binUs))]!.push(Math.max(1, r.end - r.start) / 1000);
    }
    const p50: Array<[number, number]> = [];
    const p99: Array<[number, number]> = [];
    bins.forEach((b, i) => {
      const t0 = from + i * binUs;
      const sorted = Float64Array.from(b).sort();
      for (const [out, q] of [[p50, 50], [p99, 99]] as const) out.push([t0, pct(sorted, q)], [t0 + binUs, pct(sorted, q)]);
    });
    return { world, style: styles[wi]!, p50, p99 };
  });
}

function LatencyScatterChart(props: { view: LabView; window: { from: number; to: number }; ghost?: LabView | null }) {
  const { view, ghost } = props;
  const { from, to } = normWindow(props.window);
  const [wrapRef, width] = useWidth(480);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const clipId = `dx-clip-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  const series = useMemo(() => scatterSeries(view, from, to), [view, from, to]);
  const ghosts = useMemo(() => (ghost == null ? [] : latencyGhost(ghost, from, to)), [ghost, from, to]);
  const total = series.reduce((n, s) => n + s.okCount + s.failedCount, 0);
  const useCanvas = total > CANVAS_THRESHOLD;
  const dotSize = total > 2000 ? 16 : 28;

  const legendItems: LegendItem[] = [
    ...series.map((s) => ({ key: s.world.label, label: `${s.world.label}`, glyph: (x: number, y: number) => <Marker style={s.style} x={x} y={y} size={40} /> })),
    { key: '$failed', label: 'failed', glyph: (x: number, y: number) => <Cross x={x} y={y} size={40} /> },
    ...(ghosts.length > 0 ? [{ key: '$ghost', label: 'before the fault: p50, p99', glyph: (x: number, y: number) => <line x1={x - 7} x2={x + 7} y1={y} y2={y} stroke="#1b1b1f" strokeOpacity={0.3} strokeWidth={4} /> }] : []),
  ];
  const margin = { left: 54, right: 26, bottom: 28 };
  const legend = layoutLegend(legendItems, width - margin.right, margin.left);
  const top = legend.height + 6;
  const plotW = Math.max(10, width - margin.left - margin.right);
  const plotH = Math.max(10, SCATTER_H - top - margin.bottom);

  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const g of ghosts) {
    for (const [, v] of [...g.p50, ...g.p99]) {
      if (!(v > 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  for (const s of series) {
    for (const arr of [s.ok, s.failed]) {
      for (let i = 1; i < arr.length; i += 2) {
        const v = arr[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (!(hi > 0)) {
    lo = 0.01;
    hi = 10;
  }
  if (hi / lo < 10) {
    lo /= 2;
    hi *= 2;
  }
  const y = scaleLog().domain([Math.max(0.001, lo), hi]).range([top + plotH, top]).nice().clamp(true);
  const x = scaleLinear().domain([from, to]).range([margin.left, margin.left + plotW]);
  const yTicks = logTicks(y.domain()[0]!, y.domain()[1]!);

  const [yLo, yHi] = y.domain() as [number, number];
  // Only when what it shows changes (the component is memoised, and draws 100k dots at most).
  useLayoutEffect(() => {
    const c = canvasRef.current;
    if (!useCanvas || c === null) return;
    const ctx = c.getContext('2d');
    if (ctx === null) return;
    const dpr = typeof window !== 'undefined' ? window.devicePixelRatio || 1 : 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(SCATTER_H * dpr);
    const layer = new DotLayer(c.width, c.height, [margin.left * dpr, top * dpr, (margin.left + plotW) * dpr, (top + plotH) * dpr]);
    const xs = scaleLinear().domain([from, to]).range([margin.left * dpr, (margin.left + plotW) * dpr]);
    const ys = scaleLog().domain([yLo, yHi]).range([(top + plotH) * dpr, top * dpr]).clamp(true);
    // Many dots: no outlines (they would turn a dense cloud black), a little transparency.
    for (const s of series) {
      const masks = symbolMasks(s.style.symbol, dotSize, dpr, null);
      if (masks !== null) layer.dots(s.ok, xs, ys, masks, s.style.color, 0.7);
    }
    const cross = symbolMasks(symbolTimes, dotSize + 8, dpr, 1.5);
    if (cross !== null) for (const s of series) layer.dots(s.failed, xs, ys, cross, ERROR_COLOR, 1);
    layer.put(ctx);
  }, [useCanvas, series, width, dotSize, from, to, top, plotW, plotH, yLo, yHi, margin.left]);

  const label = `Latency of each request against the time it ended, ${windowText({ from, to })}, log scale. ${series.length > 0 ? `${series.map(scatterSummary).join('. ')}.` : 'No world to show.'}`;

  return (
    <figure className="dx-chart" data-testid="latency-scatter">
      <figcaption className="dx-chart-title">
        Latency <span className="dx-muted">by completion time · log scale · × failed</span>
      </figcaption>
      <div ref={wrapRef} className="dx-chart-plot" role="img" aria-label={label} style={{ height: SCATTER_H }} data-render={useCanvas ? 'canvas' : 'svg'}>
        {useCanvas && <canvas ref={canvasRef} aria-hidden="true" className="dx-chart-canvas" style={{ width, height: SCATTER_H }} />}
        <svg width={width} height={SCATTER_H} aria-hidden="true" focusable="false" className="dx-chart-svg">
          <defs>
            <clipPath id={clipId}>
              <rect x={margin.left} y={top} width={plotW} height={plotH} />
            </clipPath>
          </defs>
          <g className="dx-legend">{legend.nodes}</g>
          <Axes x={x} y={y} yTicks={yTicks} yFormat={fmtDuration} from={from} to={to} left={margin.left} top={top} plotW={plotW} plotH={plotH} />
          <g clipPath={`url(#${clipId})`} fill="none">
            {ghosts.map((g) => {
              const ghostLine = line<[number, number]>()
                .defined((d) => d[1] > 0)
                .x((d) => x(d[0]))
                .y((d) => y(d[1]));
              return (
                <g key={g.world.label} data-testid={`latency-ghost-${g.world.label}`} stroke={g.style.color} strokeOpacity={0.3} strokeWidth={4} strokeLinejoin="round">
                  <path d={ghostLine(g.p50) ?? ''} />
                  <path d={ghostLine(g.p99) ?? ''} strokeDasharray="8 4" />
                </g>
              );
            })}
          </g>
          {!useCanvas && (
            <g clipPath={`url(#${clipId})`}>
              {series.map((s) => {
                const d = symbolPath(s.style.symbol, dotSize);
                const pts: ReactNode[] = [];
                for (let i = 0; i < s.ok.length; i += 2) pts.push(<path key={i} d={d} transform={`translate(${x(s.ok[i]!).toFixed(1)},${y(s.ok[i + 1]!).toFixed(1)})`} />);
                return (
                  <g key={s.world.label} fill={s.style.color} {...(total <= 1500 ? { stroke: 'rgba(0,0,0,0.45)', strokeWidth: 0.5 } : { fillOpacity: 0.7 })}>
                    {pts}
                  </g>
                );
              })}
              <g fill="none" stroke={ERROR_COLOR} strokeWidth={1.5}>
                {series.map((s) => {
                  const d = symbolPath(symbolTimes, dotSize + 8);
                  const pts: ReactNode[] = [];
                  for (let i = 0; i < s.failed.length; i += 2) pts.push(<path key={`${s.world.label}-${i}`} d={d} transform={`translate(${x(s.failed[i]!).toFixed(1)},${y(s.failed[i + 1]!).toFixed(1)})`} />);
                  return pts;
                })}
              </g>
            </g>
          )}
          {total === 0 && (
            <text x={margin.left + plotW / 2} y={top + plotH / 2} textAnchor="middle" className="dx-empty">
              No request ended in this window
            </text>
          )}
        </svg>
      </div>
      <div className="visually-hidden">
        <table>
          <caption>Latency of the requests that ended between {windowText({ from, to })}</caption>
          <thead>
            <tr>
              <th scope="col">World</th>
              <th scope="col">Ok</th>
              <th scope="col">Failed</th>
              <th scope="col">p50</th>
              <th scope="col">p90</th>
              <th scope="col">p99</th>
              <th scope="col">Max</th>
            </tr>
          </thead>
          <tbody>
            {series.map((s) => (
              <tr key={s.world.label}>
                <th scope="row">{s.world.label}</th>
                <td>{fmtInt(s.okCount)}</td>
                <td>{fmtInt(s.failedCount)}</td>
                <td>{s.okCount ? fmtDuration(pct(s.sorted, 50)) : '—'}</td>
                <td>{s.okCount ? fmtDuration(pct(s.sorted, 90)) : '—'}</td>
                <td>{s.okCount ? fmtDuration(pct(s.sorted, 99)) : '—'}</td>
                <td>{s.okCount ? fmtDuration(s.sorted[s.sorted.length - 1]!) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

// ---- Throughput ----

interface Bin {
  t: number;
  ok: number;
  failed: number;
}

interface ThroughputSeries {
  world: WorldView;
  style: WorldStyle;
  bins: Bin[];
  binUs: number;
  okTotal: number;
  failedTotal: number;
  peakOk: number;
  peakFailed: number;
}

/** Most bins drawn; a long window merges the world's buckets into wider ones. */
const MAX_BINS = 400;

function throughputSeries(view: LabView, from: number, to: number): ThroughputSeries[] {
  const styles = worldStyles(view.worlds);
  return view.worlds.map((world, wi) => {
    const b = Math.max(1, world.bucketUs);
    const first = Math.floor(from / b);
    const last = Math.max(first, Math.ceil(to / b) - 1);
    const merge = Math.max(1, Math.ceil((last - first + 1) / MAX_BINS));
    const binUs = b * merge;
    const start = first * b;
    const n = Math.ceil((last - first + 1) / merge);
    const bins: Bin[] = Array.from({ length: n }, (_, i) => ({ t: start + i * binUs, ok: 0, failed: 0 }));
    for (const tb of world.throughput) {
      const i = Math.floor((tb.t - start) / binUs);
      const bin = bins[i];
      if (bin === undefined) continue;
      bin.ok += tb.ok;
      bin.failed += tb.failed;
    }
    const perSec = 1_000_000 / binUs;
    let okTotal = 0;
    let failedTotal = 0;
    let peakOk = 0;
    let peakFailed = 0;
    for (const bin of bins) {
      okTotal += bin.ok;
      failedTotal += bin.failed;
      bin.ok *= perSec;
      bin.failed *= perSec;
      peakOk = Math.max(peakOk, bin.ok);
      peakFailed = Math.max(peakFailed, bin.failed);
    }
    return { world, style: styles[wi]!, bins, binUs, okTotal, failedTotal, peakOk, peakFailed };
  });
}

const THROUGHPUT_H = 200;
const rate = (v: number) => `${fmtInt(v)}/s`;

/** `ghost`: the run before a fault edit, drawn faint beneath (issue 13) until dismissed. */
function ThroughputChartView(props: { view: LabView; window: { from: number; to: number }; ghost?: LabView | null }) {
  const { view, ghost } = props;
  const { from, to } = normWindow(props.window);
  const [wrapRef, width] = useWidth(480);
  const clipId = `dx-clip-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  const series = useMemo(() => throughputSeries(view, from, to), [view, from, to]);
  const ghostSeries = useMemo(() => (ghost == null ? [] : throughputSeries(ghost, from, to)), [ghost, from, to]);
  const binUs = series[0]?.binUs ?? 0;

  const legendItems: LegendItem[] = [
    ...series.map((s) => ({ key: s.world.label, label: s.world.label, glyph: (x: number, y: number) => <Marker style={s.style} x={x} y={y} size={40} /> })),
    { key: '$ok', label: 'ok', glyph: (x: number, y: number) => <line x1={x - 7} x2={x + 7} y1={y} y2={y} stroke="#1b1b1f" strokeWidth={2} /> },
    { key: '$failed', label: 'failed', glyph: (x: number, y: number) => <line x1={x - 7} x2={x + 7} y1={y} y2={y} stroke="#1b1b1f" strokeWidth={2} strokeDasharray="3 2" /> },
    ...(ghostSeries.length > 0 ? [{ key: '$ghost', label: 'before the fault', glyph: (x: number, y: number) => <line x1={x - 7} x2={x + 7} y1={y} y2={y} stroke="#1b1b1f" strokeOpacity={0.3} strokeWidth={4} /> }] : []),
  ];
  const margin = { left: 54, right: 26, bottom: 28 };
  const legend = layoutLegend(legendItems, width - margin.right, margin.left);
  const top = legend.height + 6;
  const plotW = Math.max(10, width - margin.left - margin.right);
  const plotH = Math.max(10, THROUGHPUT_H - top - margin.bottom);
  const peak = Math.max(1, ...series.map((s) => Math.max(s.peakOk, s.peakFailed)), ...ghostSeries.map((s) => s.peakOk));
  const y = scaleLinear().domain([0, peak]).range([top + plotH, top]).nice();
  const x = scaleLinear().domain([from, to]).range([margin.left, margin.left + plotW]);
  const yTicks = y.ticks(4);
  const path = line<[number, number]>()
    .x((d) => x(d[0]))
    .y((d) => y(d[1]))
    .curve(curveStepAfter);
  const points = (s: ThroughputSeries, key: 'ok' | 'failed'): Array<[number, number]> => {
    const pts = s.bins.map((b): [number, number] => [b.t, b[key]]);
    const lastBin = s.bins[s.bins.length - 1];
    if (lastBin !== undefined) pts.push([lastBin.t + s.binUs, lastBin[key]]);
    return pts;
  };

  const secs = (to - from) / 1_000_000;
  const label =
    `Requests completed per ${fmtDuration(binUs / 1000)} bucket, ${windowText({ from, to })}, as a rate per second. ` +
    (series.length > 0 ? `${series.map((s) => `${s.world.label}: ${fmtInt(s.okTotal)} ok (mean ${rate(s.okTotal / secs)}, peak ${rate(s.peakOk)}), ${fmtInt(s.failedTotal)} failed${s.failedTotal > 0 ? ` (peak ${rate(s.peakFailed)})` : ''}`).join('. ')}.` : 'No world to show.');

  return (
    <figure className="dx-chart" data-testid="throughput-chart">
      <figcaption className="dx-chart-title">
        Throughput <span className="dx-muted">per {fmtDuration(binUs / 1000)} · solid ok, dashed failed</span>
      </figcaption>
      <div ref={wrapRef} className="dx-chart-plot" role="img" aria-label={label} style={{ height: THROUGHPUT_H }}>
        <svg width={width} height={THROUGHPUT_H} aria-hidden="true" focusable="false" className="dx-chart-svg">
          <defs>
            <clipPath id={clipId}>
              <rect x={margin.left} y={top - 2} width={plotW} height={plotH + 4} />
            </clipPath>
          </defs>
          <g className="dx-legend">{legend.nodes}</g>
          <Axes
            x={x}
            y={y}
            yTicks={yTicks}
            yFormat={(t) => (t === 0 ? '0' : peak >= 10_000 ? `${trim(t / 1000, 1)}k/s` : `${fmtInt(t)}/s`)}
            from={from}
            to={to}
            left={margin.left}
            top={top}
            plotW={plotW}
            plotH={plotH}
          />
          <g clipPath={`url(#${clipId})`} fill="none">
            {ghostSeries.map((s) => (
              <path key={`ghost-${s.world.label}`} data-testid={`throughput-ghost-${s.world.label}`} d={path(points(s, 'ok')) ?? ''} stroke={s.style.color} strokeOpacity={0.3} strokeWidth={4} strokeLinejoin="round" />
            ))}
            {series.map((s, si) => {
              const every = Math.max(1, Math.ceil(s.bins.length / 10));
              const offset = Math.floor((si * every) / Math.max(1, series.length));
              return (
                <g key={s.world.label} stroke={s.style.color}>
                  <path d={path(points(s, 'ok')) ?? ''} strokeWidth={1.75} strokeLinejoin="round" />
                  {s.failedTotal > 0 && <path d={path(points(s, 'failed')) ?? ''} strokeWidth={1.75} strokeDasharray="4 3" />}
                  {s.bins.map((b, i) =>
                    (i + offset) % every === 0 ? <Marker key={i} style={s.style} x={x(b.t + s.binUs / 2)} y={y(b.ok)} size={30} /> : null,
                  )}
                </g>
              );
            })}
          </g>
        </svg>
      </div>
      <div className="visually-hidden">
        <table>
          <caption>Requests completed between {windowText({ from, to })}</caption>
          <thead>
            <tr>
              <th scope="col">World</th>
              <th scope="col">Ok</th>
              <th scope="col">Failed</th>
              <th scope="col">Mean ok rate</th>
              <th scope="col">Peak ok rate</th>
              <th scope="col">Peak failure rate</th>
            </tr>
          </thead>
          <tbody>
            {series.map((s) => (
              <tr key={s.world.label}>
                <th scope="row">{s.world.label}</th>
                <td>{fmtInt(s.okTotal)}</td>
                <td>{fmtInt(s.failedTotal)}</td>
                <td>{rate(s.okTotal / secs)}</td>
                <td>{rate(s.peakOk)}</td>
                <td>{rate(s.peakFailed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

/** Memoised: the charts follow the window only once it settles, and must not redraw per frame. */
export const LatencyScatter = memo(LatencyScatterChart);
export const ThroughputChart = memo(ThroughputChartView);
