import { expect, test } from '@playwright/test';
import { runDemo } from '../../sim/worlds/demo.js';

test.describe('the placeholder page', () => {
  test('opens_with_no_console_errors_and_shows_the_same_trace_as_node', async ({ page }, testInfo) => {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Duplex' })).toBeVisible();
    // Determinism across hosts: the browser's trace hash equals the one Node computes.
    await expect(page.getByTestId('trace-hash')).toHaveText(runDemo({ seed: 1 }).traceHash);
    await page.screenshot({ path: testInfo.outputPath('placeholder.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('a_new_seed_typed_by_keyboard_reruns_the_world', async ({ page }) => {
    await page.goto('/');
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('seed-input')).toBeFocused();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('demo-seed')).toHaveText('2');
    await expect(page.getByTestId('trace-hash')).toHaveText(runDemo({ seed: 2 }).traceHash);
  });

  test('an_invalid_seed_is_explained_and_the_last_good_run_stays', async ({ page }) => {
    await page.goto('/');
    const before = await page.getByTestId('trace-hash').textContent();
    await page.getByTestId('seed-input').fill('1.5x');
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('seed-error')).toContainText('Seed must be a whole number');
    await expect(page.getByTestId('seed-input')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('trace-hash')).toHaveText(before!);
  });
});
