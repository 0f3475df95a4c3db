import { describe, expect, it } from 'vitest';
import { loadPreset, parseScenario, runScenario, type ScenarioResult } from '../../sim/scenario/index.js';
import { exportFilename, perfettoJson, reportJson, safeFilename, traceJson } from '../../web/src/export.js';

function shortRun(): ScenarioResult {
  const base = loadPreset('l6-resiliency')!;
  const parsed = parseScenario({ ...base, durationMs: 60, drainMs: 20, workload: { ...base.workload, callers: 5 }, faults: [{ atMs: 30, kind: 'drop_connections' }] });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return runScenario(parsed.scenario);
}

const result = shortRun();

describe('web export helpers', () => {
  it('reportJson_is_the_cli_report_as_valid_json', () => {
    const text = reportJson(result);
    const doc = JSON.parse(text);
    expect(doc.scenario).toBe(result.scenario.name);
    expect(doc.seed).toBe(result.scenario.seed);
    expect(doc.worlds.map((w: { label: string }) => w.label)).toEqual(['pool', 'multiplex']);
    for (const [i, w] of doc.worlds.entries()) {
      const r = result.worlds[i]!;
      expect(w.client).toBe(r.client.kind);
      expect(w.traceHash).toBe(r.traceHash);
      expect(w.requests.issued).toBe(r.metrics.requests.issued);
      expect(w.requests.ok + w.requests.failed).toBeLessThanOrEqual(w.requests.issued);
      expect(Object.keys(w.latencyMs).sort()).toEqual(['max', 'mean', 'p50', 'p90', 'p99']);
      expect(w.invariants.lost).toBe(0);
      expect(w.options).not.toHaveProperty('label');
    }
    expect(text.endsWith('\n')).toBe(true);
  });

  it('traceJson_has_every_event_of_every_world_in_time_order_one_per_line', () => {
    const text = traceJson(result);
    const doc = JSON.parse(text) as { worlds: Array<{ label: string; events: Array<{ t: number; kind: string }> }> };
    expect(doc.worlds.map((w) => w.label)).toEqual(result.worlds.map((w) => w.label));
    doc.worlds.forEach((w, i) => {
      expect(w.events.length).toBe(result.worlds[i]!.trace.length);
      for (let k = 1; k < w.events.length; k++) expect(w.events[k]!.t).toBeGreaterThanOrEqual(w.events[k - 1]!.t);
      expect(w.events.every((e) => typeof e.kind === 'string' && Number.isInteger(e.t))).toBe(true);
    });
    // One event per line: the line count grows with the events.
    const events = doc.worlds.reduce((n, w) => n + w.events.length, 0);
    expect(text.split('\n').length).toBeGreaterThan(events);
    expect(JSON.stringify(JSON.parse(text))).toBe(JSON.stringify({ worlds: result.worlds.map((w) => ({ label: w.label, events: w.trace.toArray() })) }));
  });

  it('traceJson_of_a_world_without_events_is_still_valid', () => {
    const empty = { ...result, worlds: result.worlds.map((w) => ({ ...w, trace: { toArray: () => [] } as unknown as typeof w.trace })) };
    expect(JSON.parse(traceJson(empty))).toEqual({ worlds: [{ label: 'pool', events: [] }, { label: 'multiplex', events: [] }] });
  });

  it('perfettoJson_is_a_chrome_trace_with_request_slices_and_faults', () => {
    const doc = JSON.parse(perfettoJson(result)) as { traceEvents: Array<{ ph: string; pid: number; name: string; cat?: string; ts?: number }>; displayTimeUnit: string };
    expect(doc.displayTimeUnit).toBe('ms');
    expect(doc.traceEvents.length).toBeGreaterThan(10);
    const names = doc.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name');
    expect(names.map((e) => e.pid)).toEqual([1, 2]);
    const begins = doc.traceEvents.filter((e) => e.ph === 'b').length;
    const ends = doc.traceEvents.filter((e) => e.ph === 'e').length;
    expect(begins).toBeGreaterThan(0);
    expect(ends).toBe(begins);
    expect(doc.traceEvents.some((e) => e.cat === 'fault')).toBe(true);
    expect(doc.traceEvents.every((e) => e.ph === 'M' || typeof e.ts === 'number')).toBe(true);
  });

  it('exports_are_deterministic', () => {
    const again = shortRun();
    expect(reportJson(again)).toBe(reportJson(result));
    expect(traceJson(again)).toBe(traceJson(result));
    expect(perfettoJson(again)).toBe(perfettoJson(result));
  });

  it('file_names_are_safe_and_named_after_the_scenario', () => {
    expect(exportFilename('l4-multiplex', 'report')).toBe('l4-multiplex-report.json');
    expect(exportFilename('l4-multiplex', 'trace')).toBe('l4-multiplex-trace.json');
    expect(exportFilename('l4-multiplex', 'perfetto')).toBe('l4-multiplex-perfetto.json');
    expect(exportFilename('l4-multiplex', 'svg')).toBe('l4-multiplex-view.svg');
    expect(exportFilename('l4-multiplex', 'png')).toBe('l4-multiplex-view.png');
    expect(safeFilename('Drop at ½ s / café: "v2"')).toBe('Drop-at-1-2-s-cafe-v2');
    expect(safeFilename('../../etc/passwd')).toBe('etc-passwd');
    expect(safeFilename('')).toBe('duplex');
    expect(safeFilename('***')).toBe('duplex');
    expect(safeFilename('x'.repeat(200)).length).toBe(80);
  });
});
