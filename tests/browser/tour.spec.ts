import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { open } from './helpers.js';
import { chapters } from '../../web/src/tour/chapters.js';

/** The chapter is on screen, its preset's run drawn, and its highlight on the timeline. */
async function expectChapter(page: Page, id: string) {
  const c = chapters.find((x) => x.id === id)!;
  const tour = page.getByTestId('tour');
  await expect(page.getByTestId(`tour-chapter-${c.id}`)).toBeVisible();
  await expect(tour).toHaveAttribute('data-preset', c.preset);
  await expect(tour).toHaveAttribute('data-loaded', 'true', { timeout: 120_000 });
  await expect(page.getByTestId('preset-select')).toHaveValue(c.preset);
  await expect(page.getByTestId('tour-menu')).toHaveValue(c.id);
  await expect(page).toHaveURL(new RegExp(`#tour/${c.id}$`));
  const hl = page.getByTestId('tour-highlight').first();
  await expect(hl).toBeVisible();
  await expect(page.getByTestId('tour-live')).toContainText('Highlighted on the timeline');
  // The code panel opens on the lines the chapter is about, running at the chapter's playhead.
  await expect(page.getByTestId('tour-code')).toHaveAttribute('data-active', new RegExp(`(^| )${c.opensOn}( |$)`));
  await expect(page.getByTestId('tour-code').locator(`.run[data-state="${c.opensOn}"]`).first()).toBeAttached();
}

const SHOTS = new Set(['silly-way', 'multiplex', 'resiliency']);

