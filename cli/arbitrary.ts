/**
 * Random values of a part of the scenario format (fast-check), read from its zod schema the way
 * the lab's form is (sim/scenario/form.ts): objects, unions, enums, booleans, numbers within their
 * bounds, optional fields sometimes left out. So a client kind, a client option or a fault kind
 * is fuzzed by being declared, with no list here to keep in step.
 *
 * A number's bounds are far wider than a short run can show (a timeout may be an hour), so it is
 * drawn from its field's own `sample` (declared beside it), else its unit's scale below, else the
 * twenty above its lower bound; and as a whole number where one fits, which a short run cannot
 * tell from a fraction and which reads well in a failing scenario.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { metaOf, numberBounds } from '../sim/scenario/form.js';

/** What a fuzzed run (20–300 ms, a handful of callers) can show, per unit. */
const UNIT_SCALE: Readonly<Record<string, { min: number; max: number }>> = {
  ms: { min: 0, max: 200 },
};
/** Above a number's lower bound, when neither its field nor its unit says. */
const SPAN = 20;

type Def = { type: string; innerType?: z.ZodType; options?: readonly unknown[]; values?: readonly unknown[]; shape?: z.ZodRawShape };

const defOf = (s: z.ZodType) => s.def as unknown as Def;

/** Left out of an object now and then: the code's default stands in. */
const mayBeLeftOut = (s: z.ZodType) => ['optional', 'default', 'prefault'].includes(defOf(s).type);

/**
 * An arbitrary of the values `schema` describes. `omit`: keys of an object left to the caller
 * (a client's label). Throws on a kind of schema it cannot draw, so a field of a new kind fails
 * the fuzz test instead of going unfuzzed.
 */
export function arbitraryOf(schema: z.ZodType, omit: readonly string[] = []): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
      return arbitraryOf(def.innerType!, omit);
    case 'nullable':
      return fc.option(arbitraryOf(def.innerType!, omit), { nil: null });
    case 'object': {
      const keys = Object.keys(def.shape!).filter((k) => !omit.includes(k));
      const model = Object.fromEntries(keys.map((k) => [k, field(def.shape![k] as z.ZodType)]));
      return fc.record(model, { requiredKeys: keys.filter((k) => !mayBeLeftOut(def.shape![k] as z.ZodType)) });
    }
    case 'union':
      return fc.oneof(...def.options!.map((o) => arbitraryOf(o as z.ZodType, omit)));
    case 'enum':
      return fc.constantFrom(...(schema as z.ZodEnum).options);
    case 'literal':
      return fc.constantFrom(...def.values!);
    case 'boolean':
      return fc.boolean();
    case 'number':
      return numberArbitrary(schema, metaOf(schema));
    default:
      throw new TypeError(`no arbitrary for a schema of type "${def.type}"`);
  }
}

/** A field: a number reads the metadata on its wrappers (`.optional().meta(...)`). */
function field(schema: z.ZodType): fc.Arbitrary<unknown> {
  let inner = schema;
  while (['optional', 'default', 'prefault'].includes(defOf(inner).type)) inner = defOf(inner).innerType!;
  if (defOf(inner).type === 'number') return numberArbitrary(inner, metaOf(schema));
  if (defOf(inner).type === 'nullable' && defOf(defOf(inner).innerType!).type === 'number') {
    return fc.option(numberArbitrary(defOf(inner).innerType!, metaOf(schema)), { nil: null });
  }
  return arbitraryOf(schema);
}

function numberArbitrary(schema: z.ZodType, meta: z.core.GlobalMeta): fc.Arbitrary<number> {
  const sample = meta.sample;
  if (Array.isArray(sample)) return fc.constantFrom(...(sample as readonly number[]));
  const b = numberBounds(schema);
  const scale = (sample as { min?: number; max?: number } | undefined) ?? (meta.unit !== undefined ? UNIT_SCALE[meta.unit] : undefined);
  const lo = Math.max(b.min ?? 0, scale?.min ?? -Infinity);
  const hi = Math.min(b.max ?? Infinity, scale?.max ?? lo + SPAN);
  const minExcluded = b.minExclusive && lo === b.min;
  const maxExcluded = b.maxExclusive && hi === b.max;
  const from = minExcluded ? Math.floor(lo) + 1 : Math.ceil(lo);
  const to = maxExcluded ? Math.ceil(hi) - 1 : Math.floor(hi);
  if (from <= to) return fc.integer({ min: from, max: to });
  if (b.int) throw new RangeError(`no whole number between ${lo} and ${hi}`);
  return fc.double({ min: lo, max: hi, minExcluded, maxExcluded, noNaN: true });
}
