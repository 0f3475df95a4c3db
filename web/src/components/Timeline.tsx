/**
 * The lab's shared timeline: every world's connection and caller lanes on one time axis.
 *
 * Prop-driven: the visible window, the playhead and the faults come from the app; the component
 * only asks for changes (onWindowChange, onSeek, onInjectAt, onMoveFault, onDeleteFault).
 *
 * What is React and what is not:
 *  - React renders the structure (sections, legend, canvases); none of it depends on the window,
 *    so panning and zooming never re-render it;
 *  - the shown window lives in a ref and a tiny store of its own: d3-zoom gestures move it at once,
 *    and one requestAnimationFrame per frame draws it — the canvases (by the pure functions of
 *    timeline-draw.ts), the axis and the playhead — then tells the small parts that follow it
 *    (fault chips and bands, failed-in-view counts, the request card), then reports it to the app
 *    (onWindowChange, so at most once per frame);
 *  - the playhead moves by direct DOM updates from its subscription, never by a render;
 *  - d3-zoom owns wheel / drag / pinch on the whole timeline, so all worlds pan and zoom together.
 */
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
  useSyncExternalStore,
  type CanvasHTMLAttributes,
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
  /** Shown on the highlighted world (data-testid tour-highlight) and read by screen readers. */
  label?: string;
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

// ---- The axis -------------------------------------------------------------------------------------

const SVG_NS = 'http://www.w3.org/2000/svg';
const TICK_SIZE = 6;

/**
 * The time axis along the top, drawn as d3-axis's axisTop draws it (same elements, classes and
 * attributes, so exports look the same), but updated in place: axisTop keys its ticks by pixel
 * position, so every frame of a pan removed and re-created every tick and its text (~1 ms a
 * frame, and a relayout of the text). Here ticks are reused in order and a label is only
 * rewritten when it changes.
 */
