import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { open, poolAgainstMultiplex, showScenario } from './helpers.js';
import lz from 'lz-string';


const hashOf = (page: Page, label: string) => page.getByTestId(`trace-hash-${label}`).textContent();

/** Runs started from now on stay busy until releaseRuns (web/src/sim-client.ts, testHold). */
async function holdRuns(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { duplexHoldRuns?: Promise<void>; duplexReleaseRuns?: () => void };
    w.duplexHoldRuns = new Promise<void>((resolve) => {
      w.duplexReleaseRuns = resolve;
    });
  });
}

async function releaseRuns(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { duplexHoldRuns?: Promise<void>; duplexReleaseRuns?: () => void };
    w.duplexReleaseRuns?.();
    delete w.duplexHoldRuns;
  });
}

/** The default page with a connection drop injected at 400 ms, drawn; returns the hash before it. */
async function openWithDropAt400(page: Page): Promise<string | null> {
  await open(page);
  const original = await hashOf(page, 'multiplex');
  await page.getByTestId('scrubber').fill('400000');
  await page.getByTestId('fault-kind').selectOption('drop_connections');
  await page.getByTestId('action-inject-fault').click();
  await expect(page.getByTestId('trace-hash-multiplex')).not.toHaveText(original!, { timeout: 120_000 });
  return original;
}

/** Presses the pointer on the chip of the fault at 400 ms; returns where, to drag from there. */
async function pickUpDropAt400(page: Page): Promise<{ x: number; y: number }> {
  const box = (await page.getByRole('button', { name: /^drop connections at 400 ms; Delete removes it$/ }).boundingBox())!;
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.mouse.move(at.x, at.y);
  await page.mouse.down();
  return at;
}

