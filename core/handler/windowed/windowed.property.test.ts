// A windowed function through the handler, as Lambda would run it: window results equal a direct
// computation (the pipeline run over the records that are not late, then the reference windows) on
// random out-of-order streams, for any cut into batches, with batches redelivered and the handler
// started cold between batches (all state through the store); late records reach the late topic
// with their bytes, and touch no state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../../dsp/backend.ts';
import { pipeline, type PipelineSpec } from '../../dsp/pipeline.ts';
import type { RecordInput } from '../../events/build.ts';
import { readings } from '../../inputs/readings.ts';
import { MemoryStateStore } from '../../state/memory.ts';
import { testHarness } from '../../testing/harness.ts';
import type { WindowRecord } from '../../windows/engine.ts';
import { referenceWindows } from '../../windows/reference.ts';
import { windowSpec, type WindowDefinition } from '../../windows/spec.ts';
import { defineFunction } from '../define-function.ts';

const TOPIC = 'readings';
const AGGREGATES = ['count', 'sum', 'mean', 'min', 'max', 'first', 'last'] as const;
// Keys live on one partition each, as Kafka's partitioner puts them.
const KEYS = [['a', 'b'], ['c', 'd']] as const;

const scenario = fc.record({
  window: fc.oneof(
    fc.constantFrom<WindowDefinition>({ type: 'tumbling', size: '5s' }, { type: 'tumbling', size: 60_000 }),
    fc.constant<WindowDefinition>({ type: 'hopping', size: '6s', advance: '2s' }),
    fc.constantFrom<WindowDefinition>({ type: 'session', gap: 2000 }, { type: 'session', gap: '7s' }),
  ),
  smooth: fc.boolean(),
  allowedLateness: fc.constantFrom(0, 1000, 10_000),
  steps: fc.array(
    fc.record({
      partition: fc.integer({ min: 0, max: 1 }),
      key: fc.integer({ min: 0, max: 1 }),
      advance: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 1500 }) }, { weight: 1, arbitrary: fc.integer({ min: 1500, max: 15_000 }) }),
      jitter: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -800, max: 800 }) }, { weight: 2, arbitrary: fc.integer({ min: -30_000, max: 0 }) }),
      value: fc.integer({ min: -100, max: 100 }),
    }),
    { minLength: 1, maxLength: 60 },
  ),
  cuts: fc.array(fc.integer({ min: 1, max: 59 }), { maxLength: 6 }),
  redeliver: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
});

interface Reading {
  key: string;
  partition: number;
  offset: number;
  time: number;
  value: number;
}

function expected(spec: ReturnType<typeof windowSpec>, stages: PipelineSpec, stream: readonly Reading[]) {
  const out: Array<Record<string, unknown>> = [];
  const late: string[] = [];
  for (const partition of [0, 1]) {
    const own = stream.filter((r) => r.partition === partition);
    const asWindow = (r: Reading, value: number): WindowRecord => ({ key: r.key, offset: r.offset, time: r.time, values: [value] });
    // Lateness depends on event times only.
    const lateOffsets = new Set(referenceWindows(spec, TOPIC, partition, own.map((r) => asWindow(r, 0))).late);
    const kept = own.filter((r) => !lateOffsets.has(r.offset));
    const pipelines = new Map<string, ReturnType<PipelineSpec['create']>>();
    const values = kept.map((r) => {
      if (stages.stages.length === 0) return Math.fround(r.value);
      let p = pipelines.get(r.key);
      if (p === undefined) pipelines.set(r.key, (p = stages.create(jsBackend)));
      return p.process(Float32Array.of(r.value))[0]!;
    });
    for (const w of referenceWindows(spec, TOPIC, partition, kept.map((r, i) => asWindow(r, values[i]!))).closed) {
      out.push({ partition, key: w.key, start: w.start, end: w.end, count: w.count, ...w.channels[0] });
    }
    for (const r of own) if (lateOffsets.has(r.offset)) late.push(`${partition}@${r.offset}`);
  }
  return { windows: out, late };
}

