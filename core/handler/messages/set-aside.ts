import { describeError } from '../../errors.ts';
import type { KafkaRecord } from '../../events/types.ts';
import { Header, type OutputKind, type OutputMessage } from '../../sink/sink.ts';
import { sourceHeaders } from './source-headers.ts';

/**
 * A record set aside rather than processed — a dead letter, or (in the event source emulation) a
 * record whose batch failed until its retries were spent: the original key, value and headers
 * untouched, plus where it came from and why, so it can be inspected and replayed. `extra`
 * headers come last (e.g. `dspfn-attempts`).
 */
export function setAsideMessage(
  kind: OutputKind,
  topic: string,
  record: KafkaRecord,
  error: Error,
  functionName: string,
  extra: Readonly<Record<string, string>> = {},
): OutputMessage {
  const headers: Record<string, string | Buffer> = {};
  for (const header of record.headers) headers[header.name] = header.value;
  Object.assign(headers, sourceHeaders(record, functionName, []), {
    [Header.errorCode]: 'code' in error && typeof error.code === 'string' ? error.code : 'DSPFN_ERROR',
    [Header.errorReason]: describeError(error),
    ...extra,
  });
  // A tombstone stays one: its dead letter has no value either.
  return { kind, topic, key: record.key, value: record.tombstone ? null : record.value, headers };
}

/** A record that could not be processed, for the function's dead-letter topic. */
export function deadLetterMessage(topic: string, record: KafkaRecord, error: Error, functionName: string): OutputMessage {
  return setAsideMessage('dead-letter', topic, record, error, functionName);
}
