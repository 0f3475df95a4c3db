/**
 * The lab's budgets, measured in headless Debian chromium against the production build, printed
 * (never asserted): re-simulating and redrawing after a fault is added, for the default scenario
 * (budget 500 ms) and a 100,000-request scenario (budget 1 s), frame times while panning and
 * zooming (budget p95 < 16 ms), and the bundle's size. The fault edits are timed after the workers
 * have warmed up (what a user who reads the first run gets), and once without (a click at once).
 * PREVIEW_PORT picks the port (default 4199).
 *
 *   npm run bench:web
 */
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import lz from 'lz-string';
import { budgetScenario } from './budget-scenario.js';

const { compressToEncodedURIComponent } = lz;

const PORT = Number(process.env.PREVIEW_PORT ?? 4199);
const root = process.cwd();

const scenario = budgetScenario;

/** How long a user reads a run before the next edit, in the idle re-simulation. */
const IDLE_MS = 10_000;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

/** Where one run's time went (web/src/sim-client.ts records it when __dxRuns is set). */
interface RunStages {
  /** `from`: µs of the run a world run partway had done (0: simulated from the start). */
  worlds: Array<{ simulate: number; view: number; pack: number; from?: number } | null>;
  unpack: number;
}
const lastStages: RunStages[] = [];

/**
 * The lab's workers warm their JIT while the page is idle after a run (web/src/worker/warm.ts);
 * under automation only when the page asks. A user reading the first run gives them that time:
 * the bench asks, waits until both have warmed, and prints what the warm-up cost.
 */
async function askWarmUp(page: import('@playwright/test').Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { duplexWarm?: boolean; __dxWarm?: unknown[] };
    w.duplexWarm = true;
    w.__dxWarm = [];
    // The workers also run each world partway while the page is idle (a fault edit goes on from
    // there: web/src/worker/sim.worker.ts `partway`): a user's page does both.
    (w as { duplexPrefetch?: boolean }).duplexPrefetch = true;
    (w as { __dxPartway?: unknown[] }).__dxPartway = [];
    // And to the playhead where the user leaves it (`aim`).
    (w as { duplexAim?: boolean }).duplexAim = true;
    (w as { __dxAimed?: unknown[] }).__dxAimed = [];
  });
}

/**
 * A user reading the last run before the next edit: waits until both workers have run their
 * world partway (at most 30 s), as they do while the page is idle. A build that runs nothing
 * partway (an earlier one, for an A/B) has said nothing after 5 s: it is read for 5 s.
 */
async function readRun(page: import('@playwright/test').Page): Promise<void> {
  await page.waitForFunction(
    (t0) => {
      const told = (window as unknown as { __dxPartway: Array<{ done?: true }> }).__dxPartway;
      return told.filter((p) => p.done).length >= 2 || (told.length === 0 && performance.now() - t0 > 5_000);
    },
    await page.evaluate(() => performance.now()),
    { timeout: 30_000 },
  );
}

async function warmedUp(page: import('@playwright/test').Page): Promise<string> {
  const t0 = Date.now();
  await page.waitForFunction(() => (window as unknown as { __dxWarm: unknown[] }).__dxWarm.length >= 2, undefined, { timeout: 300_000 });
  const warm = await page.evaluate(() => (window as unknown as { __dxWarm: Array<{ world: number; pieces: number; ms: number }> }).__dxWarm);
  return `warm-up after the first run: ${warm.map((w) => `world ${w.world} ${w.pieces} pieces, ${w.ms.toFixed(0)} ms`).join('; ')} (${Date.now() - t0} ms after the first run was drawn)`;
}

/**
 * One fault edit's time, two ways. `page`: from the click event (its timeStamp, the moment the
 * browser took the input) to the frame after the one that shows Done, on the page's own clock:
 * what a user waits (as the Event Timing API's input-to-next-paint counts it). `harness`: the
 * same seen from this script, which adds Playwright's click (it scrolls, waits for the button to
 * be stable over two frames, then sends the input) and a round trip to read the result: ~30-50 ms
 * that are not the lab's. The budgets are judged on `page`; `harness` is printed beside it (the
 * figures before session 10 were measured that way).
 */
