import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeKafkajsProduce, fastKafkajsProduce } from './kafkajs-produce.ts';

const require = createRequire(import.meta.url);
const V3 = require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js');
type Request = (args: object) => { apiVersion: number; encode(): Promise<{ buffer: Buffer }> };
/** kafkajs's own Produce v3 request, loaded before anything replaced it. */
const kafkajsV3 = require(V3) as Request;
const Long = require('kafkajs/src/utils/long.js') as { fromString(value: string): { toString(): string } };
const crc = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (data: Buffer) => number;

const text = fc.string({ unit: 'grapheme', maxLength: 30 });
const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const message = fc.record({
  key: fc.oneof(fc.constant(null), text, bytes),
  value: fc.oneof(fc.constant(null), fc.string({ unit: 'grapheme', maxLength: 200 }), bytes),
  headers: fc.dictionary(fc.constantFrom('content-type', 'dspfn-source-offset', 'x-ünï', '7'), fc.oneof(text, bytes)),
});
const partitions = fc.uniqueArray(fc.nat(20), { minLength: 1, maxLength: 3 }).chain((ids) =>
  fc.tuple(...ids.map((partition) => fc.record({ partition: fc.constant(partition), firstSequence: fc.nat(2 ** 31 - 1), messages: fc.array(message, { minLength: 1, maxLength: 6 }) }))),
);
const topicData = fc.uniqueArray(fc.constantFrom('results', 'dlq-ü', 'logs'), { minLength: 1, maxLength: 3 }).chain((topics) => fc.tuple(...topics.map((topic) => partitions.map((ps) => ({ topic, partitions: ps })))));

afterEach(() => {
  vi.restoreAllMocks();
});

describe("kafkajs's Produce request written by dspfn", () => {
  it("has kafkajs's own bytes: framing, batches, records, headers, producer id, epoch and sequence", async () => {
    const now = 1_700_000_000_123;
    vi.spyOn(Date, 'now').mockReturnValue(now);
    await fc.assert(
      fc.asyncProperty(topicData, fc.option(fc.string({ minLength: 1, maxLength: 10 }), { nil: null }), fc.bigInt({ min: -1n, max: 2n ** 40n }), fc.nat(30_000), async (data, transactionalId, id, epoch) => {
        const args = { acks: -1, timeout: 30_000, transactionalId, producerId: Long.fromString(String(id)), producerEpoch: epoch, compression: 0, topicData: data };
        const theirs = (await kafkajsV3(args).encode()).buffer;
        expect(encodeKafkajsProduce(args, crc, now)).toEqual(theirs);
      }),
      { numRuns: 150 },
    );
  });

  it("replaces kafkajs's Produce v3 module before kafkajs loads it, and hands kafkajs what it does not write itself", async () => {
    // This file loaded kafkajs's module above: a producer finding it loaded leaves it be.
    expect(fastKafkajsProduce()).toBe(false);
    const loaded = require.cache[V3];
    delete require.cache[V3];
    try {
      expect(fastKafkajsProduce()).toBe(true);
      expect(fastKafkajsProduce()).toBe(true);
      const replaced = require(V3) as Request;
      expect(replaced).not.toBe(kafkajsV3);
      // v4–v7 take v3's request and change its version: the replaced one, once kafkajs loads them.
      delete require.cache[require.resolve('kafkajs/src/protocol/requests/produce/v4/request.js')];
      const v4 = require('kafkajs/src/protocol/requests/produce/v4/request.js') as Request;
      vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
      const plain = { acks: -1, timeout: 5_000, producerId: Long.fromString('9'), producerEpoch: 1, topicData: [{ topic: 't', partitions: [{ partition: 0, firstSequence: 4, messages: [{ key: 'k', value: 'v', headers: { a: 'b' } }] }] }] };
      const encoded = await v4(plain).encode();
      expect(encoded.buffer).toEqual(encodeKafkajsProduce(plain, crc, 1_700_000_000_000));
      expect(v4(plain).apiVersion).toBe(4);
      // Messages with their own timestamps, header value lists, or compression: kafkajs's own encoding.
      for (const other of [
        { ...plain, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', timestamp: '5' }] }] }] },
        { ...plain, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', headers: { a: ['b', 'c'] } }] }] }] },
        { ...plain, compression: 1 },
      ]) {
        expect((await replaced(other).encode()).buffer).toEqual((await kafkajsV3(other).encode()).buffer);
      }
    } finally {
      require.cache[V3] = loaded;
    }
  });
});
