/**
 * What is special to the window features in TypeScript: the definitions' conventions (the causal
 * slope sign change, the first samples), counts that stay exact, waveform lengths that do not drift
 * over long streams, and the window × channels limit.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../errors.ts';
import { mulberry32 } from '../../../../testing/random.ts';
import { pipeline } from '../../../pipeline.ts';
import { TermWindowKernel, type TermKind } from './term-window.kernel.ts';
import { MAX_SAMPLES } from './window-features.options.ts';

function run(kernel: TermWindowKernel, values: readonly number[]): number[] {
  const out = new Float32Array(values.length);
  kernel.process(Float32Array.from(values), out);
  return [...out];
}

const kernel = (kind: TermKind, window: number, threshold = 0) => new TermWindowKernel(kind, 1, window, threshold);

describe('slopeSignChange', () => {
  it('counts a turning point when its next sample arrives, also in the next call', () => {
    expect(run(kernel('slopeSignChange', 10), [0, 1, 0, 1, 0])).toEqual([0, 0, 1, 2, 3]);
    const k = kernel('slopeSignChange', 10);
    expect(run(k, [0, 1])).toEqual([0, 0]);
    expect(run(k, [0])).toEqual([1]);
  });

  it('a threshold ignores small wiggles; threshold 0 counts flat runs too (0·0 ≥ 0)', () => {
    // Products at k = 2 … 5: 1·0.1, (−0.1)(−0.1), 0.1·1, (−1)(−1).
    const wiggle = [0, 1, 0.9, 1, 0, 1];
    expect(run(kernel('slopeSignChange', 10, 0.2), wiggle)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(run(kernel('slopeSignChange', 10), wiggle)).toEqual([0, 0, 1, 2, 3, 4]);
    expect(run(kernel('slopeSignChange', 3), [5, 5, 5, 5, 5, 5])).toEqual([0, 0, 1, 2, 3, 3]);
  });
});

describe('willisonAmplitude', () => {
  it('counts steps of at least the threshold over the window; the first sample has no step', () => {
    expect(run(kernel('willisonAmplitude', 2, 0.5), [0, 1, 1.2, 0, 0.5, 0.5])).toEqual([0, 1, 1, 1, 2, 1]);
  });
});

describe('waveformLength', () => {
  it('sums the absolute steps over the window', () => {
    expect(run(kernel('waveformLength', 3), [1, 3, 2, 2, -2, 0])).toEqual([0, 2, 3, 3, 5, 6]);
  });

  it('does not drift over 10 million samples at a DC offset (sums restart every window)', () => {
    const random = mulberry32(8);
    const W = 100;
    const k = new TermWindowKernel('waveformLength', 1, W, 0);
    const block = 65_536;
    const x = new Float32Array(block);
    const y = new Float32Array(block);
    for (let done = 0; done < 10_000_000; done += block) {
      for (let i = 0; i < block; i++) x[i] = 10_000 + (random() * 2 - 1) * 3;
      k.process(x, y);
    }
    for (let n = block - 100; n < block; n++) {
      let sum = 0;
      for (let j = n - W + 1; j <= n; j++) sum += Math.abs(x[j]! - x[j - 1]!);
      expect(Math.abs(y[n]! - sum)).toBeLessThanOrEqual(6e-8 * sum);
    }
  });
});

describe('window × channels', () => {
  it(`is at most ${MAX_SAMPLES}: a ConfigError naming the stage`, () => {
    expect(() => pipeline({ channels: 16 }).waveformLength({ window: 1_048_576 })).not.toThrow();
    try {
      pipeline({ channels: 17 }).linearSlope({ window: 1_048_576 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).stage).toBe('linearSlope');
      expect((error as ConfigError).message).toBe(`linearSlope needs window × channels at most ${MAX_SAMPLES}, but it is 1048576 × 17`);
    }
  });
});
