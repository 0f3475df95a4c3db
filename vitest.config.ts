import { defineConfig } from 'vitest/config';

// Unit, property and scenario tests only; browser tests (tests/browser/*.spec.ts) run under Playwright.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    setupFiles: ['tests/unit/setup.ts'],
    environment: 'node',
  },
});
