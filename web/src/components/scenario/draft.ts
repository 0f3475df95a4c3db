/**
 * The scenario panel's draft: plain JSON edited by path, what the form shows for it (generated
 * from the scenario's zod schemas, sim/scenario/form.ts), and the parser's errors placed on the
 * fields they are about.
 */
import { z } from 'zod';
import { clientConfigSchema, type ScenarioInput } from '../../../../sim/scenario/schema.js';
import { fieldsOf, metaOf, unionMembers, type Field as FieldSpec, type UnionMember } from '../../../../sim/scenario/form.js';
import { describeFault as describeValidFault, faultSchema } from '../../../../sim/faults/index.js';

export type Path = Array<string | number>;
export type Obj = Record<string, unknown>;

// ---- The draft: plain JSON, edited by path ----

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

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
export const clean = (draft: unknown): ScenarioInput => JSON.parse(JSON.stringify(draft ?? {})) as ScenarioInput;

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
export const CLIENT_MEMBERS = unionMembers(clientConfigSchema, 'kind');
export const CLIENT_KINDS = CLIENT_MEMBERS.map((m) => m.value);
/** Each kind of fault (sim/faults/). */
export const FAULT_MEMBERS = unionMembers(faultSchema, 'kind');

export const memberOf = (members: readonly UnionMember[], value: unknown) => members.find((m) => m.value === value);

/** An item of a list (a client, a fault): its fields for the kind the draft gives it; null for an unknown kind. */
function memberFields(members: readonly UnionMember[], item: unknown): FieldSpec[] | null {
  const m = memberOf(members, getAt(item, ['kind']));
  return m === undefined ? null : fieldsOf(m.schema.shape as z.ZodRawShape, metaOf(m.schema).defaults, item);
}

export const clientFields = (c: unknown) => memberFields(CLIENT_MEMBERS, c);
/** A fault's parameters; its kind is changed by deleting it and injecting another. */
export const faultFields = (f: unknown) => memberFields(FAULT_MEMBERS, f);

/** Every path the form shows a field or a group for, given the draft (its clients and faults). */
export function knownPaths(fields: readonly FieldSpec[], draft: unknown): Set<string> {
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
export function describeFault(f: unknown): string {
  if (!isObj(f)) return 'a fault that is not an object';
  const r = faultSchema.safeParse(f);
  if (r.success) return describeValidFault(r.data);
  const kind = typeof f.kind === 'string' ? f.kind.replace(/_/g, ' ') : 'unknown fault';
  return `${kind} at ${typeof f.atMs === 'number' ? `${fmt(f.atMs)} ms` : 'an unknown time'} (not valid yet)`;
}
