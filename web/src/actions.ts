/**
 * Every user command is one registered action (label, keys, perform), as in excalidraw: the
 * toolbar's buttons, the keyboard, the help sheet and the tests all use this one list.
 */
import { lab, playhead, aimSoon, injectFault, cancelRun, simClient, announce, openChapter, stepChapter, exitTour, showLab, dismissDelta, type FaultKind } from './store.js';
import { cancelSweep, openSweep, specFor, sweep } from './sweep/sweep-store.js';
import { SPEEDS, lastActivityUs, speedName, zoomWindow } from './playback.js';
import { focusNextTopology } from './components/Topology.js';
import { chapters } from './tour/chapters.js';
import { FAULTS } from '../../sim/faults/index.js';
import { downloadText, exportPng, exportSvg } from './export.js';

export interface Action {
  id: string;
  label: string;
  /** Keys as shown in the help sheet. */
  keys: string[];
  /** Does this key event trigger the action? */
  match(e: KeyboardEvent): boolean;
  perform(): void;
  group: 'Playback' | 'Faults' | 'View' | 'Export' | 'Tour' | 'Sweep' | 'Help';
}

/** The fault picker's kinds, in the order of their keys 1, 2, 3, ... (sim/faults/). */
export const FAULT_KINDS: Array<{ kind: FaultKind; label: string; description: string }> = FAULTS.map((f) => ({ kind: f.kind, label: f.label, description: f.description }));

/** The key that selects the i-th fault kind: 1 to 9, then 0; the kinds after those only in the picker. */
export function faultKey(i: number): string | null {
  return i < 9 ? String(i + 1) : i === 9 ? '0' : null;
}

const key = (k: string) => (e: KeyboardEvent) => e.key === k && !e.ctrlKey && !e.metaKey && !e.altKey;

/**
 * A tour key: only while the tour is open, and not where the arrows already mean something: the
 * timeline, sliders, lists, and panes that scroll (the code, the comparison table).
 */
const tourKey = (k: string) => (e: KeyboardEvent) => {
  if (!key(k)(e) || e.shiftKey || lab.getState().tour === null || e.defaultPrevented) return false;
  const t = e.target as Element | null;
  return t === null || typeof t.closest !== 'function' || t.closest('.tl, [role="slider"], [role="listbox"], [role="tablist"], pre, [role="region"][tabindex]') === null;
};

/** Times where something happens: request starts and ends, faults. */
function eventTimes(): number[] {
  const v = lab.getState().view;
  if (v === null) return [];
  const ts: number[] = [];
  for (const w of v.worlds) for (const r of w.requests) ts.push(r.start, r.end ?? r.start);
  for (const f of v.faults) ts.push(f.at, f.until);
  return ts;
}

function stepTo(direction: 1 | -1): void {
  const now = playhead.get();
  let best = direction === 1 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (const t of eventTimes()) {
    if (direction === 1 ? t > now && t < best : t < now && t > best) best = t;
  }
  if (Number.isFinite(best)) seek(best);
}

export function seek(t: number): void {
  const v = lab.getState().view;
  const end = v?.endUs ?? 0;
  const clamped = Math.max(0, Math.min(end, Math.round(t)));
  playhead.set(clamped);
  aimSoon();
  const w = lab.getState().window;
  if (clamped < w.from || clamped > w.to) {
    const span = w.to - w.from;
    const from = Math.max(0, Math.min(end - span, clamped - span / 2));
    lab.setState({ window: { from, to: from + span } });
  }
}

let raf = 0;
/** Playing pages the window when the playhead comes this close to its right edge (a share of the span). */
const PAGE_AT = 0.92;
/** …so that the playhead then stands this far into the new window. */
const PAGE_TO = 0.08;

function play(): void {
  let last = performance.now();
  const tick = (now: number) => {
    const s = lab.getState();
    if (!s.playing || s.view === null) return;
    const started = performance.now();
    // A long frame (a background tab) does not leap: at most 100 ms of wall time per frame.
    const dt = Math.min(100, now - last);
    last = now;
    const next = playhead.get() + (dt * SPEEDS[s.speed]!) / 1000;
    if (next >= s.view.endUs) {
      seek(s.view.endUs);
      setPlaying(false);
      return;
    }
    // Follow the playhead: page before it leaves the window (never a jump past what was shown).
    const w = s.window;
    const span = w.to - w.from;
    if (next >= w.from && next > w.from + span * PAGE_AT && w.to < s.view.endUs) {
      const from = Math.min(s.view.endUs - span, next - span * PAGE_TO);
      lab.setState({ window: { from, to: from + span } });
    }
    seek(next);
    // bench/web.ts reads each playback frame's work from here (it sets the array).
    (globalThis as { __dxPlayWork?: number[] }).__dxPlayWork?.push(performance.now() - started);
    raf = requestAnimationFrame(tick);
  };
  raf = requestAnimationFrame(tick);
}

