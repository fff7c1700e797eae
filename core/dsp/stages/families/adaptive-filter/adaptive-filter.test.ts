/** What is special to nlms and lms in TypeScript, beyond the conformance suite: they do cancel noise. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../testing/random.ts';
import { AdaptiveFilterKernel } from './adaptive-filter.kernel.ts';

describe.each([
  ['nlms', true, 0.2],
  ['lms', false, 0.01],
] as const)('%s', (_name, normalised, mu) => {
  it('cancels the correlated noise: the error converges to the clean tone', () => {
    const frames = 4000;
    const random = mulberry32(99);
    const x = Float32Array.from({ length: frames }, () => random() * 2 - 1);
    const input = new Float32Array(frames * 2);
    const clean = (n: number) => 0.3 * Math.sin(n / 5);
    for (let n = 0; n < frames; n++) {
      input[2 * n] = x[n]!;
      input[2 * n + 1] = clean(n) + 0.8 * x[n]! - 0.4 * (n > 0 ? x[n - 1]! : 0) + 0.1 * (n > 2 ? x[n - 3]! : 0);
    }
    const e = new Float32Array(frames);
    new AdaptiveFilterKernel({ taps: 8, mu, eps: 1e-6 }, normalised).process(input, e);
    let residual = 0;
    let noise = 0;
    for (let n = frames - 500; n < frames; n++) {
      residual += (e[n]! - clean(n)) ** 2;
      noise += (input[2 * n + 1]! - clean(n)) ** 2;
    }
    // The tone itself perturbs the adaptation (misadjustment), so the residual is not zero.
    expect(Math.sqrt(residual / noise)).toBeLessThan(0.2);
  });
});
