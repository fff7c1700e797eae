import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pipeline } from '../dsp/pipeline.ts';
import { ErrorCode, OutputError } from '../errors.ts';
import type { RecordInput } from '../events/build.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { testHarness } from '../testing/harness.ts';
import { defineFunction } from './define-function.ts';
import type { ResultContext } from './definition.ts';
import { messageValue as valueOf, messageValues } from './message-values.ts';

/** The message value as text: the bytes of a Float32Array result are a view of the result arena. */
const messageValue = (...args: Parameters<typeof valueOf>): string => String(valueOf(...args));

const at = { topic: 'in', partition: 2, offset: 7 };

describe('messageValues', () => {
  it('sends nothing for undefined, one message per array element, one JSON message otherwise', () => {
    expect(messageValues(undefined, at, 'k')).toEqual([]);
    expect(messageValues([], at, 'k')).toEqual([]);
    expect(messageValues([{ a: 1 }, 2, 'x', null], at, 'k')).toEqual(['{"a":1}', '2', '"x"', 'null']);
    expect(messageValues([[1, 2]], at, 'k')).toEqual(['[1,2]']);
    expect(messageValues({ mean: 1.5 }, at, 'k')).toEqual(['{"mean":1.5}']);
    expect(messageValues(0, at, 'k')).toEqual(['0']);
    expect(messageValues(false, at, 'k')).toEqual(['false']);
  });

  it('writes a Float32Array (the value, or a property of the object) with the shortest digits that read back as the same float32', () => {
    const samples = new Float32Array([0.1, -2.5, 1e-7, 3.4028234663852886e38, 0]);
    expect(messageValue(new Float32Array([0.1, 1, -0.5]), at, 'k')).toBe('[0.1,1,-0.5]');
    const text = messageValue({ deviceId: 'dé', n: 2, skipped: undefined, rms: samples, nested: { a: [1] } }, at, 'k');
    expect(text).toBe('{"deviceId":"dé","n":2,"rms":[0.1,-2.5,1e-7,3.4028235e+38,0],"nested":{"a":[1]}}');
    const parsed = JSON.parse(text) as { rms: number[] };
    expect(Float32Array.from(parsed.rms)).toEqual(samples);
    fc.assert(
      fc.property(fc.float32Array({ noNaN: true, noDefaultInfinity: true, maxLength: 40 }), (floats) => {
        const back = JSON.parse(messageValue({ x: floats }, at, 'k')) as { x: number[] };
        expect(Buffer.from(Float32Array.from(back.x).buffer)).toEqual(Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength));
      }),
    );
    // Without a Float32Array, exactly what JSON.stringify writes.
    const plain = { a: 0.1, b: [1, 'x'], c: null, d: new Date(0) };
    expect(messageValue(plain, at, 'k')).toBe(JSON.stringify(plain));
  });

  it('writes the properties beside a Float32Array exactly as JSON.stringify does (names and strings in any Unicode, numbers, -0, NaN)', () => {
    const other = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.double(), fc.integer(), fc.maxSafeInteger(), fc.constantFrom(-0, Number.NaN, Infinity, null, true, undefined, 2 ** 53, -(2 ** 60), { toJSON: () => undefined }, () => 1), fc.array(fc.integer(), { maxLength: 3 }));
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary', maxLength: 40 }), other, { maxKeys: 5 }), fc.float32Array({ noNaN: true, maxLength: 4 }), (fields, floats) => {
        const value = { ...fields, samples: floats };
        // Twice: the property names are remembered after the first.
        const expected = JSON.stringify({ ...fields, samples: '@samples@' }).replace('"@samples@"', messageValue(floats, at, 'k'));
        for (let i = 0; i < 2; i++) expect(messageValue(value, at, 'k')).toBe(expected);
      }),
    );
  });

  it('writes objects of any shape, record after record, with the Float32Array anywhere, as JSON.stringify would', () => {
    const direct = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
    const other = fc.oneof(direct, fc.constantFrom(null, true, undefined, Number.NaN, -0, { a: 1 }));
    const shape = fc.tuple(fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(direct, direct, other), { maxKeys: 5 }), fc.nat(5), fc.boolean(), fc.float32Array({ noNaN: true, maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(shape, { minLength: 1, maxLength: 6 }), (values) => {
        // Shapes one after another: what is remembered of one object's names must not leak into the next.
        for (const [fields, position, withSamples, floats] of values) {
          const entries: Array<[string, unknown]> = Object.entries(fields).filter(([name]) => name !== 'rms');
          if (withSamples) entries.splice(Math.min(position, entries.length), 0, ['rms', floats]);
          const value = Object.fromEntries(entries) as Record<string, unknown>;
          const written = valueOf(value, at, 'k');
          if (!withSamples) {
            expect(written).toBe(JSON.stringify(value));
            continue;
          }
          expect(Buffer.isBuffer(written)).toBe(true);
          expect(String(written)).toBe(JSON.stringify({ ...value, rms: '@rms@' }).replace('"@rms@"', messageValue(floats, at, 'k')));
        }
      }),
    );
  });

  it('writes the names of objects wider than the remembered positions (64) as JSON.stringify would, record after record', () => {
    // Names past position 63 are not remembered by position: their text is looked up by name.
    const floats = new Float32Array([0.25, -1.5]);
    for (const width of [63, 64, 65, 130]) {
      const entries: Array<[string, unknown]> = Array.from({ length: width }, (_, i) => [i % 3 === 0 ? `ä${i}"\\` : `p${i}`, i % 2 === 0 ? i : `v${i}é`]);
      entries.splice(width >> 1, 0, ['rms', floats]);
      const value = Object.fromEntries(entries) as Record<string, unknown>;
      const expected = JSON.stringify({ ...value, rms: '@rms@' }).replace('"@rms@"', messageValue(floats, at, 'k'));
      for (let i = 0; i < 2; i++) expect(messageValue(value, at, 'k')).toBe(expected);
    }
  });

  it('refuses what cannot be a message value, naming output.value and the record but not the value', () => {
    const circular: Record<string, unknown> = { secret: 'hunter2' };
    circular.self = circular;
    const cases: Array<[unknown, RegExp]> = [
      [() => 1, /returned a function, which cannot be a message value/],
      [Symbol('s'), /a symbol/],
      [10n, /a bigint/],
      [Number.NaN, /NaN \(JSON has no NaN or Infinity\)/],
      [Number.POSITIVE_INFINITY, /Infinity/],
      [new Float64Array([1]), /a Float64Array .*Array\.from/],
      [Buffer.from('x'), /a Buffer/],
      [[1, undefined], /element 1 of the array as undefined/],
      [circular, /not JSON-serialisable/],
      [{ n: 1n }, /not JSON-serialisable/],
    ];
    for (const [value, reason] of cases) {
      let thrown: unknown;
      try {
        messageValues(value, at, 'dev-1');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(OutputError);
      const error = thrown as OutputError;
      expect(error.code).toBe(ErrorCode.Output);
      expect(error.message).toMatch(/^output\.value for record in-2@7 \(key "dev-1"\) returned /);
      expect(error.message).toMatch(reason);
      expect(error.message).not.toMatch(/hunter2/);
      expect(error.record).toEqual(at);
    }
  });
});

