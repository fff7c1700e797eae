import { InvalidSamplesError, StateStoreError } from '../errors.ts';
import { countOf, results, type ChannelAggregates } from './accumulator.ts';
import { formatDuration } from './duration.ts';
import { KeyWindows, type OpenWindow } from './key-windows.ts';
import { PartitionIndex } from './partition-index.ts';
import type { WindowSpec } from './spec.ts';

/** One record's values as the windows see them. */
export interface WindowRecord {
  readonly key: string;
  readonly offset: number;
  /** Event time of the first frame, epoch milliseconds. */
  readonly time: number;
  /** Milliseconds between consecutive frames of the record (several frames only). */
  readonly interval?: number;
  /** Interleaved frames of `spec.channels` values. */
  readonly values: ArrayLike<number>;
  /**
   * Its key's windows hold it already (an earlier delivery committed the key but not the
   * partition's index): only the index learns of it, its event time and the key's open windows.
   */
  readonly applied?: boolean;
}

/** A window the watermark (or an idle tick) closed: emitted once. */
export interface ClosedWindow {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  /** [start, end) in epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  readonly count: number;
  /** The requested aggregates, per channel. */
  readonly channels: readonly ChannelAggregates[];
  /** The record whose event time moved the watermark past `end`, or the wall-clock time of the idle tick. */
  readonly closedBy: { readonly offset: number } | { readonly tick: number };
}

/** A record all of whose frames fall into windows already closed: it touches no state. */
export interface LateRecord {
  /** Position in the records given to `process`. */
  readonly index: number;
  readonly offset: number;
  readonly key: string;
  readonly reason: string;
  /** Milliseconds from the record's last frame to the watermark that had closed its windows. */
  readonly behind: number;
}

export interface WindowRun {
  /** In the order they closed; windows closed together by end, start, key. */
  readonly closed: ClosedWindow[];
  readonly late: LateRecord[];
  /** Frames refused because their windows had closed, in records that were not late as a whole. */
  lateFrames: number;
  /** Keys whose window state changed, with the largest offset that changed it (none for an idle tick). */
  readonly touched: Map<string, number | undefined>;
}

class EndHeap {
  private readonly items: Array<{ end: number; key: string }> = [];

  get size(): number {
    return this.items.length;
  }

  peek(): { end: number; key: string } | undefined {
    return this.items[0];
  }

  private less(a: { end: number; key: string }, b: { end: number; key: string }): boolean {
    return a.end < b.end || (a.end === b.end && a.key < b.key);
  }

