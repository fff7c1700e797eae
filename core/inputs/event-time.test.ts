import { describe, expect, it } from 'vitest';
import { DecodeError } from '../errors.ts';
import { eventTime } from './event-time.ts';

describe('eventTime', () => {
  it('reads epoch milliseconds, ISO-8601 with a zone, and protobuf Timestamps', () => {
    const cases: Array<[unknown, string]> = [
      [1_749_808_800_000, '2025-06-13T10:00:00.000Z'],
      ['1749808800000', '2025-06-13T10:00:00.000Z'],
      ['2025-06-13T10:00:00.000Z', '2025-06-13T10:00:00.000Z'],
      ['2025-06-13T10:00:00Z', '2025-06-13T10:00:00.000Z'],
      ['2025-06-13T10:00Z', '2025-06-13T10:00:00.000Z'],
      ['2025-06-13t10:00:00.5z', '2025-06-13T10:00:00.500Z'],
      ['2025-06-13T10:00:00.1234567Z', '2025-06-13T10:00:00.123Z'],
      ['2025-06-13T12:00:00,25+02:00', '2025-06-13T10:00:00.250Z'],
      ['2025-06-13T12:00:00+0200', '2025-06-13T10:00:00.000Z'],
      ['2025-06-13 05:00:00-05', '2025-06-13T10:00:00.000Z'],
      ['2025-06-13', '2025-06-13T00:00:00.000Z'],
      [{ seconds: 1_749_808_800, nanos: 250_000_000 }, '2025-06-13T10:00:00.250Z'],
    ];
    for (const [value, iso] of cases) expect(new Date(eventTime(value, 'ts')).toISOString(), String(value)).toBe(iso);
    expect(eventTime(1.5, 'ts')).toBe(1.5);
  });

  it('refuses zone-less, malformed and non-time values with a reason naming the field only', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['2025-06-13T10:00:00', /timestamp field "ts" has no time zone/],
      ['13/06/2025 10:00', /neither ISO-8601 .* nor epoch milliseconds/],
      ['2025-13-45T10:00:00Z', /neither ISO-8601/],
      ['yesterday secret', /neither ISO-8601/],
      [Number.NaN, /not a finite number/],
      [undefined, /record has no timestamp field "ts"/],
      [null, /is null/],
      [[1], /is a list/],
      [true, /is a boolean/],
    ];
    for (const [value, reason] of cases) {
      expect(() => eventTime(value, 'ts')).toThrow(DecodeError);
      expect(() => eventTime(value, 'ts')).toThrow(reason);
    }
    expect(() => eventTime('yesterday secret', 'ts')).not.toThrow(/secret/);
  });
});
