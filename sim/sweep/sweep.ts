/**
 * A sweep: one scenario run again for each value of one of its numeric fields, every world each
 * time, and where two worlds change places. Pure: the CLI (worker threads) and the page (Web
 * Workers) both run points (run-point.ts) and assemble the same report with this module, which
 * leaves the simulator itself out: the page imports it without the simulator's code.
 */
import type { JsonWorld } from '../scenario/export.js';
import { parseScenario, type Scenario, type ScenarioInput } from '../scenario/schema.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** Enough to show a curve, few enough to stay a sweep (each point runs every world). */
export const MAX_POINTS = 100;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Binary floating point drifts on repeated steps (0.1 + 0.2): keep 12 significant digits. */
const tidy = (x: number) => Number(x.toPrecision(12));

/**
 * The values of a sweep, from text: numbers separated by commas, and ranges `a..b*k` (a, a·k,
 * a·k², … up to b: `1..64*2` is 1, 2, 4, …, 64) and `a..b+k` (a, a+k, … up to b: `0..10+2`).
 * `a..b` alone steps by 1. Order is kept; a value listed twice is an error.
 */
export function parseValues(text: string): Outcome<number[]> {
  const out: number[] = [];
  const items = text.split(',').map((s) => s.trim());
  if (text.trim() === '') return { ok: false, error: 'expected a list of values, got nothing' };
  for (const item of items) {
    if (item === '') return { ok: false, error: `expected a number or a range between the commas of "${text}"` };
    const range = /^(.+?)\.\.(.+?)(?:([*+])(.+))?$/.exec(item);
    if (range === null) {
      if (!NUMBER.test(item)) return { ok: false, error: `"${item}" is not a number (expected a number such as 4 or 0.5, or a range such as 1..64*2 or 0..10+2)` };
      out.push(Number(item));
    } else {
      const [, a, b, op = '+', k = '1'] = range;
      for (const [part, what] of [
        [a!, 'start'],
        [b!, 'end'],
        [k, 'step'],
      ] as const) {
        if (!NUMBER.test(part.trim())) return { ok: false, error: `in the range "${item}", the ${what} "${part.trim()}" is not a number` };
      }
      const from = Number(a);
      const to = Number(b);
      const step = Number(k);
      if (to < from) return { ok: false, error: `in the range "${item}", the end ${to} is below the start ${from}` };
      if (op === '*') {
        if (!(step > 1)) return { ok: false, error: `in the range "${item}", the factor must be above 1, got ${step}` };
        if (!(from > 0)) return { ok: false, error: `in the range "${item}", a multiplying range must start above 0, got ${from}` };
      } else if (!(step > 0)) return { ok: false, error: `in the range "${item}", the step must be above 0, got ${step}` };
      for (let i = 0; ; i++) {
        const v = tidy(op === '*' ? from * step ** i : from + step * i);
        if (v > to * (1 + 1e-12)) break;
        out.push(v);
        if (out.length > MAX_POINTS) break;
      }
    }
    if (out.length > MAX_POINTS) return { ok: false, error: `expected at most ${MAX_POINTS} values, "${text}" gives more` };
  }
  const seen = new Set<number>();
  for (const v of out) {
    if (seen.has(v)) return { ok: false, error: `the value ${v} is listed twice` };
    seen.add(v);
  }
  return { ok: true, value: out };
}

/** Formats values back in the shortest of the two forms (a range if they make one). */
export function formatValues(values: readonly number[]): string {
  if (values.length >= 3) {
    const [a, b] = [values[0]!, values[1]!];
    const last = values[values.length - 1]!;
    const ratio = b / a;
    if (a > 0 && ratio > 1 && values.every((v, i) => Math.abs(v - tidy(a * ratio ** i)) <= Math.abs(v) * 1e-9)) return `${a}..${last}*${tidy(ratio)}`;
    const step = tidy(b - a);
    if (step > 0 && values.every((v, i) => Math.abs(v - tidy(a + step * i)) <= 1e-9 * Math.max(1, Math.abs(v)))) return `${a}..${last}+${step}`;
  }
  return values.join(',');
}

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/**
 * Where a parameter path lands in a scenario: `network.latencyMs`, `workload.callers`, or a
 * client's field by its label, `clients.<label>.<field>`. Returns the object path (a client by
 * its index) or what is wrong with the path.
 */
