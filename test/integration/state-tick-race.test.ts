/// <reference path="../servers/provided-redis.d.ts" />
// An idle tick racing a batch on one partition, through the commit script on real Redis (TCP) and
// Upstash (REST): the same scenarios as on the in-memory store (core/handler/windowed/tick-race.test.ts).
import { randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';
import { afterAll, inject } from 'vitest';
import { RedisStateStore } from '../../core/state/redis.ts';
import { UpstashStateStore } from '../../core/state/upstash.ts';
import { describeTickRaces } from '../fixtures/tick-races.ts';

const redisUrl = inject('redisUrl');
const upstashUrl = inject('upstashUrl');
const upstashToken = inject('upstashToken');
const RUN = `dspfn-tick-race-${randomUUID()}:`;
let opened = 0;

afterAll(async () => {
  const raw = createClient({ url: redisUrl, RESP: 2 });
  await raw.connect();
  for await (const keys of raw.scanIterator({ MATCH: `${RUN}*`, COUNT: 1000 })) if (keys.length > 0) await raw.del(keys);
  raw.destroy();
});

describeTickRaces('Redis', () => new RedisStateStore({ url: redisUrl, prefix: `${RUN}tcp-${opened++}:` }));
describeTickRaces('Upstash', () => new UpstashStateStore({ url: upstashUrl, token: upstashToken, prefix: `${RUN}rest-${opened++}:` }));
