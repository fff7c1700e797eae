import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../testing/random.ts';
import { channelOf, directAdaptiveFilter, directMovingAverage, directRms } from '../direct-reference.ts';
import { AdaptiveFilterKernel, type AdaptiveFilterParams } from './families/adaptive-filter/adaptive-filter.kernel.ts';
import { MovingWindowKernel } from './families/moving-window/moving-window.kernel.ts';

const movingAverageKernel = (channels: number, p: { window: number }) => new MovingWindowKernel(channels, p.window, false);
const rmsKernel = (channels: number, p: { window: number }) => new MovingWindowKernel(channels, p.window, true);
const nlmsKernel = (p: AdaptiveFilterParams) => new AdaptiveFilterKernel(p, true);
const lmsKernel = (p: AdaptiveFilterParams) => new AdaptiveFilterKernel(p, false);

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 257];

function signal(length: number, seed: number, dc = 0, scale = 1): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length }, () => dc + scale * (random() * 2 - 1));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const bound = relative * Math.max(1, Math.abs(expected[i]!));
    if (!(Math.abs(actual[i]! - expected[i]!) <= bound)) {
      throw new Error(`sample ${i}: got ${actual[i]}, want ${expected[i]} (±${bound})`);
    }
  }
}

describe.each([
  ['movingAverage', movingAverageKernel, directMovingAverage],
  ['rms', rmsKernel, directRms],
] as const)('%s', (_name, kernelOf, direct) => {
  it.each([1, 2, 5, 10, 64])('matches the float64 definition with window %i on 1–4 channels and any length', (window) => {
    for (const channels of [1, 2, 3, 4]) {
      for (const frames of SIZES) {
        const x = signal(frames * channels, frames * 31 + window + channels, 3);
        const y = new Float32Array(x.length);
        kernelOf(channels, { window }).process(x, y);
        for (let c = 0; c < channels; c++) {
          expectClose(channelOf(y, channels, c), direct(channelOf(x, channels, c), window), 1e-6);
        }
      }
    }
  });

  it('gives the same output bit for bit when the input is split into calls anywhere', () => {
    const x = signal(300, 7, -1);
    const whole = new Float32Array(300);
    kernelOf(2, { window: 7 }).process(x, whole);
    for (const cut of [2, 10, 150, 298]) {
      const kernel = kernelOf(2, { window: 7 });
      const parts = new Float32Array(300);
      kernel.process(x.subarray(0, cut), parts.subarray(0, cut));
      kernel.process(x.subarray(cut), parts.subarray(cut));
      expect(parts).toEqual(whole);
    }
  });

  it('processes in place', () => {
    const x = signal(50, 3);
    const expected = new Float32Array(50);
    kernelOf(1, { window: 4 }).process(x, expected);
    kernelOf(1, { window: 4 }).process(x, x);
    expect(x).toEqual(expected);
  });

  it('does not drift over 10 million samples with a large DC offset', () => {
    const window = 10;
    const kernel = kernelOf(1, { window });
    const block = 65_536;
    const random = mulberry32(42);
    const x = new Float32Array(block);
    const y = new Float32Array(block);
    let worst = 0;
    for (let done = 0; done < 10_000_000; done += block) {
      for (let i = 0; i < block; i++) x[i] = 10_000 + (random() * 2 - 1) * 0.5;
      kernel.process(x, y);
      // Check the window ends of this block against a fresh float64 computation.
      for (let n = block - 200; n < block; n++) {
        let sum = 0;
        for (let k = n - window + 1; k <= n; k++) sum += direct === directRms ? x[k]! * x[k]! : x[k]!;
        const want = direct === directRms ? Math.sqrt(sum / window) : sum / window;
        worst = Math.max(worst, Math.abs(y[n]! - want) / Math.abs(want));
      }
    }
    expect(worst).toBeLessThan(1e-4);
    // float32 output rounding alone is ~6e-8; drift would grow far beyond it.
    expect(worst).toBeLessThan(1e-6);
  });
});

describe.each([
  ['nlms', nlmsKernel, true],
  ['lms', lmsKernel, false],
] as const)('%s', (_name, kernelOf, normalised) => {
  const taps = 8;
  const mu = normalised ? 0.2 : 0.01;

  function noisyPair(frames: number, seed: number): { x: Float32Array; d: Float32Array; interleaved: Float32Array } {
    const x = signal(frames, seed);
    const d = new Float32Array(frames);
    for (let n = 0; n < frames; n++) {
      d[n] = 0.3 * Math.sin(n / 5) + 0.8 * x[n]! - 0.4 * (n > 0 ? x[n - 1]! : 0) + 0.1 * (n > 2 ? x[n - 3]! : 0);
    }
    const interleaved = new Float32Array(frames * 2);
    for (let n = 0; n < frames; n++) {
      interleaved[2 * n] = x[n]!;
      interleaved[2 * n + 1] = d[n]!;
    }
    return { x, d, interleaved };
  }

  it('matches the update rule computed directly, for any length', () => {
    for (const frames of SIZES) {
      const { x, d, interleaved } = noisyPair(frames, frames);
      const e = new Float32Array(frames);
      kernelOf({ taps, mu, eps: 1e-6 }).process(interleaved, e);
      expectClose(e, directAdaptiveFilter(x, d, taps, mu, 1e-6, normalised), 1e-5);
    }
  });

  it('cancels the correlated noise: the error converges to the clean tone', () => {
    const frames = 4000;
    const { interleaved } = noisyPair(frames, 99);
    const e = new Float32Array(frames);
    kernelOf({ taps, mu, eps: 1e-6 }).process(interleaved, e);
    const { d } = noisyPair(frames, 99);
    let residual = 0;
    let noise = 0;
    for (let n = frames - 500; n < frames; n++) {
      residual += (e[n]! - 0.3 * Math.sin(n / 5)) ** 2;
      noise += (d[n]! - 0.3 * Math.sin(n / 5)) ** 2;
    }
    // The tone itself perturbs the adaptation (misadjustment), so the residual is not zero.
    expect(Math.sqrt(residual / noise)).toBeLessThan(0.2);
  });

  it('carries weights and history across calls and through a snapshot', () => {
    const { interleaved } = noisyPair(200, 5);
    const whole = new Float32Array(200);
    kernelOf({ taps, mu, eps: 1e-6 }).process(interleaved, whole);
    const first = kernelOf({ taps, mu, eps: 1e-6 });
    const parts = new Float32Array(200);
    first.process(interleaved.subarray(0, 74), parts.subarray(0, 37));
    const second = kernelOf({ taps, mu, eps: 1e-6 });
    second.restore(first.snapshot());
    second.process(interleaved.subarray(74), parts.subarray(37));
    expect(parts).toEqual(whole);
    expect(first.snapshot().length).toBe(16 + 8 * taps);
  });
});
