// `consume` against the real broker: the event source mapping's behaviour, end to end, with
// sensor-rms (its definition, its topics moved per test) writing to real topics.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { jsonLogger, KafkaSink, MemoryStateStore, type OutputMessage, type Sink, type StateEntry, type StateStore } from '../../core/adapters/index.ts';
import { lz4Codec } from '../../core/kafka/compression.ts';
import { consume, type ConsumeController } from '../../core/local/index.ts';
import { defineFunction, pipeline, readings as readingsInput } from '../../core/index.ts';
import {
  asRecords,
  createTopics,
  endOffsets,
  groupOffsets,
  produce,
  readings,
  readTopics,
  reference,
  sensorRmsOn,
  sourceOf,
  spy,
  unique,
  waitFor,
  type Received,
} from './kafka-support.ts';

const quiet = jsonLogger({}, 'silent');
const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);

/** Each source record's result(s), by "partition@offset". */
function bySource(messages: readonly Received[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of messages) out.set(sourceOf(m), [...(out.get(sourceOf(m)) ?? []), m.value.toString()]);
  return out;
}

describe('dspfn consume', () => {
  const brokers = inject('kafkaBrokers');
  const running: ConsumeController[] = [];
  const start = async (options: Parameters<typeof consume>[0]) => {
    const controller = await consume({ brokers, logger: quiet, logLevel: 'silent', retryDelayMs: 20, statsIntervalMs: 200, ...options });
    running.push(controller);
    return controller;
  };

  afterAll(async () => {
    await Promise.allSettled(running.map((c) => c.stop()));
  });

  it('writes results, logs and dead letters to their topics with keys and headers, values as an in-memory run', async () => {
    const [src, out, logs, dlq] = ['sensors', 'rms', 'logs', 'dlq'].map((p) => unique(`consume-${p}`)) as [string, string, string, string];
    await createTopics(brokers, { [src]: 3, [out]: 3, [logs]: 1, [dlq]: 1 });
    const bad = [0, 1, 2].map((n) => ({ key: 'dev-bad', value: `not json ${n}`, headers: { traceparent: 'tp-bad' } }));
    await produce(brokers, src, [...readings(6, 20), ...bad]);
    const fn = sensorRmsOn(out, { deadLetterTopic: dlq, logTopic: logs });

    const controller = await start({ handler: fn, topic: src, groupId: unique('g'), fromBeginning: true, batchSize: 25, batchWindowMs: 50 });
    await waitFor(() => sum(controller.stats().committed) === 123, 20_000, 'all 123 records committed');
    const stats = await controller.stop();

    expect(stats).toMatchObject({ consumed: 123, results: 120, deadLetters: 3, errors: 0, partialFailures: 0, onFailure: 0, dropped: 0, totalLag: 0 });
    expect(stats.logs).toBe(stats.batches);
    expect(stats.produced).toBe(123 + stats.batches);
    const ends = await endOffsets(brokers, src);
    // Partitions that never had a record have nothing to commit.
    expect(stats.committed).toEqual(Object.fromEntries(ends.map((end, p) => [`${src}-${p}`, end]).filter(([, end]) => end !== 0)));
    expect(await groupOffsets(brokers, stats.groupId, src)).toEqual(ends.map((end) => (end === 0 ? -1 : end)));
    expect(stats.latencyP50Ms).toBeGreaterThan(0);
    expect(stats.latencyP99Ms).toBeGreaterThanOrEqual(stats.latencyP50Ms);
    // Produced before the consumer started: they were old when fetched, and fetching is a part of each one's latency.
    expect(stats.fetchedP50Ms).toBeGreaterThan(0);
    expect(stats.fetchedP99Ms).toBeLessThanOrEqual(stats.latencyP99Ms);
    expect(stats.samples).toBe(120 * 8);

    const records = await asRecords(brokers, src, 123);
    const expected = await reference(fn, records);
    const results = await readTopics(brokers, [out], 120, { settleMs: 200 });
    expect(results).toHaveLength(120);
    expect(new Map([...bySource(results)].map(([s, v]) => [s, v[0]]))).toEqual(expected);
    for (const m of results) {
      const value = JSON.parse(m.value.toString()) as { deviceId: string; partition: number; offset: number };
      expect(m.key).toBe(value.deviceId);
      expect(m.headers).toEqual({
        'content-type': 'application/json',
        'dspfn-source-topic': src,
        'dspfn-source-partition': String(value.partition),
        'dspfn-source-offset': String(value.offset),
        'dspfn-function': 'sensor-rms',
        traceparent: records.find((r) => r.partition === value.partition && r.offset === value.offset)!.headers.map((h) => Buffer.from(h.traceparent!).toString())[0],
      });
    }

    const letters = await readTopics(brokers, [dlq], 3);
    expect(letters.map((m) => [m.key, m.value.toString(), m.headers['dspfn-error-code'], m.headers['dspfn-source-topic'], m.headers.traceparent]).sort()).toEqual(
      [0, 1, 2].map((n) => ['dev-bad', `not json ${n}`, 'DSPFN_DECODE', src, 'tp-bad']),
    );

    const logLines = (await readTopics(brokers, [logs], stats.batches)).map((m) => JSON.parse(m.value.toString()) as { message: string; records: number; results: number });
    expect(logLines.every((l) => l.message === 'batch')).toBe(true);
    expect(logLines.reduce((n, l) => n + l.records, 0)).toBe(123);
    expect(logLines.reduce((n, l) => n + l.results, 0)).toBe(120);
  });

  it('retries a batch whose produce failed: nothing lost, state applied once', async () => {
    const [src, out] = [unique('consume-flaky-src'), unique('consume-flaky-out')];
    await createTopics(brokers, { [src]: 1, [out]: 1 });
    await produce(brokers, src, readings(4, 10));
    const fn = sensorRmsOn(out);
    const inner = new KafkaSink({ brokers, logger: quiet });
    let sends = 0;
    // First send: written, then the acknowledgement is "lost". Second: fails before writing.
    const flaky: Sink = {
      name: 'flaky',
      async send(messages: readonly OutputMessage[]) {
        sends++;
        if (sends === 2) throw new Error('produce failed before writing');
        await inner.send(messages);
        if (sends === 1) throw new Error('acknowledgement lost after writing');
      },
      close: () => inner.close(),
    };

    const controller = await start({ handler: fn, topic: src, groupId: unique('g'), fromBeginning: true, batchSize: 10, batchWindowMs: 2_000, sink: flaky });
    await waitFor(() => sum(controller.stats().committed) === 40, 20_000, 'all 40 committed');
    const stats = await controller.stop();
    await inner.close();

    expect(stats).toMatchObject({ consumed: 40, errors: 2, results: 40, committed: { [`${src}-0`]: 40 } });
    const results = await readTopics(brokers, [out], 50, { settleMs: 300 });
    expect(results).toHaveLength(50);
    const sources = bySource(results);
    const expected = await reference(fn, await asRecords(brokers, src, 40));
    expect(sources.size).toBe(40);
    for (const [source, values] of sources) {
      // The first batch went out twice (at least once), both times with the same state behind it.
      expect(values).toEqual(Number(source.split('@')[1]) < 10 ? [expected.get(source), expected.get(source)] : [expected.get(source)]);
    }
  });

  it('honours batchItemFailures: commits up to the reported offset and resumes the partition from it', async () => {
    const [src, out] = [unique('consume-partial-src'), unique('consume-partial-out')];
    await createTopics(brokers, { [src]: 1, [out]: 1 });
    await produce(brokers, src, readings(3, 10)); // offsets 3k: dev-0, 3k+1: dev-1, 3k+2: dev-2
    const fn = sensorRmsOn(out, { reportBatchItemFailures: true });
    // Another writer "moves" dev-1 once: its commit conflicts, the function reports it.
    const memory = new MemoryStateStore();
    let conflicted = false;
    const state: StateStore = {
      name: 'conflict-once',
      load: (keys) => memory.load(keys),
      async commit(entries: readonly StateEntry[]) {
        const victim = conflicted ? undefined : entries.find((e) => e.key === 'sensor-rms:dev-1');
        if (!victim) return memory.commit(entries);
        conflicted = true;
        const rest = await memory.commit(entries.filter((e) => e !== victim));
        return [...rest, { key: victim.key, status: 'conflict' as const }];
      },
      close: () => memory.close(),
    };
    const groupId = unique('g');
    let committedAtSecond: number[] = [];
    const watched = spy(fn, {
      failWhen: () => undefined,
    });
    const original = watched.dspfn.withRuntime.bind(watched.dspfn);
    watched.dspfn.withRuntime = (runtime) => {
      const bound = original(runtime);
      return async (event, context) => {
        if (watched.invocations.length === 1) committedAtSecond = await groupOffsets(brokers, groupId, src);
        return bound(event, context);
      };
    };

    const controller = await start({ handler: watched, topic: src, groupId, fromBeginning: true, batchSize: 12, batchWindowMs: 1_000, state });
    await waitFor(() => sum(controller.stats().committed) === 30, 20_000, 'all 30 committed');
    const stats = await controller.stop();

    expect(watched.invocations.map((i) => i.ranges)).toEqual([['0@0..11'], ['0@1..12'], ['0@13..24'], ['0@25..29']]);
    expect(committedAtSecond).toEqual([1]);
    expect(stats).toMatchObject({ consumed: 30, partialFailures: 1, errors: 1, committed: { [`${src}-0`]: 30 } });

    const results = await readTopics(brokers, [out], 34, { settleMs: 300 });
    expect(results).toHaveLength(34);
    const expected = await reference(fn, await asRecords(brokers, src, 30));
    for (const [source, values] of bySource(results)) {
      const offset = Number(source.split('@')[1]);
      // dev-1's records of the first batch ran again; everything else once (the offset fence skipped them).
      expect(values).toEqual(offset % 3 === 1 && offset <= 11 ? [expected.get(source), expected.get(source)] : [expected.get(source)]);
    }
  });

  it('sends a batch to the on-failure topic once its retries are spent, with the records and the error, and moves on', async () => {
    const [src, out, failed] = [unique('consume-poison-src'), unique('consume-poison-out'), unique('consume-poison-failed')];
    await createTopics(brokers, { [src]: 1, [out]: 1, [failed]: 1 });
    const inputs = readings(3, 5);
    await produce(brokers, src, inputs);
    const watched = spy(sensorRmsOn(out), {
      failWhen: (inv) => (inv.offsets.some((o) => o.offset === 7) ? new Error('poison record 7') : undefined),
    });

    const controller = await start({ handler: watched, topic: src, groupId: unique('g'), fromBeginning: true, batchSize: 5, batchWindowMs: 1_000, maxRetries: 2, onFailure: `kafka://${failed}` });
    await waitFor(() => sum(controller.stats().committed) === 15, 20_000, 'all 15 committed');
    const stats = await controller.stop();

    expect(watched.invocations.map((i) => i.ranges[0])).toEqual(['0@0..4', '0@5..9', '0@5..9', '0@5..9', '0@10..14']);
    expect(stats).toMatchObject({ consumed: 10, errors: 3, onFailure: 5, dropped: 0, results: 10, committed: { [`${src}-0`]: 15 } });
    const letters = (await readTopics(brokers, [failed], 5, { settleMs: 200 })).sort((a, b) => a.offset - b.offset);
    expect(letters).toHaveLength(5);
    letters.forEach((m, i) => {
      const input = inputs[5 + i]!;
      expect(m.key).toBe(input.key);
      expect(m.value.toString()).toBe(input.value);
      expect(m.headers).toEqual({
        traceparent: String(input.headers!.traceparent),
        'dspfn-source-topic': src,
        'dspfn-source-partition': '0',
        'dspfn-source-offset': String(5 + i),
        'dspfn-function': 'sensor-rms',
        'dspfn-error-code': 'DSPFN_BATCH_FAILED',
        'dspfn-error-reason': 'poison record 7',
        'dspfn-attempts': '3',
      });
    });
    const results = await readTopics(brokers, [out], 10, { settleMs: 200 });
    expect([...bySource(results).keys()].sort()).toEqual(['0@0', '0@1', '0@10', '0@11', '0@12', '0@13', '0@14', '0@2', '0@3', '0@4']);
  });

  it('pauses fetching while its buffer is full and resumes without skipping or repeating a record', async () => {
    const [src, out] = [unique('consume-pressure-src'), unique('consume-pressure-out')];
    await createTopics(brokers, { [src]: 1, [out]: 1 });
    await produce(brokers, src, readings(5, 60)); // 300 records, all there before consuming starts
    const slow = spy(sensorRmsOn(out), { delayMs: 5 });
    const controller = await start({ handler: slow, topic: src, groupId: unique('g'), fromBeginning: true, batchSize: 10, batchWindowMs: 1_000, maxBufferedRecords: 25 });
    await waitFor(() => sum(controller.stats().committed) === 300, 20_000, 'all 300 committed');
    const stats = await controller.stop();

    expect(stats.pauses).toBeGreaterThan(0);
    // Full batches, in offset order, each record exactly once.
    expect(slow.invocations.map((i) => i.ranges[0])).toEqual(Array.from({ length: 30 }, (_, b) => `0@${b * 10}..${b * 10 + 9}`));
    expect(stats).toMatchObject({ consumed: 300, results: 300, errors: 0 });
  });

  it('resumes after a restart from the committed offsets, losing and repeating nothing', async () => {
    const [src, out] = [unique('consume-restart-src'), unique('consume-restart-out')];
    await createTopics(brokers, { [src]: 3, [out]: 3 });
    await produce(brokers, src, readings(9, 40)); // 360 records
    const groupId = unique('g');
    const first = spy(sensorRmsOn(out), { delayMs: 15 });
    const a = await start({ handler: first, topic: src, groupId, fromBeginning: true, batchSize: 10, batchWindowMs: 20 });
    await waitFor(() => a.stats().consumed >= 100, 20_000, '100 consumed');
    const statsA = await a.stop();
    expect(statsA.consumed).toBeLessThan(360);
    expect(await groupOffsets(brokers, groupId, src)).toEqual([0, 1, 2].map((p) => statsA.committed[`${src}-${p}`] ?? -1));

    const second = spy(sensorRmsOn(out));
    const b = await start({ handler: second, topic: src, groupId, fromBeginning: true, batchSize: 50, batchWindowMs: 20 });
    await waitFor(async () => (await groupOffsets(brokers, groupId, src)).reduce((x, y) => x + y, 0) === 360, 20_000, 'all 360 committed');
    const statsB = await b.stop();

    for (const p of [0, 1, 2]) {
      const firstSeen = Math.min(...second.invocations.flatMap((i) => i.offsets).filter((o) => o.partition === p).map((o) => o.offset));
      expect(firstSeen).toBe(statsA.committed[`${src}-${p}`] ?? 0);
    }
    expect(statsA.consumed + statsB.consumed).toBe(360);
    const results = await readTopics(brokers, [out], 360, { settleMs: 300 });
    expect(results).toHaveLength(360);
    expect(bySource(results).size).toBe(360);
  });

  it('shares the partitions between two consumers of one group', async () => {
    const [src, out] = [unique('consume-shared-src'), unique('consume-shared-out')];
    await createTopics(brokers, { [src]: 4, [out]: 4 });
    const groupId = unique('g');
    const spies = [spy(sensorRmsOn(out)), spy(sensorRmsOn(out))];
    // From the beginning: a rebalance after the input arrived must not move a new group past it.
    const options = { topic: src, groupId, batchWindowMs: 20, fromBeginning: true };
    const [a, b] = [await start({ handler: spies[0]!, ...options }), await start({ handler: spies[1]!, ...options })];
    await Promise.all([a.ready, b.ready]);
    await waitFor(() => a.stats().assigned.length > 0 && b.stats().assigned.length > 0 && a.stats().assigned.length + b.stats().assigned.length === 4, 20_000, 'a balanced group');
    const [assignedA, assignedB] = [a.stats().assigned, b.stats().assigned];
    expect([...assignedA, ...assignedB].sort()).toEqual([0, 1, 2, 3].map((p) => `${src}-${p}`));

    await produce(brokers, src, readings(16, 25)); // 400 records over 4 partitions
    await waitFor(() => sum(a.stats().committed) + sum(b.stats().committed) === 400, 20_000, 'all 400 committed');
    const [statsA, statsB] = [await a.stop(), await b.stop()];

    expect(statsA.consumed + statsB.consumed).toBe(400);
    expect(statsA.consumed).toBeGreaterThan(0);
    expect(statsB.consumed).toBeGreaterThan(0);
    const partitionsOf = (i: number) => [...new Set(spies[i]!.invocations.flatMap((inv) => inv.offsets.map((o) => `${src}-${o.partition}`)))].sort();
    expect(partitionsOf(0)).toEqual(assignedA);
    expect(partitionsOf(1)).toEqual(assignedB);
    const results = await readTopics(brokers, [out], 400, { settleMs: 300 });
    expect(results).toHaveLength(400);
    expect(bySource(results).size).toBe(400);
  });
  it('ticks a windowed function with an idleTimeout: a quiet partition’s open windows reach the output topic', async () => {
    const [src, out] = ['readings', 'minutes'].map((p) => unique(`consume-window-${p}`)) as [string, string];
    await createTopics(brokers, { [src]: 1, [out]: 1 });
    const t0 = Date.UTC(2026, 0, 1);
    const values = [['a', 1, 5], ['b', 4, 10], ['a', 3, 20], ['b', 6, 30]] as const;
    await produce(brokers, src, values.map(([key, value, second]) => ({ key, value: JSON.stringify({ key, value, timestamp: t0 + second * 1000 }) })));
    const fn = defineFunction({
      name: 'minutes',
      input: readingsInput({ key: 'key', timestamp: 'timestamp' }),
      pipeline: pipeline(),
      window: { type: 'tumbling', size: '1m' },
      aggregate: ['count', 'mean'],
      idleTimeout: '1s',
      output: { topic: out, value: ({ window }) => ({ key: window!.key, count: window!.count, mean: window!.mean }) },
    });
    const controller = await start({ handler: fn, topic: src, groupId: unique('g'), fromBeginning: true, batchWindowMs: 20, tickIntervalMs: 100 });
    // No record ever moves the watermark past the minute: only the tick can close it.
    const results = await readTopics(brokers, [out], 2, { settleMs: 300 });
    await controller.stop();
    expect(results.map((m) => JSON.parse(m.value.toString())).sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { key: 'a', count: 2, mean: 2 },
      { key: 'b', count: 2, mean: 5 },
    ]);
    expect(results.every((m) => m.headers['dspfn-window-start'] === String(t0) && m.headers['dspfn-source-offset'] === '3')).toBe(true);
  });

  it('compresses its outputs as DSPFN_KAFKA_COMPRESSION says (lz4): the broker stores them compressed', async () => {
    const [src, out] = ['sensors', 'rms'].map((p) => unique(`consume-lz4-${p}`)) as [string, string];
    await createTopics(brokers, { [src]: 2, [out]: 2 });
    await produce(brokers, src, readings(4, 10));
    const controller = await start({ handler: sensorRmsOn(out), topic: src, groupId: unique('g'), fromBeginning: true, batchSize: 20, batchWindowMs: 20, env: { DSPFN_KAFKA_COMPRESSION: 'lz4' } });
    await waitFor(() => sum(controller.stats().committed) === 40, 20_000, 'all 40 records committed');
    await controller.stop();
    // Counting lz4 decompressions while reading back proves the fetched batches came back compressed.
    const { CompressionCodecs, CompressionTypes } = await import('kafkajs');
    const original = CompressionCodecs[CompressionTypes.LZ4];
    const codec = await lz4Codec();
    let decompressed = 0;
    CompressionCodecs[CompressionTypes.LZ4] = () => ({ ...codec, decompress: (buffer: Buffer) => (decompressed++, codec.decompress(buffer)) });
    try {
      const results = await readTopics(brokers, [out], 40, { settleMs: 200 });
      expect(results).toHaveLength(40);
    } finally {
      CompressionCodecs[CompressionTypes.LZ4] = original;
    }
    expect(decompressed).toBeGreaterThan(0);
  });

  it('refuses an unknown compression before it connects', async () => {
    await expect(consume({ handler: sensorRmsOn('x'), brokers, topic: 'x', logger: quiet, logLevel: 'silent', compression: 'snappy' as never })).rejects.toThrow(
      /--compression must be one of none, gzip, lz4, zstd, got "snappy"/,
    );
  });

  it('sends a late record to the late topic on the broker with its bytes, key and reason, and no window result', async () => {
    const [src, out] = ['readings', 'minutes'].map((p) => unique(`consume-late-${p}`)) as [string, string];
    const late = `${src}.late`;
    await createTopics(brokers, { [src]: 1, [out]: 1, [late]: 1 });
    const t0 = Date.UTC(2026, 0, 1);
    const reading = (value: number, second: number) => ({ key: 'a', value: JSON.stringify({ key: 'a', value, timestamp: t0 + second * 1000 }) });
    // The second reading moves the watermark past the first minute and closes it; the third belongs to it.
    await produce(brokers, src, [reading(1, 5), reading(2, 70), reading(9, 10)]);
    const fn = defineFunction({
      name: 'minutes',
      input: readingsInput({ key: 'key', timestamp: 'timestamp' }),
      pipeline: pipeline(),
      window: { type: 'tumbling', size: '1m' },
      aggregate: ['count', 'mean'],
      output: { topic: out, value: ({ window }) => ({ count: window!.count, mean: window!.mean }) },
    });
    const controller = await start({ handler: fn, topic: src, groupId: unique('g'), fromBeginning: true, batchSize: 1, batchWindowMs: 20 });
    await waitFor(() => sum(controller.stats().committed) === 3, 20_000, 'all 3 records committed');
    const stats = await controller.stop();
    // Counted as late, by reason, not as a dead letter.
    expect([stats.deadLetters, stats.late, stats.lateByReason]).toEqual([0, 1, { 'up to 1 min behind the watermark': 1 }]);
    const [letters, results] = await Promise.all([readTopics(brokers, [late], 1, { settleMs: 300 }), readTopics(brokers, [out], 1, { settleMs: 300 })]);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.key).toBe('a');
    expect(letters[0]!.value.toString()).toBe(reading(9, 10).value);
    expect(letters[0]!.headers['dspfn-error-code']).toBe('DSPFN_LATE');
    expect(letters[0]!.headers['dspfn-source-offset']).toBe('2');
    expect(letters[0]!.headers['dspfn-error-reason']).toMatch(/falls in window \[2026-01-01T00:00:00.000Z, 2026-01-01T00:01:00.000Z\) of key "a"/);
    // The closed minute's result holds the first reading only: the late one touched no state.
    expect(results.map((m) => JSON.parse(m.value.toString()))).toEqual([{ count: 1, mean: 1 }]);
  });
});
