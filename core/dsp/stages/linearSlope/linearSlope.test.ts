/**
 * What is special to linearSlope: it is exact where the data allow (integer samples, a DC offset of
 * 1e5 included: every output is the exact least-squares slope rounded once) and does not drift over
 * long streams of any data, because no sum outlives a block of W samples.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../testing/random.ts';
import { directSlope } from '../families/window-features/window-features.reference.ts';
import { LinearSlopeKernel } from './linearSlope.kernel.ts';

function run(kernel: LinearSlopeKernel, input: Float32Array): Float32Array {
  const out = new Float32Array(input.length);
  kernel.process(input, out);
  return out;
}

/** The exact slope of x[from … n] as float32: 2N and 2D are integers, so Number(2N)/Number(2D) is N/D rounded once. */
function exactSlope(x: Float32Array, from: number, n: number): number {
  const m = BigInt(n - from + 1);
  if (m === 1n) return 0;
  let twiceN = 0n;
  for (let k = from; k <= n; k++) twiceN += (2n * BigInt(k - from) - (m - 1n)) * BigInt(x[k]!);
  const twiceD = (m * (m * m - 1n)) / 6n;
  return Math.fround(Number(twiceN) / Number(twiceD));
}

describe('linearSlope', () => {
  it('gives the slope of a line exactly from the second sample on', () => {
    const x = Float32Array.from({ length: 300 }, (_, n) => 1000 - 2.5 * n);
    const y = run(new LinearSlopeKernel(1, 64), x);
    expect(y[0]).toBe(0);
    expect(y.subarray(1).every((v) => v === -2.5)).toBe(true);
  });

  it('is exact on integer samples at a DC offset of 1e5, block after block', () => {
    const random = mulberry32(3);
    const W = 1000;
    const x = Float32Array.from({ length: 60_000 }, (_, n) => 100_000 + Math.floor(random() * 41) - 20 + (n % 700 === 0 ? 9 : 0));
    const y = run(new LinearSlopeKernel(1, W), x);
    for (let n = 0; n < x.length; n += n < 3 * W ? 1 : 37) {
      expect(Object.is(y[n], exactSlope(x, Math.max(0, n - W + 1), n)), `sample ${n}`).toBe(true);
    }
  });

  it('does not drift over 4 million samples of noise on a DC offset', () => {
    const random = mulberry32(5);
    const W = 500;
    const kernel = new LinearSlopeKernel(1, W);
    const block = 65_536;
    const x = new Float32Array(block);
    const y = new Float32Array(block);
    for (let done = 0; done < 4_000_000; done += block) {
      for (let i = 0; i < block; i++) x[i] = 100_000 + (random() * 2 - 1) * 2 + Math.sin((done + i) / 300);
      kernel.process(x, y);
    }
    // The last 200 outputs against the slope of their windows in float64 (the last block holds them).
    const tail = directSlope(x, 1, W);
    for (let n = block - 200; n < block; n++) {
      expect(Math.abs(y[n]! - tail[n]!)).toBeLessThanOrEqual(1.2e-7 * Math.abs(tail[n]!) + 1e-12);
    }
  });
});
