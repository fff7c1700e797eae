import { EVENT_OVERHEAD_BYTES, MAX_EVENT_BYTES, recordEventBytes, type BatchLimits } from './limits.ts';
import type { KafkaRecord } from '../events/types.ts';
import type { ReplayRecord } from './replay-file.ts';

/** A record as replay holds it (the Lambda shape) or as consume does (bytes). */
export type CutRecord = ReplayRecord | KafkaRecord;

/**
 * When a record becomes available to the event source: its own timestamp when a file is replayed
 * (record time), the moment it was fetched when a topic is consumed (wall time).
 */
export type ArrivalClock = (record: CutRecord) => number;

export const recordTime: ArrivalClock = (record) => record.timestamp;
export const wallTime: ArrivalClock = () => performance.now();

/**
 * Cuts records into batches the way the Kafka event source does, on a clock: in arrival order (so
 * per-partition order holds), at most `batchSize` records, never over the payload limit (a single
 * larger record goes alone: Lambda would reject it, and the handler gets the chance to say so),
 * and closing `windowMs` after the batch's first record arrived. Replay and consume both cut with
 * it; they differ only in their clock and in what tells them time has passed (the next record of
 * the file, or a timer).
 */
export abstract class HeldBatches<T> {
  /** What is held, in arrival order, as three parallel lists (no object per record). */
  private held: T[] = [];
  private bytes: number[] = [];
  private arrivals: number[] = [];
  private heldBytes = 0;
  private readonly maxEventBytes: number;

  constructor(
    private readonly limits: BatchLimits,
    private readonly clock: ArrivalClock,
  ) {
    this.maxEventBytes = limits.maxEventBytes ?? MAX_EVENT_BYTES;
  }

  get size(): number {
    return this.held.length;
  }

  /** The record an item holds. */
  protected abstract recordOf(item: T): CutRecord;

  /** When `item` arrives on this cutter's clock. */
  arrival(item: T): number {
    return this.clock(this.recordOf(item));
  }

  push(item: T, arrivedAt: number = this.arrival(item)): void {
    const bytes = recordEventBytes(this.recordOf(item));
    this.held.push(item);
    this.bytes.push(bytes);
    this.arrivals.push(arrivedAt);
    this.heldBytes += bytes;
  }

  /** Records of a failed batch go back to the front, so the retry starts where the failure is. */
  putBack(items: readonly T[], arrivedAt: number): void {
    const bytes = items.map((item) => recordEventBytes(this.recordOf(item)));
    this.held.unshift(...items);
    this.bytes.unshift(...bytes);
    this.arrivals.unshift(...items.map(() => arrivedAt));
    for (const b of bytes) this.heldBytes += b;
  }

  /** When the batch at the front closes on its window (Infinity when empty or without a window). */
  deadline(): number {
    return this.held.length === 0 ? Infinity : this.arrivals[0]! + this.limits.windowMs;
  }

  /**
   * Whether the batch at the front is complete without waiting for its window: it holds
   * `batchSize` records, or its payload (plus `incoming`, a record about to be added) reaches the
   * limit.
   */
  full(incoming?: T): boolean {
    if (this.held.length === 0) return false;
    if (this.held.length >= this.limits.batchSize) return true;
    const bytes = this.heldBytes + EVENT_OVERHEAD_BYTES;
    // Without an incoming record: full once no record at all fits any more.
    return incoming === undefined ? bytes >= this.maxEventBytes : bytes + recordEventBytes(this.recordOf(incoming)) > this.maxEventBytes;
  }

  /** Whether `item`, arriving now, belongs to a later batch than the one at the front. */
  closesBefore(item: T): boolean {
    return this.full(item) || this.arrival(item) > this.deadline();
  }

  /**
   * Takes the batch at the front: records in arrival order up to the size and payload limits.
   * `arrived` is told the taken records' arrival (or put-back) times, once per run of records that
   * arrived together, with the run's length (records pushed by one fetch share their arrival).
   */
  cut(arrived?: (at: number, records: number) => void): T[] {
    let bytes = EVENT_OVERHEAD_BYTES;
    let n = 0;
    while (n < this.held.length && n < this.limits.batchSize) {
      const next = this.bytes[n]!;
      if (n > 0 && bytes + next > this.maxEventBytes) break;
      bytes += next;
      n++;
    }
    const taken = this.held.splice(0, n);
    this.bytes.splice(0, n);
    const arrivals = this.arrivals.splice(0, n);
    this.heldBytes -= bytes - EVENT_OVERHEAD_BYTES;
    if (arrived) {
      for (let i = 0; i < arrivals.length; ) {
        const at = arrivals[i]!;
        let j = i + 1;
        while (j < arrivals.length && arrivals[j] === at) j++;
        arrived(at, j - i);
        i = j;
      }
    }
    return taken;
  }

  /** Drops everything held (a revoked partition). */
  clear(): void {
    this.held = [];
    this.bytes = [];
    this.arrivals = [];
    this.heldBytes = 0;
  }
}

/** A BatchCutter of items that carry a record (a replayed line, say). */
export class BatchCutter<T extends { record: CutRecord }> extends HeldBatches<T> {
  protected recordOf(item: T): CutRecord {
    return item.record;
  }
}

/**
 * A BatchCutter of the records themselves: consume's partition workers hold thousands of fetched
 * records each, and an object around every one would be one more to survive the young generation.
 */
export class RecordCutter<R extends CutRecord> extends HeldBatches<R> {
  protected recordOf(item: R): CutRecord {
    return item;
  }
}

/**
 * The batches of a stream of records whose arrival the clock tells (a replay file on record time):
 * a batch is cut when the next record would overfill it or arrives after its window closed.
 */
export async function* cutBatches<T extends { record: CutRecord }>(
  items: AsyncIterable<T>,
  limits: BatchLimits,
  clock: ArrivalClock = recordTime,
): AsyncGenerator<T[]> {
  const cutter = new BatchCutter<T>(limits, clock);
  for await (const item of items) {
    if (cutter.closesBefore(item)) yield cutter.cut();
    cutter.push(item);
  }
  while (cutter.size > 0) yield cutter.cut();
}
