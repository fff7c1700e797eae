/**
 * Kafka's RecordBatch (magic 2) and the Produce request body (versions 9–12), written straight into
 * one Buffer per partition: sizes first, then the bytes, with strings encoded in place. A client
 * library that builds every record from small buffers and concatenates them spends more CPU on
 * that than dspfn spends on the record itself.
 */
import { ResultHeaders } from './result-headers.ts';
import { cachedHeader, functionHeader, headerEntry, headerNamePrefix, RESULT_HEADERS, resultRun, resultTail, uvarintSize, writeUvarint } from './record-headers.ts';

/** One record: strings are written as UTF-8. */
export interface BatchRecord {
  readonly key: string | Buffer | null;
  /** null: a record without a value (a tombstone's dead letter). */
  readonly value: string | Buffer | null;
  readonly headers: Readonly<Record<string, string | Buffer>> | undefined;
}

/** Who writes the batch: the idempotent producer's id, epoch and the partition's next sequence number. */
export interface BatchProducer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly transactional: boolean;
}

export interface BatchCompression {
  /** The codec's bits in the batch attributes (gzip 1, snappy 2, lz4 3, zstd 4). */
  readonly bitmask: number;
  compressSync(records: Buffer): Buffer;
}

/** Bytes of batch header before the records: base offset … record count. */
export const BATCH_HEADER_BYTES = 61;
/** Where the CRC-covered part (attributes … end) starts. */
const CRC_START = 21;
const IS_TRANSACTIONAL = 1 << 4;

/** Strings this short are measured and written in JavaScript: a native call costs more than the loop. */
const SHORT = 32;

function byteLength(data: string | Buffer): number {
  if (typeof data !== 'string') return data.length;
  const length = data.length;
  if (length > SHORT) return Buffer.byteLength(data);
  for (let i = 0; i < length; i++) if (data.charCodeAt(i) > 0x7f) return Buffer.byteLength(data);
  return length;
}

function writeBytes(buf: Buffer, data: string | Buffer, length: number, at: number): number {
  if (typeof data !== 'string') buf.set(data, at);
  // As many bytes as UTF-16 units: ASCII.
  else if (length === data.length && length <= SHORT) for (let i = 0; i < length; i++) buf[at + i] = data.charCodeAt(i);
  else buf.write(data, at, length, 'utf8');
  return at + length;
}

/**
 * Scratch for the sizes pass: per record its body size, header count and the byte lengths of its
 * key, value and header values in order, and per header its cached encoding (or undefined), so the
 * write pass measures nothing twice. Grows, never shrinks.
 */
let lengths = new Int32Array(4096);
const cachedHeaders: Array<Buffer | undefined> = [];
/** Per header not cached, its name as written (headerNamePrefix). */
const headerNames: Buffer[] = [];

/** The varint of a non-negative size or count (its zigzag) at `at`; returns the end (one small call where the write pass makes many). */
function writeLength(buf: Buffer, value: number, at: number): number {
  if (value < 64) {
    buf[at] = value * 2;
    return at + 1;
  }
  if (value < 8192) {
    buf[at] = ((value * 2) & 0x7f) | 0x80;
    buf[at + 1] = value >>> 6;
    return at + 2;
  }
  return writeUvarint(buf, value * 2, at);
}

/** The records section (what compression applies to), written at `at` of `buf`; returns the end. */
function writeRecords(buf: Buffer, at: number, records: readonly BatchRecord[], lengthList: Int32Array): number {
  let li = 0;
  let hi = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const bodySize = lengthList[li++]!;
    at = writeLength(buf, bodySize, at);
    buf[at++] = 0; // attributes
    buf[at++] = 0; // timestamp delta: every record of a batch carries the batch's timestamp
    at = writeLength(buf, i, at);
    for (let field = 0; field < 2; field++) {
      const data = field === 0 ? record.key : record.value;
      if (data === null) {
        buf[at++] = 1; // zigzag(-1): null
        continue;
      }
      const length = lengthList[li++]!;
      at = writeLength(buf, length, at);
      at = writeBytes(buf, data, length, at);
    }
    const count = lengthList[li++]!;
    const headers = record.headers;
    if (count === RESULT_HEADERS) {
      // ResultHeaders: count … the offset's length as one piece (resultTail), then the offset's value in its room.
      const tail = cachedHeaders[hi++]!;
      buf.set(tail, at);
      const length = lengthList[li++]!;
      writeBytes(buf, (headers as ResultHeaders)['dspfn-source-offset'], length, at + lengthList[li++]!);
      at += tail.length;
      continue;
    }
    at = writeLength(buf, count, at);
    if (headers) {
      for (const name in headers) {
        const cached = cachedHeaders[hi++];
        if (cached !== undefined) {
          buf.set(cached, at);
          at += cached.length;
          continue;
        }
        const prefix = headerNames[hi - 1]!;
        buf.set(prefix, at);
        at += prefix.length;
        const length = lengthList[li++]!;
        at = writeLength(buf, length, at);
        at = writeBytes(buf, headers[name]!, length, at);
      }
    }
  }
  return at;
}

