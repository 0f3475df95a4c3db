/**
 * The window the timeline shows, kept outside React (like the playhead): a gesture moves it every
 * frame, and only the few small parts that follow it — fault chips and bands, the failed-in-view
 * counts, the request card — subscribe to it. The canvases, the axis and the playhead are drawn
 * from it imperatively, once per animation frame.
 */
import { useSyncExternalStore } from 'react';
import type { TimeWindow } from './types.js';
import { countFailedIn, type WorldIndex } from './world-index.js';

/** The narrowest window (µs): at 1 µs ≈ 100 px, finer would show nothing new. */
export const MIN_SPAN = 10;

export interface ShownWindow {
  get(): TimeWindow;
  set(w: TimeWindow): void;
  subscribe(fn: () => void): () => void;
}

export function createShownWindow(initial: TimeWindow): ShownWindow {
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

export function useShownWindow(shown: ShownWindow): TimeWindow {
  return useSyncExternalStore(shown.subscribe, shown.get);
}

/** Failed requests ending in the shown window: re-renders its user only when the number changes. */
export function useFailedInView(shown: ShownWindow, ix: WorldIndex): number {
  return useSyncExternalStore(shown.subscribe, () => {
    const w = shown.get();
    return countFailedIn(ix, w.from, w.to);
  });
}

export function spanOf(w: TimeWindow): number {
  return Math.max(1, w.to - w.from);
}

/** Keeps a window inside the run, at least MIN_SPAN wide. */
export function clampWindow(w: TimeWindow, endUs: number): TimeWindow {
  const end = Math.max(MIN_SPAN, endUs);
  const span = Math.min(end, Math.max(MIN_SPAN, w.to - w.from));
  const from = Math.min(Math.max(0, w.from), end - span);
  return { from, to: from + span };
}

export function sameWindow(a: TimeWindow, b: TimeWindow): boolean {
  return Math.abs(a.from - b.from) < 1e-6 && Math.abs(a.to - b.to) < 1e-6;
}
