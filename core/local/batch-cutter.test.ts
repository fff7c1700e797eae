import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { kafkaRecord } from '../events/build.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { BatchCutter, cutBatches, RecordCutter, recordTime, wallTime } from './batch-cutter.ts';
import { PartitionWorker } from './partition-worker.ts';
import { readReplayFile, type ReplayLine, type ReplayRecord } from './replay-file.ts';

/** A one-partition replay file whose records arrive in bursts: several share a timestamp. */
function burstyFile(): { path: string; records: ReplayRecord[] } {
  const stamps = [0, 0, 0, 0, 0, 7, 7, 8, 20, 20, 20, 21, 21, 40, 41, 41, 41, 41, 41, 41, 41, 90];
  const records = stamps.map((timestamp, offset) => kafkaRecord({ topic: 'bursts', partition: 0, offset, timestamp, key: `k${offset % 3}`, value: [offset] }, {}));
  const path = join(mkdtempSync(join(tmpdir(), 'dspfn-cutter-')), 'bursts.ndjson');
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { path, records };
}

async function collect(lines: AsyncIterable<ReplayLine>): Promise<ReplayRecord[]> {
  const out: ReplayRecord[] = [];
  for await (const line of lines) out.push(line.record);
  return out;
}

/** replay's path: the file cut on record time. */
async function onRecordTime(path: string, batchSize: number): Promise<number[][]> {
  const batches: number[][] = [];
  for await (const batch of cutBatches(readReplayFile(path), { batchSize, windowMs: 0 }, recordTime)) batches.push(batch.map((l) => l.record.offset));
  return batches;
}

/**
 * consume's path: the same records reach a PartitionWorker as a consumer would fetch them, each
 * burst at its own moment of a wall clock (driven here), the worker done with one before the next.
 */
async function onWallTime(records: readonly ReplayRecord[], batchSize: number): Promise<number[][]> {
  const batches: number[][] = [];
  const clock = new ManualClock(1_000);
  const worker = new PartitionWorker(
    'bursts',
    0,
    { batchSize, batchWindowMs: 0, maxRetries: -1, retryDelayMs: 1, maxBufferedRecords: 1_000, clock },
    {
      invoke: async (taken) => {
        batches.push(taken.map((r) => r.offset));
        return { status: 'ok' };
      },
      commit: async () => {},
      discard: async () => {},
      pause: () => {},
      resume: () => {},
      succeeded: () => {},
      failed: () => {},
      commitFailed: () => {},
    },
  );
  for (let i = 0; i < records.length; ) {
    let j = i;
    while (j < records.length && records[j]!.timestamp === records[i]!.timestamp) j++;
    clock.advance(1_000 + records[i]!.timestamp - clock.now());
    worker.push(records.slice(i, j));
    await worker.idle();
    i = j;
  }
  await worker.stop();
  return batches;
}

