import type { ReplayRecord } from './replay-file.ts';

/** What a handler's answer means for one partition's batch. */
export type BatchOutcome =
  | { status: 'ok' }
  /** Records before `offset` succeeded; the partition resumes from `offset`. */
  | { status: 'partial'; offset: number; reason: string }
  | { status: 'failed'; error: unknown };

function offsetOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Reads a `{batchItemFailures: [{itemIdentifier: {partition: "topic-0", offset}}]}` response the
 * way the event source does: the lowest failed offset is where the partition resumes, and an
 * identifier that names no record of the batch fails the whole batch.
 */
export function batchOutcome(response: unknown, records: readonly ReplayRecord[]): BatchOutcome {
  if (typeof response !== 'object' || response === null || !('batchItemFailures' in response)) return { status: 'ok' };
  const failures = (response as { batchItemFailures: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { status: 'ok' };
  if (!Array.isArray(failures)) return { status: 'failed', error: new Error('batchItemFailures is not an array: the whole batch failed') };
  if (failures.length === 0) return { status: 'ok' };
  const offsets = new Set(records.map((r) => `${r.topic}-${r.partition}@${r.offset}`));
  let lowest: number | undefined;
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier as { partition?: unknown; offset?: unknown } | undefined;
    const offset = offsetOf(id?.offset);
    if (typeof id?.partition !== 'string' || offset === undefined || !offsets.has(`${id.partition}@${offset}`)) {
      return { status: 'failed', error: new Error(`batchItemFailures names no record of the batch (${JSON.stringify(failure)}): the whole batch failed`) };
    }
    lowest = lowest === undefined ? offset : Math.min(lowest, offset);
  }
  return { status: 'partial', offset: lowest!, reason: `the function reported a failure at offset ${lowest}` };
}
