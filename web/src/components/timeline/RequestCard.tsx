/** The card beside a hovered or keyboard-selected request: its life, step by step. */
import { ms3, requestOutcome } from './format.js';
import { requestAnchor } from './hit-test.js';
import { spanOf, useShownWindow, type ShownWindow } from './shown-window.js';
import type { WorldData } from './types.js';

const CARD_W = 280;
const CARD_H = 200;

export function RequestCard({ id, d, i, shown, x0, x1, width }: { id: string; d: WorldData; i: number; shown: ShownWindow; x0: number; x1: number; width: number }) {
  const w = useShownWindow(shown);
  const frame = { x0, x1, from: w.from, k: (x1 - x0) / spanOf(w) };
  const r = d.ix.rows.at(i)!;
  const a = requestAnchor(frame, d.ix, d.lay, i);
  // Beside the request (right of its end, else left of its start), so the card never covers the
  // request's own bar or arrows; vertically centred on its row, inside the world if it fits.
  const left = a.xb + 12 + CARD_W <= width - 4 ? a.xb + 12 : a.xa - 12 - CARD_W >= 4 ? a.xa - 12 - CARD_W : Math.max(4, width - CARD_W - 4);
  const top = Math.max(0, Math.min((a.top + a.bottom) / 2 - CARD_H / 2, d.lay.height - CARD_H));
  const isPool = d.world.client.kind === 'pool' || r.queuedAt !== null || r.checkedOutAt !== null;
  const t = (v: number | null) => (v === null ? '—' : ms3(v));
  return (
    <div id={id} className="tl-card" role="tooltip" data-testid="request-card" style={{ left, top, width: CARD_W }}>
      <div className="tl-card-title">
        #{r.req} {r.name.toUpperCase()}
        {r.cmds > 1 ? ` ×${r.cmds}` : ''} · caller {r.caller}
        {r.resent ? ' · resent' : ''}
      </div>
      <dl>
        <dt>issued</dt>
        <dd>{t(r.start)}</dd>
        {isPool && (
          <>
            <dt>queued</dt>
            <dd>{t(r.queuedAt)}</dd>
            <dt>checked out</dt>
            <dd>{t(r.checkedOutAt)}</dd>
          </>
        )}
        <dt>sent</dt>
        <dd>{t(r.sentAt)}</dd>
        {r.conn !== null && (
          <>
            <dt>on connection</dt>
            <dd>#{r.conn}</dd>
          </>
        )}
        {r.sentAt !== null && (
          <>
            <dt>reached Redis</dt>
            <dd>{r.arriveAt === null ? 'not reached (lost or held on the way)' : t(r.arriveAt)}</dd>
          </>
        )}
        <dt>executed at server</dt>
        <dd>{t(r.execAt)}</dd>
        <dt>replied</dt>
        <dd>{t(r.replyAt)}</dd>
        <dt>ended</dt>
        <dd>{t(r.end)}</dd>
        <dt>result</dt>
        <dd className={r.ok === false ? 'tl-card-error' : undefined}>
          {requestOutcome(r)}
          {r.end !== null ? ` after ${ms3(r.end - r.start)}` : ''}
        </dd>
      </dl>
    </div>
  );
}
