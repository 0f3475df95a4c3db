/**
 * The scenario panel's controls, one per kind of field the schemas describe (number, select,
 * text, checkbox), groups of them, and the weights of the command mix. Each shows its label,
 * unit, hint and the parser's errors about it, and writes the draft through `ctx.set` (a number
 * through `ctx.setNumber`: the worlds follow it as it is typed or stepped).
 */
import { useState, type InputHTMLAttributes, type ReactNode } from 'react';
import type { Field as FieldSpec } from '../../../../sim/scenario/form.js';
import { getAt, isObj, setAt, type Path } from './draft.js';

export const toText = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v));

export interface FieldCtx {
  idBase: string;
  errors: ReadonlyMap<string, string[]>;
  draft: unknown;
  set(path: Path, value: unknown): void;
  /** A number edited: simulated as it changes, when the draft is valid. */
  setNumber(path: Path, value: unknown): void;
}

export const domId = (idBase: string, key: string) => `${idBase}-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;

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

export function Field(props: { spec: LeafSpec; path: Path; ctx: FieldCtx; placeholder?: string }) {
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
      control = <NumberInput {...aria} value={value} onValue={(v) => ctx.setNumber(path, v)} min={spec.min} max={spec.max} step={spec.int ? 1 : 'any'} placeholder={placeholder} />;
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

export function Group(props: { title: ReactNode; path: string; ctx: FieldCtx; children: ReactNode; className?: string; actions?: ReactNode }) {
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
export function Fields(props: { specs: readonly FieldSpec[]; base: Path; ctx: FieldCtx; onWeight?(key: string, v: unknown): void }) {
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
        const setWeight = (k: string, v: unknown) => ctx.setNumber(path, setAt(isObj(value) ? value : { ...s.defaults }, [k], v));
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
