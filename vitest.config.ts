import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * One `vitest run` covers everything: unit tests beside the code, and integration tests against
 * real servers that their project's globalSetup starts (and stops) by itself.
 */
export default defineConfig({
  // Inside this repository 'dspfn' (functions/, templates/) resolves to the TypeScript sources
  // (package.json's "dspfn-source" condition); users get dist/. The rest is vitest's default list.
  ssr: { resolve: { conditions: ['dspfn-source', ...defaultServerConditions.filter((c) => c !== 'module')] } },
  test: {
    testTimeout: 30_000,
    setupFiles: ['test/setup/yield-between-tests.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['core/**/*.test.ts', 'functions/**/*.test.ts', 'templates/**/*.test.ts', 'layers/**/*.test.ts', 'test/servers/**/*.test.ts', 'test/conformance/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'redis',
          include: ['test/integration/redis-*.test.ts', 'test/integration/state-*.test.ts'],
          globalSetup: ['test/servers/redis.ts'],
          // The state CLI tests start several `dspfn` processes in a row; on a loaded 2-core machine each
          // start takes seconds, so the default 30 s guard trips on load alone.
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'kafka',
          include: ['test/integration/kafka-*.test.ts'],
          globalSetup: ['test/servers/kafka.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/integration/report-*.test.ts'],
          // Installs Debian's chromium when it is missing: apt-get on a cold machine takes minutes.
          globalSetup: ['test/servers/chromium.ts'],
          testTimeout: 120_000,
          hookTimeout: 900_000,
        },
      },
      {
        extends: true,
        test: { name: 'deploy', include: ['test/integration/deploy-*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
      },
    ],
  },
});
