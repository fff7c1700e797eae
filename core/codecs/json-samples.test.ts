import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.ts';
import { formatFloat32 } from './float32-format.ts';
import { JsonSamplesError, parseSamples, SampleArrayReader } from './json-samples.ts';
import { PickedFields, readSampleEnvelope, readSampleEnvelopePicking } from './sample-envelope.ts';
import { stringifyFloat32Array } from './json-writer.ts';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/** What the runtime gives: JSON.parse, then float32; undefined where dspfn must refuse the input. */
function oracle(text: string): Float32Array | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number')) return undefined;
  const out = Float32Array.from(value as number[]);
  return out.every((v) => Number.isFinite(v)) ? out : undefined;
}

function expectSame(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`sample ${i}: ${actual[i]} !== ${expected[i]}`);
  }
}

function failure(text: string | Uint8Array): JsonSamplesError {
  try {
    parseSamples(typeof text === 'string' ? bytes(text) : text);
  } catch (error) {
    expect(error).toBeInstanceOf(JsonSamplesError);
    return error as JsonSamplesError;
  }
  throw new Error('expected an error');
}

/** Decimal texts of every shape: long mantissas, leading zeros, big and small exponents. */
const decimalText = fc
  .tuple(
    fc.boolean(),
    fc.stringMatching(/^(0|[1-9][0-9]{0,30})$/),
    fc.option(fc.stringMatching(/^[0-9]{1,30}$/), { nil: undefined }),
    fc.option(fc.integer({ min: -70, max: 50 }), { nil: undefined }),
  )
  .map(([negative, int, fraction, exponent]) => `${negative ? '-' : ''}${int}${fraction === undefined ? '' : `.${fraction}`}${exponent === undefined ? '' : `e${exponent}`}`);

describe('SampleArrayReader', () => {
  it('reads back any float32 array the writer wrote, bit-exactly', () => {
    fc.assert(
      fc.property(fc.float32Array({ noNaN: true, noDefaultInfinity: true, maxLength: 300 }), (samples) => {
        expectSame(parseSamples(bytes(stringifyFloat32Array(samples))), samples);
      }),
      { numRuns: 500 },
    );
  });

  it('gives exactly Math.fround(JSON.parse(text)) for any decimal text, and refuses what is not a finite float32', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(decimalText, fc.double({ noNaN: true, noDefaultInfinity: true }).map(String)), { maxLength: 20 }), (numbers) => {
        const text = `[${numbers.join(',')}]`;
        const expected = oracle(text);
        if (expected === undefined) expect(failure(text).message).toMatch(/outside the float32 range/);
        else expectSame(parseSamples(bytes(text)), expected);
      }),
      { numRuns: 3_000 },
    );
  });

  it('decides the hard cases the same way as JSON.parse + Math.fround', () => {
    const cases = [
      '3.4028235677973366e38', // rounds to Infinity in float32
      '3.4028235677973362e38', // just below: FLT_MAX
      '7.006492321624085e-46', // half the smallest subnormal
      '7.0064923216240862e-46',
      '1.00000005960464477539062499999', // just below a float32 midpoint
      '1.000000059604644775390625', // exactly a float32 midpoint (ties to even)
      '1.0000000596046447753906250000001',
      '9007199254740993',
      '123456789012345678901234567890',
      '0.000000000000000000000000000000000000000000001',
      '1e-400',
      '-0',
      '-0.0e5',
    ];
    for (const c of cases) {
      const expected = oracle(`[${c}]`);
      if (expected === undefined) expect(() => parseSamples(bytes(`[${c}]`))).toThrow(JsonSamplesError);
      else expectSame(parseSamples(bytes(`[${c}]`)), expected);
    }
  });

  it('refuses malformed input with where and why, never quoting it', () => {
    const reasons: Array<[string, RegExp]> = [
      ['[1,2', /not closed before the end of the input \(byte 4\)/],
      ['[1,2,', /not closed/],
      ['', /expected a JSON array of numbers at byte 0, got the end of the input/],
      ['[NaN]', /sample 0 at byte 1 is NaN, which JSON does not allow/],
      ['[1, Infinity]', /sample 1 at byte 4 is Infinity, which JSON does not allow/],
      ['[-Infinity]', /is -Infinity, which JSON does not allow/],
      ['[1e999]', /sample 0 at byte 1 is outside the float32 range/],
      ['[1e39]', /outside the float32 range/],
      ['[-3.5e38]', /outside the float32 range/],
      ['[1e99999999999999999999]', /outside the float32 range/],
      ['[1,"2"]', /sample 1 at byte 3 is a string, not a number/],
      ['[[1]]', /sample 0 at byte 1 is a nested array, not a number/],
      ['[{"a":1}]', /is an object, not a number/],
      ['[null]', /is null, not a number/],
      ['[true]', /is a boolean, not a number/],
      ['[1] x', /unexpected 'x' at byte 4 after the array/],
      ['[1]]', /unexpected '\]' at byte 3 after the array/],
      ['[1,]', /sample 1 at byte 3 is '\]', not a number/],
      ['[01]', /leading zero/],
      ['[1.]', /expected a digit after the decimal point at byte 3/],
      ['[.5]', /is '\.', not a number/],
      ['[+1]', /is '\+', not a number/],
      ['[1e+]', /expected a digit in the exponent/],
      ['[1 2]', /expected ',' or '\]' after sample 0 at byte 3, got '2'/],
      ['[0x10]', /after sample 0 at byte 2, got 'x'/],
      ['{"data":[1]}', /expected a JSON array of numbers at byte 0, got an object/],
      ['[1,\u00e92]', /sample 1 at byte 3 is byte 0xc3, not a number/],
    ];
    for (const [text, reason] of reasons) {
      const error = failure(text);
      expect(error.message).toMatch(reason);
      expect(error.code).toBe(ErrorCode.InvalidSamples);
    }
    const located = failure('[1, 2, NaN]');
    expect([located.byteOffset, located.sampleIndex]).toEqual([7, 2]);
  });

  it('never crashes or hangs on arbitrary bytes: it reads what JSON.parse reads, or refuses with a JsonSamplesError', () => {
    const jsonish = fc.stringMatching(/^[\[\]0-9eE.+\-, "NaIfinty{}:]{0,40}$/);
    fc.assert(
      fc.property(fc.oneof(jsonish, fc.string(), fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1'))), (text) => {
        const expected = oracle(text);
        if (expected === undefined) failure(bytes(text));
        else expectSame(parseSamples(bytes(text)), expected);
      }),
      { numRuns: 5_000 },
    );
  });

  it('copes with huge input: long numbers, long arrays, deep nesting', () => {
    const longNumber = `[1${'0'.repeat(30)}e-30, 0.${'0'.repeat(100_000)}1e100000]`;
    expectSame(parseSamples(bytes(longNumber)), new Float32Array([1, 0.1]));
    const many = new Float32Array(200_000).map((_, i) => i * 0.25 - 7);
    const reader = new SampleArrayReader(4);
    const count = reader.readWhole(bytes(stringifyFloat32Array(many)));
    expectSame(reader.samples.subarray(0, count), many);
    expect(failure('['.repeat(100_000) + ']'.repeat(100_000)).message).toMatch(/nested array/);
    expect(failure('[' + '1,'.repeat(100_000)).message).toMatch(/not closed/);
  });

  it('reads within a range of a larger buffer and reuses its scratch', () => {
    const reader = new SampleArrayReader(2);
    const buffer = bytes('xx[1.5, 2.5, 3.5]yy[4]');
    expect(reader.readInto(buffer, 2, 17)).toBe(3);
    expect(reader.end).toBe(17);
    expectSame(reader.samples.subarray(0, 3), new Float32Array([1.5, 2.5, 3.5]));
    const scratch = reader.samples;
    expect(reader.readInto(buffer, 19)).toBe(1);
    expect(reader.samples).toBe(scratch);
    expect(() => reader.readInto(buffer, 2, 10)).toThrow(/not closed before the end of the input \(byte 10\)/);
  });
});

