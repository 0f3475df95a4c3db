/**
 * What both charts are drawn in: a figure with its title, a plot sized to its container with the
 * legend in rows across the top, the axes (value ticks and grid on the left, time along the
 * bottom), a clip for the marks, and the figures again as a visually hidden table.
 */
import { useId, useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { scaleLinear } from 'd3-scale';
import { symbolTimes } from 'd3-shape';
import { timeTickFormat } from './format.js';
import { ERROR_COLOR, symbolPath, type WorldStyle } from './style.js';

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

export interface LegendItem {
  key: string;
  label: string;
  glyph: (x: number, y: number) => ReactNode;
}

/** Legend items laid out in rows across the top; returns the nodes and the height used. */
function layoutLegend(items: readonly LegendItem[], width: number, x0: number): { nodes: ReactNode; height: number } {
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

export function Marker({ style, x, y, size }: { style: WorldStyle; x: number; y: number; size: number }) {
  return <path d={symbolPath(style.symbol, size)} transform={`translate(${x},${y})`} fill={style.color} stroke="rgba(0,0,0,0.55)" strokeWidth={0.6} />;
}

export function Cross({ x, y, size }: { x: number; y: number; size: number }) {
  return <path d={symbolPath(symbolTimes, size)} transform={`translate(${x},${y})`} fill="none" stroke={ERROR_COLOR} strokeWidth={1.5} />;
}

/** One legend entry per world, its colour and shape. */
export const worldItems = (series: ReadonlyArray<{ world: { label: string }; style: WorldStyle }>): LegendItem[] =>
  series.map((s) => ({ key: s.world.label, label: s.world.label, glyph: (x: number, y: number) => <Marker style={s.style} x={x} y={y} size={40} /> }));

/** The legend entry of the run before a fault edit, when there is one. */
export const ghostItems = (shown: boolean, label: string): LegendItem[] =>
  shown ? [{ key: '$ghost', label, glyph: (x: number, y: number) => <line x1={x - 7} x2={x + 7} y1={y} y2={y} stroke="#1b1b1f" strokeOpacity={0.3} strokeWidth={4} /> }] : [];

/** A window the charts can draw: at least a µs wide, in order. */
export function normWindow(w: { from: number; to: number }): { from: number; to: number } {
  const from = Math.max(0, Math.min(w.from, w.to));
  const to = Math.max(w.from, w.to);
  return to > from ? { from, to } : { from, to: from + 1 };
}

const MARGIN = { left: 54, right: 26, bottom: 28 };

/** Where a chart of `height` px draws, given its legend and width. */
export interface Plot {
  /** The window, µs. */
  from: number;
  to: number;
  width: number;
  height: number;
  left: number;
  top: number;
  plotW: number;
  plotH: number;
  /** Time (µs) to x. */
  x: (t: number) => number;
  legend: ReactNode;
}

/** A chart's width (measured), its window and legend laid out: where its plot is. */
export function usePlot(window: { from: number; to: number }, height: number, legendItems: readonly LegendItem[]): Plot & { wrapRef: RefObject<HTMLDivElement | null>; clipId: string } {
  const { from, to } = normWindow(window);
  const [wrapRef, width] = useWidth(480);
  const clipId = `dx-clip-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  const legend = layoutLegend(legendItems, width - MARGIN.right, MARGIN.left);
  const top = legend.height + 6;
  const plotW = Math.max(10, width - MARGIN.left - MARGIN.right);
  const plotH = Math.max(10, height - top - MARGIN.bottom);
  const x = scaleLinear().domain([from, to]).range([MARGIN.left, MARGIN.left + plotW]);
  return { from, to, width, height, left: MARGIN.left, top, plotW, plotH, x, legend: legend.nodes, wrapRef, clipId };
}

/** Both charts' scaffolding: value ticks and grid lines on the left, the frame, evenly spaced
 * time ticks along the bottom. */
function Axes({ plot, y, yTicks, yFormat }: { plot: Plot; y: (v: number) => number; yTicks: readonly number[]; yFormat: (v: number) => string }) {
  const { x, from, to, left, top, plotW, plotH } = plot;
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

/** The figures of a chart as a table, for screen readers: a row per world. */
export interface Table {
  caption: ReactNode;
  columns: readonly string[];
  rows: ReadonlyArray<{ head: string; cells: readonly ReactNode[] }>;
}

function SummaryTable({ caption, columns, rows }: Table) {
  return (
    <div className="visually-hidden">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">World</th>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.head}>
              <th scope="row">{r.head}</th>
              {r.cells.map((c, i) => (
                <td key={i}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface ChartProps {
  testId: string;
  title: string;
  subtitle: string;
  /** The plot's name to assistive technology: what it shows, in figures. */
  label: string;
  plot: ReturnType<typeof usePlot>;
  /** The clip of the marks (the plot, or a little more). */
  clip: { x: number; y: number; width: number; height: number };
  y: (v: number) => number;
  yTicks: readonly number[];
  yFormat: (v: number) => string;
  table: Table;
  /** Under the SVG (the scatter's canvas of dots). */
  under?: ReactNode;
  /** How the marks are drawn, as `data-render`. */
  render?: string;
  /** The marks, in SVG, over the axes. */
  children: ReactNode;
}

/** A chart: its title, the plot (legend, axes, marks) as one image, and its table. */
export function Chart(props: ChartProps) {
  const { plot } = props;
  return (
    <figure className="dx-chart" data-testid={props.testId}>
      <figcaption className="dx-chart-title">
        {props.title} <span className="dx-muted">{props.subtitle}</span>
      </figcaption>
      <div ref={plot.wrapRef} className="dx-chart-plot" role="img" aria-label={props.label} style={{ height: plot.height }} data-render={props.render}>
        {props.under}
        <svg width={plot.width} height={plot.height} aria-hidden="true" focusable="false" className="dx-chart-svg">
          <defs>
            <clipPath id={plot.clipId}>
              <rect {...props.clip} />
            </clipPath>
          </defs>
          <g className="dx-legend">{plot.legend}</g>
          <Axes plot={plot} y={props.y} yTicks={props.yTicks} yFormat={props.yFormat} />
          {props.children}
        </svg>
      </div>
      <SummaryTable {...props.table} />
    </figure>
  );
}
