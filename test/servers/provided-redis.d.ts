// Values that test/servers/redis.ts (vitest globalSetup) hands to test files via inject().
export {};

declare module "vitest" {
  export interface ProvidedContext {
    /** redis://127.0.0.1:PORT of a real, shared Redis; use unique key prefixes. */
    redisUrl: string;
    /** http://127.0.0.1:PORT of the Upstash REST proxy in front of that same Redis. */
    upstashUrl: string;
    upstashToken: string;
  }
}
