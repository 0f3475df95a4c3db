/**
 * The lab's shared timeline: every world's connection and caller lanes on one time axis.
 *
 * Prop-driven: the visible window, the playhead and the faults come from the app; the component
 * only asks for changes (onWindowChange, onSeek, onInjectAt, onMoveFault, onDeleteFault).
 *
 * Where things are (web/src/components/timeline/):
 *  - layout.ts (lanes, rows), world-index.ts (requests sorted and culled), frame.ts (a window on
 *    a canvas), draw-world.ts with one file per layer in layers/ (lanes, connections, backoff,
 *    arrows, requests, errors, highlight), raster.ts (zoomed-out drawing), hit-test.ts;
 *  - use-zoom.ts: the shown window and d3-zoom (wheel / drag / pinch pan and zoom every world);
 *  - TimeAxis, Faults (bands and chips), WorldSection, RequestCard, Legend: the DOM parts.
 *
 * What is React and what is not: React renders the structure, none of which depends on the
 * window, so panning and zooming never re-render it. The shown window lives outside React
 * (use-zoom.ts); one requestAnimationFrame per frame draws the canvases, the axis and the
 * playhead, then the small parts that follow the window re-render. The playhead moves by direct
 * DOM updates from its subscription.
 */
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, type JSX, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { drawAxis, positionPlayhead, tickDecimals } from './timeline/axis.js';
import { drawWorld } from './timeline/draw-world.js';
import { FaultBands, FaultChips, useFaultEditing } from './timeline/Faults.js';
import { safeId } from './timeline/format.js';
import { fillCache, makeFrame, type FillFor } from './timeline/frame.js';
import { useDevicePixelRatio, useElementWidth } from './timeline/hooks.js';
import { GUTTER, RIGHT_PAD, layoutWorld } from './timeline/layout.js';
import { shareLatencyScale } from './timeline/world-index.js';
import { Legend } from './timeline/Legend.js';
import { MIN_SPAN, spanOf } from './timeline/shown-window.js';
import { TimeAxis } from './timeline/TimeAxis.js';
import type { TimelineProps, WorldData } from './timeline/types.js';
import { useRequestCursor } from './timeline/use-request-cursor.js';
import { useZoomPan } from './timeline/use-zoom.js';
import { WorldSection, resolveHighlight } from './timeline/WorldSection.js';
import { worldIndexOf } from './timeline/world-index.js';
import './timeline.css';

export type { PlayheadSource, TimelineHighlight, TimelineProps, TimeWindow } from './timeline/types.js';

/** Keyboard zoom factor per +/− press (the app's global = and - use the same), and pan step as a
 * fraction of the window. */
const ZOOM_STEP = 2;
const PAN_STEP = 0.1;

