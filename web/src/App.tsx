import { Component, memo, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { LabView } from '../../sim/views/index.js';
import type { ScenarioInput } from '../../sim/scenario/schema.js';
import { actionById, actions, FAULT_KINDS, handleKey, seek, setPlaying } from './actions.js';
import { applyScenario, cancelFaultDrag, editLive, cancelRun, deleteFault, dragFault, injectFault, lab, moveFault, pickPreset, playhead, startFromUrl, useLab, type FaultKind, type TimeWindow } from './store.js';
import { Timeline, type TimelineHighlight } from './components/Timeline.js';
import { PresetPicker } from './components/PresetPicker.js';
import { ScenarioPanel } from './components/ScenarioPanel.js';
import { ComparisonTable } from './components/ComparisonTable.js';
import { LatencyScatter, ThroughputChart } from './components/Charts.js';
import { HelpDialog } from './components/HelpDialog.js';
import { Topologies } from './components/Topology.js';
import { SequenceViews } from './components/SequenceView.js';
import { FaultDeltaLine } from './components/FaultDelta.js';
import { speedName } from './playback.js';
import { scenarioLabel } from './scenario-label.js';
import { TourCode, TourPanel, chapterHighlight } from './tour/Tour.js';
import { chapterById } from './tour/chapters.js';
import { SweepView } from './sweep/SweepView.js';
import { useSweep } from './sweep/sweep-store.js';

/**
 * A paint layer of its own (a stacking context; it looks the same). While the timeline pans and
 * zooms, its axis, fault bands and counts change every frame, and Chromium then repaints the
 * layer that holds them, walking every box of it: with the panels in layers of their own, it
 * reuses their painting whole instead (about 0.3 ms a frame instead of 1.8 ms, measured).
 */
const OWN_PAINT_LAYER = { position: 'relative', zIndex: 0 } as const;

/** A rendering error in one part shows a message there instead of taking the page down. */
class Boundary extends Component<{ name: string; children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error !== null) {
      return (
        <p role="alert" className="crash">
          The {this.props.name} could not be drawn: {this.state.error.message}. The rest of the lab still works; changing the scenario tries again.
        </p>
      );
    }
    return this.props.children;
  }
}

function ActionButton({ id, children, disabled, testId }: { id: string; children?: ReactNode; disabled?: boolean; testId?: string }) {
  const a = actionById(id);
  return (
    <button type="button" data-testid={testId ?? `action-${id}`} onClick={() => a.perform()} disabled={disabled} title={`${a.label} (${a.keys.join(', ')})`} aria-keyshortcuts={a.keys.join(' ')}>
      {children ?? a.label}
    </button>
  );
}

function Scrubber() {
  const ref = useRef<HTMLInputElement>(null);
  const end = useLab((s) => s.view?.endUs ?? 0);
  useEffect(() => {
    const update = (t: number) => {
      if (ref.current !== null) {
        ref.current.value = String(t);
        ref.current.setAttribute('aria-valuetext', `${(t / 1000).toFixed(3)} ms`);
      }
    };
    update(playhead.get());
    return playhead.subscribe(update);
  }, []);
  return (
    <label className="scrubber">
      <span>Playhead</span>
      <input ref={ref} type="range" min={0} max={end} step={1} data-testid="scrubber" onChange={(e) => seek(Number(e.target.value))} />
      <PlayheadReadout />
    </label>
  );
}

function PlayheadReadout() {
  const ref = useRef<HTMLOutputElement>(null);
  useEffect(() => {
    const update = (t: number) => {
      if (ref.current !== null) ref.current.textContent = `${(t / 1000).toFixed(3)} ms`;
    };
    update(playhead.get());
    return playhead.subscribe(update);
  }, []);
  return <output ref={ref} data-testid="playhead-time" />;
}

