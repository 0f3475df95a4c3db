/**
 * The time axis along the top: a slider for the playhead (click or drag to seek, Shift+click to
 * inject the selected fault, arrow keys / Page keys / Home / End). Its ticks are drawn in place by
 * drawAxis each frame, and the playhead's knob by positionPlayhead — never by a render.
 */
import { useRef, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent as ReactPointerEvent, type RefObject } from 'react';
import { AXIS_H } from './Faults.js';
import { spanOf } from './shown-window.js';
import type { PlayheadSource, TimeWindow } from './types.js';

interface Props {
  svgRef: RefObject<SVGSVGElement | null>;
  ticksRef: RefObject<SVGGElement | null>;
  knobRef: RefObject<SVGGElement | null>;
  knobLabelRef: RefObject<SVGTextElement | null>;
  width: number;
  x0: number;
  x1: number;
  endUs: number;
  playhead: PlayheadSource;
  current(): TimeWindow;
  /** Time under a pointer's clientX, clamped to the run. */
  timeAt(clientX: number): number;
  onSeek(t: number): void;
  onInjectAt?(t: number): void;
  sharedKeys(e: ReactKeyboardEvent): boolean;
}

export function TimeAxis(p: Props) {
  const { width, x0, x1, endUs } = p;
  const seeking = useRef<number | null>(null);
  const onPointerDown = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (e.button !== 0) return;
    const t = p.timeAt(e.clientX);
    if (e.shiftKey) {
      p.onInjectAt?.(t);
      return;
    }
    e.currentTarget.setPointerCapture(e.pointerId);
    seeking.current = e.pointerId;
    p.onSeek(t);
  };
  const onPointerMove = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (seeking.current === e.pointerId) p.onSeek(p.timeAt(e.clientX));
  };
  const endSeek = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (seeking.current !== e.pointerId) return;
    seeking.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  };
  const onKeyDown = (e: ReactKeyboardEvent<SVGSVGElement>) => {
    let handled = p.sharedKeys(e);
    if (!handled && !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey) {
      const t0 = p.playhead.get();
      const span = spanOf(p.current());
      const seekTo = (t: number) => p.onSeek(Math.round(Math.min(endUs, Math.max(0, t))));
      handled = true;
      if (e.key === 'ArrowRight') seekTo(t0 + span / 100);
      else if (e.key === 'ArrowLeft') seekTo(t0 - span / 100);
      else if (e.key === 'PageUp') seekTo(t0 + span / 10);
      else if (e.key === 'PageDown') seekTo(t0 - span / 10);
      else if (e.key === 'Home') seekTo(0);
      else if (e.key === 'End') seekTo(endUs);
      else handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };
  return (
    <svg
      ref={p.svgRef}
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
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={endSeek}
      onPointerCancel={endSeek}
      onKeyDown={onKeyDown}
    >
      <rect x={x0} y={0} width={Math.max(0, x1 - x0)} height={AXIS_H} className="tl-axis-hit" />
      <text x={6} y={14} className="tl-axis-unit">
        time (ms)
      </text>
      <g ref={p.ticksRef} transform={`translate(0,${AXIS_H - 4})`} className="tl-axis-ticks" />
      <g ref={p.knobRef} className="tl-knob">
        <path d={`M-6,${AXIS_H - 12} L6,${AXIS_H - 12} L0,${AXIS_H - 2} Z`} />
        {/* Above the tick labels (baseline 21), never over them. */}
        <text ref={p.knobLabelRef} x={7} y={10} className="tl-knob-label" />
      </g>
    </svg>
  );
}
