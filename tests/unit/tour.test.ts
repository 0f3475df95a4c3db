import { describe, expect, it } from 'vitest';
import { presets, loadPreset, runScenario } from '../../sim/scenario/index.js';
import { deriveLab } from '../../sim/views/index.js';
import { chapterById, chapters, parseTourHash, pointers, tourHash } from '../../web/src/tour/chapters.js';
import { activeStates, backoffMarker, CODE_STATES, findMarker, markerCount, momentAt } from '../../web/src/tour/code-states.js';
import { SOURCES } from '../../web/src/tour/sources.js';
import { readHash } from '../../web/src/url.js';

describe('the tour chapters', () => {
  it('have_unique_ids_that_are_safe_in_a_link', () => {
    const ids = chapters.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+$/);
  });

  it('run_presets_that_exist', () => {
    for (const c of chapters) expect(presets.map((p) => p.name), c.id).toContain(c.preset);
  });

  it('cover_every_lesson_of_the_talk_and_every_point_beyond_the_slides', () => {
    for (const l of ['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'L8']) expect(chapters.some((c) => c.lesson === l), l).toBe(true);
    for (const p of ['hol-blpop', 'late-replies', 'pool-overload']) expect(chapters.some((c) => c.preset === p), p).toBe(true);
  });

  it('each_have_narration_a_look_at_an_experiment_and_a_question', () => {
    for (const c of chapters) {
      expect(c.narration.length, c.id).toBeGreaterThan(0);
      expect(c.lookAt.length, c.id).toBeGreaterThan(20);
      expect(c.experiment.text.length, c.id).toBeGreaterThan(20);
      expect(c.question.endsWith('?'), c.id).toBe(true);
    }
  });
});

describe('the experiments', () => {
  it('the_reconnect_storms_forms_its_columns_again', () => {
    const ch = chapterById('reconnect-storm')!;
    const s = loadPreset(ch.preset)!;
    const f = ch.experiment.fault!;
    const view = deriveLab(runScenario({ ...s, faults: [...s.faults, f] }));
    // Connect attempts per millisecond after the fault's first (where both worlds' connections
    // that were up try again at once, no backoff yet): the fullest, and how many are full.
    const columns = (label: string) => {
      const by = new Map<number, number>();
      for (const t of view.worlds.find((w) => w.label === label)!.connects) if (t >= (f.atMs + 1) * 1000) by.set(Math.floor(t / 1000), (by.get(Math.floor(t / 1000)) ?? 0) + 1);
      return { max: Math.max(0, ...by.values()), full: [...by.values()].filter((n) => n >= 40).length };
    };
    expect(columns('exp-no-jitter').full).toBeGreaterThanOrEqual(2);
    expect(columns('rand-exp-jitter').max).toBeLessThanOrEqual(5);
  });
});

describe('the late replies experiment', () => {
  it('times_out_more_of_the_pools_calls', () => {
    const ch = chapterById('late-replies')!;
    const s = loadPreset(ch.preset)!;
    const before = runScenario(s);
    const after = runScenario({ ...s, faults: [...s.faults, ch.experiment.fault!] });
    const timeouts = (r: typeof before, label: string) => r.worlds.find((w) => w.label === label)!.metrics.requests.errors['timeout'] ?? 0;
    expect(timeouts(after, 'pool')).toBeGreaterThan(timeouts(before, 'pool'));
  });
});

describe('the tour links', () => {
  it('open_the_first_chapter_on_a_bare_tour_link', () => {
    expect(parseTourHash('#tour')).toEqual({ chapter: chapters[0]!.id, known: true, experiment: false });
    expect(parseTourHash('#tour/')).toEqual({ chapter: chapters[0]!.id, known: true, experiment: false });
  });

  it('open_the_named_chapter_and_round_trip', () => {
    for (const c of chapters) expect(parseTourHash(tourHash(c.id))).toEqual({ chapter: c.id, known: true, experiment: false });
  });

  it('carry_the_experiment_when_the_chapter_has_one', () => {
    for (const c of chapters) {
      const has = c.experiment.fault !== undefined;
      expect(parseTourHash(tourHash(c.id, true)), c.id).toEqual({ chapter: c.id, known: true, experiment: has });
    }
    expect(tourHash('multiplex', true)).toBe('#tour/multiplex/experiment');
  });

  it('say_a_malformed_id_is_unknown', () => {
    expect(parseTourHash('#tour/%E0%A4%A')).toEqual({ chapter: chapters[0]!.id, known: false, experiment: false });
    expect(parseTourHash('#tour/no-such/experiment')).toEqual({ chapter: chapters[0]!.id, known: false, experiment: false });
  });

  it('fall_back_to_the_first_chapter_on_an_unknown_id', () => {
    expect(parseTourHash('#tour/no-such-chapter')).toEqual({ chapter: chapters[0]!.id, known: false, experiment: false });
  });

  it('are_not_scenarios_and_scenarios_are_not_tour_links', () => {
    expect(parseTourHash('#s=abc')).toBeNull();
    expect(parseTourHash('')).toBeNull();
    expect(parseTourHash('#tourist')).toBeNull();
    expect(readHash('#tour/pool').kind).toBe('none');
    expect(readHash('#tour').kind).toBe('none');
    // Not the tour: a link the page cannot open, said so (it used to load the default silently).
    for (const h of ['#tourist', '#tours', '#touring/pool']) {
      const r = readHash(h);
      expect(r.kind, h).toBe('invalid');
      if (r.kind === 'invalid') expect(r.reason).toContain(`"${h}"`);
    }
  });
});

describe('the code panel', () => {
  it('finds_every_marker_exactly_once_in_its_source', () => {
    for (const [kind, { file, states }] of Object.entries(CODE_STATES)) {
      const src = SOURCES[file];
      expect(src.length, file).toBeGreaterThan(100);
      for (const s of states) {
        for (const m of s.markers) {
          expect(findMarker(src, m), `${kind}/${s.id}: ${m.start}`).not.toBeNull();
          expect(markerCount(src, m), `${kind}/${s.id}: ${m.start}`).toBe(1);
        }
      }
    }
  });

  it('finds_every_backoff_strategy_s_formula_in_backoff_ts', () => {
    for (const strategy of ['redix', 'exp', 'rand', 'rand_exp', 'ioredis']) {
      const m = backoffMarker(strategy)!;
      expect(markerCount(SOURCES.backoff, m), strategy).toBe(1);
      const r = findMarker(SOURCES.backoff, m)!;
      expect(r, strategy).not.toBeNull();
      expect(r.to - r.from, strategy).toBeLessThan(12);
    }
    expect(backoffMarker('none')).toBeNull();
  });

  it('spans_a_marker_from_its_start_line_to_its_end_line', () => {
    const src = 'a\nstart here\nb\nend here\nend here';
    expect(findMarker(src, { start: 'start here', end: 'end here' })).toEqual({ from: 2, to: 4 });
    expect(findMarker(src, { start: 'start here' })).toEqual({ from: 2, to: 2 });
    expect(findMarker(src, { start: 'missing' })).toBeNull();
    expect(findMarker(src, { start: 'b', end: 'nowhere' })).toBeNull();
  });

  it('shows_a_pool_caller_in_recv_and_the_multiplexer_in_noreply_mid_run', () => {
    const view = deriveLab(runScenario(loadPreset('l4-multiplex')!));
    const t = 102_000;
    const pool = view.worlds.find((w) => w.label === 'pool')!;
    const mux = view.worlds.find((w) => w.label === 'multiplex')!;
    expect(activeStates(pool, { t, recentUs: 200 }).map((a) => a.state.id)).toContain('recv');
    expect(activeStates(mux, { t, recentUs: 200 }).map((a) => a.state.id)).toContain('noreply');
  });

  it('shows_the_backoff_branch_after_tcp_closed', () => {
    const view = deriveLab(runScenario(loadPreset('l6-resiliency')!));
    const mux = view.worlds.find((w) => w.label === 'multiplex')!;
    const b = mux.backoffs.find((x) => x.from >= 500_000)!;
    expect(b).toBeDefined();
    expect(activeStates(mux, { t: (b.from + b.to) / 2, recentUs: 200 }).map((a) => a.state.id)).toContain('backoff');
  });
});

describe('each chapter on its own run', () => {
  for (const c of chapters) {
    it(`${c.id}_points_at_something_in_its_run_and_answers_its_question`, () => {
      const view = deriveLab(runScenario(loadPreset(c.preset)!));
      const hl = c.highlight(view);
      expect(hl, 'highlight').not.toBeNull();
      if (hl!.world !== undefined) expect(view.worlds.map((w) => w.label)).toContain(hl!.world);
      if (hl!.req !== undefined) expect(view.worlds.find((w) => w.label === hl!.world)!.requests.some((r) => r.req === hl!.req)).toBe(true);
      expect(view.worlds.map((w) => w.label)).toContain(c.codeWorld);
      const f = c.focus?.(view);
      expect(f, 'focus').toBeDefined();
      expect(f).not.toBeNull();
      expect(f!.from).toBeLessThan(f!.to);
      expect(f!.playhead).toBeGreaterThanOrEqual(f!.from);
      expect(f!.playhead).toBeLessThanOrEqual(f!.to);
      // The code panel opens on the state the chapter talks about.
      const w = view.worlds.find((x) => x.label === c.codeWorld)!;
      expect(CODE_STATES[w.client.kind].states.map((s) => s.id)).toContain(c.opensOn);
      expect(activeStates(w, momentAt(f!.playhead, f!)).map((a) => a.state.id)).toContain(c.opensOn);
      // Every further pointer points at something too, and keeps its window inside the run.
      for (const [k, p] of pointers(c).entries()) {
        const h = p.highlight(view);
        expect(h, `pointer ${k}`).not.toBeNull();
        expect(h!.label.length).toBeGreaterThan(5);
        if (h!.world !== undefined) expect(view.worlds.map((w) => w.label)).toContain(h!.world);
        const pf = p.focus?.(view);
        if (pf !== undefined) {
          expect(pf, `pointer ${k} focus`).not.toBeNull();
          expect(pf!.from).toBeLessThan(pf!.to);
          expect(pf!.to).toBeLessThanOrEqual(view.endUs + 50_000);
        }
      }
      const answer = c.answer(view);
      expect(answer).not.toContain('not in this run');
      expect(answer).toMatch(/\d/);
      expect(chapterById(c.id)).toBe(c);
    });
  }
});

describe('the numbers the narration quotes', () => {
  /** The first waits of a world's backoff bands after `fromMs`, in whole ms as the text rounds them. */
  function waits(preset: string, world: string, fromMs: number, n: number): number[] {
    const view = deriveLab(runScenario(loadPreset(preset)!));
    const w = view.worlds.find((x) => x.label === world)!;
    return w.backoffs
      .filter((b) => b.from >= fromMs * 1000)
      .slice(0, n)
      .map((b) => Math.round((b.to - b.from) / 1000));
  }

  it('are_the_backoffs_of_the_run_they_describe', () => {
    const quoted = (id: string, re: RegExp) => {
      const c = chapterById(id)!;
      const text = [c.lookAt, ...pointers(c).map((p) => p.text)].join(' ');
      const m = re.exec(text);
      expect(m, `${id}: the quoted waits`).not.toBeNull();
      return m![1]!.split(/,\s*(?:and\s*)?|\s+and\s+/).map(Number);
    };
    expect(waits('l6-resiliency', 'multiplex', 1200, 4)).toEqual(quoted('resiliency', /backoff bands of ([\d, and]+) ms/));
    expect(waits('l7-connection', 'redix-backoff', 0, 4)).toEqual(quoted('connection', /longer wait — ([\d, ]+) ms/));
  });
});
