import { describe, expect, it } from 'vitest';
import { jsBackend } from '../dsp/backend.ts';
import { pipeline } from '../dsp/pipeline.ts';
import { ConfigError, ErrorCode } from '../errors.ts';
import { f32leBytes, mskEvent, type RecordInput } from '../events/build.ts';
import { MemorySink } from '../sink/memory.ts';
import { flakySink } from '../testing/flaky-sink.ts';
import type { Sink } from '../sink/sink.ts';
import { MemoryStateStore } from '../state/memory.ts';
import type { StateEntry, StateStore } from '../state/store.ts';
import { lambdaContext } from '../testing/context.ts';
import { testHarness } from '../testing/harness.ts';
import { defineFunction } from './define-function.ts';
import { jsonLogger } from '../logger/logger.ts';

interface Out {
  key: string;
  offset: number;
  y: number[];
}

function makeFunction(options: { window?: number; channels?: number; onStateMismatch?: 'error' | 'reset' } = {}) {
  const channels = options.channels ?? 1;
  return defineFunction({
    name: 'unit',
    codec: 'f32le',
    pipeline: pipeline({ channels }).movingAverage({ window: options.window ?? 4 }).rms({ window: 3 }),
    output: { topic: 'out', value: ({ key, record, output }) => ({ key, offset: record.offset, y: Array.from(output) }) },
    ...(options.onStateMismatch ? { onStateMismatch: options.onStateMismatch } : {}),
  });
}

/** A stream of f32le records over three keys on two partitions. */
function stream(count: number): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `k${i % 3}`,
    partition: i % 3 === 2 ? 1 : 0,
    value: Float32Array.from({ length: 1 + (i % 5) }, (_, j) => Math.sin(i * 7 + j) * 10 + i),
  }));
}

/** Offsets numbered per partition like a topic, so records can be cut into batches. */
function numbered(records: RecordInput[]): RecordInput[] {
  const next = new Map<number, number>();
  return records.map((r) => {
    const offset = next.get(r.partition ?? 0) ?? 0;
    next.set(r.partition ?? 0, offset + 1);
    return { ...r, offset };
  });
}

function outputsByKey(sink: MemorySink): Record<string, number[]> {
  const byKey: Record<string, number[]> = {};
  for (const r of sink.json<Out>('out')) (byKey[r.key] ??= []).push(...r.y);
  return byKey;
}

