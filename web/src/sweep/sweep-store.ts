/**
 * The Sweep view's state: which scenario, parameter and values, the run in progress, the last
 * finished report. The URL holds the sweep (`#sweep/<ready sweep>`, or `#sweep/s=<lz-string>` of
 * {scenario, param, values}) so a link replays it; a bad link or bad input is explained and the
 * last good sweep stays on screen.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from 'lz-string';
import { parseScenario, type Scenario, type ScenarioInput } from '../../../sim/scenario/schema.js';
import { formatValues, parseValues, setParam, sweepPreset, sweepPresets, sweepReport, sweepableParams, type PointScenario, type SweepReport } from '../../../sim/sweep/index.js';
import { SweepClient } from './sweep-client.js';

export type SweepMetric = 'throughput' | 'p50' | 'p99' | 'failed' | 'connections' | 'cpu';

export interface SweepSpec {
  input: ScenarioInput;
  param: string;
  /** As typed: numbers and ranges (sim/sweep parseValues). */
  values: string;
}

export interface SweepState {
  open: boolean;
  /** The ready sweep shown, or null: the user's own. */
  preset: string | null;
  /** What the form holds. */
  spec: SweepSpec;
  status: 'idle' | 'running';
  done: number;
  total: number;
  /** The last finished sweep and its points' scenarios (for the bounds and to open a run). */
  result: { report: SweepReport; points: PointScenario[]; preset: string | null; spec: SweepSpec } | null;
  /** Why the last run was refused or failed (the last good result stays). */
  error: string | null;
  metric: SweepMetric;
  announcement: string;
}

export const DEFAULT_SWEEP = 'pool-size';

function presetSpec(name: string): SweepSpec {
  const p = sweepPreset(name) ?? sweepPresets[0]!;
  return { input: structuredClone(p.scenario), param: p.param, values: p.values };
}

export const sweep = createStore<SweepState>(() => ({
  open: false,
  preset: DEFAULT_SWEEP,
  spec: presetSpec(DEFAULT_SWEEP),
  status: 'idle',
  done: 0,
  total: 0,
  result: null,
  error: null,
  metric: 'throughput',
  announcement: '',
}));

export function useSweep<T>(select: (s: SweepState) => T): T {
  return useStore(sweep, select);
}

const client = new SweepClient();
/** Finished sweeps by link, so Back from a point's run shows its sweep again without re-running it. */
const cache = new Map<string, NonNullable<SweepState['result']>>();

// ---- The link ----

export function sweepHash(preset: string | null, spec: SweepSpec): string {
  const p = preset === null ? undefined : sweepPreset(preset);
  if (p !== undefined && p.param === spec.param && p.values === spec.values && JSON.stringify(p.scenario) === JSON.stringify(spec.input)) return `#sweep/${p.name}`;
  return `#sweep/s=${compressToEncodedURIComponent(JSON.stringify({ scenario: spec.input, param: spec.param, values: spec.values }))}`;
}

export type SweepLink = { kind: 'preset'; name: string } | { kind: 'spec'; spec: SweepSpec } | { kind: 'invalid'; reason: string };

