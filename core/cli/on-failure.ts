import { ConfigError, describeError, ErrorCode } from '../errors.ts';
import { Header, type OutputMessage } from '../sink/sink.ts';
import type { ReplayRecord } from './replay-file.ts';

export const ATTEMPTS_HEADER = 'dspfn-attempts';

/** `kafka://topic`, as the event source mapping's OnFailure destination is written. */
export function parseOnFailure(destination: string, sourceTopics: readonly string[]): string {
  const match = /^kafka:\/\/([A-Za-z0-9._-]{1,249})$/.exec(destination.trim());
  if (!match) throw new ConfigError(`--on-failure must be kafka://<topic>, got "${destination}"`);
  const topic = match[1]!;
  // The event source refuses this too: failed records would be consumed and fail again, forever.
  if (sourceTopics.includes(topic)) throw new ConfigError(`--on-failure topic "${topic}" is a source topic`);
  return topic;
}

/**
 * The failed records themselves (key, value and headers untouched) with where they came from
 * and why the batch failed, so they can be inspected and replayed.
 */
export function onFailureMessages(topic: string, records: readonly ReplayRecord[], error: unknown, attempts: number, functionName: string): OutputMessage[] {
  const reason = describeError(error).slice(0, 1000);
  return records.map((record) => {
    const headers: Record<string, Buffer | string> = {};
    for (const header of record.headers) {
      for (const [name, bytes] of Object.entries(header)) headers[name] = Buffer.from(bytes);
    }
    Object.assign(headers, {
      [Header.sourceTopic]: record.topic,
      [Header.sourcePartition]: String(record.partition),
      [Header.sourceOffset]: String(record.offset),
      [Header.function]: functionName,
      [Header.errorCode]: ErrorCode.BatchFailed,
      [Header.errorReason]: reason,
      [ATTEMPTS_HEADER]: String(attempts),
    });
    const key = record.key === undefined || record.key === null ? null : Buffer.from(record.key, 'base64');
    return { kind: 'dead-letter', topic, key, value: Buffer.from(record.value, 'base64'), headers };
  });
}
