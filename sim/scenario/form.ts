/**
 * What a form shows of each field of the scenario format, read from the zod schemas themselves:
 * the label, unit and help text are the schema's metadata (`.meta({title, unit, description})`,
 * declared beside the field in schema.ts, sim/clients/*.ts and sim/faults/*.ts), the bounds are
 * its checks (through zod's JSON Schema), the default is the schema's `.default()` or the client's
 * own defaults object. The scenario panel renders these and restates nothing, so a new client
 * option or fault parameter appears in the lab by being declared.
 */
import { z } from 'zod';

declare module 'zod/v4/core' {
  interface GlobalMeta {
    /** After the label: "ms", "µs", "connections". */
    unit?: string;
    /** What leaving the field empty means, when that is no value of its own ("no limit", "auto"). */
    empty?: string;
    /** A text field that takes a paragraph. */
    multiline?: boolean;
    /** A default that depends on a sibling field's value (backoff waits per strategy). */
    defaultBy?: { readonly field: string; readonly values: Readonly<Record<string, unknown>> };
    /** The defaults an object's fields take when left out (a client's defaults object). */
    defaults?: unknown;
    /**
     * Where a random scenario (npm run fuzz) draws a number from, when its bounds and its unit's
     * scale would miss what a short run shows: a range, or a few values.
     */
    sample?: { readonly min?: number; readonly max?: number } | readonly number[];
  }
}

interface Base {
  /** The key in its object. */
  readonly key: string;
  readonly label: string;
  readonly unit?: string;
  /** Bounds and meaning, in a few words. */
  readonly hint?: string;
  /** What an empty field means: the default, or `empty`. */
  readonly placeholder?: string;
}
export interface NumberField extends Base {
  readonly type: 'number';
  readonly min?: number;
  readonly max?: number;
  readonly int: boolean;
}
export interface SelectField extends Base {
  readonly type: 'select';
  readonly options: readonly string[];
  /** The default's name when the field may be left out; absent: required. */
  readonly defaultValue?: string;
}
export interface TextField extends Base {
  readonly type: 'text';
  readonly multiline: boolean;
}
export interface CheckField extends Base {
  readonly type: 'checkbox';
}
/** An object inside an object (a client's backoff, the scenario's network). */
export interface GroupField extends Base {
  readonly type: 'group';
  readonly fields: readonly Field[];
}
/** A weight per key (the command mix): every key a number. */
export interface WeightsField extends Base {
  readonly type: 'weights';
  readonly keys: readonly string[];
  readonly defaults: Readonly<Record<string, number>>;
}
/** A list of objects (clients, faults): the form shows each item with `itemForm`. */
export interface ListField extends Base {
  readonly type: 'list';
  readonly maxItems?: number;
}
export type Field = NumberField | SelectField | TextField | CheckField | GroupField | WeightsField | ListField;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n);

/** A field's schema without its wrappers, and what the wrappers said. */
interface Unwrapped {
  readonly inner: z.ZodType;
  readonly meta: z.core.GlobalMeta;
  /** The schema's own `.default()`, if any. */
  readonly schemaDefault: unknown;
  readonly optional: boolean;
}

function unwrap(schema: z.ZodType): Unwrapped {
  let s = schema as z.ZodType;
  let meta: z.core.GlobalMeta = {};
  let schemaDefault: unknown;
  let optional = false;
  for (;;) {
    // The outer layer's metadata wins over the inner's.
    meta = { ...(z.globalRegistry.get(s) ?? {}), ...meta };
    const def = s.def as { type: string; innerType?: z.ZodType; defaultValue?: unknown };
    if (def.type === 'optional' || def.type === 'nullable') optional = true;
    else if (def.type === 'default' || def.type === 'prefault') {
      optional = true;
      if (schemaDefault === undefined) schemaDefault = def.defaultValue;
    } else break;
    s = def.innerType!;
  }
  return { inner: s, meta, schemaDefault, optional };
}

/** The shape of an object schema (through its wrappers), or null. */
export function shapeOf(schema: z.ZodType): z.ZodRawShape | null {
  const { inner } = unwrap(schema);
  return inner instanceof z.ZodObject ? (inner.shape as z.ZodRawShape) : null;
}

/** Metadata of a schema through its wrappers. */
export function metaOf(schema: z.ZodType): z.core.GlobalMeta {
  return unwrap(schema).meta;
}

export interface Bounds {
  readonly min?: number;
  readonly max?: number;
  /** min itself is not allowed (> min). */
  readonly minExclusive: boolean;
  readonly maxExclusive: boolean;
  readonly int: boolean;
  /** "whole, ≥ 1, ≤ 1,000" */
  readonly text: string;
}
/** Read once per schema: a form is rebuilt on every edit of its draft. */
const boundsCache = new WeakMap<z.ZodType, Bounds>();

/** A number schema's bounds, from its checks (wrappers unwrapped). */
export function numberBounds(schema: z.ZodType): Bounds {
  const s = unwrap(schema).inner;
  let b = boundsCache.get(s);
  if (b === undefined) boundsCache.set(s, (b = readBounds(s)));
  return b;
}

