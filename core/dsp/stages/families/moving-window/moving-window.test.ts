/**
 * What is special to the moving window in TypeScript, beyond the conformance suite: long streams at
 * a large DC offset do not drift (running sums resynced every 65,536 samples; rms ≤ 8 summed directly).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../testing/random.ts';
import { MovingWindowKernel } from './moving-window.kernel.ts';

describe.each([
  ['movingAverage', false],
  ['rms', true],
] as const)('%s', (_name, squared) => {
  it.each([5, 10])('does not drift over 10 million samples with a large DC offset (window %i)', (window) => {
    const kernel = new MovingWindowKernel(1, window, squared);
    const block = 65_536;
    const random = mulberry32(42);
    const x = new Float32Array(block);
    const y = new Float32Array(block);
    let worst = 0;
    for (let done = 0; done < 10_000_000; done += block) {
      for (let i = 0; i < block; i++) x[i] = 10_000 + (random() * 2 - 1) * 0.5;
      kernel.process(x, y);
      // The window ends of this block against a fresh float64 computation.
      for (let n = block - 200; n < block; n++) {
        let sum = 0;
        for (let k = n - window + 1; k <= n; k++) sum += squared ? x[k]! * x[k]! : x[k]!;
        const want = squared ? Math.sqrt(sum / window) : sum / window;
        worst = Math.max(worst, Math.abs(y[n]! - want) / Math.abs(want));
      }
    }
    // float32 output rounding alone is ~6e-8; drift would grow far beyond it.
    expect(worst).toBeLessThan(1e-6);
  });
});
