import { defineConfig } from 'vitest/config';

// Unit, property and scenario tests only; browser tests (tests/browser/*.spec.ts) run under Playwright.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    setupFiles: ['tests/unit/setup.ts'],
    // Whole-scenario tests simulate seconds of traffic; a slow CI machine needs the room.
    testTimeout: 60_000,
    environment: 'node',
  },
});
