// One test per chapter at 1280×720: the framed region (tour-focus) is fully on screen when the
// chapter opens and after each of its pointers; the track of its first claim is on screen with
// it, and every claim track's figures match the chapter's scenario run here in Node with the
// simulator; the page has no WCAG A/AA violation; screenshots of the chapter at 1280×720 and
// 390×844 are kept in test-results/ and attached to the report.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { chapters, pointers } from '../../web/src/tour/chapters.js';
import { CLAIMS, expectedFigures, type Expected } from './claim-figures.js';

async function expectFocusOnScreen(page: Page, what: string) {
  const focus = page.getByTestId('tour-focus');
  await expect(focus, what).toHaveCount(1);
  // The pointer scrolls it into view; give the scroll a frame to land.
  await expect
    .poll(async () => {
      const b = await focus.boundingBox();
      const v = page.viewportSize()!;
      return b !== null && b.width > 0 && b.height > 0 && b.x >= 0 && b.y >= 0 && b.x + b.width <= v.width + 0.5 && b.y + b.height <= v.height + 0.5;
    }, { message: `${what}: tour-focus fully inside the viewport`, timeout: 10_000 })
    .toBe(true);
}

/** A claim track: on screen (its box inside the viewport) and holding marks. */
async function expectTrackOnScreen(page: Page, testid: string) {
  const track = page.getByTestId(testid);
  await expect(track).toHaveCount(1);
  await expect
    .poll(async () => {
      const b = await track.boundingBox();
      const v = page.viewportSize()!;
      return b !== null && b.height > 0 && b.y >= 0 && b.y + b.height <= v.height + 0.5 && b.x >= 0 && b.x + b.width <= v.width + 0.5;
    }, { message: `${testid} inside the viewport`, timeout: 10_000 })
    .toBe(true);
}

/** Every claim track's figures (data-count, data-value) against the same scenario run in Node. */
async function expectFiguresOfTheRun(page: Page, expected: Expected[]) {
  for (const e of expected) {
    const track = page.getByTestId(e.testid);
    await expect(track, e.testid).toHaveCount(1);
    expect(Number(await track.getAttribute('data-count')), `${e.testid} data-count`).toBe(e.count);
    const value = Number(await track.getAttribute('data-value'));
    expect(Math.abs(value - e.value), `${e.testid} data-value ${value}, the run's ${e.value}`).toBeLessThanOrEqual(e.tolerance);
  }
}

async function keepScreenshot(page: Page, info: TestInfo, name: string) {
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await info.attach(name, { path, contentType: 'image/png' });
}

test.describe('every chapter frames what it talks about', () => {
  for (const c of chapters) {
    test(`chapter_${c.id}_keeps_its_framed_region_on_screen`, async ({ page }, info) => {
      test.setTimeout(240_000);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.goto(`/#tour/${c.id}`);
      await expect(page.getByTestId('tour')).toHaveAttribute('data-loaded', 'true', { timeout: 180_000 });
      await expect(page.getByTestId('tour-highlight')).toBeVisible();
      await expectFocusOnScreen(page, `${c.id} on open`);
      const claims = CLAIMS[c.id] ?? [];
      expect(claims.length, `${c.id} has a track for its claim`).toBeGreaterThan(0);
      const [kind, label] = claims[0]!;
      await expectTrackOnScreen(page, `track-${kind}-${label}`);
      await expectFiguresOfTheRun(page, expectedFigures(c.id, c.preset));
      await keepScreenshot(page, info, `${c.id}-1280x720`);
      const n = pointers(c).length;
      for (let k = 1; k < n; k++) {
        await page.getByTestId(`tour-point-${k}`).click();
        await expect(page.getByTestId(`tour-point-${k}`)).toHaveAttribute('aria-pressed', 'true');
        await expectFocusOnScreen(page, `${c.id} pointer ${k}`);
        await keepScreenshot(page, info, `${c.id}-pointer-${k}-1280x720`);
      }
      const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(r.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((x) => x.target.join(' ')).join(', ')}`)).toEqual([]);
      await page.setViewportSize({ width: 390, height: 844 });
      // Nothing wider than the phone's screen, once the canvases have followed the resize.
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth), { timeout: 10_000 }).toBeLessThanOrEqual(390);
      await keepScreenshot(page, info, `${c.id}-390x844`);
      expect(errors).toEqual([]);
    });
  }
});
