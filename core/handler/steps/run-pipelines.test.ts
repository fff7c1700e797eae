import { describe, expect, it } from 'vitest';
import { jsBackend, type DspBackend } from '../../dsp/backend.ts';
import { pipeline } from '../../dsp/pipeline.ts';
import { NativeKernelError } from '../../errors.ts';
import { testHarness } from '../../testing/harness.ts';
import { defineFunction } from '../define-function.ts';

/** The TypeScript kernels, except that rms fails on any block holding a 13 (a kernel's bad status). */
const failingBackend: DspBackend = {
  name: 'native',
  createKernel(spec, inChannels) {
    const kernel = jsBackend.createKernel(spec, inChannels);
    if (spec.name !== 'rms') return kernel;
    return new Proxy(kernel, {
      get(target, property) {
        if (property === 'process') {
          return (input: Float32Array, output: Float32Array) => {
            if (input.includes(13)) throw new NativeKernelError('rms kernel returned status -3');
            return target.process(input, output);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  },
};

describe('runPipelines', () => {
  it('fails the batch on a kernel failure with the record and key it happened on, and commits nothing', async () => {
    const fn = defineFunction({
      name: 'kernel-context',
      pipeline: pipeline().movingAverage({ window: 1 }).rms({ window: 2 }),
      output: { topic: 'out', value: ({ output }) => Array.from(output) },
    });
    const h = testHarness(fn, { backend: failingBackend });
    const error = await h
      .invoke([
        { key: 'a', value: [1, 2] },
        { key: 'b', value: [3, 13] },
      ], { topic: 'in' })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NativeKernelError);
    expect(error).toMatchObject({ code: 'DSPFN_NATIVE_KERNEL', record: { topic: 'in', partition: 0, offset: 1 }, key: 'b' });
    expect((error as Error).message).toBe('rms kernel returned status -3 (in-0@1, key b)');
    expect(h.sink.messages).toEqual([]);
    expect((await h.state.load(['kernel-context:a', 'kernel-context:b'])).size).toBe(0);
  });
});
