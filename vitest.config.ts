import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites start a real server (and an embedded PGlite database) per database target.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each integration file runs its own servers; two at a time is what a two-core CI runner handles.
    maxWorkers: 2,
    // A forgotten `.only` would silently skip the rest of the suite in CI.
    allowOnly: !process.env['CI'],
  },
});
