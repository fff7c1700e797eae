import { ByteWriter } from '../../dsp/bytes.ts';
import { StateStoreError, type RecordLocation } from '../../errors.ts';
import type { StateEntry } from '../../state/store.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { KafkaItemFailure } from '../report.ts';
import type { Runtime } from '../runtime.ts';
import type { LoadedState } from './load-state.ts';
import type { PipelineRun } from './run-pipelines.ts';

export interface CommitOutcome {
  committed: number;
  duplicates: number;
  conflicts: number;
  itemFailures: KafkaItemFailure[];
}

/**
 * Step: the snapshot and fence of every key the batch advanced, in one conditional store round
 * trip. A key another writer moved meanwhile (a conflict) fails the batch, or with
 * `reportBatchItemFailures` becomes batch item failures: per partition, the first offset of those
 * keys, from where the event source redelivers.
 */
export async function commitState<M>(
  run: PipelineRun<M>,
  loaded: LoadedState,
  /** Per key, its records of the batch — at least its first one per partition (batch item failures start there). */
  groups: ReadonlyMap<string, ReadonlyArray<{ readonly record: RecordLocation }>>,
  fn: PreparedFunction<M>,
  runtime: Pick<Runtime, 'state' | 'logger'>,
): Promise<CommitOutcome> {
  // Every key's snapshot in one buffer, each entry a view of it (taken once nothing more is written).
  const snapshots = new ByteWriter(256 * Math.max(1, run.advanced.size));
  const ends: number[] = [];
  for (const key of run.advanced) {
    loaded.states.get(key)!.pipeline.snapshotInto(snapshots);
    ends.push(snapshots.size);
  }
  const entries: StateEntry[] = [];
  let i = 0;
  for (const key of run.advanced) {
    const { pipeline, expected } = loaded.states.get(key)!;
    entries.push({ key: loaded.stateKeys.get(key)!, snapshot: snapshots.written(i === 0 ? 0 : ends[i - 1]!, ends[i]!), offsets: pipeline.offsets(), expected });
    i++;
  }
  const outcome: CommitOutcome = { committed: 0, duplicates: 0, conflicts: 0, itemFailures: [] };
  if (entries.length === 0) return outcome;
  const results = await runtime.state.commit(entries);
  const conflicts = results.filter((o) => o.status === 'conflict').map((o) => o.key);
  outcome.committed = results.filter((o) => o.status === 'committed').length;
  outcome.duplicates = results.filter((o) => o.status === 'duplicate').length;
  outcome.conflicts = conflicts.length;
  if (conflicts.length === 0) return outcome;
  if (!fn.definition.reportBatchItemFailures) {
    throw new StateStoreError(
      `state of ${conflicts.length} key(s) changed since it was loaded (${conflicts.slice(0, 3).join(', ')}…): another invocation advanced them; the batch will be retried`,
    );
  }
  const keyOf = new Map([...loaded.stateKeys].map(([key, stateKey]) => [stateKey, key]));
  outcome.itemFailures = firstOffsetsOf(conflicts.map((stateKey) => groups.get(keyOf.get(stateKey)!)!));
  runtime.logger.log('warn', 'state conflict: reporting batch item failures', { keys: conflicts.length, itemFailures: outcome.itemFailures });
  return outcome;
}

function firstOffsetsOf(groups: ReadonlyArray<ReadonlyArray<{ readonly record: RecordLocation }>>): KafkaItemFailure[] {
  const first = new Map<string, number>();
  for (const group of groups) {
    for (const { record } of group) {
      const id = `${record.topic}-${record.partition}`;
      const at = first.get(id);
      if (at === undefined || record.offset < at) first.set(id, record.offset);
    }
  }
  return [...first].map(([partition, offset]) => ({ partition, offset }));
}
