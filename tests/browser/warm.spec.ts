import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { open, poolAgainstMultiplex, showScenario } from './helpers.js';

/**
 * The workers warm their JIT on short pieces of their world while the page is idle
 * (web/src/worker/warm.ts). Under automation that is off unless the page asks for it: these
 * tests ask. Warm-up must change nothing the user sees or exports.
 */
async function withWarmUp(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { duplexWarm?: boolean; __dxWarm?: unknown[] };
    w.duplexWarm = true;
    w.__dxWarm = [];
  });
}

const warmed = (page: Page) => page.evaluate(() => (window as unknown as { __dxWarm: Array<{ world: number; pieces: number }> }).__dxWarm);
const hashOf = (page: Page, label: string) => page.getByTestId(`trace-hash-${label}`).textContent();

async function dropAt(page: Page, us: number, before: string | null): Promise<void> {
  await page.getByTestId('scrubber').fill(String(us));
  await page.getByTestId('fault-kind').selectOption('drop_connections');
  await page.getByTestId('action-inject-fault').click();
  await expect(page.getByTestId('trace-hash-multiplex')).not.toHaveText(before!, { timeout: 120_000 });
}

test.describe('warming the workers', () => {
  test('after_a_run_each_worker_warms_then_stops_and_a_fault_edit_runs_the_same_worlds_as_a_fresh_page', async ({ page, browser }) => {
    await withWarmUp(page);
    const errors = await open(page);
    // Both worlds' workers report their warm-up once it is done (a bounded number of pieces).
    await expect.poll(async () => (await warmed(page)).length, { timeout: 180_000 }).toBe(2);
    const report = await warmed(page);
    expect(report.map((r) => r.world).sort()).toEqual([0, 1]);
    for (const r of report) expect(r.pieces).toBeGreaterThan(0);
    // Warm, they warm no further: a second run adds no report.
    const before = await hashOf(page, 'multiplex');
    await dropAt(page, 400_000, before);
    await page.waitForTimeout(1_000);
    expect((await warmed(page)).length).toBe(2);
    const pool = await hashOf(page, 'pool');
    const multiplex = await hashOf(page, 'multiplex');

    // The same scenario on a page that never warmed: the same worlds, hash for hash.
    const url = page.url();
    const fresh = await browser.newPage();
    await open(fresh, url);
    expect(await hashOf(fresh, 'pool')).toBe(pool);
    expect(await hashOf(fresh, 'multiplex')).toBe(multiplex);
    await fresh.close();
    expect(errors).toEqual([]);
  });

  test('a_fault_edit_during_the_warm_up_waits_for_the_piece_in_flight_and_the_export_is_of_the_run_shown', async ({ page }) => {
    await withWarmUp(page);
    const errors = await open(page);
    // The warm-up starts shortly after the first run: edit while it goes.
    await page.waitForTimeout(600);
    const before = await hashOf(page, 'multiplex');
    await dropAt(page, 300_000, before);
    const shown = { pool: await hashOf(page, 'pool'), multiplex: await hashOf(page, 'multiplex') };
    // Let the warm-up go on after this run, then export: the report is of the run shown, not of a piece.
    await page.waitForTimeout(1_500);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('action-export-report').click()]);
    const doc = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { worlds: Array<{ label: string; traceHash: string }> };
    expect(Object.fromEntries(doc.worlds.map((w) => [w.label, w.traceHash]))).toEqual(shown);
    expect(errors).toEqual([]);
  });
});

test.describe('stopping a run', () => {
  for (const terminate of [false, true]) {
    const name = terminate
      ? 'without_the_stop_flag_a_page_served_without_isolation_terminates_the_workers_and_the_next_run_is_the_same'
      : 'a_stopped_run_ends_in_its_worker_which_is_kept_warm_for_the_next_run';
    test(name, async ({ page, browser }) => {
      const workers: string[] = [];
      page.on('worker', (w) => workers.push(w.url()));
      await page.addInitScript((t) => {
        const w = window as unknown as { __dxStopped?: number[]; duplexTerminate?: boolean };
        w.__dxStopped = [];
        w.duplexTerminate = t;
      }, terminate);
      const errors = await open(page);
      // The preview server sends the isolation headers (vite.config.ts): the stop flag is shared memory.
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      expect(workers).toHaveLength(2);
      // A run far longer than the test waits for: a minute of 200 callers in both worlds.
      await showScenario(page, poolAgainstMultiplex('long', 60_000, 200));
      await expect(page.getByTestId('progress')).toBeVisible({ timeout: 120_000 });
      await page.locator('body').press('Escape');
      await expect(page.getByTestId('notice')).toContainText('cancelled');
      const before = await hashOf(page, 'pool');
      if (!terminate) {
        // Both workers unwound the run at a slice (it did not run to its end), and are kept.
        await expect.poll(async () => (await page.evaluate(() => (window as unknown as { __dxStopped: number[] }).__dxStopped)).sort(), { timeout: 120_000 }).toEqual([0, 1]);
      }
      await page.getByTestId('preset-select').selectOption('l5-tradeoffs');
      await expect(page.getByTestId('trace-hash-pool')).not.toHaveText(before!, { timeout: 120_000 });
      // Kept: no new worker. Terminated: two fresh ones, and no world said it was stopped.
      expect(workers).toHaveLength(terminate ? 4 : 2);
      if (terminate) expect(await page.evaluate(() => (window as unknown as { __dxStopped: number[] }).__dxStopped)).toEqual([]);
      // Either way the next scenario runs as on a fresh page, hash for hash.
      const pool = await hashOf(page, 'pool');
      const fresh = await browser.newPage();
      await open(fresh, page.url());
      expect(await hashOf(fresh, 'pool')).toBe(pool);
      await fresh.close();
      expect(errors).toEqual([]);
    });
  }
});
