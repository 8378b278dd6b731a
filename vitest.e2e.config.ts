import { defineConfig } from 'vitest/config';

// End-to-end: the package as a new user meets it (the README quick start, the CLI, real servers).
export default defineConfig({
  test: {
    globalSetup: ['tests/support/tmpRoot.ts'],
    include: ['tests/e2e/**/*.e2e.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
