import fc from 'fast-check';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../events/types.ts';
import { packBatch, unpackBatch } from './batch-packing.ts';

const bytes = (max = 64) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

/** Whatever Kafka can deliver: null or empty keys, tombstones, empty values, headers of any bytes (names repeat). */
const record = (topic: string, partition: number) =>
  fc.record({
    offset: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    timestamp: fc.oneof(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.double({ noNaN: true })),
    timestampType: fc.constantFrom('CREATE_TIME' as const, 'LOG_APPEND_TIME' as const),
    key: fc.option(bytes(), { nil: null }),
    tombstone: fc.boolean(),
    value: bytes(200),
    headers: fc.array(fc.record({ name: fc.string({ unit: 'grapheme', maxLength: 12 }), value: bytes(16) }), { maxLength: 4 }),
  }).map((r): KafkaRecord => ({ topic, partition, ...r, value: r.tombstone ? Buffer.alloc(0) : r.value }));

const batch = fc
  .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), fc.nat({ max: 2 ** 31 - 1 }))
  .chain(([topic, partition]) => fc.array(record(topic, partition), { maxLength: 30 }));

/** Buffers as plain byte arrays, so equality ignores which memory they view. */
const plain = (records: readonly KafkaRecord[]) =>
  records.map((r) => ({ ...r, key: r.key === null ? null : [...r.key], value: [...r.value], headers: r.headers.map((h) => ({ name: h.name, value: [...h.value] })) }));

describe('packBatch / unpackBatch', () => {
  it('round-trips every record Kafka can deliver', () => {
    fc.assert(
      fc.property(batch, (records) => {
        expect(plain(unpackBatch(packBatch(records)))).toEqual(plain(records));
      }),
    );
  });

  it('reads the bytes in place: every key, value and header value is a view of the one transferred buffer', () => {
    fc.assert(
      fc.property(batch, (records) => {
        const buffer = packBatch(records);
        for (const r of unpackBatch(buffer)) {
          for (const part of [r.key, r.value, ...r.headers.map((h) => h.value)]) if (part !== null) expect(part.buffer).toBe(buffer);
        }
      }),
    );
  });

  it('survives a transfer to another thread as one ArrayBuffer', async () => {
    const records: KafkaRecord[] = [
      { topic: 't', partition: 3, offset: 7, timestamp: 1.5, timestampType: 'CREATE_TIME', key: null, value: Buffer.alloc(0), tombstone: true, headers: [] },
      { topic: 't', partition: 3, offset: 8, timestamp: 2, timestampType: 'LOG_APPEND_TIME', key: Buffer.from('k'), value: Buffer.from('{}'), tombstone: false, headers: [{ name: 'h', value: Buffer.from([0, 255]) }, { name: 'h', value: Buffer.alloc(0) }] },
    ];
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<ArrayBuffer>((resolve) => port2.once('message', resolve));
    const buffer = packBatch(records);
    port1.postMessage(buffer, [buffer]);
    // Transferred, not copied: the sender's buffer is detached.
    expect(buffer.byteLength).toBe(0);
    expect(plain(unpackBatch(await received))).toEqual(plain(records));
    port1.close();
    port2.close();
  });

  it('refuses a batch of two partitions and a buffer that does not match its header', () => {
    const one = { topic: 't', partition: 0, offset: 0, timestamp: 0, timestampType: 'CREATE_TIME' as const, key: null, value: Buffer.from('x'), tombstone: false, headers: [] };
    expect(() => packBatch([one, { ...one, partition: 1 }])).toThrow(/one partition/);
    expect(() => unpackBatch(packBatch([one]).slice(0, -1))).toThrow(/does not match/);
  });
});
