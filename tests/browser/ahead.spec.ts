import { expect, test, type Page } from '@playwright/test';
import { open } from './helpers.js';

/**
 * In the tour, while the learner reads, the workers simulate ahead what is likely next: the next
 * chapter, the chapter's experiment and the previous chapter (web/src/sim-client.ts prefetch).
 * Under automation that is off unless the page asks for it: these tests ask. A world answered
 * from what was simulated ahead must be the very world a fresh page simulates.
 */
async function withAhead(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { duplexPrefetch?: boolean; __dxAhead?: unknown[]; __dxRuns?: unknown[] };
    w.duplexPrefetch = true;
    w.__dxAhead = [];
    w.__dxRuns = [];
  });
}

/** Worlds simulated ahead so far for the scenario named `preset` (with `fault` in its faults, if given). */
const aheadFor = (page: Page, preset: string, fault?: string) =>
  page.evaluate(
    ([p, f]) =>
      (window as unknown as { __dxAhead: Array<{ world: number; key: string }> }).__dxAhead.filter(
        (a) => a.key.includes(`"name":"${p}"`) && (f === undefined || a.key.includes(f)),
      ).length,
    [preset, fault] as const,
  );

/** Whether each world of the last run was answered from what was simulated ahead. */
const lastPrepared = (page: Page) =>
  page.evaluate(() => (window as unknown as { __dxRuns: Array<{ worlds: Array<{ prepared: boolean } | null> }> }).__dxRuns.at(-1)!.worlds.map((w) => w?.prepared ?? null));

/** Every world's trace hash and the comparison table, as shown. */
async function shown(page: Page): Promise<{ hashes: string[]; table: string }> {
  const hashes = await page.locator('[data-testid^="trace-hash-"]').allTextContents();
  const table = (await page.getByTestId('comparison-table').textContent()) ?? '';
  return { hashes, table };
}

async function loaded(page: Page, chapter: string): Promise<void> {
  await expect(page.getByTestId('tour')).toHaveAttribute('data-chapter', chapter);
  await expect(page.getByTestId('tour')).toHaveAttribute('data-loaded', 'true', { timeout: 120_000 });
}

test.describe('simulating ahead in the tour', () => {
  test('the_next_chapter_the_experiment_and_the_previous_chapter_are_answered_from_worlds_simulated_ahead_as_a_fresh_page_shows_them', async ({ page, browser }) => {
    await withAhead(page);
    const errors = await open(page, '/#tour/connection');
    await loaded(page, 'connection');

    // The next chapter (sync-async) is simulated ahead, both worlds: → shows it without a run.
    await expect.poll(() => aheadFor(page, 'l8-sync-async'), { timeout: 120_000 }).toBe(2);
    await page.keyboard.press('ArrowRight');
    await loaded(page, 'sync-async');
    expect(await lastPrepared(page)).toEqual([true, true]);
    const syncAsync = await shown(page);

    // Then the one after it, and there the experiment (a slow server at 500 ms) too.
    await expect.poll(() => aheadFor(page, 'hol-blpop'), { timeout: 120_000 }).toBe(2);
    await page.keyboard.press('ArrowRight');
    await loaded(page, 'head-of-line');
    expect(await lastPrepared(page)).toEqual([true, true]);
    await expect.poll(() => aheadFor(page, 'hol-blpop', '"slow_server"'), { timeout: 120_000 }).toBe(2);
    await page.getByTestId('tour-try').click();
    await expect(page.getByTestId('tour-try')).toHaveText(/Added/);
    await expect(page.getByTestId('tour')).toHaveAttribute('data-loaded', 'true', { timeout: 120_000 });
    await expect.poll(() => page.evaluate(() => (window as unknown as { __dxRuns: unknown[] }).__dxRuns.length)).toBe(4);
    expect(await lastPrepared(page)).toEqual([true, true]);
    const experiment = await shown(page);

    // The previous chapter is simulated ahead again (its worlds went to the page): ← shows it.
    await expect.poll(() => aheadFor(page, 'l8-sync-async'), { timeout: 120_000 }).toBeGreaterThanOrEqual(4);
    await page.keyboard.press('ArrowLeft');
    await loaded(page, 'sync-async');
    expect(await lastPrepared(page)).toEqual([true, true]);
    expect(await shown(page)).toEqual(syncAsync);
    expect(errors).toEqual([]);

    // A page that never simulated ahead shows the same worlds, hash for hash, figure for figure.
    for (const [hash, want] of [['#tour/sync-async', syncAsync], ['#tour/head-of-line/experiment', experiment]] as const) {
      const fresh = await browser.newPage();
      await open(fresh, `/${hash}`);
      await expect(fresh.getByTestId('tour')).toHaveAttribute('data-loaded', 'true', { timeout: 120_000 });
      expect(await shown(fresh)).toEqual(want);
      await fresh.close();
    }
  });

  test('a_run_of_something_else_stops_what_is_simulated_ahead_and_shows_its_own_worlds', async ({ page }) => {
    await withAhead(page);
    const errors = await open(page, '/#tour/connection');
    await loaded(page, 'connection');
    // A chapter never simulated ahead (not next to this one), picked from the menu at once.
    await page.getByTestId('tour-menu').selectOption('at-least-once');
    await loaded(page, 'at-least-once');
    expect(await lastPrepared(page)).toEqual([false, false]);
    await expect(page.locator('[data-testid^="trace-hash-"]')).toHaveCount(2);
    expect(errors).toEqual([]);
  });
});
