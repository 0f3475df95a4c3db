/**
 * The scenario editor: a form for every field of the scenario format, on a draft. "Apply"
 * validates the whole draft with the same parser the simulator uses; if anything is wrong, each
 * problem is explained beside its field (and all of them in a summary) and nothing is applied —
 * the last good scenario keeps running. The draft can also be edited as JSON.
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
import { MIX_KEYS, parseScenario, type Scenario, type ScenarioInput } from '../../../sim/scenario/schema.js';
import { defaultMultiplex, defaultPool, defaultSerial } from '../../../sim/clients/index.js';
import { describeFault as describeValidFault, faultSchema } from '../../../sim/faults/index.js';
import './panels.css';

type Path = Array<string | number>;
type Obj = Record<string, unknown>;

// ---- The draft: plain JSON, edited by path ----

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function getAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** A copy of `root` with the value at `path` replaced (undefined: removed), creating objects on the way. */
export function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...Path];
  if (Array.isArray(root) && typeof head === 'number') {
    const copy = [...root];
    copy[head] = setAt(copy[head], rest, value);
    return copy;
  }
  const copy: Obj = isObj(root) ? { ...root } : {};
  const next = setAt(copy[head], rest, value);
  if (next === undefined) delete copy[head];
  else copy[head] = next;
  return copy;
}

/** The draft as it would be applied: JSON round trip (drops undefined). */
const clean = (draft: unknown): ScenarioInput => JSON.parse(JSON.stringify(draft ?? {})) as ScenarioInput;

// ---- Errors: "clients[0].backoff.maxMs: expected …" → path and message ----

export interface FieldError {
  /** Dotted path ("clients.0.backoff.maxMs"); '' for the scenario as a whole. */
  path: string;
  message: string;
  /** The parser's text, path included. */
  text: string;
}

export function splitError(text: string): FieldError {
  const m = /^([A-Za-z_$][\w$]*(?:\[\d+\]|\.[\w$]+)*|\(scenario\)): ([\s\S]*)$/.exec(text);
  if (m === null) return { path: '', message: text, text };
  const raw = m[1]!;
  const path = raw === '(scenario)' ? '' : raw.replace(/\[(\d+)\]/g, '.$1');
  return { path, message: m[2]!, text };
}

/** The longest known path that is the error's path or one of its parents; '' if none. */
export function ownerOf(errorPath: string, known: ReadonlySet<string>): string {
  let p = errorPath;
  while (p !== '') {
    if (known.has(p)) return p;
    const dot = p.lastIndexOf('.');
    p = dot < 0 ? '' : p.slice(0, dot);
  }
  return '';
}

// ---- What the form shows ----

interface Base {
  key: string;
  label: string;
  /** Shown with the label: "ms", "µs", "bytes"… */
  unit?: string;
  /** Limits and meaning, shown under the label. */
  hint?: string;
  placeholder?: string;
}
interface NumberSpec extends Base {
  type: 'number';
  min?: number;
  max?: number;
  int?: boolean;
}
interface SelectSpec extends Base {
  type: 'select';
  options: readonly string[];
  /** The default's name when the field may be left out; absent: required. */
  defaultValue?: string;
}
interface TextSpec extends Base {
  type: 'text';
  multiline?: boolean;
}
interface CheckSpec extends Base {
  type: 'checkbox';
}
type FieldSpec = NumberSpec | SelectSpec | TextSpec | CheckSpec;

const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n);

/** A number field; `gt`: strictly above `min`. The hint states the limits. */
function num(key: string, label: string, unit: string | undefined, o: { min?: number; gt?: boolean; max?: number; int?: boolean; placeholder?: string; note?: string } = {}): NumberSpec {
  const parts: string[] = [];
  if (o.min !== undefined) parts.push(`${o.gt ? '>' : '≥'} ${fmt(o.min)}`);
  if (o.max !== undefined) parts.push(`≤ ${fmt(o.max)}`);
  const limits = `${o.int ? 'whole, ' : ''}${parts.join(', ')}`.replace(/, $/, '');
  const hint = [limits, o.note].filter((s) => s !== undefined && s !== '').join(' · ');
  return { type: 'number', key, label, unit, min: o.min, max: o.max, int: o.int, placeholder: o.placeholder, hint: hint || undefined };
}
const sel = (key: string, label: string, options: readonly string[], defaultValue?: string, hint?: string): SelectSpec => ({ type: 'select', key, label, options, defaultValue, hint });

