import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files start real processes; two cores, so keep parallelism modest.
    maxWorkers: 3,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/load/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The load test measures latency: it runs alone, after everything else has finished, so the
        // cores it is judged on are not taken by the rest of the suite.
        extends: true,
        test: { name: 'load', include: ['test/load/**/*.test.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
