import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { KafkaHeader, KafkaRecord } from '../events/types.ts';
import type { ReplayRecord } from './replay-file.ts';
import { isFetchedRecord } from '../kafka/fetch-decoder.ts';

/** Java bytes are signed; the Lambda event carries header values that way. */
function signedBytes(value: Buffer | string): number[] {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const out = new Array<number>(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! > 127 ? bytes[i]! - 256 : bytes[i]!;
  return out;
}

/** kafkajs folds repeated header names into arrays; Lambda lists each header as its own object. */
function lambdaHeaders(headers: IHeaders | undefined): Array<Record<string, number[]>> {
  const out: Array<Record<string, number[]>> = [];
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) out.push({ [name]: signedBytes(one) });
  }
  return out;
}

function timestampTypeOf(message: KafkaMessage): ReplayRecord['timestampType'] {
  const context = (message as { batchContext?: { timestampType?: number } }).batchContext;
  return context?.timestampType === 1 ? 'LOG_APPEND_TIME' : 'CREATE_TIME';
}

/** A fetched message in the Lambda record shape (base64 key and value, signed-byte headers; no value for a tombstone). */
export function lambdaRecord(topic: string, partition: number, message: KafkaMessage): ReplayRecord {
  const record = {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: timestampTypeOf(message),
    // A tombstone (null value) stays one: no value, which is not an empty value.
    ...(message.value === null ? {} : { value: message.value.toString('base64') }),
    headers: lambdaHeaders(message.headers),
  } as ReplayRecord;
  if (message.key) record.key = message.key.toString('base64');
  return record;
}

const EMPTY = Buffer.alloc(0);

/** Records without headers (most) share one list, which nobody may change. */
const NO_HEADERS: readonly KafkaHeader[] = Object.freeze([]);

/** kafkajs folds repeated header names into arrays; each value becomes its own header, as bytes. */
function headersOf(headers: IHeaders | undefined): readonly KafkaHeader[] {
  let out: KafkaHeader[] | undefined;
  if (!headers) return NO_HEADERS;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    out ??= [];
    for (const one of Array.isArray(value) ? value : [value]) out.push({ name, value: typeof one === 'string' ? Buffer.from(one, 'utf8') : one });
  }
  return out ?? NO_HEADERS;
}

/**
 * A fetched message as the handler's parse step would decode its Lambda shape (lambdaRecord),
 * without the round trip through base64: what `consume` hands to the function in-process.
 */
export function kafkaRecord(topic: string, partition: number, message: KafkaMessage): KafkaRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: timestampTypeOf(message),
    key: message.key ?? null,
    value: message.value ?? EMPTY,
    // A null value is compaction's delete marker, which is not an empty value.
    tombstone: message.value === null,
    headers: headersOf(message.headers),
  };
}

/** A message of a kafkajs batch as a KafkaRecord: as decoded where dspfn's fetch decoder read it, else converted. */
export function fetchedRecord(topic: string, partition: number, message: KafkaMessage): KafkaRecord {
  return isFetchedRecord(message) ? message : kafkaRecord(topic, partition, message);
}
