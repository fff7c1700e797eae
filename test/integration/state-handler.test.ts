// The handler with real state stores: a Redis outage in the middle of a stream, redelivered
// batches and racing containers must all end with exactly the outputs and state of an undisturbed
// run (outputs deduplicated by source offset, as the at-least-once contract says).
import { createClient } from '@redis/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsBackend } from '../../core/dsp/backend.ts';
import { jsonLogger } from '../../core/logger/logger.ts';
import { MemorySink } from '../../core/sink/memory.ts';
import type { OutputMessage, Sink } from '../../core/sink/sink.ts';
import { RedisStateStore } from '../../core/state/redis.ts';
import type { StateStore } from '../../core/state/store.ts';
import { UpstashStateStore } from '../../core/state/upstash.ts';
import { lambdaContext, mskEvent, type RecordInput } from '../../core/testing/index.ts';
import { handler as sensorRms } from '../../functions/sensor-rms/handler.ts';
import { startRedis, type RedisServer } from '../servers/redis.js';
import { startUpstashProxy, type UpstashProxy } from '../servers/upstash-proxy.js';

let redis: RedisServer;
let proxy: UpstashProxy;
const TOKEN = 'state-handler-token';

beforeAll(async () => {
  redis = await startRedis();
  proxy = await startUpstashProxy({ redisUrl: redis.url, token: TOKEN });
});

afterAll(async () => {
  await proxy?.close();
  await redis?.stop();
});

/** 3 devices × 12 records on 2 partitions, offsets numbered per partition. */
function stream(): RecordInput[] {
  const next = [0, 0];
  return Array.from({ length: 36 }, (_, i) => {
    const device = `dev-${i % 3}`;
    const partition = i % 3 === 2 ? 1 : 0;
    const data = Array.from({ length: 16 }, (_, j) => Math.sin(i * 0.7 + j) * 3 + (i % 3));
    return { topic: 'sensors', partition, offset: next[partition]!++, key: device, value: { deviceId: device, sampleRate: 100, data } };
  });
}

const batches = (records: RecordInput[], size: number): RecordInput[][] =>
  Array.from({ length: Math.ceil(records.length / size) }, (_, i) => records.slice(i * size, (i + 1) * size));

/** Results by source partition-offset, as a deduplicating consumer keeps them; repeats must be identical. */
function deduplicated(messages: readonly OutputMessage[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of messages) {
    if (m.kind !== 'result') continue;
    const id = `${String(m.headers['dspfn-source-partition'])}@${String(m.headers['dspfn-source-offset'])}`;
    const previous = out.get(id);
    if (previous !== undefined) expect(String(m.value)).toBe(previous);
    out.set(id, String(m.value));
  }
  return out;
}