test.describe('the guided tour', () => {
  test('walks_every_chapter_by_keyboard_with_its_preset_and_highlight', async ({ page }, info) => {
    // Every chapter's run, one after another (fifteen of them): room for a busy machine.
    test.setTimeout(900_000);
    const errors = await open(page, '/#tour');
    await expect(page.getByRole('region', { name: chapters[0]!.title })).toBeVisible();
    for (const [i, c] of chapters.entries()) {
      await expectChapter(page, c.id);
      if (SHOTS.has(c.id)) {
        const path = info.outputPath(`tour-${c.id}.png`);
        await page.screenshot({ path, fullPage: true });
        await info.attach(`tour-${c.id}`, { path, contentType: 'image/png' });
      }
      // Focus follows the chapter's title, so a screen reader reads the new chapter.
      await expect(page.locator('#tour-title')).toBeFocused();
      if (i < chapters.length - 1) await page.keyboard.press('ArrowRight');
    }
    // Past the last chapter, → stays there.
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId(`tour-chapter-${chapters.at(-1)!.id}`)).toBeVisible();
    // ← goes back.
    await page.keyboard.press('ArrowLeft');
    await expectChapter(page, chapters.at(-2)!.id);
    expect(errors).toEqual([]);
  });

  test('the_browser_back_button_goes_to_the_previous_chapter_and_out_of_the_sandbox', async ({ page }) => {
    const errors = await open(page, '/#tour');
    await expectChapter(page, chapters[0]!.id);
    await page.keyboard.press('ArrowRight');
    await expectChapter(page, chapters[1]!.id);
    await page.keyboard.press('ArrowRight');
    await expectChapter(page, chapters[2]!.id);
    await page.goBack();
    await expectChapter(page, chapters[1]!.id);
    await page.goForward();
    await expectChapter(page, chapters[2]!.id);
    // Out to the sandbox, and Back into the chapter it came from.
    await page.getByTestId('tour-exit').click();
    await expect(page.getByTestId('tour')).toHaveCount(0);
    await expect(page).toHaveURL(/#s=/);
    await page.goBack();
    await expectChapter(page, chapters[2]!.id);
    expect(errors).toEqual([]);
  });

  test('a_deep_link_opens_its_chapter_and_the_menu_moves_between_chapters', async ({ page }) => {
    const errors = await open(page, '/#tour/late-replies');
    await expectChapter(page, 'late-replies');
    await page.getByTestId('tour-menu').selectOption('pool');
    await expectChapter(page, 'pool');
    await page.getByTestId('tour-next').click();
    await expectChapter(page, 'multiplex');
    await page.getByTestId('tour-prev').click();
    await expectChapter(page, 'pool');
    expect(errors).toEqual([]);
  });

  test('an_unknown_chapter_says_so_and_opens_the_first', async ({ page }) => {
    await open(page, '/#tour/no-such-chapter');
    await expect(page.getByTestId('notice')).toContainText('The tour has no chapter "no-such-chapter"');
    await expectChapter(page, chapters[0]!.id);
  });

  test('the_code_panel_marks_the_lines_running_at_the_playhead', async ({ page }) => {
    await open(page, '/#tour/multiplex');
    await expectChapter(page, 'multiplex');
    const code = page.getByTestId('tour-code');
    await expect(code).toHaveAttribute('data-file', 'multiplex');
    await expect(code).toHaveAttribute('data-active', /noreply/);
    await expect(code.locator('.run').first()).toBeVisible();
    await expect(page.getByTestId('tour-elixir')).toContainText('GenServer.reply/2');
    // The pool's code: callers blocked in recv.
    await page.getByTestId('tour-code-world').selectOption('pool');
    await expect(code).toHaveAttribute('data-file', 'pool');
    await expect(code).toHaveAttribute('data-active', /recv/);
    await expect(code.locator('.run[data-state="recv"]').last()).toContainText('tcp.recv');
    // The answer is read from the run.
    await page.getByTestId('tour-answer').locator('summary').click();
    await expect(page.getByTestId('tour-answer')).toContainText('at most on one connection');
  });

  test('a_chapter_points_at_one_thing_after_another', async ({ page }) => {
    const errors = await open(page, '/#tour/multiplex');
    await expectChapter(page, 'multiplex');
    await expect(page.getByTestId('world-multiplex')).toHaveAttribute('data-highlight', 'on');
    await expect(page.getByTestId('world-pool')).toHaveAttribute('data-highlight', 'dim');
    await page.getByTestId('tour-point-1').click();
    await expect(page.getByTestId('tour-point-1')).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('world-pool')).toHaveAttribute('data-highlight', 'on');
    await expect(page.getByTestId('world-multiplex')).toHaveAttribute('data-highlight', 'dim');
    await expect(page.getByTestId('tour-highlight')).toContainText('ten sockets');
    await expect(page.getByTestId('tour-live')).toContainText('ten sockets');
    // A new chapter starts at its first pointer.
    await page.keyboard.press('ArrowRight');
    await expectChapter(page, 'tradeoffs');
    await expect(page.getByTestId('tour-point-0')).toHaveAttribute('aria-pressed', 'true');
    expect(errors).toEqual([]);
  });

  test('the_exit_opens_the_sandbox_with_the_chapter_scenario', async ({ page }) => {
    const errors = await open(page, '/#tour/pool');
    await expectChapter(page, 'pool');
    await page.getByTestId('tour-exit').click();
    await expect(page.getByTestId('tour')).toHaveCount(0);
    // Focus is not lost with the button: it lands on the one that reopens the tour.
    await expect(page.getByTestId('action-tour-open')).toBeFocused();
    await expect(page).toHaveURL(/#s=/);
    await expect(page.getByTestId('preset-select')).toHaveValue('l3-pool');
    await expect(page.getByTestId('world-pool-error')).toBeVisible();
    await expect(page.getByTestId('tour-highlight')).toHaveCount(0);
    // The link now holds the scenario: reloading replays it in the sandbox.
    const hash = await page.getByTestId('trace-hash-pool-error').textContent();
    await page.reload();
    await expect(page.getByTestId('comparison-table')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('trace-hash-pool-error')).toHaveText(hash!);
    // And the tour is one key away again.
    await page.keyboard.press('l');
    await expectChapter(page, chapters[0]!.id);
    await expect(page.locator('#tour-title')).toBeFocused();
    expect(errors).toEqual([]);
  });

  test('arrow_keys_on_the_timeline_stay_the_timeline_s', async ({ page }) => {
    await open(page, '/#tour/pool');
    await expectChapter(page, 'pool');
    await page.getByTestId('timeline-canvas-pool-error').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('tour-chapter-pool')).toBeVisible();
    await expect(page).toHaveURL(/#tour\/pool$/);
    // Out of the timeline, → is the tour's again.
    await page.getByTestId('tour-answer').locator('summary').focus();
    await page.keyboard.press('ArrowRight');
    await expectChapter(page, 'multiplex');
  });

  test('an_experiment_adds_its_fault_and_the_answer_follows_the_new_run', async ({ page }) => {
    const errors = await open(page, '/#tour/multiplex');
    await expectChapter(page, 'multiplex');
    const before = await page.getByTestId('trace-hash-multiplex').textContent();
    await page.getByTestId('tour-try').click();
    await expect(page.getByTestId('trace-hash-multiplex')).not.toHaveText(before!, { timeout: 120_000 });
    await expect(page.getByTestId('fault-0')).toBeAttached();
    await expect(page.getByTestId('tour')).toHaveAttribute('data-loaded', 'true', { timeout: 120_000 });
    await expect(page.getByTestId('tour-highlight').first()).toBeVisible();
    await expect(page.getByTestId('error-count-multiplex')).toBeAttached();
    await page.getByTestId('tour-answer').locator('summary').click();
    await expect(page.getByTestId('tour-answer')).toContainText('at most on one connection');
    // Added once; the link carries it, and opening that link gives the same run.
    await expect(page.getByTestId('tour-try')).toBeDisabled();
    await expect(page).toHaveURL(/#tour\/multiplex\/experiment$/);
    const withFault = await page.getByTestId('trace-hash-multiplex').textContent();
    await page.reload();
    await expect(page.getByTestId('tour')).toHaveAttribute('data-loaded', 'true', { timeout: 120_000 });
    await expect(page.getByTestId('trace-hash-multiplex')).toHaveText(withFault!);
    await expect(page.getByTestId('tour-try')).toBeDisabled();
    // Back: the chapter without it.
    await page.goBack();
    await expect(page).toHaveURL(/#tour\/multiplex$/);
    await expect(page.getByTestId('trace-hash-multiplex')).toHaveText(before!, { timeout: 120_000 });
    await page.goForward();
    await expect(page.getByTestId('trace-hash-multiplex')).toHaveText(withFault!, { timeout: 120_000 });
    // Leaving keeps the experiment: the sandbox has the fault.
    await page.getByTestId('tour-exit').click();
    await expect(page).toHaveURL(/#s=/);
    await expect(page.getByTestId('fault-0')).toBeAttached();
    expect(errors).toEqual([]);
  });

  test('the_tour_has_no_wcag_a_or_aa_violations', async ({ page }) => {
    await open(page, '/#tour/resiliency');
    await expectChapter(page, 'resiliency');
    await page.getByTestId('tour-answer').locator('summary').click();
    // Backing off at the playhead: the panel shows where the wait is computed.
    await expect(page.getByTestId('tour-backoff-code')).toContainText("case 'redix'");
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    // A chapter pointing at one request, on its second pointer.
    await page.getByTestId('tour-menu').selectOption('late-replies');
    await expectChapter(page, 'late-replies');
    await page.getByTestId('tour-point-1').click();
    await expect(page.getByTestId('tour-highlight')).toContainText('pool');
    const r2 = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(r2.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });

  test('the_text_folds_so_the_timeline_fits_a_small_screen_and_stays_folded', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await open(page, '/#tour/multiplex');
    await expectChapter(page, 'multiplex');
    const timeline = page.getByTestId('world-pool');
    const fold = page.getByTestId('tour-fold');
    await expect(fold).toHaveAttribute('aria-expanded', 'true');
    await fold.click();
    await expect(fold).toHaveAttribute('aria-expanded', 'false');
    await expect(page.locator('#tour-body')).toBeHidden();
    // The highlight is still named, and the timeline's lanes are now on the first screen.
    await expect(page.getByTestId('tour-chapter-multiplex')).toContainText('Highlighted');
    const box = await timeline.boundingBox();
    expect(box!.y).toBeLessThan(720);
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('tour-menu')).not.toHaveValue('multiplex');
    await expect(page.locator('#tour-body')).toBeHidden();
    await fold.click();
    await expect(page.locator('#tour-body')).toBeVisible();
  });

  test('arrow_keys_in_a_scrolling_code_pane_scroll_it_and_leave_the_chapter', async ({ page }) => {
    await open(page, '/#tour/multiplex');
    await expectChapter(page, 'multiplex');
    const pane = page.getByTestId('tour-code').locator('pre.tour-src').first();
    await pane.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('tour-menu')).toHaveValue('multiplex');
    await expect(pane).toBeFocused();
  });

  test('the_help_sheet_lists_the_tour_keys', async ({ page }) => {
    await open(page, '/#tour');
    await page.keyboard.press('?');
    const dialog = page.getByTestId('help-dialog');
    await expect(dialog).toContainText('Tour: next chapter');
    await expect(dialog).toContainText('Tour: previous chapter');
    await expect(dialog).toContainText('Leave the tour');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  });
});
