import { compressionsAlgorithms, jsCRC32C, Reader, readRecordsBatch } from '@platformatic/kafka';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchCrc32c } from './platformatic-fast-produce.ts';
import { ResultHeaders } from './result-headers.ts';
import { BATCH_HEADER_BYTES, BatchArena, encodeProduceBody, encodeRecordBatch, HEADROOM, type BatchCompression, type BatchRecord } from './record-batch.ts';

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

  it("reads back runs of one key and the keys that follow, of the same length or not, text and bytes", () => {
    const keys: Array<string | Buffer | null> = ['device-1', 'device-1', 'device-1', 'dévice-1', 'dévice-1', 'device-2', Buffer.from('device-2'), Buffer.from('device-2'), null, 'device-2', 'ü', 'u', 'device-10'];
    const records: BatchRecord[] = keys.map((key, i) => ({ key, value: `v${i}`, headers: new ResultHeaders('application/json', 'in', '1', String(i), 'fn') }));
    const got = read(encodeRecordBatch(records, producer, crc));
    expect(got.records.map((r) => r.key)).toEqual(keys.map(bytes));
  });

  it('writes ResultHeaders byte for byte as the same headers in a literal (runs of shared values, offsets of any length, other records between)', () => {
    const text = fc.oneof(fc.constantFrom('application/json', 'sensor-readings', 'sensor-rms', '0', '3', ''), fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
    const offset = fc.oneof(fc.nat().map(String), fc.constantFrom('9007199254740991', '7'.repeat(63), '7'.repeat(64), '8'.repeat(200)), fc.string({ unit: 'grapheme', maxLength: 70 }));
    const shared = fc.record({ contentType: text, topic: text, partition: text, fn: text });
    const run = fc.record({ shared, offsets: fc.array(offset, { minLength: 1, maxLength: 5 }), other: fc.boolean(), key: fc.oneof(fc.constant(null), fc.string({ maxLength: 12 })) });
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 10 }), (runs) => {
        const records: BatchRecord[] = runs.flatMap(({ shared: s, offsets, other, key }) => [
          ...offsets.map((o) => ({ key, value: `{"o":"${o}"}`, headers: new ResultHeaders(s.contentType, s.topic, s.partition, o, s.fn) })),
          ...(other ? [{ key, value: 'x', headers: { 'content-type': s.contentType, traceparent: s.topic } }] : []),
        ]);
        const literal = records.map((r) => ({ ...r, headers: r.headers && { ...r.headers } }));
        expect(literal.some((r, i) => Object.getPrototypeOf(r.headers) !== Object.getPrototypeOf(records[i]!.headers))).toBe(true);
        expect(encodeRecordBatch(records, producer, crc, undefined, 1_700_000_000_123)).toEqual(encodeRecordBatch(literal, producer, crc, undefined, 1_700_000_000_123));
      }),
      { numRuns: 300 },
    );
  });

  it('writes each ResultHeaders record with its own function and offset when records of one source partition alternate between them', () => {
    const fns = ['fn-a', 'fn-b', 'fn-a', 'fn-c', 'fn-b'];
    const offsets = ['17', '18', '1234', '9', '42'];
    const records: BatchRecord[] = fns.flatMap((fn, i) => [
      { key: 'k', value: 'v', headers: new ResultHeaders('application/json', 'in', '2', offsets[i]!, fn) },
      { key: 'k', value: 'v', headers: new ResultHeaders('application/json', 'in', i % 2 === 0 ? '2' : '3', offsets[(i + 2) % 5]!, fns[(i + 1) % 5]!) },
    ]);
    const literal = records.map((r) => ({ ...r, headers: { ...r.headers } }));
    for (let round = 0; round < 2; round++) {
      expect(encodeRecordBatch(records, producer, crc, undefined, 1_700_000_000_123)).toEqual(encodeRecordBatch(literal, producer, crc, undefined, 1_700_000_000_123));
      expect(read(encodeRecordBatch(records, producer, crc)).records.map((r) => r.headers.map(([n, v]) => `${n?.toString()}=${v?.toString()}`).join(','))).toEqual(
        literal.map((r) => Object.entries(r.headers).map(([n, v]) => `${n}=${v}`).join(',')),
      );
    }
  });

  it('sizes records whose lengths, offset deltas and bodies cross the varint boundaries (64, 8,192 and 1,048,576 bytes)', () => {
    const lengths = [0, 1, 55, 58, 59, 60, 61, 62, 63, 64, 65, 8_120, 8_180, 8_185, 8_186, 8_187, 8_188, 8_190, 8_191, 8_192, 8_193, 1_048_500, 1_048_560, 1_048_576, 1_048_577];
    const records: BatchRecord[] = lengths.map((n, i) => ({ key: i % 2 === 0 ? 'k' : null, value: Buffer.alloc(n, 97 + (i % 26)), headers: i % 3 === 0 ? undefined : { h: 'x'.repeat(i) } }));
    // Offset deltas past 63 and 8,191: many small records after them.
    for (let i = 0; i < 8_300; i++) records.push({ key: 'k', value: `v${i}`, headers: undefined });
    const batch = encodeRecordBatch(records, producer, crc);
    const got = read(batch);
    expect(got.crc).toBe(jsCRC32C(batch.subarray(21)));
    expect(got.records.length).toBe(records.length);
    const wrong = got.records.findIndex((r, i) => r.offsetDelta !== i || !r.value?.equals(bytes(records[i]!.value)!) || r.headers.length !== Object.keys(records[i]!.headers ?? {}).length);
    expect(wrong).toBe(-1);
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

describe('Produce request body (v9–v12)', () => {
  /** A request body of these partitions' records, each batch as encodeRecordBatch writes it alone. */
  function body(arena: BatchArena, topics: Array<{ topic: string; partitions: Array<{ partition: number; records: BatchRecord[] }> }>, transactionalId?: string, compression?: BatchCompression) {
    return encodeProduceBody(-1, 30_000, transactionalId, topics, arena, (_topic, p, memory) => void encodeRecordBatch(p.records, producer, crc, compression, 1_700_000_000_000, memory));
  }

  function readBody(bytes: Buffer) {
    const r = Reader.from(bytes);
    const id = r.readNullableString();
    const [acks, timeout] = [r.readInt16(), r.readInt32()];
    const topics = r.readArray((t) => ({ topic: t.readString(), partitions: t.readArray((p) => ({ partition: p.readInt32(), batch: p.readBytes() })) }));
    expect(r.readUnsignedVarInt()).toBe(0);
    expect(r.remaining).toBe(0);
    return { id, acks, timeout, topics };
  }

  const topicsOf = fc.uniqueArray(fc.constantFrom('results', 'dlq-ü', 'logs'), { minLength: 0, maxLength: 3 }).chain((names) =>
    fc.tuple(...names.map((topic) => fc.uniqueArray(fc.nat(11), { minLength: 1, maxLength: 4 }).chain((partitions) => fc.tuple(...partitions.map((partition) => fc.array(record, { minLength: 1, maxLength: 8 }).map((records) => ({ partition, records })))).map((ps) => ({ topic, partitions: ps }))))),
  );

  it('frames topics and partitions with compact lengths and tagged fields around batches written in place, in one piece after the headroom', () => {
    fc.assert(
      fc.property(topicsOf, fc.option(fc.string({ maxLength: 12 }), { nil: undefined }), fc.integer({ min: 0, max: 4096 }), (topics, transactionalId, arenaBytes) => {
        // A small arena grows in the middle of a request: what was written moves with it.
        const arena = new BatchArena(arenaBytes);
        const bytes = body(arena, topics, transactionalId);
        expect(bytes.byteOffset).toBeGreaterThanOrEqual(HEADROOM);
        const read = readBody(bytes);
        expect([read.id, read.acks, read.timeout]).toEqual([transactionalId ?? null, -1, 30_000]);
        expect(read.topics).toEqual(topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map(({ partition, records }) => ({ partition, batch: encodeRecordBatch(records, producer, crc, undefined, 1_700_000_000_000) })) })));
      }),
      { numRuns: 150 },
    );
  });

  it('writes compressed batches in place too, and the arena serves the next request from the start', () => {
    const lz4 = (compressionsAlgorithms as unknown as Record<string, BatchCompression>).lz4!;
    const records = Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 4}`, value: JSON.stringify({ i, rms: [0.5, 0.25] }), headers: { 'content-type': 'application/json' } }));
    const arena = new BatchArena();
    const first = body(arena, [{ topic: 'results', partitions: [{ partition: 1, records }] }], undefined, lz4);
    const batch = readBody(first).topics[0]!.partitions[0]!.batch;
    expect(read(batch).records.map((r) => r.value?.toString())).toEqual(records.map((r) => r.value));
    expect(batch).toEqual(encodeRecordBatch(records, producer, crc, lz4, 1_700_000_000_000));
    const second = body(arena, [{ topic: 'logs', partitions: [{ partition: 0, records: records.slice(0, 1) }] }]);
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(first.byteOffset);
  });

  it('refuses a batch writer that does not take its batch in one piece', () => {
    const arena = new BatchArena();
    expect(() => encodeProduceBody(-1, 1, undefined, [{ topic: 't', partitions: [{ partition: 0 }] }], arena, () => undefined)).toThrow(/one take/);
    expect(BATCH_HEADER_BYTES).toBe(61);
  });
});
