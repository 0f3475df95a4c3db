/**
 * The faults layer: a hatched band over every world per fault (a line if instant), and under the
 * axis a chip per fault — focusable, draggable along time, deletable — laid out in rows so
 * overlapping labels never hide each other.
 */
import { useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import type { FaultView } from '../../../../sim/views/types.js';
import { FAULT } from '../../palette.js';
import { msShort } from './format.js';
import { spanOf, useShownWindow, type ShownWindow } from './shown-window.js';
import type { TimeWindow } from './types.js';

export const AXIS_H = 34;
export const FAULT_ROW_H = 24;

export interface FaultDrag {
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

function faultAria(f: FaultView, deletable: boolean): string {
  const when = f.until > f.at ? `from ${msShort(f.at)} to ${msShort(f.until)}` : `at ${msShort(f.at)}`;
  return `${f.label} ${when}${deletable ? '; Delete removes it' : ''}`;
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
    // The dragged one stays, out of view or not: unmounted, its element would lose the pointer.
    .filter((c) => (c.xb >= x0 - 1 && c.xa <= x1 + 1) || c.f.index === drag?.index)
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
  // Left to right (the focus order), but during a drag in the faults' order, which the drag does
  // not change: a chip dragged past another keeps its element's place (React moves an element
  // whose key changed places, and a moved element loses its pointer capture: the drop went to
  // whatever was under the pointer). The store keeps faults in time order, so the two agree at
  // a drag's start.
  if (drag !== null) chips.sort((a, b) => a.f.index - b.f.index);
  return { chips, rows: rows.length };
}

interface FaultEditing {
  x0: number;
  x1: number;
  endUs: number;
  current(): TimeWindow;
  onMoveFault?(index: number, atUs: number): void;
  onDragFault?(index: number, atUs: number): void;
  onCancelFaultDrag?(): void;
  onDeleteFault?(index: number): void;
  onSeek(t: number): void;
  /** Keys the whole timeline shares (zoom, pan); true when handled. */
  sharedKeys(e: ReactKeyboardEvent): boolean;
  /** Where focus goes when a chip is deleted (it is about to disappear). */
  refocus(): void;
}

/** Dragging, moving by keys and deleting fault chips. */
export function useFaultEditing(o: FaultEditing) {
  const { x0, x1, endUs, current, onMoveFault, onDragFault, onDeleteFault } = o;
  const [drag, setDrag] = useState<FaultDrag | null>(null);
  const faultDrag = useRef<{ index: number; pointerId: number; startX: number; at0: number; moved: boolean } | null>(null);
  const clampFaultAt = (f: FaultView, at: number) => Math.round(Math.min(Math.max(0, at), Math.max(0, endUs - (f.until - f.at))));
  const atFor = (f: FaultView, at0: number, dx: number) => clampFaultAt(f, at0 + (dx * spanOf(current())) / (x1 - x0));

  const onPointerDown = (f: FaultView, e: ReactPointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 || onMoveFault === undefined) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    faultDrag.current = { index: f.index, pointerId: e.pointerId, startX: e.clientX, at0: f.at, moved: false };
  };
  const onPointerMove = (f: FaultView, e: ReactPointerEvent<HTMLDivElement>) => {
    const g = faultDrag.current;
    if (g === null || g.pointerId !== e.pointerId || f.index !== g.index) return;
    // The button was let go where no chip heard it: that was the drop.
    if (e.buttons === 0) return onPointerUp(f, e);
    const dx = e.clientX - g.startX;
    if (!g.moved && Math.abs(dx) < 3) return;
    g.moved = true;
    const at = atFor(f, g.at0, dx);
    setDrag({ index: f.index, at });
    onDragFault?.(f.index, at);
  };
  const onPointerUp = (f: FaultView, e: ReactPointerEvent<HTMLDivElement>) => {
    const g = faultDrag.current;
    if (g === null || g.pointerId !== e.pointerId || f.index !== g.index) return;
    faultDrag.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
    if (g.moved) {
      const at = atFor(f, g.at0, e.clientX - g.startX);
      setDrag(null);
      if (at !== g.at0) onMoveFault?.(f.index, at);
      // Dropped where it started: the runs that followed the drag are undone.
      else o.onCancelFaultDrag?.();
    }
  };
  /** Capture lost mid-drag (the element re-attached): taken again, else the drag is given up. */
  const onLostPointerCapture = (e: ReactPointerEvent<HTMLDivElement>) => {
    const g = faultDrag.current;
    if (g === null || g.pointerId !== e.pointerId) return;
    try {
      e.currentTarget.setPointerCapture(e.pointerId);
    } catch {
      onPointerCancel();
    }
  };
  const onPointerCancel = () => {
    const moved = faultDrag.current?.moved === true;
    faultDrag.current = null;
    setDrag(null);
    if (moved) o.onCancelFaultDrag?.();
  };
  const onDelete = (f: FaultView) => {
    if (onDeleteFault === undefined) return;
    onDeleteFault(f.index);
    o.refocus();
  };
  const onKeyDown = (f: FaultView, e: ReactKeyboardEvent<HTMLDivElement>) => {
    let handled = true;
    if ((e.key === 'Delete' || e.key === 'Backspace') && onDeleteFault !== undefined) onDelete(f);
    else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && onMoveFault !== undefined && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const span = spanOf(current());
      const step = (e.shiftKey ? span / 10 : span / 50) * (e.key === 'ArrowLeft' ? -1 : 1);
      onMoveFault(f.index, clampFaultAt(f, f.at + step));
    } else if (e.key === 'Enter') o.onSeek(f.at);
    else handled = o.sharedKeys(e);
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };
  return { drag, handlers: { onPointerDown, onPointerMove, onPointerUp, onPointerCancel, onLostPointerCapture, onKeyDown, onDelete } };
}

export type FaultHandlers = ReturnType<typeof useFaultEditing>['handlers'];

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
  handlers: FaultHandlers;
}

/** The fault chips (focusable, draggable, deletable handles of the bands), under the axis. */
export function FaultChips(p: FaultChipsProps) {
  const w = useShownWindow(p.shown);
  const { faults, drag, x0, x1, deletable, handlers: h } = p;
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
            onPointerDown={(e) => h.onPointerDown(f, e)}
            onPointerMove={(e) => h.onPointerMove(f, e)}
            onPointerUp={(e) => h.onPointerUp(f, e)}
            onPointerCancel={h.onPointerCancel}
            onLostPointerCapture={h.onLostPointerCapture}
            onKeyDown={(e) => h.onKeyDown(f, e)}
          >
            <svg width={12} height={12} aria-hidden="true" className="tl-fault-swatch">
              <rect width={12} height={12} fill={`url(#${p.pid('fault')})`} stroke={FAULT.edge} />
            </svg>
            <span className="tl-fault-label">{f.label}</span>
          </div>
          {deletable && (
            <button type="button" className="tl-fault-x" aria-label={`Remove ${f.label} at ${msShort(f.at)}`} data-testid={`fault-delete-${f.index}`} onClick={() => h.onDelete(f)}>
              ×
            </button>
          )}
        </div>
      ))}
    </div>
  );
}

interface FaultBandsProps {
  shown: ShownWindow;
  faults: readonly FaultView[];
  drag: FaultDrag | null;
  x0: number;
  x1: number;
  width: number;
  deletable: boolean;
  pid: (k: string) => string;
}

/** The fault bands over every world, below the axis and the chips' rows. */
export function FaultBands({ shown, faults, drag, x0, x1, width, deletable, pid }: FaultBandsProps) {
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