interface EditTime {
  page: number;
  harness: number;
}

/**
 * What the page said of an edit the bench waited on for 2 minutes: a lab that never says Done
 * fails the bench with it, not a bench that waits forever.
 */
async function within<T>(page: import('@playwright/test').Page, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 120_000)));
  const r = await Promise.race([p, late]);
  clearTimeout(timer);
  if (r !== 'late') return r;
  const said = await page.evaluate(() => ({
    live: document.querySelector('[data-testid="live-region"]')?.textContent,
    delta: document.querySelector('[data-testid="fault-delta"]')?.textContent?.slice(0, 120),
    runs: (window as unknown as { __dxRuns?: unknown[] }).__dxRuns?.length,
    faults: document.querySelectorAll('[aria-label$="Delete removes it"]').length,
  }));
  if (process.env.BENCH_SHOT) await page.screenshot({ path: process.env.BENCH_SHOT });
  throw new Error(`bench:web: ${what} not done after 2 minutes: ${JSON.stringify(said)}`);
}

/**
 * Re-simulate and redraw after a fault: click → the live region says Done → the next frame.
 * `aim`: a user who places the playhead, then picks the fault: the click waits until both workers
 * have run their worlds to the playhead (web/src/worker/sim.worker.ts `aim`; 5 s for a build that
 * does not: an A/B; past 30 s the bench fails), as a user's choosing does. Else the click comes at
 * once.
 */
async function refaultMs(page: import('@playwright/test').Page, atUs: number, aim = false): Promise<EditTime> {
  await page.evaluate(() => {
    (window as unknown as { __dxRuns: unknown[] }).__dxRuns = [];
    // The idle work after this edit's run is told afresh (readRun).
    const w = window as unknown as { __dxPartway?: unknown[]; __dxAimed?: unknown[] };
    if (w.__dxPartway !== undefined) w.__dxPartway = [];
    if (w.__dxAimed !== undefined) w.__dxAimed = [];
  });
  await page.getByTestId('scrubber').fill(String(atUs));
  if (aim)
    await page.waitForFunction(
      ([at, t0]) => {
        const told = (window as unknown as { __dxAimed?: Array<{ at: number }> }).__dxAimed ?? [];
        return told.filter((a) => a.at === at).length >= 2 || (told.length === 0 && performance.now() - t0 > 5_000);
      },
      [atUs, await page.evaluate(() => performance.now())] as const,
      { timeout: 30_000 },
    );
  await page.getByTestId('fault-kind').selectOption('drop_connections');
  // The live region already says Done (the last run's): wait for Simulating, then Done, then a frame.
  await page.evaluate(() => {
    const w = window as unknown as { __refault?: Promise<number> };
    let clickedAt = Number.NaN;
    // The next click is the inject button's (capture: before the lab's own handler runs).
    const onClick = (e: Event) => {
      clickedAt = e.timeStamp;
      document.removeEventListener('click', onClick, true);
    };
    document.addEventListener('click', onClick, true);
    w.__refault = new Promise<number>((resolve) => {
      const el = document.querySelector('[data-testid="live-region"]')!;
      let simulating = false;
      const seen = new MutationObserver(() => {
        const text = el.textContent ?? '';
        if (text.startsWith('Simulating')) simulating = true;
        else if (simulating && text.startsWith('Done')) {
          seen.disconnect();
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - clickedAt)));
        }
      });
      seen.observe(el, { childList: true, characterData: true, subtree: true });
    });
  });
  const t0 = Date.now();
  await page.getByTestId('action-inject-fault').click();
  const inPage = await within(page, `the fault edit at ${atUs} µs`, page.evaluate(() => (window as unknown as { __refault?: Promise<number> }).__refault));
  const harness = Date.now() - t0;
  const runs = await page.evaluate(() => (window as unknown as { __dxRuns: RunStages[] }).__dxRuns);
  if (runs.length > 0) lastStages.push(runs[runs.length - 1]!);
  if (inPage === undefined || !Number.isFinite(inPage)) throw new Error('bench:web: the fault edit\'s click was not seen by the page');
  return { page: Math.round(inPage), harness };
}

