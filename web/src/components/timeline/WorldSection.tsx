/** One world on the timeline: its title, its canvas (lanes drawn by draw-world.ts) and its card. */
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type CanvasHTMLAttributes } from 'react';
import { describeClient } from './format.js';
import { requestAnchor } from './hit-test.js';
import { laneRange } from './layers/highlight.js';
import { RequestCard } from './RequestCard.js';
import { trackFiguresOf, type TrackFigure } from './tracks.js';
import { spanOf, useFailedInView, useShownWindow, type ShownWindow } from './shown-window.js';
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

/**
 * The region the tour frames, as an element (data-testid tour-focus) over the canvas: its box is
 * what the learner is told to look at, kept on screen — scrolled into view when the pointer
 * changes — and following the window as it pans and zooms.
 */
function TourFocus({ d, hl, shown, x0, x1 }: { d: WorldData; hl: NonNullable<ResolvedHighlight['highlight']>; shown: ShownWindow; x0: number; x1: number }) {
  const w = useShownWindow(shown);
  const ref = useRef<HTMLDivElement>(null);
  const k = (x1 - x0) / spanOf(w);
  const clamp = (x: number) => Math.min(x1, Math.max(x0, x));
  let left: number, right: number, top: number, bottom: number;
  if (hl.req !== undefined) {
    const a = requestAnchor({ x0, x1, from: w.from, k }, d.ix, d.lay, hl.req);
    const r = d.ix.rows.at(hl.req)!;
    const lane = r.conn === null ? undefined : d.ix.connToLane.get(r.conn);
    left = a.xa - 3;
    right = a.xb + 3;
    top = a.top - 3;
    bottom = a.bottom + 3;
    if (lane !== undefined && r.sentAt !== null && !d.lay.conn.compressed) {
      // Its arrows on the connection lane are part of what is pointed at.
      top = Math.min(top, d.lay.conn.y + lane * d.lay.conn.rowH - 3);
      left = Math.min(left, clamp(x0 + (r.sentAt - w.from) * k) - 3);
      right = Math.max(right, clamp(x0 + ((r.replyAt ?? d.ix.end[hl.req]!) - w.from) * k) + 3);
    }
  } else {
    [top, bottom] = laneRange(d.lay, hl.lane, d.lay.height);
    left = hl.from === undefined ? x0 : clamp(x0 + (hl.from - w.from) * k);
    right = hl.to === undefined ? x1 : clamp(x0 + (hl.to - w.from) * k);
  }
  left = Math.max(0, left);
  top = Math.max(0, top);
  bottom = Math.min(d.lay.height, bottom);
  const key = `${d.world.label}:${hl.req}:${hl.lane}:${hl.from}:${hl.to}`;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const keep = () => el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    keep();
    // What sits above it (the topologies, the introduction) may still grow after the run lands:
    // keep the region framed while the layout settles, then leave scrolling to the learner.
    const ro = new ResizeObserver(keep);
    ro.observe(document.body);
    const settle = setTimeout(() => ro.disconnect(), 2000);
    return () => {
      clearTimeout(settle);
      ro.disconnect();
    };
  }, [key, d]);
  return <div ref={ref} className="tl-tour-focus" data-testid="tour-focus" aria-hidden="true" style={{ left, top, width: Math.max(4, right - left), height: Math.max(4, bottom - top) }} />;
}

/**
 * What the extra tracks of this world hold: an element per track over the part of the world it
 * is drawn in (data-testid track-<kind>-<world>, its figures as data-count and data-value), its
 * words for screen readers; the same words, shown, in one line under the world's title.
 */
function trackRange(d: WorldData, region: TrackFigure['region']): [number, number] {
  if (region === 'callers' || region === 'connections') return laneRange(d.lay, region, d.lay.height);
  const rows = d.lay.strips.rows.filter((r) => (region === 'connects' || region === 'latency' ? r.kind === region : r.kind.startsWith('busy')));
  if (rows.length === 0) return [d.lay.strips.y, d.lay.strips.y];
  return [rows[0]!.y, rows[rows.length - 1]!.y + rows[rows.length - 1]!.h];
}

function Tracks({ d, figures }: { d: WorldData; figures: TrackFigure[] }) {
  if (figures.length === 0) return null;
  const label = d.world.label;
  return (
    <>
      {figures.map((t) => {
        const [top, bottom] = trackRange(d, t.region);
        return (
          <div key={t.kind} className="tl-track" data-testid={`track-${t.kind}-${label}`} data-count={t.count} data-value={t.value} style={{ top, height: Math.max(4, bottom - top) }}>
            <span className="tl-sr-only">
              {label}: {t.text}
            </span>
          </div>
        );
      })}
    </>
  );
}

