/**
 * The guided tour's two panels: the chapter (narration, what to look at, an experiment, a
 * question) above the timeline, and the client's code at the playhead beside it.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { LabView } from '../../../sim/views/index.js';
import { actionById } from '../actions.js';
import { lab, openChapter, playhead, showPointer, tryExperiment, useLab } from '../store.js';
import { chapterById, chapterIndex, chapters, pointers, world, type Chapter, type TourHighlight } from './chapters.js';
import { activeStates, backoffMarker, backoffStrategy, CODE_STATES, findMarker, momentAt, type ActiveState } from './code-states.js';
import { SOURCE_PATHS, SOURCES } from './sources.js';
import { openReadySweep } from '../sweep/sweep-store.js';
import './tour.css';

/** The chapter's highlight, once its own run is on screen (not the previous chapter's). */
export function chapterHighlight(ch: Chapter | undefined, view: LabView | null, pointer = 0): TourHighlight | null {
  if (ch === undefined || view === null || view.scenario.name !== ch.preset) return null;
  return (pointers(ch)[pointer] ?? pointers(ch)[0]!).highlight(view);
}

function TourButton({ id, children, testId, inactive }: { id: string; children: string; testId: string; inactive?: boolean }) {
  const a = actionById(id);
  return (
    <button
      type="button"
      data-testid={testId}
      onClick={() => a.perform()}
      aria-disabled={inactive ? 'true' : undefined}
      className={inactive ? 'inactive' : undefined}
      title={`${a.label} (${a.keys.join(', ')})`}
      aria-keyshortcuts={a.keys.map((k) => (k === '→' ? 'ArrowRight' : k === '←' ? 'ArrowLeft' : k)).join(' ')}
    >
      {children}
    </button>
  );
}

