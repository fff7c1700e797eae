import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeBatch, encodeFetchResponse, type FixtureBatch, type FixturePartition, type FixtureRecord, type FixtureTopic } from '../../test/fixtures/fetch-response.ts';
import { kafkaRecord } from '../local/kafka-records.ts';
import { lz4Codec, zstdCodec, type KafkajsCodec } from './compression.ts';
import { decodeFetchResponse, isFetchedRecord, FetchedRecord, Unusual, type Decompress, type FetchResponse } from './fetch-decoder.ts';

const require = createRequire(import.meta.url);
type KafkajsDecode = (payload: Buffer) => Promise<KafkajsResponse>;
type KafkajsMessage = KafkaMessage & {
  isControlRecord: boolean;
  batchContext: { producerId: string; inTransaction: boolean; timestampType: number };
};
interface KafkajsResponse {
  responses: Array<{ topicName: string; partitions: Array<Record<string, unknown> & { partition: number; messages: KafkajsMessage[] }> }>;
}
const kafkajsDecoders = new Map<number, KafkajsDecode>();
for (let v = 4; v <= 11; v++) kafkajsDecoders.set(v, (require(`kafkajs/src/protocol/requests/fetch/v${v}/response.js`) as { decode: KafkajsDecode }).decode);
const Batch = require('kafkajs/src/consumer/batch.js') as new (topic: string, fetchedOffset: string, data: unknown) => { messages: KafkajsMessage[] };
const gzip = require('kafkajs/src/protocol/message/compression/gzip.js') as { compress(e: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> };
const { lookupCodecByAttributes } = require('kafkajs/src/protocol/message/compression/index.js') as {
  lookupCodecByAttributes(attributes: number): { decompress(b: Buffer): Promise<Buffer> } | null;
};
/** What the kafkajs hook hands the decoder: kafkajs's codec table (gzip built in). */
const decompress: Decompress = async (attributes, compressed) => lookupCodecByAttributes(attributes)!.decompress(compressed);

const bytes = (max = 64) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b));
/** Names kafkajs folds into an object: not Object.prototype's own (kafkajs mangles 'constructor' and the like). */
const headerName = fc.oneof(fc.constantFrom('a', 'b', 'content-type', 'traceparent', ''), fc.string({ unit: 'binary', maxLength: 12 })).filter((n) => !(n in {}));
const header = fc.record({ name: headerName, value: fc.option(bytes(), { nil: null, freq: 4 }) });
const record = fc.record({
  // Keys that repeat (one Buffer for equal keys, KeyViews) as well as ones that do not.
  key: fc.option(fc.oneof(bytes(24), fc.constantFrom(...['a', 'ab', 'b', '', 'device-1', 'device-2'].map((k) => Buffer.from(k)))), { nil: null, freq: 3 }),
  value: fc.option(bytes(), { nil: null, freq: 4 }),
  headers: fc.array(header, { maxLength: 4 }),
  timestampDelta: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  gap: fc.nat(3),
});
const hasZstd = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
/** None, gzip (kafkajs's own), lz4 and zstd (dspfn's codecs, as the kafkajs producer registers them). */
const CODECS = hasZstd ? [0, 1, 3, 4] : [0, 1, 3];
const codecs = new Map<number, KafkajsCodec>();
beforeAll(async () => {
  const { CompressionCodecs } = require('kafkajs') as { CompressionCodecs: Record<number, () => KafkajsCodec> };
  codecs.set(1, gzip as KafkajsCodec);
  codecs.set(3, await lz4Codec());
  if (hasZstd) codecs.set(4, zstdCodec);
  for (const [type, codec] of codecs) CompressionCodecs[type] = () => codec;
});
const batch = fc.record({
  firstOffset: fc.oneof(fc.bigInt(0n, 2n ** 32n + 10n), fc.bigInt(2n ** 32n, 2n ** 52n)),
  firstTimestamp: fc.bigInt(-1n, 2n ** 42n),
  maxTimestamp: fc.bigInt(-1n, 2n ** 42n),
  codec: fc.constantFrom(...CODECS),
  logAppendTime: fc.boolean(),
  transactional: fc.boolean(),
  control: fc.boolean(),
  producerId: fc.constantFrom(-1n, 1n, 2n, 2n ** 40n),
  records: fc.array(record, { maxLength: 6 }),
});
const partition = fc.record({
  partition: fc.nat(40),
  errorCode: fc.constantFrom(0, 0, 0, 1),
  highWatermark: fc.bigInt(-1n, 2n ** 60n),
  lastStableOffset: fc.bigInt(-1n, 2n ** 60n),
  logStartOffset: fc.bigInt(-1n, 2n ** 60n),
  abortedTransactions: fc.array(fc.record({ producerId: fc.constantFrom(1n, 2n), firstOffset: fc.bigInt(0n, 2n ** 33n) }), { maxLength: 2 }),
  preferredReadReplica: fc.integer({ min: -1, max: 3 }),
  batches: fc.array(batch, { maxLength: 4 }),
  /** Bytes cut off the end of the record set: a partial last batch, as maxBytes leaves one. */
  cut: fc.oneof(fc.constant(0), fc.nat(80)),
});
const response = fc.record({
  version: fc.integer({ min: 4, max: 11 }),
  throttleTime: fc.nat(100),
  errorCode: fc.constantFrom(0, 0, 3),
  sessionId: fc.nat(),
  topics: fc.array(fc.record({ name: fc.string({ maxLength: 20 }), partitions: fc.array(partition, { maxLength: 3 }) }), { minLength: 1, maxLength: 2 }),
});

