/// <reference path="../servers/provided-redis.d.ts" />
// createStateStore: every accepted form of a state store's address reaches its store, and anything
// else is refused with the accepted forms and without the secrets it was given.
import { randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { createStateStore } from '../../core/state/from-url.ts';

const redisUrl = inject('redisUrl');
const upstashUrl = inject('upstashUrl');
const upstashToken = inject('upstashToken');

// The Redis is shared with other test files: everything this file writes lives under one prefix.
const RUN = `dspfn-create-${randomUUID()}:`;

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

afterAll(async () => {
  const raw = createClient({ url: redisUrl, RESP: 2 });
  await raw.connect();
  for await (const keys of raw.scanIterator({ MATCH: `${RUN}*`, COUNT: 1000 })) {
    if (keys.length > 0) await raw.del(keys);
  }
  raw.destroy();
});

describe('createStateStore', () => {
  it('builds each accepted form', async () => {
    const stores = [
      createStateStore('memory'),
      createStateStore(redisUrl, { prefix: `${RUN}url:` }),
      createStateStore('rediss://user:secret@example.invalid:6380/2'),
      createStateStore('upstash', { env: { UPSTASH_REDIS_REST_URL: upstashUrl, UPSTASH_REDIS_REST_TOKEN: upstashToken } }),
      createStateStore(`upstash+${upstashUrl}?token=${encodeURIComponent(upstashToken)}`, { prefix: `${RUN}url:` }),
      createStateStore(`upstash+${upstashUrl}`, { env: { UPSTASH_REDIS_REST_TOKEN: upstashToken } }),
    ];
    expect(stores.map((s) => s.name)).toEqual(['memory', 'redis', 'redis', 'upstash', 'upstash', 'upstash']);
    // The URL forms reach the same database: one writes, the other reads.
    await stores[1]!.commit([{ key: 'k', snapshot: bytes(5), offsets: [], expected: null }]);
    expect([...((await stores[4]!.load(['k'])).get('k')?.snapshot ?? [])]).toEqual([5]);
    // A TLS store connects lazily, so building one for an unreachable host does not fail or hang.
    await Promise.all(stores.map((s) => s.close()));
  });

  it('refuses anything else, listing the accepted forms without echoing secrets', () => {
    for (const spec of ['redis', 'postgres://u:p@h/db', 'upstash+ftp://x', 'dynamodb', '']) {
      expect(() => createStateStore(spec)).toThrow(ConfigError);
    }
    let message = '';
    try {
      createStateStore('upstash+https//host?token=s3cret');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('memory');
    expect(message).toContain('rediss://');
    expect(message).toContain('upstash+https://');
    expect(message).not.toContain('s3cret');
    expect(() => createStateStore('upstash', { env: {} })).toThrow(/UPSTASH_REDIS_REST_URL/);
    expect(() => createStateStore('upstash+https://h.upstash.io?token=t&x=1')).toThrow(/only query parameter/);
    expect(() => createStateStore(redisUrl, { ttlSeconds: -1 })).toThrow(/ttlSeconds/);
  });
});
