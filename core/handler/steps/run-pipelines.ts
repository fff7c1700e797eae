import { DspfnError, OutputError, describeError } from '../../errors.ts';
import type { ResultContext } from '../definition.ts';
import { evaluateOutput, type RecordResults } from '../evaluate-output.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { DecodedRecord, RejectedRecord } from './decode.ts';
import type { KeyState, LoadedState } from './load-state.ts';

/** A record applied to its key's state, with what its output says to send. */
export interface ProcessedRecord<M> {
  readonly context: ResultContext<M>;
  readonly results: RecordResults;
}

export interface PipelineRun<M> {
  /** Every record applied to its key's state, in key then offset order, with its output. */
  processed: ProcessedRecord<M>[];
  /** Records whose output failed: dead-lettered, and not applied to their key's state. */
  rejected: RejectedRecord[];
  /** Records at or below a key's fence: applied by an earlier delivery, so not applied again. */
  skipped: number;
  samples: number;
  /** Keys whose state changed and must be committed. */
  advanced: Set<string>;
}

/**
 * Step: each key's records through its pipeline in offset order, skipping those its fence says
 * were applied already, and marking each applied offset. Each record's output is evaluated right
 * after it runs, before the key's next record: a record whose output fails is undone, so later
 * records of the key see the state as if it had never come.
 */
export function runPipelines<M>(
  groups: ReadonlyMap<string, readonly DecodedRecord<M>[]>,
  loaded: LoadedState,
  fn: PreparedFunction<M>,
): PipelineRun<M> {
  const run: PipelineRun<M> = { processed: [], rejected: [], skipped: 0, samples: 0, advanced: new Set() };
  const { output } = fn.definition;
  for (const [key, records] of groups) {
    const state = loaded.states.get(key)!;
    // The key's records applied so far in this batch, to redo them if a later one is undone.
    const applied: DecodedRecord<M>[] = [];
    for (const item of records) {
      const { record } = item;
      if (state.pipeline.hasAbsorbed(record.topic, record.partition, record.offset)) {
        run.skipped++;
        continue;
      }
      const context: ResultContext<M> = {
        functionName: fn.name,
        key,
        record,
        block: item.block,
        output: state.pipeline.process(item.samples),
        outChannels: state.pipeline.spec.outChannels,
        timestamp: item.block.timestamp ?? record.timestamp,
        sampleRate: item.block.sampleRate,
      };
      let results: RecordResults;
      try {
        results = evaluateOutput(context, output);
      } catch (error) {
        undo(state, applied);
        const location = { topic: record.topic, partition: record.partition, offset: record.offset };
        const reason = error instanceof DspfnError ? error : new OutputError(`output failed: ${describeError(error)}`, { cause: error, key });
        run.rejected.push({ record, error: Object.assign(reason, { record: location }) });
        continue;
      }
      state.pipeline.markAbsorbed(record.topic, record.partition, record.offset);
      applied.push(item);
      run.advanced.add(key);
      run.samples += item.samples.length;
      run.processed.push({ context, results });
    }
  }
  return run;
}

/**
 * Back to the state as loaded, then the batch's earlier records of the key again: their outputs
 * stand, and nothing is copied on the path where every record succeeds.
 */
function undo<M>(state: KeyState, applied: readonly DecodedRecord<M>[]): void {
  state.pipeline = state.reload();
  for (const { record, samples } of applied) {
    state.pipeline.process(samples);
    state.pipeline.markAbsorbed(record.topic, record.partition, record.offset);
  }
}