/** `lengths` with room for at least `needed` entries, what was measured kept. */
function grownLengths(needed: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(Math.max(needed, lengths.length * 2));
  grown.set(lengths);
  return (lengths = grown);
}

/** Bytes of the varint of a non-negative size or count (its zigzag): one call where the sizes pass makes many. */
function lengthVarintSize(value: number): number {
  return value < 64 ? 1 : value < 8192 ? 2 : uvarintSize(value * 2);
}

/** Sizes pass: fills `lengths` and returns the records section's byte size. */
function measureRecords(records: readonly BatchRecord[]): number {
  let list = lengths;
  let li = 0;
  let hi = 0;
  let total = 0;
  // Results come in runs of one key (a key's records are processed together): a text key is measured once per run.
  let lastKey: string | undefined;
  let lastKeyLength = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    // Room for this record's body size, key and value lengths and header count; its headers check their own.
    if (li + 4 > list.length) list = grownLengths(li + 4);
    const bodyAt = li++;
    let body = 2 + lengthVarintSize(i); // attributes, timestamp delta 0, offset delta
    const key = record.key;
    if (key === null) body += 1;
    else {
      let length: number;
      if (key === lastKey) length = lastKeyLength;
      else {
        length = byteLength(key);
        if (typeof key === 'string') {
          lastKey = key;
          lastKeyLength = length;
        }
      }
      list[li++] = length;
      body += lengthVarintSize(length) + length;
    }
    const value = record.value;
    if (value === null) body += 1;
    else {
      const length = byteLength(value);
      list[li++] = length;
      body += lengthVarintSize(length) + length;
    }
    const countAt = li++;
    const headers = record.headers;
    if (headers instanceof ResultHeaders) {
      const offset = headers['dspfn-source-offset'];
      const length = byteLength(offset);
      if (length < 64) {
        const run = resultRun(headers);
        const tail = resultTail(run, functionHeader(headers['dspfn-function']), length);
        cachedHeaders[hi++] = tail;
        if (li + 2 > list.length) list = grownLengths(li + 2);
        list[li++] = length;
        list[li++] = run.length + 1; // where the offset's value goes in the tail
        list[countAt] = RESULT_HEADERS;
        body += tail.length;
        list[bodyAt] = body;
        total += lengthVarintSize(body) + body;
        continue;
      }
    }
    let count = 0;
    if (headers) {
      for (const name in headers) {
        const value = headers[name]!;
        const entry = headerEntry(count++, name);
        const cached = cachedHeader(entry, value);
        cachedHeaders[hi] = cached;
        if (cached !== undefined) {
          hi++;
          body += cached.length;
          continue;
        }
        const prefix = entry?.prefix ?? headerNamePrefix(name);
        headerNames[hi++] = prefix;
        const length = byteLength(value);
        if (li === list.length) list = grownLengths(li + 1);
        list[li++] = length;
        body += prefix.length + lengthVarintSize(length) + length;
      }
    }
    list[countAt] = count;
    body += lengthVarintSize(count);
    list[bodyAt] = body;
    total += lengthVarintSize(body) + body;
  }
  return total;
}

/** The largest arena kept for the next request; a larger one is left to the garbage collector. */
export const ARENA_LIMIT = 16 << 20;
/**
 * Free bytes an arena keeps in front of a request body: the connection's request header (size,
 * API key and version, correlation id, client id, tagged fields) is written there, so the request
 * goes to the socket as one view of the arena instead of a copy (platformatic-fast-produce.ts).
 */
export const HEADROOM = 256;

/** Where a batch is written: `take` hands out the next `size` bytes. */
export interface BatchMemory {
  take(size: number): Buffer;
}

/**
 * Memory for one produce request's body at a time, reused from request to request: writing a
 * batch into a fresh megabyte costs more in page faults and cache misses than the writing itself
 * (measured about 8× the copying of the values). Pieces are handed out one after the other, so a
 * request's body is one contiguous run (`body()`) after HEADROOM free bytes. Growing moves what was
 * written into the larger memory, so a piece must be written in full before the next `take`.
 */
export class BatchArena implements BatchMemory {
  private memory: Buffer;
  private used = HEADROOM;

  constructor(bytes = 1 << 20) {
    this.memory = Buffer.allocUnsafe(Math.max(bytes, HEADROOM));
  }

  /** Its memory is larger than an arena worth keeping. */
  get oversized(): boolean {
    return this.memory.length > ARENA_LIMIT;
  }

  reset(): void {
    this.used = HEADROOM;
  }

  take(size: number): Buffer {
    const end = this.used + size;
    if (end > this.memory.length) {
      const grown = Buffer.allocUnsafe(Math.max(end, this.memory.length * 2));
      this.memory.copy(grown, 0, 0, this.used);
      this.memory = grown;
    }
    const piece = this.memory.subarray(this.used, end);
    this.used = end;
    return piece;
  }

  /** Everything taken since the last reset, in one view; HEADROOM bytes before it are free. */
  body(): Buffer {
    return this.memory.subarray(HEADROOM, this.used);
  }
}

