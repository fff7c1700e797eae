// The fault suite: `dspfn consume` and the handler against the run's real broker (halted and
// restarted here) and Redis servers of its own (killed with SIGKILL here), and the CLI killed with
// SIGKILL. Each test checks the same three things: nothing lost (every source record has its
// result), nothing applied twice (every result equals the one an in-memory run in one go gives,
// which a record applied twice would change), and the group's committed offsets as the broker has
// them. Waits are on conditions (offsets, counters, files), never on elapsed time.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { MSKRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jsonLogger, KafkaSink, MemorySink, MemoryStateStore, RedisStateStore, type OutputMessage, type Sink, type StateEntry, type StateStore } from '../../core/adapters/index.ts';
import { StateStoreError } from '../../core/errors.ts';
import { kafkaRecord } from '../../core/events/build.ts';
import type { DspfnHandler, KafkaEvent } from '../../core/index.ts';
import { consume, type ConsumeController } from '../../core/local/index.ts';
import { lambdaContext } from '../../core/testing/index.ts';
import { haltKafka, restartKafka, startKafka, type KafkaServer } from '../servers/kafka.ts';
import { ensureRedisServer } from '../servers/redis.ts';
import { asRecords, createTopics, endOffsets, groupOffsets, produce, readings, readTopics, reference, sensorRmsOn, sourceOf, unique, waitFor, type Received } from './kafka-support.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const GATED = join(import.meta.dirname, 'fixtures', 'gated-sensor-rms.ts');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A redis-server of this file's own that writes every command to its append-only file before
 * answering (appendfsync always), so SIGKILL loses nothing it acknowledged, as a managed Redis
 * with persistence would; started again on the same port and directory.
 */