type GeneratedBatch = typeof batch extends fc.Arbitrary<infer T> ? T : never;

async function encodeGenerated(b: GeneratedBatch): Promise<Buffer> {
  let offsetDelta = 0;
  const records: FixtureRecord[] = b.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestampDelta: r.timestampDelta, offsetDelta: (offsetDelta += r.gap) + 0 }));
  const attributes = b.codec | (b.logAppendTime ? 0x08 : 0) | (b.transactional ? 0x10 : 0) | (b.control ? 0x20 : 0);
  const fixture: FixtureBatch = { firstOffset: b.firstOffset, firstTimestamp: b.firstTimestamp, maxTimestamp: b.maxTimestamp, attributes, producerId: b.producerId, records };
  return encodeBatch(fixture, async (section) => codecs.get(b.codec)!.compress({ buffer: section }));
}

async function encodeGeneratedResponse(r: typeof response extends fc.Arbitrary<infer T> ? T : never): Promise<Buffer> {
  const topics: FixtureTopic[] = [];
  for (const t of r.topics) {
    const partitions: FixturePartition[] = [];
    for (const p of t.partitions) {
      const set = Buffer.concat(await Promise.all(p.batches.map(encodeGenerated)));
      partitions.push({ ...p, recordSet: set.subarray(0, Math.max(0, set.length - p.cut)) });
    }
    topics.push({ name: t.name, partitions });
  }
  return encodeFetchResponse(r.version, topics, r);
}

