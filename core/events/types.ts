import type { MSKEvent, SelfManagedKafkaEvent } from 'aws-lambda';

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
  readonly value: Buffer;
  readonly headers: readonly KafkaHeader[];
  readonly keySchemaMetadata?: SchemaMetadata;
  readonly valueSchemaMetadata?: SchemaMetadata;
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
  readonly recordCount: number;
}

export function headerText(record: Pick<KafkaRecord, 'headers'>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const header of record.headers) {
    if (header.name.toLowerCase() === lower) return header.value.toString('utf8');
  }
  return undefined;
}
