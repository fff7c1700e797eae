import { createRequire } from 'node:module';
import type { OutgoingMessage } from './producer.ts';
import { installInPlaceRequests, sendInPlace } from './in-place-request.ts';
import { nativeCrc32c } from './native-crc32c.ts';
import { BatchArena, encodeProduceBody, encodeRecordBatch, type BatchCompression, type TopicPartitions } from './record-batch.ts';
import { headerNameBytes } from './record-headers.ts';

type Library = typeof import('@platformatic/kafka');

/**
 * One partition's records of a send, handed to the client as ONE message (its value, which the
 * client's default serializers pass through), partition already assigned: the client's per-message
 * work (two header Maps, serializers, a partition and a sequence-map update per message) then runs
 * once per partition, and record-batch.ts writes the records as they are. The client counts it as
 * one message; the sequence numbers come from PartitionSequences, counted in records.
 */
export class PartitionRecords {
  constructor(readonly records: readonly OutgoingMessage[]) {}
}

/**
 * A message as the client hands it to its Produce API, partition assigned. On the fast path its
 * value is a PartitionRecords, or a single OutgoingMessage as it is.
 */
interface ClientMessage {
  key?: Buffer | undefined;
  value?: PartitionRecords | OutgoingMessage | Buffer | undefined;
  headers?: Map<Buffer, Buffer>;
  topic: string;
  partition: number;
  timestamp?: bigint | undefined;
}

interface ClientProduceOptions {
  compression?: string;
  producerId?: bigint;
  producerEpoch?: number;
  sequences?: { getWithDefault(key: string, fallback: number): number };
  transactionalId?: string;
}

type Callback = (error: Error | null, response?: unknown) => void;

interface Connection {
  send(apiKey: number, apiVersion: number, payload: () => unknown, parse: unknown, requestTags: boolean, responseTags: boolean, callback: Callback): void;
}

type ProduceApi = ((connection: Connection, acks: number, timeout: number, messages: ClientMessage[], options: ClientProduceOptions, callback: Callback) => void) & {
  version?: number;
  /** Set on the APIs whose record batches record-batch.ts writes. */
  dspfnEncoder?: true;
};

/** The client's private method that picks an API implementation for the broker's versions. */
export const GET_API = 'plt.kafka.base.getApi';
/** Produce request versions whose body record-batch.ts writes (13 names topics by id). */
const FIRST_VERSION = 9;
const LAST_VERSION = 12;

export function symbolOf(prototype: object, description: string): symbol | undefined {
  for (let p: object | null = prototype; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const found = Object.getOwnPropertySymbols(p).find((s) => s.description === description);
    if (found) return found;
  }
  return undefined;
}

/**
 * Header values repeat from message to message too (the source topic and partition, the function,
 * the content type): each header name remembers its last value's bytes, which one batch's messages
 * mostly share. One entry per name, so unique values (offsets) cost nothing extra.
 */
const lastHeaderValues = new Map<Buffer, { text: string; bytes: Buffer }>();
function headerValue(name: Buffer, value: string | Buffer): Buffer {
  if (typeof value !== 'string') return value;
  const last = lastHeaderValues.get(name);
  if (last !== undefined && last.text === value) return last.bytes;
  const bytes = Buffer.from(value);
  if (last !== undefined) {
    last.text = value;
    last.bytes = bytes;
  } else if (lastHeaderValues.size < 1024) {
    lastHeaderValues.set(name, { text: value, bytes });
  }
  return bytes;
}

/** A message in the shape the client's own encoder expects (Buffers, a Map of headers). */
export function clientMessage(topic: string, message: OutgoingMessage): { topic: string; key?: Buffer; value?: Buffer; headers: Map<Buffer, Buffer> } {
  const headers = new Map<Buffer, Buffer>();
  for (const name in message.headers) {
    const bytes = headerNameBytes(name);
    headers.set(bytes, headerValue(bytes, message.headers[name]!));
  }
  const key = message.key === null ? undefined : typeof message.key === 'string' ? Buffer.from(message.key) : message.key;
  const value = message.value === null ? undefined : typeof message.value === 'string' ? Buffer.from(message.value) : message.value;
  return { topic, ...(key === undefined ? {} : { key }), ...(value === undefined ? {} : { value }), headers };
}

/** The records a client message carries: a partition's group, or one record. */
function recordsOf(value: ClientMessage['value']): readonly OutgoingMessage[] {
  if (value instanceof PartitionRecords) return value.records;
  if (value === undefined || Buffer.isBuffer(value)) throw new TypeError('the fast produce path got a message it did not build');
  return [value];
}

/** A partition's records in one request, and the client message that brought the first of them. */
interface PartitionGroup {
  readonly partition: number;
  readonly first: ClientMessage;
  records: readonly OutgoingMessage[];
}

/**
 * One request's messages grouped by topic, then partition, in the order they came. A partition's
 * single PartitionRecords is used as it is; several messages for one partition (single records, or
 * groups the client's fresher metadata folded into one partition) are joined in order.
 */
