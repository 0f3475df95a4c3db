/**
 * The Sweep view: one parameter of a scenario against a list of values, every world at each
 * value; a chart of the chosen metric per world (the theoretical bound dashed, where two worlds
 * change places marked), and the same figures as a table. A point opens its run in the lab.
 */
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3-scale';
import { line, symbol } from 'd3-shape';
import type { JsonWorld } from '../../../sim/scenario/export.js';
import { describeCrossover, sweepCsv, sweepPreset, sweepPresets, throughputBound, type Crossover } from '../../../sim/sweep/index.js';
import { worldStyles } from '../components/Charts.js';
import { downloadText } from '../export.js';
import { applyScenario, lab } from '../store.js';
import { cancelSweep, closeSweep, editSpec, exportName, paramChoices, pickSweepPreset, runSweep, sweep, useSweep, type SweepMetric, type SweepState } from './sweep-store.js';
import './sweep.css';

type Result = NonNullable<SweepState['result']>;

export const METRIC_INFO: Record<SweepMetric, { label: string; unit: string; get(w: JsonWorld): number; log: boolean; crossover?: Crossover['metric'] }> = {
  throughput: { label: 'Throughput', unit: 'requests/s', get: (w) => w.throughputPerSec, log: true, crossover: 'throughputPerSec' },
  p50: { label: 'Latency p50', unit: 'ms', get: (w) => w.latencyMs.p50, log: true },
  p99: { label: 'Latency p99', unit: 'ms', get: (w) => w.latencyMs.p99, log: true, crossover: 'latencyMs.p99' },
  failed: { label: 'Failed requests', unit: 'requests', get: (w) => w.requests.failed, log: false },
  connections: { label: 'Connections opened', unit: 'connections', get: (w) => w.connections.opened, log: false },
  cpu: { label: 'Busiest process CPU', unit: '% busy', get: (w) => w.cpu.busiestProcessBusyPct, log: false },
};

const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1000 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toPrecision(3));

function si(t: number): string {
  const trim = (x: number) => String(Number(x.toPrecision(3)));
  const a = Math.abs(t);
  return a >= 1e6 ? `${trim(t / 1e6)}M` : a >= 1e3 ? `${trim(t / 1e3)}k` : trim(t);
}

/** Log where the values span a wide range and are all above zero (sizes, rates); linear otherwise. */
function scaleFor(values: number[], range: [number, number], logFits: boolean): ScaleContinuousNumeric<number, number> {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (logFits && lo > 0 && hi / lo >= 20) return scaleLog().domain([lo / 1.15, hi * 1.15]).range(range);
  const pad = hi === lo ? Math.max(1, Math.abs(hi) * 0.1) : (hi - lo) * 0.05;
  return scaleLinear()
    .domain([Math.min(0, lo) === 0 && lo >= 0 && !logFits ? 0 : lo - pad, hi + pad])
    .range(range)
    .nice();
}

function useWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [w, setW] = useState(640);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const update = () => setW(Math.max(280, Math.floor(el.clientWidth)));
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}

/** Opens a point's run in the lab: that value's scenario, simulated and drawn, the link pushed (Back returns here). */
function openPoint(result: Result, index: number): void {
  const p = result.points[index];
  if (p === undefined) return;
  closeSweep();
  lab.setState({ tour: null });
  void applyScenario(p.input, { preset: null, pushHistory: true });
}

