import type { KafkaRecord } from '../../events/types.ts';
import type { OutputMessage } from '../../sink/sink.ts';
import { batchLogMessage } from '../messages/batch-log.ts';
import { f32leResultMessage, resultMessage } from '../messages/result.ts';
import { deadLetterMessage } from '../messages/set-aside.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { BatchReport } from '../report.ts';
import type { RejectedRecord } from './decode.ts';
import type { PipelineRun } from './run-pipelines.ts';
import type { ResultContext } from '../definition.ts';
import type { OutputJson } from '../evaluate-output.ts';

export interface BatchMessages {
  results: OutputMessage[];
  deadLetters: OutputMessage[];
  /** Every record set aside (decode, then output failures), with its reason, for the logs. */
  rejected: RejectedRecord[];
}

/**
 * One processed record's result messages, appended to `results` as its output is evaluated: the
 * messages its output asked for (none, one, or one per array element numbered by
 * `dspfn-result-index`; or the raw f32le samples), with the source and propagated headers.
 */
export function pushResultMessages<M>(results: OutputMessage[], context: ResultContext<M>, messageKey: string, json: OutputJson, fn: PreparedFunction<M>): void {
  const { output } = fn.definition;
  const { record } = context;
  if (json === null) {
    const meta = { channels: context.outChannels, timestamp: context.timestamp, sampleRate: context.sampleRate };
    results.push(f32leResultMessage(output.topic, messageKey, context.output, meta, record, fn.name, fn.propagate));
  } else if (typeof json === 'string' || Buffer.isBuffer(json)) {
    results.push(resultMessage(output.topic, messageKey, json, record, fn.name, fn.propagate));
  } else {
    for (let n = 0; n < json.length; n++) results.push(resultMessage(output.topic, messageKey, json[n]!, record, fn.name, fn.propagate, n));
  }
}

/**
 * Step: the messages a batch produces — the results its run built (pushResultMessages), then one
 * dead letter per rejected record (decode failures, then output failures).
 */
export function buildMessages<M>(run: PipelineRun<M>, rejected: readonly RejectedRecord[], fn: PreparedFunction<M>, copyRecordBytes = false): BatchMessages {
  const all = [...rejected, ...run.rejected];
  const deadLetters = all.map(({ record, error }) => deadLetterMessage(fn.deadLetterTopic(record.topic), copyRecordBytes ? ownBytes(record) : record, error, fn.name));
  return { results: run.results, deadLetters, rejected: all };
}

/** The record with its key and value in memory of their own (header values never live in the event's slab). */
function ownBytes(record: KafkaRecord): KafkaRecord {
  return { ...record, key: record.key && Buffer.from(record.key), value: Buffer.from(record.value) };
}

/**
 * Everything to produce: results, dead letters, and the batch log when the function has a logTopic.
 * With nothing to add, the results array itself: a copy (8 bytes a result) would only be one more
 * thing the sink keeps alive, through young-generation collections, until Kafka acknowledges it.
 */
export function outgoing<M>(messages: BatchMessages, report: BatchReport, fn: PreparedFunction<M>): OutputMessage[] {
  if (messages.deadLetters.length === 0 && !fn.definition.logTopic) return messages.results;
  const out = [...messages.results, ...messages.deadLetters];
  if (fn.definition.logTopic) out.push(batchLogMessage(fn.definition.logTopic, report));
  return out;
}