export function setPlaying(on: boolean): void {
  cancelAnimationFrame(raf);
  const s = lab.getState();
  // Play at the end starts again from the beginning.
  if (on && s.view !== null && playhead.get() >= s.view.endUs) seek(0);
  lab.setState(on ? { playing: true, played: true } : { playing: false });
  announce(on ? `Playing at ${speedName(lab.getState().speed)}.` : `Paused at ${(playhead.get() / 1000).toFixed(3)} ms.`);
  if (on) play();
}

function setSpeed(index: number): void {
  lab.setState({ speed: Math.max(0, Math.min(SPEEDS.length - 1, index)) });
  announce(`Speed: ${speedName(lab.getState().speed)}.`);
}

function zoom(factor: number): void {
  const { window: w, view } = lab.getState();
  if (view === null) return;
  lab.setState({ window: zoomWindow(w, playhead.get(), view.endUs, factor) });
}

async function exportFile(kind: 'report' | 'trace' | 'perfetto'): Promise<void> {
  let text: string | null;
  // The workers keep no trace between runs (only exports read it): they run the worlds again.
  if (kind !== 'report') announce('Exporting: running the worlds again to read every event…');
  try {
    text = await simClient().export(kind);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    lab.setState({ notice: { kind: 'error', text: `Nothing was exported: ${why}.` } });
    announce(`Nothing was exported: ${why}.`);
    return;
  }
  if (text === null) {
    announce('Nothing to export yet: no run has finished.');
    return;
  }
  const name = lab.getState().view?.scenario.name ?? 'duplex';
  const file = kind === 'report' ? `${name}-report.json` : kind === 'trace' ? `${name}-trace.json` : `${name}-perfetto.json`;
  downloadText(file, text, 'application/json');
  announce(`Exported ${file}.`);
}

/** The drawn timeline as an image; a failure is said, not thrown into the void. */
async function exportView(kind: 'svg' | 'png'): Promise<void> {
  const area = document.querySelector<HTMLElement>('.timeline-area');
  const name = lab.getState().view?.scenario.name ?? 'duplex';
  try {
    if (area === null) throw new Error('There is nothing drawn to export yet.');
    if (kind === 'svg') exportSvg(area, `${name}-view.svg`);
    else await exportPng(area, `${name}-view.png`);
    announce(`Exported ${name}-view.${kind}.`);
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    lab.setState({ notice: { kind: 'error', text: `The view could not be exported: ${text}` } });
    announce(`Export failed: ${text}`);
  }
}

