/**
 * The latency chart: each request's latency at the time it ended (log scale, failures as ×), one
 * series per world, and the run before a fault edit as its p50 and p99 over time, faint. SVG; the
 * dots go to a canvas under the SVG axes when there are many of them.
 */
import { memo, useLayoutEffect, useMemo, useRef, type ReactNode } from 'react';
import { scaleLinear, scaleLog } from 'd3-scale';
import { line, symbolTimes } from 'd3-shape';
import type { LabView, WorldView } from '../../../../sim/views/index.js';
import { DotLayer, symbolMasks } from './dots.js';
import { fmtDuration, fmtInt, windowText } from './format.js';
import { Chart, Cross, ghostItems, normWindow, usePlot, worldItems, type LegendItem } from './frame.js';
import { ERROR_COLOR, symbolPath, worldStyles, type WorldStyle } from './style.js';
import { forEachEndedIn, worldIndexOf } from '../timeline/world-index.js';

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
    const ix = worldIndexOf(world);
    // Counted first, so the arrays are the window's size, not the run's (fresh memory is slow).
    let nOk = 0;
    let nFailed = 0;
    forEachEndedIn(ix, from, to, (_end, _start, served) => {
      if (served) nOk += 2;
      else nFailed += 2;
    });
    const ok = new Float64Array(nOk);
    const failed = new Float64Array(nFailed);
    nOk = 0;
    nFailed = 0;
    forEachEndedIn(ix, from, to, (end, start, served) => {
      const lat = Math.max(1, end - start) / 1000;
      if (served) {
        ok[nOk++] = end;
        ok[nOk++] = lat;
      } else {
        failed[nFailed++] = end;
        failed[nFailed++] = lat;
      }
    });
    const sorted = new Float64Array(nOk / 2);
    for (let i = 1, k = 0; i < nOk; i += 2, k++) sorted[k] = ok[i]!;
    sorted.sort();
    return { world, style: styles[wi]!, ok, failed, okCount: nOk / 2, failedCount: nFailed / 2, sorted };
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
    forEachEndedIn(worldIndexOf(world), from, to, (end, start, served) => {
      if (served) bins[Math.min(GHOST_BINS - 1, Math.floor((end - from) / binUs))]!.push(Math.max(1, end - start) / 1000);
    });
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
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const series = useMemo(() => scatterSeries(view, from, to), [view, from, to]);
  const ghosts = useMemo(() => (ghost == null ? [] : latencyGhost(ghost, from, to)), [ghost, from, to]);
  const total = series.reduce((n, s) => n + s.okCount + s.failedCount, 0);
  const useCanvas = total > CANVAS_THRESHOLD;
  const dotSize = total > 2000 ? 16 : 28;

  const legendItems: LegendItem[] = [
    ...worldItems(series),
    { key: '$failed', label: 'failed', glyph: (x: number, y: number) => <Cross x={x} y={y} size={40} /> },
    ...ghostItems(ghosts.length > 0, 'before the fault: p50, p99'),
  ];
  const plot = usePlot({ from, to }, SCATTER_H, legendItems);
  const { width, left, top, plotW, plotH, x } = plot;

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
    const layer = new DotLayer(c.width, c.height, [left * dpr, top * dpr, (left + plotW) * dpr, (top + plotH) * dpr]);
    const xs = scaleLinear().domain([from, to]).range([left * dpr, (left + plotW) * dpr]);
    const ys = scaleLog().domain([yLo, yHi]).range([(top + plotH) * dpr, top * dpr]).clamp(true);
    // Many dots: no outlines (they would turn a dense cloud black), a little transparency.
    for (const s of series) {
      const masks = symbolMasks(s.style.symbol, dotSize, dpr, null);
      if (masks !== null) layer.dots(s.ok, xs, ys, masks, s.style.color, 0.7);
    }
    const cross = symbolMasks(symbolTimes, dotSize + 8, dpr, 1.5);
    if (cross !== null) for (const s of series) layer.dots(s.failed, xs, ys, cross, ERROR_COLOR, 1);
    layer.put(ctx);
  }, [useCanvas, series, width, dotSize, from, to, top, plotW, plotH, yLo, yHi, left]);

  const label = `Latency of each request against the time it ended, ${windowText({ from, to })}, log scale. ${series.length > 0 ? `${series.map(scatterSummary).join('. ')}.` : 'No world to show.'}`;

  const stat = (s: ScatterSeries, v: (s: ScatterSeries) => number) => (s.okCount ? fmtDuration(v(s)) : '—');
  return (
    <Chart
      testId="latency-scatter"
      title="Latency"
      subtitle="by completion time · log scale · × failed"
      label={label}
      plot={plot}
      clip={{ x: left, y: top, width: plotW, height: plotH }}
      y={y}
      yTicks={yTicks}
      yFormat={fmtDuration}
      render={useCanvas ? 'canvas' : 'svg'}
      under={useCanvas && <canvas ref={canvasRef} aria-hidden="true" className="dx-chart-canvas" style={{ width, height: SCATTER_H }} />}
      table={{
        caption: <>Latency of the requests that ended between {windowText({ from, to })}</>,
        columns: ['Ok', 'Failed', 'p50', 'p90', 'p99', 'Max'],
        rows: series.map((s) => ({
          head: s.world.label,
          cells: [fmtInt(s.okCount), fmtInt(s.failedCount), stat(s, (t) => pct(t.sorted, 50)), stat(s, (t) => pct(t.sorted, 90)), stat(s, (t) => pct(t.sorted, 99)), stat(s, (t) => t.sorted[t.sorted.length - 1]!)],
        })),
      }}
    >
      <g clipPath={`url(#${plot.clipId})`} fill="none">
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
        <g clipPath={`url(#${plot.clipId})`}>
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
        <text x={left + plotW / 2} y={top + plotH / 2} textAnchor="middle" className="dx-empty">
          No request ended in this window
        </text>
      )}
    </Chart>
  );
}

/** Memoised: the chart follows the window only once it settles, and must not redraw per frame. */
export const LatencyScatter = memo(LatencyScatterChart);
