import { compressionsAlgorithms, jsCRC32C, Reader, readRecordsBatch } from '@platformatic/kafka';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchCrc32c } from './platformatic-fast-produce.ts';
import { BATCH_HEADER_BYTES, encodeProduceRequest, encodeRecordBatch, type BatchCompression, type BatchRecord } from './record-batch.ts';

const producer = { producerId: 4711n, producerEpoch: 3, baseSequence: 120, transactional: false };
const crc = (data: Buffer) => jsCRC32C(data);

/** The batch as @platformatic/kafka's consumer side reads it (decompressing when flagged). */
function read(batch: Buffer) {
  return readRecordsBatch(Reader.from(batch));
}

function bytes(data: string | Buffer | null): Buffer | null {
  return data === null ? null : Buffer.from(data);
}

const record = fc.record({
  key: fc.oneof(fc.constant(null), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a))),
  value: fc.oneof(fc.constant(null), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a))),
  headers: fc.option(
    fc.dictionary(fc.constantFrom('content-type', 'dspfn-source-offset', 'traceparent', 'x-ünï'), fc.oneof(fc.constantFrom('application/json', 'a', ''), fc.string({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)))),
    { nil: undefined },
  ),
});

describe('record batches written by dspfn', () => {
  it('read back by the client library: every key, value and header byte, offsets, producer fields, a valid CRC-32C', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 40 }), (records: BatchRecord[]) => {
        const batch = encodeRecordBatch(records, producer, crc, undefined, 1_700_000_000_123);
        const got = read(batch);
        expect(got.length).toBe(batch.length - 12);
        expect([got.magic, got.attributes, got.lastOffsetDelta, got.producerId, got.producerEpoch, got.firstSequence]).toEqual([2, 0, records.length - 1, 4711n, 3, 120]);
        expect([got.firstTimestamp, got.maxTimestamp]).toEqual([1_700_000_000_123n, 1_700_000_000_123n]);
        expect(got.crc).toBe(jsCRC32C(batch.subarray(21)));
        expect(got.records.map((r) => [r.offsetDelta, r.key, r.value, r.headers])).toEqual(
          records.map((r, i) => [i, bytes(r.key), bytes(r.value), Object.entries(r.headers ?? {}).map(([name, value]) => [Buffer.from(name), Buffer.from(value)])]),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('reads back runs of records sharing header lists (names in changing orders, values repeating or not, text and bytes)', () => {
    const names = ['content-type', 'dspfn-source-topic', 'dspfn-source-offset', 'x-ünï', 'traceparent'];
    const value = fc.oneof(fc.constantFrom('application/json', 'in', '7', ''), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)));
    const headerList = fc.uniqueArray(fc.constantFrom(...names), { maxLength: names.length }).chain((order) => fc.tuple(...order.map((name) => value.map((v) => [name, v] as const))));
    const run = fc.record({ headers: headerList, length: fc.integer({ min: 1, max: 6 }), key: fc.oneof(fc.constant(null), fc.string({ maxLength: 40 })) });
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 12 }), (runs) => {
        const records: BatchRecord[] = runs.flatMap((r) => Array.from({ length: r.length }, (_, i) => ({ key: r.key, value: `v${i}`, headers: Object.fromEntries(r.headers) })));
        const got = read(encodeRecordBatch(records, producer, crc));
        expect(got.records.map((r) => [r.key, r.value, r.headers])).toEqual(
          records.map((r) => [bytes(r.key), bytes(r.value), Object.entries(r.headers ?? {}).map(([name, v]) => [Buffer.from(name), Buffer.from(v)])]),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('reuses a header encoding only for the value it was made from', () => {
    const headers = (offset: number, type: string) => ({ 'content-type': type, 'dspfn-source-offset': String(offset) });
    const records = [0, 1, 2, 3].map((i) => ({ key: 'k', value: 'v', headers: headers(i, i < 3 ? 'application/json' : 'text/plain') }));
    const again = encodeRecordBatch(records, producer, crc);
    expect(read(again).records.map((r) => r.headers.map(([n, v]) => `${n?.toString()}=${v?.toString()}`))).toEqual(
      records.map((r) => Object.entries(r.headers).map(([n, v]) => `${n}=${v}`)),
    );
  });

  it('compresses the records section with the codec and flags it in the attributes', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ key: `dev-${i % 3}`, value: JSON.stringify({ i, rms: [0.5, 0.25] }), headers: { 'content-type': 'application/json' } }));
    const codecs = compressionsAlgorithms as unknown as Record<string, BatchCompression>;
    for (const name of ['gzip', 'lz4', 'snappy', ...(typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function' ? ['zstd'] : [])]) {
      const batch = encodeRecordBatch(records, producer, crc, codecs[name]);
      expect(batch.length).toBeLessThan(encodeRecordBatch(records, producer, crc).length);
      const got = read(batch);
      expect(got.attributes & 0b111).toBe(codecs[name]!.bitmask);
      expect(got.crc).toBe(jsCRC32C(batch.subarray(21)));
      expect(got.records.map((r) => r.value?.toString())).toEqual(records.map((r) => r.value));
    }
  });

  it('flags transactional batches and refuses an empty one', () => {
    expect(read(encodeRecordBatch([{ key: null, value: 'x', headers: undefined }], { ...producer, transactional: true }, crc)).attributes).toBe(1 << 4);
    expect(() => encodeRecordBatch([], producer, crc)).toThrow(RangeError);
  });

  it('uses a CRC-32C that matches the reference (native where installed)', () => {
    const batch = encodeRecordBatch([{ key: 'k', value: 'v'.repeat(5000), headers: { a: 'b' } }], producer, crc);
    expect(batchCrc32c(crc)(batch.subarray(21))).toBe(jsCRC32C(batch.subarray(21)));
  });
});

describe('Produce request body (v9–v11)', () => {
  it('frames topics and partitions with compact lengths and tagged fields around the batches, which it does not copy', () => {
    const one = encodeRecordBatch([{ key: 'a', value: '1', headers: undefined }], producer, crc);
    const two = encodeRecordBatch([{ key: 'b', value: '2', headers: undefined }], producer, crc);
    const pieces = encodeProduceRequest(-1, 30_000, undefined, [
      { topic: 'results', partitions: [{ partition: 0, batch: one }, { partition: 5, batch: two }] },
      { topic: 'dlq-ü', partitions: [{ partition: 2, batch: one }] },
    ]);
    expect(pieces.filter((p) => p === one || p === two)).toHaveLength(3);
    const r = Reader.from(Buffer.concat(pieces));
    expect(r.readNullableString()).toBe(null);
    expect([r.readInt16(), r.readInt32()]).toEqual([-1, 30_000]);
    const topics = r.readArray((t) => ({
      name: t.readString(),
      partitions: t.readArray((p) => ({ index: p.readInt32(), records: p.readBytes() })),
    }));
    expect(topics).toEqual([
      { name: 'results', partitions: [{ index: 0, records: one }, { index: 5, records: two }] },
      { name: 'dlq-ü', partitions: [{ index: 2, records: one }] },
    ]);
    expect(r.readUnsignedVarInt()).toBe(0);
    expect(r.remaining).toBe(0);
    expect(BATCH_HEADER_BYTES).toBe(61);
  });

  it('writes a transactional id as a compact string', () => {
    const r = Reader.from(Buffer.concat(encodeProduceRequest(-1, 5, 'tx-1', [])));
    expect(r.readNullableString()).toBe('tx-1');
  });
});
