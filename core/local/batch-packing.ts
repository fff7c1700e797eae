import type { KafkaHeader, KafkaRecord } from '../events/types.ts';

/**
 * A batch of one partition's records as ONE ArrayBuffer, handed to a consume thread by transfer
 * (no copy, no structured clone of record objects); the thread reads the records back as views of
 * it (unpackBatch), so keys, values and header values are not copied on either side but once here.
 *
 * Layout (little-endian, native typed-array order): 6 × u32 header — count, topic bytes, partition,
 * ints, bytes, 0 — then count × 2 float64 (offset, timestamp), `ints` int32 (per record: flags, key
 * length or -1, value length, header count, then per header its name's and value's byte lengths),
 * then the topic's UTF-8 and the bytes (per record: key, value, then each header's name and value).
 */
const HEADER_WORDS = 6;
const HEADER_BYTES = HEADER_WORDS * 4;
const LOG_APPEND_TIME = 1;
const TOMBSTONE = 2;
const NULL_KEY = 4;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NO_HEADERS: readonly KafkaHeader[] = Object.freeze([]);

/** Packs records of one topic-partition (a PartitionWorker's batch); throws on a mixed batch. */
export function packBatch(records: readonly KafkaRecord[]): ArrayBuffer {
  const first = records[0];
  const topic = first?.topic ?? '';
  const partition = first?.partition ?? 0;
  const topicBytes = encoder.encode(topic);
  let ints = 0;
  let bytes = topicBytes.length;
  for (const record of records) {
    if (record.topic !== topic || record.partition !== partition) throw new Error(`a packed batch holds one partition: ${topic}-${partition} and ${record.topic}-${record.partition}`);
    ints += 4 + 2 * record.headers.length;
    bytes += (record.key?.length ?? 0) + record.value.length;
    for (const header of record.headers) bytes += Buffer.byteLength(header.name, 'utf8') + header.value.length;
  }
  const floatsAt = HEADER_BYTES;
  const intsAt = floatsAt + 16 * records.length;
  const bytesAt = intsAt + 4 * ints;
  const buffer = new ArrayBuffer(bytesAt + bytes);
  new Uint32Array(buffer, 0, HEADER_WORDS).set([records.length, topicBytes.length, partition, ints, bytes, 0]);
  const floats = new Float64Array(buffer, floatsAt, 2 * records.length);
  const lengths = new Int32Array(buffer, intsAt, ints);
  const data = new Uint8Array(buffer, bytesAt, bytes);
  data.set(topicBytes, 0);
  let at = topicBytes.length;
  let i = 0;
  for (let r = 0; r < records.length; r++) {
    const record = records[r]!;
    floats[2 * r] = record.offset;
    floats[2 * r + 1] = record.timestamp;
    lengths[i++] = (record.timestampType === 'LOG_APPEND_TIME' ? LOG_APPEND_TIME : 0) | (record.tombstone ? TOMBSTONE : 0) | (record.key === null ? NULL_KEY : 0);
    lengths[i++] = record.key?.length ?? -1;
    lengths[i++] = record.value.length;
    lengths[i++] = record.headers.length;
    if (record.key !== null) {
      data.set(record.key, at);
      at += record.key.length;
    }
    data.set(record.value, at);
    at += record.value.length;
    for (const header of record.headers) {
      const name = encoder.encodeInto(header.name, data.subarray(at)).written;
      at += name;
      lengths[i++] = name;
      lengths[i++] = header.value.length;
      data.set(header.value, at);
      at += header.value.length;
    }
  }
  return buffer;
}

/** The records packBatch packed, their keys, values and header values views of `buffer`. */
export function unpackBatch(buffer: ArrayBuffer): KafkaRecord[] {
  const [count, topicLength, partition, ints, bytes] = new Uint32Array(buffer, 0, HEADER_WORDS) as unknown as [number, number, number, number, number];
  const floatsAt = HEADER_BYTES;
  const intsAt = floatsAt + 16 * count;
  const bytesAt = intsAt + 4 * ints;
  if (bytesAt + bytes !== buffer.byteLength) throw new Error(`a packed batch of ${buffer.byteLength} bytes does not match its header (${count} records)`);
  const floats = new Float64Array(buffer, floatsAt, 2 * count);
  const lengths = new Int32Array(buffer, intsAt, ints);
  const topic = decoder.decode(new Uint8Array(buffer, bytesAt, topicLength));
  let at = bytesAt + topicLength;
  let i = 0;
  const view = (length: number): Buffer => {
    const out = Buffer.from(buffer, at, length);
    at += length;
    return out;
  };
  const records = new Array<KafkaRecord>(count);
  for (let r = 0; r < count; r++) {
    const flags = lengths[i++]!;
    const keyLength = lengths[i++]!;
    const valueLength = lengths[i++]!;
    const headerCount = lengths[i++]!;
    const key = flags & NULL_KEY ? null : view(keyLength);
    const value = view(valueLength);
    let headers = NO_HEADERS;
    if (headerCount > 0) {
      const list: KafkaHeader[] = [];
      for (let h = 0; h < headerCount; h++) {
        const name = decoder.decode(new Uint8Array(buffer, at, lengths[i]!));
        at += lengths[i++]!;
        list.push({ name, value: view(lengths[i++]!) });
      }
      headers = list;
    }
    records[r] = {
      topic,
      partition,
      offset: floats[2 * r]!,
      timestamp: floats[2 * r + 1]!,
      timestampType: flags & LOG_APPEND_TIME ? 'LOG_APPEND_TIME' : 'CREATE_TIME',
      key,
      value,
      tombstone: (flags & TOMBSTONE) !== 0,
      headers,
    };
  }
  return records;
}
