/**
 * Zoom and pan: the shown window, moved by d3-zoom gestures (wheel, drag, pinch) on the whole
 * timeline so all worlds move together, and by the app (the `window` prop) or keys (showWindow).
 *
 * Gestures move the window at once; one requestAnimationFrame per frame draws it (the `draw` the
 * timeline registers), then tells the parts that follow it, then reports it to the app — so the
 * app hears of a window at most once per frame. A window that did not come from a gesture becomes
 * d3-zoom's starting point through its public `zoom.transform`; the zoom events that call emits
 * have no source event and are ignored, so nothing loops back.
 */
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
import { zoom as d3zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior } from 'd3-zoom';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { clampWindow, createShownWindow, sameWindow, spanOf, MIN_SPAN, type ShownWindow } from './shown-window.js';
import type { TimeWindow } from './types.js';

export interface ZoomPan {
  shown: ShownWindow;
  /** The window shown now (newer than the last render). */
  current(): TimeWindow;
  /** Shows a window (clamped to the run) from the next frame on. */
  showWindow(w: TimeWindow): void;
  /** Asks for a frame (coalesced to one per animation frame). */
  requestFrame(): void;
}

interface Options {
  contentRef: RefObject<HTMLDivElement | null>;
  /** The app's window (the prop); the windows this hook reported come back as echoes. */
  win: TimeWindow;
  onWindowChange(w: TimeWindow): void;
  x0: number;
  x1: number;
  width: number;
  endUs: number;
  /** Draws the window (called once per animation frame that needs it). */
  draw(w: TimeWindow): void;
}

export function useZoomPan(o: Options): ZoomPan {
  const { contentRef, win, x0, x1, width, endUs } = o;
  const latest = useRef(o);
  useLayoutEffect(() => {
    latest.current = o;
  });

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

  const rafRef = useRef(0);
  const requestFrame = useCallback(() => {
    if (rafRef.current !== 0) return;
    rafRef.current = requestAnimationFrame(() => {
      rafRef.current = 0;
      const started = performance.now();
      const w = winRef.current!;
      latest.current.draw(w);
      shown.set(w);
      if (!sameWindow(w, reported.current)) {
        reported.current = w;
        pendingEchoes.current = [...pendingEchoes.current.slice(-7), w];
        latest.current.onWindowChange(w);
      }
      // bench/web.ts reads each frame's work from here (it sets the array); nothing else does.
      (globalThis as { __dxFrameWork?: number[] }).__dxFrameWork?.push(performance.now() - started);
    });
  }, [shown]);
  useEffect(
    () => () => {
      cancelAnimationFrame(rafRef.current);
      rafRef.current = 0;
    },
    [],
  );

  const zoomRef = useRef<ZoomBehavior<HTMLDivElement, unknown> | null>(null);
  const selRef = useRef<Selection<HTMLDivElement, unknown, null, undefined> | null>(null);
  const baseRef = useRef<ScaleLinear<number, number> | null>(null);

  /** d3-zoom's transform set to the shown window (its events carry no source event: ignored). */
  const syncZoom = useCallback(() => {
    const z = zoomRef.current;
    const sel = selRef.current;
    const base = baseRef.current;
    if (z === null || sel === null || base === null) return;
    const w = winRef.current!;
    const k = geom.current.endUs / spanOf(w);
    z.transform(sel, zoomIdentity.translate(geom.current.x0 - k * base(w.from), 0).scale(k));
  }, []);

  const setWindow = useCallback(
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
  const showWindow = useCallback((w: TimeWindow) => setWindow(w, false), [setWindow]);

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
        // render here: the window is drawn in the next animation frame.
        const base = baseRef.current;
        if (event.sourceEvent === null || event.sourceEvent === undefined || base === null) return;
        const [from, to] = event.transform.rescaleX(base).domain() as [number, number];
        setWindow({ from, to }, true);
      });
    zoomRef.current = z;
    const sel = select(el);
    selRef.current = sel;
    sel.call(z);
    return () => {
      sel.on('.zoom', null);
      zoomRef.current = null;
      selRef.current = null;
    };
  }, [contentRef, setWindow]);

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
    setWindow(win, false);
  }, [win, setWindow]);

  return { shown, current, showWindow, requestFrame };
}
