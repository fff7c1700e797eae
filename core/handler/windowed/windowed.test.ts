import { describe, expect, it } from 'vitest';
import { pipeline } from '../../dsp/pipeline.ts';
import { ConfigError } from '../../errors.ts';
import { readings } from '../../inputs/readings.ts';
import { MemoryStateStore } from '../../state/memory.ts';
import { testHarness } from '../../testing/harness.ts';
import { defineFunction } from '../define-function.ts';
import type { FunctionDefinition } from '../definition.ts';

const T0 = Date.UTC(2026, 0, 1);

function minuteAverages(overrides: Partial<FunctionDefinition<unknown>> = {}) {
  return defineFunction({
    name: 'minute-avg',
    input: readings({ key: 'key', timestamp: 'timestamp' }),
    pipeline: pipeline(),
    window: { type: 'tumbling', size: '1m' },
    aggregate: ['count', 'mean', 'max'],
    output: { topic: 'out', value: ({ window }) => ({ key: window!.key, start: window!.start, end: window!.end, count: window!.count, mean: window!.mean, max: window!.max }) },
    ...overrides,
  } as FunctionDefinition<unknown>);
}

const reading = (key: string, value: number, at: number, offset: number) => ({ key, offset, value: { key, value, timestamp: T0 + at } });