/** The defaults the parser fills in, for placeholders. */
const DEFAULTS: Scenario = (() => {
  const r = parseScenario({ clients: [{ label: 'x', kind: 'naive' }] });
  if (!r.ok) throw new Error(`the scenario defaults do not parse: ${r.errors.join('; ')}`);
  return r.scenario;
})();
const dflt = (path: Path) => {
  const v = getAt(DEFAULTS, path);
  return v === null || v === undefined ? undefined : String(v);
};

const RUN: FieldSpec[] = [
  { type: 'text', key: 'name', label: 'Name', hint: 'at most 80 characters', placeholder: DEFAULTS.name },
  { type: 'text', key: 'description', label: 'Description', hint: 'at most 400 characters', multiline: true },
  num('seed', 'Seed', undefined, { int: true, placeholder: dflt(['seed']), note: 'same seed, same run' }),
  num('durationMs', 'Duration', 'ms', { min: 0, gt: true, max: 600_000, placeholder: dflt(['durationMs']), note: 'requests start within it' }),
  num('drainMs', 'Drain', 'ms', { min: 0, max: 600_000, placeholder: 'auto', note: 'empty: call timeout + 100, at least 1,000' }),
];

const NETWORK: FieldSpec[] = [
  num('latencyMs', 'Latency, one way', 'ms', { min: 0, placeholder: dflt(['network', 'latencyMs']) }),
  num('jitterMs', 'Jitter', 'ms', { min: 0, placeholder: dflt(['network', 'jitterMs']) }),
  num('bandwidthMbps', 'Bandwidth', 'Mbps', { min: 0, gt: true, placeholder: 'no limit', note: 'empty: no limit' }),
  num('connectRtts', 'Connect handshake', 'RTTs', { min: 1, placeholder: dflt(['network', 'connectRtts']) }),
  num('mss', 'Segment size (MSS)', 'bytes', { min: 1, int: true, placeholder: dflt(['network', 'mss']) }),
];

const SERVER: FieldSpec[] = [
  num('commandUs', 'Command cost', 'µs', { min: 0, placeholder: dflt(['server', 'commandUs']) }),
  sel('commandDist', 'Command cost distribution', ['fixed', 'exp'], DEFAULTS.server.commandDist, 'fixed, or exponential around the cost'),
  num('readEventUs', 'Read event cost', 'µs', { min: 0, placeholder: dflt(['server', 'readEventUs']), note: 'per socket read' }),
  num('maxClients', 'Max clients', 'connections', { min: 1, int: true, placeholder: dflt(['server', 'maxClients']) }),
];

const RUNTIME: FieldSpec[] = [
  num('schedulers', 'Schedulers', 'cores', { min: 1, max: 256, int: true, placeholder: dflt(['runtime', 'schedulers']) }),
  num('codecNsPerByte', 'RESP encode/decode cost', 'ns/byte', { min: 0, placeholder: dflt(['runtime', 'codecNsPerByte']) }),
  num('copyNsPerByte', 'Message copy cost', 'ns/byte', { min: 0, placeholder: dflt(['runtime', 'copyNsPerByte']) }),
  num('sendNs', 'Send cost', 'ns/message', { min: 0, placeholder: dflt(['runtime', 'sendNs']) }),
  num('stepOverheadNs', 'Step overhead', 'ns/message', { min: 0, placeholder: dflt(['runtime', 'stepOverheadNs']), note: 'per message handled' }),
];

const WORKLOAD: FieldSpec[] = [
  sel('mode', 'Mode', ['closed', 'open'], DEFAULTS.workload.mode, 'closed: callers think, then call · open: arrivals at a rate'),
  num('callers', 'Callers', 'processes', { min: 1, max: 100_000, int: true, placeholder: dflt(['workload', 'callers']), note: 'closed mode' }),
  num('thinkMs', 'Think time', 'ms', { min: 0, placeholder: dflt(['workload', 'thinkMs']), note: 'closed mode' }),
  sel('thinkDist', 'Think time distribution', ['fixed', 'exp'], DEFAULTS.workload.thinkDist),
  num('ratePerSec', 'Arrival rate', 'per s', { min: 0, gt: true, max: 10_000_000, placeholder: dflt(['workload', 'ratePerSec']), note: 'open mode' }),
  num('valueBytes', 'Value size', 'bytes', { min: 0, max: 64 * 1024 * 1024, int: true, placeholder: dflt(['workload', 'valueBytes']) }),
  num('keys', 'Key space', 'keys', { min: 1, int: true, placeholder: dflt(['workload', 'keys']) }),
  num('pipelineSize', 'PIPELINE size', 'commands', { min: 1, max: 10_000, int: true, placeholder: dflt(['workload', 'pipelineSize']) }),
  num('blpopTimeoutMs', 'BLPOP timeout', 'ms', { min: 0, gt: true, placeholder: dflt(['workload', 'blpopTimeoutMs']) }),
  num('sleepMs', 'SLEEP duration', 'ms', { min: 0, placeholder: dflt(['workload', 'sleepMs']), note: 'a slow command' }),
  num('callTimeoutMs', 'Call timeout', 'ms', { min: 0, gt: true, placeholder: dflt(['workload', 'callTimeoutMs']) }),
];

