import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['tests/support/tmpRoot.ts'],
    include: ['tests/**/*.test.ts'],
    // tests/e2e needs Debian packages (prometheus, chromium): `npm run test:e2e`, run by .ci/run.
    exclude: ['tests/e2e/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // OTel providers are process-global: each test file runs in its own process.
    pool: 'forks',
  },
});