export function Timeline(props: TimelineProps): JSX.Element {
  const { view, window: win, highlight, height, onDeleteFault, onMoveFault, onInjectAt } = props;
  const uid = safeId(useId());
  const latest = useRef(props);
  useLayoutEffect(() => {
    latest.current = props;
  });

  const contentRef = useRef<HTMLDivElement>(null);
  const axisSvgRef = useRef<SVGSVGElement>(null);
  const axisGRef = useRef<SVGGElement>(null);
  const playheadRef = useRef<HTMLDivElement>(null);
  const knobRef = useRef<SVGGElement>(null);
  const knobLabelRef = useRef<SVGTextElement>(null);
  const canvasRefs = useRef<Array<HTMLCanvasElement | null>>([]);
  const width = useElementWidth(contentRef);
  const dpr = useDevicePixelRatio();

  const worlds = useMemo<WorldData[]>(() => shareLatencyScale(view.worlds.map((world) => ({ world, ix: worldIndexOf(world), lay: layoutWorld(world) }))), [view]);
  const endUs = Math.max(MIN_SPAN, view.endUs);
  const x0 = GUTTER;
  const x1 = Math.max(x0 + 1, width - RIGHT_PAD);

  // ---- The frame: canvases, axis and playhead for the shown window -----------------------------
  const drawRef = useRef<(w: { from: number; to: number }) => void>(() => {});
  const zoom = useZoomPan({ contentRef, win, onWindowChange: (w) => latest.current.onWindowChange(w), x0, x1, width, endUs, draw: (w) => drawRef.current(w) });
  const { shown, current, showWindow, requestFrame } = zoom;

  const scaleRef = useRef<ScaleLinear<number, number> | null>(null);
  const placePlayhead = useCallback((t: number) => {
    if (scaleRef.current === null) return;
    positionPlayhead({ line: playheadRef.current, knob: knobRef.current, label: knobLabelRef.current, axis: axisSvgRef.current, ticks: axisGRef.current }, scaleRef.current, t);
  }, []);
  useEffect(() => {
    placePlayhead(props.playhead.get());
    return props.playhead.subscribe(placePlayhead);
  }, [props.playhead, placePlayhead]);

  // ---- Keyboard: zoom and pan (shared by the canvases, the axis and the fault chips) ------------
  const zoomAroundPlayhead = useCallback(
    (factor: number) => {
      const w = current();
      const p = latest.current.playhead.get();
      const centre = p >= w.from && p <= w.to ? p : (w.from + w.to) / 2;
      const from = centre - (centre - w.from) * factor;
      showWindow({ from, to: from + spanOf(w) * factor });
    },
    [current, showWindow],
  );
  const pan = useCallback(
    (dir: number) => {
      const w = current();
      const step = dir * spanOf(w) * PAN_STEP;
      showWindow({ from: w.from + step, to: w.to + step });
    },
    [current, showWindow],
  );
  const centreOn = useCallback(
    (t: number) => {
      const span = spanOf(current());
      showWindow({ from: t - span / 2, to: t + span / 2 });
    },
    [current, showWindow],
  );
  /** Keys common to every focusable part; true when handled. */
  const sharedKeys = useCallback(
    (e: ReactKeyboardEvent): boolean => {
      if (e.ctrlKey || e.metaKey || e.altKey) return false;
      if (e.key === '+' || e.key === '=') zoomAroundPlayhead(1 / ZOOM_STEP);
      else if (e.key === '-' || e.key === '_') zoomAroundPlayhead(ZOOM_STEP);
      else if (e.shiftKey && e.key === 'ArrowLeft') pan(-1);
      else if (e.shiftKey && e.key === 'ArrowRight') pan(1);
      // Shift+Enter mirrors Shift+click. (Plain "i" is the app's global shortcut for the same.)
      else if (e.shiftKey && e.key === 'Enter' && onInjectAt !== undefined) onInjectAt(Math.round(latest.current.playhead.get()));
      else return false;
      return true;
    },
    [zoomAroundPlayhead, pan, onInjectAt],
  );

  const pointing = useRequestCursor({ worlds, x0, x1, current, playhead: props.playhead, centreOn, sharedKeys });
  const { hover: hoverAt, cursor: cursorAt, focusedWorld } = pointing;

  const fills = useRef(new WeakMap<CanvasRenderingContext2D, { dpr: number; fill: FillFor }>());
  const axisKey = useRef('');
  useLayoutEffect(() => {
    axisKey.current = '';
    drawRef.current = (w) => {
      const x = scaleLinear().domain([w.from, w.to]).range([x0, x1]);
      scaleRef.current = x;
      if (width > 0) {
        const ticks = x.ticks(Math.max(2, Math.floor((x1 - x0) / 110)));
        worlds.forEach((d, wi) => {
          const canvas = canvasRefs.current[wi];
          if (canvas === null || canvas === undefined) return;
          const cw = Math.round(width * dpr);
          const ch = Math.round(d.lay.height * dpr);
          if (canvas.width !== cw) canvas.width = cw;
          if (canvas.height !== ch) canvas.height = ch;
          const ctx = canvas.getContext('2d');
          if (ctx === null) return;
          ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
          let cached = fills.current.get(ctx);
          if (cached === undefined || cached.dpr !== dpr) fills.current.set(ctx, (cached = { dpr, fill: fillCache(ctx, dpr) }));
          const frame = makeFrame(ctx, width, d.lay.height, w.from, w.to, ticks, cached.fill, dpr);
          const modes = drawWorld(frame, d.ix, d.lay, {
            ...resolveHighlight(highlight, d),
            cursor: cursorAt !== null && cursorAt.wi === wi ? cursorAt.i : null,
            hover: hoverAt !== null && hoverAt.wi === wi ? hoverAt.i : null,
            focused: focusedWorld === d.world.label,
          });
          // How the wire is drawn (arrows: request by request), for tests and tools.
          if (canvas.dataset['wire'] !== modes.wire) canvas.dataset['wire'] = modes.wire;
        });
        const g = axisGRef.current;
        const key = `${w.from}:${w.to}:${x0}:${x1}`;
        if (g !== null && key !== axisKey.current) {
          axisKey.current = key;
          const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : spanOf(w);
          const dec = tickDecimals(step);
          drawAxis(g, x, ticks, (v) => (v / 1000).toFixed(dec));
        }
      }
      placePlayhead(latest.current.playhead.get());
    };
    requestFrame();
  }, [worlds, width, dpr, x0, x1, highlight, hoverAt, cursorAt, focusedWorld, placePlayhead, requestFrame]);

  // ---- Time from a pointer -------------------------------------------------------------------
  const timeAt = useCallback(
    (clientX: number): number => {
      const el = contentRef.current;
      const w = current();
      if (el === null) return w.from;
      const px = clientX - el.getBoundingClientRect().left;
      const t = w.from + ((px - x0) * spanOf(w)) / (x1 - x0);
      return Math.round(Math.min(endUs, Math.max(0, t)));
    },
    [current, x0, x1, endUs],
  );

  const faults = useFaultEditing({ x0, x1, endUs, current, onMoveFault, onDragFault: props.onDragFault, onCancelFaultDrag: props.onCancelFaultDrag, onDeleteFault, onSeek: props.onSeek, sharedKeys, refocus: () => axisSvgRef.current?.focus() });

  const cardId = `${uid}-card`;
  const pid = useCallback((key: string) => `${uid}-p-${safeId(key)}`, [uid]);
  const deletable = onDeleteFault !== undefined;

  // Nothing here depends on the window: a pan or zoom never re-renders this component.
  return (
    <div className="tl" style={height !== undefined ? { height } : undefined}>
      <Legend pid={pid} shown={shown} worlds={worlds} faults={view.faults} />
      <div className={height !== undefined ? 'tl-scroll tl-scroll-fixed' : 'tl-scroll'}>
        <div className="tl-content" ref={contentRef}>
          <div className="tl-sticky">
            <TimeAxis
              svgRef={axisSvgRef}
              ticksRef={axisGRef}
              knobRef={knobRef}
              knobLabelRef={knobLabelRef}
              width={width}
              x0={x0}
              x1={x1}
              endUs={endUs}
              playhead={props.playhead}
              current={current}
              timeAt={timeAt}
              onSeek={props.onSeek}
              onInjectAt={onInjectAt}
              sharedKeys={sharedKeys}
            />
            <FaultChips
              shown={shown}
              faults={view.faults}
              drag={faults.drag}
              x0={x0}
              x1={x1}
              movable={onMoveFault !== undefined}
              deletable={deletable}
              hintId={`${uid}-fault-hint`}
              pid={pid}
              handlers={faults.handlers}
            />
            <span id={`${uid}-fault-hint`} className="tl-sr-only">
              Drag, or press the left and right arrow keys, to move it. Enter moves the playhead to it.
            </span>
          </div>

          <div className="tl-worlds">
            {worlds.length === 0 && view.failed.length === 0 && <p className="tl-empty">No worlds to show.</p>}
            {worlds.map((d, wi) => (
              <WorldSection
                key={d.world.label}
                d={d}
                durationUs={view.durationUs}
                wi={wi}
                uid={uid}
                shown={shown}
                highlight={highlight}
                card={pointing.card !== null && pointing.card.wi === wi ? pointing.card.i : null}
                cardId={cardId}
                x0={x0}
                x1={x1}
                width={width}
                canvasRef={(el) => {
                  canvasRefs.current[wi] = el;
                }}
                handlers={pointing.canvas}
              />
            ))}
            {view.failed.map((f) => (
              <section key={`failed-${f.label}`} className="tl-world tl-world-failed" data-testid={`world-failed-${f.label}`}>
                <h3 className="tl-world-title">
                  <span className="tl-world-label">{f.label}</span> <span className="tl-world-kind">crashed</span>
                </h3>
                <p className="tl-failed-message">{f.message}</p>
              </section>
            ))}
          </div>

          <FaultBands shown={shown} faults={view.faults} drag={faults.drag} x0={x0} x1={x1} width={width} deletable={deletable} pid={pid} />
          <div ref={playheadRef} className="tl-playhead" aria-hidden="true" />
        </div>
      </div>
      <div className="tl-sr-only" aria-live="polite" data-testid="timeline-announcer">
        {pointing.announcement}
      </div>
    </div>
  );
}
