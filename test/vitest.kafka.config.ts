import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Integration tests against a real Kafka broker (started once per run by
// test/servers/kafka.ts). Run: npx vitest run --config test/vitest.kafka.config.ts
export default defineConfig({
  test: {
    // The repo root, so the paths below hold whatever the cwd is.
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/integration/kafka-*.test.ts'],
    globalSetup: ['test/servers/kafka.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
  },
});
