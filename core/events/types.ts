import type { MSKEvent, SelfManagedKafkaEvent } from 'aws-lambda';
import type { DecodeError } from '../errors.ts';

/** The two Kafka event shapes Lambda delivers (MSK and self-managed clusters). */
export type KafkaEvent = MSKEvent | SelfManagedKafkaEvent;
export type KafkaEventSource = KafkaEvent['eventSource'];

export interface KafkaHeader {
  readonly name: string;
  readonly value: Buffer;
}

/**
 * Present when the event source mapping has a schema registry: the format the producer used and
 * its schema id (a number for Confluent, a UUID for AWS Glue).
 */
export interface SchemaMetadata {
  readonly dataFormat: string;
  readonly schemaId: string;
}

/** A Kafka record with key, value and headers decoded to bytes. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Epoch milliseconds (float64). */
  readonly timestamp: number;
  readonly timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  readonly key: Buffer | null;
  /** The value's bytes; empty for a tombstone. */
  readonly value: Buffer;
  /**
   * A record with no value at all (absent or null: log compaction's delete marker), which is not
   * the same as an empty value. The function's `tombstones` option says what happens to it.
   */
  readonly tombstone: boolean;
  readonly headers: readonly KafkaHeader[];
  readonly keySchemaMetadata?: SchemaMetadata;
  readonly valueSchemaMetadata?: SchemaMetadata;
}

/**
 * A record that can be located (topic, partition, offset) but is not in the shape Lambda documents
 * (a key or value that is not base64, headers that are not bytes, …). Its fields' content is kept
 * as bytes, so its dead letter carries what arrived.
 */
export interface MalformedRecord {
  readonly record: KafkaRecord;
  readonly error: DecodeError;
}

/** Records of one topic-partition, in offset order. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly KafkaRecord[];
}

export interface ParsedKafkaEvent {
  readonly eventSource: KafkaEventSource;
  readonly eventSourceArn?: string;
  readonly bootstrapServers: readonly string[];
  readonly partitions: readonly PartitionBatch[];
  /** Records set aside while parsing, to be dead-lettered; they are in no partition. */
  readonly malformed: readonly MalformedRecord[];
  /** Every record of the event: those in partitions and the malformed ones. */
  readonly recordCount: number;
  /**
   * Where the records' values were decoded, when the parser was asked for it (ParseOptions.valueMemory):
   * the bytes of each value that lies in it, the zeros between them, and those of values that failed to decode.
   */
  readonly valueMemory?: Uint8Array;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The record key as text, or undefined when there is none or its bytes are not UTF-8: two
 * different binary keys must not become one key by decoding both to replacement characters.
 */
export function keyText(record: Pick<KafkaRecord, 'key'>): string | undefined {
  if (record.key === null) return undefined;
  try {
    return strictUtf8.decode(record.key);
  } catch {
    return undefined;
  }
}

export function headerText(record: Pick<KafkaRecord, 'headers'>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const header of record.headers) {
    if (header.name.toLowerCase() === lower) return header.value.toString('utf8');
  }
  return undefined;
}
