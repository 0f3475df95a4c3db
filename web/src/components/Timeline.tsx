/**
 * The lab's shared timeline: every world's connection and caller lanes on one time axis.
 *
 * Prop-driven: the visible window, the playhead and the faults come from the app; the component
 * only asks for changes (onWindowChange, onSeek, onInjectAt, onMoveFault, onDeleteFault).
 *
 * What is React and what is not:
 *  - React renders the structure (sections, legend, fault chips, the request card) and re-renders
 *    when the window changes (cheap: a few dozen elements);
 *  - the dense parts are drawn on one canvas per world, in requestAnimationFrame, by the pure
 *    functions of timeline-draw.ts;
 *  - the playhead moves by direct DOM updates from its subscription, never by a render;
 *  - d3-zoom owns wheel / drag / pinch on the whole timeline, so all worlds pan and zoom together.
 */
import { axisTop } from 'd3-axis';
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import { zoom as d3zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import {
  memo,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type JSX,
  type KeyboardEvent as ReactKeyboardEvent,
  type MouseEvent as ReactMouseEvent,
  type PointerEvent as ReactPointerEvent,
  type RefObject,
} from 'react';
import type { ClientSpec } from '../../../sim/scenario/schema.js';
import type { FaultView, LabView, RequestView, WorldView } from '../../../sim/views/types.js';
import { CONN_STATES, ERROR_SWATCHES, FAULT, INK, PATTERN_TILE, REQUEST_STATES, WIRE, glyphIsStroked, glyphPath, patternTile, type Swatch } from '../palette.js';
import {
  GUTTER,
  RIGHT_PAD,
  buildWorldIndex,
  countFailedIn,
  drawWorld,
  fillCache,
  hitTest,
  layoutWorld,
  lowerBound,
  makeFrame,
  requestAnchor,
  upperBound,
  type FillFor,
  type WorldIndex,
  type WorldLayout,
} from './timeline-draw.js';
import './timeline.css';

// ---- Contract -----------------------------------------------------------------------------------

export interface TimeWindow {
  from: number;
  to: number;
} // µs, visible range
export interface PlayheadSource {
  get(): number;
  subscribe(fn: (t: number) => void): () => void;
} // µs; updates outside React renders
export interface TimelineHighlight {
  world?: string;
  from?: number;
  to?: number;
  req?: number;
  lane?: 'connections' | 'callers';
}
export interface TimelineProps {
  view: LabView;
  window: TimeWindow;
  onWindowChange(w: TimeWindow): void; // zoom / pan (d3-zoom on the shared axis; all world groups linked)
  playhead: PlayheadSource;
  onSeek(t: number): void; // click / drag on the time axis moves the playhead
  onInjectAt?(t: number): void; // shift+click on the axis (or a keyboard action) asks to inject the selected fault at t
  onMoveFault?(index: number, atUs: number): void; // drag a fault band horizontally
  onDeleteFault?(index: number): void; // Delete/Backspace on a focused fault band, or its × button
  highlight?: TimelineHighlight; // the guided tour points at a lane, a time range or a request
  height?: number;
}

// ---- Constants ----------------------------------------------------------------------------------

/** The narrowest window (µs): at 1 µs ≈ 100 px, finer would show nothing new. */
const MIN_SPAN = 10;
const AXIS_H = 34;
const FAULT_ROW_H = 24;
/** Keyboard zoom factor per +/− press (the app's global = and - use the same), and pan step as a
 * fraction of the window. */
const ZOOM_STEP = 2;
const PAN_STEP = 0.1;
const CARD_W = 280;
const CARD_H = 200;

// ---- Small helpers ------------------------------------------------------------------------------

/** µs as ms with 3 decimals, for exact readings. */
function ms3(us: number): string {
  return `${(us / 1000).toFixed(3)} ms`;
}

/** µs as ms without trailing zeros, for labels ("1200 ms"). */
function msShort(us: number): string {
  return `${Number((us / 1000).toFixed(3))} ms`;
}

/** Keeps a window inside the run, at least MIN_SPAN wide. */
function clampWindow(w: TimeWindow, endUs: number): TimeWindow {
  const end = Math.max(MIN_SPAN, endUs);
  const span = Math.min(end, Math.max(MIN_SPAN, w.to - w.from));
  const from = Math.min(Math.max(0, w.from), end - span);
  return { from, to: from + span };
}

function sameWindow(a: TimeWindow, b: TimeWindow): boolean {
  return Math.abs(a.from - b.from) < 1e-6 && Math.abs(a.to - b.to) < 1e-6;
}

function tickDecimals(step: number): number {
  return step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
}

function describeClient(c: ClientSpec): string {
  switch (c.kind) {
    case 'pool':
      return `pool${c.size !== undefined ? ` of ${c.size} connections` : ''}${c.onExhausted !== undefined ? `, ${c.onExhausted} when all are busy` : ''}`;
    case 'multiplex':
      return 'multiplexed, one connection';
    case 'serial':
      return 'serial, one connection, one call at a time';
    case 'naive':
      return 'naive, a connection per command';
  }
}

function faultAria(f: FaultView, deletable: boolean): string {
  const when = f.until > f.at ? `from ${msShort(f.at)} to ${msShort(f.until)}` : `at ${msShort(f.at)}`;
  return `${f.label} ${when}${deletable ? '; Delete removes it' : ''}`;
}

function requestSummary(r: RequestView): string {
  const outcome = r.ok === true ? 'ok' : r.ok === false ? `failed: ${r.error}` : 'no reply yet';
  const took = r.end !== null ? `, took ${ms3(r.end - r.start)}` : '';
  return `Request ${r.req} (${r.name}) of caller ${r.caller}, issued at ${ms3(r.start)}, ${outcome}${took}`;
}

function safeId(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

// ---- Hooks --------------------------------------------------------------------------------------

/** The element's CSS width, kept current by a ResizeObserver. */
function useElementWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    setWidth(Math.floor(el.getBoundingClientRect().width));
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver((entries) => {
      const e = entries[0];
      if (e !== undefined) setWidth(Math.floor(e.contentRect.width));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

/** devicePixelRatio, updated when it changes (browser zoom, moving to another screen). */
function useDevicePixelRatio(): number {
  const [dpr, setDpr] = useState(() => (typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1));
  useEffect(() => {
    if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return;
    const mq = window.matchMedia(`(resolution: ${dpr}dppx)`);
    const onChange = () => setDpr(window.devicePixelRatio || 1);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, [dpr]);
  return dpr;
}

// ---- The component ------------------------------------------------------------------------------

interface WorldData {
  world: WorldView;
  ix: WorldIndex;
  lay: WorldLayout;
}

/** A request, by world label and request id (survives re-runs that keep it). */
interface ReqRef {
  label: string;
  req: number;
}

interface ResolvedHighlight {
  dimAll: boolean;
  highlight: { from?: number; to?: number; lane?: 'connections' | 'callers'; req?: number } | null;
}

function resolveHighlight(hl: TimelineHighlight | undefined, d: WorldData): ResolvedHighlight {
  if (hl === undefined) return { dimAll: false, highlight: null };
  if (hl.world !== undefined && hl.world !== d.world.label) return { dimAll: true, highlight: null };
  let req: number | undefined;
  if (hl.req !== undefined) {
    req = d.ix.reqPos.get(hl.req);
    if (req === undefined) return { dimAll: true, highlight: null };
  }
  return { dimAll: false, highlight: { from: hl.from, to: hl.to, lane: hl.lane, req } };
}

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

  const [hover, setHover] = useState<ReqRef | null>(null);
  const [cursor, setCursor] = useState<ReqRef | null>(null);
  const [focusedWorld, setFocusedWorld] = useState<string | null>(null);
  const [drag, setDrag] = useState<{ index: number; at: number } | null>(null);
  const [announcement, setAnnouncement] = useState('');

  const worlds = useMemo<WorldData[]>(() => view.worlds.map((world) => ({ world, ix: buildWorldIndex(world), lay: layoutWorld(world) })), [view]);
  const endUs = Math.max(MIN_SPAN, view.endUs);
  const x0 = GUTTER;
  const x1 = Math.max(x0 + 1, width - RIGHT_PAD);
  const span = Math.max(1, win.to - win.from);
  const x = useMemo(() => scaleLinear().domain([win.from, win.to]).range([x0, x1]), [win.from, win.to, x0, x1]);
  const ticks = useMemo(() => x.ticks(Math.max(2, Math.floor((x1 - x0) / 110))), [x, x0, x1]);
  const errorCounts = useMemo(() => worlds.map((d) => countFailedIn(d.ix, win.from, win.to)), [worlds, win.from, win.to]);

  // ---- Window changes (one place; d3-zoom gestures are remembered to tell echoes apart) ----
  const recentZoomWindows = useRef<TimeWindow[]>([]);
  const emitWindow = useCallback((w: TimeWindow, fromZoomGesture: boolean) => {
    const p = latest.current;
    const next = clampWindow(w, Math.max(MIN_SPAN, p.view.endUs));
    if (sameWindow(next, p.window)) return;
    if (fromZoomGesture) recentZoomWindows.current = [...recentZoomWindows.current.slice(-7), next];
    p.onWindowChange(next);
  }, []);

  // ---- d3-zoom on the whole timeline -------------------------------------------------------
  const zoomRef = useRef<ZoomBehavior<HTMLDivElement, unknown> | null>(null);
  const baseRef = useRef<ScaleLinear<number, number> | null>(null);
  useEffect(() => {
    const el = contentRef.current;
    if (el === null) return;
    const z = d3zoom<HTMLDivElement, unknown>()
      .filter((event: Event) => {
        if (event.type === 'wheel') return true; // wheel zooms anywhere, the axis included
        // The axis seeks and fault chips drag on their own; everything else pans.
        const target = event.target instanceof Element ? event.target : null;
        if (target?.closest('[data-tl-nozoom]')) return false;
        const m = event as MouseEvent;
        return !m.ctrlKey && !m.button;
      })
      .on('zoom', (event: D3ZoomEvent<HTMLDivElement, unknown>) => {
        // Programmatic changes have no source event; only gestures become window changes.
        const base = baseRef.current;
        if (event.sourceEvent === null || event.sourceEvent === undefined || base === null) return;
        const [from, to] = event.transform.rescaleX(base).domain() as [number, number];
        emitWindow({ from, to }, true);
      });
    zoomRef.current = z;
    const sel = select(el);
    sel.call(z);
    return () => {
      sel.on('.zoom', null);
      zoomRef.current = null;
    };
  }, [emitWindow]);

  /**
   * Keep d3-zoom's transform equal to the controlled window. Set directly (no events, so no
   * feedback into onWindowChange), and skipped when the window is an echo of a gesture d3 is
   * still driving — resetting it then would undo wheel steps that arrived before the re-render.
   */
  useLayoutEffect(() => {
    const el = contentRef.current;
    const z = zoomRef.current;
    if (el === null || z === null || width === 0) return;
    const base = scaleLinear().domain([0, endUs]).range([x0, x1]);
    const widthChanged = baseRef.current === null || baseRef.current.range()[1] !== x1 || baseRef.current.domain()[1] !== endUs;
    baseRef.current = base;
    z.extent([
      [x0, 0],
      [x1, 1],
    ])
      .translateExtent([
        [x0, 0],
        [x1, 1],
      ])
      .scaleExtent([1, Math.max(1, endUs / MIN_SPAN)]);
    const echo = recentZoomWindows.current.some((w) => sameWindow(w, win));
    if (echo && !widthChanged) return;
    const k = endUs / span;
    const t: ZoomTransform = zoomIdentity.translate(x0 - k * base(win.from), 0).scale(k);
    (el as unknown as { __zoom: ZoomTransform }).__zoom = t;
  }, [win, width, endUs, x0, x1, span]);

  // ---- Axis --------------------------------------------------------------------------------
  useLayoutEffect(() => {
    const g = axisGRef.current;
    if (g === null || width === 0) return;
    const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : span;
    const d = tickDecimals(step);
    const axis = axisTop(x)
      .tickValues(ticks)
      .tickSizeOuter(0)
      .tickSize(6)
      .tickFormat((v) => (Number(v) / 1000).toFixed(d));
    select(g).call(axis);
  }, [x, ticks, span, width]);

  // ---- Playhead: direct DOM updates ----------------------------------------------------------
  const scaleRef = useRef(x);
  const positionPlayhead = useCallback((t: number) => {
    const s = scaleRef.current;
    const [from, to] = s.domain() as [number, number];
    const visible = t >= from && t <= to;
    const px = s(t);
    const line = playheadRef.current;
    if (line !== null) {
      line.style.transform = `translateX(${px}px)`;
      line.style.visibility = visible ? 'visible' : 'hidden';
    }
    const knob = knobRef.current;
    if (knob !== null) {
      knob.setAttribute('transform', `translate(${px},0)`);
      knob.style.visibility = visible ? 'visible' : 'hidden';
    }
    const label = knobLabelRef.current;
    if (label !== null) {
      label.textContent = ms3(t);
      // Keep the label inside the axis near the right edge.
      const right = px + 70 > s.range()[1]! + RIGHT_PAD;
      label.setAttribute('text-anchor', right ? 'end' : 'start');
      label.setAttribute('x', right ? '-7' : '7');
    }
    const axis = axisSvgRef.current;
    if (axis !== null) {
      axis.setAttribute('aria-valuenow', String(Math.round(t)));
      axis.setAttribute('aria-valuetext', ms3(t));
    }
  }, []);
  useLayoutEffect(() => {
    scaleRef.current = x;
    positionPlayhead(latest.current.playhead.get());
  }, [x, positionPlayhead]);
  useEffect(() => {
    positionPlayhead(props.playhead.get());
    return props.playhead.subscribe(positionPlayhead);
  }, [props.playhead, positionPlayhead]);

  // ---- Canvas drawing, once per animation frame -----------------------------------------------
  const resolveReq = useCallback(
    (ref: ReqRef | null): { wi: number; i: number } | null => {
      if (ref === null) return null;
      const wi = worlds.findIndex((d) => d.world.label === ref.label);
      const i = wi < 0 ? undefined : worlds[wi]!.ix.reqPos.get(ref.req);
      return i === undefined ? null : { wi, i };
    },
    [worlds],
  );
  const fills = useRef(new WeakMap<CanvasRenderingContext2D, { dpr: number; fill: FillFor }>());
  const frameInputs = useRef<() => void>(() => {});
  const rafRef = useRef(0);
  useEffect(() => {
    const hoverAt = resolveReq(hover);
    const cursorAt = resolveReq(cursor);
    frameInputs.current = () => {
      if (width === 0) return;
      worlds.forEach((d, wi) => {
        const canvas = canvasRefs.current[wi];
        if (canvas === null || canvas === undefined) return;
        const w = Math.round(width * dpr);
        const h = Math.round(d.lay.height * dpr);
        if (canvas.width !== w) canvas.width = w;
        if (canvas.height !== h) canvas.height = h;
        const ctx = canvas.getContext('2d');
        if (ctx === null) return;
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        let cached = fills.current.get(ctx);
        if (cached === undefined || cached.dpr !== dpr) fills.current.set(ctx, (cached = { dpr, fill: fillCache(ctx, dpr) }));
        const frame = makeFrame(ctx, width, d.lay.height, win.from, win.to, ticks, cached.fill, dpr);
        const hl = resolveHighlight(highlight, d);
        drawWorld(frame, d.ix, d.lay, {
          ...hl,
          cursor: cursorAt !== null && cursorAt.wi === wi ? cursorAt.i : null,
          hover: hoverAt !== null && hoverAt.wi === wi ? hoverAt.i : null,
          focused: focusedWorld === d.world.label,
        });
      });
    };
    if (rafRef.current === 0) {
      rafRef.current = requestAnimationFrame(() => {
        rafRef.current = 0;
        frameInputs.current();
      });
    }
  }, [worlds, win.from, win.to, width, dpr, ticks, highlight, hover, cursor, focusedWorld, resolveReq]);
  useEffect(
    () => () => {
      cancelAnimationFrame(rafRef.current);
      rafRef.current = 0;
    },
    [],
  );

  // A new run: forget pointers into the old one that no longer exist.
  useEffect(() => {
    setHover((h) => (resolveReq(h) === null ? null : h));
    setCursor((c) => (resolveReq(c) === null ? null : c));
  }, [resolveReq]);

  // ---- Time from a pointer -------------------------------------------------------------------
  const timeAtClientX = useCallback(
    (clientX: number): number => {
      const el = contentRef.current;
      if (el === null) return win.from;
      const px = clientX - el.getBoundingClientRect().left;
      return Math.round(Math.min(endUs, Math.max(0, x.invert(px))));
    },
    [x, win.from, endUs],
  );

  // ---- Keyboard: zoom and pan (shared by the canvases and the axis) ---------------------------
  const zoomAroundPlayhead = useCallback(
    (factor: number) => {
      const p = latest.current.playhead.get();
      const centre = p >= win.from && p <= win.to ? p : (win.from + win.to) / 2;
      const next = span * factor;
      emitWindow({ from: centre - (centre - win.from) * factor, to: centre - (centre - win.from) * factor + next }, false);
    },
    [win.from, win.to, span, emitWindow],
  );
  const pan = useCallback((dir: number) => emitWindow({ from: win.from + dir * span * PAN_STEP, to: win.to + dir * span * PAN_STEP }, false), [win.from, win.to, span, emitWindow]);
  const centreOn = useCallback((t: number) => emitWindow({ from: t - span / 2, to: t + span / 2 }, false), [span, emitWindow]);

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

  // ---- Canvas: hover, click, keyboard cursor -------------------------------------------------
  const hitAt = (wi: number, e: ReactPointerEvent<HTMLCanvasElement> | ReactMouseEvent<HTMLCanvasElement>): ReqRef | null => {
    const d = worlds[wi];
    if (d === undefined) return null;
    const rect = e.currentTarget.getBoundingClientRect();
    const i = hitTest({ x0, x1, from: win.from, to: win.to, k: (x1 - x0) / span }, d.ix, d.lay, e.clientX - rect.left, e.clientY - rect.top);
    return i === null ? null : { label: d.world.label, req: d.ix.reqs[i]!.req };
  };
  const sameRef = (a: ReqRef | null, b: ReqRef | null) => a === b || (a !== null && b !== null && a.label === b.label && a.req === b.req);
  const onCanvasPointerMove = (wi: number, e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (e.buttons !== 0) return; // panning: the card would only flicker
    const hit = hitAt(wi, e);
    setHover((h) => (sameRef(h, hit) ? h : hit));
  };
  const onCanvasClick = (wi: number, e: ReactMouseEvent<HTMLCanvasElement>) => {
    const hit = hitAt(wi, e);
    if (hit !== null) setCursor(hit);
  };

  const moveCursor = (wi: number, how: 'prev' | 'next' | 'first' | 'last') => {
    const d = worlds[wi];
    if (d === undefined || d.ix.reqs.length === 0) return;
    const n = d.ix.reqs.length;
    const cur = resolveReq(cursor);
    let i: number;
    if (how === 'first') i = Math.min(n - 1, lowerBound(d.ix.start, win.from));
    else if (how === 'last') i = Math.max(0, upperBound(d.ix.start, win.to) - 1);
    else if (cur !== null && cur.wi === wi) i = cur.i + (how === 'next' ? 1 : -1);
    else {
      // Start from the playhead if it is in view, else from the window's start.
      const p = latest.current.playhead.get();
      const t = p >= win.from && p <= win.to ? p : win.from;
      i = how === 'next' ? lowerBound(d.ix.start, t) : upperBound(d.ix.start, t) - 1;
    }
    i = Math.max(0, Math.min(n - 1, i));
    const r = d.ix.reqs[i]!;
    setHover(null);
    setCursor({ label: d.world.label, req: r.req });
    setAnnouncement(requestSummary(r));
    if (r.start > win.to || d.ix.end[i]! < win.from) centreOn(r.start);
  };

  const onCanvasKeyDown = (wi: number, e: ReactKeyboardEvent<HTMLCanvasElement>) => {
    let handled = sharedKeys(e);
    if (!handled && !e.ctrlKey && !e.metaKey && !e.altKey) {
      handled = true;
      if (e.key === 'ArrowRight' && !e.shiftKey) moveCursor(wi, 'next');
      else if (e.key === 'ArrowLeft' && !e.shiftKey) moveCursor(wi, 'prev');
      else if (e.key === 'Home') moveCursor(wi, 'first');
      else if (e.key === 'End') moveCursor(wi, 'last');
      else if (e.key === 'Enter') {
        const cur = resolveReq(cursor);
        if (cur !== null && cur.wi === wi) {
          const d = worlds[wi]!;
          centreOn((d.ix.start[cur.i]! + d.ix.end[cur.i]!) / 2);
        } else moveCursor(wi, 'next');
      } else if (e.key === 'Escape' && cursor !== null) {
        // Not consumed: the app's Escape (cancel a run) must still work from here.
        setCursor(null);
        handled = false;
      } else handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  // ---- Axis: seek by pointer and keyboard ----------------------------------------------------
  const seeking = useRef<number | null>(null);
  const onAxisPointerDown = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (e.button !== 0) return;
    const t = timeAtClientX(e.clientX);
    if (e.shiftKey) {
      onInjectAt?.(t);
      return;
    }
    e.currentTarget.setPointerCapture(e.pointerId);
    seeking.current = e.pointerId;
    props.onSeek(t);
  };
  const onAxisPointerMove = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (seeking.current === e.pointerId) props.onSeek(timeAtClientX(e.clientX));
  };
  const endSeek = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (seeking.current !== e.pointerId) return;
    seeking.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  };
  const onAxisKeyDown = (e: ReactKeyboardEvent<SVGSVGElement>) => {
    let handled = sharedKeys(e);
    if (!handled && !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey) {
      const p = latest.current.playhead.get();
      const seekTo = (t: number) => props.onSeek(Math.round(Math.min(endUs, Math.max(0, t))));
      handled = true;
      if (e.key === 'ArrowRight') seekTo(p + span / 100);
      else if (e.key === 'ArrowLeft') seekTo(p - span / 100);
      else if (e.key === 'PageUp') seekTo(p + span / 10);
      else if (e.key === 'PageDown') seekTo(p - span / 10);
      else if (e.key === 'Home') seekTo(0);
      else if (e.key === 'End') seekTo(endUs);
      else handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  // ---- Faults: chips (focusable, draggable, deletable) and bands -----------------------------
  const faultDrag = useRef<{ index: number; pointerId: number; startX: number; at0: number; moved: boolean } | null>(null);
  const faultAt = (f: FaultView) => (drag !== null && drag.index === f.index ? drag.at : f.at);
  const clampFaultAt = (f: FaultView, at: number) => Math.round(Math.min(Math.max(0, at), Math.max(0, endUs - (f.until - f.at))));

  const onChipPointerDown = (f: FaultView, e: ReactPointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 || onMoveFault === undefined) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    faultDrag.current = { index: f.index, pointerId: e.pointerId, startX: e.clientX, at0: f.at, moved: false };
  };
  const onChipPointerMove = (f: FaultView, e: ReactPointerEvent<HTMLDivElement>) => {
    const g = faultDrag.current;
    if (g === null || g.pointerId !== e.pointerId) return;
    const dx = e.clientX - g.startX;
    if (!g.moved && Math.abs(dx) < 3) return;
    g.moved = true;
    setDrag({ index: f.index, at: clampFaultAt(f, g.at0 + (dx * span) / (x1 - x0)) });
  };
  const onChipPointerUp = (f: FaultView, e: ReactPointerEvent<HTMLDivElement>) => {
    const g = faultDrag.current;
    if (g === null || g.pointerId !== e.pointerId) return;
    faultDrag.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
    if (g.moved) {
      const at = clampFaultAt(f, g.at0 + ((e.clientX - g.startX) * span) / (x1 - x0));
      setDrag(null);
      if (at !== f.at) onMoveFault?.(f.index, at);
    }
  };
  const onChipPointerCancel = () => {
    faultDrag.current = null;
    setDrag(null);
  };
  const deleteFault = (f: FaultView) => {
    if (onDeleteFault === undefined) return;
    onDeleteFault(f.index);
    axisSvgRef.current?.focus(); // the chip is about to disappear; keep focus in the timeline
  };
  const onChipKeyDown = (f: FaultView, e: ReactKeyboardEvent<HTMLDivElement>) => {
    let handled = true;
    if ((e.key === 'Delete' || e.key === 'Backspace') && onDeleteFault !== undefined) deleteFault(f);
    else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && onMoveFault !== undefined && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const step = (e.shiftKey ? span / 10 : span / 50) * (e.key === 'ArrowLeft' ? -1 : 1);
      onMoveFault(f.index, clampFaultAt(f, f.at + step));
    } else if (e.key === 'Enter') props.onSeek(f.at);
    else handled = sharedKeys(e);
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  /** Chips laid out in rows so overlapping labels never hide each other. */
  const chips = useMemo(() => {
    const rows: number[] = [];
    const out: Array<{ f: FaultView; left: number; width: number; row: number }> = [];
    const visible = view.faults
      .map((f) => {
        const at = drag !== null && drag.index === f.index ? drag.at : f.at;
        const until = at + (f.until - f.at);
        return { f, xa: x(at), xb: x(until) };
      })
      .filter((c) => c.xb >= x0 - 1 && c.xa <= x1 + 1)
      .sort((a, b) => a.xa - b.xa);
    for (const c of visible) {
      const left = Math.max(x0, c.xa);
      const labelW = 7.2 * c.f.label.length + (onDeleteFault !== undefined ? 52 : 32);
      const w = Math.max(labelW, Math.min(x1, c.xb) - left);
      let row = rows.findIndex((r) => r + 4 <= left);
      if (row < 0) row = rows.push(0) - 1;
      rows[row] = left + w;
      out.push({ f: c.f, left, width: w, row });
    }
    return { chips: out, rows: rows.length };
  }, [view.faults, drag, x, x0, x1, onDeleteFault]);
  const stickyH = AXIS_H + chips.rows * FAULT_ROW_H;

  // ---- The request card ------------------------------------------------------------------------
  const cardRef = hover ?? (cursor !== null && focusedWorld === cursor.label ? cursor : null);
  const cardAt = resolveReq(cardRef);
  const cardId = `${uid}-card`;
  const pid = useCallback((key: string) => `${uid}-p-${safeId(key)}`, [uid]);

  // ---- Render --------------------------------------------------------------------------------
  return (
    <div className="tl" style={height !== undefined ? { height } : undefined}>
      <Legend pid={pid} />
      <div className={height !== undefined ? 'tl-scroll tl-scroll-fixed' : 'tl-scroll'}>
        <div className="tl-content" ref={contentRef}>
          <div className="tl-sticky" style={{ height: stickyH }}>
            <svg
              ref={axisSvgRef}
              className="tl-axis"
              width={width}
              height={AXIS_H}
              data-tl-nozoom=""
              data-testid="timeline-axis"
              role="slider"
              tabIndex={0}
              aria-label="Time axis and playhead. Click or drag to move the playhead, Shift+click to inject the selected fault there. Arrow keys move the playhead, + and − zoom, Shift+arrows pan, Shift+Enter injects the selected fault at the playhead."
              aria-valuemin={0}
              aria-valuemax={Math.round(endUs)}
              aria-orientation="horizontal"
              onPointerDown={onAxisPointerDown}
              onPointerMove={onAxisPointerMove}
              onPointerUp={endSeek}
              onPointerCancel={endSeek}
              onKeyDown={onAxisKeyDown}
            >
              <rect x={x0} y={0} width={Math.max(0, x1 - x0)} height={AXIS_H} className="tl-axis-hit" />
              <text x={6} y={14} className="tl-axis-unit">
                time (ms)
              </text>
              <g ref={axisGRef} transform={`translate(0,${AXIS_H - 4})`} className="tl-axis-ticks" />
              <g ref={knobRef} className="tl-knob">
                <path d={`M-6,${AXIS_H - 12} L6,${AXIS_H - 12} L0,${AXIS_H - 2} Z`} />
                <text ref={knobLabelRef} x={7} y={AXIS_H - 14} className="tl-knob-label" />
              </g>
            </svg>
            {chips.chips.length > 0 && (
              <div className="tl-faults" style={{ height: chips.rows * FAULT_ROW_H }}>
                {chips.chips.map(({ f, left, width: w, row }) => (
                  <div key={f.index} className="tl-fault" style={{ left, width: w, top: row * FAULT_ROW_H }} data-tl-nozoom="">
                    <div
                      role="button"
                      tabIndex={0}
                      className={`tl-fault-band${onMoveFault !== undefined ? ' tl-movable' : ''}${drag?.index === f.index ? ' tl-dragging' : ''}`}
                      aria-label={faultAria(f, onDeleteFault !== undefined)}
                      aria-describedby={onMoveFault !== undefined ? `${uid}-fault-hint` : undefined}
                      data-testid={`fault-${f.index}`}
                      onPointerDown={(e) => onChipPointerDown(f, e)}
                      onPointerMove={(e) => onChipPointerMove(f, e)}
                      onPointerUp={(e) => onChipPointerUp(f, e)}
                      onPointerCancel={onChipPointerCancel}
                      onKeyDown={(e) => onChipKeyDown(f, e)}
                    >
                      <svg width={12} height={12} aria-hidden="true" className="tl-fault-swatch">
                        <rect width={12} height={12} fill={`url(#${pid('fault')})`} stroke={FAULT.edge} />
                      </svg>
                      <span className="tl-fault-label">{f.label}</span>
                    </div>
                    {onDeleteFault !== undefined && (
                      <button type="button" className="tl-fault-x" aria-label={`Remove ${f.label} at ${msShort(f.at)}`} data-testid={`fault-delete-${f.index}`} onClick={() => deleteFault(f)}>
                        ×
                      </button>
                    )}
                  </div>
                ))}
              </div>
            )}
            <span id={`${uid}-fault-hint`} className="tl-sr-only">
              Drag, or press the left and right arrow keys, to move it. Enter moves the playhead to it.
            </span>
          </div>

          <div className="tl-worlds">
            {worlds.length === 0 && view.failed.length === 0 && <p className="tl-empty">No worlds to show.</p>}
            {worlds.map((d, wi) => {
              const label = d.world.label;
              const hl = resolveHighlight(highlight, d);
              const showCard = cardAt !== null && cardAt.wi === wi;
              return (
                <section
                  key={label}
                  className="tl-world"
                  data-testid={`world-${label}`}
                  data-highlight={highlight === undefined ? undefined : hl.dimAll ? 'dim' : 'on'}
                  aria-labelledby={`${uid}-w${wi}`}
                >
                  <h3 className="tl-world-title" id={`${uid}-w${wi}`}>
                    <span className="tl-world-label">{label}</span> <span className="tl-world-kind">{describeClient(d.world.client)}</span>
                    <span className="tl-world-errors" aria-hidden="true">
                      {errorCounts[wi]} failed in view
                    </span>
                  </h3>
                  <span className="tl-sr-only" data-testid={`error-count-${label}`}>
                    {errorCounts[wi]}
                  </span>
                  <div className="tl-plot" style={{ height: d.lay.height }}>
                    <canvas
                      ref={(el) => {
                        canvasRefs.current[wi] = el;
                      }}
                      className="tl-canvas"
                      style={{ width: '100%', height: d.lay.height }}
                      tabIndex={0}
                      // A keyboard-driven widget: screen readers pass the arrow keys through to it.
                      role="application"
                      aria-roledescription="timeline"
                      aria-label={`${label} (${d.world.client.kind}): ${d.world.connLanes.length} connection lane${d.world.connLanes.length === 1 ? '' : 's'}, ${d.world.callerLanes} callers, ${d.world.requests.length} requests, ${errorCounts[wi]} failed in view. Left and right arrows move between requests, Enter centres on one, + and − zoom, Shift+arrows pan.`}
                      aria-describedby={showCard ? cardId : undefined}
                      data-testid={`timeline-canvas-${label}`}
                      onPointerMove={(e) => onCanvasPointerMove(wi, e)}
                      onPointerLeave={() => setHover(null)}
                      onClick={(e) => onCanvasClick(wi, e)}
                      onKeyDown={(e) => onCanvasKeyDown(wi, e)}
                      onFocus={() => setFocusedWorld(label)}
                      onBlur={() => setFocusedWorld((w) => (w === label ? null : w))}
                    />
                    {showCard && <RequestCard id={cardId} d={d} i={cardAt.i} frame={{ x0, x1, from: win.from, k: (x1 - x0) / span }} width={width} />}
                  </div>
                </section>
              );
            })}
            {view.failed.map((f) => (
              <section key={`failed-${f.label}`} className="tl-world tl-world-failed" data-testid={`world-failed-${f.label}`}>
                <h3 className="tl-world-title">
                  <span className="tl-world-label">{f.label}</span> <span className="tl-world-kind">crashed</span>
                </h3>
                <p className="tl-failed-message">{f.message}</p>
              </section>
            ))}
          </div>

          <svg className="tl-overlay" style={{ top: stickyH, height: `calc(100% - ${stickyH}px)` }} width={width} aria-hidden="true">
            <defs>
              <pattern id={pid('fault')} patternUnits="userSpaceOnUse" width={8} height={8} patternTransform="rotate(45)">
                <rect width={8} height={8} fill={FAULT.fill} />
                <line x1={0} y1={0} x2={0} y2={8} stroke={FAULT.hatch} strokeWidth={2} />
              </pattern>
            </defs>
            {view.faults.map((f) => {
              const at = faultAt(f);
              const until = at + (f.until - f.at);
              if (until < win.from || at > win.to) return null;
              if (until === at) return <line key={f.index} className="tl-fault-instant" x1={x(at)} x2={x(at)} y1={0} y2="100%" />;
              const xa = Math.max(x0, x(at));
              const xb = Math.min(x1, x(until));
              return (
                <g key={f.index}>
                  <rect x={xa} y={0} width={Math.max(1, xb - xa)} height="100%" fill={`url(#${pid('fault')})`} />
                  {at >= win.from && <line className="tl-fault-edge" x1={xa} x2={xa} y1={0} y2="100%" />}
                  {until <= win.to && <line className="tl-fault-edge" x1={xb} x2={xb} y1={0} y2="100%" />}
                </g>
              );
            })}
          </svg>
          <div ref={playheadRef} className="tl-playhead" aria-hidden="true" />
        </div>
      </div>
      <div className="tl-sr-only" aria-live="polite" data-testid="timeline-announcer">
        {announcement}
      </div>
    </div>
  );
}

// ---- The request card ---------------------------------------------------------------------------

function RequestCard({ id, d, i, frame, width }: { id: string; d: WorldData; i: number; frame: { x0: number; x1: number; from: number; k: number }; width: number }) {
  const r = d.ix.reqs[i]!;
  const a = requestAnchor(frame, d.ix, d.lay, i);
  // Beside the request (right of its end, else left of its start), so the card never covers the
  // request's own bar or arrows; vertically centred on its row, inside the world if it fits.
  const left = a.xb + 12 + CARD_W <= width - 4 ? a.xb + 12 : a.xa - 12 - CARD_W >= 4 ? a.xa - 12 - CARD_W : Math.max(4, width - CARD_W - 4);
  const top = Math.max(0, Math.min((a.top + a.bottom) / 2 - CARD_H / 2, d.lay.height - CARD_H));
  const style = { left, top };
  const isPool = d.world.client.kind === 'pool' || r.queuedAt !== null || r.checkedOutAt !== null;
  const t = (v: number | null) => (v === null ? '—' : ms3(v));
  const outcome = r.ok === true ? 'ok' : r.ok === false ? `failed: ${r.error}${r.indeterminate ? ' (may have run)' : ''}` : 'no reply yet';
  return (
    <div id={id} className="tl-card" role="tooltip" data-testid="request-card" style={{ ...style, width: CARD_W }}>
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
        <dt>executed at server</dt>
        <dd>{t(r.execAt)}</dd>
        <dt>replied</dt>
        <dd>{t(r.replyAt)}</dd>
        <dt>ended</dt>
        <dd>{t(r.end)}</dd>
        <dt>result</dt>
        <dd className={r.ok === false ? 'tl-card-error' : undefined}>
          {outcome}
          {r.end !== null ? ` after ${ms3(r.end - r.start)}` : ''}
        </dd>
      </dl>
    </div>
  );
}

// ---- The legend ---------------------------------------------------------------------------------

function SwatchPattern({ s, id }: { s: Swatch; id: string }) {
  const tile = patternTile(s.pattern);
  if (tile === null) return null;
  return (
    <pattern id={id} patternUnits="userSpaceOnUse" width={PATTERN_TILE} height={PATTERN_TILE}>
      <rect width={PATTERN_TILE} height={PATTERN_TILE} fill={s.fill} />
      <path d={tile.d} fill={tile.mode === 'fill' ? s.ink : 'none'} stroke={tile.mode === 'stroke' ? s.ink : 'none'} strokeWidth={1.1} />
    </pattern>
  );
}

function BarSwatch({ s, pid }: { s: Swatch; pid: (k: string) => string }) {
  const fill = patternTile(s.pattern) === null ? s.fill : `url(#${pid(s.key)})`;
  return (
    <svg width={22} height={12} aria-hidden="true" className="tl-swatch">
      <rect x={0.5} y={0.5} width={21} height={11} fill={fill} stroke="#55555c" />
      {s.key === 'up' && <rect x={0.5} y={9} width={21} height={2.5} fill={s.ink} />}
    </svg>
  );
}

function GlyphSwatch({ s }: { s: Swatch }) {
  const g = s.glyph ?? 'x';
  const stroked = glyphIsStroked(g);
  return (
    <svg width={12} height={12} aria-hidden="true" className="tl-swatch">
      <path
        d={glyphPath(g, 4)}
        transform="translate(6,6)"
        fill={stroked ? 'none' : s.fill}
        stroke={stroked ? s.fill : s.fill === '#000000' ? '#ffffff' : '#000000'}
        strokeWidth={stroked ? 1.8 : 1}
      />
    </svg>
  );
}

function ArrowSwatch({ color, up }: { color: string; up: boolean }) {
  return (
    <svg width={22} height={12} aria-hidden="true" className="tl-swatch">
      <path d={up ? 'M3,10 L19,2 M14,2 L19,2 L16,6' : 'M3,2 L19,10 M14,10 L19,10 L16,6'} stroke={color} strokeWidth={1.5} fill="none" />
    </svg>
  );
}

const LEGEND_PATTERNED: readonly Swatch[] = [...Object.values(CONN_STATES), ...Object.values(REQUEST_STATES), ...ERROR_SWATCHES];

/** Memoised: it never changes with the window, and pan/zoom re-renders the timeline often. */
const Legend = memo(function Legend({ pid }: { pid: (k: string) => string }) {
  return (
    <div className="tl-legend" data-testid="timeline-legend" role="group" aria-label="Timeline legend">
      <svg width={0} height={0} className="tl-defs" aria-hidden="true">
        <defs>
          {LEGEND_PATTERNED.map((s) => (
            <SwatchPattern key={s.key} s={s} id={pid(s.key)} />
          ))}
        </defs>
      </svg>
      <ul aria-label="Connections">
        <li className="tl-legend-head">Connections</li>
        {Object.values(CONN_STATES)
          .filter((s) => s.key !== 'closing')
          .map((s) => (
            <li key={s.key}>
              <BarSwatch s={s} pid={pid} />
              {s.label}
            </li>
          ))}
        <li>
          <ArrowSwatch color={WIRE.command.ink} up={false} />
          {WIRE.command.label}
        </li>
        <li>
          <ArrowSwatch color={WIRE.reply.ink} up />
          {WIRE.reply.label}
        </li>
        <li>
          <BarSwatch s={WIRE.density} pid={pid} />
          {WIRE.density.label} (zoomed out)
        </li>
      </ul>
      <ul aria-label="Requests">
        <li className="tl-legend-head">Requests</li>
        {Object.values(REQUEST_STATES).map((s) => (
          <li key={s.key}>
            <BarSwatch s={s} pid={pid} />
            {s.label}
          </li>
        ))}
      </ul>
      <ul aria-label="Errors">
        <li className="tl-legend-head">Failed</li>
        {ERROR_SWATCHES.map((s) => (
          <li key={s.key} data-error-kind={s.key.slice('error:'.length)}>
            <BarSwatch s={s} pid={pid} />
            <GlyphSwatch s={s} />
            {s.label}
          </li>
        ))}
      </ul>
      <ul aria-label="Faults and playhead">
        <li className="tl-legend-head">Faults</li>
        <li>
          <svg width={22} height={12} aria-hidden="true" className="tl-swatch">
            <rect x={0.5} y={0.5} width={21} height={11} fill={`url(#${pid('fault')})`} stroke={FAULT.edge} />
          </svg>
          fault (a marker line if instant)
        </li>
        <li>
          <svg width={22} height={12} aria-hidden="true" className="tl-swatch">
            <line x1={11} x2={11} y1={0} y2={12} stroke={INK.text} strokeWidth={2} />
          </svg>
          playhead
        </li>
      </ul>
    </div>
  );
});
