import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// State stores (memory, Redis over TCP, Upstash REST) against a real redis-server and the local
// Upstash proxy; fault tests start their own Redis.
// Run: npx vitest run --config test/vitest.state.config.ts
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["test/integration/state-*.test.ts"],
    globalSetup: ["test/servers/redis.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
