import { ConfigError } from '../errors.ts';
import type { KafkaRecord } from '../events/types.ts';
import type { ReplayRecord } from './replay-file.ts';

/** The event source mapping's BatchSize range. */
export const MAX_BATCH_SIZE = 10_000;
/** MaximumBatchingWindowInSeconds is at most 300. */
export const MAX_BATCH_WINDOW_MS = 300_000;
/** `consume --threads`: far more than any machine's cores, low enough to catch a typo. */
export const MAX_THREADS = 256;
/** Lambda's synchronous invoke payload limit; the event source never builds a larger event. */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;
/** The event's own fields around its records. */
export const EVENT_OVERHEAD_BYTES = 512;

export interface BatchLimits {
  /** At most this many records (1..10,000). */
  batchSize: number;
  /**
   * The batching window: a batch closes this long after its first record arrived (on the
   * cutter's clock). Infinity: only the size and payload limits close a batch (a backlog).
   */
  windowMs: number;
  /** Default MAX_EVENT_BYTES. */
  maxEventBytes?: number;
}

/**
 * `consume`'s default per-partition buffer: four batches, at least 4,000 records. A partition that
 * is paused when a fetch starts is left out of it and gets records again only from the next one (up
 * to two fetch round trips: a long-poll of up to 250 ms each, plus decoding), so what it holds when it
 * resumes must outlast that. With two batches (the earlier default) partitions ran dry in a backlog
 * and waited out their batching window with a partial batch: measured flat out at batch 1,000, no
 * batch running in 5–22 % of the run and 3–7 s of partition time in window waits per 120,000 records;
 * with four, under 2 % and 0.1–0.7 s.
 */
export function defaultMaxBufferedRecords(batchSize: number): number {
  return Math.max(4_000, 4 * batchSize);
}

/** Length of the base64 text of `bytes` bytes. */
const base64Length = (bytes: number): number => 4 * Math.ceil(bytes / 3);

/**
 * Approximate JSON size of a record in the event, cheap enough for every record. A record held as
 * bytes (consume) counts as its Lambda shape would, so both cut the same batches.
 */
export function recordEventBytes(record: ReplayRecord | KafkaRecord): number {
  if (Buffer.isBuffer(record.value)) {
    const raw = record as KafkaRecord;
    let headers = 0;
    for (let i = 0; i < raw.headers.length; i++) headers += raw.headers[i]!.name.length + 8 + raw.headers[i]!.value.length * 4;
    return 160 + raw.topic.length + (raw.key === null ? 0 : base64Length(raw.key.length)) + base64Length(raw.value.length) + headers;
  }
  record = record as ReplayRecord;
  let headers = 0;
  for (const header of record.headers) {
    for (const [name, bytes] of Object.entries(header)) headers += name.length + 8 + bytes.length * 4;
  }
  return 160 + record.topic.length + (record.key?.length ?? 0) + (record.value?.length ?? 0) + headers;
}

/** An integer option within the event source's range, or a ConfigError naming the option. */
export function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}