/** A moving average over the last 3 samples whose output.value throws on values above `limit`. */
function averaging(options: { limit?: number; value?: (ctx: ResultContext) => unknown; key?: (ctx: ResultContext) => string } = {}) {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  return defineFunction({
    name: 'contract',
    pipeline: pipeline().movingAverage({ window: 3 }),
    output: {
      topic: 'out',
      ...(options.key ? { key: options.key } : {}),
      value:
        options.value ??
        (({ output }) => {
          if (output[0]! > limit) throw new Error(`too large`);
          return { y: output[0] };
        }),
    },
  });
}

const sample = (x: number, offset?: number): RecordInput => ({ key: 'k', value: [x], ...(offset === undefined ? {} : { offset }) });

describe('the output contract in the handler', () => {
  it('a record whose output.value throws does not touch its key: a moving average over [0, 100 (throws), 0] emits 0, 0', async () => {
    const fn = testHarness(averaging({ limit: 10 }));
    await fn.invoke([sample(0), sample(100), sample(0)], { topic: 'in' });
    expect(fn.sink.json<{ y: number }>('out').map((r) => r.y)).toEqual([0, 0]);
    const [letter] = fn.sink.onTopic('in.dlq');
    expect(letter!.headers['dspfn-error-code']).toBe(ErrorCode.Output);
    expect(String(letter!.headers['dspfn-error-reason'])).toBe('output.value for record in-0@1 (key "k") threw: too large');
    expect(String(letter!.value)).toBe('[100]');
    expect(fn.reports[0]).toMatchObject({ results: 2, deadLetters: 1, samples: 2 });
  });

  it('undoes the failing record on state loaded from the store, and keeps the key fenced past it', async () => {
    const state = new MemoryStateStore();
    await testHarness(averaging({ limit: 10 }), { state }).invoke([sample(3, 0), sample(6, 1)], { topic: 'in' });
    const second = testHarness(averaging({ limit: 10 }), { state });
    await second.invoke([sample(9, 2), sample(100, 3), sample(0, 4), sample(60, 5)], { topic: 'in' });
    // (3+6+9)/3 = 6; 100 undone; (6+9+0)/3 = 5; (9+0+60)/3 = 23 > 10 undone.
    expect(second.sink.json<{ y: number }>('out').map((r) => r.y)).toEqual([6, 5]);
    expect(second.sink.onTopic('in.dlq').map((m) => m.headers['dspfn-source-offset'])).toEqual(['3', '5']);

    // A new container continues from the committed state: 9, 0 and then 3 → (9+0+3)/3 = 4.
    const third = testHarness(averaging({ limit: 10 }), { state });
    await third.invoke([sample(3, 6)], { topic: 'in' });
    expect(third.sink.json<{ y: number }>('out').map((r) => r.y)).toEqual([4]);

    // Redelivering the second batch changes nothing.
    const again = testHarness(averaging({ limit: 10 }), { state });
    await again.invoke([sample(9, 2), sample(100, 3), sample(0, 4), sample(60, 5)], { topic: 'in' });
    expect(again.sink.json('out')).toEqual([]);
    expect(again.reports[0]).toMatchObject({ skipped: 4, deadLetters: 0 });
  });

  it('sends no message for undefined and one message per element for an array, numbered by dspfn-result-index', async () => {
    const fn = testHarness(
      averaging({ value: ({ output, record }) => (record.offset === 0 ? undefined : record.offset === 1 ? [{ a: output[0] }, { b: 2 }] : { c: 3 }) }),
    );
    await fn.invoke([sample(3), sample(6), sample(9)], { topic: 'in' });
    const out = fn.sink.onTopic('out');
    expect(out.map((m) => m.value)).toEqual(['{"a":4.5}', '{"b":2}', '{"c":3}']);
    expect(out.map((m) => m.headers['dspfn-result-index'])).toEqual(['0', '1', undefined]);
    expect(out.map((m) => m.headers['dspfn-source-offset'])).toEqual(['1', '1', '2']);
    expect(fn.reports[0]).toMatchObject({ results: 3, deadLetters: 0, samples: 3 });
  });

  it('dead-letters a value that cannot be a message (not as a decode error) and leaves the key as if the record had not come', async () => {
    const fn = testHarness(averaging({ value: ({ output }) => (output[0] === 3 ? new Float64Array(output) : { y: output[0] }) }));
    await fn.invoke([sample(0), sample(6), sample(3)], { topic: 'in' });
    expect(fn.sink.json<{ y: number }>('out').map((r) => r.y)).toEqual([0, 1.5]);
    const [letter] = fn.sink.onTopic('in.dlq');
    expect(letter!.headers['dspfn-error-code']).toBe(ErrorCode.Output);
    expect(String(letter!.headers['dspfn-error-reason'])).toMatch(/^output\.value for record in-0@1 \(key "k"\) returned a Float64Array/);
  });

  it('a throwing or non-string output.key is an output error too', async () => {
    const fn = testHarness(
      averaging({
        key: ({ record }) => {
          if (record.offset === 0) throw new Error('no key today');
          return (record.offset === 1 ? 42 : 'fine') as string;
        },
      }),
    );
    await fn.invoke([sample(1), sample(2), sample(3)], { topic: 'in' });
    const reasons = fn.sink.onTopic('in.dlq').map((m) => String(m.headers['dspfn-error-reason']));
    expect(reasons).toEqual([
      'output.key for record in-0@0 (key "k") threw: no key today',
      'output.key for record in-0@1 (key "k") returned number, not a string',
    ]);
    expect(fn.sink.onTopic('out').map((m) => [m.key, m.value])).toEqual([['fine', '{"y":3}']]);
  });
});
