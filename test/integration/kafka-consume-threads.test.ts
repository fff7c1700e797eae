// `consume({ threads })` against the real broker: invocations on worker threads that load the
// function's module, with fetching, commits and the state store on the consuming thread.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { jsonLogger, MemoryStateStore } from '../../core/adapters/index.ts';
import { consume, eventFor, type ConsumeController, type ConsumeStats } from '../../core/local/index.ts';
import { lambdaContext } from '../../core/testing/index.ts';
import { ConfigError } from '../../core/errors.ts';
import { asRecords, createTopics, groupOffsets, produce, readings, readTopics, sensorRmsOn, sourceOf, unique, waitFor, type Input, type Received } from './kafka-support.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'consume-threads');
const SENSOR_RMS = join(FIXTURES, 'sensor-rms.ts');
const quiet = jsonLogger({}, 'silent');
const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
const TEST_ENV = ['DSPFN_TEST_OUTPUT_TOPIC', 'DSPFN_TEST_DEAD_LETTER_TOPIC', 'DSPFN_TEST_CRASH_AT', 'DSPFN_TEST_CRASH_MARK'];

/** Each source record's results, by "partition@offset" (a value more than once: produced again). */
function bySource(messages: readonly Received[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of messages) out.set(sourceOf(m), [...(out.get(sourceOf(m)) ?? []), m.value.toString()]);
  return out;
}

/** Every key's snapshot and fence, comparable across stores. */
function contents(store: MemoryStateStore): Record<string, { snapshot: number[]; offsets: unknown }> {
  return Object.fromEntries(store.keys().sort().map((key) => [key, { snapshot: [...store.get(key)!.snapshot], offsets: store.get(key)!.offsets }]));
}

/** readings() spread over the partitions explicitly (device d on partition d % partitions). */
function spread(inputs: readonly Input[], partitions: number): Input[] {
  return inputs.map((input) => ({ ...input, partition: Number(input.key!.slice('dev-'.length)) % partitions }));
}

