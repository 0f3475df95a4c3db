/**
 * The scenario editor: a form for every field of the scenario format, on a draft (its parts in
 * scenario/: the draft, the fields, the clients, the faults, the JSON). "Apply" validates the whole draft with the same parser the simulator uses; if anything is wrong, each
 * problem is explained beside its field (and all of them in a summary) and nothing is applied —
 * the last good scenario keeps running. The draft can also be edited as JSON.
 *
 * The fields are generated from the scenario's zod schemas (sim/scenario/form.ts): their labels,
 * units, help, bounds and defaults are declared beside each field in sim/, and nothing here
 * restates them. A new client option or fault parameter appears here by being declared.
 */
import { memo, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { z } from 'zod';
import { parseScenario, scenarioSchema, type ScenarioInput } from '../../../sim/scenario/schema.js';
import { fieldsOf } from '../../../sim/scenario/form.js';
import { ClientList } from './scenario/ClientList.js';
import { clean, getAt, knownPaths, ownerOf, setAt, splitError, type FieldError, type Path } from './scenario/draft.js';
import { FaultList } from './scenario/FaultList.js';
import { Fields, Group, domId, type FieldCtx } from './scenario/fields.js';
import { JsonEditor } from './scenario/JsonEditor.js';
import './panels.css';

export interface LiveRuns {
  started: number;
  superseded: number;
  shown: number;
}

/**
 * `onNumber`: a number field edited (typed, stepped with arrow keys held) into a valid draft; the
 * lab simulates it at once (store.ts editLive). An invalid value is explained beside its field and
 * nothing is run: the last good scenario stays. `liveRuns`: what those runs came to, for tests.
 * Memoised: the app renders as runs start and end, and each render of the form sets every
 * input's name and type again (React), which restyles the page.
 */
export const ScenarioPanel = memo(function ScenarioPanel(props: { input: ScenarioInput; onApply(input: ScenarioInput): void; onNumber?(input: ScenarioInput): void; liveRuns?: LiveRuns; disabled?: boolean }) {
  const { input, onApply, onNumber, disabled = false } = props;
  // For browser tests (they set the array): one entry per render committed.
  useEffect(() => {
    (globalThis as { __dxPanelRenders?: number[] }).__dxPanelRenders?.push(performance.now());
  });
  const idBase = `dx-scn-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;

  // The draft follows the applied scenario whenever that changes (a preset, a fault on the timeline).
  const [base, setBase] = useState(input);
  const [draft, setDraft] = useState<unknown>(() => structuredClone(input));
  const [validated, setValidated] = useState(false);
  const [focusSummary, setFocusSummary] = useState(0);
  const [focusPath, setFocusPath] = useState<string | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  let current = draft;
  if (input !== base) {
    current = structuredClone(input);
    setBase(input);
    setDraft(current);
    setValidated(false);
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
  // The draft as of the last edit, for edits that come faster than renders (a key held down).
  const latest = useRef(current);
  latest.current = current;
  const setNumber = (path: Path, value: unknown) => {
    if (onNumber === undefined) return set(path, value);
    const next = setAt(latest.current, path, value);
    latest.current = next;
    setDraft(next);
    const r = parseScenario(next);
    if (r.ok) onNumber(clean(next));
    else setValidated(true);
  };
  const ctx: FieldCtx = { idBase, errors, draft: current, set, setNumber };

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

  const clients = getAt(current, ['clients']);
  const clientList: unknown[] = Array.isArray(clients) ? clients : [];
  const faults = getAt(current, ['faults']);
  const faultList: unknown[] = Array.isArray(faults) ? faults : [];

  const titleId = `${idBase}-title`;
  const byKey = new Map(form.map((f) => [f.key, f]));
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

        <ClientList ctx={ctx} clients={clientList} field={byKey.get('clients')} focus={setFocusPath} />
        <FaultList ctx={ctx} faults={faultList} />

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
            }}
          >
            Discard changes
          </button>
          <span className="dx-status" id={`${idBase}-status`} data-testid="scenario-status" data-live-started={props.liveRuns?.started} data-live-superseded={props.liveRuns?.superseded} data-live-shown={props.liveRuns?.shown}>
            {disabled ? (dirty ? 'Simulating… apply when it is done.' : 'Simulating…') : errorList.length > 0 ? `Not applied: ${errorList.length} problem${errorList.length === 1 ? '' : 's'}.` : dirty ? 'Edited, not applied.' : 'Applied.'}
          </span>
        </div>
      </form>

      <JsonEditor
        idBase={idBase}
        draft={current}
        disabled={disabled}
        onApply={(parsed) => {
          setDraft(parsed);
          tryApply(parsed);
        }}
      />
    </section>
  );
});