async function durableRedis() {
  await ensureRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'dspfn-fault-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = server;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (data: Buffer) => {
        out += data.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      server.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-400)}`)));
    });
  };
  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    const server = child;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill(signal);
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    kill: () => stopWith('SIGKILL'),
    async stop() {
      await stopWith('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
type DurableRedis = Awaited<ReturnType<typeof durableRedis>>;

/** A handler bound to a sink and a store, as Lambda would run it, and its reports. */
function bind(fn: DspfnHandler, state: StateStore, sink = new MemorySink()) {
  const reports: Array<{ results: number; skipped: number; committed: number; duplicates: number }> = [];
  const bound = fn.dspfn.withRuntime({ sink, state, logger: jsonLogger({}, 'silent'), onBatch: (r) => reports.push(r) });
  const deliver = (records: readonly MSKRecord[]) => {
    const groups: Record<string, MSKRecord[]> = {};
    for (const r of records) (groups[`${r.topic}-${r.partition}`] ??= []).push(r);
    return bound({ eventSource: 'aws:kafka', bootstrapServers: '127.0.0.1:9092', records: groups } as KafkaEvent, lambdaContext());
  };
  return { sink, reports, deliver };
}

/** `records` readings of dev-0..dev-(devices-1) on one partition, as Lambda records. */
function lambdaReadings(devices: number, records: number, partition = 0, topic = 'sensors'): MSKRecord[] {
  return readings(devices, records).map((input, offset) => kafkaRecord({ topic, partition, offset, key: input.key, value: Buffer.from(input.value) }));
}

/** Each source record's results as values, for comparing runs. */
function resultsBySource(sink: MemorySink): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of sink.ofKind('result')) {
    const source = `${m.headers['dspfn-source-partition']}@${m.headers['dspfn-source-offset']}`;
    out.set(source, [...(out.get(source) ?? []), String(m.value)]);
  }
  return out;
}

const quiet = jsonLogger({}, 'silent');

/** Each source record's results, by "partition@offset". */
function bySource(messages: readonly Received[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of messages) out.set(sourceOf(m), [...(out.get(sourceOf(m)) ?? []), m.value.toString()]);
  return out;
}

/** Every message on a topic: as many as its end offsets say, duplicates included. */
async function readAll(brokers: string, topic: string): Promise<Received[]> {
  const count = (await endOffsets(brokers, topic)).reduce((a, b) => a + b, 0);
  return readTopics(brokers, [topic], count);
}

/** Nothing lost, nothing applied twice: every source record has results, each equal to the in-memory run's. */
function expectExactlyApplied(results: readonly Received[], expected: ReadonlyMap<string, string>): void {
  const sources = bySource(results);
  expect([...sources.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [source, values] of sources) for (const value of values) expect(value, source).toBe(expected.get(source));
}

describe('faults', () => {
  const sharedBrokers = inject('kafkaBrokers');
  const sharedDir = inject('kafkaDir');
  const running: ConsumeController[] = [];
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    await Promise.allSettled(running.map((c) => c.stop()));
    for (const step of cleanup.reverse()) await step().catch(() => {});
  });

  let redis: DurableRedis;
  beforeAll(async () => {
    redis = await durableRedis();
    cleanup.push(() => redis.stop());
  }, 600_000);

  /** The run's broker when this run started it; else (an external broker) one of this file's own. */
  let restartable: KafkaServer | undefined;
  const broker = async (): Promise<{ brokers: string; dir: string }> => {
    if (sharedDir !== null) return { brokers: sharedBrokers, dir: sharedDir };
    if (!restartable) {
      restartable = await startKafka();
      cleanup.push(() => restartable!.stop());
    }
    return restartable;
  };

  it('broker stopped and restarted mid-consume: the commit it missed is retried, stats claim only what the broker took', async () => {
    const { brokers, dir } = await broker();
    const [src, out] = [unique('fault-restart-src'), unique('fault-restart-out')];
    await createTopics(brokers, { [src]: 1, [out]: 1 });
    await produce(brokers, src, readings(3, 20)); // offsets 0..59
    const fn = sensorRmsOn(out);
    const groupId = unique('g');
    const inner = new KafkaSink({ brokers, logger: quiet });
    cleanup.push(() => inner.close());
    // The broker goes away right after the last batch's results were acknowledged: the function
    // succeeds, and its offsets are committed while the broker is down and the consumer restarting.
    let halting: Promise<void> | undefined;
    const sink: Sink = {
      name: 'halts-after-last',
      async send(messages: readonly OutputMessage[]) {
        await inner.send(messages);
        if (!halting && messages.some((m) => m.headers['dspfn-source-offset'] === '59')) {
          halting = haltKafka(dir);
          await halting;
        }
      },
      close: async () => {},
    };

    // Short client retries, so the consumer reconnects soon after the broker is back.
    const connection = { retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 8 } };
    const controller = await consume({ handler: fn, brokers, topic: src, groupId, fromBeginning: true, batchSize: 20, batchWindowMs: 20, sink, state: new MemoryStateStore(), logger: quiet, logLevel: 'silent', retryDelayMs: 50, statsIntervalMs: 200, sessionTimeoutMs: 6_000, connection });
    running.push(controller);
    await waitFor(() => halting !== undefined, 30_000, 'the last batch produced');
    await halting;
    await restartKafka(dir);
    await waitFor(() => controller.stats().committed[`${src}-0`] === 60, 150_000, 'consume to commit offset 60');
    // Claimed as committed: the broker has it.
    expect(await groupOffsets(brokers, groupId, src)).toEqual([60]);
    const stats = await controller.stop();

    expect(stats.committed).toEqual({ [`${src}-0`]: 60 });
    expect(await groupOffsets(brokers, groupId, src)).toEqual(await endOffsets(brokers, src));
    expect(stats).toMatchObject({ consumed: 60, dropped: 0 });
    const expected = await reference(fn, await asRecords(brokers, src, 60));
    expectExactlyApplied(await readAll(brokers, out), expected);
  }, 240_000);

  it('Redis killed with SIGKILL mid-batch (results produced, state not committed): retried until Redis is back; nothing lost, state applied once', async () => {
    const [src, out] = [unique('fault-redis-src'), unique('fault-redis-out')];
    await createTopics(sharedBrokers, { [src]: 1, [out]: 1 });
    await produce(sharedBrokers, src, readings(3, 20)); // offsets 0..59
    const fn = sensorRmsOn(out);
    const store = new RedisStateStore({ url: redis.url, prefix: `${unique('fault-redis')}:`, timeoutMs: 2_000 });
    cleanup.push(() => store.close());
    let commits = 0;
    // The second batch's commit finds Redis killed: the batch fails after its results went out,
    // and keeps failing until Redis is back.
    const state: StateStore = {
      name: 'kills-redis',
      load: (keys) => store.load(keys),
      async commit(entries: readonly StateEntry[]) {
        if (++commits === 2) await redis.kill();
        return store.commit(entries);
      },
      close: async () => {},
    };
    const groupId = unique('g');
    const controller = await consume({ handler: fn, brokers: sharedBrokers, topic: src, groupId, fromBeginning: true, batchSize: 20, batchWindowMs: 20, state, logger: quiet, logLevel: 'silent', retryDelayMs: 50, statsIntervalMs: 200 });
    running.push(controller);
    await waitFor(() => controller.stats().errors > 0, 60_000, 'the batch to fail on the killed Redis');
    expect(controller.stats().committed[`${src}-0`]).toBe(20);
    await redis.start();
    await waitFor(() => controller.stats().committed[`${src}-0`] === 60, 60_000, 'consume to commit offset 60');
    const stats = await controller.stop();

    expect(stats.errors).toBeGreaterThan(0);
    expect(stats).toMatchObject({ consumed: 60, dropped: 0, uncommitted: {} });
    expect(await groupOffsets(sharedBrokers, groupId, src)).toEqual([60]);
    const results = await readAll(sharedBrokers, out);
    expectExactlyApplied(results, await reference(fn, await asRecords(sharedBrokers, src, 60)));
    // The failed batch's results went out twice, identical: computed from the same, uncommitted state.
    expect([...bySource(results).values()].some((values) => values.length === 2)).toBe(true);
  }, 120_000);

  it('dspfn consume killed with SIGKILL mid-batch and started again: resumes from the broker\'s commits; nothing lost, state applied once', async () => {
    const [src, out] = [unique('fault-sigkill-src'), unique('fault-sigkill-out')];
    await createTopics(sharedBrokers, { [src]: 3, [out]: 3 });
    await produce(sharedBrokers, src, readings(6, 30)); // 180 records over 3 partitions
    const groupId = unique('g');
    const gate = join(mkdtempSync(join(tmpdir(), 'dspfn-gate-')), 'gate');
    const env = { ...process.env, DSPFN_TEST_OUTPUT_TOPIC: out, DSPFN_STATE_PREFIX: `${unique('fault-sigkill')}:`, DSPFN_LOG_LEVEL: 'warn' };
    // A short session: the group hands the killed consumer's partitions on after 6 s, not 30.
    const args = ['bin/dspfn.js', 'consume', GATED, '--brokers', sharedBrokers, '--topic', src, '--group', groupId, '--from-beginning', '--batch-size', '10', '--batch-window', '20', '--state', redis.url, '--session-timeout', '6000', '--no-progress', '--log-level', 'error'];
    const start = (extra: Record<string, string>) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...env, ...extra }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      cleanup.push(async () => child.kill('SIGKILL'));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      return { child, exited, stderr: () => stderr };
    };

    // The 6th state commit never returns: SIGKILL lands after that batch's results were produced.
    const first = start({ DSPFN_TEST_GATE_FILE: gate, DSPFN_TEST_GATE_AT: '6' });
    await waitFor(() => existsSync(gate), 60_000, 'the gated batch').catch((error: unknown) => {
      throw new Error(`${String(error)}; stderr:\n${first.stderr().slice(-3000)}`);
    });
    first.child.kill('SIGKILL');
    await first.exited;
    const committedAtKill = await groupOffsets(sharedBrokers, groupId, src);
    expect(committedAtKill.reduce((a, b) => a + Math.max(0, b), 0)).toBeLessThan(180);

    const second = start({});
    // A partition that got no record has nothing to commit: -1.
    const ends = (await endOffsets(sharedBrokers, src)).map((end) => (end === 0 ? -1 : end));
    await waitFor(async () => isDeepStrictEqual(await groupOffsets(sharedBrokers, groupId, src), ends), 60_000, 'all 180 committed').catch((error: unknown) => {
      throw new Error(`${String(error)}; committed at the kill ${committedAtKill.join(',')}; stderr of the second run:\n${second.stderr().slice(-3000)}`);
    });
    second.child.kill('SIGTERM');
    expect(await second.exited, second.stderr()).toBe(0);

    expect(await groupOffsets(sharedBrokers, groupId, src)).toEqual(ends);
    const results = await readAll(sharedBrokers, out);
    expectExactlyApplied(results, await reference(sensorRmsOn(out), await asRecords(sharedBrokers, src, 180)));
    expect([...bySource(results).values()].some((values) => values.length === 2)).toBe(true);
  }, 180_000);

  it('a batch redelivered, whole or overlapping: state as after one delivery, no result computed from state applied twice', async () => {
    const prefix = `${unique('fault-redeliver')}:`;
    const store = new RedisStateStore({ url: redis.url, prefix });
    const once = new RedisStateStore({ url: redis.url, prefix: `${prefix}once:` });
    cleanup.push(() => store.close(), () => once.close());
    const fn = sensorRmsOn('out');
    const records = lambdaReadings(3, 10); // 30 records, dev-0..dev-2
    const run = bind(fn, store);
    await run.deliver(records.slice(0, 20));
    await run.deliver(records.slice(10, 30)); // overlaps 10..19
    await run.deliver(records); // all of it again
    expect(run.reports.map((r) => [r.results, r.skipped])).toEqual([[20, 0], [10, 10], [0, 30]]);

    const single = bind(fn, once);
    await single.deliver(records);
    const keys = ['sensor-rms:dev-0', 'sensor-rms:dev-1', 'sensor-rms:dev-2'];
    // Snapshots and fences; the commit times differ between the two stores.
    const held = async (from: RedisStateStore) => [...(await from.load(keys))].map(([key, { snapshot, offsets }]) => [key, [...snapshot], offsets]);
    expect(await held(store)).toEqual(await held(once));
    expect(await held(store)).toHaveLength(3);
    const expected = resultsBySource(single.sink);
    for (const [source, values] of resultsBySource(run.sink)) expect(values, source).toEqual(expected.get(source));
    expect(resultsBySource(run.sink).size).toBe(30);
  });

  it('two writers racing a key: exactly one commits, the other fails and its retry applies on top; every record applied once', async () => {
    const prefix = `${unique('fault-race')}:`;
    const fn = sensorRmsOn('out');
    const a = lambdaReadings(1, 5, 0); // dev-0 on partition 0
    const b = lambdaReadings(1, 5, 1); // dev-0 on partition 1
    const stores = [new RedisStateStore({ url: redis.url, prefix }), new RedisStateStore({ url: redis.url, prefix })];
    cleanup.push(...stores.map((s) => () => s.close()));
    // Both invocations load before either commits: the race the offset fence must settle.
    let loaded = 0;
    let bothLoaded: () => void = () => {};
    const barrier = new Promise<void>((resolve) => (bothLoaded = resolve));
    const racing = (store: StateStore): StateStore => ({
      name: store.name,
      async load(keys) {
        const result = await store.load(keys);
        if (++loaded === 2) bothLoaded();
        await barrier;
        return result;
      },
      commit: (entries) => store.commit(entries),
      close: async () => {},
    });
    const runs = [bind(fn, racing(stores[0]!)), bind(fn, racing(stores[1]!))];
    const outcomes = await Promise.allSettled([runs[0]!.deliver(a), runs[1]!.deliver(b)]);
    const lost = outcomes.findIndex((o) => o.status === 'rejected');
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes[lost] as PromiseRejectedResult).reason).toBeInstanceOf(StateStoreError);
    // The event source redelivers the loser's batch.
    const retry = bind(fn, stores[lost]!);
    await retry.deliver(lost === 0 ? a : b);
    expect(retry.reports[0]).toMatchObject({ results: 5, skipped: 0, committed: 1 });

    // As if applied one after the other, winner first; both partitions in the fence.
    const memory = new MemoryStateStore();
    const sequential = bind(fn, memory);
    await sequential.deliver(lost === 0 ? b : a);
    await sequential.deliver(lost === 0 ? a : b);
    const [stored, expected] = [(await stores[0]!.load(['sensor-rms:dev-0'])).get('sensor-rms:dev-0')!, (await memory.load(['sensor-rms:dev-0'])).get('sensor-rms:dev-0')!];
    expect(stored.snapshot).toEqual(expected.snapshot);
    const fence = (offsets: typeof stored.offsets) => offsets.map((o) => [o.topic, o.partition, o.offset]).sort();
    expect(fence(stored.offsets)).toEqual([['sensors', 0, 4], ['sensors', 1, 4]]);
    expect(fence(stored.offsets)).toEqual(fence(expected.offsets));
    expect([...resultsBySource(retry.sink).values()]).toEqual([...resultsBySource(sequential.sink).entries()].filter(([s]) => s.startsWith(`${lost}@`)).map(([, v]) => v));
  });
});
