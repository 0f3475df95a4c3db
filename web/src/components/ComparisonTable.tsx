/**
 * The report of every world side by side: one column per world, one row per metric, the better
 * value of each comparable row marked with a ★ (and the word "better" for screen readers).
 */
import { memo, useId, type ReactNode } from 'react';
import type { WorldMetrics } from '../../../sim/scenario/metrics.js';
import type { LabView, WorldView } from '../../../sim/views/index.js';
import { fmtInt, worldStyles } from './Charts.js';
import { numberFormat } from './charts/format.js';
import { starredWorlds, TRADE_OFFS, type Better } from './stars.js';
import './panels.css';

interface Row {
  key: string;
  label: ReactNode;
  /** Shown after the label, e.g. "ms". */
  unit?: string;
  better: Better;
  /** The number compared (and shown unless `text` is given); null: does not apply to this world. */
  value(m: WorldMetrics, w: WorldView): number | null;
  text?(m: WorldMetrics, w: WorldView): ReactNode;
  /** Right-aligned numbers unless false. */
  numeric?: boolean;
  indent?: boolean;
  /** Counts out of a total (failed of issued): stars only between equal totals. */
  denominator?(m: WorldMetrics): number;
}

interface Section {
  title: string;
  rows: Row[];
}

const dec = (digits: number) => numberFormat('en-US', { min: 0, max: digits });
const ms3 = dec(3);
const pct1 = dec(1);

export function fmtBytes(n: number): string {
  if (n < 1000) return `${fmtInt(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${dec(v >= 100 ? 0 : v >= 10 ? 1 : 2).format(v)} ${units[u]}`;
}

const count = (label: ReactNode, key: string, get: (m: WorldMetrics) => number, better: Better, extra: Partial<Row> = {}): Row => ({ key, label, better, value: (m) => get(m), text: (m) => fmtInt(get(m)), ...extra });

/** A count of requests out of those issued, with its rate beside it. */
const ofIssued = (label: ReactNode, key: string, get: (m: WorldMetrics) => number, better: Better, extra: Partial<Row> = {}): Row =>
  count(label, key, get, better, {
    denominator: (m) => m.requests.issued,
    text: (m) => (
      <>
        {fmtInt(get(m))} <span className="dx-muted dx-rate">{m.requests.issued === 0 ? '' : `${pct1.format((100 * get(m)) / m.requests.issued)} %`}</span>
      </>
    ),
    ...extra,
  });
const latency = (label: string, key: keyof WorldMetrics['latencyMs']): Row => ({
  key: `latencyMs.${key}`,
  label,
  unit: 'ms',
  better: 'lower',
  // No successful request: no latency to compare.
  value: (m) => (m.requests.ok === 0 ? null : m.latencyMs[key]),
  text: (m) => ms3.format(m.latencyMs[key]),
});

function sections(view: LabView): Section[] {
  const kinds = [...new Set(view.worlds.flatMap((w) => Object.keys(w.metrics.requests.errors)))].sort();
  return [
    {
      title: 'Requests',
      rows: [
        count('Issued', 'requests.issued', (m) => m.requests.issued, null),
        ofIssued('Succeeded', 'requests.ok', (m) => m.requests.ok, 'higher', { unit: '% of issued' }),
        ofIssued('Failed', 'requests.failed', (m) => m.requests.failed, 'lower', { unit: '% of issued' }),
        ...kinds.map((k) => ofIssued(<>failed: {k.replace(/_/g, ' ')}</>, `errors.${k}`, (m) => m.requests.errors[k] ?? 0, 'lower', { indent: true })),
        count('Unfinished at the end', 'requests.unfinished', (m) => m.requests.unfinished, null),
        { key: 'throughputPerSec', label: 'Throughput', unit: 'ok/s', better: 'higher', value: (m) => m.throughputPerSec, text: (m) => fmtInt(m.throughputPerSec) },
        { key: 'meanInSystem', label: 'Mean in system', unit: 'requests', better: null, value: (m) => m.meanInSystem, text: (m) => dec(2).format(m.meanInSystem) },
      ],
    },
    {
      title: 'Latency (successful requests)',
      rows: [latency('Mean', 'mean'), latency('p50', 'p50'), latency('p90', 'p90'), latency('p99', 'p99'), latency('Max', 'max')],
    },
    {
      title: 'Connections',
      rows: [
        count('Opened', 'connections.opened', (m) => m.connections.opened, 'lower'),
        count('Connect attempts', 'connections.connectAttempts', (m) => m.connections.connectAttempts, 'lower'),
        count('Open at the end', 'connections.openAtEnd', (m) => m.connections.openAtEnd, null),
        count('Most in flight on one', 'maxInFlightPerConnection', (m) => m.maxInFlightPerConnection, null),
        {
          key: 'poolQueueWaitMs.p99',
          label: 'Pool queue wait p99',
          unit: 'ms',
          better: 'lower',
          // Only pools queue for a connection; elsewhere the row does not apply.
          value: (m, w) => (w.client.kind === 'pool' ? m.poolQueueWaitMs.p99 : null),
          text: (m) => ms3.format(m.poolQueueWaitMs.p99),
        },
      ],
    },
    {
      title: 'Bytes',
      rows: [
        { key: 'bytes.sent', label: 'Sent to Redis', better: null, value: (m) => m.bytes.sent, text: (m) => fmtBytes(m.bytes.sent) },
        { key: 'bytes.received', label: 'Received from Redis', better: null, value: (m) => m.bytes.received, text: (m) => fmtBytes(m.bytes.received) },
        { key: 'bytes.copiedBetweenProcesses', label: 'Copied between processes', better: null, value: (m) => m.bytes.copiedBetweenProcesses, text: (m) => fmtBytes(m.bytes.copiedBetweenProcesses) },
      ],
    },
    {
      title: 'CPU',
      rows: [
        {
          key: 'cpu.busiestProcessBusyPct',
          label: 'Busiest process',
          unit: 'busy %',
          better: null,
          value: (m) => m.cpu.busiestProcessBusyPct,
          text: (m) => (
            <>
              {pct1.format(m.cpu.busiestProcessBusyPct)} % <span className="dx-muted dx-proc">{m.cpu.busiestProcess || '—'}</span>
            </>
          ),
        },
        { key: 'cpu.serverBusyPct', label: 'Redis', unit: 'busy %', better: null, value: (m) => m.cpu.serverBusyPct, text: (m) => `${pct1.format(m.cpu.serverBusyPct)} %` },
        count('Commands run by Redis', 'commandsExecuted', (m) => m.commandsExecuted, null),
      ],
    },
    {
      title: 'What must never happen',
      rows: [
        count('Lost', 'invariants.lost', (m) => m.invariants.lost, 'lower'),
        count('Duplicated replies', 'invariants.duplicatedReplies', (m) => m.invariants.duplicatedReplies, 'lower'),
        count('Misrouted replies', 'invariants.misrouted', (m) => m.invariants.misrouted, 'lower'),
        count('Indeterminate', 'invariants.indeterminate', (m) => m.invariants.indeterminate, 'lower'),
        count('Executed twice', 'invariants.executedTwice', (m) => m.invariants.executedTwice, 'lower'),
        count('Reported as not run, but ran', 'invariants.falselyDeterminate', (m) => m.invariants.falselyDeterminate, 'lower'),
        count('Abandoned', 'invariants.abandoned', (m) => m.invariants.abandoned, 'lower'),
      ],
    },
    {
      title: 'Fingerprint',
      rows: [{ key: 'traceHash', label: 'Trace hash', better: null, numeric: false, value: () => null, text: (_m, w) => <code className="dx-hash">{w.traceHash}</code> }],
    },
  ];
}