describe('dspfn consume on threads', () => {
  const brokers = inject('kafkaBrokers');
  const running: ConsumeController[] = [];
  const start = async (options: Parameters<typeof consume>[0]) => {
    const controller = await consume({ brokers, logger: quiet, logLevel: 'silent', retryDelayMs: 20, statsIntervalMs: 200, batchWindowMs: 20, fromBeginning: true, ...options });
    running.push(controller);
    return controller;
  };
  afterEach(() => {
    for (const name of TEST_ENV) delete process.env[name];
  });
  afterAll(async () => {
    await Promise.allSettled(running.map((c) => c.stop()));
  });

  it('threads: 2 gives the same results, dead letters, commits and state as threads: 1 on the same input', async () => {
    const [src, outA, outB, dlqA, dlqB] = ['src', 'out-a', 'out-b', 'dlq-a', 'dlq-b'].map((p) => unique(`threads-${p}`)) as [string, string, string, string, string];
    await createTopics(brokers, { [src]: 4, [outA]: 2, [outB]: 2, [dlqA]: 1, [dlqB]: 1 });
    const bad = [0, 1, 2].map((n) => ({ key: `dev-${n}`, value: `not json ${n}`, partition: n }));
    await produce(brokers, src, [...spread(readings(8, 15), 4), ...bad]);
    const total = 123;

    const run = async (threads: number, out: string, dlq: string): Promise<{ stats: ConsumeStats; state: MemoryStateStore }> => {
      const state = new MemoryStateStore();
      Object.assign(process.env, { DSPFN_TEST_OUTPUT_TOPIC: out, DSPFN_TEST_DEAD_LETTER_TOPIC: dlq });
      const controller = await start({ handler: sensorRmsOn(out, { deadLetterTopic: dlq }), functionModule: SENSOR_RMS, threads, topic: src, groupId: unique('g'), batchSize: 10, state });
      await waitFor(() => sum(controller.stats().committed) === total, 30_000, `all ${total} committed (threads: ${threads})`);
      return { stats: await controller.stop(), state };
    };
    const one = await run(1, outA, dlqA);
    const two = await run(2, outB, dlqB);

    const same = (s: ConsumeStats) => ({ consumed: s.consumed, results: s.results, deadLetters: s.deadLetters, deadLettersByCode: s.deadLettersByCode, samples: s.samples, errors: s.errors, committed: s.committed });
    expect(same(two.stats)).toEqual(same(one.stats));
    expect(two.stats).toMatchObject({ consumed: total, results: 120, deadLetters: 3, deadLettersByCode: { DSPFN_DECODE: 3 }, errors: 0 });
    expect(two.stats.logs).toBe(0);
    expect(two.stats.produced).toBe(123);
    expect(two.stats.handlerP50Ms).toBeGreaterThan(0);
    expect(contents(two.state)).toEqual(contents(one.state));
    expect(two.state.keys()).toHaveLength(8);

    const [resultsA, resultsB] = [await readTopics(brokers, [outA], 120, { settleMs: 200 }), await readTopics(brokers, [outB], 120, { settleMs: 200 })];
    expect(resultsB).toHaveLength(120);
    expect(bySource(resultsB)).toEqual(bySource(resultsA));
    expect(resultsB.map((m) => m.key).sort()).toEqual(resultsA.map((m) => m.key).sort());
    const letters = (dlq: string) => readTopics(brokers, [dlq], 3, { settleMs: 200 }).then((ms) => ms.map((m) => [m.key, m.value.toString(), m.headers['dspfn-error-code'], m.headers['dspfn-source-offset']]).sort());
    expect(await letters(dlqB)).toEqual(await letters(dlqA));
    expect((await letters(dlqB)).map(([key, value, code]) => [key, value, code])).toEqual(bad.map((b) => [b.key, b.value, 'DSPFN_DECODE']));
  });

  it('shares memory state across threads: a key on two partitions (on two threads) has one state fenced by both', async () => {
    const [src, out] = ['src', 'out'].map((p) => unique(`threads-shared-${p}`)) as [string, string];
    await createTopics(brokers, { [src]: 2, [out]: 1 });
    const both = readings(1, 20).map((input, i) => ({ ...input, partition: i % 2 }));
    await produce(brokers, src, both);
    process.env.DSPFN_TEST_OUTPUT_TOPIC = out;
    const state = new MemoryStateStore();
    const controller = await start({ handler: sensorRmsOn(out), functionModule: SENSOR_RMS, threads: 2, topic: src, groupId: unique('g'), batchSize: 5, state });
    await waitFor(() => sum(controller.stats().committed) === 20, 30_000, 'all 20 committed');
    const stats = await controller.stop();

    expect(stats).toMatchObject({ consumed: 20, committed: { [`${src}-0`]: 10, [`${src}-1`]: 10 } });
    // The two threads write one key: a batch whose commit meets the other's (a fence conflict) fails
    // after producing its 5 results, and is run again, as in-process.
    expect(stats.results).toBe(20 + 5 * stats.errors);
    expect(state.keys()).toEqual(['sensor-rms:dev-0']);
    // Both partitions' last offsets are in the one key's fence (the next offset minus one).
    expect(state.get('sensor-rms:dev-0')!.offsets.map((o) => [o.partition, o.offset]).sort()).toEqual([[0, 9], [1, 9]]);
    // One state: its samples absorbed both partitions' records, 20 × 8.
    expect(stats.samples).toBe(160);
  });

  it('a thread that dies mid-batch fails the batches it had: they are retried on a fresh thread, nothing lost, state applied once', async () => {
    const [src, out] = ['src', 'out'].map((p) => unique(`threads-crash-${p}`)) as [string, string];
    await createTopics(brokers, { [src]: 2, [out]: 2 });
    await produce(brokers, src, spread(readings(4, 20), 2));
    const mark = join(mkdtempSync(join(tmpdir(), 'dspfn-threads-')), 'crashed');
    Object.assign(process.env, { DSPFN_TEST_OUTPUT_TOPIC: out, DSPFN_TEST_CRASH_AT: '0@13', DSPFN_TEST_CRASH_MARK: mark });
    const state = new MemoryStateStore();
    const fn = sensorRmsOn(out);
    const controller = await start({ handler: fn, functionModule: SENSOR_RMS, threads: 2, topic: src, groupId: unique('g'), batchSize: 10, state });
    await waitFor(() => sum(controller.stats().committed) === 80, 30_000, 'all 80 committed');
    const stats = await controller.stop();

    expect(stats.errors).toBeGreaterThanOrEqual(1);
    expect(stats.lastError).toMatch(/consume thread \d ended with a batch in flight \(exit code 7\)/);
    expect(stats).toMatchObject({ consumed: 80, committed: { [`${src}-0`]: 40, [`${src}-1`]: 40 }, dropped: 0 });

    // The same results and state as one in-memory run of the same records: nothing applied twice.
    const records = await asRecords(brokers, src, 80);
    const reference = new MemoryStateStore();
    const sink = (await import('../../core/adapters/index.ts')).MemorySink;
    const expected = new sink();
    await fn.dspfn.withRuntime({ sink: expected, state: reference, logger: quiet })(eventFor(records, 'msk', brokers), lambdaContext());
    expect(contents(state)).toEqual(contents(reference));
    const results = bySource(await readTopics(brokers, [out], 80, { settleMs: 300 }));
    expect(results.size).toBe(80);
    for (const m of expected.ofKind('result')) {
      const source = `${m.headers['dspfn-source-partition']}@${m.headers['dspfn-source-offset']}`;
      // A batch of the thread's other partition may have been produced before the crash and again after it: same values.
      expect(new Set(results.get(source))).toEqual(new Set([String(m.value)]));
    }
  });

  it('ticks a windowed function (on the consuming thread) while its batches run on threads', async () => {
    const [src, out] = ['readings', 'minutes'].map((p) => unique(`threads-window-${p}`)) as [string, string];
    await createTopics(brokers, { [src]: 2, [out]: 1 });
    const t0 = Date.UTC(2026, 0, 1);
    const values = [['a', 1, 5, 0], ['b', 4, 10, 1], ['a', 3, 20, 0], ['b', 6, 30, 1]] as const;
    const input = (p: number) => values.filter((v) => v[3] === p).map(([key, value, second, partition]) => ({ key, partition, value: JSON.stringify({ key, value, timestamp: t0 + second * 1000 }) }));
    process.env.DSPFN_TEST_OUTPUT_TOPIC = out;
    const module = join(FIXTURES, 'minutes.ts');
    const { handler } = (await import(module)) as typeof import('../fixtures/consume-threads/minutes.ts');
    const controller = await start({ handler, functionModule: module, threads: 2, topic: src, groupId: unique('g'), tickIntervalMs: 100 });
    // One partition after the other: the first batches of two new partitions at once race on the
    // function's partition list, and the retried loser never adds its partition, so the tick never
    // closes its windows (reproduced in-process too: the windowed handler's, reported).
    await produce(brokers, src, input(0));
    await waitFor(() => controller.stats().committed[`${src}-0`] === 2, 20_000, 'partition 0 committed');
    await produce(brokers, src, input(1));
    // No record ever moves the watermark past the minute: only the tick can close it.
    const results = await readTopics(brokers, [out], 2, { settleMs: 300 });
    await controller.stop();
    expect(results.map((m) => JSON.parse(m.value.toString())).sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { key: 'a', count: 2, mean: 2 },
      { key: 'b', count: 2, mean: 5 },
    ]);
  });

  it('refuses threads > 1 without the function module, and ends with a clear error when the function does not load in a thread', async () => {
    const fn = sensorRmsOn('unused');
    await expect(consume({ brokers, handler: fn, topic: 'unused', threads: 2, logger: quiet })).rejects.toThrow(new ConfigError('threads: 2 needs ConsumeOptions.functionModule, the file the function is loaded from, for each thread to load it (the CLI passes it)'));
    const notAFunction = join(import.meta.dirname, '..', 'fixtures', 'f32le-records.ts');
    await expect(consume({ brokers, handler: fn, functionModule: notAFunction, topic: unique('threads-none'), threads: 2, logger: quiet, logLevel: 'silent' })).rejects.toThrow(
      `the function failed to load in a consume thread: ${notAFunction} does not export a handler made by defineFunction`,
    );
  });

  it('dspfn consume --threads 2 as users run it (the bin): results and a report from the threads, SIGTERM ends it and every thread', async () => {
    const [src, out] = ['src', 'out'].map((p) => unique(`threads-cli-${p}`)) as [string, string];
    const groupId = unique('g');
    await createTopics(brokers, { [src]: 2, [out]: 2 });
    await produce(brokers, src, spread(readings(4, 10), 2));
    const report = join(mkdtempSync(join(tmpdir(), 'dspfn-threads-cli-')), 'consume.html');
    const args = ['bin/dspfn.js', 'consume', SENSOR_RMS, '--brokers', brokers, '--topic', src, '--group', groupId, '--from-beginning', '--batch-size', '10', '--batch-window', '20', '--threads', '2', '--no-progress', '--json', '--report', report];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, DSPFN_TEST_OUTPUT_TOPIC: out, DSPFN_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The process exits only once no thread is left running.
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(async () => (await groupOffsets(brokers, groupId, src)).reduce((a, b) => a + b, 0) === 40, 30_000, `the CLI committing all 40 (stderr: ${stderr})`);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
    const stats = JSON.parse(stdout) as ConsumeStats;
    expect(stats).toMatchObject({ consumed: 40, results: 40, errors: 0, committed: { [`${src}-0`]: 20, [`${src}-1`]: 20 } });
    expect(bySource(await readTopics(brokers, [out], 40, { settleMs: 200 })).size).toBe(40);
    // The threads' signals reach the report, drawn on the main thread.
    const html = readFileSync(report, 'utf8');
    const data = JSON.parse(/<script id="dspfn-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!) as { keys: Array<{ key: string; inputFrames: number }> };
    expect(data.keys.map((k) => [k.key, k.inputFrames]).sort()).toEqual([0, 1, 2, 3].map((d) => [`dev-${d}`, 80]));
  }, 90_000);
});
