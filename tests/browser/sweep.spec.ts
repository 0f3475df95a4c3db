import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { parseValues, sweepPreset } from '../../sim/sweep/index.js';

// A sweep runs every world at every value: generous timeouts, never a timing assertion.
const LONG = 180_000;

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

async function finished(page: Page): Promise<void> {
  await expect(page.getByTestId('sweep-view')).toHaveAttribute('data-status', 'idle', { timeout: LONG });
  await expect(page.getByTestId('sweep-chart')).toBeVisible({ timeout: LONG });
}

test.describe('the Sweep view', () => {
  test.setTimeout(4 * LONG);

  test('a ready sweep draws a mark per point and world, marks the crossover, and a point opens its run', async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto('/#sweep');
    await finished(page);
    // #sweep alone opens the pool-size sweep: 7 values, 2 worlds.
    const poolValues = parseValues(sweepPreset('pool-size')!.values);
    expect(poolValues.ok).toBe(true);
    await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount((poolValues.ok ? poolValues.value.length : 0) * 2);
    await expect(page.getByTestId('sweep-bound')).toHaveCount(2);

    // The value-size sweep: the multiplexer wins with small values and loses with large ones.
    await page.getByTestId('sweep-preset').selectOption('value-size');
    await expect(page).toHaveURL(/#sweep\/value-size$/);
    await finished(page);
    const values = parseValues(sweepPreset('value-size')!.values);
    const n = values.ok ? values.value.length : 0;
    await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount(n * 2, { timeout: LONG });
    const crossing = page.getByTestId('sweep-chart').getByTestId('sweep-crossover');
    await expect(crossing.first()).toBeVisible();
    await expect(crossing.first()).toHaveAttribute('data-worlds', 'pool,multiplex');
    await expect(page.getByTestId('sweep-crossovers')).toContainText('throughput: pool overtakes multiplex between workload.valueBytes =');

    // Each metric draws the same marks; p99 has its own crossovers.
    await page.getByTestId('sweep-metric-p99').check();
    await expect(page.getByTestId('sweep-chart')).toHaveAttribute('data-metric', 'p99');
    await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount(n * 2);
    await page.getByTestId('sweep-metric-throughput').check();

    // A point opens that run in the lab: the same trace as the sweep ran.
    const point = page.locator('[data-testid="sweep-point"][data-world="pool"][data-value="1024"]');
    const hash = await point.getAttribute('data-trace-hash');
    await point.click();
    await expect(page.getByTestId('comparison-table')).toBeVisible({ timeout: LONG });
    await expect(page.getByTestId('trace-hash-pool')).toHaveText(hash!, { timeout: LONG });
    await expect(page).toHaveURL(/#s=/);

    // Back returns to the sweep, from memory.
    await page.goBack();
    await finished(page);
    await expect(page).toHaveURL(/#sweep\/value-size$/);
    await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount(n * 2);
    expect(errors).toEqual([]);
  });

  test('a sweep of your own is in the link, bad values are said and keep the last sweep, keys and axe', async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto('/#sweep');
    await finished(page);
    await page.getByTestId('sweep-param').selectOption('workload.callers');
    await page.getByTestId('sweep-values').fill('1,4,x');
    await page.getByTestId('sweep-run').click();
    await expect(page.getByTestId('sweep-error')).toContainText('"x" is not a number');
    await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount(14);

    await page.getByTestId('sweep-values').fill('1..16*4');
    await page.getByTestId('sweep-values').press('Enter');
    await finished(page);
    await expect(page.getByTestId('sweep-error')).toHaveCount(0);
    await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount(3 * 2);
    await expect(page).toHaveURL(/#sweep\/s=/);

    // The link replays it in a fresh page.
    const url = page.url();
    const again = await page.context().newPage();
    await again.goto(url);
    await finished(again);
    await expect(again.getByTestId('sweep-param')).toHaveValue('workload.callers');
    await expect(again.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount(6);
    await again.close();

    // Keyboard: a point is a button (Enter opens its run); w goes back and forth.
    const first = page.getByTestId('sweep-point').first();
    await first.focus();
    await expect(first).toBeFocused();
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((x) => x.target.join(' ')).join(', ')}`)).toEqual([]);
    await first.press('Enter');
    await expect(page.getByTestId('comparison-table')).toBeVisible({ timeout: LONG });
    await expect(page.getByTestId('sweep-view')).toHaveCount(0);
    await page.locator('body').press('w');
    await finished(page);
    await page.locator('body').press('w');
    await expect(page.getByTestId('sweep-view')).toHaveCount(0);
    await expect(page.getByTestId('comparison-table')).toBeVisible();
    expect(errors).toEqual([]);
  });

  test('a bad sweep link is explained and the default sweep shown; a run can be cancelled', async ({ page }) => {
    await page.goto('/#sweep/nope');
    await expect(page.getByTestId('sweep-error')).toContainText('there is no ready sweep "nope"');
    await finished(page);
    await page.getByTestId('sweep-preset').selectOption('round-trip');
    await expect(page.getByTestId('sweep-cancel')).toBeVisible({ timeout: LONG });
    await page.getByTestId('sweep-cancel').click();
    await expect(page.getByTestId('sweep-view')).toHaveAttribute('data-status', 'idle');
    await expect(page.getByTestId('sweep-chart')).toBeVisible();
  });
});

test('the tour chapter on pool size opens its sweep, and Back returns to the chapter', async ({ page }) => {
  test.setTimeout(3 * LONG);
  await page.goto('/#tour/pool-size');
  await expect(page.getByTestId('tour')).toHaveAttribute('data-loaded', 'true', { timeout: LONG });
  await page.getByTestId('tour-sweep').click();
  await expect(page).toHaveURL(/#sweep\/pool-size$/);
  await finished(page);
  await expect(page.getByTestId('sweep-chart').getByTestId('sweep-point')).toHaveCount(14);
  await expect(page.getByTestId('sweep-description')).toContainText('c/D');
  await page.goBack();
  await expect(page.getByTestId('tour')).toHaveAttribute('data-chapter', 'pool-size', { timeout: LONG });
});
