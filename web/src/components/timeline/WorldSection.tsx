/** One world on the timeline: its title, its canvas (lanes drawn by draw-world.ts) and its card. */
import type { CanvasHTMLAttributes } from 'react';
import { describeClient } from './format.js';
import { RequestCard } from './RequestCard.js';
import { useFailedInView, type ShownWindow } from './shown-window.js';
import type { TimelineHighlight, WorldData } from './types.js';
import type { CanvasHandlers } from './use-request-cursor.js';
import type { WorldIndex } from './world-index.js';

export interface ResolvedHighlight {
  dimAll: boolean;
  highlight: { from?: number; to?: number; lane?: 'connections' | 'callers'; req?: number } | null;
}

/** The tour's pointer as this world sees it: dimmed (it points elsewhere), or what to frame here. */
export function resolveHighlight(hl: TimelineHighlight | undefined, d: WorldData): ResolvedHighlight {
  if (hl === undefined) return { dimAll: false, highlight: null };
  if (hl.world !== undefined && hl.world !== d.world.label) return { dimAll: true, highlight: null };
  let req: number | undefined;
  if (hl.req !== undefined) {
    req = d.ix.reqPos.get(hl.req);
    if (req === undefined) return { dimAll: true, highlight: null };
  }
  return { dimAll: false, highlight: { from: hl.from, to: hl.to, lane: hl.lane, req } };
}

function FailedInView({ shown, ix }: { shown: ShownWindow; ix: WorldIndex }) {
  return <>{useFailedInView(shown, ix)}</>;
}

/** A world's canvas; its accessible name tells how many requests failed in view. */
function WorldCanvas({
  shown,
  ix,
  describe,
  canvasRef,
  ...rest
}: { shown: ShownWindow; ix: WorldIndex; describe: (failed: number) => string; canvasRef: (el: HTMLCanvasElement | null) => void } & Omit<CanvasHTMLAttributes<HTMLCanvasElement>, 'aria-label'> & { 'data-testid'?: string }) {
  const failed = useFailedInView(shown, ix);
  return <canvas ref={canvasRef} aria-label={describe(failed)} {...rest} />;
}

interface Props {
  d: WorldData;
  wi: number;
  uid: string;
  shown: ShownWindow;
  highlight: TimelineHighlight | undefined;
  /** The request whose card shows here, as a position in d.ix.reqs. */
  card: number | null;
  cardId: string;
  x0: number;
  x1: number;
  width: number;
  canvasRef(el: HTMLCanvasElement | null): void;
  handlers: CanvasHandlers;
}

export function WorldSection({ d, wi, uid, shown, highlight, card, cardId, x0, x1, width, canvasRef, handlers: h }: Props) {
  const label = d.world.label;
  const hl = resolveHighlight(highlight, d);
  const lanes = d.world.connLanes.length;
  return (
    <section className="tl-world" data-testid={`world-${label}`} data-highlight={highlight === undefined ? undefined : hl.dimAll ? 'dim' : 'on'} aria-labelledby={`${uid}-w${wi}`}>
      <h3 className="tl-world-title" id={`${uid}-w${wi}`}>
        <span className="tl-world-label">{label}</span> <span className="tl-world-kind">{describeClient(d.world.client)}</span>
        {highlight !== undefined && hl.highlight !== null && (
          <span className="tl-tour-badge" data-testid="tour-highlight">
            {highlight.label ?? 'Look here'}
          </span>
        )}
        <span className="tl-world-errors" aria-hidden="true">
          <FailedInView shown={shown} ix={d.ix} /> failed in view
        </span>
      </h3>
      <span className="tl-sr-only" data-testid={`error-count-${label}`}>
        <FailedInView shown={shown} ix={d.ix} />
      </span>
      <div className="tl-plot" style={{ height: d.lay.height }}>
        <WorldCanvas
          shown={shown}
          ix={d.ix}
          describe={(failed) =>
            `${label} (${d.world.client.kind}): ${lanes} connection lane${lanes === 1 ? '' : 's'}, ${d.world.callerLanes} callers, ${d.world.requests.length} requests, ${failed} failed in view. Left and right arrows move between requests, Enter centres on one, + and − zoom, Shift+arrows pan.`
          }
          canvasRef={canvasRef}
          className="tl-canvas"
          style={{ width: '100%', height: d.lay.height }}
          tabIndex={0}
          // A keyboard-driven widget: screen readers pass the arrow keys through to it.
          role="application"
          aria-roledescription="timeline"
          aria-describedby={card !== null ? cardId : undefined}
          data-testid={`timeline-canvas-${label}`}
          onPointerMove={(e) => h.onPointerMove(wi, e)}
          onPointerLeave={h.onPointerLeave}
          onClick={(e) => h.onClick(wi, e)}
          onKeyDown={(e) => h.onKeyDown(wi, e)}
          onFocus={() => h.onFocus(label)}
          onBlur={() => h.onBlur(label)}
        />
        {card !== null && <RequestCard id={cardId} d={d} i={card} shown={shown} x0={x0} x1={x1} width={width} />}
      </div>
    </section>
  );
}