/** kafkajs folds headers by name, keeping each name's values in order: ours folded the same way. */
function folded(headers: FetchedRecord['headers']): Record<string, Buffer | null | Array<Buffer | null>> {
  const out: Record<string, Buffer | null | Array<Buffer | null>> = {};
  for (const { name, value } of headers) {
    const seen = out[name];
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/** The same message read from both: every field kafkajs's consumer and dspfn's consume use. */
function expectSameMessage(ours: FetchedRecord, theirs: KafkajsMessage, topic: string, partition: number): void {
  expect(isFetchedRecord(ours)).toBe(true);
  expect(isFetchedRecord(theirs)).toBe(false);
  expect(ours.offset).toBe(Number(theirs.offset));
  expect(String(ours.offset)).toBe(theirs.offset);
  expect(ours.timestamp).toBe(Number(theirs.timestamp));
  expect(ours.key).toEqual(theirs.key);
  expect(ours.tombstone).toBe(theirs.value === null);
  expect(ours.value).toEqual(theirs.value ?? Buffer.alloc(0));
  expect(folded(ours.headers)).toEqual(theirs.headers);
  expect(ours.isControlRecord).toBe(theirs.isControlRecord);
  expect(ours.batchContext.producerId).toBe(theirs.batchContext.producerId);
  expect(ours.batchContext.inTransaction).toBe(theirs.batchContext.inTransaction);
  expect(ours.batchContext.timestampType).toBe(theirs.batchContext.timestampType);
  // What consume handed the function before: kafkaRecord of kafkajs's message (headers by name there).
  const before = kafkaRecord(topic, partition, theirs);
  const byName = (h: FetchedRecord['headers']) => [...h].map((x, i) => [x, i] as const).sort((a, b) => (a[0].name < b[0].name ? -1 : a[0].name > b[0].name ? 1 : a[1] - b[1])).map(([x]) => x);
  expect({ ...ours, headers: byName(ours.headers), batchContext: undefined }).toEqual({ ...before, headers: byName(before.headers), batchContext: undefined });
}

describe('fetch decoder', () => {
  it("decodes generated Fetch responses (v4–v11) as kafkajs's decoder does, through kafkajs's Batch filters too", async () => {
    await fc.assert(
      fc.asyncProperty(response, fc.bigInt(0n, 2n ** 33n), async (generated, fetchedOffset) => {
        const payload = await encodeGeneratedResponse(generated);
        const theirs = await kafkajsDecoders.get(generated.version)!(payload).catch((error: unknown) => error as Error);
        if (theirs instanceof Error) {
          // Where kafkajs fails (a record set too short for its magic byte), kafkajs decodes and fails alike.
          await expect(decodeFetchResponse(payload, generated.version, decompress)).rejects.toBeInstanceOf(Unusual);
          return;
        }
        const ours: FetchResponse = await decodeFetchResponse(payload, generated.version, decompress);
        const { responses: theirResponses, ...theirTop } = theirs;
        const { responses: ourResponses, ...ourTop } = ours;
        expect(ourTop).toEqual(theirTop);
        expect(ourResponses.length).toBe(theirResponses.length);
        for (const [t, topic] of theirResponses.entries()) {
          const ourTopic = ourResponses[t]!;
          expect(ourTopic.topicName).toBe(topic.topicName);
          expect(ourTopic.partitions.length).toBe(topic.partitions.length);
          for (const [p, { messages, ...fields }] of topic.partitions.entries()) {
            const { messages: ourMessages, ...ourFields } = ourTopic.partitions[p]!;
            expect(ourFields).toEqual(fields);
            expect(ourMessages.length).toBe(messages.length);
            for (const [m, message] of messages.entries()) expectSameMessage(ourMessages[m]!, message, topic.topicName, fields.partition);
            // kafkajs's consumer filters (below the fetched offset, aborted transactions, control records) on our records alike.
            const kept = new Batch(topic.topicName, String(fetchedOffset), ourTopic.partitions[p]).messages.map((x) => Number(x.offset));
            const theirsKept = new Batch(topic.topicName, String(fetchedOffset), topic.partitions[p]).messages.map((x) => Number(x.offset));
            expect(kept).toEqual(theirsKept);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps headers in their order on the wire, any name included', async () => {
    const headers = [
      { name: 'a', value: Buffer.from([1]) },
      { name: 'constructor', value: Buffer.from([0xff, 0]) },
      { name: 'a', value: null },
      { name: 'ü', value: Buffer.alloc(0) },
    ];
    const set = await encodeBatch({ firstOffset: 5n, firstTimestamp: 10n, maxTimestamp: 10n, attributes: 0, producerId: -1n, records: [{ key: null, value: null, headers, offsetDelta: 0, timestampDelta: 0 }] });
    const payload = encodeFetchResponse(11, [{ name: 't', partitions: [{ partition: 0, errorCode: 0, highWatermark: 6n, lastStableOffset: 6n, logStartOffset: 0n, abortedTransactions: [], preferredReadReplica: -1, recordSet: set }] }], { throttleTime: 0, errorCode: 0, sessionId: 0 });
    const [record] = (await decodeFetchResponse(payload, 11, decompress)).responses[0]!.partitions[0]!.messages;
    expect(record!.headers).toEqual(headers);
    expect(record!.tombstone).toBe(true);
    expect(record!.key).toBeNull();
  });

  it("hands records with equal keys one Buffer of the key's bytes, in any batch of the partition, compressed or not", async () => {
    const keys = ['device-1', 'device-2', 'device-1', 'device-12', 'device-2', 'x'.repeat(65), 'x'.repeat(65), 'device-1'];
    const records = (at: number): FixtureRecord[] => keys.map((key, i) => ({ key: Buffer.from(key), value: Buffer.from(`v${at + i}`), headers: [], offsetDelta: i, timestampDelta: 0 }));
    const plain = await encodeBatch({ firstOffset: 0n, firstTimestamp: 0n, maxTimestamp: 0n, attributes: 0, producerId: -1n, records: records(0) });
    const zipped = await encodeBatch({ firstOffset: 8n, firstTimestamp: 0n, maxTimestamp: 0n, attributes: 1, producerId: -1n, records: records(8) }, async (section) => gzip.compress({ buffer: section }));
    const recordSet = Buffer.concat([plain, zipped]);
    const payload = encodeFetchResponse(11, [{ name: 't', partitions: [{ partition: 0, errorCode: 0, highWatermark: 16n, lastStableOffset: 16n, logStartOffset: 0n, abortedTransactions: [], preferredReadReplica: -1, recordSet }] }], { throttleTime: 0, errorCode: 0, sessionId: 0 });
    const messages = (await decodeFetchResponse(payload, 11, decompress)).responses[0]!.partitions[0]!.messages;
    expect(messages.map((m) => m.key!.toString())).toEqual([...keys, ...keys]);
    expect(messages.map((m) => m.value.toString())).toEqual(keys.flatMap((_, i) => [`v${i}`]).concat(keys.map((_, i) => `v${8 + i}`)));
    for (const a of messages) {
      for (const b of messages) {
        const equal = a.key!.equals(b.key!);
        // Equal keys of up to 64 bytes share one Buffer; longer ones each have their own view.
        expect(a.key === b.key).toBe(a === b || (equal && a.key!.length <= 64));
      }
    }
  });

  it('leaves to kafkajs what it does not decode the same way: offsets past 2^53, legacy message sets, unsupported versions', async () => {
    const one: FixtureRecord = { key: null, value: Buffer.from('v'), headers: [], offsetDelta: 0, timestampDelta: 0 };
    const responseOf = (recordSet: Buffer) => encodeFetchResponse(11, [{ name: 't', partitions: [{ partition: 0, errorCode: 0, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n, abortedTransactions: [], preferredReadReplica: -1, recordSet }] }], { throttleTime: 0, errorCode: 0, sessionId: 0 });
    const huge = await encodeBatch({ firstOffset: 2n ** 53n, firstTimestamp: 0n, maxTimestamp: 0n, attributes: 0, producerId: -1n, records: [one] });
    await expect(decodeFetchResponse(responseOf(huge), 11, decompress)).rejects.toBeInstanceOf(Unusual);
    // Just below 2^53, the last exact offsets: decoded.
    const edge = await encodeBatch({ firstOffset: 2n ** 53n - 2n, firstTimestamp: 0n, maxTimestamp: 0n, attributes: 0, producerId: -1n, records: [one, { ...one, offsetDelta: 1 }] });
    const decoded = await decodeFetchResponse(responseOf(edge), 11, decompress);
    expect(decoded.responses[0]!.partitions[0]!.messages.map((m) => m.offset)).toEqual([2 ** 53 - 2, 2 ** 53 - 1]);
    const legacy = Buffer.from(huge);
    legacy[16] = 1;
    await expect(decodeFetchResponse(responseOf(legacy), 11, decompress)).rejects.toBeInstanceOf(Unusual);
    await expect(decodeFetchResponse(responseOf(edge), 3, decompress)).rejects.toBeInstanceOf(Unusual);
  });
});