/**
 * A fault band dragged 30 px to the right on the whole run ('z': ~75 ms of the 100k scenario's)
 * and dropped 300 ms later: from the pointerup event's timestamp to the frame after the one that
 * shows the drop's edit Done (the fault delta says "Moved"). The drag's own run, if still going,
 * is stopped by the drop.
 */
async function dropMs(page: import('@playwright/test').Page): Promise<EditTime> {
  // The window the last edit left is the fault's (a few ms after a quick reconnection): there,
  // 30 px would move the fault by microseconds.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('z');
  await page.waitForTimeout(300);
  await page.evaluate(() => {
    (window as unknown as { __dxRuns: unknown[] }).__dxRuns = [];
    const w = window as unknown as { __dxPartway?: unknown[] };
    if (w.__dxPartway !== undefined) w.__dxPartway = [];
  });
  const chip = page.getByRole('button', { name: /^drop connections at [\d.,]+ ms; Delete removes it$/ }).first();
  const box = (await chip.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 30, box.y + box.height / 2);
  await page.waitForTimeout(300);
  await page.evaluate(() => {
    const w = window as unknown as { __drop?: Promise<number> };
    w.__drop = new Promise<number>((resolve) => {
      let releasedAt = Number.NaN;
      document.addEventListener('pointerup', (e) => (releasedAt = e.timeStamp), { capture: true, once: true });
      const el = document.querySelector('[data-testid="live-region"]')!;
      const seen = new MutationObserver(() => {
        const moved = document.querySelector('[data-testid="fault-delta"]')?.textContent?.startsWith('Moved') === true;
        if (moved && (el.textContent ?? '').startsWith('Done')) {
          seen.disconnect();
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - releasedAt)));
        }
      });
      // The whole page: the delta appears, and the live region may already say Done.
      seen.observe(document.body, { childList: true, characterData: true, subtree: true });
    });
  });
  // Only the drop's run from here (none when the drag's last run, done, is the drop's).
  await page.evaluate(() => {
    (window as unknown as { __dxRuns: unknown[] }).__dxRuns = [];
  });
  const t0 = Date.now();
  await page.mouse.up();
  const inPage = await within(page, 'the drop', page.evaluate(() => (window as unknown as { __drop?: Promise<number> }).__drop));
  const harness = Date.now() - t0;
  const runs = await page.evaluate(() => (window as unknown as { __dxRuns: RunStages[] }).__dxRuns);
  if (runs.length > 0) lastStages.push(runs[runs.length - 1]!);
  if (inPage === undefined || !Number.isFinite(inPage)) throw new Error('bench:web: the drop was not seen by the page');
  return { page: Math.round(inPage), harness };
}

/** The stages of a run that took `total` ms: each world's worker, the page's unpacking, the rest. */
function stagesText(total: number, st: RunStages | undefined): string {
  if (st === undefined) return '';
  const f = (x: number) => x.toFixed(0);
  const from = (w: { from?: number }) => (w.from ? ` (from ${fmtUs(w.from)})` : '');
  const worlds = st.worlds.map((w, i) => (w === null ? `world ${i}: failed` : `simulate ${f(w.simulate)}${from(w)} + finish and pack ${f(w.view + w.pack)}`));
  const slowest = Math.max(0, ...st.worlds.map((w) => (w === null ? 0 : w.simulate + w.view + w.pack)));
  return ` [workers in parallel: ${worlds.join(' | ')} ms; page: unpack ${f(st.unpack)} ms, then messaging, React and drawing ~${f(Math.max(0, total - slowest - st.unpack))} ms]`;
}

const fmtUs = (us: number) => (us >= 1e6 ? `${(us / 1e6).toFixed(3).replace(/\.?0+$/, '')} s` : `${Math.round(us / 1000)} ms`);

