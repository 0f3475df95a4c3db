/**
 * Pointing at requests: the hovered one (pointer), the keyboard cursor (arrows, Home / End,
 * Enter centres), which world's canvas has focus, and what a screen reader is told.
 */
import { useCallback, useEffect, useMemo, useState, type KeyboardEvent as ReactKeyboardEvent, type MouseEvent as ReactMouseEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { requestSummary } from './format.js';
import { hitTest } from './hit-test.js';
import { lowerBound, upperBound } from './search.js';
import { spanOf } from './shown-window.js';
import type { PlayheadSource, ReqRef, TimeWindow, WorldData } from './types.js';

interface Options {
  worlds: readonly WorldData[];
  x0: number;
  x1: number;
  current(): TimeWindow;
  playhead: PlayheadSource;
  centreOn(t: number): void;
  sharedKeys(e: ReactKeyboardEvent): boolean;
}

const sameRef = (a: ReqRef | null, b: ReqRef | null) => a === b || (a !== null && b !== null && a.label === b.label && a.req === b.req);

export function useRequestCursor({ worlds, x0, x1, current, playhead, centreOn, sharedKeys }: Options) {
  const [hover, setHover] = useState<ReqRef | null>(null);
  const [cursor, setCursor] = useState<ReqRef | null>(null);
  const [focusedWorld, setFocusedWorld] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');

  const resolveReq = useCallback(
    (ref: ReqRef | null): { wi: number; i: number } | null => {
      if (ref === null) return null;
      const wi = worlds.findIndex((d) => d.world.label === ref.label);
      const i = wi < 0 ? undefined : worlds[wi]!.ix.reqPos.get(ref.req);
      return i === undefined ? null : { wi, i };
    },
    [worlds],
  );

  // A new run: forget pointers into the old one that no longer exist.
  useEffect(() => {
    setHover((h) => (resolveReq(h) === null ? null : h));
    setCursor((c) => (resolveReq(c) === null ? null : c));
  }, [resolveReq]);

  const hitAt = (wi: number, e: ReactPointerEvent<HTMLCanvasElement> | ReactMouseEvent<HTMLCanvasElement>): ReqRef | null => {
    const d = worlds[wi];
    if (d === undefined) return null;
    const w = current();
    const rect = e.currentTarget.getBoundingClientRect();
    const i = hitTest({ x0, x1, from: w.from, to: w.to, k: (x1 - x0) / spanOf(w) }, d.ix, d.lay, e.clientX - rect.left, e.clientY - rect.top);
    return i === null ? null : { label: d.world.label, req: d.ix.rows.req(i) };
  };

  const moveCursor = (wi: number, how: 'prev' | 'next' | 'first' | 'last') => {
    const d = worlds[wi];
    if (d === undefined || d.ix.rows.n === 0) return;
    const w = current();
    const n = d.ix.rows.n;
    const cur = resolveReq(cursor);
    let i: number;
    if (how === 'first') i = Math.min(n - 1, lowerBound(d.ix.start, w.from));
    else if (how === 'last') i = Math.max(0, upperBound(d.ix.start, w.to) - 1);
    else if (cur !== null && cur.wi === wi) i = cur.i + (how === 'next' ? 1 : -1);
    else {
      // Start from the playhead if it is in view, else from the window's start.
      const p = playhead.get();
      const t = p >= w.from && p <= w.to ? p : w.from;
      i = how === 'next' ? lowerBound(d.ix.start, t) : upperBound(d.ix.start, t) - 1;
    }
    i = Math.max(0, Math.min(n - 1, i));
    const r = d.ix.rows.at(i)!;
    setHover(null);
    setCursor({ label: d.world.label, req: r.req });
    setAnnouncement(requestSummary(r));
    if (r.start > w.to || d.ix.end[i]! < w.from) centreOn(r.start);
  };

  const canvas = {
    onPointerMove(wi: number, e: ReactPointerEvent<HTMLCanvasElement>) {
      if (e.buttons !== 0) return; // panning: the card would only flicker
      const hit = hitAt(wi, e);
      setHover((h) => (sameRef(h, hit) ? h : hit));
    },
    onPointerLeave() {
      setHover(null);
    },
    onClick(wi: number, e: ReactMouseEvent<HTMLCanvasElement>) {
      const hit = hitAt(wi, e);
      if (hit !== null) setCursor(hit);
    },
    onFocus(label: string) {
      setFocusedWorld(label);
    },
    onBlur(label: string) {
      setFocusedWorld((w) => (w === label ? null : w));
    },
    onKeyDown(wi: number, e: ReactKeyboardEvent<HTMLCanvasElement>) {
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
    },
  };

  // The card follows the hover, else the cursor while its world has focus.
  const card = resolveReq(hover ?? (cursor !== null && focusedWorld === cursor.label ? cursor : null));
  const hoverAt = useMemo(() => resolveReq(hover), [resolveReq, hover]);
  const cursorAt = useMemo(() => resolveReq(cursor), [resolveReq, cursor]);
  return { hover: hoverAt, cursor: cursorAt, focusedWorld, announcement, card, canvas };
}

export type CanvasHandlers = ReturnType<typeof useRequestCursor>['canvas'];