const DEFAULT_MIX = DEFAULTS.workload.mix as Record<string, number | undefined>;

export const CLIENT_KINDS = ['naive', 'serial', 'pool', 'multiplex'] as const;
type Kind = (typeof CLIENT_KINDS)[number];

const KIND_NAMES: Record<Kind, string> = {
  naive: 'a connection per command (L1)',
  serial: 'one socket in a GenServer (L2)',
  pool: 'a blocking pool (L3)',
  multiplex: 'one multiplexed connection (L4)',
};

/** The options each kind accepts, besides label and kind. */
const KIND_KEYS: Record<Kind, readonly string[]> = {
  naive: [],
  serial: ['backoff', 'connect', 'connectTimeoutMs'],
  pool: ['size', 'onExhausted', 'checkoutTimeoutMs', 'maxQueue', 'queueTargetMs', 'queueIntervalMs', 'backoff', 'connect', 'connectTimeoutMs'],
  multiplex: ['whileDisconnected', 'offlineQueueMax', 'inFlightOnDisconnect', 'backoff', 'connect', 'exitOnDisconnection', 'healthCheckMs', 'connectTimeoutMs'],
};

const BACKOFF_STRATEGIES = ['redix', 'exp', 'rand', 'rand_exp', 'ioredis', 'none'] as const;
/** Per strategy (sim/clients/backoff.ts), for placeholders. */
const BACKOFF_DEFAULTS: Record<string, { initialMs: number; maxMs: number }> = {
  redix: { initialMs: 500, maxMs: 30_000 },
  exp: { initialMs: 100, maxMs: 30_000 },
  rand: { initialMs: 1_000, maxMs: 30_000 },
  rand_exp: { initialMs: 1_000, maxMs: 30_000 },
  ioredis: { initialMs: 50, maxMs: 5_000 },
  none: { initialMs: 0, maxMs: 0 },
};
const KIND_BACKOFF: Record<string, string> = { pool: defaultPool.backoff.strategy, multiplex: defaultMultiplex.backoff.strategy, serial: defaultSerial.backoff.strategy };

const connectField = (d: string) => sel('connect', 'Connect', ['sync', 'async'], d, 'sync: start fails while Redis is down');
const connectTimeout = (d: number) => num('connectTimeoutMs', 'Connect timeout', 'ms', { min: 0, gt: true, placeholder: String(d) });

function clientFields(kind: string): FieldSpec[] {
  switch (kind) {
    case 'pool':
      return [
        num('size', 'Pool size', 'connections', { min: 1, max: 1000, int: true, placeholder: String(defaultPool.size) }),
        sel('onExhausted', 'When every connection is busy', ['error', 'queue', 'codel'], defaultPool.onExhausted, 'error: fail fast · queue: wait · codel: shed'),
        num('checkoutTimeoutMs', 'Checkout timeout', 'ms', { min: 0, gt: true, placeholder: String(defaultPool.checkoutTimeoutMs), note: 'queue: longest wait' }),
        num('maxQueue', 'Queue limit', 'callers', { min: 1, int: true, placeholder: 'no limit', note: 'empty: no limit' }),
        num('queueTargetMs', 'CoDel target', 'ms', { min: 0, gt: true, placeholder: String(defaultPool.queueTargetMs) }),
        num('queueIntervalMs', 'CoDel interval', 'ms', { min: 0, gt: true, placeholder: String(defaultPool.queueIntervalMs) }),
        connectField(defaultPool.connect),
        connectTimeout(defaultPool.connectTimeoutMs),
      ];
    case 'multiplex':
      return [
        sel('whileDisconnected', 'While disconnected', ['error', 'queue'], defaultMultiplex.whileDisconnected, 'error: fail fast · queue: hold calls'),
        num('offlineQueueMax', 'Offline queue limit', 'requests', { min: 1, int: true, placeholder: String(defaultMultiplex.offlineQueueMax) }),
        sel('inFlightOnDisconnect', 'In flight on a disconnect', ['fail', 'resend'], defaultMultiplex.inFlightOnDisconnect, 'resend: at least once'),
        connectField(defaultMultiplex.connect),
        { type: 'checkbox', key: 'exitOnDisconnection', label: 'Exit on disconnection', hint: 'the supervisor restarts it' },
        num('healthCheckMs', 'Health check every', 'ms', { min: 0, gt: true, placeholder: 'none', note: 'empty: none' }),
        connectTimeout(defaultMultiplex.connectTimeoutMs),
      ];
    case 'serial':
      return [connectField(defaultSerial.connect), connectTimeout(defaultSerial.connectTimeoutMs)];
    default:
      return [];
  }
}

