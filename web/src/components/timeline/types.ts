/** The timeline's contract with the app: what it is given and what it asks for. */
import type { LabView } from '../../../../sim/views/types.js';

/** µs, the visible range. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** µs; updates outside React renders. */
export interface PlayheadSource {
  get(): number;
  subscribe(fn: (t: number) => void): () => void;
}

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
  onMoveFault?(index: number, atUs: number): void; // drag a fault band horizontally (the drop)
  onDragFault?(index: number, atUs: number): void; // where it is while being dragged (both worlds follow it)
  onCancelFaultDrag?(): void; // a drag given up (pointer cancelled)
  onDeleteFault?(index: number): void; // Delete/Backspace on a focused fault band, or its × button
  highlight?: TimelineHighlight; // the guided tour points at a lane, a time range or a request
  height?: number;
}

/** One world as the timeline holds it: its view, its index and its lanes' layout. */
export interface WorldData {
  world: import('../../../../sim/views/types.js').WorldView;
  ix: import('./world-index.js').WorldIndex;
  lay: import('./layout.js').WorldLayout;
}

/** A request, by world label and request id (survives re-runs that keep it). */
export interface ReqRef {
  label: string;
  req: number;
}
