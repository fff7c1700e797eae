import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { defineFunction } from '../handler/define-function.ts';
import { pipeline } from '../dsp/pipeline.ts';
import { MemorySink } from '../sink/memory.ts';
import { cutBatches, recordEventBytes, readReplayFile, replay, type LocalFunction, type ReplayRecord, type ReplaySummary } from '../local/index.ts';
import { loadFunction } from './load-function.ts';
import { keyPartitioner, synthInputs, toReplayRecords } from '../local/make-events.ts';
import { ReplayFailedError } from '../errors.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', 'bin', 'dspfn.js');
const root = join(import.meta.dirname, '..', '..');

function tempFile(name: string, lines: readonly unknown[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dspfn-')), name);
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return path;
}

async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

describe('replay batching', () => {
  const records = toReplayRecords(synthInputs({ kind: 'sensor', devices: 5, records: 9, samples: 4, sampleRate: 100, seed: 3, format: 'json', malformed: 0 }), { topic: 's', partitions: 3 });

  it('keeps per-partition order and respects the batch size', async () => {
    const batches: ReplayRecord[][] = [];
    for await (const batch of cutBatches(from(records.map((record) => ({ record }))), { batchSize: 7, windowMs: Infinity })) batches.push(batch.map((b) => b.record));
    expect(batches.every((b) => b.length <= 7)).toBe(true);
    expect(batches.flat()).toEqual(records);
    const seen = new Map<number, number>();
    for (const r of batches.flat()) {
      expect(r.offset).toBe((seen.get(r.partition) ?? -1) + 1);
      seen.set(r.partition, r.offset);
    }
  });

  it('never builds an event over the payload limit', async () => {
    const limit = 3 * recordEventBytes(records[0]!) + 600;
    for await (const batch of cutBatches(from(records.map((record) => ({ record }))), { batchSize: 100, windowMs: Infinity, maxEventBytes: limit })) {
      expect(batch.length).toBeLessThanOrEqual(3);
    }
  });

  it('closes a batch once a record is stamped more than the batching window after its first', async () => {
    const stamped = [0, 10, 50, 51, 52, 200, 200, 260, 1_000].map((timestamp, offset): ReplayRecord => ({ ...records[0]!, partition: 0, offset, timestamp }));
    const cut = async (options: { batchSize: number; windowMs?: number }): Promise<number[][]> => {
      const limits = { batchSize: options.batchSize, windowMs: options.windowMs ?? Infinity };
      const batches: number[][] = [];
      for await (const batch of cutBatches(from(stamped.map((record) => ({ record }))), limits)) batches.push(batch.map((b) => b.record.timestamp));
      return batches;
    };
    expect(await cut({ batchSize: 100, windowMs: 50 })).toEqual([[0, 10, 50], [51, 52], [200, 200], [260], [1_000]]);
    // The size limit still applies inside a window, and without a window batches fill up.
    expect(await cut({ batchSize: 2, windowMs: 50 })).toEqual([[0, 10], [50, 51], [52], [200, 200], [260], [1_000]]);
    expect(await cut({ batchSize: 100 })).toEqual([stamped.map((r) => r.timestamp)]);
    expect(await cut({ batchSize: 100, windowMs: 0 })).toEqual([[0], [10], [50], [51], [52], [200, 200], [260], [1_000]]);
  });

  it('partitions keys like Kafka and numbers offsets per partition', () => {
    const partitionOf = keyPartitioner(3);
    for (const r of records) expect(r.partition).toBe(partitionOf(Buffer.from(r.key!, 'base64').toString(), 0));
    expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
  });
});

describe('replay', () => {
  it('replays the bundled sensor-rms file: every record produced or dead-lettered', async () => {
    const { handler } = await loadFunction('sensor-rms', root);
    const sink = new MemorySink();
    const events = join(root, 'functions/sensor-rms/events.ndjson');
    const summary = await replay({ handler, events, sink, logLevel: 'silent' });
    let lines = 0;
    for await (const _ of readReplayFile(events)) lines++;
    expect(summary.records).toBe(lines);
    expect(summary.batches).toBe(Math.ceil(lines / 100));
    expect(summary.results + summary.deadLetters).toBe(lines);
    expect(summary.deadLetters).toBe(1);
    expect(sink.onTopic('sensors.dlq')).toHaveLength(1);
    expect(summary.samples).toBeGreaterThan(0);
    expect(summary.handlerP99Ms).toBeGreaterThanOrEqual(summary.handlerP50Ms);
  });

  it('retries a failing batch, then stops with the batch named and a summary', async () => {
    let calls = 0;
    const handler = defineFunction({
      name: 'flaky',
      codec: 'f32le',
      pipeline: pipeline().rms({ window: 2 }),
      output: {
        topic: 'o',
        value: () => {
          calls++;
          return {};
        },
      },
    });
    const failing = new MemorySink();
    failing.send = async () => {
      throw new Error('broker down');
    };
    const events = tempFile('e.ndjson', toReplayRecords([{ key: 'a', value: new Float32Array([1]) }], { topic: 't', partitions: 1 }));
    const error = await replay({ handler, events, sink: failing, retries: 2, logLevel: 'silent' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayFailedError);
    expect((error as ReplayFailedError).message).toMatch(/batch 1 \(t-0@0\.\.0\) failed 3 time\(s\), retries spent: broker down/);
    expect(calls).toBe(3);
    expect((error as ReplayFailedError<ReplaySummary>).summary.retries).toBe(2);
  });

  it('honours batchItemFailures like consume: resumes each partition from its failed offset', async () => {
    const calls: string[][] = [];
    const handler: LocalFunction = {
      dspfn: {
        definition: { name: 'partial' },
        withRuntime: () => async (event) => {
          const ids = Object.values(event.records).flat().map((r) => `${r.partition}@${r.offset}`);
          calls.push(ids);
          if (calls.length > 1) return { batchItemFailures: [] };
          return { batchItemFailures: [{ itemIdentifier: { partition: 't-0', offset: 1 } }, { itemIdentifier: { partition: 't-1', offset: 2 } }] };
        },
      },
    };
    const lines = [0, 1, 2].flatMap((offset) => [0, 1].map((partition) => ({ topic: 't', partition, offset, timestamp: offset, value: 'AA==' })));
    const events = tempFile('partial.ndjson', lines);
    const summary = await replay({ handler, events, sink: new MemorySink(), logLevel: 'silent' });
    expect(calls).toEqual([['0@0', '0@1', '0@2', '1@0', '1@1', '1@2'], ['0@1', '0@2', '1@2']]);
    expect(summary).toMatchObject({ records: 6, batches: 1, retries: 1 });
  });

  it('sets a batch whose retries are spent aside on the on-failure topic, then goes on', async () => {
    const handler: LocalFunction = {
      dspfn: {
        definition: { name: 'poison' },
        withRuntime: () => async (event) => {
          if (Object.values(event.records).flat().some((r) => r.offset === 1)) throw new Error('poison');
        },
      },
    };
    const events = tempFile('poison.ndjson', [0, 1, 2].map((offset) => ({ topic: 't', partition: 0, offset, timestamp: offset, value: 'AA==', headers: [{ h: [1] }] })));
    const sink = new MemorySink();
    const summary = await replay({ handler, events, sink, batchSize: 1, retries: 1, onFailureTopic: 't.failed', logLevel: 'silent' });
    expect(summary).toMatchObject({ records: 3, batches: 3, retries: 1, onFailure: 1 });
    const [letter] = sink.onTopic('t.failed');
    expect(letter!.headers).toMatchObject({ h: Buffer.from([1]), 'dspfn-source-offset': '1', 'dspfn-error-code': 'DSPFN_BATCH_FAILED', 'dspfn-error-reason': 'poison', 'dspfn-attempts': '2' });
  });

  it('names the line of a malformed replay file', async () => {
    const { handler } = await loadFunction('sensor-rms', root);
    const events = tempFile('bad.ndjson', [{ topic: 't', partition: 0, offset: 0, timestamp: 1, value: 'AA==' }, { topic: 't' }]);
    await expect(replay({ handler, events, sink: new MemorySink() })).rejects.toThrow(/bad\.ndjson:2: not a replay record/);
  });

  it('explains what it tried when a function cannot be found', async () => {
    await expect(loadFunction('no-such-fn', root)).rejects.toThrow(/cannot find function "no-such-fn": tried .*functions\/no-such-fn/);
  });
});

describe('dspfn CLI', () => {
  it('generates events and replays them to an output file in the documented line format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspfn-cli-'));
    const values = join(dir, 'values.json');
    writeFileSync(values, JSON.stringify([
      { deviceId: 'd1', sampleRate: 10, data: [1, 2, 3] },
      { deviceId: 'd2', sampleRate: 10, data: [4] },
      { deviceId: 'd1', sampleRate: 10, data: [5] },
    ]));
    const events = join(dir, 'events.ndjson');
    await run(process.execPath, [cli, 'events', 'from-values', values, '--topic', 'sensors', '--key-field', 'deviceId', '--out', events], { cwd: root });
    const out = join(dir, 'out.ndjson');
    const { stderr } = await run(process.execPath, [cli, 'replay', 'sensor-rms', '--events', events, '--out', out, '--batch-size', '2'], { cwd: root });
    expect(stderr).toMatch(/records\s+3/);
    expect(stderr).toMatch(/batches\s+2/);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ topic: 'sensor-rms', key: 'd1', value: { deviceId: 'd1', partition: 0, offset: 0 } });
    expect((lines[0]!.value as { rms: number[] }).rms).toHaveLength(3);
    expect((lines[0]!.headers as Record<string, string>)['dspfn-source-topic']).toBe('sensors');
  });

  it('replays with --batch-window on the records\' timestamps', async () => {
    const record = (offset: number, timestamp: number) => ({
      topic: 'sensors',
      partition: 0,
      offset,
      timestamp,
      key: Buffer.from('d1').toString('base64'),
      value: Buffer.from(JSON.stringify({ deviceId: 'd1', sampleRate: 10, data: [offset] })).toString('base64'),
    });
    const events = tempFile('stamped.ndjson', [record(0, 1_000), record(1, 1_400), record(2, 1_600), record(3, 1_700)]);
    const out = join(mkdtempSync(join(tmpdir(), 'dspfn-cli-')), 'out.ndjson');
    const windowed = await run(process.execPath, [cli, 'replay', 'sensor-rms', '--events', events, '--out', out, '--batch-window', '500', '--no-progress'], { cwd: root });
    expect(windowed.stderr).toMatch(/batches\s+2/);
    const filled = await run(process.execPath, [cli, 'replay', 'sensor-rms', '--events', events, '--out', out, '--no-progress'], { cwd: root });
    expect(filled.stderr).toMatch(/batches\s+1/);
    const error = await run(process.execPath, [cli, 'replay', 'sensor-rms', '--events', events, '--batch-window', '300001'], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
    expect((error as { stderr: string }).stderr).toMatch(/--batch-window.*expected an integer from 0 to 300000/);
  });

  it('exits non-zero with a clear message on bad arguments', async () => {
    const error = await run(process.execPath, [cli, 'replay', 'sensor-rms', '--events', '/nonexistent.ndjson'], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
    expect((error as { code: number }).code).toBe(1);
    expect((error as { stderr: string }).stderr).toMatch(/cannot read replay file \/nonexistent\.ndjson/);
  });
});

describe('ndjson output', () => {
  it('writes JSON values spliced in and other values as base64, both parseable', async () => {
    const { outputLineText, toOutputLine } = await import('../sink/ndjson.ts');
    const json = { kind: 'result' as const, topic: 't', key: 'k', value: '{"a":[1.5,2]}', headers: { 'content-type': 'application/json', h: Buffer.from('x') } };
    expect(JSON.parse(outputLineText(json))).toEqual(toOutputLine(json));
    expect(JSON.parse(outputLineText(json))).toEqual({ topic: 't', key: 'k', value: { a: [1.5, 2] }, headers: { 'content-type': 'application/json', h: 'x' } });
    const raw = { kind: 'dead-letter' as const, topic: 'd', key: null, value: Buffer.from([0, 255]), headers: {} };
    expect(JSON.parse(outputLineText(raw))).toEqual({ topic: 'd', key: null, valueBase64: 'AP8=', headers: {} });
  });
});
