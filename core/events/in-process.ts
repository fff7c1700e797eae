import type { MSKEvent, MSKRecord, SelfManagedKafkaEvent } from 'aws-lambda';
import type { KafkaEvent, KafkaRecord, ParsedKafkaEvent } from './types.ts';

/**
 * An event handed to a function in the same process (`dspfn consume`): the records stay the
 * Buffers the Kafka client fetched, so nothing is encoded to base64 and decoded back. It is still a
 * Lambda-shaped Kafka event for anything that looks (a middleware reading `event.records` gets the
 * base64 records, built on first access); the handler's parse step takes the Buffers directly
 * unless `records` was read, since a middleware may have changed them.
 */
const PARSED = Symbol('dspfn.parsedEvent');

interface InProcess {
  [PARSED]: ParsedKafkaEvent;
  /** Set once `records` was read: from then on, the Lambda shape is the truth. */
  materialised?: MSKEvent['records'];
}

function lambdaRecord(record: KafkaRecord): MSKRecord {
  const out: MSKRecord = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.timestampType,
    headers: record.headers.map(({ name, value }) => ({ [name]: Array.from(value, (b) => (b > 127 ? b - 256 : b)) })),
  } as MSKRecord;
  if (record.key !== null) out.key = record.key.toString('base64');
  // A tombstone has no value, which is not an empty value.
  if (!record.tombstone) out.value = record.value.toString('base64');
  return out;
}

export function inProcessEvent(parsed: ParsedKafkaEvent): KafkaEvent {
  const state: InProcess = { [PARSED]: parsed };
  const event = {
    eventSource: parsed.eventSource,
    ...(parsed.eventSourceArn === undefined ? {} : { eventSourceArn: parsed.eventSourceArn }),
    bootstrapServers: parsed.bootstrapServers.join(','),
  } as MSKEvent | SelfManagedKafkaEvent;
  Object.defineProperty(event, 'records', {
    enumerable: true,
    configurable: true,
    get() {
      if (state.materialised === undefined) {
        const records: MSKEvent['records'] = {};
        for (const partition of parsed.partitions) records[`${partition.topic}-${partition.partition}`] = partition.records.map(lambdaRecord);
        state.materialised = records;
      }
      return state.materialised;
    },
    set(value: MSKEvent['records']) {
      state.materialised = value;
    },
  });
  Object.defineProperty(event, PARSED, { value: state, enumerable: false });
  return event;
}

/** The records as Buffers when `event` came from inProcessEvent and nobody read its `records`. */
export function inProcessRecords(event: unknown): ParsedKafkaEvent | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const state = (event as { [PARSED]?: InProcess })[PARSED];
  return state && state.materialised === undefined ? state[PARSED] : undefined;
}
