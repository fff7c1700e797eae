import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, DspfnError, EventError } from '../errors.ts';
import { documentedEvent } from '../testing/fixtures.ts';
import { parseKafkaEvent } from './parse.ts';

/** Any JSON a broken producer, a hand-edited file or a changed event format could put somewhere. */
const junk = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.constantFrom('', '====', 'QQ', 'Q', 'not base64!', '-_-_', 'QUJD\nRA=='),
  fc.array(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.string(), fc.constant(null)), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.integer(), fc.string(), fc.array(fc.integer({ min: -300, max: 300 }), { maxLength: 4 })), { maxKeys: 3 }),
  fc.anything({ maxDepth: 2 }),
);

const RECORD_FIELDS = ['topic', 'partition', 'offset', 'timestamp', 'timestampType', 'key', 'value', 'headers'] as const;

/** A documented event with one thing broken: a field of a record, a record, a group, or the event's own fields. */
const brokenEvent = fc
  .record({
    fixture: fc.constantFrom('msk', 'self-managed', 'msk-schema-registry' as const),
    where: fc.constantFrom('field', 'record', 'group', 'groupName', 'event', 'header'),
    field: fc.constantFrom(...RECORD_FIELDS),
    eventField: fc.constantFrom('eventSource', 'records', 'bootstrapServers', 'eventSourceArn'),
    groupName: fc.oneof(fc.string(), fc.constantFrom('t', '-1', 't-', 't-x', 't--1', 't-1.5', 't-99999999999999999999')),
    index: fc.nat(),
    value: junk,
  })
  .map(({ fixture, where, field, eventField, groupName, index, value }) => {
    const event = documentedEvent(fixture) as unknown as Record<string, unknown> & { records: Record<string, unknown[]> };
    const groups = Object.keys(event.records);
    const group = groups[index % groups.length]!;
    const records = event.records[group]!;
    const at = index % records.length;
    switch (where) {
      case 'field':
        (records[at] as Record<string, unknown>)[field] = value;
        break;
      case 'record':
        records[at] = value;
        break;
      case 'group':
        event.records[group] = value as unknown[];
        break;
      case 'groupName':
        event.records[groupName] = records;
        break;
      case 'event':
        (event as Record<string, unknown>)[eventField] = value;
        break;
      case 'header':
        (records[at] as { headers: unknown[] }).headers = [value];
        break;
    }
    return event;
  });

describe('parseKafkaEvent on malformed events (fast-check)', () => {
  it('either parses or throws a dspfn error; never a raw TypeError', () => {
    fc.assert(
      fc.property(brokenEvent, (event) => {
        try {
          const parsed = parseKafkaEvent(event);
          // Everything it gave back is well-formed; what was not is set aside with a reason.
          for (const partition of parsed.partitions) {
            for (const record of partition.records) {
              expect(Number.isSafeInteger(record.offset) && record.offset >= 0).toBe(true);
              expect(Buffer.isBuffer(record.value)).toBe(true);
            }
          }
          for (const { error } of parsed.malformed) expect(error).toBeInstanceOf(DecodeError);
          expect(parsed.recordCount).toBe(parsed.partitions.reduce((n, p) => n + p.records.length, 0) + parsed.malformed.length);
        } catch (error) {
          if (!(error instanceof DspfnError)) throw new Error(`not a dspfn error: ${String(error)}`, { cause: error });
          expect(error).toBeInstanceOf(EventError);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});
