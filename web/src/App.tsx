import { useMemo, useState } from 'react';
import { runDemo } from '../../sim/worlds/demo.js';

const DEFAULT_SEED = 1;

/** A placeholder until the lab's timelines exist: runs the demo world and shows its fingerprint. */
export function App() {
  const [seed, setSeed] = useState(DEFAULT_SEED);
  const [draft, setDraft] = useState(String(DEFAULT_SEED));
  const [error, setError] = useState<string | null>(null);
  const result = useMemo(() => runDemo({ seed }), [seed]);

  function apply(e: React.FormEvent) {
    e.preventDefault();
    const n = Number(draft);
    if (!Number.isSafeInteger(n)) {
      setError(`Seed must be a whole number, got "${draft}". Still showing seed ${seed}.`);
      return;
    }
    setError(null);
    setSeed(n);
  }

  return (
    <main>
      <h1>Duplex</h1>
      <p>
        A connection lab: a blocking connection pool versus one multiplexed connection, and how each survives
        dropped sockets, restarts and partitions. The timelines arrive with the lab; for now the page runs the
        deterministic kernel's demo world in your browser.
      </p>
      <form onSubmit={apply} aria-describedby={error ? 'seed-error' : undefined}>
        <label htmlFor="seed">Seed</label>{' '}
        <input id="seed" data-testid="seed-input" value={draft} onChange={(e) => setDraft(e.target.value)} inputMode="numeric" aria-invalid={error !== null} />{' '}
        <button type="submit" data-testid="run-button">
          Run
        </button>
        {error && (
          <p id="seed-error" role="alert" data-testid="seed-error">
            {error}
          </p>
        )}
      </form>
      <dl data-testid="demo-result" aria-live="polite">
        <dt>Seed</dt>
        <dd data-testid="demo-seed">{seed}</dd>
        <dt>Trace hash (SHA-256)</dt>
        <dd data-testid="trace-hash">{result.traceHash}</dd>
        <dt>Trace events</dt>
        <dd data-testid="trace-events">{result.events}</dd>
        <dt>Replies</dt>
        <dd data-testid="replies">{result.replies}</dd>
        <dt>Simulated time</dt>
        <dd>{(result.endUs / 1000).toFixed(3)} ms</dd>
      </dl>
    </main>
  );
}
