/**
 * The native flat-envelope reader (src/json/flat_envelope.c through core/codecs/flat-envelope.ts)
 * against the TypeScript path it short-cuts (readSampleEnvelopePicking): the same samples and
 * picked fields for every envelope it takes, every flat one taken, and anything else left alone.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isNativeAvailable, nativeModule } from '../../../core/dsp/native/loader.ts';
import { FlatEnvelopeReader } from '../../../core/codecs/flat-envelope.ts';
import { SampleArrayReader } from '../../../core/codecs/json-samples.ts';
import { useNativeJsonText, type NativeJsonText } from '../../../core/codecs/native-json.ts';
import { SampleChunks } from '../../../core/codecs/sample-chunks.ts';
import { PickedFields, readSampleEnvelopePicking } from '../../../core/codecs/sample-envelope.ts';
import { deviceReadings } from '../../../core/inputs/device-readings.ts';
import { jsonBytesReader } from '../../../core/handler/json-bytes-input.ts';
import type { KafkaRecord } from '../../../core/events/types.ts';
import { defineFunction } from '../../../core/handler/define-function.ts';
import { pipeline } from '../../../core/dsp/pipeline.ts';
import { testHarness } from '../../../core/testing/harness.ts';

const native = isNativeAvailable() ? (nativeModule().addon as unknown as NativeJsonText) : undefined;
const NAMES = ['deviceId', 'sampleRate', 'timestamp'];
/** deviceReadings envelopes: valid, empty, and ones its schema refuses (empty id, bad rate, NaN), one long. */
const DEVICE_TEXTS = [
  '{"deviceId":"d-1","sampleRate":1000,"data":[0.1,-2,3e2]}',
  '{"data":[], "deviceId":"d-2", "timestamp": 12}',
  '{"deviceId":"","data":[1]}',
  '{"deviceId":"d-3","sampleRate":-1,"data":[1]}',
  '{"deviceId":"d-4","sampleRate":"1","data":[1]}',
  `{"deviceId":"d-5","data":[${'1.5,'.repeat(20_000)}2]}`,
  '{"deviceId":"d-6","data":[1,NaN]}',
];

/** What the TypeScript path reads: samples and picked values (JSON text of each, numbers by Object.is below), or the error's message. */
function reference(text: string): { samples: number[]; values: unknown[] } | string {
  const reader = new SampleArrayReader(4);
  const pick = new PickedFields(NAMES);
  try {
    const count = readSampleEnvelopePicking(reader, Buffer.from(text, 'latin1'), 'data', pick);
    return { samples: Array.from(reader.samples.subarray(0, count)), values: [...pick.values] };
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 19 });
const sample = fc
  .tuple(fc.boolean(), fc.oneof(fc.constant('0'), digits.map((d) => `1${d}`)), fc.option(digits), fc.option(fc.integer({ min: -50, max: 45 })))
  .map(([minus, int, frac, exp]) => `${minus ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `e${exp}`}`);
const space = fc.constantFrom('', ' ', '\n  ', '\t\r');
const samples = fc.oneof(
  fc.array(fc.tuple(sample, space), { maxLength: 70 }).map((list) => `[${list.map(([s, pad]) => `${pad}${s}${pad}`).join(',')}]`),
  fc.constantFrom('[]', '[ ]', '[1,]', '[1 2]', '[NaN]', '[1e39]', '["1"]', '[[1]]', '[1,2', '[1e-99999]'),
);
const name = fc.oneof(fc.constantFrom('deviceId', 'sampleRate', 'timestamp', '__proto__', 'data', 'device\\u0049d'), fc.string({ maxLength: 4 }));
const value = fc.oneof(
  sample,
  fc.string({ maxLength: 8 }).map((t) => JSON.stringify(t)),
  fc.constantFrom('"device-17"', 'true', 'null', '{}', '[1]', '"é"', '"\\u0041"', '01', '1.', '-', '1e', '"a'),
);

