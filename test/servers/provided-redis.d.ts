// Values that test/servers/redis.ts (vitest globalSetup) hands to test files via inject().
import type { RedisSecureServer } from "./redis.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** redis://127.0.0.1:PORT of a real, shared Redis; use unique key prefixes. */
    redisUrl: string;
    /** http://127.0.0.1:PORT of the Upstash REST proxy in front of that same Redis. */
    upstashUrl: string;
    upstashToken: string;
    /** The same Redis over TLS, with a least-privilege ACL user; null for external servers without DSPFN_TEST_REDIS_SECURE. */
    redisSecure: RedisSecureServer | null;
  }
}
