import { defineConfig } from 'vitest/config';

// Unit, property and scenario tests, and integration tests against a real redis-server (tests/real); browser tests (tests/browser/*.spec.ts) run under Playwright.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/real/**/*.test.ts'],
    setupFiles: ['tests/unit/setup.ts'],
    // Whole-scenario tests simulate seconds of traffic; a slow CI machine needs the room.
    testTimeout: 60_000,
    environment: 'node',
  },
});
