/**
 * The throughput chart: requests completed per bucket of the window (ok solid, failed dashed) as
 * a rate per second, one series per world, and the run before a fault edit faint beneath.
 */
import { memo, useMemo } from 'react';
import { scaleLinear } from 'd3-scale';
import { curveStepAfter, line } from 'd3-shape';
import type { LabView, WorldView } from '../../../../sim/views/index.js';
import { fmtDuration, fmtInt, trim, windowText } from './format.js';
import { Chart, Marker, ghostItems, normWindow, usePlot, worldItems, type LegendItem } from './frame.js';
import { worldStyles, type WorldStyle } from './style.js';
import { edgeOf } from '../../palette.js';

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
  const series = useMemo(() => throughputSeries(view, from, to), [view, from, to]);
  const ghostSeries = useMemo(() => (ghost == null ? [] : throughputSeries(ghost, from, to)), [ghost, from, to]);
  const binUs = series[0]?.binUs ?? 0;

  const legendItems: LegendItem[] = [
    ...worldItems(series),
    { key: '$ok', label: 'ok', glyph: (x: number, y: number) => <line x1={x - 7} x2={x + 7} y1={y} y2={y} stroke="#1b1b1f" strokeWidth={2} /> },
    { key: '$failed', label: 'failed', glyph: (x: number, y: number) => <line x1={x - 7} x2={x + 7} y1={y} y2={y} stroke="#1b1b1f" strokeWidth={2} strokeDasharray="3 2" /> },
    ...ghostItems(ghostSeries.length > 0, 'before the fault'),
  ];
  const plot = usePlot({ from, to }, THROUGHPUT_H, legendItems);
  const { left, top, plotW, plotH, x } = plot;
  const peak = Math.max(1, ...series.map((s) => Math.max(s.peakOk, s.peakFailed)), ...ghostSeries.map((s) => s.peakOk));
  const y = scaleLinear().domain([0, peak]).range([top + plotH, top]).nice();
  const yTicks = y.ticks(4);
  const path = line<[number, number]>()
    .x((d) => x(d[0]))
    .y((d) => y(d[1]))
    .curve(curveStepAfter);
  // A bin can be far wider than a zoomed-in window (50 ms bins, 10 µs in view): its line would run
  // millions of pixels past the clip, and a dashed one is dashed all along (seconds to paint).
  // So the line stops just outside the window, which looks the same.
  const pad = (to - from) / 100;
  const clampT = (t: number) => Math.min(to + pad, Math.max(from - pad, t));
  const points = (s: ThroughputSeries, key: 'ok' | 'failed'): Array<[number, number]> => {
    const pts = s.bins.map((b): [number, number] => [clampT(b.t), b[key]]);
    const lastBin = s.bins[s.bins.length - 1];
    if (lastBin !== undefined) pts.push([clampT(lastBin.t + s.binUs), lastBin[key]]);
    return pts;
  };

  const secs = (to - from) / 1_000_000;
  const label =
    `Requests completed per ${fmtDuration(binUs / 1000)} bucket, ${windowText({ from, to })}, as a rate per second. ` +
    (series.length > 0 ? `${series.map((s) => `${s.world.label}: ${fmtInt(s.okTotal)} ok (mean ${rate(s.okTotal / secs)}, peak ${rate(s.peakOk)}), ${fmtInt(s.failedTotal)} failed${s.failedTotal > 0 ? ` (peak ${rate(s.peakFailed)})` : ''}`).join('. ')}.` : 'No world to show.');

  return (
    <Chart
      testId="throughput-chart"
      title="Throughput"
      subtitle={`per ${fmtDuration(binUs / 1000)} · solid ok, dashed failed`}
      label={label}
      plot={plot}
      clip={{ x: left, y: top - 2, width: plotW, height: plotH + 4 }}
      y={y}
      yTicks={yTicks}
      yFormat={(t) => (t === 0 ? '0' : peak >= 10_000 ? `${trim(t / 1000, 1)}k/s` : `${fmtInt(t)}/s`)}
      table={{
        caption: <>Requests completed between {windowText({ from, to })}</>,
        columns: ['Ok', 'Failed', 'Mean ok rate', 'Peak ok rate', 'Peak failure rate'],
        rows: series.map((s) => ({ head: s.world.label, cells: [fmtInt(s.okTotal), fmtInt(s.failedTotal), rate(s.okTotal / secs), rate(s.peakOk), rate(s.peakFailed)] })),
      }}
    >
      <g clipPath={`url(#${plot.clipId})`} fill="none">
        {ghostSeries.map((s) => (
          <path key={`ghost-${s.world.label}`} data-testid={`throughput-ghost-${s.world.label}`} d={path(points(s, 'ok')) ?? ''} stroke={s.style.color} strokeOpacity={0.3} strokeWidth={4} strokeLinejoin="round" />
        ))}
        {series.map((s, si) => {
          const every = Math.max(1, Math.ceil(s.bins.length / 10));
          const offset = Math.floor((si * every) / Math.max(1, series.length));
          // A colour under 3:1 on the page (orange, sky, yellow) runs on a casing of its dark shade (WCAG 1.4.11).
          const edge = edgeOf(s.style.color);
          const ok = path(points(s, 'ok')) ?? '';
          const failed = s.failedTotal > 0 ? (path(points(s, 'failed')) ?? '') : null;
          return (
            <g key={s.world.label} stroke={s.style.color}>
              {edge !== s.style.color && (
                <g stroke={edge} strokeWidth={3.25} data-testid={`throughput-casing-${s.world.label}`}>
                  <path d={ok} strokeLinejoin="round" />
                  {failed !== null && <path d={failed} strokeDasharray="4 3" />}
                </g>
              )}
              <path d={ok} strokeWidth={1.75} strokeLinejoin="round" />
              {failed !== null && <path d={failed} strokeWidth={1.75} strokeDasharray="4 3" />}
              {s.bins.map((b, i) =>
                (i + offset) % every === 0 ? <Marker key={i} style={s.style} x={x(b.t + s.binUs / 2)} y={y(b.ok)} size={30} /> : null,
              )}
            </g>
          );
        })}
      </g>
    </Chart>
  );
}

/** Memoised: the chart follows the window only once it settles, and must not redraw per frame. */
export const ThroughputChart = memo(ThroughputChartView);
