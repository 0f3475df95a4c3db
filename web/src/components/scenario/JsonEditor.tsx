/** The draft as JSON: edited as text, applied through the same parser as the form. */
import { useState } from 'react';
import { isObj } from './draft.js';

export function JsonEditor({ idBase, draft, disabled, onApply }: { idBase: string; draft: unknown; disabled: boolean; onApply(parsed: unknown): void }) {
  // The text follows the draft whenever that changes (a field edited, a preset, Discard).
  const [jsonFor, setJsonFor] = useState<unknown>(draft);
  const [jsonText, setJsonText] = useState(() => JSON.stringify(draft, null, 2));
  const [jsonError, setJsonError] = useState<string | null>(null);
  if (draft !== jsonFor) {
    setJsonFor(draft);
    setJsonText(JSON.stringify(draft, null, 2));
    setJsonError(null);
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
    onApply(parsed);
  }

  return (
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
        <button type="button" onClick={() => (setJsonText(JSON.stringify(draft, null, 2)), setJsonError(null))} data-testid="scenario-json-revert">
          Revert to the draft
        </button>
      </div>
    </details>
  );
}