/** The median edit by the page's figure, and where it was in the list. */
function medianEdit(edits: EditTime[]): { edit: EditTime; at: number } {
  const order = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.page - b.e.page);
  const m = order[Math.floor((order.length - 1) / 2)]!;
  return { edit: m.e, at: m.i };
}

function oneEditText(e: EditTime): string {
  return `${e.page} ms from the click (${e.harness} ms seen by the harness)`;
}

function editsText(edits: EditTime[], median: { edit: EditTime }, budget: number): string {
  return (
    `${median.edit.page} ms from the click, median of ${edits.length}: ${edits.map((e) => e.page).join(', ')} ms ` +
    `(budget ${budget} ms: ${median.edit.page <= budget ? 'met' : 'NOT met'}); seen by the harness: ${edits.map((e) => e.harness).join(', ')} ms`
  );
}

/**
 * The tour, chapter after chapter with → : from the keydown's timestamp to the frame after the one
 * that shows the chapter loaded. `ahead`: the workers simulate the next chapter while the learner
 * reads (web/src/sim-client.ts prefetch), and the learner moves on once it is ready (at most
 * 20 s); otherwise each chapter is left 1 s after it is shown, nothing simulated ahead.
 */
async function tourChanges(browser: import('@playwright/test').Browser, ahead: boolean): Promise<Array<{ to: string; ms: number; prepared: boolean }>> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.addInitScript(`window.duplexWarm = true; window.duplexPrefetch = ${ahead}; window.__dxAhead = []; window.__dxRuns = [];`);
  await page.goto(`http://127.0.0.1:${PORT}/#tour/silly-way`);
  const tour = page.getByTestId('tour');
  await page.waitForSelector('[data-testid="tour"][data-loaded="true"]', { timeout: 120_000 });
  const out: Array<{ to: string; ms: number; prepared: boolean }> = [];
  // A build without simulating ahead (an older one, compared): after one wait, no more.
  let waitAhead = ahead;
  for (;;) {
    const next = await page.evaluate(() => {
      const menu = document.querySelector<HTMLSelectElement>('[data-testid="tour-menu"]')!;
      return menu.selectedIndex + 1 < menu.options.length ? menu.options[menu.selectedIndex + 1]!.value : null;
    });
    if (next === null) break;
    if (waitAhead) {
      const n = await page.evaluate(() => (window as unknown as { __dxAhead: unknown[] }).__dxAhead.length);
      const came = await page.waitForFunction((n0) => (window as unknown as { __dxAhead: unknown[] }).__dxAhead.length >= n0 + 2, n, { timeout: 20_000 }).then(() => true, () => false);
      if (!came && out.length === 0) waitAhead = false;
    } else await page.waitForTimeout(1_000);
    await page.evaluate(() => {
      const w = window as unknown as { __change?: Promise<number> };
      w.__change = new Promise<number>((resolve) => {
        document.addEventListener(
          'keydown',
          (e) => {
            const t0 = e.timeStamp;
            const from = document.querySelector('[data-testid="tour"]')?.getAttribute('data-chapter');
            const check = () => {
              const el = document.querySelector('[data-testid="tour"]');
              if (el?.getAttribute('data-loaded') === 'true' && el.getAttribute('data-chapter') !== from) {
                requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
              } else requestAnimationFrame(check);
            };
            requestAnimationFrame(check);
          },
          { once: true, capture: true },
        );
      });
    });
    await page.keyboard.press('ArrowRight');
    await tour.and(page.locator(`[data-chapter="${next}"]`)).waitFor({ timeout: 120_000 });
    const ms = await page.evaluate(() => (window as unknown as { __change: Promise<number> }).__change);
    const prepared = await page.evaluate(() => {
      const runs = (window as unknown as { __dxRuns: Array<{ worlds: Array<{ prepared?: boolean } | null> }> }).__dxRuns;
      return runs.length > 0 && runs[runs.length - 1]!.worlds.every((w) => w?.prepared === true);
    });
    out.push({ to: next, ms: Math.round(ms), prepared });
  }
  await page.close();
  return out;
}

