/**
 * The lab's state, outside React (zustand vanilla), so actions, keys and tests all reach it.
 * The playhead moves many times a second: it lives in its own tiny store that views subscribe to
 * directly, without React renders.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { loadPreset, presets } from '../../sim/scenario/presets.js';
import { drainMs, parseScenario, type FaultSpec, type ScenarioInput } from '../../sim/scenario/schema.js';
import { faultDurationMs, faultName, faultWithDefaults } from '../../sim/faults/index.js';
import type { LabView } from '../../sim/views/index.js';
import { runKey, SimClient } from './sim-client.js';
import { encodeScenario, readHash } from './url.js';
import { chapterById, chapterIndex, chapters, parseTourHash, pointers, tourHash, type TourFocus } from './tour/chapters.js';
import { closeSweep, openSweepFromUrl } from './sweep/sweep-store.js';
import { describeDelta, faultViews, nextFaultAt, reconnectedAt, worldDelta } from '../../sim/views/index.js';
import { openingView, speedIndexFor } from './playback.js';
import { presetOf } from './scenario-label.js';
import { prepareWorld } from './components/timeline/prepare.js';

export interface FaultDelta {
  /** The fault edited (µs), where the view went. */
  at: number;
  /** What was done: "Added drop connections at 300.000 ms". */
  what: string;
  /** Per world: "+14 disconnected · reconnected after 1.0 ms · …". */
  worlds: Array<{ label: string; text: string }>;
  /** The run before the edit, drawn as a ghost in the charts until dismissed. */
  ghost: LabView;
}

/** The first screen's lesson: L4, one pool against one multiplexed connection, no faults — the
 * simplest picture of the talk's point (the tour starts from it too). */
export const DEFAULT_PRESET = 'l4-multiplex';

export interface TimeWindow {
  from: number;
  to: number;
}

export type FaultKind = FaultSpec['kind'];

export interface LabState {
  /** The scenario as last applied (valid). */
  input: ScenarioInput;
  /**
   * The scenario the panel shows: `input`, except while the run of an edit made on the timeline
   * (a fault injected, moved, deleted or dragged, the tour's experiment) is going: the panel
   * takes it once that run is over. A new fault's fields in the form make Chromium's autofill scan
   * the page's forms (8-30 ms of the page's CPU, traced) and the panel renders again, while the
   * workers need both cores; the panel is disabled during a run anyway.
   */
  panelInput: ScenarioInput;
  preset: string | null;
  view: LabView | null;
  status: 'idle' | 'running' | 'error';
  progress: number;
  /** Something the user must read: a rejected link, a failed run… */
  notice: { kind: 'error' | 'info'; text: string } | null;
  window: TimeWindow;
  /** The fault the toolbar injects. */
  faultKind: FaultKind;
  playing: boolean;
  /** Playback speed: an index into SPEEDS (playback.ts), set per run to show its interesting part in 5–10 s. */
  speed: number;
  /** Play has been pressed on this run: the future beyond the playhead is dimmed. */
  played: boolean;
  /** What the last fault edit changed against the run before it (the previous run is the charts' ghost). */
  delta: FaultDelta | null;

  helpOpen: boolean;
  /** Text for the ARIA live region. */
  announcement: string;
  /** The guided tour's open chapter (its id), or null: the free sandbox. */
  tour: string | null;
  /** The chapter's experiment has been added (its link ends in /experiment). */
  tourExperiment: boolean;
  /** The tour's text is folded to its title (the timeline then fits on a small screen). */
  tourFolded: boolean;
  /** Which of the chapter's pointers (lookAt, then also…) the timeline highlights. */
  tourPointer: number;
  /** Runs that followed a number being edited or a fault dragged: started, given up for a newer value, shown. */
  liveRuns: { started: number; superseded: number; shown: number };
}

// ---- Playhead (transient) ----

type Listener = (t: number) => void;
let playheadT = 0;
const playheadListeners = new Set<Listener>();
export const playhead = {
  get: () => playheadT,
  set(t: number) {
    playheadT = t;
    for (const l of playheadListeners) l(t);
  },
  subscribe(fn: Listener) {
    playheadListeners.add(fn);
    return () => void playheadListeners.delete(fn);
  },
};

