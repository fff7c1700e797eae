import { DecodeError, describeError } from '../../errors.ts';
import type { OutputMessage } from '../../sink/sink.ts';
import type { ResultContext } from '../definition.ts';
import { batchLogMessage } from '../messages/batch-log.ts';
import { f32leResultMessage, resultMessage } from '../messages/result.ts';
import { deadLetterMessage } from '../messages/set-aside.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { BatchReport } from '../report.ts';
import type { RejectedRecord } from './decode.ts';
import type { PipelineRun } from './run-pipelines.ts';

export interface BatchMessages {
  results: OutputMessage[];
  deadLetters: OutputMessage[];
  /** Every record set aside (decode, then output failures), with its reason, for the logs. */
  rejected: RejectedRecord[];
}

/**
 * Step: the messages a batch produces — one result per processed record whose output has frames
 * (`output.value`, or the raw f32le samples; a record that completes no spectrum frame, say, has
 * nothing to say and produces no message), with the source and propagated headers; one dead letter
 * per rejected record. A record whose output cannot be built is dead-lettered too (its samples
 * were applied).
 */
export function buildMessages<M>(run: PipelineRun<M>, rejected: readonly RejectedRecord[], fn: PreparedFunction<M>): BatchMessages {
  const results: OutputMessage[] = [];
  const failed: RejectedRecord[] = [];
  for (const context of run.processed) {
    if (context.frames === 0) continue;
    try {
      results.push(resultFor(context, fn));
    } catch (error) {
      const { record, key } = context;
      const location = { topic: record.topic, partition: record.partition, offset: record.offset };
      failed.push({ record, error: new DecodeError(`output failed: ${describeError(error)}`, { cause: error, record: location, key }) });
    }
  }
  const all = [...rejected, ...failed];
  const deadLetters = all.map(({ record, error }) => deadLetterMessage(fn.deadLetterTopic(record.topic), record, error, fn.name));
  return { results, deadLetters, rejected: all };
}

function resultFor<M>(context: ResultContext<M>, fn: PreparedFunction<M>): OutputMessage {
  const { output } = fn.definition;
  const key = output.key ? output.key(context) : context.key;
  if (output.format === 'f32le') {
    const meta = { channels: context.outChannels, timestamp: context.timestamp, sampleRate: context.sampleRate };
    return f32leResultMessage(output.topic, key, context.output, meta, context.record, fn.name, fn.propagate);
  }
  return resultMessage(output.topic, key, output.value(context), context.record, fn.name, fn.propagate);
}

/** Everything to produce: results, dead letters, and the batch log when the function has a logTopic. */
export function outgoing<M>(messages: BatchMessages, report: BatchReport, fn: PreparedFunction<M>): OutputMessage[] {
  const out = [...messages.results, ...messages.deadLetters];
  if (fn.definition.logTopic) out.push(batchLogMessage(fn.definition.logTopic, report));
  return out;
}
