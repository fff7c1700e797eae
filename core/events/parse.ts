import { DecodeError, EventError } from '../errors.ts';
import { inProcessRecords } from './in-process.ts';
import { KeyedBase64Slab } from './keyed-slab.ts';
import { readRecord, type RawRecord } from './record.ts';
import { SharedHeaders } from './shared-headers.ts';
import type { KafkaEvent, KafkaRecord, MalformedRecord, ParsedKafkaEvent, PartitionBatch } from './types.ts';

export type { RawRecord } from './record.ts';

export function isKafkaEvent(event: unknown): event is KafkaEvent {
  if (typeof event !== 'object' || event === null) return false;
  const candidate = event as { eventSource?: unknown; records?: unknown };
  return (
    (candidate.eventSource === 'aws:kafka' || candidate.eventSource === 'SelfManagedKafka') &&
    typeof candidate.records === 'object' &&
    candidate.records !== null &&
    !Array.isArray(candidate.records)
  );
}

/** Topic names may contain "-": the partition is what follows the last one. */
export function splitPartitionKey(id: string): { topic: string; partition: number } {
  const dash = id.lastIndexOf('-');
  const digits = id.slice(dash + 1);
  const partition = Number(digits);
  if (dash <= 0 || !/^\d{1,10}$/.test(digits) || partition > 2 ** 31 - 1) {
    throw new EventError(`record group "${id.slice(0, 260)}" is not "<topic>-<partition>"`);
  }
  return { topic: id.slice(0, dash), partition };
}

/**
 * One record of the Lambda wire shape, decoded to bytes (`topic` and `partition` default to its
 * own fields). Tolerant: what is malformed is kept as bytes; parseKafkaEvent is what sorts those
 * records out.
 */
export function decodeRecord(raw: RawRecord, topic: string = raw.topic, partition: number = raw.partition): KafkaRecord {
  return readRecord(raw as unknown as Record<string, unknown>, topic, partition).record;
}

export interface ParseOptions {
  /**
   * Where the decoded keys and values go: at least the bytes asked for (a SlabLease's `allocate`,
   * for memory the next event reuses). Default: a new buffer per event.
   */
  memory?: (bytes: number) => Buffer;
  /**
   * Records with equal raw headers share one decoded header list (SharedHeaders): only where no
   * user code sees records. Default false: each record's headers are its own.
   */
  shareHeaders?: boolean;
  /**
   * Hand out the memory the records' values were decoded into (ParsedKafkaEvent.valueMemory), so
   * the decode step can check every f32le sample with one scan: only where no user code sees
   * records (and could change their bytes). Default false.
   */
  valueMemory?: boolean;
}

const isOffset = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Flattens an MSK or self-managed Kafka event into partitions whose records are in offset order.
 * What cannot be located — an event that is not a Kafka event, a group that is not a list, a record
 * that is not an object or has no offset, an offset twice in a partition — is an EventError (the
 * batch fails: Lambda never sends such an event). A record that can be located but is not in the
 * documented shape is set aside in `malformed` with a DecodeError, for its dead letter. Errors
 * name where, never what a record holds.
 */
export function parseKafkaEvent(event: unknown, options: ParseOptions = {}): ParsedKafkaEvent {
  const inProcess = inProcessRecords(event);
  if (inProcess) return inProcess;
  if (!isKafkaEvent(event)) {
    throw new EventError('event is not a Kafka event (expected eventSource "aws:kafka" or "SelfManagedKafka" with records)');
  }
  const partitions: PartitionBatch[] = [];
  const malformed: MalformedRecord[] = [];
  let recordCount = 0;
  const groups = event.records as Record<string, unknown>;
  // Every key and value laid out first, for one slab of decoded bytes with each key's values
  // together (see KeyedBase64Slab): in the order readRecord decodes them below.
  const slab = new KeyedBase64Slab();
  for (const id of Object.keys(groups)) {
    const rawRecords = groups[id];
    if (!Array.isArray(rawRecords)) continue;
    for (const raw of rawRecords as unknown[]) {
      if (typeof raw !== 'object' || raw === null) continue;
      const { key, value } = raw as { key?: unknown; value?: unknown };
      slab.plan(key, value);
    }
  }
  slab.allocate(options.memory);
  const shared = options.shareHeaders === true ? new SharedHeaders() : undefined;
  for (const id of Object.keys(groups)) {
    const { topic, partition } = splitPartitionKey(id);
    const rawRecords = groups[id];
    if (!Array.isArray(rawRecords)) throw new EventError(`record group ${topic}-${partition} is not a list`);
    const records: KafkaRecord[] = [];
    // Lambda sends a partition's records in offset order: while each offset is above the last,
    // none can repeat and nothing needs sorting; the first that is not brings in the set of those seen.
    let seen: Set<number> | undefined;
    let last = -1;
    for (let index = 0; index < rawRecords.length; index++) {
      const raw: unknown = rawRecords[index];
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new EventError(`record ${index} of ${topic}-${partition} is not an object`);
      }
      const offset = (raw as { offset?: unknown }).offset;
      if (!isOffset(offset)) throw new EventError(`record ${index} of ${topic}-${partition} has no valid offset`);
      if (offset <= last) seen ??= new Set(rawRecords.slice(0, index).map((r) => (r as { offset: number }).offset));
      if (seen?.has(offset)) {
        throw new EventError(`offset ${offset} appears twice in ${topic}-${partition}: a partition delivers each offset once`, { record: { topic, partition, offset } });
      }
      seen?.add(offset);
      if (offset > last) last = offset;
      const { record, problem } = readRecord(raw as Record<string, unknown>, topic, partition, slab, shared);
      if (problem === undefined) records.push(record);
      else malformed.push({ record, error: new DecodeError(`malformed record: ${problem}`, { record: { topic, partition, offset } }) });
    }
    if (seen !== undefined) records.sort((a, b) => a.offset - b.offset);
    recordCount += rawRecords.length;
    partitions.push({ topic, partition, records });
  }
  const servers = typeof event.bootstrapServers === 'string' ? event.bootstrapServers : '';
  const valueMemory = options.valueMemory === true ? slab.values() : undefined;
  return {
    eventSource: event.eventSource,
    ...('eventSourceArn' in event && typeof event.eventSourceArn === 'string' ? { eventSourceArn: event.eventSourceArn } : {}),
    bootstrapServers: servers.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    partitions,
    malformed,
    recordCount,
    ...(valueMemory === undefined ? {} : { valueMemory }),
  };
}
