import type { KafkaHeader, KafkaRecord } from '../events/types.ts';

/**
 * A Fetch response (versions 4–11) decoded into the structure kafkajs's own decoder returns, with
 * each record already in dspfn's KafkaRecord shape: numeric offsets and timestamps, key, value and
 * header values as views of the response (no copies, no Long/BigInt per record, no strings but
 * header names). kafkajs's Batch, aborted-transaction filter and offset bookkeeping read the few
 * message fields they use from the same objects (FetchedRecord).
 *
 * Anything this decoder does not handle the way kafkajs does (legacy message sets, offsets past
 * 2^53, malformed lengths) throws Unusual: the caller then decodes the whole response with kafkajs.
 */

/** Thrown when kafkajs's own decoder should decode the response instead. */
export class Unusual extends Error {}

const TIMESTAMP_TYPE_FLAG = 0x08;
const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;
const CODEC_MASK = 0x07;
/** FirstOffset(8) Length(4) ... Records count(4): the smallest batch kafkajs looks at. */
const RECORD_BATCH_OVERHEAD = 49;
/** The offset of the magic byte from the start of a batch (or legacy message). */
const MAGIC_OFFSET = 16;
const TWO_32 = 4294967296;

/** What kafkajs reads of a record batch's header through each record (filterAbortedMessages, Batch). */
export class RecordBatchContext {
  readonly inTransaction: boolean;
  readonly isControlBatch: boolean;
  /** 0 CREATE_TIME, 1 LOG_APPEND_TIME (kafkajs's TimestampTypes). */
  readonly timestampType: 0 | 1;
  readonly #bytes: Buffer;
  readonly #producerIdAt: number;

  constructor(bytes: Buffer, producerIdAt: number, attributes: number) {
    this.#bytes = bytes;
    this.#producerIdAt = producerIdAt;
    this.inTransaction = (attributes & TRANSACTIONAL_FLAG) !== 0;
    this.isControlBatch = (attributes & CONTROL_FLAG) !== 0;
    this.timestampType = (attributes & TIMESTAMP_TYPE_FLAG) !== 0 ? 1 : 0;
  }

  /** Int64 as kafkajs gives it (a decimal string); only transactional consumers ever read it. */
  get producerId(): string {
    return this.#bytes.readBigInt64BE(this.#producerIdAt).toString();
  }
}

/**
 * Brands FetchedRecords: recognised by this rather than by class, since the decoder hooked into
 * kafkajs (once per process) may come from another copy of this module (a bundle beside the sources,
 * a test runner's fresh module graph per file).
 */
const FETCHED_RECORD = Symbol.for('dspfn.kafka.fetchedRecord');

/** Whether kafkajs handed on a record dspfn's fetch decoder made (else a kafkajs message). */
export function isFetchedRecord(message: object): message is FetchedRecord {
  return (message as { [FETCHED_RECORD]?: true })[FETCHED_RECORD] === true;
}

/** A fetched record: dspfn's KafkaRecord, and the kafkajs message kafkajs's consumer filters and resolves. */
export class FetchedRecord implements KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  readonly key: Buffer | null;
  readonly value: Buffer;
  readonly tombstone: boolean;
  readonly headers: readonly KafkaHeader[];
  readonly batchContext: RecordBatchContext;

  constructor(
    topic: string,
    partition: number,
    offset: number,
    timestamp: number,
    context: RecordBatchContext,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly KafkaHeader[],
  ) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.timestampType = context.timestampType === 1 ? 'LOG_APPEND_TIME' : 'CREATE_TIME';
    this.key = key;
    // A null value is compaction's delete marker, which is not an empty value.
    this.value = value ?? EMPTY;
    this.tombstone = value === null;
    this.headers = headers;
    this.batchContext = context;
  }

  get [FETCHED_RECORD](): true {
    return true;
  }

  /** Transaction markers: kafkajs's Batch drops them after its aborted-transaction filter has used them. */
  get isControlRecord(): boolean {
    return this.batchContext.isControlBatch;
  }
}

const EMPTY = Buffer.alloc(0);
/** Records without headers (most) share one list, which nobody may change. */
const NO_HEADERS: readonly KafkaHeader[] = Object.freeze([]);

export interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