const byWindow = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  (a.partition as number) - (b.partition as number) || (a.end as number) - (b.end as number) || (a.start as number) - (b.start as number) || String(a.key).localeCompare(String(b.key));

describe('windowed functions through the handler', () => {
  it('equal a direct computation for any batch cut, redelivery and cold start; late records to the late topic, untouched', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ window, smooth, allowedLateness, steps, cuts, redeliver }) => {
        const stages = smooth ? pipeline().movingAverage({ window: 3 }) : pipeline();
        const definition = defineFunction({
          name: 'windows',
          input: readings({ key: 'key', timestamp: 'timestamp' }),
          pipeline: stages,
          window,
          aggregate: [...AGGREGATES],
          allowedLateness,
          output: { topic: 'out', value: ({ window: w, record }) => ({ ...w, channels: undefined, partition: record.partition }) },
        });
        const spec = windowSpec({ window, aggregate: [...AGGREGATES], allowedLateness });
        const offsets = [0, 0];
        let clock = Date.UTC(2026, 0, 1);
        const stream: Reading[] = steps.map((s) => {
          clock += s.advance;
          return { key: KEYS[s.partition]![s.key]!, partition: s.partition, offset: offsets[s.partition]!++, time: clock + s.jitter, value: s.value };
        });
        const input = (r: Reading): RecordInput => ({ partition: r.partition, offset: r.offset, key: r.key, value: { key: r.key, value: r.value, timestamp: r.time } });
        const bounds = [...new Set(cuts.filter((c) => c < stream.length))].sort((a, b) => a - b);
        const batches = [0, ...bounds].map((from, i) => stream.slice(from, bounds[i] ?? stream.length));

        // One store for the run; a new handler per batch is a cold start.
        const state = new MemoryStateStore();
        const results: Array<Record<string, unknown>> = [];
        const lateLetters: string[] = [];
        for (const [i, batch] of batches.entries()) {
          const times = redeliver[i % redeliver.length] ? 2 : 1;
          for (let delivery = 0; delivery < times; delivery++) {
            const fn = testHarness(definition, { state });
            await fn.invoke(batch.map(input), { topic: TOPIC });
            // A redelivery sends its late records again (outputs are at least once), nothing else.
            if (delivery === 0) results.push(...fn.sink.json<Record<string, unknown>>('out'));
            else expect(fn.sink.onTopic('out')).toEqual([]);
            if (delivery === 0) {
              for (const m of fn.sink.onTopic(`${TOPIC}.late`)) {
                const r = stream.find((s) => s.partition === Number(m.headers['dspfn-source-partition']) && s.offset === Number(m.headers['dspfn-source-offset']))!;
                expect(JSON.parse(String(m.value))).toEqual({ key: r.key, value: r.value, timestamp: r.time });
                expect(m.headers['dspfn-error-code']).toBe('DSPFN_LATE');
                lateLetters.push(`${r.partition}@${r.offset}`);
              }
            }
            const [report] = fn.reports;
            expect(report!.applied + report!.skipped + report!.late! + report!.deadLetters + report!.tombstones).toBe(batch.length);
          }
        }
        const want = expected(spec, stages, stream);
        expect(lateLetters.sort()).toEqual(want.late.sort());
        const got = results.map(({ channels: _, ...rest }) => rest).sort(byWindow);
        const reference = want.windows.sort(byWindow);
        expect(got.map((w) => [w.partition, w.key, w.start, w.end, w.count, w.min, w.max, w.first, w.last])).toEqual(
          reference.map((w) => [w.partition, w.key, w.start, w.end, w.count, w.min, w.max, w.first, w.last]),
        );
        got.forEach((w, i) => {
          expect(w.mean as number).toBeCloseTo(reference[i]!.mean as number, 9);
          expect(w.sum as number).toBeCloseTo(reference[i]!.sum as number, 6);
        });
      }),
      { numRuns: 120 },
    );
  });
});
