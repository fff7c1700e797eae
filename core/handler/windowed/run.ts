import type { DspBackend } from '../../dsp/backend.ts';
import type { Logger } from '../../logger/logger.ts';
import type { StoredState } from '../../state/store.ts';
import type { KeyWindows } from '../../windows/key-windows.ts';
import type { ClosedWindow, WindowRecord } from '../../windows/engine.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { DecodedRecord } from '../steps/decode.ts';
import { OutputSlab, outputView, runBlock } from '../steps/key-block.ts';
import { stateKeyOf } from '../steps/load-state.ts';
import { indexKeyOf, restoreIndex, restoreKey, type LoadedIndex, type WindowedKey } from './state.ts';

/** One partition's records of the batch that its keys' fences have not seen, in offset order. */
export interface PartitionRecords<M> {
  readonly topic: string;
  readonly partition: number;
  readonly records: DecodedRecord<M>[];
  /**
   * Records their keys' fences have seen but the partition's index has not (an earlier delivery
   * committed the keys and lost the index to a conflict): the index takes them without their keys
   * running them again, or the windows they opened would never close.
   */
  readonly unindexed?: readonly DecodedRecord<M>[];
}

export interface WindowedRun<M> {
  readonly keys: Map<string, WindowedKey>;
  readonly indexes: Map<string, LoadedIndex>;
  /** In the order they closed, each with the record that closed it (undefined after an idle tick). */
  readonly closed: Array<{ window: ClosedWindow; by: DecodedRecord<M> | undefined }>;
  readonly late: Array<{ item: DecodedRecord<M>; key: string; reason: string; behind: number }>;
  /** Keys whose pipeline or windows changed: their entries are committed. */
  readonly changed: Set<string>;
  /** Each applied record's pipeline output (the values its windows took). */
  readonly outputs: Map<DecodedRecord<M>, Float32Array>;
  applied: number;
  samples: number;
}

/** Event time of a record's first frame, and the time between its frames. */
export function timing<M>(item: DecodedRecord<M>): { time: number; interval: number | undefined } {
  const rate = item.block.sampleRate;
  return { time: item.block.timestamp ?? item.record.timestamp, interval: rate === undefined ? undefined : 1000 / rate };
}

/** The largest event time a partition's records bring (their last frames'). */
export function maxEventTime<M>(records: readonly DecodedRecord<M>[], channels: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const item of records) {
    const { time, interval } = timing(item);
    const frames = item.samples.length / channels;
    max = Math.max(max, time + Math.max(0, frames - 1) * (interval ?? 0));
  }
  return max;
}

/**
 * The batch on its keys and windows, from the stored state as loaded: each key's records through
 * its pipeline as one block, then each partition's records in offset order through the window
 * engine. Records in `excluded` (found late by an earlier pass) are left out entirely, so they
 * touch no state; leaving them out moves no watermark, since a late record's time is behind it.
 */
export function runWindowed<M>(
  partitions: readonly PartitionRecords<M>[],
  stored: ReadonlyMap<string, StoredState>,
  excluded: ReadonlySet<DecodedRecord<M>>,
  fn: PreparedFunction<M>,
  runtime: { backend: DspBackend; logger: Logger; now: number },
): WindowedRun<M> {
  const { engine } = fn.windows!;
  const { spec } = engine;
  const run: WindowedRun<M> = { keys: new Map(), indexes: new Map(), closed: [], late: [], changed: new Set(), outputs: new Map(), applied: 0, samples: 0 };
  const keyOf = (key: string): WindowedKey => {
    let state = run.keys.get(key);
    if (state === undefined) run.keys.set(key, (state = restoreKey(key, stored.get(stateKeyOf(fn.name, key)), fn, spec, runtime.backend, runtime.logger)));
    return state;
  };
  // Each key's records, all partitions, in the order the batch holds them.
  const byKey = new Map<string, DecodedRecord<M>[]>();
  for (const { records } of partitions) {
    for (const item of records) {
      if (excluded.has(item)) continue;
      let list = byKey.get(item.key);
      if (list === undefined) byKey.set(item.key, (list = []));
      list.push(item);
    }
  }
  const outputs = run.outputs;
  const inChannels = fn.channels;
  const outChannels = fn.definition.pipeline.outChannels;
  let inputValues = 0;
  for (const items of byKey.values()) for (const item of items) inputValues += item.samples.length;
  const slab = new OutputSlab((inputValues / inChannels) * outChannels);
  for (const [key, items] of byKey) {
    const state = keyOf(key);
    const output = runBlock(state.pipeline, items, slab);
    let at = 0;
    for (const item of items) {
      outputs.set(item, outputView(output, at, item.samples.length, inChannels, outChannels));
      at += item.samples.length;
      state.pipeline.markAbsorbed(item.record.topic, item.record.partition, item.record.offset);
      run.applied++;
      run.samples += item.samples.length;
    }
    run.changed.add(key);
  }
  for (const { topic, partition, records, unindexed: repaired = [] } of partitions) {
    const loaded = restoreIndex(spec, topic, partition, stored.get(indexKeyOf(fn.name, topic, partition)));
    run.indexes.set(`${topic}-${partition}`, loaded);
    // Nothing to repair (the normal case): no set, no sort.
    const unindexed = repaired.length === 0 ? undefined : new Set(repaired);
    let kept = records.filter((item) => !excluded.has(item) && item.samples.length > 0);
    if (unindexed !== undefined) kept = [...kept, ...repaired.filter((item) => item.samples.length > 0)].sort((a, b) => a.record.offset - b.record.offset);
    const windowRecords: WindowRecord[] = kept.map((item) => {
      const { time, interval } = timing(item);
      const applied = unindexed?.has(item) === true;
      // An applied record's values are not run again: the engine reads only how many frames it has.
      const values = applied ? new Float32Array((item.samples.length / inChannels) * outChannels) : outputs.get(item)!;
      return { key: item.key, offset: item.record.offset, time, ...(interval === undefined ? {} : { interval }), values, ...(applied ? { applied } : {}) };
    });
    // Every key the engine may touch: the records' keys, and those whose windows this batch closes.
    const windows = new Map<string, KeyWindows>();
    for (const key of [...new Set(kept.map((item) => item.key)), ...engine.keysToLoad(loaded.index, windowRecords)]) windows.set(key, keyOf(key).windows);
    const result = engine.process(loaded.index, windows, windowRecords, runtime.now);
    const byOffset = new Map(kept.map((item) => [item.record.offset, item]));
    for (const window of result.closed) run.closed.push({ window, by: 'offset' in window.closedBy ? byOffset.get(window.closedBy.offset) : undefined });
    for (const late of result.late) run.late.push({ item: kept[late.index]!, key: late.key, reason: late.reason, behind: late.behind });
    for (const key of result.touched.keys()) run.changed.add(key);
    for (const item of records) if (!excluded.has(item)) loaded.offset = Math.max(loaded.offset, item.record.offset);
    for (const item of repaired) loaded.offset = Math.max(loaded.offset, item.record.offset);
  }
  return run;
}
