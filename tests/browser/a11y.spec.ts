import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { open } from './helpers.js';

/** axe-core's WCAG 2.x A/AA rules over the page in the states a user sees most. */
async function violations(page: import('@playwright/test').Page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

test.describe('accessibility', () => {
  test('the_default_page_has_no_wcag_a_or_aa_violations', async ({ page }) => {
    await open(page);
    expect(await violations(page)).toEqual([]);
  });

  test('the_help_sheet_and_a_request_card_have_no_violations', async ({ page }) => {
    await open(page);
    await page.getByTestId('timeline-canvas-pool').focus();
    await page.keyboard.press('Home');
    await expect(page.getByTestId('request-card')).toBeVisible();
    expect(await violations(page)).toEqual([]);
    await page.keyboard.press('?');
    await expect(page.getByTestId('help-dialog')).toBeVisible();
    expect(await violations(page)).toEqual([]);
  });

  test('the_sweep_view_has_no_violations', async ({ page }) => {
    test.setTimeout(300_000);
    await page.goto('/#sweep');
    await expect(page.getByTestId('sweep-view')).toHaveAttribute('data-status', 'idle', { timeout: 240_000 });
    await expect(page.getByTestId('sweep-chart')).toBeVisible();
    expect(await violations(page)).toEqual([]);
  });

  test('an_invalid_scenario_form_has_no_violations', async ({ page }) => {
    await open(page);
    await page.getByTestId('field-durationMs').fill('-5');
    await page.getByTestId('scenario-apply').click();
    await expect(page.getByTestId('error-durationMs')).toBeVisible();
    expect(await violations(page)).toEqual([]);
  });
});

test.describe('accessibility on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('a_world_s_figures_cut_to_two_lines_with_their_more_button_have_no_violations', async ({ page }) => {
    await open(page);
    await page.getByTestId('preset-select').selectOption('pool-overload');
    await expect(page.getByTestId('world-codel')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByRole('button', { name: 'more: all the figures of codel' })).toBeVisible();
    expect(await violations(page)).toEqual([]);
  });
});