export function resolvePath(scenario: { clients?: unknown }, path: string): Outcome<Array<string | number>> {
  const parts = path.split('.');
  if (path.trim() === '' || parts.some((p) => p === '')) return { ok: false, error: `"${path}" is not a parameter path (expected a dotted path such as workload.callers or clients.<label>.size)` };
  if (parts[0] !== 'clients') return { ok: true, value: parts };
  const clients = Array.isArray(scenario.clients) ? (scenario.clients as unknown[]) : [];
  const labels = clients.map((c) => (isObject(c) ? String(c.label) : '?'));
  if (parts.length < 3) return { ok: false, error: `"${path}" names no client field (expected clients.<label>.<field>, labels: ${labels.join(', ')})` };
  const i = labels.indexOf(parts[1]!);
  if (i < 0) return { ok: false, error: `unknown client label "${parts[1]}" in "${path}"; the scenario's clients are ${labels.map((l) => `"${l}"`).join(', ')}` };
  if (parts[2] === 'label' || parts[2] === 'kind') return { ok: false, error: `"${path}" is not a numeric field (a client's ${parts[2]} is text)` };
  return { ok: true, value: ['clients', i, ...parts.slice(2)] };
}

const get = (root: unknown, at: ReadonlyArray<string | number>): unknown => at.reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Json)[k as string] : undefined), root);

/** A point of a sweep: the scenario as written (for a link) and as parsed (to run). */
export interface PointScenario {
  input: ScenarioInput;
  scenario: Scenario;
}

/**
 * The scenario with the parameter at `path` set to `value`, validated by the scenario's own
 * schema: an unknown field, a field that is not a number, a value out of its bounds (or one that
 * breaks a rule between fields) each give a message that names it.
 */
export function setParam(input: ScenarioInput | Scenario, path: string, value: number): Outcome<PointScenario> {
  if (!Number.isFinite(value)) return { ok: false, error: `${path}: expected a finite number, got ${value}` };
  const at = resolvePath(input, path);
  if (!at.ok) return at;
  const base = parseScenario(input);
  if (!base.ok) return { ok: false, error: `the scenario is invalid before ${path} is set: ${base.errors.join('; ')}` };
  // What the field holds now, defaults included: it must be a number (or unset, or null).
  const current = get(base.scenario, at.value);
  if (current !== undefined && current !== null && typeof current !== 'number') return { ok: false, error: `${path} is not a numeric field (it holds ${JSON.stringify(current).slice(0, 40)})` };
  const parentDefaults = get(base.scenario, at.value.slice(0, -1));
  const next = clone(input) as Json;
  let o: Json = next;
  for (let k = 0; k < at.value.length - 1; k++) {
    const key = at.value[k]!;
    let child = o[key as string];
    if (child === undefined) {
      // A section the input leaves to its defaults (network, workload…): write it out.
      const defaults = get(base.scenario, at.value.slice(0, k + 1));
      child = isObject(defaults) ? {} : undefined;
      if (child === undefined) return { ok: false, error: unknownField(path, at.value.slice(0, k + 1), base.scenario) };
      o[key as string] = child;
    }
    if (!isObject(child) && !Array.isArray(child)) return { ok: false, error: unknownField(path, at.value.slice(0, k + 1), base.scenario) };
    o = child as Json;
  }
  if (!isObject(parentDefaults)) return { ok: false, error: unknownField(path, at.value.slice(0, -1), base.scenario) };
  o[at.value[at.value.length - 1] as string] = value;
  const r = parseScenario(next);
  if (!r.ok) {
    if (r.errors.some((e) => /unknown field/.test(e))) return { ok: false, error: unknownField(path, at.value.slice(0, -1), base.scenario) };
    return { ok: false, error: `${path} = ${value} fails the scenario's schema: ${r.errors.join('; ')}` };
  }
  return { ok: true, value: { input: next as ScenarioInput, scenario: r.scenario } };
}

/** "unknown parameter …", with the numeric fields that are there to choose from. */
function unknownField(path: string, parentAt: ReadonlyArray<string | number>, scenario: Scenario): string {
  const parent = get(scenario, parentAt);
  const where = parentAt.length === 0 ? 'the scenario' : parentAt[0] === 'clients' ? `client "${String(get(scenario, [...parentAt.slice(0, 2), 'label']))}"${parentAt.length > 2 ? `.${parentAt.slice(2).join('.')}` : ''}` : parentAt.join('.');
  const fields = isObject(parent) ? Object.keys(parent).filter((k) => typeof parent[k] === 'number' || parent[k] === null) : [];
  return `unknown parameter "${path}": ${where} has no such numeric field${fields.length > 0 ? ` (numeric fields there: ${fields.join(', ')})` : ''}`;
}