function presetInput(name: string): ScenarioInput {
  const p = presets.find((x) => x.name === name);
  if (p === undefined) throw new Error(`no preset ${name}`);
  return structuredClone(p.scenario);
}

const firstInput = presetInput(DEFAULT_PRESET);

export const lab = createStore<LabState>(() => ({
  input: firstInput,
  panelInput: firstInput,
  preset: DEFAULT_PRESET,
  view: null,
  status: 'idle',
  progress: 0,
  notice: null,
  window: { from: 0, to: 1 },
  faultKind: 'drop_connections',
  playing: false,
  speed: 12,
  played: false,
  delta: null,
  helpOpen: false,
  announcement: '',
  tour: null,
  tourExperiment: false,
  tourFolded: false,
  tourPointer: 0,
  liveRuns: { started: 0, superseded: 0, shown: 0 },
}));

/** The input comes from an edit on the timeline: the panel takes it when its run is over (panelInput). */
let timelineEdit = false;

/** The panel is due to take the input (a timeline edit's run is over), once its frame is drawn. */
let panelDue = false;

function panelCatchesUp(): void {
  const s = lab.getState();
  if (s.panelInput !== s.input && !(timelineEdit && s.status === 'running')) lab.setState({ panelInput: s.input });
}

lab.subscribe((s) => {
  if (s.panelInput === s.input || (timelineEdit && s.status === 'running')) return;
  if (!timelineEdit) return lab.setState({ panelInput: s.input });
  // The run of a timeline edit is over: the worlds are drawn first, the panel once the page is
  // idle (its form re-renders dozens of inputs: 7 ms for the default scenario, more for large
  // ones, which would otherwise hold back the frame after the worlds'), within half a second.
  if (panelDue) return;
  panelDue = true;
  const catchUp = () => {
    panelDue = false;
    panelCatchesUp();
  };
  const later = () => (typeof requestIdleCallback === 'function' ? requestIdleCallback(catchUp, { timeout: 500 }) : setTimeout(catchUp));
  if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState !== 'hidden') requestAnimationFrame(later);
  else later();
});

export function useLab<T>(select: (s: LabState) => T): T {
  return useStore(lab, select);
}

const sim = new SimClient();

/**
 * Where the user leaves the playhead is where the toolbar adds a fault: once it rests (not while
 * playing), the workers run their worlds there ahead (SimClient.aim), and such an edit is
 * re-simulated from its own instant. Called on the user's seeks (actions.ts seek) and on pause;
 * not where the page puts the playhead itself (after an edit, on a chapter's opening): an aim
 * costs up to a whole world's run of idle work.
 */
const AIM_AFTER_MS = 300;
let aiming: ReturnType<typeof setTimeout> | null = null;

export function aimSoon(): void {
  if (aiming !== null) clearTimeout(aiming);
  aiming = setTimeout(() => {
    aiming = null;
    const { playing, view } = lab.getState();
    if (!playing && view !== null) sim.aim(playhead.get());
  }, AIM_AFTER_MS);
}
// Paused: the playhead rests where playback left it.
lab.subscribe((state, prev) => {
  if (prev.playing && !state.playing) aimSoon();
});

export function simClient(): SimClient {
  return sim;
}

export function announce(text: string): void {
  lab.setState({ announcement: text });
}

/**
 * Runs the current scenario; keeps the window if the run's length did not change. `quiet`: a run
 * that follows a drag says nothing to screen readers (the drop will). Resolves true when its view
 * is shown, false when it failed, was cancelled or superseded.
 */