function readBounds(s: z.ZodType): Bounds {
  const j = z.toJSONSchema(s, { unrepresentable: 'any' }) as { type?: string; minimum?: number; exclusiveMinimum?: number; maximum?: number; exclusiveMaximum?: number };
  const int = j.type === 'integer';
  const parts: string[] = [];
  if (j.exclusiveMinimum !== undefined) parts.push(`> ${fmt(j.exclusiveMinimum)}`);
  else if (j.minimum !== undefined && j.minimum > Number.MIN_SAFE_INTEGER) parts.push(`≥ ${fmt(j.minimum)}`);
  if (j.exclusiveMaximum !== undefined) parts.push(`< ${fmt(j.exclusiveMaximum)}`);
  else if (j.maximum !== undefined && j.maximum < Number.MAX_SAFE_INTEGER) parts.push(`≤ ${fmt(j.maximum)}`);
  const min = j.exclusiveMinimum ?? j.minimum;
  const max = j.exclusiveMaximum ?? j.maximum;
  return { min, max, minExclusive: j.exclusiveMinimum !== undefined, maxExclusive: j.exclusiveMaximum !== undefined, int, text: [int ? 'whole' : '', ...parts].filter((p) => p !== '').join(', ') };
}

const joinHint = (...parts: Array<string | undefined>) => parts.filter((p) => p !== undefined && p !== '').join(' · ') || undefined;

const shown = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v));

/**
 * The fields of an object's shape, in the shape's order (nested objects after the others).
 * `defaults`: the values the code takes for fields left out (a client's defaults object), before
 * the schema's own defaults; `values`: the draft's, for defaults that follow a sibling's value.
 */
export function fieldsOf(shape: z.ZodRawShape, defaults: unknown = undefined, values: unknown = undefined): Field[] {
  const plain: Field[] = [];
  const groups: Field[] = [];
  for (const [key, schema] of Object.entries(shape)) {
    const f = fieldOf(key, schema as z.ZodType, defaults, values, shape);
    if (f === null) continue;
    (f.type === 'group' || f.type === 'list' || f.type === 'weights' ? groups : plain).push(f);
  }
  return [...plain, ...groups];
}

/** The value a field takes when left empty: the caller's defaults, the schema's, or by a sibling. */
function defaultOf(key: string, u: Unwrapped, defaults: unknown, values: unknown, shape: z.ZodRawShape): unknown {
  const own = isObj(defaults) ? defaults[key] : undefined;
  if (own !== undefined) return own;
  if (u.schemaDefault !== undefined) return u.schemaDefault;
  const by = u.meta.defaultBy;
  if (by !== undefined) {
    const sibling = (isObj(values) ? values[by.field] : undefined) ?? defaultOf(by.field, unwrap(shape[by.field] as z.ZodType), defaults, values, shape);
    return typeof sibling === 'string' ? by.values[sibling] : undefined;
  }
  return undefined;
}

function fieldOf(key: string, schema: z.ZodType, defaults: unknown, values: unknown, shape: z.ZodRawShape): Field | null {
  const u = unwrap(schema);
  const { inner, meta } = u;
  const type = (inner.def as { type: string }).type;
  // A literal is the discriminator of a union (a client's kind): the union's form shows it.
  if (type === 'literal') return null;
  // Every field declares its title (tests/unit/scenario-form.test.ts); the key stands in, rather than no field.
  const base = { key, label: meta.title ?? key, unit: meta.unit };
  const dflt = defaultOf(key, u, defaults, values, shape);
  const placeholder = shown(dflt) ?? meta.empty;
  switch (type) {
    case 'number': {
      const b = numberBounds(inner);
      return { ...base, type: 'number', min: b.min, max: b.max, int: b.int, hint: joinHint(b.text, meta.description), placeholder };
    }
    case 'string': {
      const max = (inner as z.ZodString).maxLength;
      return { ...base, type: 'text', multiline: meta.multiline === true, hint: joinHint(max !== null ? `at most ${fmt(max)} characters` : undefined, meta.description), placeholder };
    }
    case 'enum':
      // A default to name when there is one, even in a required field of an object left out as
      // a whole (a client's backoff strategy): choosing it leaves the field out.
      return { ...base, type: 'select', options: (inner as z.ZodEnum).options.map(String), defaultValue: shown(dflt) ?? (u.optional ? (meta.empty ?? 'none') : undefined), hint: meta.description };
    case 'boolean':
      return { ...base, type: 'checkbox', hint: meta.description };
    case 'object': {
      const own = isObj(defaults) ? defaults[key] : undefined;
      return { ...base, type: 'group', fields: fieldsOf((inner as z.ZodObject).shape as z.ZodRawShape, own ?? u.schemaDefault ?? meta.defaults, isObj(values) ? values[key] : undefined), hint: meta.description };
    }
    case 'record': {
      const keys = ((inner as z.ZodRecord).keyType as z.ZodEnum).options.map(String);
      return { ...base, type: 'weights', keys, defaults: (isObj(dflt) ? dflt : {}) as Record<string, number>, hint: meta.description };
    }
    case 'array': {
      const max = (inner.def as { checks?: Array<{ _zod: { def: { check: string; maximum?: number } } }> }).checks?.find((c) => c._zod.def.check === 'max_length')?._zod.def.maximum;
      return { ...base, type: 'list', maxItems: max, hint: meta.description };
    }
    default:
      // A kind of value the form has no control for: its test fails (every field has a control), and the JSON editor still takes it.
      return null;
  }
}

/** A discriminated union's members by their discriminator's value (a client config per kind). */
export interface UnionMember {
  readonly value: string;
  /** The member's title (its meta), to name the value in a select. */
  readonly title: string;
  readonly schema: z.ZodObject;
}

export function unionMembers(union: z.ZodType, discriminator: string): UnionMember[] {
  const { inner } = unwrap(union);
  const options = (inner.def as { options?: z.ZodType[] }).options ?? [];
  return options.map((o) => {
    const obj = unwrap(o).inner as z.ZodObject;
    const lit = unwrap(obj.shape[discriminator] as z.ZodType).inner as z.ZodLiteral;
    const value = String(lit.value);
    return { value, title: metaOf(o).title ?? value, schema: obj };
  });
}
