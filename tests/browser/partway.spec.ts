import { expect, test, type Browser, type Page } from '@playwright/test';
import lz from 'lz-string';
import { open } from './helpers.js';

/**
 * While the page is idle, each worker runs its world partway (at 25%, 50% and 75% of the run) and
 * keeps it; a fault edit is re-simulated from the latest of them before its fault
 * (web/src/worker/sim.worker.ts `partway`). Under automation that is off unless the page asks
 * (`duplexPrefetch`): these tests ask. What the page shows must be what a fresh page shows.
 */
async function withPartway(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { duplexPrefetch?: boolean; __dxPartway?: unknown[]; __dxRuns?: unknown[] };
    w.duplexPrefetch = true;
    w.__dxPartway = [];
    w.__dxRuns = [];
  });
}

/** Waits until both workers have run their world partway after the last run. */
async function ranPartway(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __dxPartway: Array<{ done?: true }> }).__dxPartway.filter((p) => p.done).length), { timeout: 60_000 })
    .toBe(2);
}

/** Where each world of the last run was simulated from, µs (0: from the start). */
const lastFrom = (page: Page) => page.evaluate(() => (window as unknown as { __dxRuns: Array<{ worlds: Array<{ from: number } | null> }> }).__dxRuns.at(-1)!.worlds.map((w) => w?.from ?? null));

async function addFault(page: Page, atUs: number): Promise<void> {
  const runs = await page.evaluate(() => (window as unknown as { __dxRuns: unknown[] }).__dxRuns.length);
  await page.evaluate(() => {
    (window as unknown as { __dxPartway: unknown[] }).__dxPartway = [];
  });
  await page.getByTestId('scrubber').fill(String(atUs));
  await page.getByTestId('fault-kind').selectOption('drop_connections');
  await page.getByTestId('action-inject-fault').click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { __dxRuns: unknown[] }).__dxRuns.length), { timeout: 120_000 }).toBe(runs + 1);
  await expect(page.getByTestId('live-region')).toHaveText(/^Done/, { timeout: 120_000 });
}

/** Every world's trace hash and the comparison table, as shown. */
async function shown(page: Page): Promise<{ hashes: string[]; table: string }> {
  const hashes = await page.locator('[data-testid^="trace-hash-"]').allTextContents();
  const table = (await page.getByTestId('comparison-table').textContent()) ?? '';
  return { hashes, table };
}

/** A fresh page at the link of `want` shows the same hashes and table. */
async function freshShows(browser: Browser, want: { url: string; hashes: string[]; table: string }): Promise<void> {
  const fresh = await browser.newPage();
  await open(fresh, want.url.slice(want.url.indexOf('/', 8)));
  await expect(fresh.getByTestId('live-region')).toHaveText(/^Done/, { timeout: 120_000 });
  expect(await shown(fresh)).toEqual({ hashes: want.hashes, table: want.table });
  await fresh.close();
}