function tourText(changes: Array<{ to: string; ms: number; prepared: boolean }>): string {
  const ms = changes.map((c) => c.ms);
  const ready = changes.filter((c) => c.prepared).length;
  return `median ${percentile(ms, 50)} ms, max ${Math.max(...ms)} ms over ${changes.length} chapters (${ready} answered from worlds simulated ahead): ${changes.map((c) => `${c.to} ${c.ms}`).join(', ')}`;
}

async function main() {
  const server = spawn(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 1500));
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await askWarmUp(page);
    const url = `http://127.0.0.1:${PORT}/#s=${compressToEncodedURIComponent(JSON.stringify(scenario))}`;
    let t0 = Date.now();
    await page.goto(url);
    await page.getByTestId('live-region').filter({ hasText: 'Done' }).waitFor({ timeout: 120_000 });
    const firstRun = Date.now() - t0;
    const budgetWarm = await warmedUp(page);
    const issued = await page.getByTestId('cmp-requests.issued-pool').getAttribute('data-value').catch(() => null);
    const issuedMux = await page.getByTestId('cmp-requests.issued-multiplex').getAttribute('data-value').catch(() => null);

    // Pan and zoom first, on the run as loaded (the edits below add faults to it, and a picture
    // with faults mid-run has more to draw: measured after them, the figures would not compare).
    // The display's refresh interval, from idle frames. Frames are timed frame to frame, as
    // requestAnimationFrame sees them: a frame that fits the 16-ms budget is still presented at
    // the next refresh, so on a 60-Hz display even a perfect run reads 16.7 ms at every
    // percentile, and "p95 < 16 ms" could never be met. What the budget means on screen is that a
    // frame is not late: it comes one refresh after the last, not two or more. So the budget is
    // judged against the measured refresh interval (p95 within 1.5 refreshes: at most 5% of the
    // frames late), and the late frames are counted. The figures printed are the same as before.
    const refresh = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const ts: number[] = [];
          const loop = (t: number) => {
            ts.push(t);
            if (ts.length < 31) requestAnimationFrame(loop);
            else resolve(ts.slice(1).map((x, i) => x - ts[i]!).sort((a, b) => a - b)[15]!);
          };
          requestAnimationFrame(loop);
        }),
    );

    // Pan and zoom: wheel events over the timeline, one per frame, timing the frames.
    const box = await page.getByTestId('timeline-canvas-pool').boundingBox();
    await page.evaluate(() => {
      (window as unknown as { __frames: number[] }).__frames = [];
      (window as unknown as { __dxFrameWork: number[] }).__dxFrameWork = [];
      let last = performance.now();
      const loop = (t: number) => {
        (window as unknown as { __frames: number[] }).__frames.push(t - last);
        last = t;
        if ((window as unknown as { __frames: number[] }).__frames.length < 400) requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
    });
    if (box !== null) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 120; i++) {
        await page.mouse.wheel(0, i < 60 ? -120 : 120);
        if (i % 10 === 0) {
          await page.mouse.down();
          await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, { steps: 4 });
          await page.mouse.up();
        }
      }
    }
    await page.waitForFunction(() => (window as unknown as { __frames: number[] }).__frames.length >= 400, undefined, { timeout: 60_000 });
    const frames = (await page.evaluate(() => (window as unknown as { __frames: number[] }).__frames)).slice(1);
    const work = await page.evaluate(() => (window as unknown as { __dxFrameWork: number[] }).__dxFrameWork);
    // Panning zoomed out: the wheel above spends most of its frames zoomed in. The whole run
    // ('z': its 2.5 s to the last request's end, and 2% more), then in from the plot's left edge by
    // 2^(0.002 × 430) (d3-zoom's wheel delta): a window of about 0–1.4 s (~60k calls in view),
    // dragged to and fro.
    let wide: number[] = [];
    if (box !== null) {
      await page.keyboard.press('z');
      await page.waitForTimeout(300);
      await page.mouse.move(box.x + 100, box.y + box.height / 2);
      await page.mouse.wheel(0, -430);
      await page.waitForTimeout(500);
      await page.evaluate(() => {
        (window as unknown as { __dxFrameWork: number[] }).__dxFrameWork = [];
      });
      // Left 60 px (later in the run), then back: the window starts at 0, where a drag right stops.
      const y = box.y + box.height / 2;
      await page.mouse.move(box.x + box.width / 2, y);
      for (let i = 0; i < 16; i++) {
        await page.mouse.down();
        await page.mouse.move(box.x + box.width / 2 + (i % 2 === 0 ? -60 : 0), y, { steps: 4 });
        await page.mouse.up();
      }
      wide = await page.evaluate(() => (window as unknown as { __dxFrameWork: number[] }).__dxFrameWork);
      // Back to the whole run, where the wheel above left it: the edits below start from there.
      await page.keyboard.press('z');
      await page.waitForTimeout(300);
    }
    // Three edits, each after the user read the last run (the workers ran it partway meanwhile),
    // at 15%, 45% and 85% of the run: partway worlds are at 25%, 50% and 75%, so these are
    // re-simulated from 0, 25% and 75% (this host's timings swing ±20% between runs): the median is
    // judged. Then three more back to back, nothing run partway for them but what was left.
    const budgetUs = scenario.durationMs * 1000;
    const budgetEdits: EditTime[] = [];
    const budgetStages: Array<RunStages | undefined> = [];
    for (const at of [0.45, 0.15, 0.85]) {
      await readRun(page);
      const n = lastStages.length;
      budgetEdits.push(await refaultMs(page, Math.round(budgetUs * at)));
      budgetStages.push(lastStages.length > n ? lastStages[lastStages.length - 1] : undefined);
    }
    const refault = medianEdit(budgetEdits);
    // The same three, the playhead placed first and the click once the workers ran to it: at
    // 46%, 16% and 86% (a second fault at the very instant of one would change little).
    const aimed: EditTime[] = [];
    const aimedStages: Array<RunStages | undefined> = [];
    for (const at of [0.46, 0.16, 0.86]) {
      await readRun(page);
      const n = lastStages.length;
      aimed.push(await refaultMs(page, Math.round(budgetUs * at), true));
      aimedStages.push(lastStages.length > n ? lastStages[lastStages.length - 1] : undefined);
    }
    const aimedMedian = medianEdit(aimed);
    const rushed: EditTime[] = [];
    const rushedStages: Array<RunStages | undefined> = [];
    await readRun(page);
    for (const at of [0.9, 0.6, 0.3]) {
      const n = lastStages.length;
      rushed.push(await refaultMs(page, Math.round(budgetUs * at)));
      rushedStages.push(lastStages.length > n ? lastStages[lastStages.length - 1] : undefined);
    }
    const rushedMedian = medianEdit(rushed);
    // Dragging a fault band: the drag's position is simulated while the button is down, and the
    // drop, 300 ms into the move, stops that run if it is still going and makes the edit.
    const drops: EditTime[] = [];
    const dropStages: Array<RunStages | undefined> = [];
    for (let k = 0; k < 3; k++) {
      await readRun(page);
      const n = lastStages.length;
      drops.push(await dropMs(page));
      dropStages.push(lastStages.length > n ? lastStages[lastStages.length - 1] : undefined);
    }
    const dropMedian = medianEdit(drops);

    // The default scenario (the page with nothing in its URL): after the workers warmed, three
    // fault edits, median; and, on a page that does not warm, the first edit right after the first
    // run (a user who clicks at once).
    const home = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await askWarmUp(home);
    await home.goto(`http://127.0.0.1:${PORT}/`);
    await home.getByTestId('live-region').filter({ hasText: 'Done' }).waitFor({ timeout: 120_000 });
    const homeWarm = await warmedUp(home);
    const defaults: EditTime[] = [];
    const defaultStages: Array<RunStages | undefined> = [];
    for (const at of [0.45, 0.15, 0.85]) {
      await readRun(home);
      const n = lastStages.length;
      defaults.push(await refaultMs(home, Math.round(1_000_000 * at)));
      defaultStages.push(lastStages.length > n ? lastStages[lastStages.length - 1] : undefined);
    }
    const refaultDefault = medianEdit(defaults);
    // A user reads a run before the next edit: an idle worker's full GC (V8's memory reducer)
    // would throw its JIT code away but for the world it keeps parked (web/src/worker/warm.ts).
    await home.waitForTimeout(IDLE_MS);
    const idleRefault = await refaultMs(home, 300_000);
    const idleStages = lastStages[lastStages.length - 1];
    await home.close();
    const cold = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await cold.goto(`http://127.0.0.1:${PORT}/`);
    await cold.getByTestId('live-region').filter({ hasText: 'Done' }).waitFor({ timeout: 120_000 });
    const coldRefault = await refaultMs(cold, 100_000);
    const coldStages = lastStages[lastStages.length - 1];
    await cold.close();

    // Playing the default scenario: each frame's work on the page's thread — the playback tick
    // with what follows the playhead synchronously (topologies, readouts, sequence diagram,
    // scrubber, the timeline's playhead), plus the timeline's redraw when the window pages.
    const play = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await play.goto(`http://127.0.0.1:${PORT}/`);
    await play.getByTestId('live-region').filter({ hasText: 'Done' }).waitFor({ timeout: 120_000 });
    await play.evaluate(() => {
      const g = window as unknown as Record<string, number[]>;
      g['__dxPlayWork'] = [];
      g['__dxFrameWork'] = [];
      g['__dxTopologyWork'] = [];
    });
    await play.getByTestId('action-play-pause').click();
    await play.waitForFunction(() => (window as unknown as { __dxPlayWork: number[] }).__dxPlayWork.length >= 300, undefined, { timeout: 120_000 });
    await play.getByTestId('action-play-pause').click();
    const played = await play.evaluate(() => {
      const g = window as unknown as Record<string, number[]>;
      return { tick: g['__dxPlayWork']!, redraw: g['__dxFrameWork']!, topology: g['__dxTopologyWork']!, speed: document.querySelector('[data-testid="speed"]')?.textContent ?? '' };
    });
    const tourAhead = await tourChanges(browser, true);
    const tourCold = await tourChanges(browser, false);
    await browser.close();

    const assets = join(root, 'dist', 'assets');
    let js = 0;
    let gz = 0;
    for (const f of readdirSync(assets)) {
      if (!f.endsWith('.js')) continue;
      const p = join(assets, f);
      js += statSync(p).size;
      gz += gzipSync(readFileSync(p)).length;
    }
    console.log(`scenario: ${scenario.name}, requests issued: pool ${issued ?? '?'}, multiplex ${issuedMux ?? '?'}`);
    console.log(`first run (load, simulate, draw): ${firstRun} ms`);
    console.log(`default scenario, ${homeWarm}`);
    console.log(`re-simulate + redraw after adding a fault, default scenario, each after the workers ran the last run partway (edits at 45%, 15%, 85% of the run): ${editsText(defaults, refaultDefault, 500)}${stagesText(refaultDefault.edit.page, defaultStages[refaultDefault.at])}`);
    defaults.forEach((e, i) => console.log(`  edit ${i + 1}: ${e.page} ms${stagesText(e.page, defaultStages[i])}`));
    console.log(`  the same after ${IDLE_MS / 1000} s without input (a user reading the run): ${oneEditText(idleRefault)}${stagesText(idleRefault.page, idleStages)}`);
    console.log(`  the same without the warm-up, the first fault edit right after the first run: ${oneEditText(coldRefault)}${stagesText(coldRefault.page, coldStages)}`);
    console.log(`${scenario.name}, ${budgetWarm}`);
    console.log(`re-simulate + redraw after adding a fault, ${scenario.name}, each after the workers ran the last run partway (edits at 45%, 15%, 85% of the run): ${editsText(budgetEdits, refault, 1000)}${stagesText(refault.edit.page, budgetStages[refault.at])}`);
    budgetEdits.forEach((e, i) => console.log(`  edit ${i + 1}: ${e.page} ms${stagesText(e.page, budgetStages[i])}`));
    console.log(`  the same with the playhead placed first, the click once the workers ran the worlds to it (a user choosing the fault meanwhile; edits at 46%, 16%, 86%): ${editsText(aimed, aimedMedian, 1000)}`);
    aimed.forEach((e, i) => console.log(`  edit ${i + 1}: ${e.page} ms${stagesText(e.page, aimedStages[i])}`));
    console.log(`  the same back to back, no time to read (edits at 90%, 60%, 30%): ${editsText(rushed, rushedMedian, 1000)}`);
    rushed.forEach((e, i) => console.log(`  edit ${i + 1}: ${e.page} ms${stagesText(e.page, rushedStages[i])}`));
    console.log(`  dropping a dragged fault 30 px on over the whole run (z), 300 ms into the drag (its run stopped if still going), from the pointer's release: ${editsText(drops, dropMedian, 1000)}`);
    drops.forEach((e, i) => console.log(`  drop ${i + 1}: ${e.page} ms${stagesText(e.page, dropStages[i])}`));
    const late = frames.filter((f) => f > 1.5 * refresh).length;
    const p95 = percentile(frames, 95);
    console.log(
      `pan/zoom frames: ${frames.length}, p50 ${percentile(frames, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms, ${late} late (budget: frames under 16 ms of work, so p95 within one display refresh of ${refresh.toFixed(1)} ms: ${p95 < 1.5 * refresh ? 'met' : 'NOT met'})`,
    );
    if (work.length > 0)
      console.log(
        `timeline draw work per frame: ${work.length} frames, p50 ${percentile(work, 50).toFixed(1)} ms, p95 ${percentile(work, 95).toFixed(1)} ms, max ${Math.max(...work).toFixed(1)} ms (budget 16 ms at p95: ${percentile(work, 95) < 16 ? 'met' : 'NOT met'})`,
      );
    if (wide.length > 0)
      console.log(
        `  the same while panning zoomed out (a window of ~1.4 s): ${wide.length} frames, p50 ${percentile(wide, 50).toFixed(1)} ms, p95 ${percentile(wide, 95).toFixed(1)} ms, max ${Math.max(...wide).toFixed(1)} ms (budget 16 ms at p95: ${percentile(wide, 95) < 16 ? 'met' : 'NOT met'})`,
      );
    {
      const tick95 = percentile(played.tick, 95);
      const redraw95 = played.redraw.length > 0 ? percentile(played.redraw, 95) : 0;
      // A frame that pages the window pays its tick and the redraw. Which frames paged is not
      // recorded, so each redraw is paired with one of the slowest ticks (pessimistic), and the
      // budget is the p95 of those per-frame totals (adding the two p95s charged every frame).
      const totals = [...played.tick].sort((a, b) => b - a);
      [...played.redraw].sort((a, b) => b - a).forEach((r, i) => { if (i < totals.length) totals[i]! += r; });
      const worst = percentile(totals, 95);
      console.log(
        `playing the default scenario at ${played.speed}: ${played.tick.length} frames; draw work per frame (playback tick with the topologies, readouts, sequence diagram and playhead) p50 ${percentile(played.tick, 50).toFixed(1)} ms, p95 ${tick95.toFixed(1)} ms, max ${Math.max(...played.tick).toFixed(1)} ms; the topologies alone p95 ${percentile(played.topology, 95).toFixed(2)} ms per world; ${played.redraw.length} timeline redraws as the window paged, p95 ${redraw95.toFixed(1)} ms (budget 16 ms at p95 of tick + any redraw in that frame: ${worst.toFixed(1)} ms, max ${Math.max(...totals).toFixed(1)} ms: ${worst < 16 ? 'met' : 'NOT met'})`,
      );
    }
    console.log(`tour, next chapter (→) once the workers have simulated it ahead: ${tourText(tourAhead)}`);
    console.log(`  the same 1 s after each chapter is shown, nothing simulated ahead: ${tourText(tourCold)}`);
    console.log(`bundle (all JS incl. the worker): ${(js / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzipped`);
  } finally {
    server.kill();
  }
}

await main();