export function TourPanel({ chapterId }: { chapterId: string }) {
  const ch = chapterById(chapterId) ?? chapters[0]!;
  const i = chapterIndex(ch.id);
  const view = useLab((s) => s.view);
  const status = useLab((s) => s.status);
  const loaded = view !== null && view.scenario.name === ch.preset && status !== 'running';
  const pointer = useLab((s) => s.tourPointer);
  const experimented = useLab((s) => s.tourExperiment);
  // On a small screen the text can fold away so the timeline it talks about fits beside it.
  const folded = useLab((s) => s.tourFolded);
  const bodyId = 'tour-body';
  const hl = useMemo(() => chapterHighlight(ch, view, pointer), [ch, view, pointer]);
  const points = pointers(ch);
  const titleId = 'tour-title';
  // Opened from a button that is now gone, from a link, or moved on from the last chapter's title:
  // focus goes to this chapter's title, not to the page's start. A focus still on something that
  // stays (the menu, Continue) stays there.
  useEffect(() => {
    const a = document.activeElement;
    if (a === null || a === document.body) document.getElementById(titleId)?.focus();
  }, [ch.id]);
  return (
    <section className="tour" aria-labelledby={titleId} data-testid="tour" data-chapter={ch.id} data-preset={ch.preset} data-loaded={loaded ? 'true' : 'false'}>
      <nav className="tour-nav" aria-label="Tour chapters">
        <TourButton id="tour-prev" testId="tour-prev" inactive={i === 0}>
          ← Back
        </TourButton>
        <label className="tour-menu">
          <span>Chapter</span>{' '}
          <select data-testid="tour-menu" value={ch.id} onChange={(e) => void openChapter(e.target.value)}>
            {chapters.map((c, k) => (
              <option key={c.id} value={c.id}>
                {`${k + 1}. ${c.lesson} · ${c.title}`}
              </option>
            ))}
          </select>
        </label>
        <span className="tour-count" aria-hidden="true">
          {i + 1} / {chapters.length}
        </span>
        <TourButton id="tour-next" testId="tour-next" inactive={i === chapters.length - 1}>
          Continue →
        </TourButton>
        <TourButton id="tour-exit" testId="tour-exit">
          Open in the sandbox
        </TourButton>
        <button type="button" data-testid="tour-fold" aria-expanded={!folded} aria-controls={bodyId} onClick={() => lab.setState({ tourFolded: !folded })}>
          {folded ? 'Show the text' : 'Fold the text'}
        </button>
      </nav>
      <article key={ch.id} className="tour-chapter" data-testid={`tour-chapter-${ch.id}`}>
        <h2 id={titleId} tabIndex={-1}>
          <span className="tour-lesson">{ch.lesson}</span> {ch.title}
        </h2>
        {folded && hl !== null && (
          <p className="tour-pointer">
            <span aria-hidden="true">◆ </span>Highlighted: {hl.label}
          </p>
        )}
        <div id={bodyId} hidden={folded}>
          {ch.narration.map((p, k) => (
            <p key={k}>{p}</p>
          ))}
          <div className="tour-grid">
            <div>
              <h3>Look at</h3>
              {points.length === 1 ? (
                <p>{ch.lookAt}</p>
              ) : (
                <ol className="tour-points">
                  {points.map((p, k) => (
                    <li key={k} className={k === pointer ? 'current' : undefined} aria-current={k === pointer ? 'step' : undefined}>
                      <p>{p.text}</p>
                      <button type="button" data-testid={`tour-point-${k}`} aria-pressed={k === pointer} disabled={!loaded} onClick={() => showPointer(k)}>
                        {k === pointer ? 'Shown on the timeline' : 'Show this on the timeline'}
                      </button>
                    </li>
                  ))}
                </ol>
              )}
              {hl !== null && (
                <p className="tour-pointer">
                  <span aria-hidden="true">◆ </span>Highlighted: {hl.label}
                </p>
              )}
            </div>
            <div>
              <h3>Try it</h3>
              <p>{ch.experiment.text}</p>
              {ch.experiment.fault !== undefined && (
                <button type="button" data-testid="tour-try" disabled={!loaded || experimented} onClick={() => void tryExperiment(ch.experiment.fault!)}>
                  {experimented ? 'Added: this run has the fault' : 'Add this fault and run again'}
                </button>
              )}
              {ch.sweep !== undefined && (
                <button type="button" data-testid="tour-sweep" onClick={() => {
                    lab.setState({ tour: null });
                    void openReadySweep(ch.sweep!);
                  }}>
                  Run the sweep
                </button>
              )}
            </div>
          </div>
          <h3>Question</h3>
          <p>{ch.question}</p>
          <details className="tour-answer" data-testid="tour-answer">
            <summary>Check the answer (read from this run)</summary>
            <p>{loaded ? ch.answer(view!) : 'Simulating…'}</p>
          </details>
        </div>
      </article>
      <div className="visually-hidden" aria-live="polite" data-testid="tour-live">
        {hl !== null ? `Highlighted on the timeline: ${hl.label}.` : ''}
      </div>
    </section>
  );
}

