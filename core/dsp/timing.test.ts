import { describe, expect, it } from 'vitest';
import type { RateRule } from './stages/descriptor.ts';
import type { StageKernel } from './stages/kernel.ts';
import { stageOutputTiming } from './timing.ts';

/** A kernel that only reports where its last output started, as a decimator would. */
function reporting(offset: number): StageKernel {
  return {
    inChannels: 1,
    outChannels: 1,
    maxOutputFrames: (n) => n,
    process: () => 0,
    firstOutputOffset: () => offset,
    snapshot: () => new Uint8Array(0),
    restore: () => undefined,
  };
}

const decimateBy4: RateRule<{ factor: number }> = { kind: 'ratio', ratio: ({ factor }) => ({ up: 1, down: factor }) };

describe('stage output timing', () => {
  it('keeps the input timing for same-rate stages', () => {
    const input = { timestamp: 1000.5, sampleRate: 48_000 };
    expect(stageOutputTiming({ kind: 'same' }, {}, reporting(3), input)).toBe(input);
  });

  it('scales the rate and moves the first frame by the kernel offset (input frames at the input rate)', () => {
    expect(stageOutputTiming(decimateBy4, { factor: 4 }, reporting(3), { timestamp: 1000, sampleRate: 1000 })).toEqual({ timestamp: 1003, sampleRate: 250 });
    expect(stageOutputTiming(decimateBy4, { factor: 4 }, reporting(-0.5), { timestamp: 1000, sampleRate: 100 })).toEqual({ timestamp: 995, sampleRate: 25 });
    const upsample: RateRule<object> = { kind: 'ratio', ratio: () => ({ up: 3, down: 2 }) };
    expect(stageOutputTiming(upsample, {}, reporting(0), { timestamp: 7, sampleRate: 44_100 })).toEqual({ timestamp: 7, sampleRate: 66_150 });
  });

  it('leaves the output untimed when the input rate is unknown', () => {
    expect(stageOutputTiming(decimateBy4, { factor: 4 }, reporting(2), { timestamp: 1000, sampleRate: undefined })).toEqual({ timestamp: undefined, sampleRate: undefined });
  });
});