describe('windowed functions', () => {
  it('close the windows of keys absent from a batch when their partition’s watermark passes, in one load and one commit', async () => {
    const state = new MemoryStateStore();
    const fn = testHarness(minuteAverages(), { state });
    await fn.invoke([reading('quiet', 4, 1_000, 0), reading('quiet', 6, 2_000, 1), reading('busy', 1, 3_000, 2)], { topic: 'in' });
    expect(fn.sink.messages).toEqual([]);
    state.calls.load = 0;
    state.calls.commit = 0;
    await fn.invoke([reading('busy', 2, 61_000, 3)], { topic: 'in' });
    expect(state.calls).toEqual({ load: 1, commit: 1 });
    expect(fn.sink.json('out')).toEqual([
      { key: 'busy', start: T0, end: T0 + 60_000, count: 1, mean: 1, max: 1 },
      { key: 'quiet', start: T0, end: T0 + 60_000, count: 2, mean: 5, max: 6 },
    ]);
    const [busy, quiet] = fn.sink.onTopic('out');
    expect([busy!.headers['dspfn-window-start'], busy!.headers['dspfn-window-end'], quiet!.headers['dspfn-source-offset']]).toEqual([String(T0), String(T0 + 60_000), '3']);
  });

  it('close an idle partition’s windows on the tick once idleTimeout has passed on the wall clock, once', async () => {
    let now = 1_000_000;
    const fn = testHarness(minuteAverages({ idleTimeout: '5m' }), { now: () => now });
    await fn.invoke([reading('k', 3, 1_000, 0), reading('k', 5, 70_000, 1)], { topic: 'in' });
    expect(fn.sink.json('out')).toEqual([{ key: 'k', start: T0, end: T0 + 60_000, count: 1, mean: 3, max: 3 }]);
    now += 299_999;
    await fn.tick();
    expect(fn.sink.onTopic('out')).toHaveLength(1);
    now += 1;
    await fn.tick();
    expect(fn.sink.json('out')[1]).toEqual({ key: 'k', start: T0 + 60_000, end: T0 + 120_000, count: 1, mean: 5, max: 5 });
    expect(fn.sink.onTopic('out')[1]!.headers['dspfn-source-offset']).toBe('1');
    await fn.tick();
    expect(fn.sink.onTopic('out')).toHaveLength(2);
    // What the tick closed stays closed: a record for it is late.
    await fn.invoke([reading('k', 9, 80_000, 2)], { topic: 'in' });
    expect(fn.sink.onTopic('in.late')).toHaveLength(1);
    expect(fn.reports.at(-1)).toMatchObject({ late: 1, applied: 0 });
  });

  it('take an EventBridge scheduled event as the tick, as the deployed schedule delivers it', async () => {
    let now = 0;
    const state = new MemoryStateStore();
    const fn = testHarness(minuteAverages({ idleTimeout: '1m' }), { state, now: () => now });
    await fn.invoke([reading('k', 2, 1_000, 0)], { topic: 'in' });
    now = 60_000;
    const scheduled = { version: '0', id: 'e6b5', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: '2026-01-01T00:01:00Z', region: 'us-east-1', resources: ['arn:aws:events:us-east-1:123456789012:rule/tick'], detail: {} };
    await fn.invoke(scheduled as never);
    expect(fn.sink.json('out')).toEqual([{ key: 'k', start: T0, end: T0 + 60_000, count: 1, mean: 2, max: 2 }]);
    expect(fn.reports.at(-1)).toMatchObject({ records: 0, results: 1, windowsClosed: 1 });
  });

  it('send late records to lateTopic with their bytes and reason, and dead-letter a window whose output fails', async () => {
    const fn = testHarness(
      minuteAverages({
        lateTopic: (topic) => `${topic}.too-late`,
        allowedLateness: '10s',
        output: {
          topic: 'out',
          value: ({ window }) => {
            if (window!.key === 'bad') throw new Error('refused');
            return window!.count;
          },
        },
      }),
    );
    await fn.invoke([reading('bad', 1, 1_000, 0), reading('good', 1, 2_000, 1), reading('good', 1, 71_000, 2), reading('good', 7, 59_000, 3)], { topic: 'in' });
    expect(fn.sink.json('out')).toEqual([1]);
    const [late] = fn.sink.onTopic('in.too-late');
    expect(JSON.parse(String(late!.value))).toEqual({ key: 'good', value: 7, timestamp: T0 + 59_000 });
    expect(String(late!.headers['dspfn-error-reason'])).toMatch(/falls in window \[2026-01-01T00:00:00.000Z, 2026-01-01T00:01:00.000Z\) of key "good", closed when the watermark of in-0 reached 2026-01-01T00:01:01.000Z \(allowed lateness 10s\)/);
    const [letter] = fn.sink.onTopic('in.dlq');
    expect(letter!.headers['dspfn-error-code']).toBe('DSPFN_OUTPUT');
    expect(String(letter!.headers['dspfn-error-reason'])).toMatch(/refused.*window \[1767225600000, 1767225660000\) of key "bad"/);
  });

  it('give multi-channel windows their aggregates per channel, over the pipeline output', async () => {
    const fn = testHarness(
      defineFunction({
        name: 'car',
        input: readings({ key: 'session', value: ['speed', 'brake'], timestamp: 't' }),
        pipeline: pipeline({ channels: 2 }).movingAverage({ window: 2 }),
        window: { type: 'session', gap: '30s' },
        aggregate: ['mean', 'last'],
        output: { topic: 'out', value: ({ window }) => window },
      }),
    );
    const frame = (speed: number, brake: number, t: number, offset: number) => ({ key: 's', offset, value: { session: 's', speed, brake, t: T0 + t } });
    await fn.invoke([frame(10, 0, 0, 0), frame(20, 1, 1_000, 1), frame(30, 1, 100_000, 2)], { topic: 'in' });
    expect(fn.sink.json('out')).toEqual([{ key: 's', start: T0, end: T0 + 31_000, count: 2, channels: [{ mean: 12.5, last: 15 }, { mean: 0.25, last: 0.5 }] }]);
  });

  it('refuse window options that do not fit', () => {
    const base = { name: 'w', pipeline: pipeline(), output: { topic: 'o', value: () => 1 } };
    expect(() => defineFunction({ ...base })).toThrow(/no stages \(an empty pipeline\(\) needs a window\)/);
    expect(() => defineFunction({ ...base, window: { type: 'tumbling', size: '1m' } })).toThrow(/a window needs aggregate/);
    expect(() => defineFunction({ ...base, pipeline: pipeline().movingAverage({ window: 2 }), aggregate: ['mean'] })).toThrow(/aggregate needs a window/);
    expect(() => defineFunction({ ...base, window: { type: 'tumbling', size: '1 minute' }, aggregate: ['mean'] })).toThrow(ConfigError);
    expect(() => defineFunction({ ...base, pipeline: pipeline().spectrum({ size: 16 }), window: { type: 'tumbling', size: '1m' }, aggregate: ['mean'] })).toThrow(/spectrum changes the frame rate/);
    expect(() => defineFunction({ ...base, input: readings({ emit: 'batch' }), window: { type: 'tumbling', size: '1m' }, aggregate: ['mean'] })).toThrow(/emit: 'batch'/);
  });
});
