/**
 * What is special to snr: its first frames and silent windows are defined (documented in the
 * README), and a window that has become silent sums to exactly 0 again, so the output returns to
 * the silent value exactly (a running sum would keep a residue and give noise in dB).
 */
import { describe, expect, it } from 'vitest';
import { powerRatioDb } from '../portable-log.ts';
import { SnrKernel } from './snr.kernel.ts';

function run(kernel: SnrKernel, frames: readonly (readonly [number, number])[]): Float32Array {
  const out = new Float32Array(frames.length);
  kernel.process(Float32Array.from(frames.flat()), out);
  return out;
}

describe('snr', () => {
  it('the first frame is its own window', () => {
    expect(run(new SnrKernel(100), [[3, 1]])[0]).toBe(Math.fround(10 * Math.log10(9)));
  });

  it('is the dB ratio of the mean powers over the window', () => {
    const frames = Array.from({ length: 400 }, (_, n) => [10 * Math.sin(n), n % 2 === 0 ? 1 : -1] as const);
    const y = run(new SnrKernel(64), frames);
    let ps = 0;
    for (let n = 400 - 64; n < 400; n++) ps += Math.fround(10 * Math.sin(n)) ** 2;
    expect(y[399]).toBeCloseTo(10 * Math.log10(ps / 64), 5);
  });

  it('counts a power of exactly 0 as 2⁻¹⁰²²: finite everywhere, 0 dB when both are silent', () => {
    const y = run(new SnrKernel(4), [
      [0, 0],
      [1, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 2],
    ]);
    expect(y[0]).toBe(0);
    expect(y[1]).toBe(Math.fround(powerRatioDb(1, 0)));
    expect(y[1]).toBeCloseTo(10 * Math.log10(2 ** 1022), 3); // ≈ +3076.5 dB
    expect(y[5]).toBeCloseTo(-10 * (Math.log10(4) + 1022 * Math.log10(2)), 3);
  });

  it('returns exactly to the silent value once the noise has left the window', () => {
    const W = 8;
    const noisy = Array.from({ length: 50 }, (_, n) => [1, 0.1 * Math.sin(n * 1.7) + 0.013] as const);
    const silent = Array.from({ length: 3 * W }, () => [1, 0] as const);
    const y = run(new SnrKernel(W), [...noisy, ...silent]);
    const fresh = run(new SnrKernel(W), silent);
    expect(y[y.length - 1]).toBe(fresh[fresh.length - 1]);
    expect(y[y.length - 1]).toBe(Math.fround(powerRatioDb(W, 0)));
  });
});