/**
 * The figures under a world's title. On a phone (timeline.css) they are cut to two lines, with a
 * button to show them all when they are longer; screen readers have them whole in the tracks.
 */
/** Where TrackNotes' figures are cut to two lines (timeline.css). */
const PHONE = '(max-width: 600px)';

function TrackNotes({ id, label, text }: { id: string; label: string; text: string }) {
  const ref = useRef<HTMLParagraphElement>(null);
  const [open, setOpen] = useState(false);
  const [cut, setCut] = useState(false);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    // Only a phone cuts the figures (timeline.css, max-width 600px): elsewhere nothing is cut, and
    // measuring here would force a layout of the whole page in the middle of each new run's
    // commit. Crossing the breakpoint resizes the paragraph, which the observer sees.
    const check = () => setCut(window.matchMedia(PHONE).matches && el.scrollHeight > el.clientHeight + 1);
    check();
    const ro = new ResizeObserver(check);
    ro.observe(el);
    return () => ro.disconnect();
  }, [text]);
  return (
    <>
      <p ref={ref} id={id} className={open ? 'tl-track-notes tl-notes-open' : 'tl-track-notes'} aria-hidden="true">
        {text}
      </p>
      {(cut || open) && (
        <button type="button" className="tl-notes-more" aria-expanded={open} aria-controls={id} aria-label={`${open ? 'less' : 'more'}: ${open ? 'two lines of' : 'all'} the figures of ${label}`} onClick={() => setOpen((o) => !o)}>
          {open ? 'less' : 'more…'}
        </button>
      )}
    </>
  );
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
  /** The scenario's duration (figures over the run leave its drain out). */
  durationUs: number;
  wi: number;
  uid: string;
  shown: ShownWindow;
  highlight: TimelineHighlight | undefined;
  /** The request whose card shows here, as a position in d.ix.rows. */
  card: number | null;
  cardId: string;
  x0: number;
  x1: number;
  width: number;
  canvasRef(el: HTMLCanvasElement | null): void;
  handlers: CanvasHandlers;
}

export function WorldSection({ d, durationUs, wi, uid, shown, highlight, card, cardId, x0, x1, width, canvasRef, handlers: h }: Props) {
  const label = d.world.label;
  const hl = resolveHighlight(highlight, d);
  const lanes = d.world.connLanes.length;
  const figures = useMemo(() => trackFiguresOf(d.world, durationUs), [d.world, durationUs]);
  return (
    <section className="tl-world" data-testid={`world-${label}`} data-highlight={highlight === undefined ? undefined : hl.dimAll ? 'dim' : 'on'} aria-labelledby={`${uid}-w${wi}`}>
      {/* One line when it fits: the title, its figures beside it, the failures at the right. */}
      <div className="tl-world-head">
        <h3 className="tl-world-title" id={`${uid}-w${wi}`}>
          <span className="tl-world-label">{label}</span> <span className="tl-world-kind">{describeClient(d.world.client)}</span>
          {highlight !== undefined && hl.highlight !== null && (
            <span className="tl-tour-badge" data-testid="tour-highlight">
              {highlight.label ?? 'Look here'}
            </span>
          )}
        </h3>
        {figures.some((t) => t.notable) && (
          <TrackNotes
            id={`${uid}-w${wi}-notes`}
            label={label}
            text={figures
              .filter((t) => t.notable)
              .map((t) => t.text)
              .join(' · ')}
          />
        )}
        <span className="tl-world-errors" aria-hidden="true">
          <FailedInView shown={shown} ix={d.ix} /> failed in view
        </span>
      </div>
      <span className="tl-sr-only" data-testid={`error-count-${label}`}>
        <FailedInView shown={shown} ix={d.ix} />
      </span>
      <div className="tl-plot" style={{ height: d.lay.height }}>
        <Tracks d={d} figures={figures} />
        <WorldCanvas
          shown={shown}
          ix={d.ix}
          describe={(failed) =>
            `${label} (${d.world.client.kind}): ${lanes} connection lane${lanes === 1 ? '' : 's'}, ${d.world.callerLanes} callers, ${d.ix.rows.n} requests, ${failed} failed in view. Left and right arrows move between requests, Enter centres on one, + and − zoom, Shift+arrows pan.`
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
        {hl.highlight !== null && <TourFocus d={d} hl={hl.highlight} shown={shown} x0={x0} x1={x1} />}
        {card !== null && <RequestCard id={cardId} d={d} i={card} shown={shown} x0={x0} x1={x1} width={width} />}
      </div>
    </section>
  );
}