export async function run(keepWindow: boolean, quiet = false): Promise<boolean> {
  const { input } = lab.getState();
  lab.setState({ status: 'running', progress: 0 });
  if (!quiet) announce('Simulating…');
  let out;
  try {
    out = await sim.run(input, (progress) => lab.setState({ progress }), prepareWorld);
  } catch (e) {
    lab.setState({ status: 'error', notice: { kind: 'error', text: `The simulation failed: ${e instanceof Error ? e.message : String(e)}` } });
    announce('The simulation failed.');
    return false;
  }
  if (out === null) return false; // cancelled or superseded
  if (!out.ok) {
    lab.setState({ status: 'error', notice: { kind: 'error', text: `The scenario is invalid: ${out.errors.join('; ')}` } });
    return false;
  }
  const view = out.view;
  const prev = lab.getState().window;
  // A new run opens where its preset says, or on its interesting part (playback.ts).
  const preset = keepWindow ? undefined : presetOf(input);
  const chapter = preset === undefined ? undefined : chapters.find((c) => c.preset === preset.name);
  const opening = keepWindow ? null : openingView(view, preset, chapter?.focus?.(view));
  const window = opening?.window ?? (prev.to <= view.endUs && prev.to > prev.from ? prev : { from: 0, to: view.durationUs });
  const fresh = opening === null ? {} : { speed: speedIndexFor(opening.window.to - opening.window.from), played: false, delta: null };
  lab.setState({ view, status: 'idle', progress: 1, window, ...fresh });
  sim.prefetch(likelyNext());
  if (opening !== null) playhead.set(opening.playhead);
  if (pendingEdit !== null) {
    const edit = pendingEdit;
    pendingEdit = null;
    showFaultEdit(edit, view);
  }
  if (!quiet) announceDone(view);
  return true;
}

/**
 * What a learner in the tour likely runs next, simulated ahead while they read (SimClient.prefetch):
 * the next chapter (→), this chapter's experiment if not added yet (its button adds the fault to
 * the faults on screen: the same input), then the previous chapter (←, Back). Chapters' worlds
 * take 0.1-3.5 s to simulate.
 */
function likelyNext(): ScenarioInput[] {
  const { tour, input, tourExperiment } = lab.getState();
  const ch = tour === null ? undefined : chapterById(tour);
  if (ch === undefined) return [];
  const out: ScenarioInput[] = [];
  const i = chapterIndex(ch.id);
  const next = chapters[i + 1];
  if (next !== undefined) out.push(presetInput(next.preset));
  const fault = ch.experiment.fault;
  if (fault !== undefined && !tourExperiment) out.push(withFaults([...(input.faults ?? []), fault]));
  const prev = chapters[i - 1];
  if (prev !== undefined) out.push(presetInput(prev.preset));
  return out;
}

function announceDone(view: LabView): void {
  const summary = view.worlds.map((w) => `${w.label}: ${Math.round(w.metrics.throughputPerSec)} requests per second, ${w.metrics.requests.failed} failed`).join('; ');
  const crashed = view.failed.map((f) => `${f.label} crashed: ${f.message}`).join('; ');
  announce(`Done. ${summary}${crashed ? `. ${crashed}` : ''}`);
}

/** Numbers being edited live are done with: any other run (a preset, a fault, Apply) replaces theirs. */
function stopLive(): void {
  if (live !== null) clearTimeout(live.settle);
  live = null;
}

export function cancelRun(): void {
  stopLive();
  sim.cancel();
  lab.setState({ status: 'idle', progress: 0, notice: { kind: 'info', text: 'Simulation cancelled; showing the last finished run.' } });
  announce('Simulation cancelled.');
}

/** A fault edit waiting for its run: the run before it, where the fault is, and what was done. */
let pendingEdit: { before: LabView; at: number; until: number; what: string } | null = null;

/**
 * After a fault edit: the figures of what changed per world, the view on the fault (wide enough
 * to see the reconnection), the playhead on it.
 */
