import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Offline packaging of the deploy stacks (osls, esbuild bundles, layer zip); no AWS account needed.
// Run: npx vitest run --config test/vitest.deploy.config.ts
export default defineConfig({
  test: {
    // The repo root, so the paths below hold whatever the cwd is.
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/integration/deploy-*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
