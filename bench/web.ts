/**
 * The lab's budgets, measured in headless Debian chromium against the production build, printed
 * (never asserted): re-simulating and redrawing a 100,000-request scenario after a fault is
 * added (budget 2 s), frame times while panning and zooming (budget p95 < 16 ms), and the
 * bundle's size.
 *
 *   npm run bench:web
 */
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import lz from 'lz-string';

const { compressToEncodedURIComponent } = lz;

const PORT = 4199;
const root = process.cwd();

// ~100k requests in all: 100 callers at ~20k requests/s for 2.5 s, on a pool and on a multiplexed connection.
const scenario = {
  name: 'budget-100k',
  durationMs: 2500,
  network: { latencyMs: 0.25 },
  workload: { callers: 100, thinkMs: 4, mix: { GET: 0.8, SET: 0.2 } },
  clients: [
    { label: 'pool', kind: 'pool', size: 20 },
    { label: 'multiplex', kind: 'multiplex' },
  ],
};

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function main() {
  const server = spawn(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 1500));
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const url = `http://127.0.0.1:${PORT}/#s=${compressToEncodedURIComponent(JSON.stringify(scenario))}`;
    let t0 = Date.now();
    await page.goto(url);
    await page.getByTestId('live-region').filter({ hasText: 'Done' }).waitFor({ timeout: 120_000 });
    const firstRun = Date.now() - t0;
    const issued = await page.getByTestId('cmp-issued-pool').getAttribute('data-value').catch(() => null);
    const issuedMux = await page.getByTestId('cmp-issued-multiplex').getAttribute('data-value').catch(() => null);

    // Re-simulate and redraw after a fault: click → the live region says Done → next frame.
    await page.getByTestId('scrubber').fill('2500000');
    await page.getByTestId('fault-kind').selectOption('drop_connections');
    t0 = Date.now();
    await page.getByTestId('action-inject-fault').click();
    await page.getByTestId('live-region').filter({ hasText: 'Done' }).waitFor({ timeout: 120_000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const refault = Date.now() - t0;

    // Pan and zoom: wheel events over the timeline, one per frame, timing the frames.
    const box = await page.getByTestId('timeline-canvas-pool').boundingBox();
    await page.evaluate(() => {
      (window as unknown as { __frames: number[] }).__frames = [];
      let last = performance.now();
      const loop = (t: number) => {
        (window as unknown as { __frames: number[] }).__frames.push(t - last);
        last = t;
        if ((window as unknown as { __frames: number[] }).__frames.length < 400) requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
    });
    if (box !== null) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 120; i++) {
        await page.mouse.wheel(0, i < 60 ? -120 : 120);
        if (i % 10 === 0) {
          await page.mouse.down();
          await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, { steps: 4 });
          await page.mouse.up();
        }
      }
    }
    await page.waitForFunction(() => (window as unknown as { __frames: number[] }).__frames.length >= 400, undefined, { timeout: 60_000 });
    const frames = (await page.evaluate(() => (window as unknown as { __frames: number[] }).__frames)).slice(1);
    await browser.close();

    const assets = join(root, 'dist', 'assets');
    let js = 0;
    let gz = 0;
    for (const f of readdirSync(assets)) {
      if (!f.endsWith('.js')) continue;
      const p = join(assets, f);
      js += statSync(p).size;
      gz += gzipSync(readFileSync(p)).length;
    }
    console.log(`scenario: ${scenario.name}, requests issued: pool ${issued ?? '?'}, multiplex ${issuedMux ?? '?'}`);
    console.log(`first run (load, simulate, draw): ${firstRun} ms`);
    console.log(`re-simulate + redraw after adding a fault: ${refault} ms (budget 2000 ms: ${refault <= 2000 ? 'met' : 'NOT met'})`);
    console.log(`pan/zoom frames: ${frames.length}, p50 ${percentile(frames, 50).toFixed(1)} ms, p95 ${percentile(frames, 95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms (budget p95 < 16 ms: ${percentile(frames, 95) < 16 ? 'met' : 'NOT met'})`);
    console.log(`bundle (all JS incl. the worker): ${(js / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzipped`);
  } finally {
    server.kill();
  }
}

await main();