export function readSweepHash(hash: string): SweepLink {
  const h = hash.replace(/^#sweep\/?/, '');
  if (h === '') return { kind: 'preset', name: DEFAULT_SWEEP };
  if (!h.startsWith('s=')) {
    const name = decodeURIComponent(h);
    if (sweepPreset(name) !== undefined) return { kind: 'preset', name };
    return { kind: 'invalid', reason: `there is no ready sweep "${name.slice(0, 40)}" (ready sweeps: ${sweepPresets.map((p) => p.name).join(', ')})` };
  }
  const text = decompressFromEncodedURIComponent(h.slice(2));
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (json === null || typeof json !== 'object') return { kind: 'invalid', reason: 'the sweep in the link is damaged' };
  const o = json as { scenario?: unknown; param?: unknown; values?: unknown };
  if (typeof o.param !== 'string' || typeof o.values !== 'string') return { kind: 'invalid', reason: 'the sweep in the link has no parameter or values' };
  const r = parseScenario(o.scenario);
  if (!r.ok) return { kind: 'invalid', reason: `the sweep's scenario is invalid: ${r.errors.slice(0, 3).join('; ')}` };
  return { kind: 'spec', spec: { input: o.scenario as ScenarioInput, param: o.param, values: o.values } };
}

function writeHash(hash: string, push: boolean): void {
  if (typeof window === 'undefined' || window.location.hash === hash) return;
  if (push) window.history.pushState(null, '', hash);
  else window.history.replaceState(null, '', hash);
}

function announce(text: string): void {
  sweep.setState({ announcement: text });
}

// ---- Checking and running ----

/** Every point's scenario, or the first problem (the value list, the path, a value the schema refuses). */
export function planSweep(spec: SweepSpec): { ok: true; points: PointScenario[]; values: number[] } | { ok: false; error: string } {
  const values = parseValues(spec.values);
  if (!values.ok) return { ok: false, error: `Values: ${values.error}.` };
  const points: PointScenario[] = [];
  for (const v of values.value) {
    const r = setParam(spec.input, spec.param, v);
    if (!r.ok) return { ok: false, error: `${r.error}.` };
    points.push(r.value);
  }
  return { ok: true, points, values: values.value };
}

/** The numeric fields of the form's scenario, for the parameter picker. */
export function paramChoices(input: ScenarioInput): string[] {
  const r = parseScenario(input);
  return r.ok ? sweepableParams(r.scenario) : [];
}

/** Runs the form's sweep. Bad input is said and nothing runs; the last result stays until this one is done. */
export async function runSweep(options: { push?: boolean } = {}): Promise<void> {
  const { spec, preset } = sweep.getState();
  const plan = planSweep(spec);
  if (!plan.ok) {
    sweep.setState({ error: plan.error });
    announce(`The sweep was not run: ${plan.error}`);
    return;
  }
  const hash = sweepHash(preset, spec);
  if (sweep.getState().open) writeHash(hash, options.push ?? false);
  const cached = cache.get(hash);
  if (cached !== undefined) {
    client.cancel();
    sweep.setState({ result: cached, status: 'idle', error: null, done: cached.points.length, total: cached.points.length });
    announce(`Sweep of ${spec.param} over ${cached.points.length} values.`);
    return;
  }
  sweep.setState({ status: 'running', done: 0, total: plan.points.length, error: null });
  announce(`Sweeping ${spec.param} over ${plan.points.length} values…`);
  let worlds;
  try {
    worlds = await client.run(
      plan.points.map((p) => p.scenario),
      (done) => sweep.setState({ done }),
    );
  } catch (e) {
    client.cancel();
    const why = e instanceof Error ? e.message : String(e);
    sweep.setState({ status: 'idle', error: `The sweep failed: ${why}.` });
    announce(`The sweep failed: ${why}.`);
    return;
  }
  if (worlds === null) return; // cancelled or superseded
  const report = sweepReport(
    spec.param,
    plan.values.map((value, i) => ({ value, worlds: worlds[i]! })),
  );
  const result = { report, points: plan.points, preset, spec };
  cache.set(hash, result);
  sweep.setState({ result, status: 'idle' });
  const n = report.crossovers.length;
  announce(`Sweep done: ${spec.param} over ${plan.points.length} values, ${n === 0 ? 'no crossover' : `${n} crossover${n > 1 ? 's' : ''}`}.`);
}

export function cancelSweep(): void {
  if (sweep.getState().status !== 'running') return;
  client.cancel();
  sweep.setState({ status: 'idle', done: 0, error: null });
  announce('Sweep cancelled; the last finished sweep is shown.');
}

export function editSpec(patch: Partial<SweepSpec>): void {
  sweep.setState((s) => ({ spec: { ...s.spec, ...patch }, preset: null, error: null }));
}

export function pickSweepPreset(name: string): Promise<void> {
  if (sweepPreset(name) === undefined) return Promise.resolve();
  sweep.setState({ preset: name, spec: presetSpec(name), error: null });
  return runSweep({ push: true });
}

/** A sweep of the lab's scenario: its first pool's size if it has a pool, else the number of callers. */
export function specFor(input: ScenarioInput): SweepSpec {
  const r = parseScenario(input);
  const pool = r.ok ? r.scenario.clients.find((c) => c.kind === 'pool') : undefined;
  if (pool !== undefined) return { input, param: `clients.${pool.label}.size`, values: '1..64*2' };
  return { input, param: 'workload.callers', values: '1..256*4' };
}

/** Opens the view on a sweep (from the header with the lab's scenario, or from a link). */
export function openSweep(options: { spec?: SweepSpec; preset?: string | null; push?: boolean } = {}): Promise<void> {
  const spec = options.spec ?? sweep.getState().spec;
  sweep.setState({ open: true, spec, preset: options.preset === undefined ? sweep.getState().preset : options.preset });
  return runSweep({ push: options.push });
}

/** A ready sweep, from the tour: the tour is left (Back returns to its chapter). */
export function openReadySweep(name: string): Promise<void> {
  return openSweep({ spec: presetSpec(name), preset: name, push: true });
}

/** On load or a link change: `#sweep…` opens the sweep it names (a bad link: said, and the default). */
export function openSweepFromUrl(hash: string): Promise<void> {
  const link = readSweepHash(hash);
  if (link.kind === 'spec') return openSweep({ spec: link.spec, preset: null });
  const bad = link.kind === 'invalid' ? link.reason : null;
  const name = link.kind === 'preset' ? link.name : DEFAULT_SWEEP;
  const p = openSweep({ spec: presetSpec(name), preset: name });
  if (bad !== null) sweep.setState({ error: `This sweep link could not be opened: ${bad}. Showing the ${DEFAULT_SWEEP} sweep instead.` });
  return p;
}

export function closeSweep(): void {
  cancelSweep();
  sweep.setState({ open: false });
}

export function exportName(): string {
  const r = sweep.getState().result;
  const name = r?.preset ?? (r === null ? 'sweep' : (parseScenario(r.spec.input) as { scenario?: Scenario }).scenario?.name ?? 'sweep');
  return `${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}-sweep`;
}

export { formatValues };
