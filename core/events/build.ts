import type { MSKEvent, MSKRecord, SelfManagedKafkaEvent } from 'aws-lambda';

/** What a test or the replay tooling says about one record; everything has a default. */
export interface RecordInput {
  topic?: string;
  partition?: number;
  offset?: number;
  timestamp?: number;
  timestampType?: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  /** A string is UTF-8; `null` or absent means no key. */
  key?: string | Uint8Array | null;
  /**
   * Plain objects, arrays, numbers and null are JSON-encoded; a Float32Array becomes raw f32le
   * bytes. Absent (undefined): a tombstone, a record with no value.
   */
  value?: string | Uint8Array | Float32Array | object | number | boolean | null;
  headers?: Record<string, string | Uint8Array>;
  /** As a mapping with a schema registry adds it: `{ dataFormat: 'AVRO' | 'PROTOBUF' | 'JSON', schemaId }`. */
  valueSchemaMetadata?: { dataFormat: string; schemaId: string };
}

export interface EventOptions {
  topic?: string;
  bootstrapServers?: string;
  clusterArn?: string;
}

const DEFAULT_TOPIC = 'events';
const DEFAULT_ARN = 'arn:aws:kafka:us-east-1:123456789012:cluster/dspfn-local/00000000-0000-0000-0000-000000000000-1';
const DEFAULT_SERVERS = 'b-1.dspfn-local.kafka.us-east-1.amazonaws.com:9098';

export function f32leBytes(samples: Float32Array | readonly number[]): Buffer {
  const values = samples instanceof Float32Array ? samples : Float32Array.from(samples);
  const out = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i]!, i * 4);
  return out;
}

export function valueBytes(value: Exclude<RecordInput['value'], undefined>): Buffer {
  if (value instanceof Float32Array) return f32leBytes(value);
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Java bytes are signed; Lambda sends header values that way. */
function signedBytes(value: string | Uint8Array): number[] {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Array.from(bytes, (b) => (b > 127 ? b - 256 : b));
}

/** One record in the Lambda wire shape (base64 key and value, signed-byte headers). */
export function kafkaRecord(input: RecordInput, defaults: { topic?: string; offset?: number } = {}): MSKRecord {
  const record: MSKRecord = {
    topic: input.topic ?? defaults.topic ?? DEFAULT_TOPIC,
    partition: input.partition ?? 0,
    offset: input.offset ?? defaults.offset ?? 0,
    timestamp: input.timestamp ?? 1_700_000_000_000,
    timestampType: input.timestampType ?? 'CREATE_TIME',
    key: '',
    value: input.value === undefined ? '' : valueBytes(input.value).toString('base64'),
    headers: Object.entries(input.headers ?? {}).map(([name, value]) => ({ [name]: signedBytes(value) })),
  };
  if (input.valueSchemaMetadata) Object.assign(record, { valueSchemaMetadata: input.valueSchemaMetadata });
  if (input.value === undefined) delete (record as Partial<MSKRecord>).value;
  if (input.key === undefined || input.key === null) delete (record as Partial<MSKRecord>).key;
  else record.key = Buffer.from(typeof input.key === 'string' ? Buffer.from(input.key, 'utf8') : input.key).toString('base64');
  return record;
}

/**
 * Groups records under "topic-partition" in the order given. Offsets not given are numbered per
 * partition from 0 (or after the last explicit one), like a fresh topic.
 */
function groupRecords(inputs: readonly RecordInput[], options: EventOptions): Record<string, MSKRecord[]> {
  const groups: Record<string, MSKRecord[]> = {};
  const nextOffset = new Map<string, number>();
  for (const input of inputs) {
    const topic = input.topic ?? options.topic ?? DEFAULT_TOPIC;
    const id = `${topic}-${input.partition ?? 0}`;
    const offset = input.offset ?? nextOffset.get(id) ?? 0;
    nextOffset.set(id, offset + 1);
    (groups[id] ??= []).push(kafkaRecord(input, { topic, offset }));
  }
  return groups;
}

/** An Amazon MSK event (`eventSource: "aws:kafka"`), as Lambda delivers it. */
export function mskEvent(inputs: readonly RecordInput[], options: EventOptions = {}): MSKEvent {
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: options.clusterArn ?? DEFAULT_ARN,
    bootstrapServers: options.bootstrapServers ?? DEFAULT_SERVERS,
    records: groupRecords(inputs, options),
  } as MSKEvent;
}

/** A self-managed Kafka event (`eventSource: "SelfManagedKafka"`), as Lambda delivers it. */
export function selfManagedKafkaEvent(inputs: readonly RecordInput[], options: EventOptions = {}): SelfManagedKafkaEvent {
  return {
    eventSource: 'SelfManagedKafka',
    bootstrapServers: options.bootstrapServers ?? 'kafka-1.internal:9092,kafka-2.internal:9092',
    records: groupRecords(inputs, options),
  } as SelfManagedKafkaEvent;
}