function backoffFields(strategy: string): FieldSpec[] {
  const d = BACKOFF_DEFAULTS[strategy];
  return [
    num('initialMs', 'First wait', 'ms', { min: 0, placeholder: d === undefined ? undefined : String(d.initialMs) }),
    num('maxMs', 'Longest wait', 'ms', { min: 0, placeholder: d === undefined ? undefined : String(d.maxMs), note: '≥ first wait' }),
  ];
}

/** Every path the form shows a field or a group for, given the draft (its clients and faults). */
function knownPaths(draft: unknown): Set<string> {
  const out = new Set<string>(['network', 'server', 'runtime', 'workload', 'workload.mix', 'clients', 'faults']);
  for (const f of RUN) out.add(f.key);
  for (const f of NETWORK) out.add(`network.${f.key}`);
  for (const f of SERVER) out.add(`server.${f.key}`);
  for (const f of RUNTIME) out.add(`runtime.${f.key}`);
  for (const f of WORKLOAD) out.add(`workload.${f.key}`);
  for (const k of MIX_KEYS) out.add(`workload.mix.${k}`);
  const clients = getAt(draft, ['clients']);
  if (Array.isArray(clients)) {
    clients.forEach((c, i) => {
      const kind = String(getAt(c, ['kind']));
      out.add(`clients.${i}`);
      out.add(`clients.${i}.label`);
      out.add(`clients.${i}.kind`);
      for (const f of clientFields(kind)) out.add(`clients.${i}.${f.key}`);
      if (KIND_KEYS[kind as Kind]?.includes('backoff')) {
        out.add(`clients.${i}.backoff`);
        for (const k of ['strategy', 'initialMs', 'maxMs']) out.add(`clients.${i}.backoff.${k}`);
      }
    });
  }
  const faults = getAt(draft, ['faults']);
  if (Array.isArray(faults)) faults.forEach((_, i) => out.add(`faults.${i}`));
  return out;
}

/** A fault of the draft in one line: its kind's own words when it is valid (sim/faults/). */
function describeFault(f: unknown): string {
  if (!isObj(f)) return 'a fault that is not an object';
  const r = faultSchema.safeParse(f);
  if (r.success) return describeValidFault(r.data);
  const kind = typeof f.kind === 'string' ? f.kind.replace(/_/g, ' ') : 'unknown fault';
  return `${kind} at ${typeof f.atMs === 'number' ? `${fmt(f.atMs)} ms` : 'an unknown time'} (not valid yet)`;
}

// ---- Inputs ----

const toText = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v));

interface FieldCtx {
  idBase: string;
  errors: ReadonlyMap<string, string[]>;
  draft: unknown;
  set(path: Path, value: unknown): void;
}

