import { OutputError, describeError, type RecordLocation } from '../errors.ts';
import type { KafkaRecord } from '../events/types.ts';
import type { OutputDefinition, ResultContext } from './definition.ts';
import { messageValue, messageValues, type JsonValue } from './message-values.ts';

/**
 * What a record's `output` says to send, before any message is built: the JSON of its one
 * message (text, or its bytes); an array of texts when `output.value` returned an array (numbered, `dspfn-result-index`;
 * empty for `undefined`); or null for the raw f32le output.
 */
export type OutputJson = JsonValue | readonly JsonValue[] | null;

function locationOf(record: KafkaRecord): RecordLocation {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}

function call<M, T>(name: 'key' | 'value', fn: (context: ResultContext<M>) => T, context: ResultContext<M>): T {
  try {
    return fn(context);
  } catch (error) {
    const { record, key } = context;
    throw new OutputError(`output.${name} for record ${record.topic}-${record.partition}@${record.offset} (key "${key}") threw: ${describeError(error)}`, {
      cause: error,
      record: locationOf(record),
      key,
    });
  }
}

/**
 * Runs the user's `output.key` and `output.value` for one processed record and applies the output
 * contract (see message-values.ts). Anything wrong is an OutputError naming the function and the
 * record: the record is dead-lettered and must not touch its key's state.
 */
export function evaluateOutput<M>(context: ResultContext<M>, output: OutputDefinition<M>): { messageKey: string; json: OutputJson } {
  const messageKey = outputKey(context, output);
  return { messageKey, json: outputJson(context, output) };
}

/** evaluateOutput's first half: the message key (`output.key`, else the record's key). */
export function outputKey<M>(context: ResultContext<M>, output: OutputDefinition<M>): string {
  const { record, key } = context;
  const messageKey = output.key ? call('key', output.key, context) : key;
  if (typeof messageKey !== 'string') {
    throw new OutputError(`output.key for record ${record.topic}-${record.partition}@${record.offset} (key "${key}") returned ${typeof messageKey}, not a string`, {
      record: locationOf(record),
      key,
    });
  }
  return messageKey;
}

/** evaluateOutput's second half, after outputKey: the message JSON (`output.value`), null for f32le. */
export function outputJson<M>(context: ResultContext<M>, output: OutputDefinition<M>): OutputJson {
  if (output.format === 'f32le') return null;
  const { record, key } = context;
  const returned = call('value', output.value, context);
  if (returned !== undefined && !Array.isArray(returned)) return messageValue(returned, record, key);
  return messageValues(returned, record, key);
}
