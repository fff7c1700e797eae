// A key's records of a batch run through its pipeline as one block: each record must still get
// exactly the output (and time) it gets when records run one by one, and a record whose output
// fails must leave the key as if it had never come, wherever it is in the block.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../dsp/backend.ts';
import { pipeline } from '../dsp/pipeline.ts';
import { ErrorCode } from '../errors.ts';
import type { RecordInput } from '../events/build.ts';
import { testHarness } from '../testing/harness.ts';
import { defineFunction } from './define-function.ts';

const spec = pipeline({ channels: 2 }).movingAverage({ window: 3 }).ema({ alpha: 0.5 });

interface Step {
  key: string;
  frames: number[][];
  fails: boolean;
}

const steps = fc.array(
  fc.record({
    key: fc.constantFrom('a', 'b'),
    frames: fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), { maxLength: 4 }),
    fails: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  }),
  { minLength: 1, maxLength: 30 },
);

/** The outputs record by record on a plain pipeline that never sees the failing records. */
function reference(all: readonly Step[]): Array<{ key: string; offset: number; y: number[]; t: number }> {
  const out: Array<{ key: string; offset: number; y: number[]; t: number }> = [];
  for (const key of ['a', 'b']) {
    const p = spec.create(jsBackend);
    all.forEach((step, offset) => {
      if (step.key !== key || step.fails) return;
      const y = p.process(Float32Array.from(step.frames.flat()));
      if (step.frames.length > 0) out.push({ key, offset, y: Array.from(y), t: 1000 + offset });
    });
  }
  return out;
}

describe('a key’s records as one block', () => {
  it('give each record the outputs and time of a record-by-record run, failing outputs undone wherever they are (property)', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (all) => {
        const fails = new Set(all.flatMap((s, i) => (s.fails ? [i] : [])));
        const fn = testHarness(
          defineFunction({
            name: 'block',
            pipeline: spec,
            input: (payload, record) => ({ key: record.key!.toString(), samples: (payload as { value: number[] }).value, timestamp: 1000 + record.offset }),
            output: {
              topic: 'out',
              value: ({ key, record, output, timestamp, frames }) => {
                if (fails.has(record.offset)) throw new Error('refused');
                expect(output.length).toBe(frames * 2);
                return { key, offset: record.offset, y: Array.from(output), t: timestamp };
              },
            },
          }),
        );
        const records: RecordInput[] = all.map((s) => ({ key: s.key, value: s.frames.flat() }));
        await fn.invoke(records, { topic: 'in' });
        const byKey = (a: { key: string; offset: number }, b: { key: string; offset: number }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.offset - b.offset);
        expect(fn.sink.json<{ key: string; offset: number }>('out').sort(byKey)).toEqual(reference(all).sort(byKey));
        const withFrames = all.flatMap((s, i) => (s.fails && s.frames.length > 0 ? [String(i)] : []));
        expect(fn.sink.onTopic('in.dlq').map((m) => m.headers['dspfn-source-offset']).sort()).toEqual(withFrames.sort());
      }),
      { numRuns: 150 },
    );
  });

  it('dead-letters a record whose sample rate contradicts the pipeline’s declared rate, without failing the batch or touching the key', async () => {
    const bands = pipeline().bandPower({ size: 16, bands: [[0, 20]], sampleRate: 100 });
    const fn = testHarness(
      defineFunction({
        name: 'rated',
        pipeline: bands,
        input: (payload, record) => {
          const value = (payload as { value: { rate: number; data: number[] } }).value;
          return { key: record.key!.toString(), samples: value.data, sampleRate: value.rate, timestamp: 0 };
        },
        output: { topic: 'out', value: ({ output, sampleRate }) => ({ y: Array.from(output), sampleRate }) },
      }),
    );
    const data = (from: number) => Array.from({ length: 16 }, (_, i) => Math.sin(from + i));
    await fn.invoke(
      [
        { key: 'k', value: { rate: 100, data: data(0) } },
        { key: 'k', value: { rate: 250, data: data(100) } },
        { key: 'k', value: { rate: 100, data: data(16) } },
      ],
      { topic: 'in' },
    );
    const y = Array.from(bands.create(jsBackend).process(Float32Array.from([...data(0), ...data(16)])));
    expect(fn.sink.json('out')).toEqual([
      { y: y.slice(0, 1), sampleRate: 100 / 16 },
      { y: y.slice(1), sampleRate: 100 / 16 },
    ]);
    const [letter] = fn.sink.onTopic('in.dlq');
    expect(letter!.headers['dspfn-error-code']).toBe(ErrorCode.InvalidSamples);
    expect(String(letter!.headers['dspfn-error-reason'])).toMatch(/declared for sampleRate 100, but its input comes at 250/);
  });
});
