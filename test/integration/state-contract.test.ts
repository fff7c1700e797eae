/// <reference path="../servers/provided-redis.d.ts" />
// One contract for every StateStore: memory, Redis over TCP (node-redis) and Upstash REST, all three
// held to commitDecision's fence semantics, binary-exact snapshots and one round trip per load and
// per commit (counted on the wire: MONITOR for TCP, where a load's pipelined MGET + EXISTS is one,
// and an HTTP forwarder for REST).
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AbsorbedOffset } from '../../core/dsp/snapshot.ts';
import { MemoryStateStore } from '../../core/state/memory.ts';
import { RedisStateStore } from '../../core/state/redis.ts';
import { commitDecision, type StateEntry, type StateStore, type StoredState } from '../../core/state/store.ts';
import { UpstashStateStore } from '../../core/state/upstash.ts';
import { CommandCounter } from '../servers/command-counter.ts';
import { countingForwarder } from '../servers/counting-forwarder.ts';

const redisUrl = inject('redisUrl');
const upstashUrl = inject('upstashUrl');
const upstashToken = inject('upstashToken');

// The Redis is shared with other test files: everything this file writes lives under one prefix.
const RUN = `dspfn-contract-${randomUUID()}:`;

type RawClient = ReturnType<typeof createClient>;
let raw: RawClient;

beforeAll(async () => {
  raw = createClient({ url: redisUrl, RESP: 2 });
  await raw.connect();
});

afterAll(async () => {
  for await (const keys of raw.scanIterator({ MATCH: `${RUN}*`, COUNT: 1000 })) {
    if (keys.length > 0) await raw.del(keys);
  }
  raw.destroy();
});

