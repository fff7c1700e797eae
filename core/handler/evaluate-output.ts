import { OutputError, describeError, type RecordLocation } from '../errors.ts';
import type { KafkaRecord } from '../events/types.ts';
import type { OutputDefinition, ResultContext } from './definition.ts';
import { messageValue, messageValues } from './message-values.ts';

/** What a record's `output` says to send, before any message is built. */
export interface RecordResults {
  readonly messageKey: string;
  /** JSON text of each message (`format: 'json'`); null for the raw f32le output. */
  readonly values: readonly string[] | null;
  /** `output.value` returned an array: its messages are numbered (`dspfn-result-index`). */
  readonly numbered: boolean;
}

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
export function evaluateOutput<M>(context: ResultContext<M>, output: OutputDefinition<M>): RecordResults {
  const { record, key } = context;
  const messageKey = output.key ? call('key', output.key, context) : key;
  if (typeof messageKey !== 'string') {
    throw new OutputError(`output.key for record ${record.topic}-${record.partition}@${record.offset} (key "${key}") returned ${typeof messageKey}, not a string`, {
      record: locationOf(record),
      key,
    });
  }
  if (output.format === 'f32le') return { messageKey, values: null, numbered: false };
  const returned = call('value', output.value, context);
  if (returned === undefined || !Array.isArray(returned)) {
    return { messageKey, values: returned === undefined ? [] : [messageValue(returned, record, key)], numbered: false };
  }
  return { messageKey, values: messageValues(returned, record, key), numbered: true };
}
