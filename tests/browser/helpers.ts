import { expect, type Page } from '@playwright/test';
import lz from 'lz-string';

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

/** Puts a scenario in the page's link (#s=...), as a pasted link would: the page runs it. */
export async function showScenario(page: Page, scenario: unknown): Promise<void> {
  await page.evaluate((hash) => {
    window.location.hash = hash;
  }, `s=${lz.compressToEncodedURIComponent(JSON.stringify(scenario))}`);
}

/** Pool of ten against the multiplexer, `callers` callers thinking 1 ms, for `durationMs`. */
export function poolAgainstMultiplex(name: string, durationMs: number, callers: number): unknown {
  return {
    name,
    durationMs,
    workload: { callers, thinkMs: 1 },
    clients: [
      { label: 'pool', kind: 'pool', size: 10 },
      { label: 'multiplex', kind: 'multiplex' },
    ],
  };
}