/** Memoised: the app re-renders as a run starts (status, scenario, announcements); the table
 * changes only with the view (formatting its figures again was 18 ms of the click, profiled). */
export const ComparisonTable = memo(function ComparisonTable(props: { view: LabView }) {
  const { view } = props;
  const styles = worldStyles(view.worlds);
  const cols = view.worlds.length;
  const s = view.scenario;
  const titleId = `dx-cmp-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  return (
    <section className="dx-panel dx-comparison" aria-labelledby={titleId}>
      <h2 className="dx-panel-title" id={titleId}>
        Comparison
      </h2>
      {TRADE_OFFS[s.name] !== undefined && (
        <p className="dx-tradeoff" data-testid="comparison-tradeoff">
          {TRADE_OFFS[s.name]}
        </p>
      )}
      <div className="dx-table-scroll" role="region" aria-label="Comparison of the worlds (scrolls sideways)" tabIndex={0}>
        <table className="dx-table" data-testid="comparison-table">
          <caption>
            {s.name}, seed {s.seed}, {fmtInt(s.durationMs)} ms: {cols} world{cols === 1 ? '' : 's'} side by side.{' '}
            <span className="dx-muted">
              <span aria-hidden="true">★</span> marks the better value where the comparison is fair (both served requests; counts of the same total).
            </span>
          </caption>
          <thead>
            <tr>
              <th scope="col" className="dx-metric-col">
                Metric
              </th>
              {view.worlds.map((w, i) => (
                <th scope="col" key={w.label} className="dx-world-col">
                  <span className="dx-swatch" style={{ background: styles[i]!.color }} aria-hidden="true" />
                  {w.label}
                  <span className="dx-kind">{w.client.kind}</span>
                </th>
              ))}
            </tr>
          </thead>
          {sections(view).map((sec) => (
            <tbody key={sec.title}>
              <tr className="dx-section">
                <th scope="rowgroup" colSpan={cols + 1}>
                  {sec.title}
                </th>
              </tr>
              {sec.rows.map((row) => {
                const values = view.worlds.map((w) => row.value(w.metrics, w));
                const best = starredWorlds({
                  values,
                  better: row.better,
                  ran: view.worlds.map((w) => w.metrics.requests.ok > 0),
                  denominators: row.denominator === undefined ? undefined : view.worlds.map((w) => row.denominator!(w.metrics)),
                });
                return (
                  <tr key={row.key} data-metric={row.key}>
                    <th scope="row" className={row.indent ? 'dx-indent' : undefined}>
                      {row.label}
                      {row.unit !== undefined && <span className="dx-unit"> {row.unit}</span>}
                    </th>
                    {view.worlds.map((w, i) => {
                      const applies = row.key === 'traceHash' || values[i] !== null;
                      const isBest = best.has(i);
                      return (
                        <td
                          key={w.label}
                          className={`${row.numeric === false ? 'dx-text' : 'dx-num'}${isBest ? ' dx-best' : ''}`}
                          data-testid={`cmp-${row.key}-${w.label}`}
                          data-value={values[i] ?? undefined}
                          data-better={isBest ? 'true' : undefined}
                        >
                          {applies ? (row.text ? row.text(w.metrics, w) : fmtInt(values[i] ?? 0)) : <span aria-hidden="true">—</span>}
                          {!applies && <span className="visually-hidden">does not apply</span>}
                          {isBest && (
                            <>
                              {' '}
                              <span className="dx-star" aria-hidden="true">
                                ★
                              </span>
                              <span className="visually-hidden">(better)</span>
                            </>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          ))}
        </table>
      </div>
      {view.failed.length > 0 && (
        <p className="dx-note">
          Not in the table (their run crashed): {view.failed.map((f) => f.label).join(', ')}.
        </p>
      )}
    </section>
  );
});
