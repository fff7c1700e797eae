/** What the batch rules need of a record, whether held as the Lambda shape (replay) or as bytes (consume). */
export interface BatchRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
}

/** What a function's answer means for the batch it was given. */
export type BatchOutcome =
  | { status: 'ok' }
  /** Per "topic-partition" the offset it resumes from; records before it succeeded. */
  | { status: 'partial'; resumeAt: Readonly<Record<string, number>>; reason: string }
  | { status: 'failed'; error: unknown };

function offsetOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

const partitionOf = (record: BatchRecord): string => `${record.topic}-${record.partition}`;

/**
 * Reads a `{batchItemFailures: [{itemIdentifier: {partition: "topic-0", offset}}]}` response the
 * way the event source does: per partition, the lowest failed offset is where it resumes, and an
 * identifier that names no record of the batch fails the whole batch.
 */
export function batchOutcome(response: unknown, records: readonly BatchRecord[]): BatchOutcome {
  if (typeof response !== 'object' || response === null || !('batchItemFailures' in response)) return { status: 'ok' };
  const failures = (response as { batchItemFailures: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { status: 'ok' };
  if (!Array.isArray(failures)) return { status: 'failed', error: new Error('batchItemFailures is not an array: the whole batch failed') };
  if (failures.length === 0) return { status: 'ok' };
  const offsets = new Set(records.map((r) => `${partitionOf(r)}@${r.offset}`));
  const resumeAt: Record<string, number> = {};
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier as { partition?: unknown; offset?: unknown } | undefined;
    const offset = offsetOf(id?.offset);
    if (typeof id?.partition !== 'string' || offset === undefined || !offsets.has(`${id.partition}@${offset}`)) {
      return { status: 'failed', error: new Error(`batchItemFailures names no record of the batch (${JSON.stringify(failure)}): the whole batch failed`) };
    }
    resumeAt[id.partition] = Math.min(resumeAt[id.partition] ?? offset, offset);
  }
  const points = Object.entries(resumeAt);
  const reason =
    points.length === 1
      ? `the function reported a failure at offset ${points[0]![1]}`
      : `the function reported failures at ${points.map(([partition, offset]) => `${partition}@${offset}`).join(', ')}`;
  return { status: 'partial', resumeAt, reason };
}

/** Where a batch keeps failing, and how often it has: the retry budget is per failure point. */
export interface FailurePoint {
  readonly at: string;
  readonly attempts: number;
}

export interface Settlement<R extends BatchRecord = BatchRecord> {
  /** Records that succeeded: their offsets can be committed. */
  done: R[];
  /** Records to retry (or, with `spent`, to set aside). */
  remaining: R[];
  /** The failure point now, undefined when the batch succeeded. */
  failure: FailurePoint | undefined;
  /** Why the batch failed (the function's error, or its batchItemFailures). */
  error: unknown;
  /** The retries of this failure point are spent: set the remaining records aside. */
  spent: boolean;
}

/**
 * The one rule replay and consume apply to a function's answer, as the event source does: records
 * before a failure succeeded; the rest are retried; progress past the previous failure point
 * restarts the retry count; once `maxRetries` retries of the same point have failed (-1: never),
 * the remaining records are set aside (the on-failure destination).
 */
export function settleBatch<R extends BatchRecord>(outcome: BatchOutcome, records: readonly R[], previous: FailurePoint | undefined, maxRetries: number): Settlement<R> {
  if (outcome.status === 'ok') return { done: [...records], remaining: [], failure: undefined, error: undefined, spent: false };
  const failed = (r: R) => (outcome.status === 'failed' ? true : r.offset >= (outcome.resumeAt[partitionOf(r)] ?? Infinity));
  const done = records.filter((r) => !failed(r));
  const remaining = records.filter(failed);
  const at = pointOf(remaining);
  const attempts = previous?.at === at ? previous.attempts + 1 : 1;
  const error = outcome.status === 'partial' ? new Error(outcome.reason) : outcome.error;
  return { done, remaining, failure: { at, attempts }, error, spent: maxRetries >= 0 && attempts > maxRetries };
}

/** The first remaining offset of each partition: the same point as long as nothing moved. */
function pointOf(records: readonly BatchRecord[]): string {
  const first = new Map<string, number>();
  for (const r of records) if (!first.has(partitionOf(r))) first.set(partitionOf(r), r.offset);
  return [...first].map(([partition, offset]) => `${partition}@${offset}`).join(',');
}