describe('BatchCutter', () => {
  it('gives the same batches on record time (replay) and on wall time (consume) when the window is 0', async () => {
    const { path } = burstyFile();
    const records = await collect(readReplayFile(path));
    for (const batchSize of [1, 3, 100]) {
      const replayed = await onRecordTime(path, batchSize);
      expect(replayed.flat()).toEqual(records.map((r) => r.offset));
      expect(await onWallTime(records, batchSize)).toEqual(replayed);
    }
    // With window 0 a batch is a burst (records that arrived together), split by the size limit.
    expect(await onRecordTime(path, 3)).toEqual([[0, 1, 2], [3, 4], [5, 6], [7], [8, 9, 10], [11, 12], [13], [14, 15, 16], [17, 18, 19], [20], [21]]);
  });

  it('closes a batch at its window on either clock: a record arriving later starts the next', () => {
    const item = (timestamp: number, offset: number) => ({ record: kafkaRecord({ offset, timestamp, value: 1 }, {}) });
    const cutter = new BatchCutter<{ record: ReplayRecord }>({ batchSize: 10, windowMs: 50 }, recordTime);
    cutter.push(item(100, 0));
    expect(cutter.deadline()).toBe(150);
    expect(cutter.closesBefore(item(150, 1))).toBe(false);
    cutter.push(item(150, 1));
    expect(cutter.closesBefore(item(151, 2))).toBe(true);
    expect(cutter.cut().map((i) => i.record.offset)).toEqual([0, 1]);
    expect(cutter.deadline()).toBe(Infinity);

    // On wall time a record arrives when it is pushed, whatever its own timestamp says.
    const now = vi.spyOn(performance, 'now').mockReturnValue(5_000);
    const wall = new BatchCutter<{ record: ReplayRecord }>({ batchSize: 10, windowMs: 50 }, wallTime);
    wall.push(item(0, 0));
    now.mockRestore();
    expect(wall.deadline()).toBe(5_050);
  });

  it('never builds an event over the payload limit, and sends a record over it alone', () => {
    const big = (offset: number) => ({ record: kafkaRecord({ offset, value: 'x'.repeat(3000) }, {}) });
    const cutter = new BatchCutter<{ record: ReplayRecord }>({ batchSize: 100, windowMs: Infinity, maxEventBytes: 9_000 }, recordTime);
    for (let i = 0; i < 5; i++) cutter.push(big(i));
    expect(cutter.full()).toBe(true);
    expect(cutter.cut().map((i) => i.record.offset)).toEqual([0, 1]);
    const tiny = new BatchCutter<{ record: ReplayRecord }>({ batchSize: 100, windowMs: Infinity, maxEventBytes: 100 }, recordTime);
    tiny.push(big(7));
    tiny.push(big(8));
    expect(tiny.cut().map((i) => i.record.offset)).toEqual([7]);
  });
  it('tells the arrivals of a cut batch once per run of records that arrived together', () => {
    const cutter = new BatchCutter<{ record: ReplayRecord }>({ batchSize: 5, windowMs: 0 }, recordTime);
    const at = [4, 4, 4, 9, 9, 4, 6];
    at.forEach((arrival, offset) => cutter.push({ record: kafkaRecord({ topic: 't', partition: 0, offset, timestamp: 0, key: 'k', value: [offset] }, {}) }, arrival));
    const runs: Array<[number, number]> = [];
    expect(cutter.cut((arrival, records) => runs.push([arrival, records])).map((i) => i.record.offset)).toEqual([0, 1, 2, 3, 4]);
    expect(runs).toEqual([
      [4, 3],
      [9, 2],
    ]);
    runs.length = 0;
    cutter.cut((arrival, records) => runs.push([arrival, records]));
    expect(runs).toEqual([
      [4, 1],
      [6, 1],
    ]);
  });

  it('cuts records held as themselves (RecordCutter, consume) exactly as records held in items', () => {
    const limits = { batchSize: 4, windowMs: 10, maxEventBytes: 4_000 };
    const wrapped = new BatchCutter<{ record: ReplayRecord }>(limits, recordTime);
    const bare = new RecordCutter<ReplayRecord>(limits, recordTime);
    const records = Array.from({ length: 23 }, (_, offset) => kafkaRecord({ topic: 't', partition: 0, offset, timestamp: offset * 3, key: 'k', value: 'x'.repeat((offset * 389) % 1_700) }, {}));
    const fromWrapped: Array<{ offsets: number[]; runs: number[][] }> = [];
    const fromBare: typeof fromWrapped = [];
    const cut = (cutter: BatchCutter<{ record: ReplayRecord }> | RecordCutter<ReplayRecord>, into: typeof fromWrapped, of: (item: never) => ReplayRecord) => {
      const runs: number[][] = [];
      const batch = (cutter.cut as (arrived: (at: number, n: number) => void) => never[])((at, n) => runs.push([at, n]));
      into.push({ offsets: batch.map((item) => of(item).offset), runs });
    };
    for (const record of records) {
      expect(bare.closesBefore(record)).toBe(wrapped.closesBefore({ record }));
      if (wrapped.closesBefore({ record })) {
        cut(wrapped, fromWrapped, (item: { record: ReplayRecord }) => item.record);
        cut(bare, fromBare, (item: ReplayRecord) => item);
      }
      wrapped.push({ record });
      bare.push(record);
      expect([bare.size, bare.deadline(), bare.full()]).toEqual([wrapped.size, wrapped.deadline(), wrapped.full()]);
    }
    bare.putBack(records.slice(0, 2), 1);
    wrapped.putBack(records.slice(0, 2).map((record) => ({ record })), 1);
    while (wrapped.size > 0) {
      cut(wrapped, fromWrapped, (item: { record: ReplayRecord }) => item.record);
      cut(bare, fromBare, (item: ReplayRecord) => item);
    }
    expect(bare.size).toBe(0);
    expect(fromWrapped.length).toBeGreaterThan(5);
    expect(fromBare).toEqual(fromWrapped);
  });
});
