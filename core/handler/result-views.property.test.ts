// JSON results with Float32Arrays are written into one forward-only arena and handed to the sinks
// as views of their bytes instead of strings. The messages must be the ones the text path gave —
// the same bytes — for any batches (bad records, tombstones, failing outputs, several messages per
// record), and a view a sink keeps must still hold its bytes after later batches are written.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonWriter, stringifyFloat32Array } from '../codecs/json-writer.ts';
import { jsBackend } from '../dsp/backend.ts';
import { pipeline } from '../dsp/pipeline.ts';
import { mskEvent, type RecordInput } from '../events/build.ts';
import { deviceReadings } from '../inputs/device-readings.ts';
import { jsonLogger } from '../logger/logger.ts';
import { MemorySink } from '../sink/memory.ts';
import { Header } from '../sink/sink.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { lambdaContext } from '../testing/context.ts';
import { defineFunction } from './define-function.ts';

/** The text path: JSON.stringify with each Float32Array as the shortest float32 digits. */
function textOf(value: Record<string, unknown>): string {
  const marks: Record<string, unknown> = {};
  const arrays: string[] = [];
  for (const [name, item] of Object.entries(value)) {
    if (item instanceof Float32Array) {
      marks[name] = `@${arrays.length}@`;
      arrays.push(stringifyFloat32Array(item));
    } else marks[name] = item;
  }
  return JSON.stringify(marks).replace(/"@(\d+)@"/g, (_, i: string) => arrays[Number(i)]!);
}

/** What each record's output.value returned, as the text path wrote it, by `partition@offset#index`. */
const expected = new Map<string, string>();

const fn = defineFunction({
  name: 'views',
  codec: 'f32le',
  pipeline: pipeline({ channels: 2 }).movingAverage({ window: 3 }),
  input: deviceReadings(),
  tombstones: 'dead-letter',
  output: {
    topic: 'out',
    value: ({ key, record, output }) => {
      const mode = record.offset % 5;
      if (mode === 4 && output[0]! > 50) throw new Error('refused');
      const one = { deviceId: `${key}-é`, offset: record.offset, rms: output, note: mode === 1 ? '\u{1F600}"\n' : undefined };
      const where = `${record.partition}@${record.offset}`;
      if (mode !== 2) {
        expected.set(`${where}#`, textOf(one));
        return one;
      }
      const many = [one, { tail: output.subarray(1) }];
      many.forEach((item, i) => expected.set(`${where}#${i}`, textOf(item)));
      return many;
    },
  },
});

const record = fc.record({
  partition: fc.integer({ min: 0, max: 2 }),
  key: fc.constantFrom('a', 'b', 'c'),
  kind: fc.constantFrom('samples', 'samples', 'samples', 'samples', 'odd-bytes', 'nan', 'tombstone'),
  frames: fc.array(fc.tuple(fc.float({ noNaN: true, min: -100, max: 100 }), fc.float({ noNaN: true, min: -100, max: 100 })), { maxLength: 40 }),
});

function inputOf(r: Parameters<Parameters<typeof record.map>[0]>[0], offset: number): RecordInput {
  const samples = Float32Array.from(r.frames.flat());
  const base = { partition: r.partition, offset, key: r.key };
  if (r.kind === 'odd-bytes') return { ...base, value: Uint8Array.of(1, 2, 3) };
  if (r.kind === 'nan') return { ...base, value: Float32Array.of(...samples, Number.NaN, 1) };
  if (r.kind === 'tombstone') return base;
  return { ...base, value: samples };
}

describe('JSON results as views of the result arena', () => {
  it('are the bytes the text path wrote, and stay so while later batches are written', async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(record, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 4 }), async (batches) => {
        expected.clear();
        const sink = new MemorySink();
        const handler = fn.dspfn.withRuntime({ sink, state: new MemoryStateStore(), backend: jsBackend, logger: jsonLogger({}, 'silent'), metrics: undefined });
        // Offsets go on from batch to batch, as a partition's records do.
        const next = [0, 0, 0];
        for (const batch of batches) await handler(mskEvent(batch.map((r) => inputOf(r, next[r.partition]!++)), { topic: 'in' }), lambdaContext());
        const results = sink.messages.filter((m) => m.kind === 'result');
        const bad = batches.flat().filter((r) => r.kind !== 'samples').length;
        expect(sink.messages.filter((m) => m.kind === 'dead-letter').length).toBeGreaterThanOrEqual(bad);
        const seen = new Set<string>();
        for (const message of results) {
          const h = message.headers;
          const id = `${String(h[Header.sourcePartition])}@${String(h[Header.sourceOffset])}#${h[Header.resultIndex] === undefined ? '' : String(h[Header.resultIndex])}`;
          expect(seen.has(id)).toBe(false);
          seen.add(id);
          expect(Buffer.from(message.value as Uint8Array | string).toString('hex')).toBe(Buffer.from(expected.get(id)!).toString('hex'));
        }
        expect(seen.size).toBe(expected.size);
        if (results.length > 0) sent++;
      }),
      { numRuns: 60 },
    );
    expect(sent).toBeGreaterThan(40);
  });
});

describe('JsonWriter as an arena', () => {
  it('hands out views that keep their bytes through later values, half-written ones and new buffers', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.float32Array({ noNaN: true, maxLength: 30 }), fc.boolean()), { maxLength: 40 }), (values) => {
        const arena = new JsonWriter(64);
        const views: Array<[Buffer, string]> = [];
        for (const [samples, abandon] of values) {
          // A value left half-written (its output threw) is dropped by the next begin().
          if (abandon) arena.begin().raw('{"half":').float32Array(samples);
          views.push([arena.begin().float32Array(samples).view(), stringifyFloat32Array(samples)]);
        }
        for (const [view, text] of views) expect(view.toString('latin1')).toBe(text);
      }),
    );
  });
});