function showFaultEdit(edit: { before: LabView; at: number; until: number; what: string }, view: LabView): void {
  const worlds: FaultDelta['worlds'] = [];
  let back = edit.until;
  // Drops from the next fault on are that fault's.
  const next = nextFaultAt(view.faults, edit);
  for (const w of view.worlds) {
    const b = edit.before.worlds.find((x) => x.label === w.label);
    // The delta finds when the world reconnected: not sought twice (it sorts every band's edges).
    const d = b === undefined ? null : worldDelta(b, w, edit.at, next);
    if (d !== null) worlds.push({ label: w.label, text: describeDelta(d) });
    const r = d === null ? reconnectedAt(w, edit.at, next) : typeof d.reconnectedAfterUs === 'number' ? edit.at + d.reconnectedAfterUs : null;
    if (typeof r === 'number') back = Math.max(back, r);
  }
  const span = Math.min(view.endUs, Math.max(4000, (back - edit.at) * 1.6 + 2000));
  const from = Math.max(0, Math.min(view.endUs - span, edit.at - span * 0.2));
  lab.setState({ delta: { at: edit.at, what: edit.what, worlds, ghost: edit.before }, window: { from, to: from + span }, speed: speedIndexFor(span) });
  playhead.set(Math.max(0, Math.min(view.endUs, edit.at)));
  // The fault's marker on screen: the timeline may lie below the fold (small screens).
  const index = view.faults.findIndex((f) => f.at === edit.at);
  if (index >= 0 && typeof window !== 'undefined') {
    requestAnimationFrame(() => requestAnimationFrame(() => document.querySelector(`[data-testid="fault-${index}"]`)?.scrollIntoView({ block: 'nearest' })));
  }
  announce(`${edit.what}. ${worlds.map((w) => `${w.label}: ${w.text}`).join('; ')}`);
}

/** Dismisses the fault's figures and the previous run's ghost. */
export function dismissDelta(): void {
  if (lab.getState().delta === null) return;
  lab.setState({ delta: null });
  announce('The previous run is no longer shown.');
}

/**
 * Applies a scenario (already validated by the caller), writes it to the URL, and runs it.
 * `timeline`: an edit of the faults made on the timeline (the panel follows once it has run).
 */
export async function applyScenario(input: ScenarioInput, options: { preset?: string | null; keepWindow?: boolean; pushHistory?: boolean; timeline?: boolean } = {}): Promise<void> {
  stopLive();
  timelineEdit = options.timeline === true;
  // A timeline edit's run is going from here (run() says so next), so the panel waits for it.
  lab.setState({ input, preset: options.preset === undefined ? lab.getState().preset : options.preset, notice: null, ...(timelineEdit ? { status: 'running' as const } : {}) });
  // The workers get the run first (run posts it before its first await); the link follows.
  const done = run(options.keepWindow ?? false);
  writeUrl(input, options.pushHistory ?? false);
  await done;
}

/**
 * A number of the scenario being edited (typed, stepped with arrow keys held): both worlds follow
 * it. Each value is applied at once (the scenario, its link); the latest is simulated as soon as
 * the run before it is done, so a steady drag shows run after run, and once the edits pause for
 * LIVE_SETTLE_MS a run of an older value still going is stale: it is cancelled and the latest
 * runs. Invalid values never come here (the panel keeps the last good scenario and says why).
 */
export function editLive(input: ScenarioInput): void {
  // Back to the value already applied (after an invalid one on the way): nothing to run again.
  if (JSON.stringify(input) === JSON.stringify(lab.getState().input)) return;
  if (live === null) {
    live = { pending: false, running: 0, settle: undefined };
    lab.setState({ delta: null });
  }
  const l = live;
  timelineEdit = false;
  lab.setState({ input, preset: null, notice: null });
  writeUrl(input);
  l.pending = true;
  clearTimeout(l.settle);
  l.settle = setTimeout(() => {
    if (live !== l || l.running === 0 || !l.pending) return;
    // The run going is of an older value: the next one cancels it (SimClient.run).
    countLive('superseded');
    runLive(l);
  }, LIVE_SETTLE_MS);
  if (l.running === 0) runLive(l);
}

/** How long the edits of a number pause before a run of an older value is given up. */
const LIVE_SETTLE_MS = 150;

/** Numbers being edited: a value not yet simulated, the run going (its number; 0: none). */
let live: { pending: boolean; running: number; settle: ReturnType<typeof setTimeout> | undefined } | null = null;
let liveRunNumber = 0;

function countLive(what: keyof LabState['liveRuns']): void {
  const runs = lab.getState().liveRuns;
  lab.setState({ liveRuns: { ...runs, [what]: runs[what] + 1 } });
}

