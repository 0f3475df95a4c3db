/** The scenario's faults: each in one line, its parameters editable, deleted here (injected on the timeline). */
import { FAULT_MEMBERS, describeFault, faultFields, getAt, memberOf } from './draft.js';
import { Fields, Group, domId, type FieldCtx } from './fields.js';

export function FaultList({ ctx, faults }: { ctx: FieldCtx; faults: unknown[] }) {
  const { idBase, errors } = ctx;
  function deleteFault(i: number) {
    ctx.set(
      ['faults'],
      faults.filter((_, k) => k !== i),
    );
  }
  return (
    <Group title={`Faults (${faults.length})`} path="faults" ctx={ctx} className="dx-faults">
      {faults.length === 0 ? (
        <p className="dx-hint dx-field-wide">None. Inject faults on the timeline, at the playhead.</p>
      ) : (
        <ul className="dx-fault-list dx-field-wide">
          {faults.map((f, i) => {
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
      {faults.length > 0 && <p className="dx-hint dx-field-wide">Injected and moved on the timeline; a number here is simulated as you change it, anything else on Apply.</p>}
    </Group>
  );
}
