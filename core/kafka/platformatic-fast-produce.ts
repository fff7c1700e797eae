import { createRequire } from 'node:module';
import type { OutgoingMessage } from './producer.ts';
import { encodeProduceRequest, encodeRecordBatch, headerNameBytes, type BatchCompression, type TopicBatches } from './record-batch.ts';

type Library = typeof import('@platformatic/kafka');

/**
 * A message as the client hands it to its Produce API, partition assigned. On the fast path its
 * value is dspfn's whole OutgoingMessage (the client's default serializers pass values through):
 * key, value and headers are written by record-batch.ts, not converted to the client's shapes first.
 */
interface ClientMessage {
  key?: Buffer | undefined;
  value?: OutgoingMessage | Buffer | undefined;
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

function isOutgoing(value: ClientMessage['value']): value is OutgoingMessage {
  return value !== undefined && !Buffer.isBuffer(value);
}

/** One request's messages grouped by topic, then partition, in the order they came. */
function group(messages: readonly ClientMessage[]): Map<string, Map<number, OutgoingMessage[]>> {
  const topics = new Map<string, Map<number, OutgoingMessage[]>>();
  for (const m of messages) {
    if (!isOutgoing(m.value)) throw new TypeError('the fast produce path got a message it did not build');
    let partitions = topics.get(m.topic);
    if (!partitions) topics.set(m.topic, (partitions = new Map()));
    let list = partitions.get(m.partition);
    if (!list) partitions.set(m.partition, (list = []));
    list.push(m.value);
  }
  return topics;
}

type Crc32c = (data: Buffer) => number;

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

function fastApi(lib: Library, version: number, parseResponse: unknown): ProduceApi {
  const crc32c = batchCrc32c(lib.crc32c as Crc32c);
  const api: ProduceApi = (connection, acks, timeout, messages, options, callback) => {
    connection.send(
      0,
      version,
      () => {
        const name = options.compression ?? 'none';
        const algorithms = lib.compressionsAlgorithms as unknown as Record<string, BatchCompression | undefined>;
        const compression = name === 'none' ? undefined : algorithms[name];
        if (name !== 'none' && !compression) throw new Error(`unsupported Kafka compression ${name}`);
        const now = Date.now();
        const topics: TopicBatches[] = [];
        for (const [topic, partitions] of group(messages)) {
          const batches = [];
          for (const [partition, records] of partitions) {
            const producer = {
              producerId: options.producerId ?? -1n,
              producerEpoch: options.producerEpoch ?? -1,
              baseSequence: options.sequences ? options.sequences.getWithDefault(`${topic}:${partition}`, 0) : -1,
              transactional: options.transactionalId !== undefined,
            };
            batches.push({ partition, batch: encodeRecordBatch(records, producer, crc32c, compression, now) });
          }
          topics.push({ topic, partitions: batches });
        }
        const writer = lib.Writer.create();
        for (const piece of encodeProduceRequest(acks, timeout, options.transactionalId, topics)) writer.append(piece);
        return writer;
      },
      parseResponse,
      true,
      true,
      callback,
    );
  };
  api.version = version;
  api.dspfnEncoder = true;
  return api;
}

/** The client's own API, handed the messages in its own shapes. */
function convertingApi(api: ProduceApi): ProduceApi {
  const converting: ProduceApi = (connection, acks, timeout, messages, options, callback) => {
    let converted: ClientMessage[];
    try {
      converted = messages.map((m) => (isOutgoing(m.value) ? { ...clientMessage(m.topic, m.value), partition: m.partition, timestamp: m.timestamp } : m));
    } catch (error) {
      callback(error as Error);
      return;
    }
    api(connection, acks, timeout, converted, options, callback);
  };
  if (api.version !== undefined) converting.version = api.version;
  return converting;
}

/**
 * @platformatic/kafka's Producer, with its Produce API replaced by one that writes the record
 * batches with record-batch.ts (about a fifth of the client's encoder's CPU per record, measured with consume's results). The
 * client keeps everything else: metadata and leaders, the idempotent producer id, sequence numbers
 * per partition, retries, TLS and SASL. Messages sent through it carry an OutgoingMessage as their
 * value. undefined when this client version has no hook for it (its private API lookup changed):
 * the caller then sends through the plain Producer.
 */
export function fastProduceProducer(lib: Library): Library['Producer'] | undefined {
  const symbol = symbolOf(lib.Producer.prototype, GET_API);
  if (!symbol) return undefined;
  const original = (lib.Producer.prototype as unknown as Record<symbol, unknown>)[symbol];
  if (typeof original !== 'function') return undefined;
  const modules = lib as unknown as Record<string, { parseResponse?: unknown } | undefined>;
  const apis = new Map<ProduceApi, ProduceApi>();
  class FastProduceProducer<Key, Value, HeaderKey, HeaderValue> extends lib.Producer<Key, Value, HeaderKey, HeaderValue> {}
  Object.defineProperty(FastProduceProducer.prototype, symbol, {
    value(this: unknown, name: string, callback: (error: Error | null, api?: ProduceApi) => void): void {
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
          wrapped = version >= FIRST_VERSION && version <= LAST_VERSION && parseResponse ? fastApi(lib, version, parseResponse) : convertingApi(api);
          apis.set(api, wrapped);
        }
        callback(null, wrapped);
      });
    },
  });
  return FastProduceProducer;
}
