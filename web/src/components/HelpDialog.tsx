import { memo, useEffect, useRef } from 'react';
import type { Action } from '../actions.js';
import { lab, useLab } from '../store.js';

/**
 * The help sheet: every action and its keys, from the one registry. A native modal <dialog>.
 * Memoised: the app renders as each run starts and ends, and the sheet never changes with it.
 */
export const HelpDialog = memo(function HelpDialog({ actions }: { actions: Action[] }) {
  const open = useLab((s) => s.helpOpen);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d === null) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const groups = [...new Set(actions.map((a) => a.group))];
  return (
    <dialog ref={ref} className="help" aria-labelledby="help-title" data-testid="help-dialog" onClose={() => lab.setState({ helpOpen: false })}>
      <h2 id="help-title">Keyboard shortcuts</h2>
      {groups.map((g) => (
        <section key={g}>
          <h3>{g}</h3>
          <dl>
            {actions
              .filter((a) => a.group === g)
              .map((a) => (
                <div key={a.id} className="shortcut">
                  <dt>
                    {a.keys.map((k) => (
                      <kbd key={k}>{k}</kbd>
                    ))}
                  </dt>
                  <dd>{a.label}</dd>
                </div>
              ))}
          </dl>
        </section>
      ))}
      <p>On the timeline: ←/→ move between requests, Enter centres one, +/− zoom, Shift+←/→ pan, Shift+click injects the selected fault there; a focused fault band moves with ←/→ and Delete removes it.</p>
      <form method="dialog">
        <button type="submit" data-testid="help-close" autoFocus>
          Close
        </button>
      </form>
    </dialog>
  );
});