describe('readSampleEnvelope', () => {
  const reader = new SampleArrayReader();

  it('reads the sample field with the reader and every other field as JSON.parse does', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.string().filter((k) => k !== 'data' && k !== '__proto__'), fc.jsonValue(), { maxKeys: 4 }),
        fc.float32Array({ noNaN: true, noDefaultInfinity: true, maxLength: 50 }),
        fc.boolean(),
        (deviceId, extra, samples, spaced) => {
          const data = Array.from(samples, (x) => JSON.parse(formatFloat32(x)) as number);
          const value = { ...extra, deviceId, data };
          const text = JSON.stringify(value, null, spaced ? 2 : undefined);
          const { fields, count } = readSampleEnvelope(reader, bytes(text), 'data');
          expect(fields).toEqual({ ...(JSON.parse(text) as object), data: null });
          // JSON.stringify writes -0 as 0: compare with what the text holds.
          expectSame(reader.samples.subarray(0, count), Float32Array.from((JSON.parse(text) as { data: number[] }).data));
          expect(count).toBe(samples.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads flat envelopes (strings, numbers written any way JSON allows, duplicates, white space) exactly as JSON.parse does, property order and -0 included', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 4 });
    const number = fc
      .tuple(fc.boolean(), fc.oneof(fc.constant('0'), digits.map((d) => `1${d}`)), fc.option(digits), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits)))
      .map(([minus, int, frac, exp]) => `${minus ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : exp.join('')}`);
    const name = fc.oneof(fc.constantFrom('deviceId', 'sampleRate', 'ts', '1', '__proto__', 'constructor'), fc.string({ maxLength: 6 }));
    const value = fc.oneof(number, fc.string({ maxLength: 8 }).map((t) => JSON.stringify(t)), fc.constantFrom('true', 'null', '{}', '[1]', '"é"', '"\\u0041"'));
    const space = fc.constantFrom('', ' ', '\n  ');
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value, space), { maxLength: 5 }), fc.nat(5), space, (pairs, at, pad) => {
        const members = pairs.map(([n, v, s]) => `${s}${JSON.stringify(n)}${s}:${s}${v}${s}`);
        members.splice(Math.min(at, members.length), 0, `${pad}"data"${pad}:${pad}[1,2]${pad}`);
        const text = `${pad}{${members.join(',')}}${pad}`;
        if (pairs.some(([n]) => n === 'data')) return;
        const { fields } = readSampleEnvelope(reader, bytes(text), 'data');
        const expected = JSON.parse(text.replace('[1,2]', 'null')) as Record<string, unknown>;
        expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
        expect(Object.keys(fields)).toEqual(Object.keys(expected));
        for (const key of Object.keys(expected)) {
          const [got, want] = [fields[key], expected[key]];
          expect(typeof want === 'object' && want !== null ? JSON.stringify(got) === JSON.stringify(want) : Object.is(got, want), `${text}: ${key}`).toBe(true);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('picking: the count, samples and picked fields readSampleEnvelope gives (flat or not, duplicates, absent fields), the same errors', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 4 });
    const number = fc
      .tuple(fc.boolean(), fc.oneof(fc.constant('0'), digits.map((d) => `1${d}`)), fc.option(digits))
      .map(([minus, int, frac]) => `${minus ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}`);
    const name = fc.oneof(fc.constantFrom('deviceId', 'sampleRate', 'timestamp', '__proto__', 'data'), fc.string({ maxLength: 4 }));
    const value = fc.oneof(number, fc.string({ maxLength: 8 }).map((t) => JSON.stringify(t)), fc.constantFrom('true', 'null', '{}', '[1]', '"é"', '"\\u0041"', '[2, 3.5]'));
    const space = fc.constantFrom('', ' ', '\n  ');
    const pick = new PickedFields(['deviceId', 'sampleRate', 'timestamp']);
    const other = new SampleArrayReader();
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value, space), { maxLength: 5 }), fc.nat(5), space, fc.boolean(), (pairs, at, pad, withData) => {
        const members = pairs.map(([n, v, s]) => `${s}${JSON.stringify(n)}${s}:${s}${v}${s}`);
        if (withData) members.splice(Math.min(at, members.length), 0, `${pad}"data"${pad}:${pad}[1,2.25,-0]${pad}`);
        const text = `${pad}{${members.join(',')}}${pad}`;
        let expected: { fields: Record<string, unknown>; count: number } | Error;
        try {
          expected = readSampleEnvelope(other, bytes(text), 'data');
        } catch (error) {
          expected = error as Error;
        }
        let count: number | Error;
        try {
          count = readSampleEnvelopePicking(reader, bytes(text), 'data', pick);
        } catch (error) {
          count = error as Error;
        }
        if (expected instanceof Error) {
          expect(count).toBeInstanceOf(JsonSamplesError);
          expect((count as Error).message).toBe(expected.message);
          return;
        }
        expect(count).toBe(expected.count);
        expectSame(reader.samples.subarray(0, expected.count), other.samples.subarray(0, expected.count));
        const own = (key: string) => (Object.prototype.hasOwnProperty.call(expected.fields, key) ? (expected as { fields: Record<string, unknown> }).fields[key] : undefined);
        expect(pick.values.map((v) => JSON.stringify(v))).toEqual(['deviceId', 'sampleRate', 'timestamp'].map((key) => JSON.stringify(own(key))));
        for (let i = 0; i < 3; i++) if (typeof pick.values[i] === 'number') expect(Object.is(pick.values[i], own(pick.names[i]!))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('finds the field under escaped or non-ASCII names, at the top level only', () => {
    const text = '{"x":{"data":[9]},"s":"]\\"data\\":[","d\\u0061ta":[1,2]}';
    expect(readSampleEnvelope(reader, bytes(text), 'data').count).toBe(2);
    expect(reader.samples[1]).toBe(2);
    const named = readSampleEnvelope(reader, bytes('{"größe":[0.5],"k":"v"}'), 'größe');
    expect([named.count, reader.samples[0], named.fields]).toEqual([1, 0.5, { größe: null, k: 'v' }]);
  });

  it('refuses envelopes without exactly one array under the field, or that are not JSON', () => {
    const reasons: Array<[string, RegExp]> = [
      ['{"deviceId":"a"}', /the object has no field "data"/],
      ['{"data":[1],"data":[2]}', /the field "data" appears twice/],
      ['{"data":"[1,2]"}', /the field "data" holds a string at byte 8, not an array of numbers/],
      ['{"data":[1,NaN]}', /sample 1 at byte 11 is NaN/],
      ['{"data":[1], "deviceId": }', /value is not valid JSON/],
      ['{"deviceId": tru, "data":[1]}', /value is not valid JSON/],
      ['[1,2]', /expected a JSON object at byte 0, got a nested array/],
      ['{"data":[1]} trailing', /value is not valid JSON/],
      ['{"a":"secret-payload", "data":[1] x}', /value is not valid JSON/],
    ];
    for (const [text, reason] of reasons) {
      let error: unknown;
      try {
        readSampleEnvelope(reader, bytes(text), 'data');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(JsonSamplesError);
      expect((error as Error).message).toMatch(reason);
      expect((error as Error).message).not.toContain('secret');
    }
  });
});
