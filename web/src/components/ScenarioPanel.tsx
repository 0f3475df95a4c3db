/**
 * The scenario editor: a form for every field of the scenario format, on a draft. "Apply"
 * validates the whole draft with the same parser the simulator uses; if anything is wrong, each
 * problem is explained beside its field (and all of them in a summary) and nothing is applied —
 * the last good scenario keeps running. The draft can also be edited as JSON.
 *
 * The fields are generated from the scenario's zod schemas (sim/scenario/form.ts): their labels,
 * units, help, bounds and defaults are declared beside each field in sim/, and nothing here
 * restates them. A new client option or fault parameter appears here by being declared.
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
import { z } from 'zod';
import { clientConfigSchema, parseScenario, scenarioSchema, type ScenarioInput } from '../../../sim/scenario/schema.js';
import { fieldsOf, metaOf, unionMembers, type Field as FieldSpec, type UnionMember } from '../../../sim/scenario/form.js';
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
  // An object emptied by the edit goes too: left out, it takes its defaults (an empty backoff is not valid).
  if (next === undefined || (rest.length > 0 && isObj(next) && Object.keys(next).length === 0)) delete copy[head];
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

// ---- What the form shows: generated from the schemas ----

const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n);

/** Each kind of client, with its options' schema and defaults (sim/scenario/schema.ts composes them). */
const CLIENT_MEMBERS = unionMembers(clientConfigSchema, 'kind');
export const CLIENT_KINDS = CLIENT_MEMBERS.map((m) => m.value);
/** Each kind of fault (sim/faults/). */
const FAULT_MEMBERS = unionMembers(faultSchema, 'kind');

const memberOf = (members: readonly UnionMember[], value: unknown) => members.find((m) => m.value === value);

/** An item of a list (a client, a fault): its fields for the kind the draft gives it; null for an unknown kind. */
function memberFields(members: readonly UnionMember[], item: unknown): FieldSpec[] | null {
  const m = memberOf(members, getAt(item, ['kind']));
  return m === undefined ? null : fieldsOf(m.schema.shape as z.ZodRawShape, metaOf(m.schema).defaults, item);
}

const clientFields = (c: unknown) => memberFields(CLIENT_MEMBERS, c);
/** A fault's parameters; its kind is changed by deleting it and injecting another. */
const faultFields = (f: unknown) => memberFields(FAULT_MEMBERS, f);

