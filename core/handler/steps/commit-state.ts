import { ByteWriter } from '../../dsp/bytes.ts';
import { StateStoreError, type RecordLocation } from '../../errors.ts';
import type { StateEntry } from '../../state/store.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { KafkaItemFailure } from '../report.ts';
import type { Runtime } from '../runtime.ts';
import { releaseState, type KeyState, type LoadedState } from './load-state.ts';
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
  try {
    const outcome: CommitOutcome = { committed: 0, duplicates: 0, conflicts: 0, itemFailures: [] };
    const count = run.advanced.size;
    if (count === 0) return outcome;
    // Every key's snapshot in one buffer, each entry a view of it (taken once nothing more is written).
    const snapshots = new ByteWriter(256 * count);
    const advanced: KeyState[] = [];
    const ends: number[] = [];
    for (const key of run.advanced) {
      const state = loaded.states.get(key)!;
      state.pipeline.snapshotInto(snapshots);
      advanced.push(state);
      ends.push(snapshots.size);
    }
    const entries: StateEntry[] = [];
    for (let i = 0; i < count; i++) {
      const { pipeline, expected, stateKey } = advanced[i]!;
      entries.push({ key: stateKey, snapshot: snapshots.written(i === 0 ? 0 : ends[i - 1]!, ends[i]!), offsets: pipeline.offsets(), expected });
    }
    const results = await runtime.state.commit(entries);
    const conflicts: string[] = [];
    for (const result of results) {
      if (result.status === 'committed') outcome.committed++;
      else if (result.status === 'duplicate') outcome.duplicates++;
      else if (result.status === 'conflict') conflicts.push(result.key);
    }
    outcome.conflicts = conflicts.length;
    if (conflicts.length === 0) return outcome;
    if (!fn.definition.reportBatchItemFailures) {
      throw new StateStoreError(
        `state of ${conflicts.length} key(s) changed since it was loaded (${conflicts.slice(0, 3).join(', ')}…): another invocation advanced them; the batch will be retried`,
      );
    }
    const keyOf = new Map([...loaded.states].map(([key, state]) => [state.stateKey, key]));
    outcome.itemFailures = firstOffsetsOf(conflicts.map((stateKey) => groups.get(keyOf.get(stateKey)!)!));
    runtime.logger.log('warn', 'state conflict: reporting batch item failures', { keys: conflicts.length, itemFailures: outcome.itemFailures });
    return outcome;
  } finally {
    // Snapshotted (or failed): nothing reads the batch's pipelines any more.
    releaseState(loaded);
  }
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
