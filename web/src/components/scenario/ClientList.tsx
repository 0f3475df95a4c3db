/** The scenario's clients: each one's label, kind and the options of its kind, added and removed here. */
import { useRef } from 'react';
import type { Field as FieldSpec } from '../../../../sim/scenario/form.js';
import { clientConfigSchema } from '../../../../sim/scenario/schema.js';
import { metaOf } from '../../../../sim/scenario/form.js';
import { CLIENT_KINDS, CLIENT_MEMBERS, clientFields, getAt, isObj, memberOf, type Obj } from './draft.js';
import { Field, Fields, Group, toText, type FieldCtx } from './fields.js';

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function uniqueLabel(clients: unknown[], base: string): string {
  const used = new Set(clients.map((c) => String(getAt(c, ['label']))));
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

export function ClientList({ ctx, clients, field, focus }: { ctx: FieldCtx; clients: unknown[]; field: FieldSpec | undefined; focus(path: string): void }) {
  const addRef = useRef<HTMLButtonElement>(null);
  const { idBase, set } = ctx;
  const maxClients = field?.type === 'list' && field.maxItems !== undefined ? field.maxItems : Number.POSITIVE_INFINITY;
  const kindMeta = metaOf(clientConfigSchema);

  function addClient() {
    const label = uniqueLabel(clients, 'client');
    const i = clients.length;
    set(['clients'], [...clients, { label, kind: 'multiplex' }]);
    focus(`clients.${i}.label`);
  }
  function removeClient(i: number) {
    set(
      ['clients'],
      clients.filter((_, k) => k !== i),
    );
    addRef.current?.focus();
  }
  function changeKind(i: number, kind: unknown) {
    const c = clients[i];
    // What the new kind also takes is kept; the rest is the old kind's own.
    const shape = memberOf(CLIENT_MEMBERS, kind)?.schema.shape ?? {};
    const next: Obj = { label: getAt(c, ['label']), kind };
    if (isObj(c)) for (const k of Object.keys(shape)) if (k !== 'kind' && c[k] !== undefined) next[k] = c[k];
    set(['clients', i], next);
  }

  return (
    <Group
      title={`${field?.label ?? 'Clients'} (${clients.length} of at most ${maxClients})`}
      path="clients"
      ctx={ctx}
      className="dx-clients"
      actions={
        <p className="dx-group-actions">
          <button type="button" ref={addRef} onClick={addClient} disabled={clients.length >= maxClients} data-testid="scenario-add-client" aria-describedby={`${idBase}-add-hint`}>
            Add a client
          </button>{' '}
          <span className="dx-hint" id={`${idBase}-add-hint`}>
            {field?.hint}
          </span>
        </p>
      }
    >
      {clients.map((c, i) => {
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
                disabled={clients.length <= 1}
                data-testid={`scenario-remove-client-${i}`}
                aria-label={`Remove client ${i + 1} (${label || 'no label'})`}
                title={clients.length <= 1 ? 'A scenario needs at least one client' : undefined}
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
  );
}