test.describe('fault edits re-simulated from a world run partway', () => {
  test('an_edit_goes_on_from_the_latest_world_run_before_its_fault_and_shows_what_a_fresh_page_shows', async ({ page, browser }) => {
    await withPartway(page);
    const errors = await open(page, '/');
    await expect(page.getByTestId('live-region')).toHaveText(/^Done/, { timeout: 120_000 });
    await ranPartway(page);
    // The default scenario runs 1 s: a fault at 600 ms goes on from 500 ms, in both worlds.
    await addFault(page, 600_000);
    expect(await lastFrom(page)).toEqual([500_000, 500_000]);
    const first = { url: page.url(), ...(await shown(page)) };
    // At once, before anything is run partway for this run: what is left of the last run's serves
    // when nothing differs before it (250 ms, for a fault at 300 ms), or a world this run's idle
    // work had under way, stopped by this edit between 250 and 300 ms (kept: as far as it got).
    await addFault(page, 300_000);
    for (const from of await lastFrom(page)) {
      expect(from).toBeGreaterThanOrEqual(250_000);
      expect(from).toBeLessThan(300_000);
    }
    const second = { url: page.url(), ...(await shown(page)) };
    expect(second.hashes).not.toEqual(first.hashes);
    expect(errors).toEqual([]);

    for (const want of [first, second]) await freshShows(browser, want);
  });

  test('a_fault_added_where_the_playhead_rested_goes_on_from_its_own_instant_and_shows_what_a_fresh_page_shows', async ({ page, browser }) => {
    await withPartway(page);
    await page.addInitScript(() => {
      (window as unknown as { duplexAim: boolean }).duplexAim = true;
      (window as unknown as { __dxAimed: unknown[] }).__dxAimed = [];
    });
    const errors = await open(page, '/');
    await expect(page.getByTestId('live-region')).toHaveText(/^Done/, { timeout: 120_000 });
    await ranPartway(page);
    const aimed = (at: number) => page.evaluate((t) => (window as unknown as { __dxAimed: Array<{ at: number; ms: number; from: number }> }).__dxAimed.filter((a) => a.at === t), at);
    // 10 ms past the world kept at 500 ms (of a 1 s run): not worth a run of its own.
    await page.getByTestId('scrubber').fill('510000');
    await expect.poll(async () => (await aimed(510_000)).length, { timeout: 60_000 }).toBe(2);
    expect((await aimed(510_000)).map((a) => a.ms)).toEqual([0, 0]);
    // At 620 ms, once the playhead rests, each worker runs its world there.
    await page.getByTestId('scrubber').fill('620000');
    await expect.poll(async () => (await aimed(620_000)).length, { timeout: 60_000 }).toBe(2);
    for (const a of await aimed(620_000)) {
      expect(a.ms).toBeGreaterThan(0);
      expect(a.from).toBe(0);
    }
    // A fault at 900 ms goes on from the world kept at 750 ms, or from 900 ms if the workers ran
    // there before the click (the playhead rested 300 ms): then the world at 620 ms was carried on.
    await addFault(page, 900_000);
    for (const from of await lastFrom(page)) expect([750_000, 900_000]).toContain(from);
    // On to 950 ms (as playing on would): an aimed world is carried on, not run from 0. Kept from
    // the run before that edit, it goes on with this one's faults (the fault at 900 ms), and an
    // edit at 950 ms goes on from it.
    await page.getByTestId('scrubber').fill('950000');
    await expect.poll(async () => (await aimed(950_000)).length, { timeout: 60_000 }).toBe(2);
    for (const a of await aimed(950_000)) expect(a.from).toBeGreaterThanOrEqual(620_000);
    await addFault(page, 950_000);
    expect(await lastFrom(page)).toEqual([950_000, 950_000]);
    expect(errors).toEqual([]);
    await freshShows(browser, { url: page.url(), ...(await shown(page)) });
  });

  test('an_edit_before_the_first_world_run_partway_is_simulated_from_the_start', async ({ page }) => {
    await withPartway(page);
    await open(page, '/');
    await expect(page.getByTestId('live-region')).toHaveText(/^Done/, { timeout: 120_000 });
    await ranPartway(page);
    await addFault(page, 100_000);
    expect(await lastFrom(page)).toEqual([0, 0]);
  });
});

