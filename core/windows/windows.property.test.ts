// Window results equal a direct computation on random out-of-order streams, for any cut of the
// stream into batches, with every key's window state and every partition index serialised and
// restored between batches, as the handler stores them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelAggregates } from './accumulator.ts';
import { WindowEngine, type ClosedWindow, type LateRecord, type WindowRecord } from './engine.ts';
import { KeyWindows } from './key-windows.ts';
import { PartitionIndex } from './partition-index.ts';
import { referenceWindows } from './reference.ts';
import { windowSpec, type WindowOptions } from './spec.ts';

interface StreamRecord extends WindowRecord {
  readonly partition: number;
}

const TOPIC = 'readings';
const ALL = ['count', 'sum', 'mean', 'min', 'max', 'stddev', 'rms', 'first', 'last'] as const;

const windowOptions: fc.Arbitrary<Omit<WindowOptions, 'aggregate'>> = fc.oneof(
  fc.record({ window: fc.record({ type: fc.constant('tumbling' as const), size: fc.constantFrom(1000, 5000, 60_000) }) }),
  fc
    .tuple(fc.constantFrom(3000, 6000, 60_000), fc.constantFrom(1, 2, 3))
    .map(([size, parts]) => ({ window: { type: 'hopping' as const, size, advance: size / parts } })),
  fc.record({ window: fc.record({ type: fc.constant('session' as const), gap: fc.constantFrom(500, 2000, 7000) }) }),
);

const scenario = fc
  .record({
    options: windowOptions,
    allowedLateness: fc.constantFrom(0, 1000, 10_000),
    channels: fc.integer({ min: 1, max: 2 }),
    dc: fc.constantFrom(0, 1e5),
    steps: fc.array(
      fc.record({
        partition: fc.integer({ min: 0, max: 1 }),
        key: fc.constantFrom('a', 'b', 'c'),
        advance: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 1500 }) }, { weight: 1, arbitrary: fc.integer({ min: 1500, max: 15_000 }) }),
        // Mostly small disorder, sometimes far behind (late), now and then ahead (a jump).
        jitter: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -800, max: 800 }) }, { weight: 2, arbitrary: fc.integer({ min: -30_000, max: 0 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 20_000 }) }),
        frames: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 4 }) }),
        interval: fc.integer({ min: 1, max: 700 }),
        values: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 8, maxLength: 8 }),
      }),
      { minLength: 1, maxLength: 80 },
    ),
    // Where batches end, as fractions of the stream.
    cuts: fc.array(fc.integer({ min: 0, max: 1000 }).map((permille) => permille / 1000), { maxLength: 8 }),
  })
  .map(({ options, allowedLateness, channels, dc, steps, cuts }) => {
    const spec = windowSpec({ ...options, aggregate: [...ALL], allowedLateness }, channels);
    const offsets = [0, 0];
    let clock = Date.UTC(2026, 0, 1);
    const records: StreamRecord[] = steps.map((step) => {
      clock += step.advance;
      return {
        partition: step.partition,
        key: step.key,
        offset: offsets[step.partition]!++,
        time: clock + step.jitter,
        ...(step.frames > 1 ? { interval: step.interval } : {}),
        values: step.values.slice(0, step.frames * channels).map((v) => dc + v),
      };
    });
    const batches: StreamRecord[][] = [];
    let from = 0;
    for (const cut of [...new Set(cuts.map((c) => Math.floor(c * records.length)))].filter((c) => c > 0).sort((a, b) => a - b)) {
      batches.push(records.slice(from, cut));
      from = cut;
    }
    batches.push(records.slice(from));
    return { spec, records, batches };
  });

interface PartitionResults {
  closed: ClosedWindow[];
  late: Array<Omit<LateRecord, 'index'>>;
}

/** Runs batches as the handler would: state only through serialised snapshots between batches. */
function runBatches(engine: WindowEngine, batches: readonly StreamRecord[][]): PartitionResults[] {
  const keyStore = new Map<string, Uint8Array>();
  const indexStore = new Map<number, Uint8Array>();
  const results: PartitionResults[] = [
    { closed: [], late: [] },
    { closed: [], late: [] },
  ];
  let now = 0;
  for (const batch of batches) {
    now += 1000;
    // Loaded once per batch, shared by the batch's partitions.
    const keys = new Map<string, KeyWindows>();
    const load = (key: string) => {
      const bytes = keyStore.get(key);
      if (bytes && !keys.has(key)) keys.set(key, KeyWindows.restore(engine.spec, bytes, key));
    };
    const perPartition = [0, 1].map((p) => batch.filter((r) => r.partition === p));
    const indexes = [0, 1].map((p) => {
      const bytes = indexStore.get(p);
      return bytes ? PartitionIndex.restore(engine.spec, bytes) : engine.newIndex(TOPIC, p);
    });
    for (const p of [0, 1]) {
      for (const r of perPartition[p]!) load(r.key);
      for (const key of engine.keysToLoad(indexes[p]!, perPartition[p]!)) load(key);
    }
    const touched = new Set<string>();
    for (const p of [0, 1]) {
      if (perPartition[p]!.length === 0) continue;
      const run = engine.process(indexes[p]!, keys, perPartition[p]!, now);
      results[p]!.closed.push(...run.closed);
      results[p]!.late.push(...run.late.map(({ index: _, ...late }) => late));
      for (const key of run.touched.keys()) touched.add(key);
      indexStore.set(p, indexes[p]!.snapshot());
    }
    for (const key of touched) keyStore.set(key, keys.get(key)!.snapshot());
  }
  return results;
}

function expectClose(actual: ChannelAggregates, expected: ChannelAggregates, scale: number, count: number): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const name of ['count', 'min', 'max', 'first', 'last'] as const) expect(actual[name]).toBe(expected[name]);
  const tolerance = 1e-9 * scale;
  expect(Math.abs(actual.sum! - expected.sum!)).toBeLessThanOrEqual(tolerance * count);
  for (const name of ['mean', 'stddev', 'rms'] as const) expect(Math.abs(actual[name]! - expected[name]!)).toBeLessThanOrEqual(tolerance);
}

describe('event-time windows on random out-of-order streams', () => {
  it('equal a direct computation, for any cut into batches and through serialise/restore', () => {
    fc.assert(
      fc.property(scenario, ({ spec, records, batches }) => {
        const engine = new WindowEngine(spec);
        const whole = runBatches(engine, [records]);
        expect(runBatches(engine, batches)).toEqual(whole);
        expect(runBatches(engine, records.map((r) => [r]))).toEqual(whole);
        for (const p of [0, 1]) {
          const own = records.filter((r) => r.partition === p);
          const reference = referenceWindows(spec, TOPIC, p, own);
          expect(whole[p]!.late.map((l) => l.offset)).toEqual(reference.late);
          const strip = (w: ClosedWindow) => ({ key: w.key, topic: w.topic, partition: w.partition, start: w.start, end: w.end, count: w.count, closedBy: w.closedBy });
          expect(whole[p]!.closed.map(strip)).toEqual(reference.closed.map(strip));
          const scale = 1 + Math.max(0, ...own.flatMap((r) => Array.from(r.values, Math.abs)));
          whole[p]!.closed.forEach((w, i) => w.channels.forEach((c, ch) => expectClose(c, reference.closed[i]!.channels[ch]!, scale, w.count)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
