import { DspfnError, NativeKernelError, describeError } from '../../errors.ts';
import type { KafkaRecord } from '../../events/types.ts';
import type { ResultContext } from '../definition.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { DecodedRecord } from './decode.ts';
import type { LoadedState } from './load-state.ts';

export interface PipelineRun<M> {
  /** Every record applied to its key's state, in key then offset order, with its output. */
  processed: ResultContext<M>[];
  /** Records at or below a key's fence: applied by an earlier delivery, so not applied again. */
  skipped: number;
  samples: number;
  /** Keys whose state changed and must be committed. */
  advanced: Set<string>;
}

/**
 * Step: each key's records through its pipeline in offset order, skipping those its fence says
 * were applied already, and marking each applied offset.
 */
export function runPipelines<M>(
  groups: ReadonlyMap<string, readonly DecodedRecord<M>[]>,
  loaded: LoadedState,
  fn: PreparedFunction<M>,
): PipelineRun<M> {
  const run: PipelineRun<M> = { processed: [], skipped: 0, samples: 0, advanced: new Set() };
  for (const [key, records] of groups) {
    const { pipeline } = loaded.states.get(key)!;
    for (const item of records) {
      const { record } = item;
      if (pipeline.hasAbsorbed(record.topic, record.partition, record.offset)) {
        run.skipped++;
        continue;
      }
      const timestamp = item.block.timestamp ?? record.timestamp;
      // The output carries its own first-sample time and rate (a rate-changing stage moves them).
      let out: ReturnType<typeof pipeline.run>;
      try {
        out = pipeline.run(item.samples, { timestamp, sampleRate: item.block.sampleRate });
      } catch (error) {
        throw inRecord(error, record, key);
      }
      pipeline.markAbsorbed(record.topic, record.partition, record.offset);
      run.advanced.add(key);
      run.samples += item.samples.length;
      run.processed.push({
        functionName: fn.name,
        key,
        record,
        block: item.block,
        output: out.samples,
        outChannels: out.channels,
        timestamp: out.timestamp ?? timestamp,
        sampleRate: out.sampleRate,
      });
    }
  }
  return run;
}

/**
 * A stage that failed on a record fails the batch (its key's state is half-updated, so nothing may
 * be committed), with the record and key it failed on, which the kernel cannot know.
 */
function inRecord(error: unknown, record: KafkaRecord, key: string): DspfnError {
  const location = { topic: record.topic, partition: record.partition, offset: record.offset };
  const where = `${record.topic}-${record.partition}@${record.offset}, key ${key.length > 64 ? `${key.slice(0, 64)}…` : key}`;
  if (error instanceof DspfnError) {
    if (error.record === undefined) Object.assign(error, { record: location, key });
    error.message = `${error.message} (${where})`;
    return error;
  }
  return new NativeKernelError(`a pipeline stage failed: ${describeError(error)} (${where})`, { cause: error, record: location, key });
}