export const actions: Action[] = [
  { id: 'play-pause', label: 'Play / pause', keys: ['Space'], group: 'Playback', match: (e) => e.key === ' ' && !e.ctrlKey && !e.metaKey, perform: () => setPlaying(!lab.getState().playing) },
  { id: 'step-next', label: 'Step to the next event', keys: [']'], group: 'Playback', match: key(']'), perform: () => stepTo(1) },
  { id: 'step-prev', label: 'Step to the previous event', keys: ['['], group: 'Playback', match: key('['), perform: () => stepTo(-1) },
  { id: 'faster', label: 'Play faster', keys: ['f'], group: 'Playback', match: key('f'), perform: () => setSpeed(lab.getState().speed + 1) },
  { id: 'slower', label: 'Play slower', keys: ['s'], group: 'Playback', match: key('s'), perform: () => setSpeed(lab.getState().speed - 1) },
  {
    id: 'focus-topology',
    label: 'Focus the next world’s topology',
    keys: ['o'],
    group: 'View',
    match: key('o'),
    perform: () => {
      const label = focusNextTopology();
      if (label === null) announce('No topology to focus yet: nothing has been simulated.');
    },
  },
  {
    id: 'dismiss-delta',
    label: 'Dismiss what the fault changed and the previous run’s ghost',
    keys: ['c'],
    group: 'Faults',
    match: (e) => key('c')(e) && lab.getState().delta !== null,
    perform: () => dismissDelta(),
  },
  { id: 'to-start', label: 'Playhead to the start', keys: ['Home'], group: 'Playback', match: key('Home'), perform: () => seek(0) },
  { id: 'to-end', label: 'Playhead to the end', keys: ['End'], group: 'Playback', match: key('End'), perform: () => seek(lab.getState().view?.endUs ?? 0) },
  {
    id: 'inject-fault',
    label: 'Inject the selected fault at the playhead',
    keys: ['i'],
    group: 'Faults',
    match: key('i'),
    perform: () => void injectFault(lab.getState().faultKind, playhead.get()),
  },
  ...FAULT_KINDS.map((f, i): Action => {
    const digit = faultKey(i);
    return {
      id: `select-fault-${f.kind}`,
      label: `Select fault: ${f.label}`,
      keys: digit === null ? [] : [digit],
      group: 'Faults',
      match: digit === null ? () => false : key(digit),
      perform: () => {
        lab.setState({ faultKind: f.kind });
        announce(`Selected fault: ${f.label}.`);
      },
    };
  }),
  { id: 'zoom-in', label: 'Zoom in around the playhead', keys: ['='], group: 'View', match: key('='), perform: () => zoom(0.5) },
  { id: 'zoom-out', label: 'Zoom out', keys: ['-'], group: 'View', match: key('-'), perform: () => zoom(2) },
  {
    id: 'zoom-fit',
    label: 'Show the whole run',
    keys: ['z'],
    group: 'View',
    match: key('z'),
    perform: () => {
      const v = lab.getState().view;
      if (v !== null) lab.setState({ window: { from: 0, to: lastActivityUs(v) } });
    },
  },
  {
    id: 'cancel',
    label: 'Cancel the running simulation',
    keys: ['Escape'],
    group: 'View',
    match: (e) => e.key === 'Escape' && (lab.getState().status === 'running' || sweep.getState().status === 'running'),
    perform: () => (sweep.getState().status === 'running' ? cancelSweep() : cancelRun()),
  },
  { id: 'export-report', label: 'Export the report (JSON)', keys: ['r'], group: 'Export', match: key('r'), perform: () => void exportFile('report') },
  { id: 'export-trace', label: 'Export the trace (JSON)', keys: ['t'], group: 'Export', match: key('t'), perform: () => void exportFile('trace') },
  { id: 'export-perfetto', label: 'Export the trace for Perfetto', keys: ['p'], group: 'Export', match: key('p'), perform: () => void exportFile('perfetto') },
  { id: 'export-svg', label: 'Export the view as SVG', keys: ['v'], group: 'Export', match: key('v'), perform: () => void exportView('svg') },
  { id: 'export-png', label: 'Export the view as PNG', keys: ['g'], group: 'Export', match: key('g'), perform: () => void exportView('png') },
  { id: 'tour-next', label: 'Tour: next chapter', keys: ['→'], group: 'Tour', match: tourKey('ArrowRight'), perform: () => void stepChapter(1) },
  { id: 'tour-prev', label: 'Tour: previous chapter', keys: ['←'], group: 'Tour', match: tourKey('ArrowLeft'), perform: () => void stepChapter(-1) },
  {
    id: 'tour-open',
    label: 'Open the guided tour (the lessons)',
    keys: ['l'],
    group: 'Tour',
    match: (e) => key('l')(e) && lab.getState().tour === null,
    perform: () => void openChapter(chapters[0]!.id),
  },
  { id: 'tour-exit', label: 'Leave the tour for the sandbox, with this chapter’s scenario', keys: ['x'], group: 'Tour', match: (e) => key('x')(e) && lab.getState().tour !== null, perform: () => exitTour() },
  {
    id: 'sweep',
    label: 'Sweep a parameter of the scenario (again: back to the lab)',
    keys: ['w'],
    group: 'Sweep',
    match: key('w'),
    perform: () => (sweep.getState().open ? void showLab() : void openSweep(sweepOfLab())),
  },
  { id: 'help', label: 'Show the keyboard shortcuts', keys: ['?'], group: 'Help', match: (e) => e.key === '?', perform: () => lab.setState({ helpOpen: true }) },
];

/**
 * The sweep the header opens: the last one if the lab shows one of its points (back from a
 * point), else one of the lab's scenario (its pool's size, or the callers).
 */
function sweepOfLab(): { spec: ReturnType<typeof specFor>; preset: string | null; push: true } {
  const { input } = lab.getState();
  const last = sweep.getState().result;
  const text = JSON.stringify(input);
  if (last !== null && last.points.some((p) => JSON.stringify(p.input) === text)) return { spec: last.spec, preset: last.preset, push: true };
  return { spec: specFor(input), preset: null, push: true };
}

/** While the Sweep view is open, the lab's keys stay out of it (they act on a lab not shown). */
const SWEEP_KEYS = new Set(['sweep', 'help', 'cancel']);

export function actionById(id: string): Action {
  const a = actions.find((x) => x.id === id);
  if (a === undefined) throw new Error(`no action ${id}`);
  return a;
}

/** The global key handler: not while typing in a field, nor inside the timeline's own keys. */
/** Keys a slider handles itself; the others (i, 1–8, f…) still reach the actions from it. */
const SLIDER_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

export function handleKey(e: KeyboardEvent): void {
  const t = e.target as HTMLElement | null;
  const slider = t instanceof HTMLInputElement && t.type === 'range';
  if (slider && SLIDER_KEYS.has(e.key)) return;
  if (t !== null && !slider && (t.closest('input, textarea, select, [contenteditable="true"]') !== null || (t.tagName === 'BUTTON' && (e.key === ' ' || e.key === 'Enter')))) return;
  if (lab.getState().helpOpen) return;
  const a = actions.find((x) => x.match(e));
  if (a === undefined) return;
  if (sweep.getState().open && !SWEEP_KEYS.has(a.id)) return;
  e.preventDefault();
  a.perform();
}
