import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pipeline } from '../dsp/pipeline.ts';
import { ConfigError } from '../errors.ts';
import { kafkaRecord } from '../events/build.ts';
import { defineFunction } from '../handler/define-function.ts';
import { MemorySink } from '../sink/memory.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { readReplayFile, type ReplayRecord } from './replay-file.ts';
import { replay } from './replay.ts';

function file(lines: readonly unknown[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dspfn-replay-file-')), 'events.ndjson');
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return path;
}

const reading = (offset: number, key: string, data: number[], partition = 0): ReplayRecord =>
  kafkaRecord({ topic: 'in', partition, offset, key, value: data }) as ReplayRecord;

const fn = defineFunction({
  name: 'replay-file',
  pipeline: pipeline().movingAverage({ window: 2 }),
  output: { topic: 'out', value: ({ record, output }) => ({ offset: record.offset, y: Array.from(output) }) },
});

async function replayed(path: string, batchSize = 100) {
  const sink = new MemorySink();
  const summary = await replay({ handler: fn, events: path, sink, state: new MemoryStateStore(), batchSize, logLevel: 'silent' });
  return { summary, sink };
}

describe('replay files', () => {
  it('accept tombstones (no value, or a null value) and replay past them: skipped, nothing dead-lettered', async () => {
    const absent = { ...reading(1, 'a', []) } as Partial<ReplayRecord>;
    delete absent.value;
    const path = file([reading(0, 'a', [1, 2]), absent, { ...reading(2, 'a', []), value: null }, reading(3, 'a', [3])]);
    const lines = [];
    for await (const line of readReplayFile(path)) lines.push(line.record);
    expect(lines.map((r) => r.value ?? null)).toEqual([reading(0, 'a', [1, 2]).value, null, null, reading(3, 'a', [3]).value]);

    const { summary, sink } = await replayed(path, 2);
    expect(summary).toMatchObject({ records: 4, results: 2, deadLetters: 0, tombstones: 2 });
    // As if the tombstones were not there: they touch no state.
    const without = await replayed(file([reading(0, 'a', [1, 2]), reading(3, 'a', [3])]));
    expect(sink.json('out')).toEqual(without.sink.json('out'));
    expect(sink.json('out').map((o) => (o as { offset: number }).offset)).toEqual([0, 3]);
  });

  it('refuse a partition whose offsets go back, naming the line, before any record is delivered', async () => {
    const path = file([reading(0, 'a', [1]), reading(5, 'a', [2]), reading(0, 'b', [9], 1), reading(3, 'a', [3]), reading(6, 'a', [4])]);
    const sink = new MemorySink();
    const error = await replay({ handler: fn, events: path, sink, state: new MemoryStateStore(), logLevel: 'silent' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `${path}:4: offset 3 of in-0 comes after offset 5 (line 2); Kafka delivers a partition in increasing offset order, so records would be skipped as already applied. Sort the file by offset within each partition.`,
    );
    expect(sink.messages).toEqual([]);
  });

  it('refuse an offset that appears twice in a partition, whatever its payload', async () => {
    for (const again of [reading(1, 'a', [2]), reading(1, 'a', [7])]) {
      const path = file([reading(0, 'a', [1]), reading(1, 'a', [2]), again]);
      const error = await replayed(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(`${path}:3: offset 1 of in-0 appears twice (line 2); a partition delivers each offset once.`);
    }
  });

  it('name the line of a record that is not a replay record, without quoting the line', async () => {
    const secret = 'sk_live_0123456789';
    const path = file([reading(0, 'a', [1])]);
    writeFileSync(path, readFileSync(path, 'utf8') + `{"topic":"in","partition":0,"offset":1,"timestamp":"${secret}"}\n{not json ${secret}\n`);
    const error = await replayed(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(new RegExp(`^${path}:2: not a replay record: timestamp: `));
    expect((error as Error).message).not.toContain(secret);
    writeFileSync(path, `{not json ${secret}\n`);
    const notJson = await replayed(path).catch((e: unknown) => e);
    expect((notJson as Error).message).toBe(`${path}:1: not JSON at position 1`);
  });
});
