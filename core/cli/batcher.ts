import type { MSKEvent, SelfManagedKafkaEvent } from 'aws-lambda';
import type { ReplayRecord } from './replay-file.ts';

export const MAX_BATCH_SIZE = 10_000;
/** The event source's MaximumBatchingWindowInSeconds is at most 300. */
export const MAX_BATCH_WINDOW_MS = 300_000;
/** Lambda's synchronous invoke payload limit; the event source never builds a larger event. */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;
const EVENT_OVERHEAD_BYTES = 512;

export interface BatchOptions {
  batchSize: number;
  maxEventBytes?: number;
  /**
   * The event source's batching window, replayed on the records' own timestamps: a record
   * stamped more than `windowMs` after the first record of the open batch starts the next batch.
   * Unset: batches fill up to the size and payload limits, as when the topic has a backlog.
   */
  windowMs?: number;
}

/** Approximate JSON size of a record in the event, cheap enough for every record. */
export function recordEventBytes(record: ReplayRecord): number {
  let headers = 0;
  for (const header of record.headers) {
    for (const [name, bytes] of Object.entries(header)) headers += name.length + 8 + bytes.length * 4;
  }
  return 160 + record.topic.length + (record.key?.length ?? 0) + record.value.length + headers;
}

/**
 * Cuts a stream of records into batches the way the Kafka event source does: in arrival order
 * (so per-partition order holds), at most `batchSize` records, never over the payload limit, and
 * with `windowMs`, no later than the batching window after the batch's first record. A single
 * record over the limit is a batch on its own (Lambda would reject it; the handler gets the chance
 * to say so).
 */
export async function* batchRecords<T extends { record: ReplayRecord }>(
  items: AsyncIterable<T>,
  options: BatchOptions,
): AsyncGenerator<T[]> {
  const limit = options.maxEventBytes ?? MAX_EVENT_BYTES;
  const windowMs = options.windowMs ?? Infinity;
  let batch: T[] = [];
  let bytes = EVENT_OVERHEAD_BYTES;
  let openedAt = 0;
  for await (const item of items) {
    const size = recordEventBytes(item.record);
    if (
      batch.length > 0 &&
      (batch.length >= options.batchSize || bytes + size > limit || item.record.timestamp - openedAt > windowMs)
    ) {
      yield batch;
      batch = [];
      bytes = EVENT_OVERHEAD_BYTES;
    }
    if (batch.length === 0) openedAt = item.record.timestamp;
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

export type EventShape = 'msk' | 'self-managed';

/** Wraps records in the event Lambda would deliver, grouped under "topic-partition". */
export function eventFor(records: readonly ReplayRecord[], shape: EventShape, bootstrapServers: string): MSKEvent | SelfManagedKafkaEvent {
  const groups: Record<string, ReplayRecord[]> = {};
  for (const record of records) (groups[`${record.topic}-${record.partition}`] ??= []).push(record);
  if (shape === 'self-managed') return { eventSource: 'SelfManagedKafka', bootstrapServers, records: groups } as SelfManagedKafkaEvent;
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/dspfn-replay/00000000-0000-0000-0000-000000000000-1',
    bootstrapServers,
    records: groups,
  } as MSKEvent;
}
