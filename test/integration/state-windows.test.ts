/// <reference path="../servers/provided-redis.d.ts" />
// Windowed functions on real Redis (TCP) and Upstash (REST): the window load script picks the keys a
// batch closes from the stored partition index in the load's one call, and a stream cut into
// batches, with redeliveries and a cold handler per batch, gives exactly the results and late
// records of one in-memory run. One load and one commit per batch.
import { randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { pipeline } from '../../core/dsp/pipeline.ts';
import { defineFunction } from '../../core/handler/define-function.ts';
import { readings } from '../../core/inputs/readings.ts';
import { MemoryStateStore } from '../../core/state/memory.ts';
import { RedisStateStore } from '../../core/state/redis.ts';
import type { StateStore } from '../../core/state/store.ts';
import { UpstashStateStore } from '../../core/state/upstash.ts';
import { testHarness, type RecordInput } from '../../core/testing/index.ts';
import { racingViews } from '../fixtures/racing-store.ts';

const redisUrl = inject('redisUrl');
const upstashUrl = inject('upstashUrl');
const upstashToken = inject('upstashToken');
const RUN = `dspfn-windows-${randomUUID()}:`;

afterAll(async () => {
  const raw = createClient({ url: redisUrl, RESP: 2 });
  await raw.connect();
  for await (const keys of raw.scanIterator({ MATCH: `${RUN}*`, COUNT: 1000 })) if (keys.length > 0) await raw.del(keys);
  raw.destroy();
});

const T0 = Date.UTC(2026, 0, 1);
const handler = defineFunction({
  name: 'window-avg',
  input: readings({ key: 'key', timestamp: 'timestamp' }),
  pipeline: pipeline().ema({ alpha: 0.5 }),
  window: { type: 'tumbling', size: '1m' },
  aggregate: ['count', 'mean', 'min', 'max'],
  allowedLateness: '10s',
  output: { topic: 'out', value: ({ window }) => window },
});

/** 8 keys (one of them with a key that needs escaping) on 2 partitions, 5 minutes of readings a little out of order, some late. */
function stream(): RecordInput[] {
  const offsets = [0, 0];
  return Array.from({ length: 240 }, (_, i) => {
    const key = i % 8 === 7 ? 'tab\tand ünïcode' : `sensor-${i % 8}`;
    const partition = i % 8 < 4 ? 0 : 1;
    const jitter = i % 17 === 0 ? -40_000 : ((i * 7919) % 5000) - 2500;
    const timestamp = T0 + i * 1250 + jitter;
    return { partition, offset: offsets[partition]!++, key, value: { key, value: Math.round(Math.sin(i) * 100), timestamp } };
  });
}

/** Counts the store's loads and commits (each one script or pipeline call on the wire). */
function counted(store: StateStore): StateStore & { calls: { load: number; commit: number } } {
  const calls = { load: 0, commit: 0 };
  return {
    name: store.name,
    calls,
    load: (keys, windows) => (calls.load++, store.load(keys, windows)),
    commit: (entries) => (calls.commit++, store.commit(entries)),
    close: () => store.close(),
  };
}

async function run(store: StateStore): Promise<{ results: string[]; late: string[] }> {
  const records = stream();
  const results: string[] = [];
  const late: string[] = [];
  const counting = counted(store);
  for (let from = 0, batch = 0; from < records.length; batch++) {
    const size = [1, 7, 30, 3][batch % 4]!;
    const part = records.slice(from, from + size);
    from += size;
    // Every third batch is delivered twice; every batch runs on a cold handler.
    for (let delivery = 0; delivery < (batch % 3 === 0 ? 2 : 1); delivery++) {
      const fn = testHarness(handler, { state: counting });
      const before = { ...counting.calls };
      await fn.invoke(part, { topic: 'iot' });
      expect(counting.calls.load - before.load).toBe(1);
      expect(counting.calls.commit - before.commit).toBeLessThanOrEqual(1);
      if (delivery === 0) {
        results.push(...fn.sink.onTopic('out').map((m) => `${String(m.headers['dspfn-source-partition'])} ${String(m.value)}`));
        late.push(...fn.sink.onTopic('iot.late').map((m) => `${String(m.headers['dspfn-source-partition'])}@${String(m.headers['dspfn-source-offset'])} ${String(m.value)}`));
      } else expect(fn.sink.onTopic('out')).toEqual([]);
    }
  }
  return { results, late };
}

describe('windowed functions on real state stores', () => {
  it('give the in-memory results on Redis and Upstash, batches redelivered and handlers cold', async () => {
    const reference = await run(new MemoryStateStore());
    expect(reference.results.length).toBeGreaterThan(30);
    expect(reference.late.length).toBeGreaterThan(3);
    const tcp = new RedisStateStore({ url: redisUrl, prefix: `${RUN}tcp:` });
    const rest = new UpstashStateStore({ url: upstashUrl, token: upstashToken, prefix: `${RUN}rest:` });
    try {
      expect(await run(tcp)).toEqual(reference);
      expect(await run(rest)).toEqual(reference);
    } finally {
      await tcp.close();
      await rest.close();
    }
  });

  it('load through the script exactly the keys the stored index says the batch closes', async () => {
    const tcp = new RedisStateStore({ url: redisUrl, prefix: `${RUN}pick:` });
    const rest = new UpstashStateStore({ url: upstashUrl, token: upstashToken, prefix: `${RUN}pick:` });
    try {
      const fn = testHarness(handler, { state: tcp });
      const keys = ['a', 'b', 'c\nd'];
      await fn.invoke(keys.map((key, i) => ({ partition: 0, offset: i, key, value: { key, value: 1, timestamp: T0 + i * 20_000 } })), { topic: 'iot' });
      const index = 'window-avg!window-index:iot-0';
      for (const store of [tcp, rest, new MemoryStateStore()]) {
        if (store instanceof MemoryStateStore) {
          const entries = await tcp.load([index, ...keys.map((k) => `window-avg:${k}`)]);
          await store.commit([...entries].map(([key, s]) => ({ key, snapshot: s.snapshot, offsets: s.offsets, expected: null })));
        }
        // Key a's window [0, 1m) closes once the watermark (max − 10 s) reaches 1m; the others have the same window.
        const query = (maxEventTime: number) => store.load([], [{ index, keyPrefix: 'window-avg:', maxEventTime, allowedLateness: 10_000 }]);
        expect([...(await query(T0 + 69_999)).keys()].sort()).toEqual([index]);
        expect([...(await query(T0 + 70_000)).keys()].sort()).toEqual([index, ...keys.map((k) => `window-avg:${k}`)].sort());
        expect([...(await query(Number.NEGATIVE_INFINITY)).keys()]).toEqual([index]);
      }
    } finally {
      await tcp.close();
      await rest.close();
    }
  });
  it('close quiet partitions on the idle tick through Redis and Upstash, once, from a cold handler', async () => {
    const ticking = defineFunction({ ...handler.dspfn.definition, name: 'window-tick', idleTimeout: '5m' });
    for (const store of [new RedisStateStore({ url: redisUrl, prefix: `${RUN}tick-tcp:` }), new UpstashStateStore({ url: upstashUrl, token: upstashToken, prefix: `${RUN}tick-rest:` })]) {
      try {
        let now = 1_000_000;
        const first = testHarness(ticking, { state: store, now: () => now });
        await first.invoke([0, 1].map((partition) => ({ partition, key: `k${partition}`, value: { key: `k${partition}`, value: partition + 1, timestamp: T0 + 1_000 } })), { topic: 'iot' });
        now += 5 * 60_000;
        const cold = testHarness(ticking, { state: store, now: () => now });
        await cold.tick();
        expect(cold.sink.onTopic('out').map((m) => JSON.parse(String(m.value)) as { key: string; count: number }).sort((a, b) => a.key.localeCompare(b.key))).toMatchObject([
          { key: 'k0', count: 1 },
          { key: 'k1', count: 1 },
        ]);
        const again = testHarness(ticking, { state: store, now: () => now + 60_000 });
        await again.tick();
        expect(again.sink.onTopic('out')).toEqual([]);
      } finally {
        await store.close();
      }
    }
  });

  it('register both partitions when their first batches commit at once through Redis and Upstash, so the tick closes both', async () => {
    const racing = defineFunction({ ...handler.dspfn.definition, name: 'window-race', idleTimeout: '5m' });
    const stores = {
      tcp: (prefix: string) => new RedisStateStore({ url: redisUrl, prefix }),
      rest: (prefix: string) => new UpstashStateStore({ url: upstashUrl, token: upstashToken, prefix }),
    };
    const first = (partition: number): RecordInput[] => [{ partition, key: `k${partition}`, value: { key: `k${partition}`, value: partition + 1, timestamp: T0 + 1_000 } }];
    const now = 1_000_000;
    for (const [kind, open] of Object.entries(stores)) {
      for (const order of [[0, 1], [1, 0]]) {
        // One store per container, as two Lambda containers running the two partitions would have.
        const containers = order.map(() => open(`${RUN}race-${kind}-${order.join('')}:`));
        try {
          const views = racingViews(containers);
          const settled = await Promise.allSettled(order.map((partition, i) => testHarness(racing, { state: views[i]!, now: () => now }).invoke(first(partition), { topic: 'iot' })));
          // The event source delivers a failed batch again.
          for (const [i, outcome] of settled.entries()) if (outcome.status === 'rejected') await testHarness(racing, { state: containers[0]!, now: () => now }).invoke(first(order[i]!), { topic: 'iot' });
          const tick = testHarness(racing, { state: containers[1]!, now: () => now + 5 * 60_000 });
          await tick.tick();
          expect(tick.sink.onTopic('out').map((m) => JSON.parse(String(m.value)) as { key: string; count: number }).sort((a, b) => a.key.localeCompare(b.key)), `${kind} ${order.join(',')}`).toMatchObject([
            { key: 'k0', count: 1 },
            { key: 'k1', count: 1 },
          ]);
          // The list's conflict was merged where it happened: neither batch failed.
          expect(settled.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
        } finally {
          await Promise.all(containers.map((c) => c.close()));
        }
      }
    }
  });

  it('write nothing, on Redis and Upstash, of an overlapping delivery whose index conflicts (keys and index are one atomic commit); its redelivery applies the rest', async () => {
    const racing = defineFunction({ ...handler.dspfn.definition, name: 'window-overlap', idleTimeout: '5m' });
    const reading = (key: string, offset: number): RecordInput => ({ partition: 0, offset, key, value: { key, value: offset + 1, timestamp: T0 + 1_000 + offset } });
    const small = [reading('k', 0)];
    const large = [reading('k', 0), reading('j', 1)];
    const now = 1_000_000;
    const stores = {
      tcp: () => new RedisStateStore({ url: redisUrl, prefix: `${RUN}overlap-tcp:` }),
      rest: () => new UpstashStateStore({ url: upstashUrl, token: upstashToken, prefix: `${RUN}overlap-rest:` }),
    };
    for (const [kind, open] of Object.entries(stores)) {
      const containers = [open(), open()];
      try {
        const [first, second] = racingViews(containers);
        // The smaller delivery commits k and the index; the larger one then loses the index and writes nothing.
        const settled = await Promise.allSettled([
          testHarness(racing, { state: first!, now: () => now }).invoke(small, { topic: 'iot' }),
          testHarness(racing, { state: second!, now: () => now }).invoke(large, { topic: 'iot' }),
        ]);
        expect(settled.map((o) => o.status), kind).toEqual(['fulfilled', 'rejected']);
        expect([...(await containers[0]!.load(['window-overlap:j'])).keys()], kind).toEqual([]);
        await testHarness(racing, { state: containers[1]!, now: () => now }).invoke(large, { topic: 'iot' });
        const tick = testHarness(racing, { state: containers[0]!, now: () => now + 5 * 60_000 });
        await tick.tick();
        expect(tick.sink.onTopic('out').map((m) => JSON.parse(String(m.value)) as { key: string; count: number }).sort((a, b) => a.key.localeCompare(b.key)), kind).toMatchObject([
          { key: 'j', count: 1 },
          { key: 'k', count: 1 },
        ]);
      } finally {
        await Promise.all(containers.map((c) => c.close()));
      }
    }
  });
});