/** The client source of one world, with the lines running at the playhead marked. */
export function TourCode({ view, chapterId }: { view: LabView; chapterId: string }) {
  const ch = chapterById(chapterId) ?? chapters[0]!;
  const [chosen, setChosen] = useState(ch.codeWorld);
  useEffect(() => setChosen(ch.codeWorld), [ch.codeWorld]);
  const w = world(view, chosen) ?? world(view, ch.codeWorld) ?? view.worlds[0];
  const kind = w?.client.kind ?? 'multiplex';
  const file = CODE_STATES[kind].file;
  const source = SOURCES[file];
  const lines = useMemo(() => source.replace(/\n$/, '').split('\n'), [source]);
  const [active, setActive] = useState<ActiveState[]>([]);
  const preRef = useRef<HTMLPreElement>(null);

  useEffect(() => {
    if (w === undefined) return;
    let raf = 0;
    let last = '';
    const update = () => {
      raf = 0;
      const win = lab.getState().window;
      const a = activeStates(w, momentAt(playhead.get(), win));
      const k = a.map((x) => `${x.state.id}:${x.n}`).join(',');
      if (k !== last) {
        last = k;
        setActive(a);
      }
    };
    update();
    const off = playhead.subscribe(() => {
      if (raf === 0) raf = requestAnimationFrame(update);
    });
    return () => {
      off();
      cancelAnimationFrame(raf);
    };
  }, [w]);

  const lineState = useMemo(() => {
    const m = new Map<number, string>();
    for (const a of active) {
      for (const mk of a.state.markers) {
        const r = findMarker(source, mk);
        if (r !== null) for (let l = r.from; l <= r.to; l++) if (!m.has(l)) m.set(l, a.state.id);
      }
    }
    return m;
  }, [active, source]);

  const firstLine = lineState.size === 0 ? null : Math.min(...lineState.keys());
  useEffect(() => {
    const pre = preRef.current;
    if (pre === null || firstLine === null) return;
    const el = pre.querySelector<HTMLElement>(`[data-line="${firstLine}"]`);
    if (el !== null) pre.scrollTop = Math.max(0, el.offsetTop - pre.clientHeight / 3);
  }, [firstLine, file]);

  return (
    <section className="tour-code" aria-label="The client’s code at the playhead" data-testid="tour-code" data-file={file} data-active={active.map((a) => a.state.id).join(' ')}>
      <header className="tour-code-head">
        <label>
          Code of{' '}
          <select data-testid="tour-code-world" value={w?.label ?? ''} onChange={(e) => setChosen(e.target.value)}>
            {view.worlds.map((x) => (
              <option key={x.label} value={x.label}>
                {x.label} ({x.client.kind})
              </option>
            ))}
          </select>
        </label>{' '}
        <code>{SOURCE_PATHS[file]}</code>
      </header>
      <ul className="tour-states" data-testid="tour-code-states" aria-label="Running at the playhead">
        {active.length === 0 ? (
          <li className="idle">Nothing of this client runs at the playhead: step with ] or [ to the next event.</li>
        ) : (
          active.map((a) => (
            <li key={a.state.id} data-state={a.state.id}>
              {a.state.describe(a.n)}
            </li>
          ))
        )}
      </ul>
      <pre ref={preRef} className="tour-src" tabIndex={0} aria-label={`Source of ${SOURCE_PATHS[file]}; highlighted lines run at the playhead`}>
        {lines.map((l, k) => {
          const st = lineState.get(k + 1);
          return (
            <span key={k} className={st === undefined ? 'ln' : 'ln run'} data-line={k + 1} data-state={st}>
              <span className="no" aria-hidden="true">
                {k + 1}
              </span>
              {st !== undefined && <span className="visually-hidden">running: </span>}
              {l}
              {'\n'}
            </span>
          );
        })}
      </pre>
      {w !== undefined && active.some((a) => a.state.id === 'backoff') && <BackoffExcerpt strategy={backoffStrategy(w.client)} />}
      {ch.elixir !== undefined && (
        <figure className="tour-elixir" data-testid="tour-elixir">
          <figcaption>From the slides (Elixir)</figcaption>
          <pre tabIndex={0} aria-label="The slide's Elixir">
            {ch.elixir}
          </pre>
        </figure>
      )}
    </section>
  );
}

/** While a process backs off: where its wait is computed (sim/clients/backoff.ts, its strategy's case). */
function BackoffExcerpt({ strategy }: { strategy: string | null }) {
  const m = strategy === null ? null : backoffMarker(strategy);
  const r = m === null ? null : findMarker(SOURCES.backoff, m);
  if (r === null) return null;
  const lines = SOURCES.backoff.split('\n').slice(r.from - 1, r.to);
  return (
    <figure className="tour-excerpt" data-testid="tour-backoff-code">
      <figcaption>
        The wait: <code>{SOURCE_PATHS.backoff}</code>, strategy <code>{strategy}</code>
      </figcaption>
      <pre className="tour-src" tabIndex={0} aria-label={`${SOURCE_PATHS.backoff}, lines ${r.from} to ${r.to}`}>
        {lines.map((l, k) => (
          <span key={k} className="ln">
            <span className="no" aria-hidden="true">
              {r.from + k}
            </span>
            {l}
            {'\n'}
          </span>
        ))}
      </pre>
    </figure>
  );
}
