import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DspfnError, SnapshotError, StateMismatchError, StateStoreError } from '../errors.ts';
import { WindowEngine, type ClosedWindow, type WindowRecord } from './engine.ts';
import { KeyWindows } from './key-windows.ts';
import { PartitionIndex } from './partition-index.ts';
import { windowSpec, type WindowOptions } from './spec.ts';

const T0 = Date.UTC(2026, 0, 1);
const s = (seconds: number) => T0 + seconds * 1000;
let offset = 0;
const at = (key: string, seconds: number, ...values: number[]): WindowRecord => ({ key, offset: offset++, time: s(seconds), values: values.length ? values : [seconds] });

function engineFor(options: Partial<WindowOptions> & Pick<WindowOptions, 'window'>, channels = 1): WindowEngine {
  return new WindowEngine(windowSpec({ aggregate: ['count', 'sum', 'mean', 'min', 'max', 'stddev', 'rms', 'first', 'last'], ...options }, channels));
}

const summary = (w: ClosedWindow) => ({ key: w.key, start: (w.start - T0) / 1000, end: (w.end - T0) / 1000, count: w.count, closedBy: w.closedBy });

describe('event-time windows', () => {
  it('closes a one-minute tumbling window once the watermark (largest event time − 10 s) passes its end; later records for it are late', () => {
    offset = 0;
    const engine = engineFor({ window: { type: 'tumbling', size: '1m' }, allowedLateness: '10s' });
    const index = engine.newIndex('readings', 0);
    const keys = new Map<string, KeyWindows>();
    const run = engine.process(index, keys, [at('a', 5, 1), at('a', 50, 3), at('a', 65, 10), at('a', 58, 2), at('a', 69, 20), at('a', 72, 30), at('a', 59, 99)], 1000);
    // The watermark reaches 60 s at the record of 72 s (offset 5): [0, 60) closes there with 5, 50 and 58.
    expect(run.closed.map(summary)).toEqual([{ key: 'a', start: 0, end: 60, count: 3, closedBy: { offset: 5 } }]);
    expect(run.closed[0]!.channels[0]).toEqual({ count: 3, sum: 6, mean: 2, min: 1, max: 3, stddev: Math.sqrt(2 / 3), rms: Math.sqrt(14 / 3), first: 1, last: 2 });
    expect(run.late.map((l) => l.offset)).toEqual([6]);
    expect(run.late[0]!.reason).toBe(
      'event time 2026-01-01T00:00:59.000Z falls in window [2026-01-01T00:00:00.000Z, 2026-01-01T00:01:00.000Z) of key "a", ' +
        'closed when the watermark of readings-0 reached 2026-01-01T00:01:02.000Z (allowed lateness 10s)',
    );
    expect(index.watermark()).toBe(s(62));
    expect(index.openKeys).toEqual(new Map([['a', s(120)]]));
    expect(index.lastActivity).toBe(1000);
    expect([...run.touched]).toEqual([['a', 5]]);
  });

  it('closes the windows of keys with no record in the batch when their partition’s watermark passes', () => {
    offset = 0;
    const engine = engineFor({ window: { type: 'tumbling', size: '1m' } });
    const index = engine.newIndex('readings', 3);
    const keys = new Map<string, KeyWindows>();
    engine.process(index, keys, [at('quiet', 10), at('busy', 20)], 0);
    // Next batch: only "busy" has records; "quiet" must be loaded because the batch closes its window.
    const batch = [at('busy', 61), at('busy', 130)];
    expect(engine.keysToLoad(index, batch)).toEqual(['quiet', 'busy']);
    const busyOnly = new Map([['busy', KeyWindows.restore(engine.spec, keys.get('busy')!.snapshot())]]);
    expect(() => engine.process(PartitionIndex.restore(engine.spec, index.snapshot()), busyOnly, batch, 0)).toThrow(StateStoreError);
    const run = engine.process(index, keys, batch, 0);
    expect(run.closed.map(summary)).toEqual([
      { key: 'busy', start: 0, end: 60, count: 1, closedBy: { offset: 2 } },
      { key: 'quiet', start: 0, end: 60, count: 1, closedBy: { offset: 2 } },
      { key: 'busy', start: 60, end: 120, count: 1, closedBy: { offset: 3 } },
    ]);
    expect(run.touched).toEqual(new Map([['busy', 3], ['quiet', 2]]));
    expect(keys.get('quiet')!.isEmpty).toBe(true);
    expect(index.openKeys).toEqual(new Map([['busy', s(180)]]));
  });

  it('puts a frame in every hopping window that holds it', () => {
    offset = 0;
    const engine = engineFor({ window: { type: 'hopping', size: '1m', advance: '20s' }, aggregate: ['count', 'sum'] });
    const index = engine.newIndex('t', 0);
    const run = engine.process(index, new Map(), [at('k', 45, 1), at('k', 50, 2), at('k', 200, 0)], 0);
    // 45 s and 50 s are both in [0, 60), [20, 80) and [40, 100); 200 s closes all three and opens [160, 220), [180, 240), [200, 260).
    expect(run.closed.map((w) => [(w.start - T0) / 1000, (w.end - T0) / 1000, w.count, w.channels[0]!.sum])).toEqual([
      [0, 60, 2, 3],
      [20, 80, 2, 3],
      [40, 100, 2, 3],
    ]);
    expect(index.openKeys).toEqual(new Map([['k', s(220)]]));
  });

  it('merges session windows, also when a late-arriving record bridges two sessions', () => {
    offset = 0;
    const engine = engineFor({ window: { type: 'session', gap: '10s' }, allowedLateness: '30s' });
    const index = engine.newIndex('t', 0);
    const keys = new Map<string, KeyWindows>();
    engine.process(index, keys, [at('k', 0, 1), at('k', 5, 2), at('k', 30, 3)], 0);
    expect(keys.get('k')!.open()[0]!.windows.map((w) => [(w.start - T0) / 1000, (w.end - T0) / 1000])).toEqual([[0, 15], [30, 40]]);
    // [20, 30) misses [0, 15) and touches [30, 40) at its boundary, which counts.
    engine.process(index, keys, [at('k', 20, 4)], 0);
    expect(keys.get('k')!.open()[0]!.windows.map((w) => [(w.start - T0) / 1000, (w.end - T0) / 1000])).toEqual([[0, 15], [20, 40]]);
    // 12 s touches both: one session [0, 40) of four values.
    engine.process(index, keys, [at('k', 12, 5)], 0);
    const run = engine.process(index, keys, [at('k', 100, 0)], 0);
    expect(run.closed.map(summary)).toEqual([{ key: 'k', start: 0, end: 40, count: 5, closedBy: { offset: 5 } }]);
    expect(run.closed[0]!.channels[0]).toMatchObject({ sum: 15, first: 1, last: 3, min: 1, max: 5 });
  });

  it('times the frames of a multi-frame record by its interval; a record partly in closed windows keeps its open frames', () => {
    offset = 0;
    const engine = engineFor({ window: { type: 'tumbling', size: '1s' }, aggregate: ['count', 'sum'] }, 2);
    const index = engine.newIndex('t', 0);
    const keys = new Map<string, KeyWindows>();
    // Frames at 0.0, 0.5, 1.0, 1.5 s of two channels.
    engine.process(index, keys, [{ key: 'k', offset: 0, time: s(0), interval: 500, values: [1, 10, 2, 20, 3, 30, 4, 40] }], 0);
    // The watermark is 1.5 s: [0, 1) closed. This record's frames at 0.9 s (late) and 1.4 s (open).
    const run = engine.process(index, keys, [{ key: 'k', offset: 1, time: s(0.9), interval: 500, values: [5, 50, 6, 60] }, { key: 'k', offset: 2, time: s(9), values: [0, 0] }], 0);
    expect(run.lateFrames).toBe(1);
    expect(run.late).toEqual([]);
    expect(run.closed.map((w) => [(w.start - T0) / 1000, w.count, w.channels.map((c) => c.sum)])).toEqual([[1, 3, [13, 130]]]);
    expect(() => engine.process(index, keys, [{ key: 'k', offset: 3, time: s(9), values: [1, 2, 3] }], 0)).toThrow(/3 values, not whole frames of 2/);
  });

  it('an idle tick closes every window of a partition quiet for idleTimeout (wall clock); their records then count as late', () => {
    offset = 0;
    const engine = engineFor({ window: { type: 'tumbling', size: '1m' }, idleTimeout: '5m' });
    const index = engine.newIndex('t', 0);
    const keys = new Map<string, KeyWindows>();
    engine.process(index, keys, [at('a', 10), at('b', 70)], 1_000_000);
    expect(engine.keysForTick(index, 1_000_000 + 299_999)).toEqual([]);
    expect(engine.tick(index, keys, 1_000_000 + 299_999).closed).toEqual([]);
    expect(engine.keysForTick(index, 1_000_000 + 300_000)).toEqual(['b']);
    const run = engine.tick(index, keys, 1_000_000 + 300_000);
    expect(run.closed.map(summary)).toEqual([{ key: 'b', start: 60, end: 120, count: 1, closedBy: { tick: 1_300_000 } }]);
    expect(run.touched).toEqual(new Map([['b', undefined]]));
    expect(index.openKeys.size).toBe(0);
    expect(engine.process(index, keys, [at('b', 100)], 2_000_000).late.map((l) => l.key)).toEqual(['b']);
    expect(engineFor({ window: { type: 'tumbling', size: '1m' } }).keysForTick(index, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('keeps the standard deviation exact on a large DC offset (1e5 ± 2), where E[x²] − E[x]² fails', () => {
    offset = 0;
    const engine = engineFor({ window: { type: 'tumbling', size: '1h' }, aggregate: ['stddev', 'mean'] });
    const values = Array.from({ length: 100_000 }, (_, i) => 1e5 + 2 * Math.sin(i * 0.37) + 1e-3 * (i % 7));
    const records = values.map((v, i) => ({ key: 'k', offset: i, time: T0 + i * 10, values: [v] }));
    records.push({ key: 'k', offset: values.length, time: T0 + 7_200_000, values: [0] });
    const [window] = engine.process(engine.newIndex('t', 0), new Map(), records, 0).closed;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / values.length);
    expect(window!.count).toBe(100_000);
    expect(Math.abs(window!.channels[0]!.stddev! - std) / std).toBeLessThan(1e-9);
    const naive = Math.sqrt(values.reduce((a, x) => a + x * x, 0) / values.length - mean * mean);
    expect(Math.abs(naive - std) / std).toBeGreaterThan(1e-9);
  });
});

describe('window state snapshots', () => {
  it('round-trip keys and partition indexes bit for bit', () => {
    offset = 0;
    const engine = engineFor({ window: { type: 'session', gap: '10s' } }, 2);
    const index = engine.newIndex('topic-with-dash', 7);
    const keys = new Map<string, KeyWindows>();
    engine.process(index, keys, [at('ä', 1, 1, 2), at('b', 3, 3, 4), at('ä', 8, 5, 6)], 42);
    const restoredIndex = PartitionIndex.restore(engine.spec, index.snapshot());
    expect(restoredIndex.snapshot()).toEqual(index.snapshot());
    expect([restoredIndex.topic, restoredIndex.partition, restoredIndex.maxEventTime, restoredIndex.lastActivity, [...restoredIndex.openKeys]]).toEqual([
      'topic-with-dash', 7, s(8), 42, [...index.openKeys],
    ]);
    for (const [key, state] of keys) {
      const restored = KeyWindows.restore(engine.spec, state.snapshot(), key);
      expect(restored.snapshot()).toEqual(state.snapshot());
      expect(restored.open()).toEqual(state.open());
    }
    expect(PartitionIndex.restore(engine.spec, engine.newIndex('t', 0).snapshot()).watermark()).toBe(Number.NEGATIVE_INFINITY);
  });

  it('refuses state written for another window shape, and corrupt bytes, with dspfn errors only', () => {
    offset = 0;
    const engine = engineFor({ window: { type: 'tumbling', size: '1m' } });
    const keys = new Map<string, KeyWindows>();
    const index = engine.newIndex('t', 0);
    engine.process(index, keys, [at('k', 1), at('k', 2)], 0);
    const other = windowSpec({ window: { type: 'tumbling', size: '2m' }, aggregate: ['mean'] });
    expect(() => KeyWindows.restore(other, keys.get('k')!.snapshot(), 'k')).toThrow(StateMismatchError);
    expect(() => KeyWindows.restore(other, keys.get('k')!.snapshot(), 'k')).toThrow(/for key "k" was written with another window type, size or channel count/);
    expect(() => PartitionIndex.restore(other, index.snapshot())).toThrow(StateMismatchError);
    expect(() => KeyWindows.restore(engine.spec, index.snapshot())).toThrow(/bad magic/);
    const bytes = keys.get('k')!.snapshot();
    expect(() => KeyWindows.restore(engine.spec, bytes.subarray(0, bytes.length - 1))).toThrow(SnapshotError);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 8 }), (position, byte, tail) => {
        const corrupt = new Uint8Array([...bytes, ...tail]);
        corrupt[position] = byte;
        for (const restore of [() => KeyWindows.restore(engine.spec, corrupt), () => PartitionIndex.restore(engine.spec, corrupt)]) {
          try {
            restore();
          } catch (error) {
            expect(error).toBeInstanceOf(DspfnError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
