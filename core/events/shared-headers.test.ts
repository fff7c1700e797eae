// Records with equal raw headers share one decoded list when the handler asks for it
// (ParseOptions.shareHeaders): whatever the headers hold — repeats, signed and unsigned spellings
// of a byte, several names in one object, non-byte values, lists that are not lists — every record
// must decode to exactly what it decodes to on its own, and the same records must be malformed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKafkaEvent } from './parse.ts';

const byteValue = fc.oneof(fc.integer({ min: -128, max: 255 }), fc.constantFrom(1.5, 300, -129, '1', null));
const header = fc.oneof(
  { weight: 6, arbitrary: fc.record({ name: fc.constantFrom('content-type', 'trace', 'Content-Type'), bytes: fc.array(fc.constantFrom(97, 98, -1, 255, 0), { maxLength: 3 }) }).map(({ name, bytes }) => ({ [name]: bytes }) as unknown) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.array(byteValue, { maxLength: 2 })) as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'text', 7, [1, 2]) },
);
// Few distinct lists, so runs of equal ones are common.
const headers = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>([{ 'content-type': [97, 98] }], [{ 'content-type': [97, 98] }, { trace: [-1, 0] }]) },
  { weight: 4, arbitrary: fc.array(header, { maxLength: 3 }) as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'not a list', {}) },
);

function eventOf(lists: readonly unknown[]) {
  return {
    eventSource: 'aws:kafka',
    bootstrapServers: 'b:9092',
    records: {
      'in-0': lists.map((h, offset) => ({ topic: 'in', partition: 0, offset, timestamp: 1, timestampType: 'CREATE_TIME', key: 'YQ==', value: 'AAAAAA==', headers: structuredClone(h) })),
    },
  };
}

describe('shared header lists', () => {
  it('decode every record as it decodes on its own', () => {
    let shared = 0;
    fc.assert(
      fc.property(fc.array(headers, { minLength: 1, maxLength: 12 }), (lists) => {
        const alone = parseKafkaEvent(eventOf(lists));
        const together = parseKafkaEvent(eventOf(lists), { shareHeaders: true });
        expect(together).toEqual(alone);
        const records = together.partitions[0]!.records;
        for (let i = 1; i < records.length; i++) if (records[i]!.headers.length > 0 && records[i]!.headers === records[i - 1]!.headers) shared++;
      }),
      { numRuns: 300 },
    );
    // The property means something only if lists were shared.
    expect(shared).toBeGreaterThan(50);
  });

  it('are never shared without the option', () => {
    const parsed = parseKafkaEvent(eventOf([[{ 'content-type': [97] }], [{ 'content-type': [97] }]]));
    const [a, b] = parsed.partitions[0]!.records;
    expect(a!.headers).toEqual(b!.headers);
    expect(a!.headers).not.toBe(b!.headers);
  });
});