export interface FetchedPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset: string;
  lastStartOffset?: string;
  abortedTransactions: AbortedTransaction[];
  preferredReadReplica?: number;
  messages: FetchedRecord[];
}

export interface FetchResponse {
  throttleTime: number;
  clientSideThrottleTime?: number;
  errorCode?: number;
  sessionId?: number;
  responses: Array<{ topicName: string; partitions: FetchedPartition[] }>;
}

/** Decompresses a batch's records section, as kafkajs's registered codec for these attributes does. */
export type Decompress = (attributes: number, compressed: Buffer) => Promise<Buffer>;

/** The supported versions: those whose record sets kafkajs decodes with RecordBatch v2 (its fetch v4 decoder). */
export const FETCH_VERSIONS = { min: 4, max: 11 } as const;

/** A cursor over a Buffer, reading Kafka's big-endian and zig-zag varint fields. */
class Reader {
  at: number;
  readonly bytes: Buffer;
  /** Where reading must stop: the response, a batch, or (while one is read) a record. */
  end: number;

  constructor(bytes: Buffer, at: number, end: number) {
    this.bytes = bytes;
    this.at = at;
    this.end = end;
  }

  need(count: number): void {
    if (count < 0 || this.at + count > this.end) throw new Unusual('truncated field');
  }

  int8(): number {
    this.need(1);
    return (this.bytes[this.at++]! << 24) >> 24;
  }

  int16(): number {
    this.need(2);
    const value = this.bytes.readInt16BE(this.at);
    this.at += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.bytes.readInt32BE(this.at);
    this.at += 4;
    return value;
  }

  /** An int64 as kafkajs's decoders turn them into strings. */
  int64String(): string {
    this.need(8);
    const value = this.bytes.readBigInt64BE(this.at).toString();
    this.at += 8;
    return value;
  }

  /** An int64 as a number; Unusual past 2^53, where a number would not be exact. */
  int64(): number {
    this.need(8);
    const high = this.bytes.readInt32BE(this.at);
    const low = this.bytes.readUInt32BE(this.at + 4);
    this.at += 8;
    if (high > 0x1fffff || high < -0x200000) throw new Unusual('int64 past 2^53');
    return high * TWO_32 + low;
  }

  string(): string {
    const length = this.int16();
    if (length < 0) throw new Unusual('null string');
    this.need(length);
    const value = this.bytes.toString('utf8', this.at, this.at + length);
    this.at += length;
    return value;
  }