export function SweepChart({ result, metric }: { result: Result; metric: SweepMetric }) {
  const wrap = useRef<HTMLDivElement>(null);
  const width = useWidth(wrap);
  const height = 320;
  const m = { l: 64, r: 16, t: 24, b: 48 };
  const info = METRIC_INFO[metric];
  const { report, points } = result;
  const worlds = report.points[0]?.worlds ?? [];
  const styles = useMemo(() => worldStyles(worlds.map((w) => ({ client: { kind: w.client } }))), [worlds]);
  const bounds = useMemo(
    () =>
      metric !== 'throughput'
        ? []
        : worlds.map((w) =>
            points.map((p) => {
              const spec = p.scenario.clients.find((c) => c.label === w.label);
              return spec === undefined ? null : throughputBound(p.scenario, spec);
            }),
          ),
    [metric, worlds, points],
  );
  const xs = report.values;
  const x = scaleFor(xs, [m.l, width - m.r], true);
  const ys = report.points.flatMap((p) => p.worlds.map(info.get));
  // The bounds join the y domain only where they are within reach: a far-off one is drawn to the edge.
  const dataMax = Math.max(...ys, 0);
  const boundYs = bounds.flatMap((b) => b.filter((v) => v !== null && v.perSec <= dataMax * 3).map((v) => v!.perSec));
  const y = scaleFor([...ys, ...boundYs], [height - m.b, m.t], info.log);
  const clampY = (v: number) => Math.max(m.t, Math.min(height - m.b, y(v)));
  const xTicks = x.ticks(width < 500 ? 4 : 8);
  const xFormat = x.tickFormat(width < 500 ? 4 : 8, '~s');
  const yTicks = y.ticks(5);
  // Each tick on its own ("0", "5k", "1.5M"): d3's shared SI prefix writes 0 as "0k".
  // d3's formatter still says which of a log scale's ticks get a label ('' for the others).
  const yShown = y.tickFormat(5);
  const yFormat = (t: number) => (yShown(t) === '' ? '' : si(t));
  const crossings = info.crossover === undefined ? [] : report.crossovers.filter((c) => c.metric === info.crossover);
  const path = line<[number, number]>()
    .x((d) => d[0])
    .y((d) => d[1]);
  const summary = `${info.label} (${info.unit}) against ${report.param}, ${xs.length} values, for ${worlds.map((w) => w.label).join(' and ')}${crossings.length > 0 ? `; ${crossings.length} crossover${crossings.length > 1 ? 's' : ''} marked` : ''}. Each point is a button that opens its run.`;
  return (
    <div ref={wrap} className="sweep-chart-wrap">
      <svg data-testid="sweep-chart" data-metric={metric} width={width} height={height} role="group" aria-label={summary} className="sweep-chart">
        {/* grid and axes */}
        {yTicks.map((t) => (
          <g key={`y${t}`} transform={`translate(0,${y(t)})`} aria-hidden="true">
            <line x1={m.l} x2={width - m.r} className="grid" />
            <text x={m.l - 6} dy="0.32em" textAnchor="end" className="tick">
              {yFormat(t)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <g key={`x${t}`} transform={`translate(${x(t)},0)`} aria-hidden="true">
            <line y1={height - m.b} y2={height - m.b + 5} className="axis" />
            <text y={height - m.b + 18} textAnchor="middle" className="tick">
              {xFormat(t)}
            </text>
          </g>
        ))}
        <line x1={m.l} x2={width - m.r} y1={height - m.b} y2={height - m.b} className="axis" aria-hidden="true" />
        <line x1={m.l} x2={m.l} y1={m.t} y2={height - m.b} className="axis" aria-hidden="true" />
        <text x={(m.l + width - m.r) / 2} y={height - 8} textAnchor="middle" className="axis-label" aria-hidden="true">
          {report.param}
        </text>
        <text transform={`translate(14,${(m.t + height - m.b) / 2}) rotate(-90)`} textAnchor="middle" className="axis-label" aria-hidden="true">
          {info.label} ({info.unit})
        </text>
        {/* where two worlds change places */}
        {crossings.map((c, k) => {
          const x0 = x(c.between[0]);
          const x1 = x(c.between[1]);
          const words = describeCrossover(c, report.points, report.param);
          return (
            <g key={`c${k}`} data-testid="sweep-crossover" data-worlds={c.worlds.join(',')} data-between={c.between.join(',')} className="crossover" role="img" aria-label={`Crossover, ${words}`}>
              <rect x={Math.min(x0, x1)} width={Math.max(2, Math.abs(x1 - x0))} y={m.t} height={height - m.b - m.t} />
              <text x={(x0 + x1) / 2} y={m.t - 8 + (k % 2) * 0} textAnchor="middle" className="crossover-label" aria-hidden="true">
                {c.worlds.join(' ⇄ ')}
              </text>
            </g>
          );
        })}
        {/* the bounds, dashed */}
        {bounds.map((b, wi) => {
          const pts = b.flatMap((v, i) => (v === null ? [] : [[x(xs[i]!), clampY(v.perSec)] as [number, number]]));
          if (pts.length === 0) return null;
          const laws = [...new Set(b.filter((v) => v !== null).map((v) => v!.law))].join(', then ');
          return (
            <path key={`b${wi}`} data-testid="sweep-bound" data-world={worlds[wi]!.label} d={path(pts) ?? ''} className="bound" stroke={styles[wi]!.color} aria-hidden="true">
              <title>{`${worlds[wi]!.label}: theoretical bound (${laws})`}</title>
            </path>
          );
        })}
        {/* a line and a mark per world */}
        {worlds.map((w, wi) => {
          const pts = report.points.map((p) => [x(p.value), clampY(info.get(p.worlds[wi]!))] as [number, number]);
          return <path key={`l${w.label}`} d={path(pts) ?? ''} className="series" stroke={styles[wi]!.color} aria-hidden="true" />;
        })}
        {worlds.map((w, wi) =>
          report.points.map((p, pi) => {
            const v = info.get(p.worlds[wi]!);
            const label = `${w.label} at ${report.param} = ${p.value}: ${fmt(v)} ${info.unit}. Open this run in the lab.`;
            return (
              <path
                key={`${w.label}-${pi}`}
                data-testid="sweep-point"
                data-world={w.label}
                data-value={p.value}
                data-trace-hash={p.worlds[wi]!.traceHash}
                data-point={`${w.label}@${p.value}`}
                className="point mark"
                transform={`translate(${x(p.value)},${clampY(v)})`}
                d={symbol(styles[wi]!.symbol, 70)() ?? ''}
                fill={styles[wi]!.color}
                role="button"
                tabIndex={0}
                aria-label={label}
                onClick={() => openPoint(result, pi)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    openPoint(result, pi);
                  }
                }}
              >
                <title>{label}</title>
              </path>
            );
          }),
        )}
      </svg>
      <ul className="sweep-legend" aria-label="Legend">
        {worlds.map((w, wi) => (
          <li key={w.label}>
            <svg width="16" height="16" aria-hidden="true">
              <path transform="translate(8,8)" d={symbol(styles[wi]!.symbol, 70)() ?? ''} fill={styles[wi]!.color} />
            </svg>
            {w.label} ({w.client})
          </li>
        ))}
        {bounds.some((b) => b.some((v) => v !== null)) && (
          <li>
            <svg width="24" height="16" aria-hidden="true">
              <line x1="0" x2="24" y1="8" y2="8" className="bound" stroke="#4a4a52" />
            </svg>
            theoretical bound: c/D (a pool), N/(D+Z) (closed workload), 1/S (the server)
          </li>
        )}
        {crossings.length > 0 && (
          <li>
            <svg width="16" height="16" aria-hidden="true">
              <rect x="4" y="0" width="8" height="16" className="crossover-swatch" />
            </svg>
            crossover: two worlds change places between these values
          </li>
        )}
      </ul>
    </div>
  );
}