/** A compressed batch's records are written here first (the codecs return new memory). */
let plainScratch = Buffer.allocUnsafe(0);
function plainRecords(size: number): Buffer {
  if (size > ARENA_LIMIT) return Buffer.allocUnsafe(size);
  if (plainScratch.length < size) plainScratch = Buffer.allocUnsafe(Math.max(size, plainScratch.length * 2, 64 * 1024));
  return plainScratch.subarray(0, size);
}

/**
 * One partition's records as a RecordBatch: offset deltas 0…n-1, one timestamp (`timestamp`, epoch
 * ms) for all, the producer's id, epoch and base sequence, CRC-32C over attributes … end. Written
 * into `memory` when given (one `take` of the batch's size), else into a Buffer of its own.
 */
export function encodeRecordBatch(
  records: readonly BatchRecord[],
  producer: BatchProducer,
  crc32c: (data: Buffer) => number,
  compression?: BatchCompression,
  timestamp: number = Date.now(),
  memory?: BatchMemory,
): Buffer {
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const recordsSize = measureRecords(records);
  const allocate = (size: number) => (memory ? memory.take(size) : Buffer.allocUnsafe(size));
  let batch: Buffer;
  let attributes = producer.transactional ? IS_TRANSACTIONAL : 0;
  if (compression) {
    const plain = plainRecords(recordsSize);
    writeRecords(plain, 0, records, lengths);
    const compressed = compression.compressSync(plain);
    batch = allocate(BATCH_HEADER_BYTES + compressed.length);
    compressed.copy(batch, BATCH_HEADER_BYTES);
    attributes |= compression.bitmask;
  } else {
    batch = allocate(BATCH_HEADER_BYTES + recordsSize);
    writeRecords(batch, BATCH_HEADER_BYTES, records, lengths);
  }
  const time = BigInt(timestamp);
  batch.writeBigInt64BE(0n, 0); // base offset: the broker assigns it
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(-1, 12); // partition leader epoch: unknown to a producer
  batch.writeInt8(2, 16); // magic
  batch.writeInt16BE(attributes, 21);
  batch.writeInt32BE(records.length - 1, 23); // last offset delta
  batch.writeBigInt64BE(time, 27);
  batch.writeBigInt64BE(time, 35);
  batch.writeBigInt64BE(producer.producerId, 43);
  batch.writeInt16BE(producer.producerEpoch, 51);
  batch.writeInt32BE(producer.baseSequence, 53);
  batch.writeInt32BE(records.length, 57);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)), 17);
  return batch;
}

export interface TopicPartitions<P> {
  readonly topic: string;
  readonly partitions: readonly P[];
}

/**
 * The Produce request body of versions 9–12 (flexible: compact strings and arrays, tagged fields),
 * written into `arena` from its reset on, each partition's record batch by `writeBatch` (one `take`
 * of the batch's size) in its place between the framing: one contiguous body, nothing copied.
 */
export function encodeProduceBody<P extends { readonly partition: number }>(
  acks: number,
  timeoutMs: number,
  transactionalId: string | undefined,
  topics: readonly TopicPartitions<P>[],
  arena: BatchArena,
  writeBatch: (topic: string, partition: P, memory: BatchMemory) => void,
): Buffer {
  arena.reset();
  const idBytes = transactionalId === undefined ? undefined : Buffer.from(transactionalId);
  const head = arena.take(uvarintSize(idBytes ? idBytes.length + 1 : 0) + (idBytes?.length ?? 0) + 6 + uvarintSize(topics.length + 1));
  let at = writeUvarint(head, idBytes ? idBytes.length + 1 : 0, 0);
  if (idBytes) at += idBytes.copy(head, at);
  at = head.writeInt16BE(acks, at);
  at = head.writeInt32BE(timeoutMs, at);
  writeUvarint(head, topics.length + 1, at);
  let index = 0;
  let taken = 0;
  // The partition's index and its batch's compact length go right before the batch, once its size is known.
  const framed: BatchMemory = {
    take(size) {
      taken++;
      const prefix = arena.take(4 + uvarintSize(size + 1));
      prefix.writeInt32BE(index, 0);
      writeUvarint(prefix, size + 1, 4);
      return arena.take(size);
    },
  };
  for (const { topic, partitions } of topics) {
    const nameLength = Buffer.byteLength(topic);
    const name = arena.take(uvarintSize(nameLength + 1) + nameLength + uvarintSize(partitions.length + 1));
    at = writeUvarint(name, nameLength + 1, 0);
    at += name.write(topic, at);
    writeUvarint(name, partitions.length + 1, at);
    for (const partition of partitions) {
      index = partition.partition;
      taken = 0;
      writeBatch(topic, partition, framed);
      if (taken !== 1) throw new Error(`a partition's record batch must be written with one take (got ${taken})`);
      arena.take(1)[0] = 0; // the partition's tagged fields
    }
    arena.take(1)[0] = 0; // the topic's tagged fields
  }
  arena.take(1)[0] = 0; // the request's tagged fields
  return arena.body();
}