test.describe('a run stopped by a newer edit', () => {
  test('the_drop_of_a_dragged_fault_goes_on_from_the_world_its_stopped_drag_step_got_to', async ({ page, browser }) => {
    test.setTimeout(240_000);
    // Slow worlds with few requests (256 KB values: ~100 events a request): 2-4 s each in a
    // worker here (Node: ~2 s), so the drag's run is still going when the drop comes ~0.3 s in
    // (the page shows progress 250 ms into a run), on a machine up to ~8x faster than this one.
    const scenario = {
      name: 'slow-worlds',
      durationMs: 2500,
      workload: { callers: 20, thinkMs: 1, valueBytes: 262_144 },
      clients: [
        { label: 'pool', kind: 'pool', size: 4 },
        { label: 'multiplex', kind: 'multiplex' },
      ],
      faults: [{ kind: 'drop_connections', atMs: 1250 }],
    };
    // Nothing is run partway (duplexPrefetch is off): a run goes on from a kept world only if it
    // is one a stopped run left.
    await page.addInitScript(() => {
      (window as unknown as { __dxRuns?: unknown[] }).__dxRuns = [];
    });
    const errors = await open(page, `/#s=${lz.compressToEncodedURIComponent(JSON.stringify(scenario))}`);
    await expect(page.getByTestId('live-region')).toHaveText(/^Done/, { timeout: 120_000 });
    const runs = await page.evaluate(() => (window as unknown as { __dxRuns: unknown[] }).__dxRuns.length);

    // Drag the fault to the right: the position is run at once, while the button is down.
    const chip = page.getByRole('button', { name: /^drop connections at 1[.,]?250 ms; Delete removes it$/ });
    const box = (await chip.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2);
    // Once both worlds are under way (each reports after its first slice), drop it there: the drop
    // stops the drag's run, and its scenario is that run's.
    const progress = () => page.evaluate(() => document.querySelector<HTMLProgressElement>('[data-testid="progress"] progress')?.value ?? 0);
    await expect.poll(progress, { timeout: 120_000, intervals: [20] }).toBeGreaterThan(0.02);
    await page.mouse.up();
    await expect(page.getByTestId('fault-delta')).toContainText(/Moved drop connections from 1[.,]?250 ms to \d/, { timeout: 120_000 });
    await expect(page.getByTestId('live-region')).toHaveText(/^Done/, { timeout: 120_000 });
    await expect.poll(() => page.evaluate(() => (window as unknown as { __dxRuns: unknown[] }).__dxRuns.length), { timeout: 120_000 }).toBe(runs + 1);
    // A world the drag's run had simulated went on from where it stopped (0: from the start).
    const from = await lastFrom(page);
    expect(from.some((f) => f !== null && f > 0)).toBe(true);
    expect(errors).toEqual([]);

    // What the page shows is what a fresh page shows at its link.
    await freshShows(browser, { url: page.url(), ...(await shown(page)) });
  });
});

test.describe('idle work and the user', () => {
  test('while_the_user_holds_a_drag_the_workers_idle_work_waits_and_goes_on_when_it_ends', async ({ page }) => {
    await withPartway(page);
    await open(page, '/');
    await expect(page.getByTestId('live-region')).toHaveText(/^Done/, { timeout: 120_000 });
    await ranPartway(page);
    // The next run's idle work starts 300 ms after it is shown: hold a drag on the timeline while
    // it runs.
    await page.evaluate(() => {
      (window as unknown as { __dxPartway: unknown[] }).__dxPartway = [];
    });
    const box = (await page.getByTestId('timeline-canvas-pool').boundingBox())!;
    await page.getByTestId('scrubber').fill('600000');
    await page.getByTestId('fault-kind').selectOption('drop_connections');
    await page.getByTestId('action-inject-fault').click();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await expect(page.getByTestId('live-region')).toHaveText(/^Done/, { timeout: 120_000 });
    // Unpaused, the three partway worlds of this 1 s scenario take each worker ~0.1-0.5 s.
    await page.waitForTimeout(3_000);
    // Worlds run partway meanwhile (one kept from the last run that serves this one too costs 0 ms).
    const during = await page.evaluate(() => (window as unknown as { __dxPartway: Array<{ ms?: number; done?: true }> }).__dxPartway.filter((p) => p.done || p.ms! > 0));
    // And a piece did wait (the flag's [3] counts waits): on a machine too slow to finish one
    // in 3 s, the check above would hold without waiting.
    const waited = await page.evaluate(() => Atomics.load((window as unknown as { __dxStopFlag: Int32Array }).__dxStopFlag, 3));
    await page.mouse.up();
    expect(during).toEqual([]);
    expect(waited).toBeGreaterThan(0);
    await ranPartway(page);
  });
});