function SweepTable({ result }: { result: Result }) {
  const { report } = result;
  const worlds = report.points[0]?.worlds ?? [];
  return (
    <div className="sweep-table-wrap" role="region" aria-label="The sweep's figures" tabIndex={0}>
      <table className="sweep-table" data-testid="sweep-table">
        <thead>
          <tr>
            <th scope="col">{report.param}</th>
            {worlds.map((w) => (
              <th key={w.label} scope="col" colSpan={5}>
                {w.label}
              </th>
            ))}
          </tr>
          <tr>
            <td />
            {worlds.map((w) => ['req/s', 'p50 ms', 'p99 ms', 'failed', 'busiest CPU %'].map((h) => <th key={`${w.label}${h}`} scope="col">{h}</th>))}
          </tr>
        </thead>
        <tbody>
          {report.points.map((p) => (
            <tr key={p.value}>
              <th scope="row">{p.value}</th>
              {p.worlds.map((w) => [fmt(w.throughputPerSec), fmt(w.latencyMs.p50), fmt(w.latencyMs.p99), String(w.requests.failed), fmt(w.cpu.busiestProcessBusyPct)].map((c, k) => <td key={`${w.label}${k}`}>{c}</td>))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function download(kind: 'csv' | 'json'): void {
  const r = sweep.getState().result;
  if (r === null) return;
  const name = `${exportName()}.${kind}`;
  if (kind === 'csv') downloadText(name, sweepCsv(r.report), 'text/csv');
  else downloadText(name, `${JSON.stringify(r.report, null, 2)}\n`, 'application/json');
  sweep.setState({ announcement: `Exported ${name}.` });
}

export function SweepView() {
  const id = useId().replace(/[^A-Za-z0-9_-]/g, '');
  const spec = useSweep((s) => s.spec);
  const preset = useSweep((s) => s.preset);
  const status = useSweep((s) => s.status);
  const done = useSweep((s) => s.done);
  const total = useSweep((s) => s.total);
  const result = useSweep((s) => s.result);
  const error = useSweep((s) => s.error);
  const metric = useSweep((s) => s.metric);
  const choices = useMemo(() => {
    const c = paramChoices(spec.input);
    return c.includes(spec.param) ? c : [spec.param, ...c];
  }, [spec.input, spec.param]);
  const ready = preset === null ? undefined : sweepPreset(preset);
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const a = document.activeElement;
    if (a === null || a === document.body) title.current?.focus();
  }, []);
  const running = status === 'running';
  const words = result === null ? [] : result.report.crossovers.map((c) => describeCrossover(c, result.report.points, result.report.param));
  return (
    <section className="sweep" aria-labelledby={`${id}-title`} data-testid="sweep-view" data-status={status}>
      <div className="sweep-head">
        <h2 id={`${id}-title`} ref={title} tabIndex={-1}>
          Sweep: one parameter against its values
        </h2>
      </div>
      <form
        className="sweep-form"
        onSubmit={(e) => {
          e.preventDefault();
          void runSweep({ push: true });
        }}
      >
        <label>
          <span>Ready sweep</span>
          <select data-testid="sweep-preset" value={preset ?? ''} onChange={(e) => (e.target.value === '' ? undefined : void pickSweepPreset(e.target.value))} disabled={running}>
            <option value="">Your own ({spec.input.name ?? 'this scenario'})</option>
            {sweepPresets.map((p) => (
              <option key={p.name} value={p.name}>
                {p.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Parameter</span>
          <select data-testid="sweep-param" value={spec.param} onChange={(e) => editSpec({ param: e.target.value })} disabled={running}>
            {choices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Values</span>
          <input data-testid="sweep-values" value={spec.values} onChange={(e) => editSpec({ values: e.target.value })} aria-describedby={`${id}-hint`} disabled={running} spellCheck={false} />
        </label>
        <button type="submit" data-testid="sweep-run" disabled={running}>
          Run sweep
        </button>
        {running && (
          <span className="sweep-progress" data-testid="sweep-progress">
            <progress max={total} value={done} aria-label="Sweep progress" /> {done} of {total} points{' '}
            <button type="button" data-testid="sweep-cancel" onClick={() => cancelSweep()}>
              Cancel
            </button>
          </span>
        )}
        <p id={`${id}-hint`} className="hint">
          Numbers separated by commas, or ranges: <code>1..64*2</code> doubles (1, 2, 4 … 64), <code>0..10+2</code> steps by 2. Each value runs every world of the scenario, one worker per value up to your cores.
        </p>
      </form>
      {ready !== undefined && (
        <p className="sweep-about" data-testid="sweep-description">
          <strong>{ready.title}.</strong> {ready.description}
        </p>
      )}
      {error !== null && (
        <p role="alert" className="crash" data-testid="sweep-error">
          {error}
        </p>
      )}
      {result === null ? (
        <p className="placeholder">{running ? 'Sweeping…' : 'No sweep has run yet.'}</p>
      ) : (
        <>
          <fieldset className="sweep-metric">
            <legend>Plot</legend>
            {(Object.keys(METRIC_INFO) as SweepMetric[]).map((k) => (
              <label key={k}>
                <input type="radio" name={`${id}-metric`} value={k} checked={metric === k} onChange={() => sweep.setState({ metric: k })} data-testid={`sweep-metric-${k}`} /> {METRIC_INFO[k].label}
              </label>
            ))}
          </fieldset>
          <SweepChart result={result} metric={metric} />
          <div className="sweep-crossovers" data-testid="sweep-crossovers">
            <h3>Crossovers</h3>
            {words.length === 0 ? (
              <p>No two worlds change places between two consecutive values (by throughput or by p99 latency).</p>
            ) : (
              <ul>
                {words.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            )}
          </div>
          <div className="sweep-actions">
            <button type="button" data-testid="sweep-export-csv" onClick={() => download('csv')} disabled={running}>
              Export CSV
            </button>
            <button type="button" data-testid="sweep-export-json" onClick={() => download('json')} disabled={running}>
              Export JSON
            </button>
            <span className="hint">A point opens its run in the lab; Back returns here.</span>
          </div>
          <SweepTable result={result} />
        </>
      )}
    </section>
  );
}
