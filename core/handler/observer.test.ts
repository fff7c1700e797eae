import { describe, expect, it } from 'vitest';
import { jsBackend } from '../dsp/backend.ts';
import { pipeline } from '../dsp/pipeline.ts';
import { mskEvent } from '../events/build.ts';
import { deviceReadings } from '../inputs/device-readings.ts';
import { jsonLogger } from '../logger/logger.ts';
import { MemorySink } from '../sink/memory.ts';
import { flakySink } from '../testing/flaky-sink.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { lambdaContext } from '../testing/context.ts';
import { defineFunction } from './define-function.ts';
import type { SignalObserver } from './observer.ts';

describe('SignalObserver', () => {
  it('is shown a batch once it succeeded: a batch whose produce failed and is run again is shown once', async () => {
    const fn = defineFunction({
      name: 'smooth',
      input: deviceReadings(),
      pipeline: pipeline().movingAverage({ window: 2 }),
      output: { topic: 'out', value: ({ output }) => ({ last: output[output.length - 1] }) },
    });
    const inputs: Array<[string, number[]]> = [];
    const outputs: Array<[string, number[]]> = [];
    const observer: SignalObserver = {
      input: (key, samples) => inputs.push([key, [...samples]]),
      output: (key, samples, channels, frames) => outputs.push([key, [...samples.subarray(0, channels * frames)]]),
      window: () => {},
    };
    const memory = new MemorySink();
    const sink = flakySink(memory);
    const handler = fn.dspfn.withRuntime({ sink, state: new MemoryStateStore(), backend: jsBackend, logger: jsonLogger({}, 'silent'), observe: observer });
    const event = mskEvent([{ key: 'd1', offset: 0, value: { deviceId: 'd1', timestamp: 1_000, sampleRate: 100, data: [2, 4, 6] } }], { topic: 'in' });
    await expect(handler(event, lambdaContext({ functionName: 'smooth' }))).rejects.toThrow('broker unavailable');
    expect(inputs).toEqual([]);
    await handler(event, lambdaContext({ functionName: 'smooth' }));
    expect(inputs).toEqual([['d1', [2, 4, 6]]]);
    expect(outputs).toEqual([['d1', [2, 3, 5]]]);
    expect(memory.onTopic('out')).toHaveLength(1);
  });
});
