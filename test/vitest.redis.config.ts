import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Integration tests against a real redis-server and the local Upstash REST proxy.
// Run: npx vitest run --config test/vitest.redis.config.ts
export default defineConfig({
  // Anchor paths at the repo root so the config works from any cwd.
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["test/integration/redis-*.test.ts"],
    globalSetup: ["test/servers/redis.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
