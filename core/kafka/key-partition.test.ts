import { compatibilityPartitioner } from '@platformatic/kafka';
import fc from 'fast-check';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkajsPartitioner, keyHash, murmur2Positive } from './key-partition.ts';

const client = (bytes: Uint8Array) => compatibilityPartitioner(undefined as never, Buffer.from(bytes));

describe('key partition hash', () => {
  it('is the clients’ murmur2 (& 0x7fffffff) for any bytes, of every length mod 4', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 67 }), (bytes) => {
        expect(murmur2Positive(bytes)).toBe(client(bytes));
      }),
      { numRuns: 2_000 },
    );
  });

  it('puts text keys (UTF-8, remembered) on the partitions kafkajs picks', () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer({ min: 1, max: 64 }), (key, partitions) => {
        const metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
        const expected = kafkajs({ topic: 't', partitionMetadata: metadata, message: { key, value: null } });
        // Twice: computed, then from the table.
        expect(keyHash(key) % partitions).toBe(expected);
        expect(keyHash(key) % partitions).toBe(expected);
        expect(keyHash(Buffer.from(key, 'utf8'))).toBe(keyHash(key));
      }),
      { numRuns: 1_000 },
    );
  });

  it("is kafkajs's DefaultPartitioner for every message: keys hashed here, own partitions and keyless messages (round robin) left to it", () => {
    const key = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a)), fc.constant(null), fc.constant(undefined));
    fc.assert(
      fc.property(key, fc.option(fc.nat(63), { nil: undefined }), fc.integer({ min: 1, max: 64 }), (k, own, partitions) => {
        const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: partitionId % 3 === 2 ? -1 : 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
        const message = { key: k, value: null, ...(own === undefined ? {} : { partition: own }) };
        const delegated: PartitionerArgs[] = [];
        const kafkajs = Partitioners.DefaultPartitioner();
        const ours = kafkajsPartitioner(() => (args) => {
          delegated.push(args);
          return kafkajs(args);
        })();
        const args = { topic: 't', partitionMetadata, message };
        const picked = ours(args);
        if (own !== undefined || k === null || k === undefined) {
          expect(delegated).toEqual([args]);
          if (own !== undefined) expect(picked).toBe(own);
        } else {
          expect(delegated).toEqual([]);
          expect(picked).toBe(Partitioners.DefaultPartitioner()({ topic: 't', partitionMetadata, message: { key: k, value: null } }));
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