/** Simulates the latest value; when done, the value that came meanwhile, if any. */
function runLive(l: NonNullable<typeof live>): void {
  l.pending = false;
  const n = ++liveRunNumber;
  l.running = n;
  countLive('started');
  // Quiet: one announcement when the edits are done, not one per value. A run given up settles
  // as not shown (SimClient.run resolves null when cancelled): only the latest one carries on.
  void run(true, true).then((shown) => {
    if (live !== l || l.running !== n) return;
    l.running = 0;
    if (shown) countLive('shown');
    if (l.pending) return runLive(l);
    clearTimeout(l.settle);
    live = null;
    const view = lab.getState().view;
    if (shown && view !== null) announceDone(view);
  });
}

export function pickPreset(name: string): Promise<void> {
  if (loadPreset(name) === undefined) return Promise.resolve();
  // Another scenario than the chapter's: that is the sandbox.
  if (lab.getState().tour !== null) lab.setState({ tour: null });
  playhead.set(0);
  return applyScenario(presetInput(name), { preset: name });
}

/**
 * The URL follows the state. Edits replace it (one entry per page, not per keystroke); moving
 * through the tour pushes it, so the browser's Back goes to the previous chapter (or out of the
 * tour) through the hashchange listener.
 */
function writeUrl(input: ScenarioInput, push = false): void {
  closeSweep();
  const tour = lab.getState().tour;
  const hash = tour !== null ? tourHash(tour, lab.getState().tourExperiment) : `#${encodeScenario(input)}`;
  if (typeof window === 'undefined' || window.location.hash === hash) return;
  if (push) window.history.pushState(null, '', hash);
  else window.history.replaceState(null, '', hash);
}

/** Back from the Sweep view: the lab's link, and its run if none is on screen yet. */
export function showLab(): Promise<void> {
  closeSweep();
  const { input, view, status } = lab.getState();
  if (view === null && status !== 'running') return applyScenario(input, { pushHistory: true });
  writeUrl(input, true);
  return Promise.resolve();
}

/**
 * On load, and when the URL's fragment changes: the link's scenario or tour chapter. A bad link
 * says what was wrong and keeps what the page shows (the default scenario on a first load), its
 * URL put back so a reload shows the same.
 */