interface Backend {
  name: string;
  /** Stores opened with the same prefix see the same data. */
  open(prefix: string, options?: { ttlSeconds?: number }): StateStore;
  /** Round trips (commands or HTTP requests) a store made while `run` ran. */
  roundTrips(store: StateStore, run: () => Promise<unknown>): Promise<number>;
  /** Whether keys live in the shared Redis (TTL and raw layout can be checked there). */
  redis: boolean;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

const memoryStores = new Map<string, MemoryStateStore>();
const commands = new CommandCounter(redisUrl);
const clientNames = new WeakMap<StateStore, string>();
let forwarder: Awaited<ReturnType<typeof countingForwarder>>;

const backends: Backend[] = [
  {
    name: 'memory',
    redis: false,
    open(prefix) {
      // One process-local map per prefix stands in for "the same database".
      let store = memoryStores.get(prefix);
      if (!store) memoryStores.set(prefix, (store = new MemoryStateStore()));
      return store;
    },
    async roundTrips(store, run) {
      const calls = (store as MemoryStateStore).calls;
      const before = calls.load + calls.commit;
      await run();
      return calls.load + calls.commit - before;
    },
  },
  {
    name: 'redis (TCP)',
    redis: true,
    setup: () => commands.start(),
    teardown: () => commands.stop(),
    open(prefix, options) {
      const clientName = `dspfn-contract-${randomUUID()}`;
      const store = new RedisStateStore({ url: redisUrl, prefix: RUN + prefix, clientName, ...options });
      clientNames.set(store, clientName);
      return store;
    },
    roundTrips: (store, run) => commands.count(clientNames.get(store)!, run),
  },
  {
    name: 'upstash (REST)',
    redis: true,
    async setup() {
      forwarder = await countingForwarder(upstashUrl);
    },
    teardown: () => forwarder.close(),
    open(prefix, options) {
      return new UpstashStateStore({ url: forwarder.url, token: upstashToken, prefix: RUN + prefix, ...options });
    },
    async roundTrips(_store, run) {
      const before = forwarder.requests();
      await run();
      return forwarder.requests() - before;
    },
  },
];

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const at = (topic: string, partition: number, offset: number): AbsorbedOffset => ({ topic, partition, offset });
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

function sorted(offsets: readonly AbsorbedOffset[]): AbsorbedOffset[] {
  return [...offsets].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

/** What a load returned, in a form toEqual compares across stores (Buffer vs Uint8Array, offset order). */
function plain(state: StoredState | undefined): { snapshot: number[]; offsets: AbsorbedOffset[] } | undefined {
  return state && { snapshot: [...state.snapshot], offsets: sorted(state.offsets) };
}

/**
 * Connects the store, and loads both scripts into Redis: the first script call after Redis started
 * (or flushed its script cache) costs one more round trip (EVALSHA → NOSCRIPT → EVAL), which
 * state-faults.test.ts counts.
 */
async function warmUp(store: StateStore): Promise<void> {
  await store.load(['warm-up']);
  await store.commit([{ key: 'warm-up', snapshot: bytes(0), offsets: [], expected: null }]);
}

describe.each(backends)('$name state store', (backend) => {
  // TTL and hash layout exist only in the Redis stores: not defined (rather than skipped) for memory.
  const itRedis: typeof it = backend.redis ? it : ((() => undefined) as unknown as typeof it);
  let prefix = '';
  let store: StateStore;
  const opened: StateStore[] = [];
  const open = (p: string, options?: { ttlSeconds?: number }): StateStore => {
    const s = backend.open(p, options);
    opened.push(s);
    return s;
  };

  beforeAll(async () => {
    await backend.setup?.();
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await backend.teardown?.();
  });
  // Every test gets its own prefix, so tests never see each other's keys.
  const fresh = (options?: { ttlSeconds?: number }): StateStore => {
    prefix = `${randomUUID()}:`;
    store = open(prefix, options);
    return store;
  };

  it('loads nothing for keys never committed', async () => {
    fresh();
    expect((await store.load(['a', 'b'])).size).toBe(0);
    expect((await store.load([])).size).toBe(0);
  });

  it('round-trips binary snapshots exactly, every byte value 0..255 and empty ones', async () => {
    fresh();
    const offsets = [at('sensors', 3, 41), at('sensors', 0, 7), at('other.topic-2', 1, 2 ** 53 - 1)];
    const results = await store.commit([
      { key: 'bytes', snapshot: ALL_BYTES, offsets, expected: null },
      { key: 'reversed', snapshot: ALL_BYTES.slice().reverse(), offsets: [at('sensors', 0, 0)], expected: null },
      { key: 'empty', snapshot: new Uint8Array(0), offsets: [], expected: null },
      // A view into a larger buffer: only its own bytes may be stored.
      { key: 'view', snapshot: new Uint8Array(ALL_BYTES.buffer, 10, 5), offsets: [at('ünïcødé', 0, 1)], expected: null },
    ]);
    expect(results.map((r) => r.status)).toEqual(['committed', 'committed', 'committed', 'committed']);
    const loaded = await store.load(['bytes', 'reversed', 'empty', 'view', 'missing']);
    expect(loaded.size).toBe(4);
    expect(plain(loaded.get('bytes'))).toEqual({ snapshot: [...ALL_BYTES], offsets: sorted(offsets) });
    expect(plain(loaded.get('reversed'))?.snapshot).toEqual([...ALL_BYTES].reverse());
    expect(plain(loaded.get('empty'))).toEqual({ snapshot: [], offsets: [] });
    expect(plain(loaded.get('view'))).toEqual({ snapshot: [10, 11, 12, 13, 14], offsets: [at('ünïcødé', 0, 1)] });
    expect(loaded.get('bytes')!.snapshot).toBeInstanceOf(Uint8Array);
  });

  it('reports a redelivered batch as duplicate and leaves the state untouched', async () => {
    fresh();
    const batch: StateEntry[] = [
      { key: 'k1', snapshot: bytes(1, 1), offsets: [at('t', 0, 10)], expected: null },
      { key: 'k2', snapshot: bytes(2, 2), offsets: [at('t', 1, 20), at('t', 2, 5)], expected: null },
    ];
    expect((await store.commit(batch)).map((r) => r.status)).toEqual(['committed', 'committed']);
    const before = await store.load(['k1', 'k2']);
    // The same batch again (the event source redelivered it), even with other bytes computed.
    const again = batch.map((e) => ({ ...e, snapshot: bytes(9, 9, 9) }));
    expect(await store.commit(again)).toEqual([
      { key: 'k1', status: 'duplicate' },
      { key: 'k2', status: 'duplicate' },
    ]);
    const after = await store.load(['k1', 'k2']);
    expect(plain(after.get('k1'))).toEqual(plain(before.get('k1')));
    expect(plain(after.get('k2'))).toEqual(plain(before.get('k2')));

    // A redelivery of an older batch, once the key moved on, is a duplicate too.
    const next = await store.commit([{ key: 'k1', snapshot: bytes(3), offsets: [at('t', 0, 15)], expected: [at('t', 0, 10)] }]);
    expect(next[0]!.status).toBe('committed');
    expect((await store.commit([batch[0]!]))[0]!.status).toBe('duplicate');
    expect(plain((await store.load(['k1'])).get('k1'))).toEqual({ snapshot: [3], offsets: [at('t', 0, 15)] });
  });

  it('rejects a commit from a stale fence as conflict and leaves the state untouched', async () => {
    fresh();
    await store.commit([{ key: 'k', snapshot: bytes(1), offsets: [at('t', 0, 10)], expected: null }]);
    await store.commit([{ key: 'k', snapshot: bytes(2), offsets: [at('t', 0, 20)], expected: [at('t', 0, 10)] }]);
    // A writer that loaded at offset 10 and processed 11..25 while another one committed 11..20.
    const stale = await store.commit([{ key: 'k', snapshot: bytes(3), offsets: [at('t', 0, 25)], expected: [at('t', 0, 10)] }]);
    expect(stale).toEqual([{ key: 'k', status: 'conflict' }]);
    // Expected fence right, but for another partition set: also a conflict.
    const other = await store.commit([{ key: 'k', snapshot: bytes(4), offsets: [at('t', 0, 30), at('t', 1, 1)], expected: [at('t', 0, 20), at('t', 1, 0)] }]);
    expect(other[0]!.status).toBe('conflict');
    expect(plain((await store.load(['k'])).get('k'))).toEqual({ snapshot: [2], offsets: [at('t', 0, 20)] });
  });

  it('rejects a new key that another writer created in the meantime', async () => {
    fresh();
    await store.commit([{ key: 'k', snapshot: bytes(1), offsets: [at('t', 0, 10)], expected: null }]);
    // Both writers saw no state; the second one has processed further than the first committed.
    const racing = await store.commit([{ key: 'k', snapshot: bytes(2), offsets: [at('t', 0, 12)], expected: null }]);
    expect(racing[0]!.status).toBe('conflict');
    // expected [] is not "no key": a key that exists with an empty fence is another state.
    const emptyFence = await store.commit([{ key: 'n', snapshot: bytes(3), offsets: [at('t', 0, 1)], expected: [] }]);
    expect(emptyFence[0]!.status).toBe('conflict');
    expect(plain((await store.load(['k'])).get('k'))).toEqual({ snapshot: [1], offsets: [at('t', 0, 10)] });
    expect((await store.load(['n'])).size).toBe(0);
  });

  it('decides each key of a mixed batch on its own, in order', async () => {
    fresh();
    await store.commit([
      { key: 'dup', snapshot: bytes(1), offsets: [at('t', 0, 5)], expected: null },
      { key: 'conflict', snapshot: bytes(1), offsets: [at('t', 0, 5)], expected: null },
    ]);
    const results = await store.commit([
      { key: 'new', snapshot: bytes(2), offsets: [at('t', 0, 1)], expected: null },
      { key: 'dup', snapshot: bytes(2), offsets: [at('t', 0, 4)], expected: null },
      { key: 'conflict', snapshot: bytes(2), offsets: [at('t', 0, 9)], expected: [at('t', 0, 3)] },
      // The same key twice: the second entry sees the first one's write.
      { key: 'twice', snapshot: bytes(3), offsets: [at('t', 0, 1)], expected: null },
      { key: 'twice', snapshot: bytes(4), offsets: [at('t', 0, 2)], expected: [at('t', 0, 1)] },
    ]);
    expect(results.map((r) => `${r.key}:${r.status}`)).toEqual([
      'new:committed',
      'dup:duplicate',
      'conflict:conflict',
      'twice:committed',
      'twice:committed',
    ]);
    expect(plain((await store.load(['twice'])).get('twice'))).toEqual({ snapshot: [4], offsets: [at('t', 0, 2)] });
    expect(plain((await store.load(['conflict'])).get('conflict'))?.snapshot).toEqual([1]);
  });

  it('writes atomic entries all or none, beside the commit\'s other entries decided on their own', async () => {
    fresh();
    await store.commit([
      { key: 'moved', snapshot: bytes(1), offsets: [at('t', 0, 5)], expected: null },
      { key: 'applied', snapshot: bytes(1), offsets: [at('t', 0, 5)], expected: null },
    ]);
    const entries: StateEntry[] = [
      { key: 'fresh', snapshot: bytes(2), offsets: [at('t', 0, 6)], expected: null, atomic: true },
      { key: 'applied', snapshot: bytes(2), offsets: [at('t', 0, 4)], expected: null, atomic: true },
      { key: 'alone', snapshot: bytes(2), offsets: [at('t', 0, 6)], expected: null },
      { key: 'moved', snapshot: bytes(2), offsets: [at('t', 0, 9)], expected: [at('t', 0, 3)], atomic: true },
    ];
    expect((await store.commit(entries)).map((r) => `${r.key}:${r.status}`)).toEqual(['fresh:conflict', 'applied:duplicate', 'alone:committed', 'moved:conflict']);
    expect([...(await store.load(['fresh', 'alone'])).keys()]).toEqual(['alone']);
    expect(plain((await store.load(['moved'])).get('moved'))?.snapshot).toEqual([1]);
    // Without the conflicting one, the rest are written together.
    expect((await store.commit(entries.slice(0, 2))).map((r) => r.status)).toEqual(['committed', 'duplicate']);
    expect(plain((await store.load(['fresh'])).get('fresh'))?.snapshot).toEqual([2]);
  });

  it('counts writes under "!" topics: an equal count covers, a raised one never is a duplicate, a stale writer conflicts', async () => {
    fresh();
    const tick = (n: number) => ({ topic: '!tick', partition: 0, offset: n });
    await store.commit([{ key: 'k', snapshot: bytes(1), offsets: [at('t', 0, 5)], expected: null }]);
    // A tick raises the count; the same commit once more (a client retry) is not taken for a duplicate.
    const raise: StateEntry = { key: 'k', snapshot: bytes(2), offsets: [at('t', 0, 5), tick(1)], expected: [at('t', 0, 5)] };
    expect((await store.commit([raise]))[0]!.status).toBe('committed');
    expect((await store.commit([raise]))[0]!.status).toBe('conflict');
    // A batch that loaded before the tick: its offsets are ahead, but the count it lacks was raised.
    expect((await store.commit([{ key: 'k', snapshot: bytes(3), offsets: [at('t', 0, 7)], expected: [at('t', 0, 5)] }]))[0]!.status).toBe('conflict');
    // A redelivery of a batch that carried the count is a duplicate; one that loaded after the tick commits.
    const after: StateEntry = { key: 'k', snapshot: bytes(4), offsets: [at('t', 0, 7), tick(1)], expected: [at('t', 0, 5), tick(1)] };
    expect((await store.commit([after]))[0]!.status).toBe('committed');
    expect((await store.commit([after]))[0]!.status).toBe('duplicate');
    expect(plain((await store.load(['k'])).get('k'))).toEqual({ snapshot: [4], offsets: sorted([at('t', 0, 7), tick(1)]) });
  });

  it('commits and loads 10,000 keys in one call each', async () => {
    fresh();
    await warmUp(store);
    const keys = Array.from({ length: 10_000 }, (_, i) => `device-${i}`);
    const entries: StateEntry[] = keys.map((key, i) => ({
      key,
      snapshot: Uint8Array.from({ length: 60 }, (_, j) => (i + j) % 256),
      offsets: [at('readings', i % 12, i)],
      expected: null,
    }));
    let results: Awaited<ReturnType<StateStore['commit']>> = [];
    expect(await backend.roundTrips(store, async () => void (results = await store.commit(entries)))).toBe(1);
    expect(results.every((r) => r.status === 'committed')).toBe(true);
    expect(results.map((r) => r.key)).toEqual(keys);
    let loaded = new Map<string, StoredState>();
    expect(await backend.roundTrips(store, async () => void (loaded = await store.load(keys)))).toBe(1);
    expect(loaded.size).toBe(10_000);
    expect(plain(loaded.get('device-9999'))).toEqual(plain({ snapshot: entries[9999]!.snapshot, offsets: entries[9999]!.offsets }));
  });

  it('makes exactly one round trip to load 1,000 keys and one to commit them', async () => {
    fresh();
    const keys = Array.from({ length: 1_000 }, (_, i) => `k${i}`);
    await warmUp(store);

    let loaded = new Map<string, StoredState>();
    expect(await backend.roundTrips(store, async () => void (loaded = await store.load(keys)))).toBe(1);
    expect(loaded.size).toBe(0);
    const entries = keys.map((key): StateEntry => ({ key, snapshot: bytes(1, 2, 3), offsets: [at('t', 0, 1)], expected: null }));
    expect(await backend.roundTrips(store, () => store.commit(entries))).toBe(1);
    expect(await backend.roundTrips(store, async () => void (loaded = await store.load(keys)))).toBe(1);
    expect(loaded.size).toBe(1_000);
    const advanced = keys.map((key): StateEntry => ({ key, snapshot: bytes(4), offsets: [at('t', 0, 2)], expected: loaded.get(key)!.offsets }));
    expect(await backend.roundTrips(store, () => store.commit(advanced))).toBe(1);
  });

  itRedis('sets the TTL on every commit, and clears it when the TTL is turned off', async () => {
    fresh({ ttlSeconds: 60 });
    const rawKey = `${RUN}${prefix}k`;
    await store.commit([{ key: 'k', snapshot: bytes(1), offsets: [at('t', 0, 1)], expected: null }]);
    const ttl = await raw.pTTL(rawKey);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);

    // A commit refreshes it; a duplicate or conflict does not touch the key.
    await raw.pExpire(rawKey, 5_000);
    await store.commit([{ key: 'k', snapshot: bytes(1), offsets: [at('t', 0, 1)], expected: null }]);
    expect(await raw.pTTL(rawKey)).toBeLessThanOrEqual(5_000);
    await store.commit([{ key: 'k', snapshot: bytes(2), offsets: [at('t', 0, 2)], expected: [at('t', 0, 1)] }]);
    expect(await raw.pTTL(rawKey)).toBeGreaterThan(55_000);

    const noTtl = open(prefix);
    await noTtl.commit([{ key: 'k', snapshot: bytes(3), offsets: [at('t', 0, 3)], expected: [at('t', 0, 2)] }]);
    expect(await raw.pTTL(rawKey)).toBe(-1);

    // Idle keys do go away.
    const short = open(prefix, { ttlSeconds: 0.05 });
    await short.commit([{ key: 'brief', snapshot: bytes(1), offsets: [], expected: null }]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await short.load(['brief'])).size).toBe(0);
  });

  itRedis('lays keys out as one string per key under the prefix: header, fence, blank line, base64 snapshot, commit time', async () => {
    fresh();
    const before = Date.now();
    await store.commit([{ key: 'fn:device-1', snapshot: bytes(0, 255), offsets: [at('b', 1, 2), at('a', 0, 1)], expected: null }]);
    const value = (await raw.get(`${RUN}${prefix}fn:device-1`))!;
    const [layout, committed] = value.split('\ncommitted:');
    expect(layout).toBe(`dspfn:2\na\t0\t1\nb\t1\t2\n\n${Buffer.from([0, 255]).toString('base64')}`);
    expect(Number(committed)).toBeGreaterThanOrEqual(before);
    expect(Number(committed)).toBeLessThanOrEqual(Date.now());
  });

  itRedis('reads keys stored by layout v1 (a hash per key) and rewrites each as v2 when it is committed', async () => {
    fresh({ ttlSeconds: 60 });
    const old = `${RUN}${prefix}fn:old`;
    await raw.hSet(old, { snapshot: Buffer.from([7, 8]).toString('base64'), fence: 'a\t0\t5\n' });
    await raw.hSet(`${RUN}${prefix}fn:empty`, { snapshot: '', fence: '' });
    await store.commit([{ key: 'fn:new', snapshot: bytes(1), offsets: [at('a', 1, 1)], expected: null }]);
    const loaded = await store.load(['fn:old', 'fn:new', 'fn:missing', 'fn:empty']);
    expect([...loaded.keys()].sort()).toEqual(['fn:empty', 'fn:new', 'fn:old']);
    expect(plain(loaded.get('fn:old'))).toEqual({ snapshot: [7, 8], offsets: [at('a', 0, 5)] });
    expect(plain(loaded.get('fn:empty'))).toEqual({ snapshot: [], offsets: [] });
    // A redelivered v1 batch is a duplicate; a stale one a conflict; the next one commits and migrates.
    const [duplicate, conflict] = await store.commit([
      { key: 'fn:old', snapshot: bytes(9), offsets: [at('a', 0, 4)], expected: [at('a', 0, 3)] },
      { key: 'fn:old', snapshot: bytes(9), offsets: [at('a', 0, 9)], expected: [at('a', 0, 3)] },
    ]);
    expect([duplicate!.status, conflict!.status]).toEqual(['duplicate', 'conflict']);
    expect(await raw.type(old)).toBe('hash');
    expect((await store.commit([{ key: 'fn:old', snapshot: bytes(9), offsets: [at('a', 0, 6)], expected: loaded.get('fn:old')!.offsets }]))[0]!.status).toBe('committed');
    expect(await raw.type(old)).toBe('string');
    expect(await raw.pTTL(old)).toBeGreaterThan(0);
    expect(plain((await store.load(['fn:old'])).get('fn:old'))).toEqual({ snapshot: [9], offsets: [at('a', 0, 6)] });
    // A v1 hash beside keys that do not exist, in one commit: each decided on its own.
    const other = `${RUN}${prefix}fn:other`;
    await raw.hSet(other, { snapshot: Buffer.from([1]).toString('base64'), fence: 'a\t2\t5\n' });
    const mixed = await store.commit([
      { key: 'fn:fresh', snapshot: bytes(4), offsets: [at('a', 3, 1)], expected: null },
      { key: 'fn:other', snapshot: bytes(5), offsets: [at('a', 2, 6)], expected: [at('a', 2, 5)] },
      { key: 'fn:gone', snapshot: bytes(6), offsets: [at('a', 4, 2)], expected: [at('a', 4, 1)] },
    ]);
    expect(mixed.map((r) => r.status)).toEqual(['committed', 'committed', 'conflict']);
    expect(await raw.type(other)).toBe('string');
    expect(plain((await store.load(['fn:other'])).get('fn:other'))).toEqual({ snapshot: [5], offsets: [at('a', 2, 6)] });
  });

  it('keeps prefixes apart', async () => {
    fresh();
    const other = open(`${randomUUID()}:`);
    await store.commit([{ key: 'k', snapshot: bytes(1), offsets: [at('t', 0, 1)], expected: null }]);
    expect((await other.load(['k'])).size).toBe(0);
    // The same key under the other prefix is a new key there, not a conflict.
    expect((await other.commit([{ key: 'k', snapshot: bytes(2), offsets: [at('t', 0, 9)], expected: null }]))[0]!.status).toBe('committed');
    expect(plain((await store.load(['k'])).get('k'))?.snapshot).toEqual([1]);
    expect(plain((await other.load(['k'])).get('k'))?.snapshot).toEqual([2]);
    // And a second store on the same prefix shares the state.
    const same = open(prefix);
    expect(plain((await same.load(['k'])).get('k'))?.snapshot).toEqual([1]);
  });

  it('decides like commitDecision for any stored fence, expected fence and new offsets', async () => {
    fresh();
    const offset = fc.record({
      // '!tick' counts writes, not offsets (VERSION_TOPIC_PREFIX): the script must decide it as commitDecision does.
      topic: fc.constantFrom('a', 'b', 'c-1', '!tick'),
      partition: fc.integer({ min: 0, max: 2 }),
      offset: fc.integer({ min: 0, max: 4 }),
    });
    const fence = fc.uniqueArray(offset, { selector: (o) => `${o.topic}/${o.partition}`, maxLength: 4 });
    const scenario = fc
      .record({
        stored: fc.option(fence, { nil: null }),
        expectedKind: fc.constantFrom('null', 'stored', 'other'),
        other: fence,
        offsetsKind: fc.constantFrom('other', 'behind-stored', 'ahead-of-stored'),
        offsets: fence,
        shift: fc.integer({ min: 0, max: 2 }),
      })
      .map((s) => {
        const base = s.stored ?? [];
        const expected = s.expectedKind === 'null' ? null : s.expectedKind === 'stored' ? [...base].reverse() : s.other;
        const offsets =
          s.offsetsKind === 'other'
            ? s.offsets
            : base.map((o) => ({ ...o, offset: Math.max(0, o.offset + (s.offsetsKind === 'ahead-of-stored' ? s.shift : -s.shift)) }));
        return { stored: s.stored, expected, offsets };
      });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(scenario, { minLength: 1, maxLength: 40 }), async (cases) => {
        const keys = cases.map((_, i) => `p${run}-${i}`);
        run++;
        const seeds = cases.flatMap((c, i): StateEntry[] =>
          c.stored === null ? [] : [{ key: keys[i]!, snapshot: bytes(1), offsets: c.stored, expected: null }],
        );
        const seeded = await store.commit(seeds);
        expect(seeded.every((r) => r.status === 'committed')).toBe(true);
        const entries = cases.map((c, i): StateEntry => ({ key: keys[i]!, snapshot: bytes(2), offsets: c.offsets, expected: c.expected }));
        const results = await store.commit(entries);
        const loaded = await store.load(keys);
        cases.forEach((c, i) => {
          const want = commitDecision(c.stored, entries[i]!);
          expect(results[i], JSON.stringify(c)).toEqual({ key: keys[i], status: want });
          const state = plain(loaded.get(keys[i]!));
          if (want === 'committed') expect(state).toEqual({ snapshot: [2], offsets: sorted(c.offsets) });
          else if (c.stored === null) expect(state).toBeUndefined();
          else expect(state).toEqual({ snapshot: [1], offsets: sorted(c.stored) });
        });
      }),
      { numRuns: 40 },
    );
  });
});

