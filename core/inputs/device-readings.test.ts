import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePayload } from '../codecs/payload.ts';
import type { KafkaRecord } from '../events/types.ts';
import { jsonBytesReader } from '../handler/json-bytes-input.ts';
import { deviceReadings } from './device-readings.ts';
import { isNativeAvailable, nativeModule } from '../dsp/native/loader.ts';
import { useNativeJsonText, type NativeJsonText } from '../codecs/native-json.ts';

const native = isNativeAvailable() ? (nativeModule().addon as unknown as NativeJsonText) : undefined;

const record = (value: Buffer): KafkaRecord => ({ topic: 't', partition: 0, offset: 0, timestamp: 0, timestampType: 'CREATE_TIME', key: null, value, tombstone: false, headers: [] });

/** What the general path makes of the bytes: the block with its samples as float32, or the error's text. */
function general(input: ReturnType<typeof deviceReadings>, bytes: Buffer): unknown {
  try {
    const block = input(decodePayload('json', bytes), record(bytes));
    return { ...block, samples: Float32Array.from(block.samples) };
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

const number = fc.oneof(fc.double({ noNaN: true }), fc.float({ noNaN: true, noDefaultInfinity: true }).map(Number), fc.integer());
const messy = fc.record(
  {
    deviceId: fc.oneof(fc.string({ maxLength: 6 }), fc.constant(''), number, fc.constant(null)),
    sampleRate: fc.oneof(number, fc.constant(null), fc.constant('100')),
    timestamp: fc.oneof(number, fc.constant(null)),
    data: fc.oneof(fc.array(number, { maxLength: 12 }), fc.constant('x'), fc.array(fc.oneof(number, fc.constant(null)), { maxLength: 3 })),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);
const wellFormed = fc.record(
  {
    deviceId: fc.string({ minLength: 1, maxLength: 6 }),
    sampleRate: fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
    timestamp: number,
    data: fc.array(number, { maxLength: 12 }),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['deviceId', 'data'] },
);
// Mostly well-formed, so the fast path is exercised often enough for the count below to hold on any seed.
const reading = fc.oneof({ arbitrary: wellFormed, weight: 3 }, { arbitrary: messy, weight: 1 });

describe('deviceReadings from JSON bytes', () => {
  it('gives exactly the block the general path gives, or leaves the record to it', () => {
    const input = deviceReadings();
    const fromBytes = jsonBytesReader(input)!;
    expect(fromBytes).toBeTypeOf('function');
    let taken = 0;
    fc.assert(
      fc.property(reading, fc.nat(3), fc.nat(200), fc.nat(3).map((n) => n === 0), (value, spaces, cut, truncate) => {
        let text = JSON.stringify(value, null, spaces);
        if (truncate) text = text.slice(0, cut % (text.length + 1));
        const bytes = Buffer.from(text);
        const block = fromBytes(bytes, record(bytes));
        const expected = general(input, bytes);
        if (block === undefined) return;
        taken++;
        // Taken from the bytes only where the general path takes it too, with the same samples.
        expect({ ...block, samples: Float32Array.from(block.samples) }).toEqual(expected);
      }),
      { numRuns: 500 },
    );
    // ~150 of 500 on average (±10): far from the line on any seed, and 0 if the fast path stopped taking.
    expect(taken).toBeGreaterThan(100);
  });

  it('reads the documented shape, and custom field names', () => {
    const bytes = Buffer.from('{"deviceId": "d-1", "sampleRate": 100, "timestamp": 5, "data": [0.1, -2, 3e2]}');
    expect(jsonBytesReader(deviceReadings())!(bytes, record(bytes))).toEqual({ key: 'd-1', samples: new Float32Array([0.1, -2, 300]), sampleRate: 100, timestamp: 5 });
    const custom = Buffer.from('{"id": "x", "v": [1]}');
    expect(jsonBytesReader(deviceReadings({ keyField: 'id', dataField: 'v' }))!(custom, record(custom))).toEqual({ key: 'x', samples: new Float32Array([1]) });
    // Overlapping fields: left to the schema.
    expect(jsonBytesReader(deviceReadings({ dataField: 'sampleRate' }))).toBeUndefined();
  });

  // The batch read is the native layer's (without it many() leaves every record to the one-by-one read).
  it.skipIf(native === undefined)('reads partition after partition with one reader, each call giving its own records\' blocks only', () => {
    useNativeJsonText(native);
    const fromBytes = jsonBytesReader(deviceReadings())!;
    // Each partition's values back to back in one buffer, as the fetch decoder gives them.
    const partition = (texts: readonly string[]): KafkaRecord[] => {
      const slab = Buffer.from(texts.join(''));
      let at = 0;
      return texts.map((text) => {
        const value = slab.subarray(at, (at += Buffer.byteLength(text)));
        return record(value);
      });
    };
    const plain = (block: ReturnType<typeof fromBytes>) => (block === undefined ? undefined : { ...block, samples: Array.from(block.samples) });
    const texts = (device: string, count: number) => Array.from({ length: count }, (_, i) => JSON.stringify({ deviceId: `${device}-${i % 2}`, sampleRate: 100, data: [i, -i, i / 4] }));
    // A longer partition, a shorter one, an empty one and a longer one again: what a call keeps from
    // the one before must never show up in its answer.
    for (const records of [partition(texts('a', 7)), partition(texts('b', 3)), [], partition(texts('c', 9))]) {
      const blocks = fromBytes.many!(records, () => true);
      expect(blocks).toHaveLength(records.length);
      expect(blocks.map(plain)).toEqual(records.map((r) => plain(fromBytes(r.value, r))));
    }
  });
});
