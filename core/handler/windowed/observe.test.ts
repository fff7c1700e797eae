import { describe, expect, it } from 'vitest';
import { jsBackend } from '../../dsp/backend.ts';
import { pipeline } from '../../dsp/pipeline.ts';
import { mskEvent } from '../../events/build.ts';
import { readings } from '../../inputs/readings.ts';
import { jsonLogger } from '../../logger/logger.ts';
import { MemorySink } from '../../sink/memory.ts';
import { flakySink } from '../../testing/flaky-sink.ts';
import { MemoryStateStore } from '../../state/memory.ts';
import { lambdaContext } from '../../testing/context.ts';
import { defineFunction } from '../define-function.ts';
import type { SignalObserver } from '../observer.ts';
import type { BatchReport } from '../report.ts';

const T0 = Date.UTC(2026, 0, 1);
const reading = (key: string, value: number, at: number, offset: number) => ({ key, offset, value: { key, value, timestamp: T0 + at } });

/** Everything an observer is shown, as plain values. */
function recorder(): SignalObserver & { inputs: Array<[string, number[], number]>; windows: Array<[string, number, number, number | undefined]> } {
  const seen = {
    inputs: [] as Array<[string, number[], number]>,
    windows: [] as Array<[string, number, number, number | undefined]>,
    input(key: string, samples: Float32Array | readonly number[], _channels: number, timestamp: number) {
      seen.inputs.push([key, [...samples], timestamp - T0]);
    },
    output() {},
    window(key: string, start: number, end: number, channels: ReadonlyArray<Readonly<Record<string, number | undefined>>>) {
      seen.windows.push([key, start - T0, end - T0, channels[0]!.mean]);
    },
  };
  return seen;
}

describe('a windowed function under a SignalObserver (dspfn replay --report)', () => {
  it('shows applied records and closed windows once the batch succeeded, a retried batch once, late records never', async () => {
    const fn = defineFunction({
      name: 'observed',
      input: readings({ key: 'key', timestamp: 'timestamp' }),
      pipeline: pipeline(),
      window: { type: 'tumbling', size: '1m' },
      aggregate: ['count', 'mean'],
      output: { topic: 'out', value: ({ window }) => ({ mean: window!.mean }) },
    });
    const observer = recorder();
    const memory = new MemorySink();
    const sink = flakySink(memory);
    const reports: BatchReport[] = [];
    const handler = fn.dspfn.withRuntime({ sink, state: new MemoryStateStore(), backend: jsBackend, logger: jsonLogger({}, 'silent'), observe: observer, onBatch: (r) => reports.push(r) });
    const context = lambdaContext({ functionName: 'observed' });

    const first = mskEvent([reading('a', 2, 1_000, 0), reading('a', 4, 2_000, 1)], { topic: 'in' });
    await expect(handler(first, context)).rejects.toThrow('broker unavailable');
    expect(observer.inputs).toEqual([]);
    await handler(first, context);
    expect(observer.inputs).toEqual([
      ['a', [2], 1_000],
      ['a', [4], 2_000],
    ]);
    expect(observer.windows).toEqual([]);

    // The watermark passes the first minute: its window closes; a record for it is late.
    await handler(mskEvent([reading('a', 10, 61_000, 2), reading('a', 99, 3_000, 3)], { topic: 'in' }), context);
    expect(observer.inputs.slice(2)).toEqual([['a', [10], 61_000]]);
    expect(observer.windows).toEqual([['a', 0, 60_000, 3]]);
    expect(reports.at(-1)).toMatchObject({ late: 1, lateByReason: { 'up to 1 min behind the watermark': 1 } });
    expect(memory.onTopic('out')).toHaveLength(1);
  });

  it('shows the pipeline output of a windowed function with stages (the values its windows take)', async () => {
    const fn = defineFunction({
      name: 'doubled',
      input: readings({ key: 'key', timestamp: 'timestamp' }),
      pipeline: pipeline().gain({ factor: 2 }),
      window: { type: 'tumbling', size: '1m' },
      aggregate: ['max'],
      output: { topic: 'out', value: ({ window }) => ({ max: window!.max }) },
    });
    const outputs: Array<[string, number[], number]> = [];
    const windows: Array<number | undefined> = [];
    const observer: SignalObserver = {
      input: () => {},
      output: (key, samples, channels, frames, timestamp) => outputs.push([key, [...samples.subarray(0, channels * frames)], timestamp - T0]),
      window: (_key, _start, _end, channels) => windows.push(channels[0]!.max),
    };
    const handler = fn.dspfn.withRuntime({ sink: new MemorySink(), state: new MemoryStateStore(), backend: jsBackend, logger: jsonLogger({}, 'silent'), observe: observer });
    await handler(mskEvent([reading('a', 3, 1_000, 0), reading('a', 5, 61_000, 1)], { topic: 'in' }), lambdaContext({ functionName: 'doubled' }));
    expect(outputs).toEqual([
      ['a', [6], 1_000],
      ['a', [10], 61_000],
    ]);
    expect(windows).toEqual([6]);
  });
});