  push(item: { end: number; key: string }): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): { end: number; key: string } | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(items[l]!, items[m]!)) m = l;
        if (r < items.length && this.less(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/**
 * Event-time windows, pure: no I/O. Per partition, records are taken in offset order; each moves
 * the partition's watermark (largest event time − allowed lateness) and closes, for every key of
 * the partition, the windows whose end it reached. Results therefore do not depend on how records
 * are cut into batches, provided the key states and the partition index are carried between them.
 */
export class WindowEngine {
  constructor(readonly spec: WindowSpec) {}

  newIndex(topic: string, partition: number): PartitionIndex {
    return new PartitionIndex(this.spec, topic, partition);
  }

  newKey(): KeyWindows {
    return new KeyWindows(this.spec);
  }

  private frameTimes(record: WindowRecord): { first: number; last: number } {
    const frames = record.values.length / this.spec.channels;
    return { first: record.time, last: record.time + (frames - 1) * (record.interval ?? 0) };
  }

  /**
   * Keys without a record in the batch whose windows the batch will close: load them with the
   * batch's keys (the watermark only moves forward, so its value after the batch bounds them).
   */
  keysToLoad(index: PartitionIndex, records: readonly WindowRecord[]): string[] {
    let max = index.maxEventTime;
    for (const record of records) max = Math.max(max, this.frameTimes(record).last);
    const watermark = Math.max(max - this.spec.allowedLateness, index.closedThrough);
    const keys: string[] = [];
    for (const [key, end] of index.openKeys) if (end <= watermark) keys.push(key);
    return keys;
  }

  /** Keys an idle tick at wall-clock `now` closes: every key with open windows once the partition is idle. */
  keysForTick(index: PartitionIndex, now: number): string[] {
    const { idleTimeout } = this.spec;
    if (idleTimeout === undefined || index.openKeys.size === 0 || now - index.lastActivity < idleTimeout) return [];
    return [...index.openKeys.keys()];
  }

  /**
   * Runs one partition's records (offset order) against the key states (missing keys start
   * empty and are added to `keys`). `now` is the wall clock, remembered for the idle timeout.
   */
  process(index: PartitionIndex, keys: Map<string, KeyWindows>, records: readonly WindowRecord[], now: number): WindowRun {
    const run: WindowRun = { closed: [], late: [], lateFrames: 0, touched: new Map() };
    if (records.length === 0) return run;
    const { channels, allowedLateness } = this.spec;
    const heap = new EndHeap();
    for (const [key, end] of index.openKeys) heap.push({ end, key });
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      const frames = record.values.length / channels;
      if (!Number.isInteger(frames) || frames < 1) {
        throw new InvalidSamplesError(`record at offset ${record.offset} has ${record.values.length} values, not whole frames of ${channels}`);
      }
      const watermark = index.watermark();
      if (record.applied === true) {
        const held = keys.get(record.key);
        if (held !== undefined) this.track(index, heap, record.key, held);
      } else {
        let state = keys.get(record.key);
        const created = state === undefined;
        state ??= new KeyWindows(this.spec);
        let accepted = 0;
        let refused: { start: number; end: number } | undefined;
        for (let f = 0; f < frames; f++) {
          const time = record.time + f * (record.interval ?? 0);
          const added = state.add(index.topic, index.partition, time, record.values, f * channels, record.offset, f, watermark);
          if (added.accepted) accepted++;
          else refused ??= added;
        }
        if (accepted === 0) {
          const window = refused!;
          run.late.push({
            index: r,
            offset: record.offset,
            key: record.key,
            behind: watermark - this.frameTimes(record).last,
            reason:
              `event time ${iso(record.time)} falls in window [${iso(window.start)}, ${iso(window.end)}) of key "${record.key}", ` +
              `closed when the watermark of ${index.topic}-${index.partition} reached ${iso(watermark)} (allowed lateness ${formatDuration(allowedLateness)})`,
          });
        } else {
          run.lateFrames += frames - accepted;
          if (created) keys.set(record.key, state);
          run.touched.set(record.key, record.offset);
          this.track(index, heap, record.key, state);
        }
      }
      index.maxEventTime = Math.max(index.maxEventTime, this.frameTimes(record).last);
      const next = index.watermark();
      if (next > watermark) this.closeUpTo(index, keys, heap, next, { offset: record.offset }, run);
    }
    index.lastActivity = now;
    return run;
  }

  /** An idle tick: closes every open window of a partition idle for `idleTimeout` (wall clock). */
  tick(index: PartitionIndex, keys: Map<string, KeyWindows>, now: number): WindowRun {
    const run: WindowRun = { closed: [], late: [], lateFrames: 0, touched: new Map() };
    if (this.keysForTick(index, now).length === 0) return run;
    const heap = new EndHeap();
    for (const [key, end] of index.openKeys) heap.push({ end, key });
    this.closeUpTo(index, keys, heap, Number.POSITIVE_INFINITY, { tick: now }, run);
    const lastEnd = run.closed.reduce((max, w) => Math.max(max, w.end), Number.NEGATIVE_INFINITY);
    index.closedThrough = Math.max(index.closedThrough, lastEnd);
    return run;
  }

  private track(index: PartitionIndex, heap: EndHeap, key: string, state: KeyWindows): void {
    const end = state.minEnd(index.topic, index.partition);
    const known = index.openKeys.get(key);
    if (end === Number.POSITIVE_INFINITY) index.openKeys.delete(key);
    else if (end !== known) {
      index.openKeys.set(key, end);
      heap.push({ end, key });
    }
  }

  private closeUpTo(index: PartitionIndex, keys: Map<string, KeyWindows>, heap: EndHeap, watermark: number, closedBy: ClosedWindow['closedBy'], run: WindowRun): void {
    const closing: Array<{ key: string; window: OpenWindow }> = [];
    for (let top = heap.peek(); top !== undefined && top.end <= watermark; top = heap.peek()) {
      heap.pop();
      // Entries are never removed when a key's earliest end moves; skip the stale ones.
      if (index.openKeys.get(top.key) !== top.end) continue;
      const state = keys.get(top.key);
      // The handler loads every key keysToLoad names: a key missing here is a bug, never bad input.
      if (state === undefined) throw new StateStoreError(`window state of key "${top.key}" (${index.topic}-${index.partition}) closes in this batch but was not loaded`, { key: top.key });
      for (const window of state.closeUpTo(index.topic, index.partition, watermark)) closing.push({ key: top.key, window });
      if ('offset' in closedBy) run.touched.set(top.key, Math.max(run.touched.get(top.key) ?? closedBy.offset, closedBy.offset));
      else if (!run.touched.has(top.key)) run.touched.set(top.key, undefined);
      index.openKeys.delete(top.key);
      this.track(index, heap, top.key, state);
    }
    closing.sort((a, b) => a.window.end - b.window.end || a.window.start - b.window.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { key, window } of closing) {
      run.closed.push({
        key,
        topic: index.topic,
        partition: index.partition,
        start: window.start,
        end: window.end,
        count: countOf(window.acc),
        channels: results(window.acc, this.spec.channels, this.spec.aggregates),
        closedBy,
      });
    }
  }
}