function group(messages: readonly ClientMessage[]): Map<string, PartitionGroup[]> {
  const topics = new Map<string, PartitionGroup[]>();
  for (const m of messages) {
    const records = recordsOf(m.value);
    let partitions = topics.get(m.topic);
    if (!partitions) topics.set(m.topic, (partitions = []));
    const existing = partitions.find((p) => p.partition === m.partition);
    if (existing) existing.records = existing.records.concat(records);
    else partitions.push({ partition: m.partition, first: m, records });
  }
  return topics;
}

/** Where a partition's records were first sent: a retry of the same request must repeat the same sequence numbers. */
interface Sent {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly records: number;
  readonly baseSequence: number;
}

const INT32_LIMIT = 2 ** 31;

/**
 * The idempotent producer's sequence numbers, per partition, counted in records (the client counts
 * the messages it was handed, one per PartitionRecords). A new producer id or epoch starts every
 * partition at 0, as the broker expects. A retry of the same request (the client sends the same
 * message objects again) gets the numbers its first attempt took, so the broker keeps one copy.
 */
export class PartitionSequences {
  private producerId = -1n;
  private producerEpoch = -1;
  private readonly next = new Map<string, number>();
  private readonly sent = new WeakMap<ClientMessage, Sent>();

  /** The base sequence of `records` records of topic-partition, `first` being the client message that carries the first of them. */
  base(producerId: bigint, producerEpoch: number, topic: string, partition: number, first: ClientMessage, records: number): number {
    const earlier = this.sent.get(first);
    if (earlier && earlier.producerId === producerId && earlier.producerEpoch === producerEpoch && earlier.records === records) return earlier.baseSequence;
    if (producerId !== this.producerId || producerEpoch !== this.producerEpoch) {
      this.producerId = producerId;
      this.producerEpoch = producerEpoch;
      this.next.clear();
    }
    const key = `${topic}:${partition}`;
    const baseSequence = this.next.get(key) ?? 0;
    // Sequence numbers are int32 and wrap to 0 after the largest (the Java client's incrementSequence).
    this.next.set(key, (baseSequence + records) % INT32_LIMIT);
    this.sent.set(first, { producerId, producerEpoch, records, baseSequence });
    return baseSequence;
  }
}

/** A CRC-32C over a buffer, unsigned. */
export type Crc32c = (data: Buffer) => number;

/**
 * CRC-32C of a batch: @node-rs/crc32 called directly (the client's wrapper copies the bytes first),
 * or the client's own (WebAssembly) where the native package is not installed, e.g. in a bundle.
 */
export function batchCrc32c(fallback: Crc32c): Crc32c {
  try {
    const { crc32c } = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: Crc32c };
    // The check value of CRC-32C (RFC 3720): a mismatched binary must not sign batches.
    if (crc32c(Buffer.from('123456789')) === 0xe3069283) return crc32c;
  } catch {
    // Not installed for this platform: the client's implementation.
  }
  return fallback;
}

type SequencedApi = (
  connection: Connection,
  acks: number,
  timeout: number,
  messages: ClientMessage[],
  options: ClientProduceOptions,
  callback: Callback,
  sequences: PartitionSequences,
) => void;

/** The base sequence of one partition's records, or -1 when the producer is not idempotent. */
function baseSequence(options: ClientProduceOptions, sequences: PartitionSequences, topic: string, group: PartitionGroup): number {
  if (!options.sequences || options.producerId === undefined || options.producerId < 0n) return -1;
  return sequences.base(options.producerId, options.producerEpoch ?? -1, topic, group.partition, group.first, group.records.length);
}

/** Arenas kept for the requests to come (one per request in flight). */
const POOLED_ARENAS = 4;

function fastApi(lib: Library, version: number, parseResponse: unknown): SequencedApi {
  const crc32c = batchCrc32c(lib.crc32c as Crc32c);
  // Each request's body is written into an arena of its own, which goes back to the pool once the
  // broker answered: the socket may still hold the request's memory until then (it is sent in
  // place, in-place-request.ts), and after an error it is left to the garbage collector.
  const inPlace = installInPlaceRequests(lib.Writer as { prototype?: object });
  const pool: BatchArena[] = [];
  const release = (arena: BatchArena) => {
    if (pool.length < POOLED_ARENAS && !arena.oversized) pool.push(arena);
  };
  return (connection, acks, timeout, messages, options, callback, sequences) => {
    let arena: BatchArena | undefined;
    connection.send(
      0,
      version,
      () => {
        arena = pool.pop() ?? new BatchArena();
        const name = options.compression ?? 'none';
        const algorithms = lib.compressionsAlgorithms as unknown as Record<string, BatchCompression | undefined>;
        const compression = name === 'none' ? undefined : algorithms[name];
        if (name !== 'none' && !compression) throw new Error(`unsupported Kafka compression ${name}`);
        const now = Date.now();
        const topics: Array<TopicPartitions<PartitionGroup>> = [];
        for (const [topic, partitions] of group(messages)) topics.push({ topic, partitions });
        const producerId = options.producerId ?? -1n;
        const producerEpoch = options.producerEpoch ?? -1;
        const transactional = options.transactionalId !== undefined;
        // The native layer's, once the native backend registered it (faster still).
        const crc = nativeCrc32c() ?? crc32c;
        const body = encodeProduceBody(acks, timeout, options.transactionalId, topics, arena, (topic, partition, memory) => {
          const producer = { producerId, producerEpoch, baseSequence: baseSequence(options, sequences, topic, partition), transactional };
          encodeRecordBatch(partition.records, producer, crc, compression, now, memory);
        });
        // Without acks the client calls back once the request is written, not sent: it is copied.
        if (inPlace && acks !== 0) sendInPlace(body);
        const writer = lib.Writer.create();
        writer.append(body);
        return writer;
      },
      parseResponse,
      true,
      true,
      (error, response) => {
        if (!error && arena) release(arena);
        callback(error, response);
      },
    );
  };
}