describe('defineFunction', () => {
  it('produces identical outputs whatever the batches and invocations', async () => {
    const records = numbered(stream(60));
    const once = testHarness(makeFunction());
    await once.invoke(records);
    const reference = outputsByKey(once.sink);
    expect(Object.keys(reference).sort()).toEqual(['k0', 'k1', 'k2']);

    for (const batchSize of [1, 2, 7, 25]) {
      const state = new MemoryStateStore();
      const split = testHarness(makeFunction(), { state });
      for (let i = 0; i < records.length; i += batchSize) {
        // A fresh handler (a new container) per batch: only the store carries state.
        const container = testHarness(makeFunction(), { state });
        await container.invoke(records.slice(i, i + batchSize));
        split.sink.messages.push(...container.sink.messages);
      }
      expect(outputsByKey(split.sink)).toEqual(reference);
    }
  });

  it('loads once and commits once per batch, whatever the number of keys', async () => {
    const state = new MemoryStateStore();
    const fn = testHarness(makeFunction(), { state });
    await fn.invoke(Array.from({ length: 50 }, (_, i) => ({ key: `key-${i}`, value: new Float32Array([i]) })));
    expect(state.calls).toEqual({ load: 1, commit: 1 });
    expect(state.keys()).toHaveLength(50);
    expect(fn.reports[0]).toMatchObject({ records: 50, keys: 50, samples: 50, results: 50, committed: 50, deadLetters: 0 });
  });

  it('dead-letters bad records with original bytes and location, without touching their key', async () => {
    const badBytes = Buffer.from([1, 2, 3, 4, 5, 6, 7]);
    const nan = f32leBytes([1, Number.NaN]);
    const records: RecordInput[] = [
      { key: 'a', value: new Float32Array([1, 2]) },
      { key: 'a', value: badBytes, headers: { traceparent: 'trace-1' } },
      { key: 'a', value: nan },
      { key: 'a', value: '{"x":1}', headers: { 'content-type': 'application/avro' } },
      { value: new Float32Array([5]) },
      { key: 'a', value: new Float32Array([3, 4]) },
    ];
    const fn = testHarness(makeFunction());
    await fn.invoke(records, { topic: 'raw-audio' });
    const letters = fn.sink.onTopic('raw-audio.dlq');
    expect(letters.map((l) => l.headers['dspfn-source-offset'])).toEqual(['1', '2', '3', '4']);
    expect(Buffer.compare(letters[0]!.value as Buffer, badBytes)).toBe(0);
    expect(letters[0]!.key!.toString()).toBe('a');
    expect(letters[0]!.headers['dspfn-source-topic']).toBe('raw-audio');
    expect(letters[0]!.headers['dspfn-source-partition']).toBe('0');
    expect(letters[0]!.headers['traceparent']!.toString()).toBe('trace-1');
    expect(letters[0]!.headers['dspfn-error-code']).toBe(ErrorCode.InvalidSamples);
    expect(String(letters[0]!.headers['dspfn-error-reason'])).toMatch(/7 bytes, not a whole number of 4-byte samples/);
    expect(Buffer.compare(letters[1]!.value as Buffer, nan)).toBe(0);
    expect(String(letters[1]!.headers['dspfn-error-reason'])).toMatch(/sample 1 is not a finite/);
    // No codec for application/avro: the function's f32le codec read the 7 JSON bytes and says so.
    expect(String(letters[2]!.headers['dspfn-error-reason'])).toMatch(/not a whole number of 4-byte samples \(the record's content-type "application\/avro" maps to no codec, so f32le read it/);
    expect(String(letters[3]!.headers['dspfn-error-reason'])).toMatch(/no key/);
    expect(letters[3]!.key).toBeNull();

    const clean = testHarness(makeFunction());
    await clean.invoke([records[0]!, records[5]!]);
    expect(outputsByKey(fn.sink)).toEqual(outputsByKey(clean.sink));
  });

  it('checks the channel count of interleaved input', async () => {
    const fn = testHarness(makeFunction({ channels: 2 }));
    await fn.invoke([{ key: 'a', value: new Float32Array([1, 2, 3]) }]);
    expect(String(fn.sink.ofKind('dead-letter')[0]!.headers['dspfn-error-reason'])).toMatch(/not whole frames of 2/);
  });

  it('skips records a redelivered batch already applied, leaving state as after the first delivery', async () => {
    const state = new MemoryStateStore();
    const records = numbered(stream(12));
    const fn = testHarness(makeFunction(), { state });
    await fn.invoke(records);
    const after = new Map(state.keys().map((k) => [k, state.get(k)!.snapshot]));
    await fn.invoke(records);
    expect(fn.reports[1]).toMatchObject({ skipped: 12, results: 0, committed: 0 });
    for (const [key, snapshot] of after) expect(state.get(key)!.snapshot).toEqual(snapshot);
  });

  it('fails the batch and commits nothing when the sink fails; the retry then produces everything', async () => {
    const state = new MemoryStateStore();
    const sink = new MemorySink();
    const flaky = flakySink(sink);
    const handler = makeFunction().dspfn.withRuntime({ sink: flaky, state, backend: jsBackend, logger: jsonLogger({}, 'silent') });
    const event = mskEvent(numbered(stream(9)));
    await expect(handler(event, lambdaContext())).rejects.toThrow('broker unavailable');
    expect(state.keys()).toEqual([]);
    await handler(event, lambdaContext());
    const reference = testHarness(makeFunction());
    await reference.invoke(numbered(stream(9)));
    expect(outputsByKey(sink)).toEqual(outputsByKey(reference.sink));
  });

  it('fails the batch when the state commit fails or conflicts', async () => {
    const state = new MemoryStateStore();
    const failing: StateStore = {
      name: 'failing',
      load: (keys) => state.load(keys),
      commit: async () => {
        throw new Error('redis down');
      },
      close: async () => {},
    };
    const fn = testHarness(makeFunction(), { state: failing });
    await expect(fn.invoke(stream(3))).rejects.toThrow('redis down');

    // Another writer advances the key between this batch's load and commit.
    const racing: StateStore = {
      name: 'racing',
      load: (keys) => state.load(keys),
      commit: async (entries: readonly StateEntry[]) => {
        await state.commit(entries.map((e) => ({ ...e, expected: null })));
        return state.commit(entries.map((e) => ({ ...e, offsets: e.offsets.map((o) => ({ ...o, offset: o.offset + 100 })) })));
      },
      close: async () => {},
    };
    const raced = testHarness(makeFunction(), { state: racing });
    await expect(raced.invoke([{ key: 'x', value: new Float32Array([1]) }])).rejects.toThrow(/changed since it was loaded/);
  });

  it('answers batchItemFailures for conflicting keys when the mapping reports them', async () => {
    const state = new MemoryStateStore();
    const definition = { ...makeFunction().dspfn.definition, reportBatchItemFailures: true };
    // Another writer stores key "b" between this batch's load and its commit, having applied only
    // its partition-0 record: not a duplicate of this batch, a conflict.
    const racing: StateStore = {
      name: 'racing',
      load: (keys) => state.load(keys),
      commit: async (entries: readonly StateEntry[]) => {
        const b = entries.find((e) => e.key === 'unit:b')!;
        await state.commit([{ ...b, offsets: b.offsets.filter((o) => o.partition === 0) }]);
        return state.commit(entries);
      },
      close: async () => {},
    };
    const fn = testHarness(defineFunction(definition), { state: racing });
    const response = await fn.invoke([
      { key: 'a', partition: 0, offset: 10, value: new Float32Array([1]) },
      { key: 'b', partition: 0, offset: 11, value: new Float32Array([2]) },
      { key: 'b', partition: 1, offset: 5, value: new Float32Array([3]) },
      { key: 'a', partition: 0, offset: 12, value: new Float32Array([4]) },
    ], { topic: 'in-put' });
    expect(response).toEqual({
      batchItemFailures: [
        { itemIdentifier: { partition: 'in-put-0', offset: 11 } },
        { itemIdentifier: { partition: 'in-put-1', offset: 5 } },
      ],
    });
    expect(state.get('unit:a')!.offsets).toEqual([{ topic: 'in-put', partition: 0, offset: 12 }]);
    const ok = testHarness(defineFunction(definition));
    expect(await ok.invoke([{ key: 'a', value: new Float32Array([1]) }])).toEqual({ batchItemFailures: [] });
  });

  it('refuses state written by another pipeline configuration, or resets it when asked', async () => {
    const state = new MemoryStateStore();
    await testHarness(makeFunction({ window: 4 }), { state }).invoke([{ key: 'a', offset: 0, value: new Float32Array([1, 2]) }]);
    const changed = testHarness(makeFunction({ window: 5 }), { state });
    await expect(changed.invoke([{ key: 'a', offset: 1, value: new Float32Array([3]) }])).rejects.toThrow(/another configuration/);

    const reset = testHarness(makeFunction({ window: 5, onStateMismatch: 'reset' }), { state });
    // Offset 0 stays fenced after the reset; offset 1 runs on fresh filters.
    await reset.invoke([
      { key: 'a', offset: 0, value: new Float32Array([1, 2]) },
      { key: 'a', offset: 1, value: new Float32Array([3]) },
    ]);
    expect(reset.reports[0]).toMatchObject({ skipped: 1, results: 1, committed: 1 });
    expect(reset.sink.json<Out>('out')[0]!.y).toEqual([3]);
  });

  it('logs each batch as one JSON line with the function, request id, size and timings', async () => {
    const lines: string[] = [];
    const handler = makeFunction().dspfn.withRuntime({
      sink: new MemorySink(),
      state: new MemoryStateStore(),
      backend: jsBackend,
      logger: jsonLogger({ function: 'unit' }, 'info', (line) => lines.push(line)),
    });
    const context = lambdaContext();
    await handler(mskEvent(stream(4)), context);
    const entry = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', message: 'batch processed', function: 'unit', requestId: context.awsRequestId, records: 4 });
    expect(entry.timings).toHaveProperty('total');
  });

  it('emits raw f32le results with channel, timestamp and sample-rate headers', async () => {
    const fn = testHarness(
      defineFunction({
        name: 'raw',
        pipeline: pipeline({ channels: 2 }).movingAverage({ window: 2 }),
        input: (payload) => ({ key: 'k', samples: (payload as { value: number[] }).value, sampleRate: 50, timestamp: 1_700_000_000_123.25 }),
        output: { topic: 'raw-out', format: 'f32le' },
      }),
    );
    await fn.invoke([{ value: [1, 10, 3, 30] }]);
    const [message] = fn.sink.onTopic('raw-out');
    const bytes = message!.value as Buffer;
    expect([0, 4, 8, 12].map((at) => bytes.readFloatLE(at))).toEqual([1, 10, 2, 20]);
    expect(message!.headers).toMatchObject({ 'content-type': 'application/x-f32le', 'dspfn-channels': '2', 'dspfn-timestamp': '1700000000123.25', 'dspfn-sample-rate': '50' });
  });

  it('keeps middlewares added with use() when rebound to other adapters', async () => {
    const seen: string[] = [];
    const handler = makeFunction().use({ before: () => void seen.push('before'), after: () => void seen.push('after') });
    await testHarness(handler).invoke([{ key: 'a', value: new Float32Array([1]) }]);
    expect(seen).toEqual(['before', 'after']);
  });

  it('warm() creates the adapters once and warms them; the first batch then uses the same ones', async () => {
    const calls: string[] = [];
    const state = new MemoryStateStore();
    const sink = new MemorySink();
    const warmState: StateStore = {
      name: 'warm-state',
      warm: async () => void calls.push('state'),
      load: (keys) => state.load(keys),
      commit: (entries) => state.commit(entries),
      close: () => state.close(),
    };
    const warmSink: Sink = { name: 'warm-sink', warm: async () => void calls.push('sink'), send: (m) => sink.send(m), close: async () => {} };
    const fn = makeFunction().dspfn.withRuntime({ state: warmState, sink: warmSink, backend: jsBackend, logger: jsonLogger({}, 'silent') });
    await fn.dspfn.warm();
    expect(calls.sort()).toEqual(['sink', 'state']);
    await fn(mskEvent(stream(6)), lambdaContext());
    expect(sink.messages.filter((m) => m.kind === 'result')).toHaveLength(6);
    expect(calls).toHaveLength(2);
  });

  it('warm() logs an adapter that cannot connect as a warning and resolves; adapters without warm() are skipped', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const failing: Sink = { name: 'down', warm: () => Promise.reject(new Error('broker unreachable')), send: async () => {}, close: async () => {} };
    const fn = makeFunction().dspfn.withRuntime({
      state: new MemoryStateStore(),
      sink: failing,
      backend: jsBackend,
      logger: { log: (level, message, fields) => void lines.push({ level, message, ...fields }) },
    });
    await expect(fn.dspfn.warm()).resolves.toBeUndefined();
    expect(lines).toEqual([{ level: 'warn', message: 'warm-up failed; the first batch connects again', adapter: 'down', error: 'broker unreachable' }]);
  });

  it('warm() stops waiting at its timeout, so a slow server cannot hold up init', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const slow: Sink = { name: 'slow', warm: () => new Promise(() => {}), send: async () => {}, close: async () => {} };
    const fn = makeFunction().dspfn.withRuntime({
      state: new MemoryStateStore(),
      sink: slow,
      backend: jsBackend,
      logger: { log: (level, message, fields) => void lines.push({ level, message, ...fields }) },
    });
    await expect(fn.dspfn.warm({ timeoutMs: 20 })).resolves.toBeUndefined();
    expect(lines).toEqual([{ level: 'warn', message: 'warm-up still running after 20 ms; the first batch waits for it', adapter: 'slow' }]);
  });

  it('warm() on the exported handler acts only on Lambda, where a configuration error throws', async () => {
    const saved = { state: process.env.DSPFN_STATE, name: process.env.AWS_LAMBDA_FUNCTION_NAME, backend: process.env.DSPFN_BACKEND };
    process.env.DSPFN_STATE = 'dynamodb://nope';
    // On Lambda the native module is required at definition; this test is about the state store.
    process.env.DSPFN_BACKEND = 'js';
    try {
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      // Off Lambda: nothing is created, so the bad setting is not even read.
      await expect(makeFunction().dspfn.warm()).resolves.toBeUndefined();
      process.env.AWS_LAMBDA_FUNCTION_NAME = 'unit';
      await expect(makeFunction().dspfn.warm()).rejects.toBeInstanceOf(ConfigError);
    } finally {
      for (const [name, value] of [['DSPFN_STATE', saved.state], ['AWS_LAMBDA_FUNCTION_NAME', saved.name], ['DSPFN_BACKEND', saved.backend]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('fails at cold start on Lambda when a DSPFN_* value is invalid, naming the variable', async () => {
    const saved = { level: process.env.DSPFN_LOG_LEVEL, name: process.env.AWS_LAMBDA_FUNCTION_NAME };
    process.env.DSPFN_LOG_LEVEL = 'verbose';
    try {
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      // Off Lambda the definition loads; a handler that needs the default logger fails its batch.
      const local = makeFunction().dspfn.withRuntime({ state: new MemoryStateStore(), sink: new MemorySink(), backend: jsBackend });
      await expect(local(mskEvent([{ key: 'a', value: new Float32Array([1]) }]), lambdaContext())).rejects.toThrow(
        'DSPFN_LOG_LEVEL must be one of debug, info, warn, error, silent',
      );
      process.env.AWS_LAMBDA_FUNCTION_NAME = 'unit';
      expect(() => makeFunction()).toThrow(ConfigError);
      expect(() => makeFunction()).toThrow(/^DSPFN_LOG_LEVEL must be one of/);
    } finally {
      for (const [name, value] of [['DSPFN_LOG_LEVEL', saved.level], ['AWS_LAMBDA_FUNCTION_NAME', saved.name]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('hands each event\'s bootstrap servers to the sink with its messages', async () => {
    const sources: unknown[] = [];
    const sink: Sink = { name: 'recording', send: async (_messages, source) => void sources.push(source), close: async () => {} };
    const fn = makeFunction().dspfn.withRuntime({ sink, state: new MemoryStateStore(), backend: jsBackend, logger: jsonLogger({}, 'silent') });
    await fn(mskEvent([{ key: 'a', value: new Float32Array([1]) }], { bootstrapServers: 'b-1.x:9098, b-2.x:9098' }), lambdaContext());
    expect(sources).toEqual([{ bootstrapServers: ['b-1.x:9098', 'b-2.x:9098'] }]);
  });

  it('rejects unknown or invalid options at definition time', () => {
    const base = { name: 'x', pipeline: pipeline().rms({ window: 2 }), output: { topic: 't', value: () => 1 } };
    expect(() => defineFunction({ ...base, codex: 'json' } as never)).toThrow(/codex/);
    expect(() => defineFunction({ ...base, name: 'bad name' })).toThrow(ConfigError);
    expect(() => defineFunction({ ...base, codec: 'avro' as never })).toThrow(/codec/);
    expect(() => defineFunction({ ...base, output: { topic: 't' } as never })).toThrow(/output/);
  });
});