test.describe('editing the run', () => {
  test('an_invalid_field_is_explained_beside_it_and_the_last_good_run_stays', async ({ page }) => {
    const errors = await open(page);
    const before = await hashOf(page, 'pool');
    await page.getByTestId('field-durationMs').fill('-5');
    await page.getByTestId('scenario-apply').click();
    await expect(page.getByTestId('error-durationMs')).toBeVisible();
    await expect(page.getByTestId('error-durationMs')).toContainText(/durationMs|greater|positive|>/i);
    await expect(page.getByTestId('field-durationMs')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('scenario-errors')).toContainText('the last valid scenario is still shown');
    expect(await hashOf(page, 'pool')).toBe(before);
    // Fixing it applies it.
    await page.getByTestId('field-durationMs').fill('1500');
    await page.getByTestId('scenario-apply').click();
    await expect(page.getByTestId('trace-hash-pool')).not.toHaveText(before!, { timeout: 120_000 });
    await expect(page.getByTestId('error-durationMs')).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test('editing_a_number_resimulates_as_it_changes_the_stale_runs_are_given_up_and_the_last_value_is_shown', async ({ page }) => {
    const errors = await open(page);
    const status = page.getByTestId('scenario-status');
    const counts = async () => ({
      started: Number(await status.getAttribute('data-live-started')),
      superseded: Number(await status.getAttribute('data-live-superseded')),
      shown: Number(await status.getAttribute('data-live-shown')),
    });
    const field = page.getByTestId('field-workload.callers');
    // Every run stays busy until released: each value below is still running when the next comes.
    await holdRuns(page);
    await field.fill('30');
    await expect.poll(counts, { timeout: 60_000 }).toEqual({ started: 1, superseded: 0, shown: 0 });
    await field.fill('20');
    await expect.poll(counts, { timeout: 60_000 }).toEqual({ started: 2, superseded: 1, shown: 0 });
    // An invalid value on the way runs nothing and says why, beside the field.
    const before = await hashOf(page, 'pool');
    await field.fill('0');
    await expect(page.getByTestId('error-workload.callers')).toContainText('expected a whole number >= 1, got 0');
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    // Back to the value running: nothing new to run.
    await field.fill('20');
    await expect(page.getByTestId('error-workload.callers')).toHaveCount(0);
    // Stepped by keyboard, as a held arrow key does.
    await field.press('ArrowUp');
    await expect.poll(counts, { timeout: 60_000 }).toEqual({ started: 3, superseded: 2, shown: 0 });
    expect(await hashOf(page, 'pool')).toBe(before);
    await releaseRuns(page);
    await expect.poll(counts, { timeout: 120_000 }).toEqual({ started: 3, superseded: 2, shown: 1 });
    await expect(page.getByTestId('trace-hash-pool')).not.toHaveText(before!);
    // What is shown is the last value's run: its link says 21 callers and opens the same run.
    const link = decodeURIComponent(new URL(page.url()).hash.replace(/^#s=/, ''));
    expect((JSON.parse(lz.decompressFromEncodedURIComponent(link)) as { workload: { callers: number } }).workload.callers).toBe(21);
    const shown = { pool: await hashOf(page, 'pool'), multiplex: await hashOf(page, 'multiplex') };
    await page.reload();
    await expect(page.getByTestId('trace-hash-pool')).toHaveText(shown.pool!, { timeout: 120_000 });
    await expect(page.getByTestId('trace-hash-multiplex')).toHaveText(shown.multiplex!);
    expect(errors).toEqual([]);
  });

  test('a_fault_moved_by_keyboard_and_then_deleted_resimulates_each_time', async ({ page }) => {
    const original = await openWithDropAt400(page);
    const withFault = await hashOf(page, 'multiplex');
    const url = page.url();

    // The new fault is the chip at 400 ms (a preset may have faults of its own).
    const chip = page.getByRole('button', { name: /^drop connections at 400 ms; Delete removes it$/ });
    const id = await chip.getAttribute('data-testid');
    await chip.focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('trace-hash-multiplex')).not.toHaveText(withFault!, { timeout: 120_000 });
    expect(page.url()).not.toBe(url);

    await page.getByTestId(id!.replace('fault-', 'fault-delete-')).click();
    await expect(page.getByTestId('trace-hash-multiplex')).toHaveText(original!, { timeout: 120_000 });
  });

  test('a_drop_where_the_drags_last_run_had_the_fault_makes_the_edit_without_running_it_again', async ({ page, browser }) => {
    await openWithDropAt400(page);
    const withFault = await hashOf(page, 'multiplex');
    const url = page.url();
    await page.evaluate(() => {
      (window as unknown as { __dxRuns: unknown[] }).__dxRuns = [];
    });
    const at = await pickUpDropAt400(page);
    await page.mouse.move(at.x + 60, at.y, { steps: 4 });
    // The drag's runs are over (the last one of where the pointer is) and it is shown.
    await expect(page.getByTestId('trace-hash-multiplex')).not.toHaveText(withFault!, { timeout: 120_000 });
    await expect(page.getByTestId('progress')).toHaveCount(0, { timeout: 120_000 });
    const dragged = { pool: await hashOf(page, 'pool'), multiplex: await hashOf(page, 'multiplex') };
    const runs = await page.evaluate(() => (window as unknown as { __dxRuns: unknown[] }).__dxRuns.length);
    expect(runs).toBeGreaterThan(0);

    // Dropped there: the edit is made (its figures against the run before the drag, Done, the
    // link) with the drag's last run, not a new one.
    await page.mouse.up();
    await expect(page.getByTestId('fault-delta')).toContainText(/Moved drop connections from 400 ms to \d/, { timeout: 120_000 });
    await expect(page.getByTestId('live-region')).toContainText('Done');
    await expect.poll(() => page.url(), { timeout: 10_000 }).not.toBe(url);
    expect(await page.evaluate(() => (window as unknown as { __dxRuns: unknown[] }).__dxRuns.length)).toBe(runs);
    expect({ pool: await hashOf(page, 'pool'), multiplex: await hashOf(page, 'multiplex') }).toEqual(dragged);

    // What a fresh page shows at the link.
    const fresh = await browser.newPage();
    const dropped = page.url();
    await open(fresh, dropped.slice(dropped.indexOf('/', 8)));
    expect({ pool: await hashOf(fresh, 'pool'), multiplex: await hashOf(fresh, 'multiplex') }).toEqual(dragged);
    await fresh.close();
  });

  test('a_drop_that_stops_the_drags_run_of_the_same_position_takes_the_worlds_it_had_in', async ({ page, browser }) => {
    await openWithDropAt400(page);
    await page.evaluate(() => {
      const w = window as unknown as { __dxRuns: unknown[]; __dxAnswered: number[] };
      w.__dxRuns = [];
      w.__dxAnswered = [];
    });
    // The drag's run stays busy once its worlds are in, until released: the drop stops it.
    await holdRuns(page);
    const at = await pickUpDropAt400(page);
    await page.mouse.move(at.x + 60, at.y);
    await expect.poll(() => page.evaluate(() => (window as unknown as { __dxAnswered: number[] }).__dxAnswered.length), { timeout: 120_000 }).toBe(2);
    await page.mouse.up();
    await releaseRuns(page);
    await expect(page.getByTestId('fault-delta')).toContainText(/Moved drop connections from 400 ms to \d/, { timeout: 120_000 });
    await expect(page.getByTestId('live-region')).toContainText('Done');
    // The drop's run asked no worker: both worlds are the stopped run's.
    const runs = await page.evaluate(() => (window as unknown as { __dxRuns: Array<{ worlds: Array<{ reused?: boolean } | null> }> }).__dxRuns);
    expect(runs.map((r) => r.worlds.map((w) => w?.reused === true))).toEqual([[true, true]]);
    expect(await page.evaluate(() => (window as unknown as { __dxAnswered: number[] }).__dxAnswered.length)).toBe(2);
    const shown = { pool: await hashOf(page, 'pool'), multiplex: await hashOf(page, 'multiplex') };
    const url = page.url();
    const fresh = await browser.newPage();
    await open(fresh, url.slice(url.indexOf('/', 8)));
    expect({ pool: await hashOf(fresh, 'pool'), multiplex: await hashOf(fresh, 'multiplex') }).toEqual(shown);
    await fresh.close();
  });

  test('a_dragged_fault_resting_while_an_older_positions_run_goes_gives_that_run_up_for_the_latest', async ({ page, browser }) => {
    await openWithDropAt400(page);
    const status = page.getByTestId('scenario-status');
    const counts = async () => ({
      started: Number(await status.getAttribute('data-live-started')),
      superseded: Number(await status.getAttribute('data-live-superseded')),
      shown: Number(await status.getAttribute('data-live-shown')),
    });
    expect(await counts()).toEqual({ started: 0, superseded: 0, shown: 0 });
    // Every run stays busy until released: the first position's is still going when the pointer
    // moves on and rests.
    await holdRuns(page);
    const at = await pickUpDropAt400(page);
    await page.mouse.move(at.x + 40, at.y);
    await expect.poll(counts, { timeout: 60_000 }).toEqual({ started: 1, superseded: 0, shown: 0 });
    await page.mouse.move(at.x + 80, at.y);
    await expect.poll(counts, { timeout: 60_000 }).toEqual({ started: 2, superseded: 1, shown: 0 });
    await releaseRuns(page);
    await expect.poll(counts, { timeout: 120_000 }).toEqual({ started: 2, superseded: 1, shown: 1 });
    const shown = { pool: await hashOf(page, 'pool'), multiplex: await hashOf(page, 'multiplex') };
    // Dropped there: the edit, with that run; a fresh page at its link shows the same.
    await page.mouse.up();
    await expect(page.getByTestId('fault-delta')).toContainText(/Moved drop connections from 400 ms to \d/, { timeout: 120_000 });
    expect(await counts()).toEqual({ started: 2, superseded: 1, shown: 1 });
    const url = page.url();
    const fresh = await browser.newPage();
    await open(fresh, url.slice(url.indexOf('/', 8)));
    expect({ pool: await hashOf(fresh, 'pool'), multiplex: await hashOf(fresh, 'multiplex') }).toEqual(shown);
    await fresh.close();
  });

  test('dragging_a_fault_resimulates_both_worlds_while_the_pointer_is_down_and_the_drop_is_the_edit', async ({ page }) => {
    await openWithDropAt400(page);
    const withFault = { pool: await hashOf(page, 'pool'), multiplex: await hashOf(page, 'multiplex') };
    const url = page.url();

    const at = await pickUpDropAt400(page);
    await page.mouse.move(at.x + 60, at.y, { steps: 6 });
    // The button is still down: both worlds already show the fault where it is being dragged.
    await expect(page.getByTestId('trace-hash-multiplex')).not.toHaveText(withFault.multiplex!, { timeout: 120_000 });
    await expect(page.getByTestId('trace-hash-pool')).not.toHaveText(withFault.pool!, { timeout: 120_000 });
    expect(page.url()).toBe(url);
    await page.mouse.move(at.x + 90, at.y, { steps: 3 });
    await page.mouse.up();
    // The drop is one edit, compared with the run from before the drag, and goes to the URL.
    await expect(page.getByTestId('fault-delta')).toContainText(/Moved drop connections from 400 ms to \d/, { timeout: 120_000 });
    await expect(page.getByTestId('live-region')).toContainText('Done', { timeout: 120_000 });
    await expect.poll(() => page.url(), { timeout: 120_000 }).not.toBe(url);
    const dropped = await hashOf(page, 'multiplex');

    // Dragged away and brought back before the drop: nothing changed.
    const moved = page.getByRole('button', { name: /^drop connections at [\d.]+ ms; Delete removes it$/ }).last();
    const b2 = (await moved.boundingBox())!;
    await page.mouse.move(b2.x + b2.width / 2, b2.y + b2.height / 2);
    await page.mouse.down();
    await page.mouse.move(b2.x + b2.width / 2 + 80, b2.y + b2.height / 2, { steps: 5 });
    await expect(page.getByTestId('trace-hash-multiplex')).not.toHaveText(dropped!, { timeout: 120_000 });
    await page.mouse.move(b2.x + b2.width / 2, b2.y + b2.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect(page.getByTestId('trace-hash-multiplex')).toHaveText(dropped!, { timeout: 120_000 });
  });

  test('a_fault_dragged_past_its_neighbour_changes_rows_and_its_drop_is_still_the_edit', async ({ page }) => {
    // Each run the page shows (sim-client.ts pushes its stages).
    await page.addInitScript(() => {
      (window as unknown as { __dxRuns: unknown[] }).__dxRuns = [];
    });
    const shownRuns = () => page.evaluate(() => (window as unknown as { __dxRuns: unknown[] }).__dxRuns.length);
    await openWithDropAt400(page);
    const withOne = await hashOf(page, 'multiplex');
    await page.getByTestId('scrubber').fill('420000');
    await page.getByTestId('action-inject-fault').click();
    await expect(page.getByTestId('trace-hash-multiplex')).not.toHaveText(withOne!, { timeout: 120_000 });
    await expect(page.getByTestId('live-region')).toContainText('Done', { timeout: 120_000 });
    // The whole run: the two chips overlap, one row each.
    await page.keyboard.press('z');
    const chip = (ms: number) => page.getByRole('button', { name: new RegExp(`^drop connections at ${ms} ms; Delete removes it$`) });
    const first = (await chip(400).boundingBox())!;
    const second = (await chip(420).boundingBox())!;
    expect(first.y).not.toBe(second.y);
    // Dragged past the other: once the drag's run of where it is is shown, the chips have
    // swapped places (the dragged one is drawn where it is now), and the pointer moves on.
    const at = await pickUpDropAt400(page);
    await page.mouse.move(at.x + 40, at.y, { steps: 4 });
    await expect(chip(400)).toHaveCount(0, { timeout: 120_000 });
    await expect(page.getByTestId('progress')).toHaveCount(0, { timeout: 120_000 });
    await page.mouse.move(at.x + 60, at.y, { steps: 4 });
    // Dropped once the run of where it rests is shown: that run, its faults listed in the drag's
    // order, is the drop's (sorted): nothing is simulated again.
    await expect(page.getByTestId('progress')).toHaveCount(0, { timeout: 120_000 });
    const status = page.getByTestId('scenario-status');
    const count = async (what: string) => Number(await status.getAttribute(`data-live-${what}`));
    const started = () => count('started');
    // Every run the drag started is shown or given up: none is going.
    await expect.poll(async () => (await count('shown')) + (await count('superseded')) - (await started()), { timeout: 120_000 }).toBe(0);
    const runs = await shownRuns();
    const shown = await hashOf(page, 'multiplex');
    await page.mouse.up();
    await expect(page.getByTestId('fault-delta')).toContainText(/Moved drop connections from 400 ms to \d/, { timeout: 120_000 });
    await expect(page.getByTestId('live-region')).toContainText('Done', { timeout: 120_000 });
    await page.waitForTimeout(500);
    expect(await shownRuns()).toBe(runs);
    expect(await hashOf(page, 'multiplex')).toBe(shown);
    // Where the pointer let go: past the other fault.
    const to = Number(/from 400 ms to ([\d.]+) ms/.exec((await page.getByTestId('fault-delta').textContent()) ?? '')?.[1]);
    expect(to).toBeGreaterThan(420);
    // Each chip is its own fault in the sorted list: Delete on the moved one leaves the other.
    await page.getByRole('button', { name: new RegExp(`^drop connections at ${to} ms; Delete removes it$`) }).focus();
    await page.keyboard.press('Delete');
    await expect(page.getByTestId('fault-delta')).toContainText(`Removed drop connections at ${to} ms`, { timeout: 120_000 });
    // The scenario panel lists what is left: the other one.
    await expect(page.getByRole('button', { name: /^Delete fault \d+: / })).toHaveText(['Delete'], { timeout: 120_000 });
    await expect(page.getByRole('button', { name: 'Delete fault 1: drop connections at 420 ms' })).toHaveCount(1);
  });

  test('after_moving_the_playhead_slider_i_injects_a_fault_and_the_scenario_is_no_longer_the_preset', async ({ page }) => {
    await open(page);
    await expect(page.getByTestId('preset-select')).toHaveValue('l4-multiplex');
    const before = await hashOf(page, 'pool');
    const slider = page.getByTestId('scrubber');
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('1');
    await page.keyboard.press('i');
    await expect(page.getByTestId('trace-hash-pool')).not.toHaveText(before!, { timeout: 120_000 });
    await expect(page.getByTestId('live-region')).toContainText(/Fault added|Done/);
    await expect(page.getByTestId('preset-select')).toHaveValue('');
    // The slider kept the focus, and its own keys stayed its own.
    await expect(slider).toBeFocused();
  });

  test('a_fault_injected_on_the_timeline_joins_the_scenario_panel_once_its_run_is_over', async ({ page }) => {
    await open(page);
    const faults = page.getByTestId('scenario-form').locator('[data-testid^="scenario-fault-"]');
    const before = await faults.count();
    const hash = await hashOf(page, 'multiplex');
    await holdRuns(page);
    await page.getByTestId('scrubber').fill('400000');
    await page.getByTestId('fault-kind').selectOption('drop_connections');
    await page.getByTestId('action-inject-fault').click();
    // While the workers simulate, the panel (disabled) adds no fields: the new fault waits for the run.
    await expect(page.getByTestId('progress')).toBeVisible();
    await expect(page.getByTestId('scenario-status')).toHaveText('Simulating…');
    await expect(page.getByTestId('scenario-apply')).toBeDisabled();
    expect(await faults.count()).toBe(before);
    await releaseRuns(page);
    await expect(page.getByTestId('trace-hash-multiplex')).not.toHaveText(hash!, { timeout: 120_000 });
    await expect(faults).toHaveCount(before + 1);
    await expect(page.getByTestId(`scenario-fault-${before}`)).toContainText(/drop/i);
    await expect(page.getByTestId('scenario-status')).toHaveText('Applied.');
  });

  test('a_fault_edit_commits_the_scenario_panel_twice_disabled_as_it_starts_and_caught_up_once_idle', async ({ page }) => {
    await open(page);
    const faults = page.getByTestId('scenario-form').locator('[data-testid^="scenario-fault-"]');
    const before = await faults.count();
    await page.getByTestId('scrubber').fill('400000');
    await page.getByTestId('fault-kind').selectOption('drop_connections');
    await page.evaluate(() => {
      (window as unknown as { __dxPanelRenders: number[] }).__dxPanelRenders = [];
    });
    await page.getByTestId('action-inject-fault').click();
    await expect(page.getByTestId('live-region')).toHaveText(/^Done/, { timeout: 120_000 });
    await expect(faults).toHaveCount(before + 1);
    await expect(page.getByTestId('scenario-status')).toHaveText('Applied.');
    // Not again as the run is announced, drawn and said done: the form's every render restyles
    // the page, and the frame that shows the run waited for it.
    const renders = await page.evaluate(() => (window as unknown as { __dxPanelRenders: number[] }).__dxPanelRenders.length);
    expect(renders).toBe(2);
  });

  test('a_long_run_shows_progress_and_escape_cancels_it_keeping_the_last_run', async ({ page }) => {
    await open(page);
    const before = await hashOf(page, 'pool');
    await holdRuns(page);
    await showScenario(page, poolAgainstMultiplex('long', 5_000, 50));
    await expect(page.getByTestId('progress')).toBeVisible({ timeout: 120_000 });
    await page.locator('body').press('Escape');
    await releaseRuns(page);
    await expect(page.getByTestId('notice')).toContainText('cancelled');
    await expect(page.getByTestId('progress')).toBeHidden();
    expect(await hashOf(page, 'pool')).toBe(before);
    // The workers kept for the next run still work.
    await page.getByTestId('preset-select').selectOption('l3-pool');
    await expect(page.getByTestId('world-pool-error')).toBeVisible({ timeout: 120_000 });
  });

  test('a_request_life_is_shown_by_keyboard_with_exact_times', async ({ page }) => {
    await open(page);
    await page.getByTestId('timeline-canvas-pool').focus();
    await page.keyboard.press('Home');
    const card = page.getByTestId('request-card');
    await expect(card).toBeVisible();
    for (const step of ['issued', 'checked out', 'sent', 'executed at server', 'replied']) await expect(card).toContainText(step);
    // Times to the microsecond.
    await expect(card).toContainText(/\d+\.\d{3} ms/);
    const first = await card.textContent();
    await page.keyboard.press('ArrowRight');
    await expect(card).not.toHaveText(first!);
    await expect(page.getByTestId('timeline-announcer')).toContainText(/Request \d+ \(\w+\) of caller \d+/);
  });

  test('exporting_during_a_run_is_refused_and_the_run_still_finishes', async ({ page }) => {
    await open(page);
    // The run stays busy until the test lets it go: "during a run" whatever the machine's speed.
    await holdRuns(page);
    await showScenario(page, poolAgainstMultiplex('long-export', 2_000, 20));
    await expect(page.getByTestId('progress')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('action-export-report')).toBeDisabled();
    // The key is refused too, with a reason, and the run goes on.
    await page.locator('body').press('r');
    await expect(page.getByTestId('notice')).toContainText('a simulation is running');
    await releaseRuns(page);
    await expect(page.getByTestId('progress')).toBeHidden({ timeout: 60_000 });
    await expect(page.getByTestId('comparison-table')).toContainText('long-export');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('action-export-report').click()]);
    expect(JSON.parse(readFileSync(await download.path(), 'utf8')).scenario).toBe('long-export');
  });

  test('exports_the_view_as_svg', async ({ page }) => {
    await open(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('action-export-svg').click()]);
    const text = readFileSync(await download.path(), 'utf8');
    expect(text).toMatch(/^<\?xml|^<svg/);
    expect(text).toContain('</svg>');
    expect(text).toContain('>pool<');
    expect(text).toContain('>multiplex<');
  });

  test('exports_the_view_as_png_by_keyboard', async ({ page }) => {
    await open(page);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('g')]);
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(download.suggestedFilename()).toMatch(/\.png$/);
    await expect(page.getByTestId('live-region')).toContainText('Exported');
  });
});