function drawAxis(g: SVGGElement, x: ScaleLinear<number, number>, ticks: readonly number[], format: (v: number) => string): void {
  const offset = typeof window !== 'undefined' && window.devicePixelRatio > 1 ? 0 : 0.5;
  if (!g.hasAttribute('text-anchor')) {
    g.setAttribute('fill', 'none');
    g.setAttribute('font-size', '10');
    g.setAttribute('font-family', 'sans-serif');
    g.setAttribute('text-anchor', 'middle');
  }
  let domain = g.querySelector<SVGPathElement>(':scope > path.domain');
  if (domain === null) {
    domain = document.createElementNS(SVG_NS, 'path');
    domain.setAttribute('class', 'domain');
    domain.setAttribute('stroke', 'currentColor');
    g.insertBefore(domain, g.firstChild);
  }
  const [r0, r1] = x.range() as [number, number];
  const d = `M${r0 + offset},${-TICK_SIZE}V${offset}H${r1 + offset}V${-TICK_SIZE}`;
  if (domain.getAttribute('d') !== d) domain.setAttribute('d', d);
  const existing = g.querySelectorAll<SVGGElement>(':scope > g.tick');
  for (let i = ticks.length; i < existing.length; i++) existing[i]!.remove();
  ticks.forEach((t, i) => {
    let tick = existing[i];
    if (tick === undefined) {
      tick = document.createElementNS(SVG_NS, 'g');
      tick.setAttribute('class', 'tick');
      tick.setAttribute('opacity', '1');
      const line = document.createElementNS(SVG_NS, 'line');
      line.setAttribute('stroke', 'currentColor');
      line.setAttribute('y2', String(-TICK_SIZE));
      const text = document.createElementNS(SVG_NS, 'text');
      text.setAttribute('fill', 'currentColor');
      text.setAttribute('y', String(-(TICK_SIZE + 3)));
      text.setAttribute('dy', '0em');
      tick.append(line, text);
      g.append(tick);
    }
    tick.setAttribute('transform', `translate(${x(t) + offset},0)`);
    const text = tick.lastChild as SVGTextElement;
    const label = format(t);
    if (text.textContent !== label) text.textContent = label;
  });
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

// ---- The shown window ---------------------------------------------------------------------------

/**
 * The window the timeline shows, kept outside React (like the playhead): a gesture moves it every
 * frame, and only the few small parts that follow it — fault chips and bands, the failed-in-view
 * counts, the request card — subscribe to it. The canvases, the axis and the playhead are drawn
 * from it imperatively, once per animation frame.
 */
interface ShownWindow {
  get(): TimeWindow;
  set(w: TimeWindow): void;
  subscribe(fn: () => void): () => void;
}

function createShownWindow(initial: TimeWindow): ShownWindow {
  let current = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => current,
    set(w) {
      if (w === current) return;
      current = w;
      for (const l of listeners) l();
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
  };
}

function useShownWindow(shown: ShownWindow): TimeWindow {
  return useSyncExternalStore(shown.subscribe, shown.get);
}

/** Failed requests ending in the shown window: re-renders its user only when the number changes. */
function useFailedInView(shown: ShownWindow, ix: WorldIndex): number {
  return useSyncExternalStore(shown.subscribe, () => {
    const w = shown.get();
    return countFailedIn(ix, w.from, w.to);
  });
}

function spanOf(w: TimeWindow): number {
  return Math.max(1, w.to - w.from);
}

interface FaultDrag {
  index: number;
  at: number;
}

interface ChipLayout {
  chips: Array<{ f: FaultView; left: number; width: number; row: number }>;
  rows: number;
}

function faultStart(f: FaultView, drag: FaultDrag | null): number {
  return drag !== null && drag.index === f.index ? drag.at : f.at;
}

/** Chips laid out in rows so overlapping labels never hide each other. */
function layoutChips(faults: readonly FaultView[], drag: FaultDrag | null, w: TimeWindow, x0: number, x1: number, deletable: boolean): ChipLayout {
  const k = (x1 - x0) / spanOf(w);
  const x = (t: number) => x0 + (t - w.from) * k;
  const rows: number[] = [];
  const chips: ChipLayout['chips'] = [];
  const visible = faults
    .map((f) => {
      const at = faultStart(f, drag);
      const until = at + (f.until - f.at);
      return { f, xa: x(at), xb: x(until) };
    })
    .filter((c) => c.xb >= x0 - 1 && c.xa <= x1 + 1)
    .sort((a, b) => a.xa - b.xa);
  for (const c of visible) {
    const left = Math.max(x0, c.xa);
    const labelW = 7.2 * c.f.label.length + (deletable ? 52 : 32);
    const width = Math.max(labelW, Math.min(x1, c.xb) - left);
    let row = rows.findIndex((r) => r + 4 <= left);
    if (row < 0) row = rows.push(0) - 1;
    rows[row] = left + width;
    chips.push({ f: c.f, left, width, row });
  }
  return { chips, rows: rows.length };
}

// ---- The component ------------------------------------------------------------------------------

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
  const [drag, setDrag] = useState<FaultDrag | null>(null);
  const [announcement, setAnnouncement] = useState('');

  const worlds = useMemo<WorldData[]>(() => view.worlds.map((world) => ({ world, ix: buildWorldIndex(world), lay: layoutWorld(world) })), [view]);
  const endUs = Math.max(MIN_SPAN, view.endUs);
  const x0 = GUTTER;
  const x1 = Math.max(x0 + 1, width - RIGHT_PAD);

  // ---- The shown window, and what the app is told about it -----------------------------------
  // Gestures move winRef at once; a frame draws it; the frame then reports it to the app, so the
  // app hears of a window at most once per frame. The app's own changes come back in as the
  // `window` prop; the windows this timeline reported (echoes) are told apart from them.
  const winRef = useRef<TimeWindow | null>(null);
  if (winRef.current === null) winRef.current = clampWindow(win, endUs);
  const [shown] = useState(() => createShownWindow(winRef.current!));
  const geom = useRef({ x0, x1, endUs });
  useLayoutEffect(() => {
    geom.current = { x0, x1, endUs };
  }, [x0, x1, endUs]);
  const current = useCallback((): TimeWindow => winRef.current!, []);
  const reported = useRef<TimeWindow>(win);
  const pendingEchoes = useRef<TimeWindow[]>([]);
  const report = useCallback(() => {
    const w = winRef.current!;
    if (sameWindow(w, reported.current)) return;
    reported.current = w;
    pendingEchoes.current = [...pendingEchoes.current.slice(-7), w];
    latest.current.onWindowChange(w);
  }, []);

  const frameRef = useRef<() => void>(() => {});
  const rafRef = useRef(0);
  const requestFrame = useCallback(() => {
    if (rafRef.current !== 0) return;
    rafRef.current = requestAnimationFrame(() => {
      rafRef.current = 0;
      frameRef.current();
    });
  }, []);
  useEffect(
    () => () => {
      cancelAnimationFrame(rafRef.current);
      rafRef.current = 0;
    },
    [],
  );

  // ---- d3-zoom on the whole timeline -------------------------------------------------------
  const zoomRef = useRef<ZoomBehavior<HTMLDivElement, unknown> | null>(null);
  const baseRef = useRef<ScaleLinear<number, number> | null>(null);

  /** Sets d3-zoom's transform to the shown window, directly: no zoom event, no feedback. */
  const syncZoom = useCallback(() => {
    const el = contentRef.current;
    const base = baseRef.current;
    if (el === null || base === null) return;
    const w = winRef.current!;
    const k = geom.current.endUs / spanOf(w);
    const t: ZoomTransform = zoomIdentity.translate(geom.current.x0 - k * base(w.from), 0).scale(k);
    (el as unknown as { __zoom: ZoomTransform }).__zoom = t;
  }, []);

  /** Shows a window (clamped to the run) from the next frame on. */
  const showWindow = useCallback(
    (w: TimeWindow, fromZoomGesture: boolean) => {
      const next = clampWindow(w, geom.current.endUs);
      if (sameWindow(next, winRef.current!)) return;
      winRef.current = next;
      // A gesture's transform is d3's own; anything else must become d3's starting point.
      if (!fromZoomGesture) syncZoom();
      requestFrame();
    },
    [syncZoom, requestFrame],
  );

  useLayoutEffect(() => {
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
        // Programmatic changes have no source event; only gestures move the window. No React
        // render here: the window is drawn in the next animation frame, however many events
        // arrive before it.
        const base = baseRef.current;
        if (event.sourceEvent === null || event.sourceEvent === undefined || base === null) return;
        const [from, to] = event.transform.rescaleX(base).domain() as [number, number];
        showWindow({ from, to }, true);
      });
    zoomRef.current = z;
    const sel = select(el);
    sel.call(z);
    return () => {
      sel.on('.zoom', null);
      zoomRef.current = null;
    };
  }, [showWindow]);

  /** The plot's width or the run's length changed: new zoom extents, the window kept inside. */
  useLayoutEffect(() => {
    const z = zoomRef.current;
    if (z === null || width === 0) return;
    baseRef.current = scaleLinear().domain([0, endUs]).range([x0, x1]);
    z.extent([
      [x0, 0],
      [x1, 1],
    ])
      .translateExtent([
        [x0, 0],
        [x1, 1],
      ])
      .scaleExtent([1, Math.max(1, endUs / MIN_SPAN)]);
    winRef.current = clampWindow(winRef.current!, endUs);
    syncZoom();
    requestFrame();
  }, [width, endUs, x0, x1, syncZoom, requestFrame]);

  /**
   * The app changed the window (keys, playback, a new run): show it, unless it is an echo — the
   * very object reported earlier, handed back by a parent that passes the store's window through
   * (the shown window may be newer by now). Told apart by identity, not value: the app may well
   * ask again for a window a gesture passed through (zoom to fit after zooming out by hand).
   */
  useLayoutEffect(() => {
    const echo = pendingEchoes.current.indexOf(win);
    if (echo >= 0) {
      pendingEchoes.current = pendingEchoes.current.slice(echo + 1);
      return;
    }
    pendingEchoes.current = [];
    reported.current = win;
    showWindow(win, false);
  }, [win, showWindow]);

  // ---- Playhead: direct DOM updates ----------------------------------------------------------
  const scaleRef = useRef<ScaleLinear<number, number> | null>(null);
  const positionPlayhead = useCallback((t: number) => {
    const s = scaleRef.current;
    if (s === null) return;
    const [from, to] = s.domain() as [number, number];
    const visible = t >= from && t <= to;
    const px = s(t);
    // Called every frame of a pan or zoom: only what changed is written, so an unchanged label or
    // attribute costs no relayout and no accessibility update.
    const set = (el: Element, name: string, value: string) => {
      if (el.getAttribute(name) !== value) el.setAttribute(name, value);
    };
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
      const text = ms3(t);
      if (label.textContent !== text) label.textContent = text;
      // Keep the label inside the axis near the right edge.
      const right = px + 70 > s.range()[1]! + RIGHT_PAD;
      set(label, 'text-anchor', right ? 'end' : 'start');
      set(label, 'x', right ? '-7' : '7');
    }
    const axis = axisSvgRef.current;
    if (axis !== null) {
      set(axis, 'aria-valuenow', String(Math.round(t)));
      set(axis, 'aria-valuetext', ms3(t));
    }
  }, []);
  useEffect(() => {
    positionPlayhead(props.playhead.get());
    return props.playhead.subscribe(positionPlayhead);
  }, [props.playhead, positionPlayhead]);

  // ---- The frame: canvases, axis and playhead for the shown window, then the subscribers ---------
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
  const axisKey = useRef('');
  useLayoutEffect(() => {
    const hoverAt = resolveReq(hover);
    const cursorAt = resolveReq(cursor);
    axisKey.current = '';
    frameRef.current = () => {
      const started = performance.now();
      const w = winRef.current!;
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
          const hl = resolveHighlight(highlight, d);
          drawWorld(frame, d.ix, d.lay, {
            ...hl,
            cursor: cursorAt !== null && cursorAt.wi === wi ? cursorAt.i : null,
            hover: hoverAt !== null && hoverAt.wi === wi ? hoverAt.i : null,
            focused: focusedWorld === d.world.label,
          });
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
      positionPlayhead(latest.current.playhead.get());
      shown.set(w);
      report();
      // bench/web.ts reads each frame's work from here (it sets the array); nothing else does.
      (globalThis as { __dxFrameWork?: number[] }).__dxFrameWork?.push(performance.now() - started);
    };
    requestFrame();
  }, [worlds, width, dpr, x0, x1, highlight, hover, cursor, focusedWorld, resolveReq, positionPlayhead, shown, report, requestFrame]);

  // A new run: forget pointers into the old one that no longer exist.
  useEffect(() => {
    setHover((h) => (resolveReq(h) === null ? null : h));
    setCursor((c) => (resolveReq(c) === null ? null : c));
  }, [resolveReq]);

  // ---- Time from a pointer -------------------------------------------------------------------
  const timeAtClientX = useCallback(
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

  // ---- Keyboard: zoom and pan (shared by the canvases and the axis) ---------------------------
  const zoomAroundPlayhead = useCallback(
    (factor: number) => {
      const w = current();
      const p = latest.current.playhead.get();
      const centre = p >= w.from && p <= w.to ? p : (w.from + w.to) / 2;
      const next = spanOf(w) * factor;
      showWindow({ from: centre - (centre - w.from) * factor, to: centre - (centre - w.from) * factor + next }, false);
    },
    [current, showWindow],
  );
  const pan = useCallback(
    (dir: number) => {
      const w = current();
      const step = dir * spanOf(w) * PAN_STEP;
      showWindow({ from: w.from + step, to: w.to + step }, false);
    },
    [current, showWindow],
  );
  const centreOn = useCallback(
    (t: number) => {
      const span = spanOf(current());
      showWindow({ from: t - span / 2, to: t + span / 2 }, false);
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

  // ---- Canvas: hover, click, keyboard cursor -------------------------------------------------
  const hitAt = (wi: number, e: ReactPointerEvent<HTMLCanvasElement> | ReactMouseEvent<HTMLCanvasElement>): ReqRef | null => {
    const d = worlds[wi];
    if (d === undefined) return null;
    const w = current();
    const rect = e.currentTarget.getBoundingClientRect();
    const i = hitTest({ x0, x1, from: w.from, to: w.to, k: (x1 - x0) / spanOf(w) }, d.ix, d.lay, e.clientX - rect.left, e.clientY - rect.top);
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
    const w = current();
    const n = d.ix.reqs.length;
    const cur = resolveReq(cursor);
    let i: number;
    if (how === 'first') i = Math.min(n - 1, lowerBound(d.ix.start, w.from));
    else if (how === 'last') i = Math.max(0, upperBound(d.ix.start, w.to) - 1);
    else if (cur !== null && cur.wi === wi) i = cur.i + (how === 'next' ? 1 : -1);
    else {
      // Start from the playhead if it is in view, else from the window's start.
      const p = latest.current.playhead.get();
      const t = p >= w.from && p <= w.to ? p : w.from;
      i = how === 'next' ? lowerBound(d.ix.start, t) : upperBound(d.ix.start, t) - 1;
    }
    i = Math.max(0, Math.min(n - 1, i));
    const r = d.ix.reqs[i]!;
    setHover(null);
    setCursor({ label: d.world.label, req: r.req });
    setAnnouncement(requestSummary(r));
    if (r.start > w.to || d.ix.end[i]! < w.from) centreOn(r.start);
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
      const span = spanOf(current());
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
    setDrag({ index: f.index, at: clampFaultAt(f, g.at0 + (dx * spanOf(current())) / (x1 - x0)) });
  };
  const onChipPointerUp = (f: FaultView, e: ReactPointerEvent<HTMLDivElement>) => {
    const g = faultDrag.current;
    if (g === null || g.pointerId !== e.pointerId) return;
    faultDrag.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
    if (g.moved) {
      const at = clampFaultAt(f, g.at0 + ((e.clientX - g.startX) * spanOf(current())) / (x1 - x0));
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
      const span = spanOf(current());
      const step = (e.shiftKey ? span / 10 : span / 50) * (e.key === 'ArrowLeft' ? -1 : 1);
      onMoveFault(f.index, clampFaultAt(f, f.at + step));
    } else if (e.key === 'Enter') props.onSeek(f.at);
    else handled = sharedKeys(e);
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  // ---- The request card ------------------------------------------------------------------------
  const cardRef = hover ?? (cursor !== null && focusedWorld === cursor.label ? cursor : null);
  const cardAt = resolveReq(cardRef);
  const cardId = `${uid}-card`;
  const pid = useCallback((key: string) => `${uid}-p-${safeId(key)}`, [uid]);
  const deletable = onDeleteFault !== undefined;

  // ---- Render --------------------------------------------------------------------------------
  // Nothing here depends on the window: a pan or zoom never re-renders this component.
  return (
    <div className="tl" style={height !== undefined ? { height } : undefined}>
      <Legend pid={pid} />
      <div className={height !== undefined ? 'tl-scroll tl-scroll-fixed' : 'tl-scroll'}>
        <div className="tl-content" ref={contentRef}>
          <div className="tl-sticky">
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
            <FaultChips
              shown={shown}
              faults={view.faults}
              drag={drag}
              x0={x0}
              x1={x1}
              movable={onMoveFault !== undefined}
              deletable={deletable}
              hintId={`${uid}-fault-hint`}
              pid={pid}
              onPointerDown={onChipPointerDown}
              onPointerMove={onChipPointerMove}
              onPointerUp={onChipPointerUp}
              onPointerCancel={onChipPointerCancel}
              onKeyDown={onChipKeyDown}
              onDelete={deleteFault}
            />
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
              const lanes = d.world.connLanes.length;
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
                      canvasRef={(el) => {
                        canvasRefs.current[wi] = el;
                      }}
                      className="tl-canvas"
                      style={{ width: '100%', height: d.lay.height }}
                      tabIndex={0}
                      // A keyboard-driven widget: screen readers pass the arrow keys through to it.
                      role="application"
                      aria-roledescription="timeline"
                      aria-describedby={showCard ? cardId : undefined}
                      data-testid={`timeline-canvas-${label}`}
                      onPointerMove={(e) => onCanvasPointerMove(wi, e)}
                      onPointerLeave={() => setHover(null)}
                      onClick={(e) => onCanvasClick(wi, e)}
                      onKeyDown={(e) => onCanvasKeyDown(wi, e)}
                      onFocus={() => setFocusedWorld(label)}
                      onBlur={() => setFocusedWorld((w) => (w === label ? null : w))}
                    />
                    {showCard && <RequestCard id={cardId} d={d} i={cardAt.i} shown={shown} x0={x0} x1={x1} width={width} />}
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

          <FaultBands shown={shown} faults={view.faults} drag={drag} x0={x0} x1={x1} width={width} deletable={deletable} pid={pid} />
          <div ref={playheadRef} className="tl-playhead" aria-hidden="true" />
        </div>
      </div>
      <div className="tl-sr-only" aria-live="polite" data-testid="timeline-announcer">
        {announcement}
      </div>
    </div>
  );
}

// ---- The parts that follow the shown window -------------------------------------------------------

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

interface FaultChipsProps {
  shown: ShownWindow;
  faults: readonly FaultView[];
  drag: FaultDrag | null;
  x0: number;
  x1: number;
  movable: boolean;
  deletable: boolean;
  hintId: string;
  pid: (k: string) => string;
  onPointerDown(f: FaultView, e: ReactPointerEvent<HTMLDivElement>): void;
  onPointerMove(f: FaultView, e: ReactPointerEvent<HTMLDivElement>): void;
  onPointerUp(f: FaultView, e: ReactPointerEvent<HTMLDivElement>): void;
  onPointerCancel(): void;
  onKeyDown(f: FaultView, e: ReactKeyboardEvent<HTMLDivElement>): void;
  onDelete(f: FaultView): void;
}

/** The fault chips (focusable, draggable, deletable handles of the bands), under the axis. */
function FaultChips(p: FaultChipsProps) {
  const w = useShownWindow(p.shown);
  const { faults, drag, x0, x1, deletable } = p;
  const layout = useMemo(() => layoutChips(faults, drag, w, x0, x1, deletable), [faults, drag, w, x0, x1, deletable]);
  if (layout.chips.length === 0) return null;
  return (
    <div className="tl-faults" style={{ height: layout.rows * FAULT_ROW_H }}>
      {layout.chips.map(({ f, left, width, row }) => (
        <div key={f.index} className="tl-fault" style={{ left, width, top: row * FAULT_ROW_H }} data-tl-nozoom="">
          <div
            role="button"
            tabIndex={0}
            className={`tl-fault-band${p.movable ? ' tl-movable' : ''}${drag?.index === f.index ? ' tl-dragging' : ''}`}
            aria-label={faultAria(f, deletable)}
            aria-describedby={p.movable ? p.hintId : undefined}
            data-testid={`fault-${f.index}`}
            onPointerDown={(e) => p.onPointerDown(f, e)}
            onPointerMove={(e) => p.onPointerMove(f, e)}
            onPointerUp={(e) => p.onPointerUp(f, e)}
            onPointerCancel={p.onPointerCancel}
            onKeyDown={(e) => p.onKeyDown(f, e)}
          >
            <svg width={12} height={12} aria-hidden="true" className="tl-fault-swatch">
              <rect width={12} height={12} fill={`url(#${p.pid('fault')})`} stroke={FAULT.edge} />
            </svg>
            <span className="tl-fault-label">{f.label}</span>
          </div>
          {deletable && (
            <button type="button" className="tl-fault-x" aria-label={`Remove ${f.label} at ${msShort(f.at)}`} data-testid={`fault-delete-${f.index}`} onClick={() => p.onDelete(f)}>
              ×
            </button>
          )}
        </div>
      ))}
    </div>
  );
}

/** The fault bands over every world, below the axis and the chips' rows. */
function FaultBands({ shown, faults, drag, x0, x1, width, deletable, pid }: { shown: ShownWindow; faults: readonly FaultView[]; drag: FaultDrag | null; x0: number; x1: number; width: number; deletable: boolean; pid: (k: string) => string }) {
  const w = useShownWindow(shown);
  const rows = useMemo(() => layoutChips(faults, drag, w, x0, x1, deletable).rows, [faults, drag, w, x0, x1, deletable]);
  const stickyH = AXIS_H + rows * FAULT_ROW_H;
  const k = (x1 - x0) / spanOf(w);
  const x = (t: number) => x0 + (t - w.from) * k;
  return (
    <svg className="tl-overlay" style={{ top: stickyH, height: `calc(100% - ${stickyH}px)` }} width={width} aria-hidden="true">
      <defs>
        <pattern id={pid('fault')} patternUnits="userSpaceOnUse" width={8} height={8} patternTransform="rotate(45)">
          <rect width={8} height={8} fill={FAULT.fill} />
          <line x1={0} y1={0} x2={0} y2={8} stroke={FAULT.hatch} strokeWidth={2} />
        </pattern>
      </defs>
      {faults.map((f) => {
        const at = faultStart(f, drag);
        const until = at + (f.until - f.at);
        if (until < w.from || at > w.to) return null;
        if (until === at) return <line key={f.index} className="tl-fault-instant" x1={x(at)} x2={x(at)} y1={0} y2="100%" />;
        const xa = Math.max(x0, x(at));
        const xb = Math.min(x1, x(until));
        return (
          <g key={f.index}>
            <rect x={xa} y={0} width={Math.max(1, xb - xa)} height="100%" fill={`url(#${pid('fault')})`} />
            {at >= w.from && <line className="tl-fault-edge" x1={xa} x2={xa} y1={0} y2="100%" />}
            {until <= w.to && <line className="tl-fault-edge" x1={xb} x2={xb} y1={0} y2="100%" />}
          </g>
        );
      })}
    </svg>
  );
}

// ---- The request card ---------------------------------------------------------------------------

function RequestCard({ id, d, i, shown, x0, x1, width }: { id: string; d: WorldData; i: number; shown: ShownWindow; x0: number; x1: number; width: number }) {
  const w = useShownWindow(shown);
  const frame = { x0, x1, from: w.from, k: (x1 - x0) / spanOf(w) };
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

/** Memoised: it never changes with the window, nor with hover and focus. */
const Legend = memo(function Legend({ pid }: { pid: (k: string) => string }) {
  return (
    // Its own paint layer (see App's OWN_PAINT_LAYER): repainting the axis every frame of a pan
    // then reuses the legend's painting whole.
    <div className="tl-legend" data-testid="timeline-legend" role="group" aria-label="Timeline legend" style={{ position: 'relative', zIndex: 0 }}>
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
