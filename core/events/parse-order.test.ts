import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventError } from '../errors.ts';
import { kafkaRecord } from './build.ts';
import { parseKafkaEvent } from './parse.ts';
import { strictBase64 } from './record.ts';

/** Offsets in any order, some repeated: what parseKafkaEvent must sort or refuse. */
const partitionOffsets = fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 });

describe('parseKafkaEvent offset order and keys', () => {
  it('sorts any order, refuses the first repeated offset, and decodes keys and values as strictBase64 does', () => {
    fc.assert(
      fc.property(partitionOffsets, fc.array(fc.option(fc.uint8Array({ maxLength: 12 }), { nil: null }), { minLength: 30, maxLength: 30 }), (offsets, keys) => {
        const raws = offsets.map((offset, i) => ({
          ...kafkaRecord({ topic: 't', partition: 2, key: keys[i] ?? null, value: Float32Array.of(i, offset), headers: { 'content-type': 'application/x-f32le' } }),
          offset,
        }));
        const event = { eventSource: 'aws:kafka', bootstrapServers: 'b:9092', records: { 't-2': raws } };
        const repeated = offsets.findIndex((o, i) => offsets.indexOf(o) < i);
        if (repeated >= 0) {
          expect(() => parseKafkaEvent(event)).toThrow(EventError);
          expect(() => parseKafkaEvent(event)).toThrow(`offset ${offsets[repeated]} appears twice in t-2`);
          return;
        }
        const records = parseKafkaEvent(event).partitions[0]!.records;
        expect(records.map((r) => r.offset)).toEqual([...offsets].sort((a, b) => a - b));
        for (const record of records) {
          const raw = raws.find((r) => r.offset === record.offset)!;
          expect(record.key === null ? null : record.key.toString('hex')).toBe(raw.key === undefined ? null : strictBase64(raw.key)!.toString('hex'));
          expect(record.value.toString('hex')).toBe(strictBase64(raw.value!)!.toString('hex'));
          // Values stay 8-byte aligned, so f32le samples are read in place.
          expect(record.value.byteOffset % 8).toBe(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