/** Retries like the event source does, for the moments after an outage while clients reconnect. */
async function untilItSucceeds<T>(attempt: () => Promise<T>, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function bind(state: StateStore, sink: Sink) {
  return sensorRms.dspfn.withRuntime({ state, sink, backend: jsBackend, logger: jsonLogger({}, 'silent') });
}

async function storedState(store: StateStore): Promise<Record<string, string>> {
  const keys = ['dev-0', 'dev-1', 'dev-2'].map((d) => `sensor-rms:${d}`);
  const loaded = await store.load(keys);
  return Object.fromEntries(keys.map((k) => [k, Buffer.from(loaded.get(k)!.snapshot).toString('base64')]));
}

const stores = {
  redis: (prefix: string) => new RedisStateStore({ url: redis.url, prefix, timeoutMs: 2000 }),
  upstash: (prefix: string) => new UpstashStateStore({ url: proxy.url, token: TOKEN, prefix, timeoutMs: 2000, retries: 0 }),
};

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('sensor-rms on %s state', (kind) => {
  beforeEach(async () => {
    // An earlier outage test restarted Redis: wait until this store's path to it is back.
    const probe = stores[kind]('probe:');
    await untilItSucceeds(() => probe.load(['k']));
    await probe.close();
  });

  async function undisturbed(prefix: string) {
    const state = stores[kind](prefix);
    const sink = new MemorySink();
    const fn = bind(state, sink);
    for (const batch of batches(stream(), 5)) await fn(mskEvent(batch), lambdaContext());
    const snapshot = await storedState(state);
    await state.close();
    return { results: deduplicated(sink.messages), state: snapshot };
  }

  it('survives Redis stopping between produce and commit: the retry ends exactly like an undisturbed run', async () => {
    const reference = await undisturbed(`ref-${kind}:`);
    expect(reference.results.size).toBe(36);

    const state = stores[kind](`outage-${kind}:`);
    const sink = new MemorySink();
    let outageAt = 3;
    const admin = createClient({ url: redis.url });
    admin.on('error', () => undefined);
    await admin.connect();
    // Redis goes away right after batch 4's outputs are produced, before its state is committed.
    const failingBetween: Sink = {
      name: 'outage',
      async send(messages) {
        await sink.send(messages);
        if (outageAt-- === 0) {
          await admin.sendCommand(['SAVE']);
          await redis.halt();
        }
      },
      close: async () => {},
    };
    const fn = bind(state, failingBetween);
    const all = batches(stream(), 5);
    for (const [i, batch] of all.entries()) {
      const event = mskEvent(batch);
      if (i === 3) {
        await expect(fn(event, lambdaContext())).rejects.toThrow();
        await expect(fn(event, lambdaContext())).rejects.toThrow(); // still down: the event source retries
        await redis.restart();
        await untilItSucceeds(() => fn(event, lambdaContext()));
        continue;
      }
      await fn(event, lambdaContext());
    }
    expect(deduplicated(sink.messages)).toEqual(reference.results);
    expect(await storedState(state)).toEqual(reference.state);
    admin.destroy();
    await state.close();
  });

  it('leaves state exactly as after one delivery when every batch is delivered twice', async () => {
    const reference = await undisturbed(`ref2-${kind}:`);
    const state = stores[kind](`twice-${kind}:`);
    const sink = new MemorySink();
    const fn = bind(state, sink);
    for (const batch of batches(stream(), 7)) {
      await fn(mskEvent(batch), lambdaContext());
      await fn(mskEvent(batch), lambdaContext());
    }
    expect(deduplicated(sink.messages)).toEqual(reference.results);
    expect(sink.messages.filter((m) => m.kind === 'result')).toHaveLength(36);
    expect(await storedState(state)).toEqual(reference.state);
    await state.close();
  });

  it.each(['smaller batch commits first', 'larger batch commits first'])(
    'lets one of two containers racing on the same keys win (%s); the other retries or is a duplicate, nothing lost',
    async (order) => {
      const reference = await undisturbed(`ref3-${kind}-${order.length}:`);
      const prefix = `race-${kind}-${order.length}:`;
      const sink = new MemorySink();
      const all = stream();
      // A redelivery overlaps a batch still in flight: A has records 0..9, B has 0..19.
      const small = all.slice(0, 10);
      const large = all.slice(0, 20);
      const storeA = stores[kind](prefix);
      const storeB = stores[kind](prefix);
      // Both load before either commits; then the commits go in the chosen order.
      let loaded = 0;
      let releaseLoads!: () => void;
      const bothLoaded = new Promise<void>((resolve) => (releaseLoads = resolve));
      let firstCommitted!: () => void;
      const firstDone = new Promise<void>((resolve) => (firstCommitted = resolve));
      const smallFirst = order.startsWith('smaller');
      const gated = (store: StateStore, first: boolean): StateStore => ({
        name: store.name,
        async load(keys) {
          const result = await store.load(keys);
          if (++loaded === 2) releaseLoads();
          await bothLoaded;
          return result;
        },
        async commit(entries) {
          if (!first) await firstDone;
          try {
            return await store.commit(entries);
          } finally {
            if (first) firstCommitted();
          }
        },
        close: () => store.close(),
      });
      const a = bind(gated(storeA, smallFirst), sink);
      const b = bind(gated(storeB, !smallFirst), sink);
      const [ra, rb] = await Promise.allSettled([a(mskEvent(small), lambdaContext()), b(mskEvent(large), lambdaContext())]);
      const shared = stores[kind](prefix);
      const retry = bind(shared, sink);
      if (smallFirst) {
        // A won; B's larger batch conflicts and the event source redelivers it.
        expect(ra.status).toBe('fulfilled');
        expect(rb.status).toBe('rejected');
        expect(String((rb as PromiseRejectedResult).reason)).toMatch(/changed since it was loaded/);
        await retry(mskEvent(large), lambdaContext());
      } else {
        // B won and already holds A's records: A's commit is a duplicate, nothing to retry.
        expect(ra.status).toBe('fulfilled');
        expect(rb.status).toBe('fulfilled');
      }
      await retry(mskEvent(all.slice(20)), lambdaContext());
      expect(deduplicated(sink.messages)).toEqual(reference.results);
      expect(await storedState(shared)).toEqual(reference.state);
      await Promise.all([shared.close(), storeA.close(), storeB.close()]);
    },
  );
});

describe('handler.dspfn.warm() with real stores', () => {
  async function clientNames(): Promise<string[]> {
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
      return [...list.matchAll(/ name=(\S*)/g)].map((m) => m[1]!);
    } finally {
      admin.destroy();
    }
  }

  it('opens the Redis connection before the first batch, which then reuses it', async () => {
    const clientName = `warm-${Date.now()}`;
    const state = new RedisStateStore({ url: redis.url, prefix: 'warm:', timeoutMs: 2000, clientName });
    const fn = sensorRms.dspfn.withRuntime({ state, sink: new MemorySink(), backend: jsBackend, logger: jsonLogger({}, 'silent') });
    expect(await clientNames()).not.toContain(clientName);
    await fn.dspfn.warm();
    expect((await clientNames()).filter((n) => n === clientName)).toHaveLength(1);
    await fn(mskEvent(stream().slice(0, 3)), lambdaContext());
    expect((await clientNames()).filter((n) => n === clientName)).toHaveLength(1);
    await state.close();
  });

  it('loads the Upstash client without a request, and the first batch works', async () => {
    const state = new UpstashStateStore({ url: proxy.url, token: TOKEN, prefix: 'warm-rest:', timeoutMs: 2000, retries: 0 });
    const sink = new MemorySink();
    const fn = sensorRms.dspfn.withRuntime({ state, sink, backend: jsBackend, logger: jsonLogger({}, 'silent') });
    await fn.dspfn.warm();
    await fn(mskEvent(stream().slice(0, 3)), lambdaContext());
    expect(sink.messages.filter((m) => m.kind === 'result')).toHaveLength(3);
  });

  it('logs an unreachable Redis as a warning instead of failing init; the store rejects with the reason', async () => {
    const lines: string[] = [];
    // Port 1 on loopback: nothing listens, the connection is refused.
    const state = new RedisStateStore({ url: 'redis://127.0.0.1:1', timeoutMs: 500 });
    await expect(state.warm()).rejects.toThrow(/could not connect to Redis within 500 ms/);
    const fn = sensorRms.dspfn.withRuntime({
      state,
      sink: new MemorySink(),
      backend: jsBackend,
      logger: { log: (level, message, fields) => void lines.push(JSON.stringify({ level, message, ...fields })) },
    });
    await expect(fn.dspfn.warm()).resolves.toBeUndefined();
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'warn', message: 'warm-up failed; the first batch connects again', adapter: 'redis', error: expect.stringMatching(/could not connect to Redis/) }),
    ]);
    await state.close();
  });
});