describe.runIf(native !== undefined)('native flat envelope', () => {
  afterEach(() => useNativeJsonText(undefined));

  it('reads what readSampleEnvelopePicking reads wherever it takes an envelope, and blocks stay as read', () => {
    useNativeJsonText(native);
    // A small chunk: blocks in place fill it, renew it, and larger ones get arrays of their own.
    const chunks = new SampleChunks(128);
    const pick = new PickedFields(NAMES);
    const flat = new FlatEnvelopeReader('data', pick);
    const kept: Array<[Float32Array, number[]]> = [];
    let taken = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value, space), { maxLength: 4 }), fc.nat(4), samples, space, fc.boolean(), fc.boolean(), (pairs, at, array, pad, withData, flatOnly) => {
        const members = (flatOnly ? pairs.filter(([n, v]) => /^[a-zA-Z]+$/.test(n) && n !== 'data' && /^("[a-z0-9-]*"|-?[0-9][0-9.e-]*)$/.test(v)) : pairs).map(
          ([n, v, s]) => `${s}${JSON.stringify(n).replace('\\\\u0049', '\\u0049')}${s}:${s}${v}${s}`,
        );
        if (withData) members.splice(Math.min(at, members.length), 0, `${pad}"data"${pad}:${pad}${array}${pad}`);
        const text = `${pad}{${members.join(',')}}${pad}`;
        const expected = reference(text);
        const count = flat.read(Buffer.from(text, 'latin1'), chunks);
        if (count < 0) return; // left to the TypeScript path
        taken++;
        expect(typeof expected, text).toBe('object');
        const { samples: want, values } = expected as { samples: number[]; values: unknown[] };
        const block = chunks.take(count);
        expect(Array.from(block), text).toEqual(want);
        expect(pick.values.map((v) => JSON.stringify(v)), text).toEqual(values.map((v) => JSON.stringify(v)));
        for (let i = 0; i < 3; i++) if (typeof values[i] === 'number') expect(Object.is(pick.values[i], values[i]), text).toBe(true);
        kept.push([block, want]);
      }),
      { numRuns: 3_000 },
    );
    // Blocks handed out earlier are never written again.
    for (const [block, want] of kept) expect(Array.from(block)).toEqual(want);
    // Flat envelopes with a plain array are a good share of the runs: 0 would mean the path stopped taking.
    expect(taken).toBeGreaterThan(300);
  });

  it('reads many records in one call exactly as one by one, wherever they lie, and blocks stay as read', () => {
    useNativeJsonText(native);
    // Small chunks: runs fill them, renew them, and larger blocks get arrays of their own.
    const manyChunks = new SampleChunks(128);
    const oneChunks = new SampleChunks(128);
    const many = new FlatEnvelopeReader('data', new PickedFields(NAMES));
    const onePick = new PickedFields(NAMES);
    const one = new FlatEnvelopeReader('data', onePick);
    const manyPick = (many as unknown as { pick: PickedFields }).pick;
    const kept: Array<[Float32Array, Float32Array]> = [];
    let read = 0;
    const envelope = fc
      .tuple(fc.option(fc.constantFrom('"d-1"', '"device-17"', '""', '7', '"é"')), fc.option(fc.constantFrom('1000', '-1', '"x"', '2.5e3')), samples, space)
      .map(([id, rate, array, pad]) => `${pad}{${id === null ? '' : `"deviceId":${id},`}${rate === null ? '' : `"sampleRate"${pad}:${rate},`}"data":${array}}${pad}`);
    fc.assert(
      fc.property(fc.array(fc.tuple(envelope, fc.nat(3)), { minLength: 1, maxLength: 12 }), fc.nat(7), (texts, gap) => {
        // One buffer with gaps between the values (as a fetch response), some values in buffers of their own.
        const shared = Buffer.alloc(texts.reduce((n, [text]) => n + text.length + gap, gap) + 8);
        let at = gap;
        const values = texts.map(([text, own]) => {
          if (own === 0) return Buffer.from(text, 'latin1');
          shared.write(text, at, 'latin1');
          at += text.length + gap;
          return shared.subarray(at - text.length - gap, at - gap);
        });
        for (let from = 0; from < values.length; ) {
          const end = many.readMany(values, from, manyChunks);
          expect(end).toBeGreaterThan(from);
          for (let k = from; k < end; k++) {
            const count = many.countAt(k - from);
            const want = one.read(values[k]!, oneChunks);
            if (count < 0) {
              // Left to read(): a record the native layer does not take, or one no chunk holds.
              expect(want < 0 || want > 32, String(values[k])).toBe(true);
              continue;
            }
            read++;
            expect(count, String(values[k])).toBe(want);
            many.pickAt(k - from, values[k]!);
            expect(manyPick.values.map((v) => JSON.stringify(v))).toEqual(onePick.values.map((v) => JSON.stringify(v)));
            const block = many.viewOf(k - from, manyChunks);
            const expected = oneChunks.take(want).slice();
            expect(Array.from(block)).toEqual(Array.from(expected));
            kept.push([block, expected]);
          }
          from = end;
        }
      }),
      { numRuns: 200 },
    );
    for (const [block, want] of kept) expect(Array.from(block)).toEqual(Array.from(want));
    // Records the native layer reads are a good share: 0 would mean the path stopped taking them.
    expect(read).toBeGreaterThan(150);
  });

  it('takes the common record and leaves unusual ones to the TypeScript path', () => {
    useNativeJsonText(native);
    const chunks = new SampleChunks();
    const pick = new PickedFields(NAMES);
    const flat = new FlatEnvelopeReader('data', pick);
    const read = (text: string) => flat.read(Buffer.from(text, 'latin1'), chunks);
    const record = `{"deviceId":"device-7","sampleRate":1000,"data":[${Array.from({ length: 64 }, (_, i) => Math.sin(i / 9) * 2 + 0.1).join(',')}]}`;
    expect(read(record)).toBe(64);
    expect(pick.values).toEqual(['device-7', 1000, undefined]);
    expect(read(' {"data" : [ 1 , 2 ] , "timestamp" : -5e3 } \n')).toBe(2);
    expect(pick.values).toEqual([undefined, undefined, -5000]);
    const unusual = [
      '{"deviceId":"a\\"b","data":[1]}', // an escape
      '{"deviceId":"é","data":[1]}', // not ASCII
      '{"d\\u0061ta":[1]}', // an escaped name
      '{"__proto__":1,"data":[1]}',
      '{"data":[1],"data":[2]}',
      '{"data":[1],"x":[2]}', // another array
      '{"x":{},"data":[1]}',
      '{"x":true,"data":[1]}',
      '{"deviceId":"a"}', // no samples
      '{"data":"[1]"}',
      '{"data":[1]} x',
      '{"data":[1],}',
      '{}',
      '[1]',
      '{"data":[1e39]}',
      '{"data":[1,]}',
      '{"data":[1]',
      '{"sampleRate":01,"data":[1]}',
    ];
    for (const text of unusual) expect(read(text), text).toBe(-1);
  });

  it('gives deviceReadings the blocks it gave without the native layer', () => {
    const input = deviceReadings();
    const fromBytes = jsonBytesReader(input)!;
    const record = (value: Buffer) => ({ value }) as KafkaRecord;
    const texts = DEVICE_TEXTS;
    const blocks = (with_: NativeJsonText | undefined) => {
      useNativeJsonText(with_);
      return texts.map((text) => {
        const block = fromBytes(Buffer.from(text), record(Buffer.from(text)));
        return block === undefined ? undefined : { ...block, samples: Array.from(block.samples) };
      });
    };
    expect(blocks(native)).toEqual(blocks(undefined));
    expect(blocks(native).filter((b) => b !== undefined)).toHaveLength(3);
  });

  it('gives deviceReadings the same blocks for a partition read at once as record by record', () => {
    useNativeJsonText(native);
    const fromBytes = jsonBytesReader(deviceReadings())!;
    const texts = [
      ...DEVICE_TEXTS,
      '{"deviceId":"d-7","data":[1,2],"timestamp":5}',
      '{"deviceId":"a\\"b","data":[1]}',
      '{"deviceId":"d-8","sampleRate":500,"data":[4,5,6]}',
    ];
    const slab = Buffer.from(texts.join(''));
    let at = 0;
    const records = texts.map((text, i) => {
      const value = i === 4 ? Buffer.from(text) : slab.subarray(at, at + Buffer.byteLength(text));
      at += Buffer.byteLength(text);
      return { value, tombstone: i === 8, headers: [] } as unknown as KafkaRecord;
    });
    const plain = (block: ReturnType<typeof fromBytes>) => (block === undefined ? undefined : { ...block, samples: Array.from(block.samples) });
    const skipped = new Set([records[1]]);
    const blocks = fromBytes.many!(records, (record) => !skipped.has(record)).map(plain);
    const one = records.map((record) => (record.tombstone || skipped.has(record) ? undefined : plain(fromBytes(record.value, record))));
    // The records many() leaves (the invalid ones, whose reasons the schema words) are read one by one by the decode step.
    expect(blocks.filter((b) => b !== undefined)).toHaveLength(4);
    blocks.forEach((block, i) => {
      if (block !== undefined) expect(block, texts[i]).toEqual(one[i]);
    });
    expect(one.filter((b) => b !== undefined)).toHaveLength(4);
  });

  it('still dead-letters samples that are not whole frames of the channels, read from the bytes', async () => {
    useNativeJsonText(native);
    const fn = testHarness(
      defineFunction({
        name: 'two',
        codec: 'json',
        input: deviceReadings(),
        pipeline: pipeline({ channels: 2 }).rms({ window: 2 }),
        output: { topic: 'out', value: ({ key, output }) => ({ key, y: Array.from(output) }) },
      }),
    );
    await fn.invoke([
      { key: 'a', value: { deviceId: 'a', data: [1, 2, 3] } },
      { key: 'b', value: { deviceId: 'b', data: [1, 2, 3, 4] } },
    ]);
    const letters = fn.sink.ofKind('dead-letter');
    expect(letters.map((letter) => String(letter.headers['dspfn-error-reason']))).toEqual([expect.stringMatching(/3 samples are not whole frames of 2/)]);
    expect(fn.sink.onTopic('out')).toHaveLength(1);
  });

  it('gives the handler the same messages and dead letters with the batch read as without the native layer', async () => {
    const run = async (with_: NativeJsonText | undefined) => {
      useNativeJsonText(with_);
      const fn = testHarness(
        defineFunction({
          name: 'many',
          codec: 'json',
          input: deviceReadings(),
          pipeline: pipeline().movingAverage({ window: 3 }).rms({ window: 2 }),
          output: { topic: 'out', value: ({ key, record, output }) => ({ deviceId: key, offset: record.offset, rms: output }) },
        }),
      );
      const values = [
        ...Array.from({ length: 40 }, (_, i) => ({ deviceId: `d-${i % 4}`, sampleRate: 100, data: Array.from({ length: 5 + (i % 3) }, (_, s) => Math.sin(i * 7 + s) * 3) })),
        { deviceId: '', data: [1] },
        { deviceId: 'd-1', sampleRate: -5, data: [1] },
        { deviceId: 'd-2', data: [1, 'x'] },
      ];
      await fn.invoke(values.map((value, i) => ({ key: i % 5 === 0 ? 'other' : String(value.deviceId), value })));
      return fn.sink.messages.map((m) => [m.kind, m.topic, m.key, String(m.value), JSON.stringify(m.headers)]);
    };
    const withNative = await run(native);
    expect(withNative).toEqual(await run(undefined));
    expect(withNative.filter(([kind]) => kind === 'dead-letter')).toHaveLength(3);
  });

  it('refuses arguments out of bounds for many records instead of reading them', () => {
    const api = native!.readFlatEnvelopes!;
    const memory = Buffer.from('xx{"k":"v","data":[1,2]}{"data":[3]}');
    const frame = new Int32Array(2 + 3 + 3);
    frame.set([1, 1]);
    new Uint8Array(frame.buffer, 20).set([4, ...Buffer.from('data'), 1, ...Buffer.from('k')]);
    const results = new Int32Array(2 * 5);
    expect(api(memory, Int32Array.of(2, 24, 24, 36), new Float32Array(4), frame, results)).toBe(2);
    expect(Array.from(results)).toEqual([2, 1, 1, 6, 7, 1, 3, 0, 0, 0]);
    expect(frame[0]).toBe(4);
    // The second does not fit: one read, and where the next goes.
    frame[0] = 1;
    expect(api(memory, Int32Array.of(2, 24, 24, 36), new Float32Array(3), frame, results)).toBe(1);
    expect(frame[0]).toBe(3);
    frame[0] = 0;
    expect(() => api(memory, Int32Array.of(2, 37), new Float32Array(4), frame, results)).toThrow(/out of range/);
    expect(() => api(memory, Int32Array.of(-1, 3), new Float32Array(4), frame, results)).toThrow(/out of range/);
    expect(() => api(memory, Int32Array.of(5, 3), new Float32Array(4), frame, results)).toThrow(/out of range/);
    expect(() => api(memory, Int32Array.of(2, 24, 24, 36), new Float32Array(4), frame, new Int32Array(9))).toThrow(/too short/);
    frame[0] = 5;
    expect(() => api(memory, Int32Array.of(2, 24), new Float32Array(4), frame, results)).toThrow(/out of range/);
    expect(() => api(memory, Int32Array.of(2, 24), new Float32Array(4), Int32Array.of(0, 3), results)).toThrow(/malformed/);
  });

  it('refuses arguments out of bounds instead of reading them', () => {
    const api = native!.readFlatEnvelope!;
    const bytes = Buffer.from('{"k":"v","data":[1,2]}');
    const names = [4, ...Buffer.from('data'), 1, ...Buffer.from('k')];
    const frameOf = (at: number, wanted: number, nameBytes: number[]) => {
      const frame = new Int32Array(2 + 3 * wanted + Math.ceil(nameBytes.length / 4));
      frame.set([at, wanted]);
      new Uint8Array(frame.buffer, (2 + 3 * wanted) * 4).set(nameBytes);
      return frame;
    };
    const frame = frameOf(2, 1, names);
    expect(api(bytes, new Float32Array(4), frame)).toBe(2);
    expect(Array.from(frame.subarray(2, 5))).toEqual([1, 6, 7]);
    expect(api(bytes, new Float32Array(4), frameOf(3, 1, names))).toBe(-2);
    expect(() => api(bytes, new Float32Array(4), frameOf(5, 1, names))).toThrow(/out of range/);
    expect(() => api(bytes, new Float32Array(4), frameOf(-1, 1, names))).toThrow(/out of range/);
    // A name longer than the frame, more names than it holds, or no room for the slots.
    expect(() => api(bytes, new Float32Array(4), frameOf(0, 1, [4, ...Buffer.from('data'), 9, 0x6b]))).toThrow(/malformed/);
    expect(() => api(bytes, new Float32Array(4), frameOf(0, 2, names).subarray(0, 8))).toThrow(/malformed/);
    expect(() => api(bytes, new Float32Array(4), Int32Array.of(0, 3))).toThrow(/malformed/);
    expect(() => api(bytes, new Float32Array(4), Int32Array.of(0, -1, 0))).toThrow(/malformed/);
  });
});
