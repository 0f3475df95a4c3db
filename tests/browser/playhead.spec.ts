import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { open } from './helpers.js';
import { presets } from '../../sim/scenario/presets.js';

test.describe.configure({ timeout: 180_000 });

/** The preset the page shows (the picker's value) and its worlds' labels. */
async function shownPreset(page: Page) {
  const name = await page.getByTestId('preset-select').inputValue();
  const p = presets.find((x) => x.name === name);
  if (p === undefined) throw new Error(`the page shows no preset (picker: "${name}")`);
  return { name, labels: p.scenario.clients.map((c) => c.label), faults: p.scenario.faults ?? [], durationMs: p.scenario.durationMs ?? 1000 };
}

async function openPreset(page: Page, preset: string | null) {
  await open(page);
  if (preset !== null) {
    const before = await page.getByTestId('preset-select').inputValue();
    if (before !== preset) {
      await page.getByTestId('preset-select').selectOption(preset);
      await expect(page.getByTestId('live-region')).toContainText('Done', { timeout: 60_000 });
    }
  }
  await expect(page.getByTestId('live-region')).toContainText(/Done/, { timeout: 60_000 });
  return shownPreset(page);
}

const readouts = (page: Page, labels: string[]) => Promise.all(labels.map((l) => page.getByTestId(`now-${l}`).textContent()));
const dots = (page: Page, labels: string[]) => Promise.all(labels.map((l) => page.getByTestId(`topology-${l}`).getAttribute('data-dots')));

for (const preset of [null, 'l3-pool', 'l1-silly-way'] as const) {
  const name = preset ?? 'the default page';
  test.describe(`the state at the playhead on ${name}`, () => {
    test('every_world_has_a_topology_and_a_readout_that_follow_the_playhead', async ({ page }) => {
      const p = await openPreset(page, preset);
      for (const l of p.labels) {
        await expect(page.getByTestId(`topology-${l}`)).toBeVisible();
        await expect(page.getByTestId(`now-${l}`)).toContainText(/succeeded/);
      }
      const end = p.durationMs * 1000;
      await page.getByTestId('scrubber').fill(String(Math.round(end * 0.31)));
      const first = await readouts(page, p.labels);
      await page.getByTestId('scrubber').fill(String(Math.round(end * 0.62)));
      await expect(page.getByTestId('playhead-time')).toHaveText(`${((Math.round(end * 0.62)) / 1000).toFixed(3)} ms`);
      const second = await readouts(page, p.labels);
      for (let i = 0; i < p.labels.length; i++) expect(second[i], p.labels[i]).not.toEqual(first[i]);
    });

    test('play_advances_the_playhead_and_the_dots', async ({ page }) => {
      const p = await openPreset(page, preset);
      await page.getByTestId('scrubber').fill(String(Math.round(p.durationMs * 1000 * 0.2)));
      const t0 = await page.getByTestId('playhead-time').textContent();
      const d0 = await dots(page, p.labels);
      await page.getByTestId('action-play-pause').click();
      await expect(page.getByTestId('action-play-pause')).toHaveText('Pause');
      await expect(page.getByTestId('playhead-time')).not.toHaveText(t0!, { timeout: 10_000 });
      // Every world's dots move (or come and go) while playing.
      for (let i = 0; i < p.labels.length; i++) await expect(page.getByTestId(`topology-${p.labels[i]}`)).not.toHaveAttribute('data-dots', d0[i]!, { timeout: 10_000 });
      await page.getByTestId('action-play-pause').click();
      await expect(page.getByTestId('action-play-pause')).toHaveText('Play');
      // The speed is named in words.
      await expect(page.getByTestId('speed')).toHaveText(/of the run per second \(.*real time\)/);
    });

    test('injecting_a_fault_states_what_it_changed_and_keeps_its_marker_in_view', async ({ page }) => {
      const p = await openPreset(page, preset);
      const atUs = Math.round(p.durationMs * 1000 * 0.4);
      await page.getByTestId('scrubber').fill(String(atUs));
      await page.getByTestId('fault-kind').selectOption('drop_connections');
      await page.getByTestId('action-inject-fault').click();
      const delta = page.getByTestId('fault-delta');
      await expect(delta).toBeVisible({ timeout: 60_000 });
      for (const l of p.labels) await expect(page.getByTestId(`fault-delta-${l}`)).toHaveText(new RegExp(`${l}\\s*[+−±][\\d,]+ disconnected .*throughput [+−±]\\d+% · p99 [+−±][\\d.]+ ms`));
      // The new fault's marker, at its place in the sorted schedule, is on screen.
      const index = [...p.faults.map((f) => f.atMs), atUs / 1000].sort((a, b) => a - b).indexOf(atUs / 1000);
      await expect(page.getByTestId(`fault-${index}`)).toBeInViewport();
      // The lesson keeps its name.
      await expect(page.getByTestId('preset-select').locator('option:checked')).toHaveText(/ \+ 1 fault$/);
      // The run before it, faint in every chart, per world, until dismissed.
      for (const l of p.labels) {
        await expect(page.getByTestId(`throughput-ghost-${l}`)).toBeAttached();
        await expect(page.getByTestId(`latency-ghost-${l}`)).toBeAttached();
      }
      // Zoomed far in (a bin of the throughput chart many times the window), its lines still end
      // just outside the plot: a line running millions of pixels past the clip, dashed, took
      // seconds to paint each frame.
      for (let i = 0; i < 6; i++) await page.keyboard.press('=');
      await expect
        .poll(() =>
          page.getByTestId('throughput-chart').evaluate((chart) => {
            const clip = Number(chart.querySelector('clipPath rect')!.getAttribute('width'));
            return Math.max(...[...chart.querySelectorAll<SVGPathElement>('g[clip-path] path')].map((e) => e.getBBox().width)) / clip;
          }),
        )
        .toBeLessThan(1.1);
      await page.getByTestId('action-dismiss-delta').click();
      await expect(delta).toHaveCount(0);
      await expect(page.getByTestId(/^throughput-ghost-/)).toHaveCount(0);
      await expect(page.getByTestId(/^latency-ghost-/)).toHaveCount(0);
    });

    test('single_requests_are_drawn_as_arrows_within_three_presses_of_zoom_in', async ({ page }) => {
      const p = await openPreset(page, preset);
      const wires = () => Promise.all(p.labels.map((l) => page.getByTestId(`timeline-canvas-${l}`).getAttribute('data-wire')));
      await expect.poll(async () => (await wires()).every((w) => w !== null)).toBe(true);
      let presses = 0;
      while (!(await wires()).every((w) => w === 'arrows') && presses < 4) {
        await page.keyboard.press('=');
        presses++;
        await page.waitForTimeout(300);
      }
      expect(await wires(), `after ${presses} presses of =`).toEqual(p.labels.map(() => 'arrows'));
      expect(presses).toBeLessThanOrEqual(3);
      // L4 opens there: full duplex drawn request by request without a press.
      if (p.name === 'l4-multiplex') expect(presses).toBe(0);
    });
  });
}

