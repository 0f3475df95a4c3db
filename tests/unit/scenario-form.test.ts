/**
 * The scenario panel is generated from the schemas (sim/scenario/form.ts): every field the
 * format accepts has a control, labelled, bounded and with its default as the schema and the
 * client's defaults say, without the panel naming any of them.
 */
import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { z } from 'zod';
import { ScenarioPanel } from '../../web/src/components/ScenarioPanel.js';
import { clientConfigSchema, scenarioSchema } from '../../sim/scenario/schema.js';
import { fieldsOf, metaOf, unionMembers } from '../../sim/scenario/form.js';
import { FAULTS, faultWithDefaults } from '../../sim/faults/index.js';
import { BACKOFF_DEFAULTS } from '../../sim/clients/backoff.js';
import { defaultPool, poolOptionsShape } from '../../sim/clients/pool.js';
import { msPositive } from '../../sim/scenario/fields.js';

type Def = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; keyType?: z.ZodEnum; options?: z.ZodType[]; element?: z.ZodType };
const def = (s: z.ZodType) => s.def as unknown as Def;

/** The schema without optional / nullable / default wrappers. */
function bare(s: z.ZodType): z.ZodType {
  let t = s;
  while (['optional', 'nullable', 'default', 'prefault'].includes(def(t).type)) t = def(t).innerType!;
  return t;
}

/** Every path a value can be written at, read straight from the schema: what a form must offer. */
function leafPaths(shape: Record<string, z.ZodType>, base: string): string[] {
  const out: string[] = [];
  for (const [key, schema] of Object.entries(shape)) {
    const path = base === '' ? key : `${base}.${key}`;
    const s = bare(schema);
    const d = def(s);
    if (d.type === 'literal' || d.type === 'array') continue;
    if (d.type === 'object') out.push(...leafPaths((s as z.ZodObject).shape as Record<string, z.ZodType>, path));
    else if (d.type === 'record') out.push(...d.keyType!.options.map((k) => `${path}.${String(k)}`));
    else out.push(path);
  }
  return out;
}

const clientKinds = unionMembers(clientConfigSchema, 'kind');
/** A scenario with one client of every kind and one fault of every kind. */
const everything = {
  clients: clientKinds.map((m) => ({ label: m.value, kind: m.value })),
  faults: FAULTS.map((f, i) => faultWithDefaults(f.kind, 100 + i)),
};

function render(input: unknown): string {
  return renderToStaticMarkup(createElement(ScenarioPanel, { input: input as never, onApply() {} }));
}

/** The element with data-testid `id`, as markup. */
function control(html: string, id: string): string | undefined {
  const i = html.indexOf(`data-testid="${id}"`);
  if (i < 0) return undefined;
  return html.slice(html.lastIndexOf('<', i), html.indexOf('>', i) + 1);
}

describe('the scenario panel, generated from the schemas', () => {
  const html = render(everything);

  it('has_a_control_for_every_field_of_the_scenario_every_client_option_and_every_fault_parameter', () => {
    const paths = [
      ...leafPaths(scenarioSchema.shape as Record<string, z.ZodType>, ''),
      ...clientKinds.flatMap((m, i) => leafPaths(m.schema.shape as Record<string, z.ZodType>, `clients.${i}`)),
      ...FAULTS.flatMap((f, i) => leafPaths(f.schema.shape as Record<string, z.ZodType>, `faults.${i}`)),
    ];
    // The walk above saw the options every kind declares (a client's backoff strategy, a pool's size).
    expect(paths).toEqual(expect.arrayContaining(['clients.2.size', 'clients.1.backoff.strategy', 'workload.mix.GET']));
    const missing = paths.filter((p) => control(html, `field-${p}`) === undefined);
    expect(missing).toEqual([]);
    for (const [i, m] of clientKinds.entries()) expect(control(html, `field-clients.${i}.kind`), m.value).toBeDefined();
  });

  it('labels_each_field_with_the_title_its_schema_declares', () => {
    for (const [key, schema] of Object.entries(poolOptionsShape)) {
      const title = z.globalRegistry.get(schema)?.title;
      expect(title, key).toBeTruthy();
      expect(html).toContain(`>${title}`);
    }
  });

  it('bounds_a_number_as_its_schema_does_and_shows_the_clients_default', () => {
    const i = clientKinds.findIndex((m) => m.value === 'pool');
    const size = control(html, `field-clients.${i}.size`)!;
    const bounds = z.toJSONSchema(bare(poolOptionsShape.size)) as { minimum: number; maximum: number };
    expect(size).toContain(`min="${bounds.minimum}"`);
    expect(size).toContain(`max="${bounds.maximum}"`);
    expect(size).toContain(`step="1"`);
    expect(size).toContain(`placeholder="${defaultPool.size}"`);
  });

  it('takes_a_default_that_follows_another_field_from_the_schema_the_backoff_waits_per_strategy', () => {
    for (const strategy of ['ioredis', 'exp'] as const) {
      const page = render({ clients: [{ label: 'p', kind: 'pool', backoff: { strategy } }] });
      expect(control(page, 'field-clients.0.backoff.initialMs')).toContain(`placeholder="${BACKOFF_DEFAULTS[strategy].initialMs}"`);
      expect(control(page, 'field-clients.0.backoff.maxMs')).toContain(`placeholder="${BACKOFF_DEFAULTS[strategy].maxMs}"`);
    }
    // Left out, the strategy is the kind's own default (a pool's rand_exp).
    const page = render({ clients: [{ label: 'p', kind: 'pool' }] });
    expect(page).toContain(`${defaultPool.backoff.strategy} (default)`);
    expect(control(page, 'field-clients.0.backoff.initialMs')).toContain(`placeholder="${BACKOFF_DEFAULTS[defaultPool.backoff.strategy].initialMs}"`);
  });

  it('shows_an_option_declared_in_a_clients_schema_with_no_change_to_the_panel', () => {
    const shape = { ...poolOptionsShape, lingerMs: msPositive().optional().meta({ title: 'Linger', unit: 'ms', description: 'keep an idle connection this long' }) };
    const field = fieldsOf(shape, { ...defaultPool, lingerMs: 250 }).find((f) => f.key === 'lingerMs');
    expect(field).toMatchObject({ type: 'number', label: 'Linger', unit: 'ms', placeholder: '250', min: 0.001, max: 3_600_000 });
    expect(field?.hint).toBe('≥ 0.001, ≤ 3,600,000 · keep an idle connection this long');
  });

  it('finds_a_title_declared_for_every_field', () => {
    const untitled: string[] = [];
    const walk = (shape: Record<string, z.ZodType>, base: string) => {
      for (const [key, schema] of Object.entries(shape)) {
        const path = base === '' ? key : `${base}.${key}`;
        if (def(bare(schema)).type === 'literal') continue;
        if (metaOf(schema).title === undefined) untitled.push(path);
        if (def(bare(schema)).type === 'object') walk((bare(schema) as z.ZodObject).shape as Record<string, z.ZodType>, path);
      }
    };
    walk(scenarioSchema.shape as Record<string, z.ZodType>, '');
    for (const m of clientKinds) walk(m.schema.shape as Record<string, z.ZodType>, m.value);
    for (const f of FAULTS) walk(f.schema.shape as Record<string, z.ZodType>, f.kind);
    expect(untitled).toEqual([]);
    // Without one, the key stands in: the page never loses a field.
    expect(fieldsOf({ mystery: z.number().optional() })[0]).toMatchObject({ key: 'mystery', label: 'mystery' });
  });
});
