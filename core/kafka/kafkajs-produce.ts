import { createRequire } from 'node:module';
import { KAFKAJS_CRC, registerModule } from './kafkajs-crc.ts';
import { batchCrc32c, type Crc32c } from './platformatic-fast-produce.ts';
import { nativeCrc32c } from './native-crc32c.ts';
import { encodeRecordBatch, type BatchRecord } from './record-batch.ts';

/** kafkajs's Produce request v3, which v4–v7 build on (they change only the version number). */
const KAFKAJS_PRODUCE_V3 = 'kafkajs/src/protocol/requests/produce/v3/request.js';

/** What kafkajs passes a Produce request (producer/sendMessages.js through broker.produce). */
interface ProduceArguments {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  /** kafkajs's Long. */
  producerId?: { toString(): string };
  producerEpoch?: number;
  compression?: number;
  topicData: ReadonlyArray<{ topic: string; partitions: ReadonlyArray<{ partition: number; firstSequence?: number; messages: readonly unknown[] }> }>;
}

interface ProduceRequest {
  encode(): Promise<unknown>;
}

type RequestV3 = (args: ProduceArguments) => ProduceRequest;

const NO_COMPRESSION = 0;

/** A message as dspfn's sink sends it: no timestamp of its own, text or bytes, one value per header. */
function isPlain(message: unknown): message is BatchRecord {
  if (typeof message !== 'object' || message === null) return false;
  const { key, value, headers, timestamp } = message as { key?: unknown; value?: unknown; headers?: unknown; timestamp?: unknown };
  if (timestamp !== undefined && timestamp !== null) return false;
  if (!(key === null || typeof key === 'string' || Buffer.isBuffer(key))) return false;
  if (!(value === null || typeof value === 'string' || Buffer.isBuffer(value))) return false;
  if (headers === undefined) return true;
  if (typeof headers !== 'object' || headers === null) return false;
  for (const name in headers) {
    const v = (headers as Record<string, unknown>)[name];
    if (!(typeof v === 'string' || Buffer.isBuffer(v))) return false;
  }
  return true;
}

/**
 * The body of Produce v3–v7 (not flexible: int16 string lengths, int32 array counts): kafkajs's
 * bytes, its batches written by record-batch.ts (kafkajs writes partition leader epoch 0, which is
 * kept, and one timestamp for messages without their own).
 */
export function encodeKafkajsProduce(args: ProduceArguments, crc32c: Crc32c, now: number = Date.now()): Buffer {
  const producerId = BigInt(args.producerId?.toString() ?? '-1');
  const producerEpoch = args.producerEpoch ?? 0;
  const transactional = args.transactionalId !== undefined && args.transactionalId !== null && args.transactionalId !== '';
  const pieces: Buffer[] = [];
  const id = args.transactionalId === undefined || args.transactionalId === null ? undefined : Buffer.from(args.transactionalId);
  const head = Buffer.allocUnsafe(2 + (id?.length ?? 0) + 2 + 4 + 4);
  let at = head.writeInt16BE(id ? id.length : -1, 0);
  if (id) at += id.copy(head, at);
  at = head.writeInt16BE(args.acks, at);
  at = head.writeInt32BE(args.timeout, at);
  head.writeInt32BE(args.topicData.length, at);
  pieces.push(head);
  for (const { topic, partitions } of args.topicData) {
    const name = Buffer.from(topic);
    const topicHead = Buffer.allocUnsafe(2 + name.length + 4);
    topicHead.writeInt16BE(name.length, 0);
    name.copy(topicHead, 2);
    topicHead.writeInt32BE(partitions.length, 2 + name.length);
    pieces.push(topicHead);
    for (const { partition, firstSequence, messages } of partitions) {
      const batch = encodeRecordBatch(messages as readonly BatchRecord[], { producerId, producerEpoch, baseSequence: firstSequence ?? 0, transactional }, crc32c, undefined, now);
      batch.writeInt32BE(0, 12);
      const partitionHead = Buffer.allocUnsafe(8);
      partitionHead.writeInt32BE(partition, 0);
      partitionHead.writeInt32BE(batch.length, 4);
      pieces.push(partitionHead, batch);
    }
  }
  return Buffer.concat(pieces);
}

/** Whether dspfn writes this request's body: uncompressed, every message plain, none empty. */
function writesItself(args: ProduceArguments): boolean {
  if ((args.compression ?? NO_COMPRESSION) !== NO_COMPRESSION) return false;
  for (const { partitions } of args.topicData) {
    for (const { messages } of partitions) {
      if (messages.length === 0) return false;
      for (const message of messages) if (!isPlain(message)) return false;
    }
  }
  return true;
}

let installed: RequestV3 | undefined;

/**
 * kafkajs builds every record of a Produce request from small Encoders (a zero-filled buffer each,
 * copied into the batch, copied again into the request): most of a produce's CPU on Node 20. Before
 * kafkajs first loads its Produce v3 request module (with its first produce, not at import), a
 * module is registered in its place whose uncompressed requests of plain messages (what KafkaSink
 * sends) have their body written by record-batch.ts, with the same bytes; any other request is
 * kafkajs's own, loaded from its file when first needed (nothing of kafkajs is loaded here).
 * Returns whether it is in place: not where kafkajs is bundled (no module registry), or kafkajs
 * already loaded the module.
 */
export function fastKafkajsProduce(from: string = import.meta.url): boolean {
  try {
    const require = createRequire(from);
    const path = require.resolve(KAFKAJS_PRODUCE_V3);
    if (require.cache[path]) return require.cache[path].exports === installed;
    let original: RequestV3 | undefined;
    let crc32c: Crc32c | undefined;
    // kafkajs's own module, read with this one set aside so its file is what loads.
    const load = (): RequestV3 => {
      const ours = require.cache[path]!;
      delete require.cache[path];
      try {
        return require(path) as RequestV3;
      } finally {
        require.cache[path] = ours;
      }
    };
    installed = (args) => {
      original ??= load();
      const request = original(args);
      if (!writesItself(args)) return request;
      // The native layer's once the native backend registered it, else @node-rs/crc32's, also
      // where kafkajs loaded its own JavaScript one first.
      const checksum = nativeCrc32c() ?? (crc32c ??= batchCrc32c(require(KAFKAJS_CRC) as Crc32c));
      return { ...request, encode: async () => encoderOf(encodeKafkajsProduce(args, checksum)) };
    };
    registerModule(require, path, installed);
    return true;
  } catch {
    return false;
  }
}

/** What kafkajs's Encoder.writeEncoder takes from an encoded request: its bytes. */
function encoderOf(body: Buffer): { buf: Buffer; buffer: Buffer } {
  return { buf: body, buffer: body };
}