/** Every path the form shows a field or a group for, given the draft (its clients and faults). */
function knownPaths(fields: readonly FieldSpec[], draft: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (list: readonly FieldSpec[] | null, base: string) => {
    for (const f of list ?? []) {
      const path = base === '' ? f.key : `${base}.${f.key}`;
      out.add(path);
      if (f.type === 'group') walk(f.fields, path);
      if (f.type === 'weights') for (const k of f.keys) out.add(`${path}.${k}`);
    }
  };
  walk(fields, '');
  const clients = getAt(draft, ['clients']);
  if (Array.isArray(clients))
    clients.forEach((c, i) => {
      out.add(`clients.${i}`);
      out.add(`clients.${i}.kind`);
      walk(clientFields(c) ?? [], `clients.${i}`);
      out.add(`clients.${i}.label`);
    });
  const faults = getAt(draft, ['faults']);
  if (Array.isArray(faults))
    faults.forEach((f, i) => {
      out.add(`faults.${i}`);
      walk(faultFields(f), `faults.${i}`);
    });
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

type LeafSpec = Extract<FieldSpec, { type: 'number' | 'select' | 'text' | 'checkbox' }>;

function Field(props: { spec: LeafSpec; path: Path; ctx: FieldCtx; placeholder?: string }) {
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

/**
 * The fields of one object, as the schema lists them: inputs, then its nested objects as groups
 * and its weights as a grid. Lists (clients, faults) are the panel's own.
 */
function Fields(props: { specs: readonly FieldSpec[]; base: Path; ctx: FieldCtx; onWeight?(key: string, v: unknown): void }) {
  const { specs, base, ctx } = props;
  return specs.map((s) => {
    const path = [...base, s.key];
    const key = path.join('.');
    switch (s.type) {
      case 'list':
        return null;
      case 'group':
        return (
          <Group key={s.key} title={s.label} path={key} ctx={ctx} className="dx-subgroup">
            <Fields specs={s.fields} base={path} ctx={ctx} />
          </Group>
        );
      case 'weights': {
        const value = getAt(ctx.draft, path);
        // The first edit of a default set of weights starts from the defaults shown.
        const setWeight = (k: string, v: unknown) => ctx.set(path, setAt(isObj(value) ? value : { ...s.defaults }, [k], v));
        return (
          <Group key={s.key} title={<>{s.label} {s.unit !== undefined && <span className="dx-unit">{s.unit}</span>}</>} path={key} ctx={ctx} className="dx-subgroup dx-mix">
            {s.keys.map((k) => (
              <MixField key={k} name={k} path={`${key}.${k}`} ctx={ctx} value={isObj(value) ? value[k] : undefined} placeholder={isObj(value) ? '0' : String(s.defaults[k] ?? 0)} onValue={(v) => setWeight(k, v)} />
            ))}
          </Group>
        );
      }
      default:
        return <Field key={s.key} spec={s} path={path} ctx={ctx} />;
    }
  });
}

// ---- The panel ----

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

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

  // The scenario's own fields, with the defaults that follow the draft's values.
  const form = useMemo(() => fieldsOf(scenarioSchema.shape as z.ZodRawShape, undefined, current), [current]);
  const known = useMemo(() => knownPaths(form, current), [form, current]);
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
    // What the new kind also takes is kept; the rest is the old kind's own.
    const shape = memberOf(CLIENT_MEMBERS, kind)?.schema.shape ?? {};
    const next: Obj = { label: getAt(c, ['label']), kind };
    if (isObj(c)) for (const k of Object.keys(shape)) if (k !== 'kind' && c[k] !== undefined) next[k] = c[k];
    set(['clients', i], next);
  }
  function deleteFault(i: number) {
    set(
      ['faults'],
      faultList.filter((_, k) => k !== i),
    );
  }

  const titleId = `${idBase}-title`;
  const byKey = new Map(form.map((f) => [f.key, f]));
  const clientsField = byKey.get('clients');
  const maxClients = clientsField?.type === 'list' && clientsField.maxItems !== undefined ? clientsField.maxItems : Number.POSITIVE_INFINITY;
  const kindMeta = metaOf(clientConfigSchema);
  const plain = form.filter((f) => f.type !== 'group' && f.type !== 'list');
  const groups = form.filter((f) => f.type === 'group');

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
          <Fields specs={plain} base={[]} ctx={ctx} />
        </Group>
        {groups.map((g) => (
          <Group key={g.key} title={g.label} path={g.key} ctx={ctx}>
            <Fields specs={g.type === 'group' ? g.fields : []} base={[g.key]} ctx={ctx} />
          </Group>
        ))}

        <Group
          title={`${clientsField?.label ?? 'Clients'} (${clientList.length} of at most ${maxClients})`}
          path="clients"
          ctx={ctx}
          className="dx-clients"
          actions={
            <p className="dx-group-actions">
              <button type="button" ref={addRef} onClick={addClient} disabled={clientList.length >= maxClients} data-testid="scenario-add-client" aria-describedby={`${idBase}-add-hint`}>
                Add a client
              </button>{' '}
              <span className="dx-hint" id={`${idBase}-add-hint`}>
                {clientsField?.hint}
              </span>
            </p>
          }
        >
          {clientList.map((c, i) => {
            const kind = String(getAt(c, ['kind']) ?? '');
            const member = memberOf(CLIENT_MEMBERS, kind);
            const label = toText(getAt(c, ['label']));
            const specs = clientFields(c);
            const options = specs?.filter((f) => f.key !== 'label') ?? [];
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
                <Fields specs={specs?.filter((f) => f.key === 'label') ?? []} base={['clients', i]} ctx={ctx} />
                <Field
                  spec={{ type: 'select', key: 'kind', label: kindMeta.title ?? 'Kind', options: CLIENT_KINDS, hint: member?.title ?? CLIENT_MEMBERS.map((m) => `${m.value}: ${m.title}`).join(' · ') }}
                  path={['clients', i, 'kind']}
                  ctx={{ ...ctx, set: (_p, v) => changeKind(i, v) }}
                />
                {member !== undefined && options.length === 0 && <p className="dx-hint dx-field-wide">{capitalise(member.title)}: nothing to configure.</p>}
                <Fields specs={options} base={['clients', i]} ctx={ctx} />
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
                const specs = faultFields(f);
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
                    {specs !== null && specs.length > 0 && (
                      <div className="dx-fields dx-fault-fields" role="group" aria-label={`Fault ${i + 1}: ${memberOf(FAULT_MEMBERS, getAt(f, ['kind']))?.title ?? 'fault'}`}>
                        <Fields specs={specs} base={['faults', i]} ctx={ctx} />
                      </div>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          {faultList.length > 0 && <p className="dx-hint dx-field-wide">Injected and moved on the timeline; a change here takes effect on Apply.</p>}
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

function MixField(props: { name: string; path: string; value: unknown; placeholder: string; ctx: FieldCtx; onValue(v: unknown): void }) {
  const key = props.path;
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
