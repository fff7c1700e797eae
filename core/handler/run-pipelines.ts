import { DecodeError, describeError } from '../errors.ts';
import type { OutputMessage } from '../sink/sink.ts';
import type { DecodedRecord, RejectedRecord } from './decode-records.ts';
import type { FunctionDefinition, ResultContext } from './definition.ts';
import type { KeyState } from './load-state.ts';
import { f32leResultMessage, resultMessage } from './outputs.ts';

export interface PipelineRun {
  results: OutputMessage[];
  rejected: RejectedRecord[];
  /** Records at or below a key's fence: applied by an earlier delivery, so not applied again. */
  skipped: number;
  samples: number;
  /** Keys whose state changed and must be committed. */
  advanced: Set<string>;
}

export function runPipelines<M>(
  groups: ReadonlyMap<string, readonly DecodedRecord<M>[]>,
  states: ReadonlyMap<string, KeyState>,
  definition: FunctionDefinition<M>,
  propagate: readonly string[],
): PipelineRun {
  const run: PipelineRun = { results: [], rejected: [], skipped: 0, samples: 0, advanced: new Set() };
  const { output } = definition;
  for (const [key, records] of groups) {
    const { pipeline } = states.get(key)!;
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
      const context: ResultContext<M> = {
        functionName: definition.name,
        key,
        record,
        block: item.block,
        output: out.samples,
        outChannels: out.channels,
        timestamp: out.timestamp ?? timestamp,
        sampleRate: out.sampleRate,
      };
      try {
        const messageKey = output.key ? output.key(context) : key;
        run.results.push(
          output.format === 'f32le'
            ? f32leResultMessage(output.topic, messageKey, out.samples, { channels: context.outChannels, timestamp: context.timestamp, sampleRate: context.sampleRate }, record, definition.name, propagate)
            : resultMessage(output.topic, messageKey, output.value(context), record, definition.name, propagate),
        );
      } catch (error) {
        // The samples are absorbed; the record itself is kept in the dead-letter topic.
        const location = { topic: record.topic, partition: record.partition, offset: record.offset };
        run.rejected.push({
          record,
          error: new DecodeError(`output failed: ${describeError(error)}`, { cause: error, record: location, key }),
        });
      }
    }
  }
  return run;
}