describe('TCP and REST stores on one database', () => {
  it('read and fence each other’s state: the layout and the script are the same', async () => {
    const prefix = `${RUN}shared-${randomUUID()}:`;
    const tcp = new RedisStateStore({ url: redisUrl, prefix });
    const rest = new UpstashStateStore({ url: upstashUrl, token: upstashToken, prefix });
    try {
      await tcp.commit([{ key: 'k', snapshot: ALL_BYTES, offsets: [at('t', 0, 1)], expected: null }]);
      const viaRest = await rest.load(['k']);
      expect(plain(viaRest.get('k'))).toEqual({ snapshot: [...ALL_BYTES], offsets: [at('t', 0, 1)] });
      expect((await rest.commit([{ key: 'k', snapshot: bytes(7), offsets: [at('t', 0, 2)], expected: [at('t', 0, 1)] }]))[0]!.status).toBe('committed');
      expect((await tcp.commit([{ key: 'k', snapshot: bytes(8), offsets: [at('t', 0, 3)], expected: [at('t', 0, 1)] }]))[0]!.status).toBe('conflict');
      expect(plain((await tcp.load(['k'])).get('k'))).toEqual({ snapshot: [7], offsets: [at('t', 0, 2)] });
    } finally {
      await Promise.all([tcp.close(), rest.close()]);
    }
  });
});