function Toolbar() {
  const playing = useLab((s) => s.playing);
  const speed = useLab((s) => s.speed);
  const faultKind = useLab((s) => s.faultKind);
  const status = useLab((s) => s.status);
  const hasView = useLab((s) => s.view !== null);
  return (
    <div className="toolbar" role="toolbar" aria-label="Playback, faults and export" style={OWN_PAINT_LAYER}>
      <div className="group">
        <ActionButton id="play-pause" disabled={!hasView}>
          {playing ? 'Pause' : 'Play'}
        </ActionButton>
        <ActionButton id="step-prev">◀ Step</ActionButton>
        <ActionButton id="step-next">Step ▶</ActionButton>
        <ActionButton id="slower">Slower</ActionButton>
        <span className="speed" data-testid="speed">
          {speedName(speed)}
        </span>
        <ActionButton id="faster">Faster</ActionButton>
        <Scrubber />
      </div>
      <div className="group">
        <label>
          Fault{' '}
          <select data-testid="fault-kind" value={faultKind} onChange={(e) => lab.setState({ faultKind: e.target.value as FaultKind })}>
            {FAULT_KINDS.map((f) => (
              <option key={f.kind} value={f.kind} title={f.description}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <ActionButton id="inject-fault" disabled={!hasView || status === 'running'}>
          Inject at playhead
        </ActionButton>
      </div>
      <div className="group">
        <ActionButton id="export-report" disabled={!hasView || status === 'running'}>
          Report
        </ActionButton>
        <ActionButton id="export-trace" disabled={!hasView || status === 'running'}>
          Trace
        </ActionButton>
        <ActionButton id="export-perfetto" disabled={!hasView || status === 'running'}>
          Perfetto
        </ActionButton>
        <ActionButton id="export-svg" disabled={!hasView}>
          SVG
        </ActionButton>
        <ActionButton id="export-png" disabled={!hasView}>
          PNG
        </ActionButton>
        <ActionButton id="help">?</ActionButton>
      </div>
      {status === 'running' && (
        <div className="group running" data-testid="progress">
          <RunProgress label="Simulation progress" /> Simulating…{' '}
          <button type="button" onClick={() => cancelRun()}>
            Cancel
          </button>
        </div>
      )}
    </div>
  );
}

/**
 * How far the run is: only this element follows the progress (the store's, at most every
 * PROGRESS_EVERY_MS), so the toolbar around it is not rendered again while the workers run.
 */
function RunProgress({ label }: { label: string }) {
  const progress = useLab((s) => s.progress);
  return <progress max={1} value={progress} aria-label={label} />;
}

/** Before the first run is drawn: what is being simulated and how far it is, not an empty pane. */
function FirstRunProgress() {
  const status = useLab((s) => s.status);
  const name = useLab((s) => s.input.name);
  if (status !== 'running') return <p className="placeholder">Nothing simulated yet.</p>;
  return (
    <div className="placeholder first-run" data-testid="first-run-progress">
      <p>
        Simulating <strong>{name}</strong>: two worlds, the same callers and the same Redis, one clock…
      </p>
      <RunProgress label={`Simulating ${name}`} />
    </div>
  );
}

const INTRO_KEY = 'duplex.intro.dismissed';

function introDismissed(): boolean {
  try {
    return typeof localStorage !== 'undefined' && localStorage.getItem(INTRO_KEY) === '1';
  } catch {
    return false; // storage refused (private mode): show it, dismissing still hides it for now
  }
}

function dismissIntro(): void {
  try {
    localStorage.setItem(INTRO_KEY, '1');
  } catch {
    // not remembered; hidden for this visit
  }
}

/**
 * One screen of "what you are looking at", until dismissed (remembered in localStorage). Beside
 * the timeline on a wide screen, above it on a narrow one (CSS shows one of the two places).
 */
function Intro({ where, onDismiss }: { where: 'wide' | 'narrow'; onDismiss(): void }) {
  const dismiss = () => {
    dismissIntro();
    onDismiss();
  };
  const titleId = `intro-title-${where}`;
  return (
    <section className={`intro intro-${where}`} aria-labelledby={titleId} data-testid={where === 'wide' ? 'intro' : 'intro-narrow'}>
      <h2 id={titleId}>What you are looking at</h2>
      <p>
        Two <strong>worlds</strong> run the same callers against the same simulated Redis, one clock for both: above, a <strong>pool</strong> of connections, each used by one caller at a time; below it, one{' '}
        <strong>multiplexed</strong> connection that every caller shares.
      </p>
      <p>
        In the timeline, each world has its <strong>connection lanes</strong> (arrows: a command sent down to Redis, its reply back up) and its <strong>callers</strong> (a bar per request, from asking to the answer). Time runs
        left to right: scroll to zoom, drag to pan, click the axis to move the playhead.
      </p>
      <p>The guided tour tells the talk this lab follows, one picture at a time.</p>
      <div className="intro-actions">
        <ActionButton id="tour-open" testId={where === 'wide' ? 'intro-tour' : 'intro-tour-narrow'}>
          Start the guided tour →
        </ActionButton>
        <button type="button" data-testid={where === 'wide' ? 'intro-dismiss' : 'intro-dismiss-narrow'} onClick={dismiss}>
          Got it, let me explore
        </button>
      </div>
    </section>
  );
}

function Notice() {
  const notice = useLab((s) => s.notice);
  if (notice === null) return null;
  return (
    <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
      {notice.text}{' '}
      <button type="button" onClick={() => lab.setState({ notice: null })} aria-label="Dismiss this message">
        ×
      </button>
    </div>
  );
}

const onInjectAt = (t: number) => void injectFault(lab.getState().faultKind, t);
const onMoveFault = (i: number, t: number) => void moveFault(i, t);
const onDragFault = (i: number, t: number) => dragFault(i, t);
const onDeleteFault = (i: number) => void deleteFault(i);
const onApplyPanel = (next: ScenarioInput) => void applyScenario(next, { preset: null });

/**
 * Only this subtree follows the visible window, so zooming never re-renders the panels. The
 * timeline draws its own pans and zooms as they happen and reports them (at most once a frame);
 * only windows set elsewhere (keys, playback, a new run) come back to it as a new prop, so a
 * gesture never re-renders it either. Memoised, as the charts, the table, the topologies and the
 * sequence diagrams are: the app re-renders as a run starts (status, scenario, announcements),
 * and none of them changes until its view does.
 */
const LinkedTimeline = memo(function LinkedTimeline({ view, highlight }: { view: LabView; highlight?: TimelineHighlight }) {
  const [window_, setWindow] = useState(() => lab.getState().window);
  const reported = useRef<TimeWindow | null>(null);
  useEffect(() => {
    const follow = (w: TimeWindow) => {
      if (w !== reported.current) setWindow(w);
    };
    follow(lab.getState().window);
    return lab.subscribe((s, prev) => {
      if (s.window !== prev.window) follow(s.window);
    });
  }, []);
  const onWindowChange = useCallback((w: TimeWindow) => {
    reported.current = w;
    lab.setState({ window: w });
  }, []);
  return <Timeline view={view} window={window_} onWindowChange={onWindowChange} playhead={playhead} onSeek={seek} onInjectAt={onInjectAt} onMoveFault={onMoveFault} onDragFault={onDragFault} onCancelFaultDrag={cancelFaultDrag} onDeleteFault={onDeleteFault} highlight={highlight} />;
});

/**
 * The charts follow the window once a zoom or pan has settled (200 ms without a change), keeping
 * frames for the timeline. The window is read from the store by a subscription, not a hook, so a
 * gesture never re-renders this subtree; a new run shows its window at once.
 */
const LinkedCharts = memo(function LinkedCharts({ view }: { view: LabView }) {
  const ghost = useLab((s) => s.delta?.ghost ?? null);
  const [settled, setSettled] = useState(() => ({ view, window: lab.getState().window }));
  const window_ = settled.view === view ? settled.window : lab.getState().window;
  useEffect(() => {
    setSettled((s) => (s.view === view ? s : { view, window: lab.getState().window }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = lab.subscribe((s, prev) => {
      if (s.window === prev.window) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const now = lab.getState();
        setSettled((old) => (old.view === now.view && old.window === now.window ? old : { view: now.view ?? view, window: now.window }));
      }, 200);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [view]);
  return (
    <>
      <LatencyScatter view={view} window={window_} ghost={ghost} />
      <ThroughputChart view={view} window={window_} ghost={ghost} />
    </>
  );
});

/** Wide enough for the side column beside the timeline (app.css's breakpoint: max-width 1100px). */
const WIDE = '(min-width: 1101px)';

function subscribeWide(onChange: () => void): () => void {
  if (typeof window.matchMedia !== 'function') return () => {};
  const mq = window.matchMedia(WIDE);
  mq.addEventListener('change', onChange);
  return () => mq.removeEventListener('change', onChange);
}

function useWide(): boolean {
  return useSyncExternalStore(subscribeWide, () => typeof window.matchMedia === 'function' && window.matchMedia(WIDE).matches);
}

/** The page has read its URL (see App's first effect). */
let started = false;

export function App() {
  const view = useLab((s) => s.view);
  const input = useLab((s) => s.input);
  const panelInput = useLab((s) => s.panelInput);
  const liveRuns = useLab((s) => s.liveRuns);
  // Until the panel takes a timeline edit's scenario (once the page is idle after its run is
  // drawn, store.ts) it stays as it was, disabled: no render of its form in the frame of the run.
  const panelDisabled = useLab((s) => s.status === 'running' || s.panelInput !== s.input);
  const preset = useLab((s) => s.preset);
  const status = useLab((s) => s.status);
  const announcement = useLab((s) => s.announcement);
  const played = useLab((s) => s.played);
  const tour = useLab((s) => s.tour);
  const pointer = useLab((s) => s.tourPointer);
  const sweepOpen = useSweep((s) => s.open);
  const sweepAnnouncement = useSweep((s) => s.announcement);
  // On a wide screen the topologies sit in the side column, so that both worlds' timelines fit
  // the first screen (1280×720); in the tour and on a narrow screen, above the timeline.
  const wide = useWide();
  const topologiesBeside = wide && tour === null;
  const highlight = useMemo(() => (tour === null ? undefined : chapterHighlight(chapterById(tour), view, pointer) ?? undefined), [tour, view, pointer]);

  // Leaving the tour removes the button that was pressed: focus goes to the one that reopens it.
  const [introOpen, setIntroOpen] = useState(() => !introDismissed());
  const wasTouring = useRef(false);
  useEffect(() => {
    if (wasTouring.current && tour === null) {
      const a = document.activeElement;
      if (a === null || a === document.body) document.querySelector<HTMLElement>('[data-testid="action-tour-open"]')?.focus();
    }
    wasTouring.current = tour !== null;
  }, [tour]);

  useEffect(() => {
    // Once per page: React's StrictMode runs effects twice in development, and a second start
    // would read back the URL the first one wrote (a link's scenario, no longer the preset).
    if (!started) {
      started = true;
      void startFromUrl();
    }
    const onKey = (e: KeyboardEvent) => handleKey(e);
    const onHash = () => void startFromUrl();
    window.addEventListener('keydown', onKey);
    window.addEventListener('hashchange', onHash);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('hashchange', onHash);
      setPlaying(false);
    };
  }, []);

  return (
    <div className="app">
      <header className="masthead" style={OWN_PAINT_LAYER}>
        <h1>Duplex</h1>
        <p className="tagline">A blocking pool against one multiplexed connection — break them and watch.</p>
        {tour === null && (
          <span className="tour-start">
            <ActionButton id="tour-open">Guided tour →</ActionButton>
          </span>
        )}
        {tour === null && <ActionButton id="sweep">{sweepOpen ? 'Back to the lab' : 'Sweep'}</ActionButton>}
        <PresetPicker value={preset} onPick={(name) => void pickPreset(name)} customLabel={preset === null ? scenarioLabel(input) : null} />
      </header>
      <Notice />
      {sweepOpen ? (
        <main className="sweep-main">
          <Boundary name="sweep view">
            <SweepView />
          </Boundary>
        </main>
      ) : (
      <>
      <Toolbar />
      <FaultDeltaLine />
      <main className={tour === null ? 'lab' : 'lab touring'}>
        {tour !== null && <TourPanel chapterId={tour} />}
        <div className="main-col">
          {tour === null && introOpen && <Intro where="narrow" onDismiss={() => setIntroOpen(false)} />}
        {view !== null && !topologiesBeside && (
          <Boundary name="topology">
            <Topologies view={view} />
          </Boundary>
        )}
        <section className={played ? 'timeline-area dim-future' : 'timeline-area'} aria-label="Timeline of every world">
          {view === null ? (
            <FirstRunProgress />
          ) : (
            <Boundary name="timeline">
              <LinkedTimeline view={view} highlight={highlight} />
            </Boundary>
          )}
          {view !== null && (
            <p className="run-facts" style={OWN_PAINT_LAYER}>
              {view.scenario.name} · seed {view.scenario.seed} · {view.scenario.durationMs} ms ·{' '}
              {view.worlds.map((w) => (
                <span key={w.label}>
                  {w.label} trace <code data-testid={`trace-hash-${w.label}`}>{w.traceHash}</code>{' '}
                </span>
              ))}
            </p>
          )}
          {view?.failed.map((f) => (
            <p key={f.label} role="alert" className="crash" data-testid={`world-crash-${f.label}`}>
              The world “{f.label}” could not run: {f.message}.{view.worlds.length > 0 ? ' The other worlds are shown.' : ''}
            </p>
          ))}
        </section>
        {view !== null && (
          <Boundary name="sequence diagram">
            <SequenceViews view={view} />
          </Boundary>
        )}
        {view !== null && (
          <section className="charts" aria-label="Latency and throughput" style={OWN_PAINT_LAYER}>
            <Boundary name="charts">
              <LinkedCharts view={view} />
            </Boundary>
          </section>
        )}
        </div>
        <aside className="side" style={OWN_PAINT_LAYER}>
          {tour === null && introOpen && <Intro where="wide" onDismiss={() => setIntroOpen(false)} />}
          {view !== null && topologiesBeside && (
            <Boundary name="topology">
              <Topologies view={view} />
            </Boundary>
          )}
          {tour !== null && view !== null && (
            <Boundary name="code panel">
              <TourCode key={tour} view={view} chapterId={tour} />
            </Boundary>
          )}
          {view !== null && (
            <Boundary name="comparison table">
              <ComparisonTable view={view} />
            </Boundary>
          )}
          {tour === null && <ScenarioPanel input={panelInput} disabled={panelDisabled} onApply={onApplyPanel} onNumber={editLive} liveRuns={liveRuns} />}
        </aside>
      </main>
      </>
      )}
      <HelpDialog actions={actions} />
      <div className="visually-hidden" aria-live="polite" data-testid="live-region">
        {announcement}
      </div>
      <div className="visually-hidden" aria-live="polite" data-testid="sweep-live-region">
        {sweepAnnouncement}
      </div>
    </div>
  );
}
