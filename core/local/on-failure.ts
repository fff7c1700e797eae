import { BatchFailedError, ConfigError, describeError } from '../errors.ts';
import { decodeRecord } from '../events/parse.ts';
import { setAsideMessage } from '../handler/messages/set-aside.ts';
import type { KafkaRecord } from '../events/types.ts';
import type { OutputMessage } from '../sink/sink.ts';
import type { ReplayRecord } from './replay-file.ts';

export const ATTEMPTS_HEADER = 'dspfn-attempts';

/** `kafka://topic`, as the event source mapping's OnFailure destination is written. */
export function parseOnFailure(destination: string, sourceTopics: readonly string[]): string {
  const match = /^kafka:\/\/([A-Za-z0-9._-]{1,249})$/.exec(destination.trim());
  if (!match) throw new ConfigError('--on-failure must be kafka://<topic> (a topic name of letters, digits, ".", "_" or "-")');
  const topic = match[1]!;
  // The event source refuses this too: failed records would be consumed and fail again, forever.
  if (sourceTopics.includes(topic)) throw new ConfigError(`--on-failure topic "${topic}" is a source topic`);
  return topic;
}

/**
 * The records of a batch whose retries are spent, set aside like dead letters (key, value and
 * headers untouched, where they came from, `dspfn-error-code: DSPFN_BATCH_FAILED` and why) plus
 * `dspfn-attempts`, so they can be inspected and replayed.
 */
export function onFailureMessages(topic: string, records: readonly (ReplayRecord | KafkaRecord)[], error: unknown, attempts: number, functionName: string): OutputMessage[] {
  const reason = new BatchFailedError(describeError(error).slice(0, 1000), { cause: error });
  return records.map((record) =>
    setAsideMessage('dead-letter', topic, Buffer.isBuffer(record.value) ? (record as KafkaRecord) : decodeRecord(record as ReplayRecord), reason, functionName, { [ATTEMPTS_HEADER]: String(attempts) }),
  );
}
