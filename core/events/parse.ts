import { EventError } from '../errors.ts';
import { inProcessRecords } from './in-process.ts';
import type { KafkaEvent, KafkaHeader, KafkaRecord, ParsedKafkaEvent, PartitionBatch, SchemaMetadata } from './types.ts';

type RawHeader = Record<string, readonly number[]>;
/** A record as the Lambda event carries it (base64 key and value, signed-byte headers). */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  key?: string | null;
  value?: string | null;
  headers?: readonly RawHeader[];
  keySchemaMetadata?: unknown;
  valueSchemaMetadata?: unknown;
}

export function isKafkaEvent(event: unknown): event is KafkaEvent {
  if (typeof event !== 'object' || event === null) return false;
  const candidate = event as { eventSource?: unknown; records?: unknown };
  return (
    (candidate.eventSource === 'aws:kafka' || candidate.eventSource === 'SelfManagedKafka') &&
    typeof candidate.records === 'object' &&
    candidate.records !== null
  );
}

/** Topic names may contain "-": the partition is what follows the last one. */
export function splitPartitionKey(id: string): { topic: string; partition: number } {
  const dash = id.lastIndexOf('-');
  const partition = Number(id.slice(dash + 1));
  if (dash <= 0 || !Number.isInteger(partition) || partition < 0) {
    throw new EventError(`record group "${id}" is not "<topic>-<partition>"`);
  }
  return { topic: id.slice(0, dash), partition };
}

/** Header bytes arrive as signed Java bytes (-128..127); Buffer.from keeps the low 8 bits. */
function decodeHeaders(headers: readonly RawHeader[] | undefined): KafkaHeader[] {
  if (!headers) return [];
  const out: KafkaHeader[] = [];
  for (const header of headers) {
    for (const name of Object.keys(header)) out.push({ name, value: Buffer.from(header[name]!) });
  }
  return out;
}

function schemaMetadata(raw: unknown): SchemaMetadata | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { dataFormat, schemaId } = raw as { dataFormat?: unknown; schemaId?: unknown };
  if (typeof dataFormat !== 'string') return undefined;
  return { dataFormat, schemaId: schemaId === undefined || schemaId === null ? '' : String(schemaId) };
}

/** One record of the Lambda wire shape, decoded to bytes. */
export function decodeRecord(raw: RawRecord, topic: string = raw.topic, partition: number = raw.partition): KafkaRecord {
  if (!Number.isInteger(raw.offset) || raw.offset < 0) {
    throw new EventError(`record in ${topic}-${partition} has no valid offset`);
  }
  const record: KafkaRecord = {
    topic: raw.topic ?? topic,
    partition: raw.partition ?? partition,
    offset: raw.offset,
    timestamp: raw.timestamp,
    timestampType: raw.timestampType,
    // Decoded here, not by middy's event normalizer, which would turn binary payloads into text.
    key: raw.key === undefined || raw.key === null ? null : Buffer.from(raw.key, 'base64'),
    value: raw.value === undefined || raw.value === null ? Buffer.alloc(0) : Buffer.from(raw.value, 'base64'),
    headers: decodeHeaders(raw.headers),
  };
  // Only mappings with a schema registry send these; other records keep one shape.
  if (raw.keySchemaMetadata != null || raw.valueSchemaMetadata != null) {
    const keySchema = schemaMetadata(raw.keySchemaMetadata);
    const valueSchema = schemaMetadata(raw.valueSchemaMetadata);
    return { ...record, ...(keySchema ? { keySchemaMetadata: keySchema } : {}), ...(valueSchema ? { valueSchemaMetadata: valueSchema } : {}) };
  }
  return record;
}

/** Flattens an MSK or self-managed Kafka event into partitions whose records are in offset order. */
export function parseKafkaEvent(event: unknown): ParsedKafkaEvent {
  const inProcess = inProcessRecords(event);
  if (inProcess) return inProcess;
  if (!isKafkaEvent(event)) {
    throw new EventError('event is not a Kafka event (expected eventSource "aws:kafka" or "SelfManagedKafka" with records)');
  }
  const partitions: PartitionBatch[] = [];
  let recordCount = 0;
  const groups = event.records as Record<string, readonly RawRecord[]>;
  for (const id of Object.keys(groups)) {
    const { topic, partition } = splitPartitionKey(id);
    const rawRecords = groups[id];
    if (!Array.isArray(rawRecords)) throw new EventError(`record group "${id}" is not an array`);
    const records = rawRecords.map((raw: RawRecord) => decodeRecord(raw, topic, partition));
    records.sort((a, b) => a.offset - b.offset);
    recordCount += records.length;
    partitions.push({ topic, partition, records });
  }
  const servers = typeof event.bootstrapServers === 'string' ? event.bootstrapServers : '';
  return {
    eventSource: event.eventSource,
    ...('eventSourceArn' in event && typeof event.eventSourceArn === 'string' ? { eventSourceArn: event.eventSourceArn } : {}),
    bootstrapServers: servers.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    partitions,
    recordCount,
  };
}
