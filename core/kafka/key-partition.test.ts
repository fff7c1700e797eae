import { compatibilityPartitioner } from '@platformatic/kafka';
import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { keyHash, murmur2Positive } from './key-partition.ts';

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
});