export function startFromUrl(): Promise<void> {
  const hash = window.location.hash;
  if (/^#sweep(\/|$)/.test(hash)) {
    lab.setState({ tour: null });
    return openSweepFromUrl(hash);
  }
  closeSweep();
  const tour = parseTourHash(hash);
  if (tour !== null) {
    // The name asked for, read before opening the chapter rewrites the URL.
    const asked = hash.replace(/^#tour\//, '').slice(0, 40);
    const p = openChapter(tour.chapter, { pushHistory: false, experiment: tour.experiment });
    if (!tour.known) lab.setState({ notice: { kind: 'error', text: `The tour has no chapter "${asked}". Showing the first chapter instead.` } });
    return p;
  }
  const state = readHash(hash);
  if (state.kind === 'invalid') {
    const shown = lab.getState().view !== null || lab.getState().status === 'running';
    const p = shown ? Promise.resolve() : (lab.setState({ tour: null }), pickPreset(DEFAULT_PRESET));
    if (shown) writeUrl(lab.getState().input);
    const keeps = shown ? (lab.getState().tour !== null ? 'Staying on this chapter of the tour' : 'Keeping the current scenario') : 'Showing the default scenario instead';
    lab.setState({ notice: { kind: 'error', text: `This link could not be opened: ${state.reason}. ${keeps}.` } });
    announce(`This link could not be opened. ${keeps}.`);
    return p;
  }
  lab.setState({ tour: null });
  if (state.kind === 'scenario') return applyScenario(state.input, { preset: null });
  return pickPreset(DEFAULT_PRESET);
}

/** A fault injected from the toolbar: its kind's defaults (sim/faults/). */
export function faultAt(kind: FaultKind, atMs: number): FaultSpec {
  return faultWithDefaults(kind, Math.round(atMs * 1000) / 1000);
}

/**
 * An edit of the faults keeps the window; outside the tour the scenario is no longer the preset
 * (as a reload of its link would say). In the tour it stays the chapter's.
 */
function edited(): { keepWindow: true; timeline: true; preset?: null } {
  return lab.getState().tour === null ? { keepWindow: true, timeline: true, preset: null } : { keepWindow: true, timeline: true };
}

/** The next run is this fault edit's: compare it with the run on screen. */
function expectEdit(what: string, f: FaultSpec, before?: LabView | null): void {
  // Each edit against the run just before it (a drag's: the run before the drag).
  const current = before ?? lab.getState().view;
  if (current === null) return;
  const at = Math.round(f.atMs * 1000);
  pendingEdit = { before: current, at, until: at + Math.round(faultDurationMs(f) * 1000), what };
}

function withFaults(faults: FaultSpec[]): ScenarioInput {
  return { ...lab.getState().input, faults: faults.sort((a, b) => a.atMs - b.atMs) };
}

/** Deterministic time travel: the fault joins the schedule and the worlds are simulated again. */
export function injectFault(kind: FaultKind, atUs: number): Promise<void> {
  // The playhead may sit at the run's very end (End, or playback finished): just inside it.
  const at = insideRun(atUs);
  const f = faultAt(kind, at / 1000);
  const faults = [...(lab.getState().input.faults ?? []), f];
  announce(`Fault added: ${faultName(kind)} at ${(at / 1000).toFixed(3)} ms.`);
  expectEdit(`Added ${faultName(kind)} at ${(at / 1000).toFixed(3)} ms`, f);
  return applyScenario(withFaults(faults), edited());
}

/**
 * A fault added or moved stays inside the run (the schema refuses one at or past its end). The
 * end is the current scenario's, which a live edit may have changed since the view was drawn.
 */
function insideRun(atUs: number): number {
  const parsed = parseScenario({ ...lab.getState().input, faults: [] });
  const at = Math.max(0, Math.round(atUs));
  if (!parsed.ok) return at;
  const s = parsed.scenario;
  return Math.min(at, Math.round((s.durationMs + drainMs(s)) * 1000) - 1);
}

export function moveFault(index: number, atUs: number): Promise<void> {
  // Dropped after a drag: from where it was picked up, against the run before the drag.
  const d = faultDrag;
  faultDrag = null;
  if (d !== null) {
    clearTimeout(d.settle);
    lab.setState({ input: d.input });
  }
  const faults = [...(lab.getState().input.faults ?? [])];
  const f = faults[index];
  if (f === undefined) return Promise.resolve();
  faults[index] = { ...f, atMs: insideRun(atUs) / 1000 };
  announce(`Fault moved: ${faultName(f.kind)} now at ${faults[index]!.atMs.toFixed(3)} ms.`);
  expectEdit(`Moved ${faultName(f.kind)} from ${f.atMs} ms to ${faults[index]!.atMs} ms`, faults[index]!, d?.before);
  const input = withFaults(faults);
  // Dropped where the drag's last run, now on screen, had it: that run is the drop's (its faults
  // listed in the drag's order, this one's sorted: the same run).
  const state = lab.getState();
  if (d !== null && !d.running && d.shown === runKey(input) && state.status === 'idle' && state.view !== null && state.view === d.shownView) {
    editShown(input, edited());
    return Promise.resolve();
  }
  return applyScenario(input, edited());
}

/**
 * A timeline edit whose run is the one on screen (a drag's last position, dropped there): made as
 * applyScenario and run make it (the scenario, its link, the fault's figures, Done), without
 * running it again.
 */
function editShown(input: ScenarioInput, options: { preset?: string | null }): void {
  stopLive();
  timelineEdit = true;
  lab.setState({ input, preset: options.preset === undefined ? lab.getState().preset : options.preset, notice: null });
  writeUrl(input, false);
  // Its worlds as they are; its faults as this input lists them (a chip's index is its place).
  const shown = lab.getState().view!;
  const parsed = parseScenario(input);
  const view = parsed.ok ? { ...shown, scenario: parsed.scenario, faults: faultViews(parsed.scenario) } : shown;
  lab.setState({ view });
  const edit = pendingEdit;
  pendingEdit = null;
  if (edit !== null) showFaultEdit(edit, view);
  announceDone(view);
}

/**
 * A fault being dragged: the scenario and the run from before the drag (what the drop is compared
 * with), the position not yet simulated, whether a run following the drag is going, and the
 * scenario (JSON) of the drag's run on screen.
 */
let faultDrag: {
  index: number;
  input: ScenarioInput;
  before: LabView | null;
  pending: number | null;
  running: boolean;
  /** The position being run, µs. */
  runningAt: number | null;
  /** The scenario (JSON) of the drag's last run shown. */
  shown: string | null;
  /** The view of `shown` (another run may have replaced it on screen since), and its position. */
  shownView: LabView | null;
  shownAt: number | null;
  settle: ReturnType<typeof setTimeout> | undefined;
} | null = null;

/**
 * While a fault is dragged, both worlds follow it: the position is simulated as soon as the run
 * before it is done (the latest position wins; those passed over meanwhile are never run), or
 * once the pointer rests (the stale run is given up), with the window kept and nothing announced.
 * The drop (moveFault) cancels a run still going and makes the edit, compared with the run from
 * before the drag.
 */
export function dragFault(index: number, atUs: number): void {
  if (faultDrag === null || faultDrag.index !== index) {
    faultDrag = { index, input: lab.getState().input, before: lab.getState().view, pending: null, running: false, runningAt: null, shown: null, shownView: null, shownAt: null, settle: undefined };
    lab.setState({ delta: null });
  }
  const d = faultDrag;
  const at = insideRun(atUs);
  // Where it is being run or shown already (a move along the chip, or back): nothing new to run.
  if (d.running ? at === d.runningAt : at === d.shownAt && lab.getState().view === d.shownView) {
    d.pending = null;
    clearTimeout(d.settle);
    return;
  }
  d.pending = at;
  // As editLive: once the pointer rests for LIVE_SETTLE_MS, a run of an older position still
  // going is stale, and is given up for the latest (which may go on from where it got to: the
  // workers keep a stopped run's world). While the pointer moves, each run is shown.
  clearTimeout(d.settle);
  d.settle = setTimeout(() => {
    if (faultDrag !== d || !d.running || d.pending === null) return;
    countLive('superseded');
    sim.cancel();
  }, LIVE_SETTLE_MS);
  if (!d.running) void followDrag(d);
}

/** The drag was given up (pointer cancelled): back to the scenario and run from before it. */
export function cancelFaultDrag(): void {
  const d = faultDrag;
  if (d === null) return;
  faultDrag = null;
  clearTimeout(d.settle);
  sim.cancel();
  lab.setState({ input: d.input, status: 'idle', ...(d.before === null ? {} : { view: d.before }) });
  writeUrl(d.input);
}

async function followDrag(d: NonNullable<typeof faultDrag>): Promise<void> {
  d.running = true;
  try {
    while (faultDrag === d && d.pending !== null) {
      const at = d.pending;
      d.pending = null;
      const faults = [...(d.input.faults ?? [])];
      const f = faults[d.index];
      if (f === undefined) return;
      // Not sorted while dragging: the dragged fault keeps its place (and its chip its index).
      faults[d.index] = { ...f, atMs: at / 1000 };
      timelineEdit = true;
      const input = { ...d.input, faults };
      lab.setState({ input, status: 'running' });
      d.shown = null;
      d.runningAt = at;
      countLive('started');
      if (await run(true, true)) {
        d.shown = runKey(input);
        d.shownView = lab.getState().view;
        d.shownAt = at;
        countLive('shown');
      }
    }
  } finally {
    d.running = false;
    d.runningAt = null;
  }
}

export function deleteFault(index: number): Promise<void> {
  const faults = [...(lab.getState().input.faults ?? [])];
  const [f] = faults.splice(index, 1);
  if (f === undefined) return Promise.resolve();
  announce(`Fault removed: ${faultName(f.kind)} at ${f.atMs} ms.`);
  expectEdit(`Removed ${faultName(f.kind)} at ${f.atMs} ms`, f);
  return applyScenario(withFaults(faults), edited());
}

// ---- The guided tour ----

/**
 * Opens a chapter of the tour: its preset is run, then the window and playhead go where the
 * chapter looks. The URL becomes #tour/<id>, pushed unless the URL is what brought us here.
 */
export async function openChapter(id: string, options: { pushHistory?: boolean; experiment?: boolean } = {}): Promise<void> {
  const ch = chapterById(id) ?? chapters[0]!;
  const i = chapterIndex(ch.id);
  const fault = options.experiment === true ? ch.experiment.fault : undefined;
  lab.setState({ tour: ch.id, tourPointer: 0, tourExperiment: fault !== undefined, helpOpen: false });
  playhead.set(0);
  // A link with the experiment runs the chapter's preset with its fault, as the button does.
  const input = presetInput(ch.preset);
  if (fault !== undefined) playhead.set(Math.round(fault.atMs * 1000));
  const done = applyScenario(fault === undefined ? input : { ...input, faults: [...(input.faults ?? []), fault].sort((a, b) => a.atMs - b.atMs) }, { preset: ch.preset, pushHistory: options.pushHistory ?? true });
  const title = `Tour, chapter ${i + 1} of ${chapters.length}: ${ch.title}.`;
  announce(title);
  await done;
  const s = lab.getState();
  if (s.tour !== ch.id || s.view === null || s.view.scenario.name !== ch.preset) return; // moved on meanwhile
  if (s.status === 'idle') announce(`${title} ${s.announcement}`);
  if (fault === undefined) goTo(ch.focus?.(s.view));
}

/** The window and playhead where a chapter or pointer looks. */
function goTo(f: TourFocus | null | undefined): void {
  const view = lab.getState().view;
  if (f === null || f === undefined || view === null) return;
  const end = view.endUs;
  const window = { from: Math.max(0, f.from), to: Math.min(end, f.to) };
  // The chapter's speed: what it points at takes 5–10 s to play.
  lab.setState({ window, speed: speedIndexFor(window.to - window.from) });
  playhead.set(Math.max(0, Math.min(end, f.playhead)));
}

/** Points the timeline at the chapter's k-th pointer (0: its lookAt) and goes where it looks. */
export function showPointer(k: number): void {
  const { tour, view } = lab.getState();
  const ch = tour === null ? undefined : chapterById(tour);
  if (ch === undefined) return;
  const p = pointers(ch)[k];
  if (p === undefined) return;
  lab.setState({ tourPointer: k });
  if (view !== null && view.scenario.name === ch.preset) goTo(p.focus?.(view));
}

/** The next (+1) or previous (-1) chapter; nothing past either end. */
export function stepChapter(direction: 1 | -1): Promise<void> {
  const cur = lab.getState().tour;
  if (cur === null) return Promise.resolve();
  const next = chapters[chapterIndex(cur) + direction];
  if (next === undefined) {
    announce(direction === 1 ? 'This is the last chapter of the tour.' : 'This is the first chapter of the tour.');
    return Promise.resolve();
  }
  return openChapter(next.id);
}

/** Leaves the tour for the free sandbox, keeping the chapter's scenario (and any experiment). */
export function exitTour(): void {
  const { tour, input } = lab.getState();
  if (tour === null) return;
  lab.setState({ tour: null });
  writeUrl(input, true);
  announce('Left the tour: the chapter’s scenario is loaded in the sandbox.');
}

/** Adds a chapter's experiment (a fault) to the scenario and runs it again. */
export function tryExperiment(fault: FaultSpec): Promise<void> {
  const faults = [...(lab.getState().input.faults ?? []), fault];
  if (lab.getState().tour !== null) lab.setState({ tourExperiment: true });
  announce(`Experiment: ${faultName(fault.kind)} at ${fault.atMs} ms.`);
  expectEdit(`Experiment: added ${faultName(fault.kind)} at ${fault.atMs} ms`, fault);
  // The whole run, with the playhead on the fault: what changed is in view.
  playhead.set(Math.round(fault.atMs * 1000));
  return applyScenario(withFaults(faults), { keepWindow: false, pushHistory: true, timeline: true });
}