/** The numeric fields a scenario can sweep, as paths (the page's parameter picker). */
export function sweepableParams(scenario: Scenario): string[] {
  const out: string[] = [];
  for (const section of ['workload', 'network', 'server', 'runtime'] as const) {
    for (const [k, v] of Object.entries(scenario[section])) if (typeof v === 'number' || (section === 'network' && k === 'bandwidthMbps')) out.push(`${section}.${k}`);
  }
  out.push('durationMs');
  for (const c of scenario.clients) for (const [k, v] of Object.entries(c)) if (typeof v === 'number') out.push(`clients.${c.label}.${k}`);
  return out;
}

// ---- Running and reporting ----

export interface SweepPoint {
  value: number;
  /** The same world objects as `npm run sim --json`. */
  worlds: JsonWorld[];
}

export type CrossoverMetric = 'throughputPerSec' | 'latencyMs.p99';

export interface Crossover {
  worlds: [string, string];
  metric: CrossoverMetric;
  between: [number, number];
}

export interface SweepReport {
  param: string;
  values: number[];
  points: SweepPoint[];
  crossovers: Crossover[];
}

export const METRICS: Record<CrossoverMetric, (w: JsonWorld) => number> = {
  throughputPerSec: (w) => w.throughputPerSec,
  'latencyMs.p99': (w) => w.latencyMs.p99,
};

/**
 * For each pair of worlds (in the scenario's order) and each metric, where their order flips
 * between two consecutive values. A tie is no order: the flip is reported between the last value
 * where one was ahead and the first where the other is.
 */
export function crossovers(points: readonly SweepPoint[]): Crossover[] {
  const out: Crossover[] = [];
  const labels = points[0]?.worlds.map((w) => w.label) ?? [];
  for (const metric of Object.keys(METRICS) as CrossoverMetric[]) {
    const f = METRICS[metric];
    for (let a = 0; a < labels.length; a++) {
      for (let b = a + 1; b < labels.length; b++) {
        let last: { sign: number; value: number } | null = null;
        for (const p of points) {
          const wa = p.worlds.find((w) => w.label === labels[a]);
          const wb = p.worlds.find((w) => w.label === labels[b]);
          if (wa === undefined || wb === undefined) continue;
          const sign = Math.sign(f(wa) - f(wb));
          if (sign === 0) continue;
          if (last !== null && sign !== last.sign) out.push({ worlds: [labels[a]!, labels[b]!], metric, between: [last.value, p.value] });
          last = { sign, value: p.value };
        }
      }
    }
  }
  return out;
}

export function sweepReport(param: string, points: readonly SweepPoint[]): SweepReport {
  return { param, values: points.map((p) => p.value), points: [...points], crossovers: crossovers(points) };
}

/** A crossover in words: "throughput: pool overtakes multiplex between 8 and 16". */
export function describeCrossover(c: Crossover, points: readonly SweepPoint[], param: string): string {
  const at = (v: number) => points.find((p) => p.value === v);
  const f = METRICS[c.metric];
  const before = at(c.between[0]);
  const wa = before?.worlds.find((w) => w.label === c.worlds[0]);
  const wb = before?.worlds.find((w) => w.label === c.worlds[1]);
  // Who was ahead before (more throughput, or less p99), and who is ahead after.
  const higherIsBetter = c.metric === 'throughputPerSec';
  const aAheadBefore = wa !== undefined && wb !== undefined && (f(wa) > f(wb)) === higherIsBetter;
  const [was, now] = aAheadBefore ? [c.worlds[0], c.worlds[1]] : [c.worlds[1], c.worlds[0]];
  const what = c.metric === 'throughputPerSec' ? 'throughput' : 'p99 latency';
  return `${what}: ${now} overtakes ${was} between ${param} = ${c.between[0]} and ${c.between[1]}`;
}

const CSV_HEAD = ['param', 'value', 'world', 'client', 'throughputPerSec', 'latencyMsP50', 'latencyMsP99', 'ok', 'failed', 'connectionsOpened', 'busiestProcess', 'busiestProcessBusyPct', 'serverBusyPct', 'traceHash'];

/** One row per value and world, the columns the lab plots (the CLI's --out-csv, the lab's export). */
export function sweepCsv(r: SweepReport): string {
  const cell = (x: string | number) => (typeof x === 'number' ? String(x) : /[",\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x);
  const rows = r.points.flatMap((p) =>
    p.worlds.map((w) => [r.param, p.value, w.label, w.client, w.throughputPerSec, w.latencyMs.p50, w.latencyMs.p99, w.requests.ok, w.requests.failed, w.connections.opened, w.cpu.busiestProcess, w.cpu.busiestProcessBusyPct, w.cpu.serverBusyPct, w.traceHash].map(cell).join(',')),
  );
  return `${[CSV_HEAD.join(','), ...rows].join('\n')}\n`;
}
