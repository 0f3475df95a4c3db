import { expect, type Page } from '@playwright/test';

/** Opens a page, collecting console errors and page errors; waits for the first run to be drawn. */
export async function open(page: Page, path = '/'): Promise<string[]> {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(path);
  await expect(page.getByTestId('comparison-table')).toBeVisible({ timeout: 120_000 });
  return errors;
}
