import type { ResultContext } from '../definition.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { DecodedRecord } from './decode.ts';
import type { LoadedState } from './load-state.ts';

export interface PipelineRun<M> {
  /** Every record applied to its key's state, in key then offset order, with its output (possibly empty). */
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
      const out = pipeline.run(item.samples, { timestamp, sampleRate: item.block.sampleRate });
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
        frames: out.frames,
        timestamp: out.timestamp ?? timestamp,
        sampleRate: out.sampleRate,
      });
    }
  }
  return run;
}