  /** A zig-zag varint or varlong as a number (exact to 2^53, Unusual past it). */
  varint(): number {
    const bytes = this.bytes;
    let at = this.at;
    let byte = at < this.end ? bytes[at++]! : -1;
    if (byte < 0) throw new Unusual('truncated varint');
    if (byte < 0x80) {
      this.at = at;
      return (byte >>> 1) ^ -(byte & 1);
    }
    let value = byte & 0x7f;
    let scale = 128;
    for (;;) {
      if (at >= this.end) throw new Unusual('truncated varint');
      byte = bytes[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 128;
      // Eight bytes and more could carry values past 2^53, which a number would round.
      if (scale > 2 ** 42) throw new Unusual('varint past 2^49');
    }
    this.at = at;
    // value is the unsigned zig-zag code: even → value/2, odd → -(value+1)/2.
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  /** Varint-length bytes as a view of the response; null for length -1. */
  bytesOrNull(): Buffer | null {
    const length = this.varint();
    if (length === -1) return null;
    this.need(length);
    const start = this.at;
    this.at += length;
    return this.bytes.subarray(start, this.at);
  }

  /** bytesOrNull for a record key: the view of an equal key read before when `keys` holds one. */
  keyOrNull(keys: KeyViews): Buffer | null {
    const length = this.varint();
    if (length === -1) return null;
    this.need(length);
    const start = this.at;
    this.at += length;
    return keys.view(this.bytes, start, length);
  }
}

/**
 * The key views of one partition's fetched records: a record whose key equals one of the last few
 * distinct keys read gets that key's Buffer (same bytes) instead of a view of its own. Most topics
 * repeat a few keys (devices, sensors): a fetched record then carries one Buffer instead of two,
 * which is half of what its buffered wait (fetch to batch) costs the garbage collector. Views are
 * read-only by convention: every holder sees the record's key bytes as fetched.
 */
export class KeyViews {
  private readonly views: Buffer[] = [];
  private next = 0;
  /** Keys found among the views, and not: a topic of ever new keys (ids) stops looking. */
  private hits = 0;
  private misses = 0;

  view(bytes: Buffer, start: number, length: number): Buffer {
    const views = this.views;
    const looks = length <= MAX_SHARED_KEY && this.misses <= 4 * this.hits + 64;
    if (looks) {
      for (let v = 0; v < views.length; v++) {
        const view = views[v]!;
        if (view.length === length && sameBytes(view, bytes, start, length)) {
          this.hits++;
          return view;
        }
      }
      this.misses++;
    }
    const view = bytes.subarray(start, start + length);
    if (!looks) return view;
    if (views.length < SHARED_KEYS) views.push(view);
    else {
      views[this.next] = view;
      this.next = (this.next + 1) % SHARED_KEYS;
    }
    return view;
  }
}

/** Keys compared byte by byte: longer ones (rare) get views of their own. */
const MAX_SHARED_KEY = 64;
/** Distinct recent keys remembered per partition of a response. */
const SHARED_KEYS = 16;

function sameBytes(view: Buffer, bytes: Buffer, start: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (view[i] !== bytes[start + i]) return false;
  return true;
}

/** Decodes one Fetch response's payload (after the correlation id), as kafkajs's fetch decoder of `version` would. */
export async function decodeFetchResponse(payload: Buffer, version: number, decompress: Decompress): Promise<FetchResponse> {
  if (version < FETCH_VERSIONS.min || version > FETCH_VERSIONS.max) throw new Unusual(`fetch version ${version}`);
  const reader = new Reader(payload, 0, payload.length);
  const throttle = reader.int32();
  const response: FetchResponse = version >= 8
    // kafkajs reports the broker's throttle as the client's own from v8 (KIP-219).
    ? { throttleTime: 0, clientSideThrottleTime: throttle, errorCode: reader.int16(), sessionId: reader.int32(), responses: [] }
    : version >= 7
      ? { throttleTime: throttle, errorCode: reader.int16(), sessionId: reader.int32(), responses: [] }
      : { throttleTime: throttle, responses: [] };
  const topics = reader.int32();
  for (let t = 0; t < topics; t++) {
    const topicName = reader.string();
    const partitions: FetchedPartition[] = [];
    const count = reader.int32();
    for (let p = 0; p < count; p++) partitions.push(await decodePartition(reader, version, topicName, decompress));
    response.responses.push({ topicName, partitions });
  }
  return response;
}

async function decodePartition(reader: Reader, version: number, topic: string, decompress: Decompress): Promise<FetchedPartition> {
  const partition = reader.int32();
  const errorCode = reader.int16();
  const highWatermark = reader.int64String();
  const lastStableOffset = reader.int64String();
  const lastStartOffset = version >= 5 ? reader.int64String() : undefined;
  const abortedTransactions: AbortedTransaction[] = [];
  const aborted = reader.int32();
  for (let i = 0; i < aborted; i++) abortedTransactions.push({ producerId: reader.int64String(), firstOffset: reader.int64String() });
  const preferredReadReplica = version >= 11 ? reader.int32() : undefined;
  const messages = await decodeRecordSet(reader, topic, partition, decompress);
  return {
    partition,
    errorCode,
    highWatermark,
    lastStableOffset,
    ...(lastStartOffset === undefined ? {} : { lastStartOffset }),
    abortedTransactions,
    ...(preferredReadReplica === undefined ? {} : { preferredReadReplica }),
    messages,
  };
}

async function decodeRecordSet(reader: Reader, topic: string, partition: number, decompress: Decompress): Promise<FetchedRecord[]> {
  const size = reader.int32();
  const records: FetchedRecord[] = [];
  // As kafkajs: an empty or incomplete set is no records (and its bytes are not skipped).
  if (size <= 0 || reader.at + size > reader.end) return records;
  // Too short for a magic byte (kafkajs fails reading it): kafkajs decides.
  if (size <= MAGIC_OFFSET) throw new Unusual('short record set');
  const bytes = reader.bytes;
  const end = reader.at + size;
  let at = reader.at;
  reader.at = end;
  const keys = new KeyViews();
  while (end - at >= RECORD_BATCH_OVERHEAD) {
    if (bytes[at + MAGIC_OFFSET] !== 2) throw new Unusual('legacy message set');
    const length = bytes.readInt32BE(at + 8);
    const batchEnd = at + 12 + length;
    // The tail of a fetch may hold a partial batch (maxBytes): kafkajs stops there.
    if (batchEnd > end) break;
    if (length < RECORD_BATCH_OVERHEAD - 12) throw new Unusual('short record batch');
    await decodeRecordBatch(new Reader(bytes, at, batchEnd), topic, partition, decompress, records, keys);
    at = batchEnd;
  }
  return records;
}

/**
 * RecordBatch v2: FirstOffset int64, Length int32, PartitionLeaderEpoch int32, Magic int8, CRC int32,
 * Attributes int16, LastOffsetDelta int32, FirstTimestamp int64, MaxTimestamp int64, ProducerId int64,
 * ProducerEpoch int16, FirstSequence int32, Records [Record]. kafkajs does not check the CRC either.
 */
async function decodeRecordBatch(batch: Reader, topic: string, partition: number, decompress: Decompress, into: FetchedRecord[], keys: KeyViews): Promise<void> {
  const bytes = batch.bytes;
  const start = batch.at;
  const firstOffset = batch.int64();
  const attributes = bytes.readInt16BE(start + 21);
  const lastOffsetDelta = bytes.readInt32BE(start + 23);
  if (firstOffset + Math.max(0, lastOffsetDelta) > Number.MAX_SAFE_INTEGER) throw new Unusual('offset past 2^53');
  batch.at = start + 27;
  const firstTimestamp = batch.int64();
  const maxTimestamp = batch.int64();
  const context = new RecordBatchContext(bytes, start + 43, attributes);
  batch.at = start + 57;
  let count = batch.int32();
  let records = batch;
  if ((attributes & CODEC_MASK) !== 0) {
    if (count <= 0) return;
    const inflated = await decompress(attributes, bytes.subarray(batch.at, batch.end));
    records = new Reader(inflated, 0, inflated.length);
  } else if (count === -1) {
    count = 0;
  }
  // LOG_APPEND_TIME: the broker's time, which it writes as the batch's max timestamp.
  const appendTime = context.timestampType === 1 ? maxTimestamp : undefined;
  for (let i = 0; i < count; i++) into.push(decodeRecord(records, topic, partition, firstOffset, firstTimestamp, appendTime, context, keys));
}

/**
 * Record: Length varint, Attributes int8, TimestampDelta varlong, OffsetDelta varint, Key, Value
 * (varint length, -1 null), Headers [name varint string, value varint bytes].
 */
function decodeRecord(
  reader: Reader,
  topic: string,
  partition: number,
  firstOffset: number,
  firstTimestamp: number,
  appendTime: number | undefined,
  context: RecordBatchContext,
  keys: KeyViews,
): FetchedRecord {
  const length = reader.varint();
  reader.need(length);
  const outer = reader.end;
  const recordEnd = reader.at + length;
  // The record's fields are read within its length, by the same cursor (no object per record).
  const record = reader;
  record.end = recordEnd;
  record.at += 1; // attributes: unused (kafkajs reads and drops them too)
  const timestampDelta = record.varint();
  const offsetDelta = record.varint();
  const key = record.keyOrNull(keys);
  const value = record.bytesOrNull();
  const headerCount = record.varint();
  let headers = NO_HEADERS;
  if (headerCount > 0) {
    const list: KafkaHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const nameLength = record.varint();
      if (nameLength < 0) throw new Unusual('null header name');
      record.need(nameLength);
      const name = record.bytes.toString('utf8', record.at, record.at + nameLength);
      record.at += nameLength;
      // kafkajs hands a null header value on as null; so does dspfn.
      list.push({ name, value: record.bytesOrNull() as Buffer });
    }
    headers = list;
  }
  record.at = recordEnd;
  record.end = outer;
  const offset = firstOffset + offsetDelta;
  if (offset > Number.MAX_SAFE_INTEGER) throw new Unusual('offset past 2^53');
  return new FetchedRecord(topic, partition, offset, appendTime ?? firstTimestamp + timestampDelta, context, key, value, headers);
}
