/** Links the page cannot open: it says what was wrong and keeps what it shows (issue 15, item 8). */
import { expect, test } from '@playwright/test';
import type { ScenarioInput } from '../../sim/scenario/schema.js';
import LZString from 'lz-string';

/** A scenario's link, as web/src/url.ts writes it (its named import does not load in Playwright's runner). */
const encodeScenario = (input: ScenarioInput) => `s=${LZString.compressToEncodedURIComponent(JSON.stringify(input))}`;
import { open } from './helpers.js';

const mine: ScenarioInput = {
  name: 'mine',
  durationMs: 200,
  workload: { callers: 4 },
  clients: [
    { label: 'alpha', kind: 'pool', size: 2 },
    { label: 'beta', kind: 'multiplex' },
  ],
};

// A busy machine can take long over the first run: the assertions, not the clock, are the test.
test.describe.configure({ timeout: 180_000 });

test('an_unknown_fragment_like_tourist_shows_a_notice_and_the_default', async ({ page }) => {
  await open(page, '/#tourist');
  await expect(page.getByTestId('notice')).toContainText('could not be opened');
  await expect(page.getByTestId('notice')).toContainText('"#tourist"');
  await expect(page.getByTestId('notice')).toContainText('Showing the default scenario');
  await expect(page.getByTestId('world-pool')).toBeVisible();
});

test('a_bad_link_keeps_the_current_scenario_and_says_what_was_wrong', async ({ page }) => {
  const good = `#${encodeScenario(mine)}`;
  await open(page, `/${good}`);
  await expect(page.getByTestId('world-alpha')).toBeVisible();
  const hash = await page.getByTestId('trace-hash-alpha').textContent();

  // A damaged link, then one whose scenario is invalid (it names the field and why).
  await page.evaluate(() => {
    window.location.hash = '#s=damaged';
  });
  await expect(page.getByTestId('notice')).toContainText('This link could not be opened: the scenario in the link is damaged');
  await expect(page.getByTestId('notice')).toContainText('Keeping the current scenario');
  await expect(page).toHaveURL(new RegExp(`${good.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  await expect(page.getByTestId('world-alpha')).toBeVisible();
  await expect(page.getByTestId('trace-hash-alpha')).toHaveText(hash!);

  const invalid = `#${encodeScenario({ ...mine, clients: [{ label: 'alpha', kind: 'serial', backoff: { strategy: 'rand', maxMs: 500 } }] } as ScenarioInput)}`;
  await page.evaluate((h) => {
    window.location.hash = h;
  }, invalid);
  await expect(page.getByTestId('notice')).toContainText('clients[0].backoff.maxMs: expected maxMs >= 1000, the default initialMs of "rand", got 500');
  await expect(page.getByTestId('notice')).toContainText('Keeping the current scenario');
  await expect(page.getByTestId('world-beta')).toBeVisible();
  await expect(page.getByTestId('trace-hash-alpha')).toHaveText(hash!);
});

test('a_fault_that_would_never_fire_is_refused_and_a_moved_one_stays_inside_the_run', async ({ page }) => {
  const late = { ...mine, drainMs: 0, faults: [{ atMs: 200, kind: 'drop_connections' }] } as ScenarioInput;
  await open(page, `/#${encodeScenario(late)}`);
  await expect(page.getByTestId('notice')).toContainText('faults[0].atMs: expected a time before the run ends at 200 ms (durationMs + drainMs), a fault then would come when the run is over, got 200');

  // A drop near the end, moved right by keyboard past it: it stops inside the run.
  await page.evaluate((h) => {
    window.location.hash = h;
  }, `#${encodeScenario({ ...mine, drainMs: 0, faults: [{ atMs: 199.5, kind: 'drop_connections' }] } as ScenarioInput)}`);
  const chip = page.getByRole('button', { name: /^drop connections at 199\.5 ms; Delete removes it$/ });
  await expect(chip).toBeVisible({ timeout: 120_000 });
  // Each press moves it a tenth of the window (zoomed in: a fraction of a ms) until the end.
  const chips = page.getByRole('button', { name: /^drop connections at [\d.]+ ms; Delete removes it$/ });
  let name = await chip.getAttribute('aria-label');
  for (let i = 0; i < 8 && !name?.includes('199.999'); i++) {
    await chips.first().focus();
    await page.keyboard.press('Shift+ArrowRight');
    const was = name;
    await expect(chips.first()).not.toHaveAttribute('aria-label', was!, { timeout: 120_000 });
    name = await chips.first().getAttribute('aria-label');
    expect(Number(/at ([\d.]+) ms/.exec(name!)![1])).toBeLessThan(200);
  }
  expect(name).toContain('at 199.999 ms');

  // Added with the playhead at the very end: just inside the run too, not a scenario it refuses.
  await page.getByTestId('scrubber').fill('200000');
  await page.getByTestId('fault-kind').selectOption('drop_connections');
  await page.getByTestId('action-inject-fault').click();
  await expect(page.getByRole('button', { name: /^drop connections at 199\.999 ms; Delete removes it$/ })).toHaveCount(2, { timeout: 120_000 });
  await expect(page.getByTestId('notice').filter({ hasText: 'invalid' })).toHaveCount(0);
  await expect(page.getByTestId('scenario-errors')).toHaveCount(0);
});