test.setTimeout(180_000);
test('keyboard_only_focus_a_topology_play_pause_step_and_inject', async ({ page }) => {
  const p = await openPreset(page, null);
  await page.keyboard.press('o');
  await expect(page.getByTestId(`topology-${p.labels[0]}`)).toBeFocused();
  await page.keyboard.press('o');
  await expect(page.getByTestId(`topology-${p.labels[1]}`)).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('action-play-pause')).toHaveText('Pause');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('action-play-pause')).toHaveText('Play');
  const t = await page.getByTestId('playhead-time').textContent();
  await page.keyboard.press(']');
  await expect(page.getByTestId('playhead-time')).not.toHaveText(t!);
  // Paused: the readout is announced once the playhead rests.
  await expect(page.getByTestId(`readout-live-${p.labels[0]}`)).toContainText(/succeeded/, { timeout: 5000 });
  await page.keyboard.press('i');
  await expect(page.getByTestId('fault-delta')).toBeVisible({ timeout: 60_000 });
  await page.keyboard.press('c');
  await expect(page.getByTestId('fault-delta')).toHaveCount(0);
});

test('the_topologies_and_the_fault_delta_have_no_wcag_violations', async ({ page }) => {
  await openPreset(page, 'l4-multiplex');
  await page.getByTestId('scrubber').fill('400000');
  await page.getByTestId('action-inject-fault').click();
  await expect(page.getByTestId('fault-delta')).toBeVisible({ timeout: 60_000 });
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});

test('a_sequence_lens_with_nothing_near_the_playhead_collapses_to_one_line', async ({ page }) => {
  const p = await openPreset(page, 'l4-multiplex');
  const mux = p.labels.find((l) => l === 'multiplex')!;
  const seq = page.getByTestId(`sequence-${mux}`);
  await page.getByTestId('scrubber').fill('100500');
  await expect(seq).toHaveAttribute('data-empty', 'false');
  const tall = (await seq.boundingBox())!.height;
  // Long after the last request: nothing on the wire, one line.
  await page.keyboard.press('End');
  await expect(seq).toHaveAttribute('data-empty', 'true');
  await expect(seq).toContainText('no request on the wire here');
  const short = (await seq.boundingBox())!.height;
  expect(short).toBeLessThan(tall / 3);
});

test('a_paused_redis_reads_as_paused_in_the_topology_not_as_up', async ({ page }) => {
  await openPreset(page, 'l4-multiplex');
  // CLIENT PAUSE for 200 ms (the fault's default) at 300 ms: Redis is not down, nor serving.
  await page.getByTestId('scrubber').fill('300000');
  await page.getByTestId('fault-kind').selectOption('server_pause');
  await page.getByTestId('action-inject-fault').click();
  await expect(page.getByTestId('fault-delta')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('scrubber').fill('350000');
  for (const l of ['pool', 'multiplex']) await expect(page.getByTestId(`now-${l}`)).toContainText('Redis paused (CLIENT PAUSE: no command runs, 150.0 ms left)');
  await page.getByTestId('scrubber').fill('600000');
  for (const l of ['pool', 'multiplex']) await expect(page.getByTestId(`now-${l}`)).toContainText('Redis up');
});