/**
 * The client's own API, handed the messages in its own shapes (one per record) and the sequence
 * numbers counted in records.
 */
function convertingApi(api: ProduceApi): SequencedApi {
  return (connection, acks, timeout, messages, options, callback, sequences) => {
    let converted: ClientMessage[];
    let sequenced = options;
    try {
      converted = [];
      const bases = new Map<string, number>();
      for (const [topic, partitions] of group(messages.filter((m) => !Buffer.isBuffer(m.value)))) {
        for (const partition of partitions) {
          bases.set(`${topic}:${partition.partition}`, baseSequence(options, sequences, topic, partition));
          for (const record of partition.records) converted.push({ ...clientMessage(topic, record), partition: partition.partition, timestamp: partition.first.timestamp });
        }
      }
      for (const m of messages) if (Buffer.isBuffer(m.value)) converted.push(m);
      if (options.sequences) sequenced = { ...options, sequences: { getWithDefault: (key, fallback) => bases.get(key) ?? fallback } };
    } catch (error) {
      callback(error as Error);
      return;
    }
    api(connection, acks, timeout, converted, sequenced, callback);
  };
}

/**
 * @platformatic/kafka's Producer, with its Produce API replaced by one that writes the record
 * batches with record-batch.ts (about a fifth of the client's encoder's CPU per record, measured with consume's results). The
 * client keeps everything else: metadata and leaders, the idempotent producer id, sequence numbers
 * per partition (counted in records: PartitionSequences), retries, TLS and SASL. Messages sent
 * through it carry a PartitionRecords (or one OutgoingMessage) as their value. undefined when this client version has no hook for it (its private API lookup changed):
 * the caller then sends through the plain Producer.
 */
export function fastProduceProducer(lib: Library): Library['Producer'] | undefined {
  const symbol = symbolOf(lib.Producer.prototype, GET_API);
  if (!symbol) return undefined;
  const original = (lib.Producer.prototype as unknown as Record<symbol, unknown>)[symbol];
  if (typeof original !== 'function') return undefined;
  const modules = lib as unknown as Record<string, { parseResponse?: unknown } | undefined>;
  const apis = new Map<ProduceApi, SequencedApi & { version: number; fast: boolean }>();
  // Each producer instance counts its own sequence numbers (its producer id is its own).
  const sequencesOf = new WeakMap<object, PartitionSequences>();
  class FastProduceProducer<Key, Value, HeaderKey, HeaderValue> extends lib.Producer<Key, Value, HeaderKey, HeaderValue> {}
  Object.defineProperty(FastProduceProducer.prototype, symbol, {
    value(this: object, name: string, callback: (error: Error | null, api?: ProduceApi) => void): void {
      if (name !== 'Produce') {
        original.call(this, name, callback);
        return;
      }
      original.call(this, name, (error: Error | null, api?: ProduceApi) => {
        if (error || !api) {
          callback(error, api);
          return;
        }
        let wrapped = apis.get(api);
        if (!wrapped) {
          const version = api.version ?? -1;
          const parseResponse = modules[`produceV${version}`]?.parseResponse;
          const fast = version >= FIRST_VERSION && version <= LAST_VERSION && parseResponse !== undefined;
          wrapped = Object.assign(fast ? fastApi(lib, version, parseResponse) : convertingApi(api), { version, fast });
          apis.set(api, wrapped);
        }
        let sequences = sequencesOf.get(this);
        if (!sequences) sequencesOf.set(this, (sequences = new PartitionSequences()));
        const sequenced = wrapped;
        const bound: ProduceApi = (connection, acks, timeout, messages, options, done) => sequenced(connection, acks, timeout, messages, options, done, sequences);
        if (api.version !== undefined) bound.version = api.version;
        if (sequenced.fast) bound.dspfnEncoder = true;
        callback(null, bound);
      });
    },
  });
  return FastProduceProducer;
}