const domId = (idBase: string, key: string) => `${idBase}-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** A number input that keeps what is typed ("0.", "-") while the draft holds the number. */
function NumberInput(props: { value: unknown; onValue(v: unknown): void } & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>) {
  const { value, onValue, ...rest } = props;
  const [state, setState] = useState(() => ({ text: toText(value), value }));
  let text = state.text;
  if (!Object.is(state.value, value)) {
    text = toText(value);
    setState({ text, value });
  }
  return (
    <input
      {...rest}
      type="number"
      inputMode="decimal"
      value={text}
      onChange={(e) => {
        const t = e.target.value;
        const n = Number(t);
        const v = t.trim() === '' ? undefined : Number.isFinite(n) ? n : t;
        setState({ text: t, value: v });
        onValue(v);
      }}
    />
  );
}

function Field(props: { spec: FieldSpec; path: Path; ctx: FieldCtx; placeholder?: string }) {
  const { spec, path, ctx } = props;
  const key = path.join('.');
  const id = domId(ctx.idBase, key);
  const errs = ctx.errors.get(key);
  const invalid = errs !== undefined && errs.length > 0;
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const value = getAt(ctx.draft, path);
  const aria = {
    id,
    'data-testid': `field-${key}`,
    'aria-invalid': invalid ? true : undefined,
    'aria-describedby': invalid ? errId : spec.hint !== undefined ? hintId : undefined,
  } as const;
  const placeholder = props.placeholder ?? spec.placeholder;

  let control: ReactNode;
  switch (spec.type) {
    case 'number':
      control = <NumberInput {...aria} value={value} onValue={(v) => ctx.set(path, v)} min={spec.min} max={spec.max} step={spec.int ? 1 : 'any'} placeholder={placeholder} />;
      break;
    case 'text':
      control = spec.multiline ? (
        <textarea {...aria} value={toText(value)} rows={2} placeholder={placeholder} onChange={(e) => ctx.set(path, e.target.value === '' ? undefined : e.target.value)} />
      ) : (
        <input {...aria} type="text" value={toText(value)} placeholder={placeholder} spellCheck={false} autoComplete="off" onChange={(e) => ctx.set(path, e.target.value === '' ? undefined : e.target.value)} />
      );
      break;
    case 'select': {
      const current = value === undefined ? '' : toText(value);
      const known = current === '' || spec.options.includes(current);
      control = (
        <select {...aria} value={current} onChange={(e) => ctx.set(path, e.target.value === '' ? undefined : e.target.value)}>
          {spec.defaultValue !== undefined && <option value="">{spec.defaultValue} (default)</option>}
          {spec.defaultValue === undefined && current === '' && (
            <option value="" disabled>
              choose…
            </option>
          )}
          {!known && <option value={current}>{current} (not valid)</option>}
          {spec.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    }
    case 'checkbox':
      control = <input {...aria} type="checkbox" checked={value === true} onChange={(e) => ctx.set(path, e.target.checked ? true : undefined)} />;
      break;
  }

  return (
    <div className={`dx-field${spec.type === 'checkbox' ? ' dx-field-check' : ''}${invalid ? ' dx-invalid' : ''}${spec.type === 'text' && spec.multiline ? ' dx-field-wide' : ''}`}>
      <label htmlFor={id} className="dx-label">
        {spec.label}
        {spec.unit !== undefined && <span className="dx-unit"> {spec.unit}</span>}
      </label>
      {control}
      {spec.hint !== undefined && (
        <span className="dx-hint" id={hintId}>
          {spec.hint}
        </span>
      )}
      {invalid && (
        <p className="dx-error" id={errId} data-testid={`error-${key}`}>
          {errs.join('; ')}
        </p>
      )}
    </div>
  );
}

/** A group's own errors (a whole client, the mix…), shown at its top. */
function GroupErrors({ ctx, path }: { ctx: FieldCtx; path: string }) {
  const errs = ctx.errors.get(path);
  if (errs === undefined || errs.length === 0) return null;
  return (
    <p className="dx-error dx-group-error" id={`${domId(ctx.idBase, path)}-err`} data-testid={`error-${path}`}>
      {errs.join('; ')}
    </p>
  );
}

function Group(props: { title: ReactNode; path: string; ctx: FieldCtx; children: ReactNode; className?: string; actions?: ReactNode }) {
  const has = (props.ctx.errors.get(props.path)?.length ?? 0) > 0;
  return (
    <fieldset id={domId(props.ctx.idBase, props.path)} tabIndex={-1} className={`dx-group ${props.className ?? ''}`} aria-describedby={has ? `${domId(props.ctx.idBase, props.path)}-err` : undefined} data-testid={props.path === '' ? undefined : `group-${props.path}`}>
      <legend>{props.title}</legend>
      {props.actions}
      <GroupErrors ctx={props.ctx} path={props.path} />
      <div className="dx-fields">{props.children}</div>
    </fieldset>
  );
}

function fields(specs: FieldSpec[], base: Path, ctx: FieldCtx) {
  return specs.map((s) => <Field key={s.key} spec={s} path={[...base, s.key]} ctx={ctx} />);
}

// ---- The panel ----

function uniqueLabel(clients: unknown[], base: string): string {
  const used = new Set(clients.map((c) => String(getAt(c, ['label']))));
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

export function ScenarioPanel(props: { input: ScenarioInput; onApply(input: ScenarioInput): void; disabled?: boolean }) {
  const { input, onApply, disabled = false } = props;
  const idBase = `dx-scn-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;

  // The draft follows the applied scenario whenever that changes (a preset, a fault on the timeline).
  const [base, setBase] = useState(input);
  const [draft, setDraft] = useState<unknown>(() => structuredClone(input));
  const [validated, setValidated] = useState(false);
  const [jsonFor, setJsonFor] = useState<unknown>(draft);
  const [jsonText, setJsonText] = useState(() => JSON.stringify(draft, null, 2));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [focusSummary, setFocusSummary] = useState(0);
  const [focusPath, setFocusPath] = useState<string | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);

  let current = draft;
  if (input !== base) {
    current = structuredClone(input);
    setBase(input);
    setDraft(current);
    setValidated(false);
    setJsonError(null);
  }
  if (current !== jsonFor) {
    setJsonFor(current);
    setJsonText(JSON.stringify(current, null, 2));
  }

  const known = useMemo(() => knownPaths(current), [current]);
  const errorList = useMemo<FieldError[]>(() => {
    if (!validated) return [];
    const r = parseScenario(current);
    return r.ok ? [] : r.errors.map(splitError);
  }, [validated, current]);
  const errors = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const e of errorList) {
      const owner = ownerOf(e.path, known);
      const msg = owner === e.path || owner === '' ? e.message : `${e.path.slice(owner.length + 1)}: ${e.message}`;
      const list = m.get(owner);
      if (list === undefined) m.set(owner, [msg]);
      else list.push(msg);
    }
    return m;
  }, [errorList, known]);
  const dirty = useMemo(() => JSON.stringify(clean(current)) !== JSON.stringify(input), [current, input]);

  useEffect(() => {
    if (focusSummary > 0) summaryRef.current?.focus();
  }, [focusSummary]);
  useEffect(() => {
    if (focusPath === null) return;
    document.getElementById(domId(idBase, focusPath))?.focus();
    setFocusPath(null);
  }, [focusPath, idBase]);

  const set = (path: Path, value: unknown) => setDraft((d: unknown) => setAt(d, path, value));
  const ctx: FieldCtx = { idBase, errors, draft: current, set };

  function tryApply(next: unknown) {
    if (disabled) return;
    const r = parseScenario(next);
    if (r.ok) {
      setValidated(false);
      onApply(clean(next));
    } else {
      setValidated(true);
      setFocusSummary((n) => n + 1);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    tryApply(current);
  }

  function applyJson() {
    let parsed: unknown;
    try {
      parsed = JSON.parse(jsonText);
    } catch (err) {
      setJsonError(`This is not valid JSON: ${err instanceof Error ? err.message : String(err)}. Nothing was applied.`);
      return;
    }
    if (!isObj(parsed)) {
      setJsonError('A scenario is a JSON object ({ … }) with at least "clients". Nothing was applied.');
      return;
    }
    setJsonError(null);
    setDraft(parsed);
    tryApply(parsed);
  }

  const clients = getAt(current, ['clients']);
  const clientList: unknown[] = Array.isArray(clients) ? clients : [];
  const faults = getAt(current, ['faults']);
  const faultList: unknown[] = Array.isArray(faults) ? faults : [];
  const mix = getAt(current, ['workload', 'mix']);

  function addClient() {
    const label = uniqueLabel(clientList, 'client');
    const i = clientList.length;
    set(['clients'], [...clientList, { label, kind: 'multiplex' }]);
    setFocusPath(`clients.${i}.label`);
  }
  function removeClient(i: number) {
    set(
      ['clients'],
      clientList.filter((_, k) => k !== i),
    );
    addRef.current?.focus();
  }
  function changeKind(i: number, kind: unknown) {
    const c = clientList[i];
    const allowed = KIND_KEYS[kind as Kind] ?? [];
    const next: Obj = { label: getAt(c, ['label']), kind };
    if (isObj(c)) for (const k of allowed) if (c[k] !== undefined) next[k] = c[k];
    set(['clients', i], next);
  }
  function setMix(key: string, v: unknown) {
    // The first edit of a default mix starts from the default weights shown.
    const start = isObj(mix) ? mix : { ...DEFAULT_MIX };
    set(['workload', 'mix'], setAt(start, [key], v));
  }
  function deleteFault(i: number) {
    set(
      ['faults'],
      faultList.filter((_, k) => k !== i),
    );
  }

  const titleId = `${idBase}-title`;
  const maxClients = 8;

  return (
    <section className="dx-panel dx-scenario" aria-labelledby={titleId}>
      <h2 className="dx-panel-title" id={titleId}>
        Scenario
      </h2>
      <form noValidate onSubmit={submit} data-testid="scenario-form">
        {errorList.length > 0 && (
          <div className="dx-summary" role="alert" tabIndex={-1} ref={summaryRef} data-testid="scenario-errors" aria-labelledby={`${idBase}-sum-title`}>
            <p id={`${idBase}-sum-title`} className="dx-summary-title">
              {errorList.length === 1 ? 'One problem' : `${errorList.length} problems`}: nothing was applied, the last valid scenario is still shown.
            </p>
            <ul>
              {errorList.map((e, k) => {
                const owner = ownerOf(e.path, known);
                return (
                  <li key={k}>
                    {owner !== '' ? (
                      <button type="button" className="dx-linklike" onClick={() => setFocusPath(owner)}>
                        {e.text}
                      </button>
                    ) : (
                      e.text
                    )}
                  </li>
                );
              })}
            </ul>
          </div>
        )}

        <Group title="Run" path="" ctx={ctx}>
          {fields(RUN, [], ctx)}
        </Group>
        <Group title="Network" path="network" ctx={ctx}>
          {fields(NETWORK, ['network'], ctx)}
        </Group>
        <Group title="Redis server" path="server" ctx={ctx}>
          {fields(SERVER, ['server'], ctx)}
        </Group>
        <Group title="Runtime" path="runtime" ctx={ctx}>
          {fields(RUNTIME, ['runtime'], ctx)}
        </Group>
        <Group title="Workload" path="workload" ctx={ctx}>
          {fields(WORKLOAD, ['workload'], ctx)}
          <Group title={<>Command mix <span className="dx-unit">relative weights, ≥ 0, one at least &gt; 0</span></>} path="workload.mix" ctx={ctx} className="dx-subgroup dx-mix">
            {MIX_KEYS.map((k) => (
              <MixField key={k} name={k} ctx={ctx} value={isObj(mix) ? mix[k] : undefined} placeholder={isObj(mix) ? '0' : String(DEFAULT_MIX[k] ?? 0)} onValue={(v) => setMix(k, v)} />
            ))}
          </Group>
        </Group>

        <Group
          title={`Clients (${clientList.length} of at most ${maxClients})`}
          path="clients"
          ctx={ctx}
          className="dx-clients"
          actions={
            <p className="dx-group-actions">
              <button type="button" ref={addRef} onClick={addClient} disabled={clientList.length >= maxClients} data-testid="scenario-add-client" aria-describedby={`${idBase}-add-hint`}>
                Add a client
              </button>{' '}
              <span className="dx-hint" id={`${idBase}-add-hint`}>
                each client is simulated in its own world
              </span>
            </p>
          }
        >
          {clientList.map((c, i) => {
            const kind = String(getAt(c, ['kind']) ?? '');
            const label = toText(getAt(c, ['label']));
            const hasBackoff = KIND_KEYS[kind as Kind]?.includes('backoff') ?? false;
            const strategy = toText(getAt(c, ['backoff', 'strategy']));
            return (
              <Group
                key={i}
                path={`clients.${i}`}
                ctx={ctx}
                className="dx-subgroup dx-client"
                title={
                  <>
                    Client {i + 1}: {label || '(no label)'} <span className="dx-kind">{kind}</span>
                  </>
                }
                actions={
                  <button
                    type="button"
                    className="dx-remove"
                    onClick={() => removeClient(i)}
                    disabled={clientList.length <= 1}
                    data-testid={`scenario-remove-client-${i}`}
                    aria-label={`Remove client ${i + 1} (${label || 'no label'})`}
                    title={clientList.length <= 1 ? 'A scenario needs at least one client' : undefined}
                  >
                    Remove
                  </button>
                }
              >
                <Field spec={{ type: 'text', key: 'label', label: 'Label', hint: '1–40: letters, digits, _ - .' }} path={['clients', i, 'label']} ctx={ctx} />
                <Field
                  spec={sel('kind', 'Kind', CLIENT_KINDS, undefined, (KIND_NAMES as Record<string, string>)[kind] ?? 'naive, serial, pool or multiplex')}
                  path={['clients', i, 'kind']}
                  ctx={{ ...ctx, set: (_p, v) => changeKind(i, v) }}
                />
                {kind === 'naive' && <p className="dx-hint dx-field-wide">A connection per command: nothing to configure.</p>}
                {fields(clientFields(kind), ['clients', i], ctx)}
                {hasBackoff && (
                  <Group title="Reconnection backoff" path={`clients.${i}.backoff`} ctx={ctx} className="dx-subgroup dx-backoff">
                    <Field spec={sel('strategy', 'Strategy', BACKOFF_STRATEGIES, KIND_BACKOFF[kind], 'none: retry at once')} path={['clients', i, 'backoff', 'strategy']} ctx={ctx} />
                    {fields(backoffFields(strategy || (KIND_BACKOFF[kind] ?? 'redix')), ['clients', i, 'backoff'], ctx)}
                  </Group>
                )}
              </Group>
            );
          })}
        </Group>

        <Group title={`Faults (${faultList.length})`} path="faults" ctx={ctx} className="dx-faults">
          {faultList.length === 0 ? (
            <p className="dx-hint dx-field-wide">None. Inject faults on the timeline, at the playhead.</p>
          ) : (
            <ul className="dx-fault-list dx-field-wide">
              {faultList.map((f, i) => {
                const errs = errors.get(`faults.${i}`);
                const text = describeFault(f);
                return (
                  <li key={i} data-testid={`scenario-fault-${i}`} className={errs ? 'dx-invalid' : undefined}>
                    <span>{text}</span>
                    <button type="button" onClick={() => deleteFault(i)} data-testid={`scenario-delete-fault-${i}`} aria-label={`Delete fault ${i + 1}: ${text}`}>
                      Delete
                    </button>
                    {errs && (
                      <p className="dx-error" id={`${domId(idBase, `faults.${i}`)}-err`} data-testid={`error-faults.${i}`}>
                        {errs.join('; ')}
                      </p>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          {faultList.length > 0 && <p className="dx-hint dx-field-wide">Edited on the timeline; a deletion here takes effect on Apply.</p>}
        </Group>

        <div className="dx-apply-bar">
          <button type="submit" className="dx-primary" data-testid="scenario-apply" disabled={disabled} aria-describedby={`${idBase}-status`}>
            Apply
          </button>
          <button
            type="button"
            data-testid="scenario-reset"
            disabled={!dirty}
            onClick={() => {
              setDraft(structuredClone(input));
              setValidated(false);
              setJsonError(null);
            }}
          >
            Discard changes
          </button>
          <span className="dx-status" id={`${idBase}-status`} data-testid="scenario-status">
            {disabled ? 'Simulating… apply when it is done.' : errorList.length > 0 ? `Not applied: ${errorList.length} problem${errorList.length === 1 ? '' : 's'}.` : dirty ? 'Edited, not applied.' : 'Applied.'}
          </span>
        </div>
      </form>

      <details className="dx-json">
        <summary data-testid="scenario-json-toggle">JSON</summary>
        <label htmlFor={`${idBase}-json`} className="dx-label">
          The draft as JSON <span className="dx-unit">edit, then apply</span>
        </label>
        <textarea
          id={`${idBase}-json`}
          data-testid="scenario-json"
          value={jsonText}
          spellCheck={false}
          rows={16}
          aria-invalid={jsonError !== null ? true : undefined}
          aria-describedby={jsonError !== null ? `${idBase}-json-err` : undefined}
          onChange={(e) => {
            setJsonText(e.target.value);
            setJsonError(null);
          }}
        />
        {jsonError !== null && (
          <p className="dx-error" role="alert" id={`${idBase}-json-err`} data-testid="scenario-json-error">
            {jsonError}
          </p>
        )}
        <div className="dx-apply-row">
          <button type="button" className="dx-primary" onClick={applyJson} disabled={disabled} data-testid="scenario-json-apply">
            Apply JSON
          </button>
          <button type="button" onClick={() => (setJsonText(JSON.stringify(current, null, 2)), setJsonError(null))} data-testid="scenario-json-revert">
            Revert to the draft
          </button>
        </div>
      </details>
    </section>
  );
}

function MixField(props: { name: string; value: unknown; placeholder: string; ctx: FieldCtx; onValue(v: unknown): void }) {
  const key = `workload.mix.${props.name}`;
  const id = domId(props.ctx.idBase, key);
  const errs = props.ctx.errors.get(key);
  const invalid = errs !== undefined && errs.length > 0;
  return (
    <div className={`dx-field dx-mix-field${invalid ? ' dx-invalid' : ''}`}>
      <label htmlFor={id} className="dx-label">
        {props.name}
      </label>
      <NumberInput
        id={id}
        data-testid={`field-${key}`}
        value={props.value}
        onValue={props.onValue}
        min={0}
        step="any"
        placeholder={props.placeholder}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={invalid ? `${id}-err` : undefined}
      />
      {invalid && (
        <p className="dx-error" id={`${id}-err`} data-testid={`error-${key}`}>
          {errs.join('; ')}
        </p>
      )}
    </div>
  );
}
