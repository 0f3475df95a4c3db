// One test per chapter at 1280×720: the framed region (tour-focus) is fully on screen when the
// chapter opens and after each of its pointers; the page has no WCAG A/AA violation; screenshots
// of the chapter at 1280×720 and 390×844 are kept in test-results/.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { chapters, pointers } from '../../web/src/tour/chapters.js';

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

/** The track each chapter's first pointer talks about: on screen with it, holding marks. */
const CLAIM_TRACK: Record<string, string> = {
  genserver: 'track-mailbox-serial',
  tradeoffs: 'track-cpu-multiplex',
  'late-replies': 'track-late-drops-multiplex',
  'pool-overload': 'track-latency-codel',
  'reconnect-storm': 'track-connects-exp-no-jitter',
  'at-least-once': 'track-resends-at-least-once',
};

async function expectTrackOnScreen(page: Page, testid: string) {
  const track = page.getByTestId(testid);
  await expect(track).toHaveCount(1);
  expect(Number(await track.getAttribute('data-count'))).toBeGreaterThan(0);
  await expect
    .poll(async () => {
      const b = await track.boundingBox();
      const v = page.viewportSize()!;
      return b !== null && b.height > 0 && b.y >= 0 && b.y + b.height <= v.height + 0.5 && b.x >= 0 && b.x + b.width <= v.width + 0.5;
    }, { message: `${testid} inside the viewport`, timeout: 10_000 })
    .toBe(true);
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
      if (CLAIM_TRACK[c.id] !== undefined) await expectTrackOnScreen(page, CLAIM_TRACK[c.id]!);
      await page.screenshot({ path: info.outputPath(`${c.id}-1280x720.png`) });
      const n = pointers(c).length;
      for (let k = 1; k < n; k++) {
        await page.getByTestId(`tour-point-${k}`).click();
        await expect(page.getByTestId(`tour-point-${k}`)).toHaveAttribute('aria-pressed', 'true');
        await expectFocusOnScreen(page, `${c.id} pointer ${k}`);
        await page.screenshot({ path: info.outputPath(`${c.id}-pointer-${k}-1280x720.png`) });
      }
      const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(r.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((x) => x.target.join(' ')).join(', ')}`)).toEqual([]);
      await page.setViewportSize({ width: 390, height: 844 });
      // Nothing wider than the phone's screen, once the canvases have followed the resize.
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth), { timeout: 10_000 }).toBeLessThanOrEqual(390);
      await page.screenshot({ path: info.outputPath(`${c.id}-390x844.png`) });
      expect(errors).toEqual([]);
    });
  }
});
