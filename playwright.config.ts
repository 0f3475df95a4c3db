import { defineConfig } from '@playwright/test';

// Debian's chromium: Playwright cannot download its own browser on these machines.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// PREVIEW_PORT lets two checkouts run their browser tests side by side.
const port = Number(process.env.PREVIEW_PORT ?? 4173);

export default defineConfig({
  testDir: 'tests/browser',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  reporter: [['list']],
  // A test waits for whole runs (up to 120 s each under load, often two or three in a test): on a loaded
  // machine their sum passes Playwright's default of 30 s per test, which would cut a slow but
  // correct run off. No test depends on speed: this only bounds a hang.
  timeout: 300_000,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    headless: true,
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    // Never another checkout's server on the same port: a taken port fails the run (strictPort).
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
