/**
 * What the last fault edit changed, in figures per world, against the run before it; that run
 * stays in the charts as a ghost until this line is dismissed.
 */
import { useLab, dismissDelta } from '../store.js';
import { actionById } from '../actions.js';
import './topology.css';

export function FaultDeltaLine() {
  const delta = useLab((s) => s.delta);
  if (delta === null) return null;
  const a = actionById('dismiss-delta');
  return (
    <section className="fault-delta" aria-label="What the fault changed" data-testid="fault-delta">
      <p className="fault-delta-what">{delta.what}, against the run before it (faint in the charts):</p>
      <ul>
        {delta.worlds.map((w) => (
          <li key={w.label} data-testid={`fault-delta-${w.label}`}>
            <strong>{w.label}</strong> {w.text}
          </li>
        ))}
      </ul>
      <button type="button" data-testid="action-dismiss-delta" onClick={() => dismissDelta()} title={`${a.label} (${a.keys.join(', ')})`} aria-keyshortcuts={a.keys.join(' ')}>
        Dismiss
      </button>
    </section>
  );
}
