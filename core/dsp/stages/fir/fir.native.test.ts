/**
 * What is special to fir natively, beyond the conformance suite (which runs 3, 16, 51 and 263
 * taps): every filter length mod 8 and every output-block remainder, 1 … 40 taps and lengths
 * around the blocks and the 256-frame pass, on 1 and 3 channels split at odd points; and the
 * strided dot products (step > 1) that the rate-changing FIR stages will use, through the test
 * hook. Every path this CPU has, bit for bit against TypeScript.
 */
import { mulberry32 } from '../../../testing/random.ts';
import { jsBackend } from '../../backend.ts';
import { assertSameBytes, assertSameSamples, runWhole } from '../../../../test/conformance/checks.ts';
import { nativeKernel, onPath, paths } from '../../../../test/conformance/native.ts';
import { describe, it } from '../../../../test/conformance/runner.ts';
import type { StageSpec } from '../catalogue.ts';
import { firDot, reversedCoefficients } from '../families/fir/fir-dot.ts';

function noise(length: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  return Float64Array.from({ length }, () => random() * 2 - 1);
}

const LENGTHS = [...Array.from({ length: 40 }, (_, i) => i + 1), 63, 64, 65, 255, 256, 257, 300];

describe('fir: native paths, what is special to the FIR kernel', () => {
  it(`filter lengths ${LENGTHS.slice(0, 3).join(', ')} … ${LENGTHS.at(-1)} on 1 and 3 channels, split at odd points`, () => {
    for (const taps of LENGTHS) {
      const spec: StageSpec = { name: 'fir', params: { coefficients: Array.from(noise(taps, taps)) } };
      for (const channels of [1, 3]) {
        const frames = 700;
        const input = Float32Array.from(noise(frames * channels, 1000 + taps));
        const reference = jsBackend.createKernel(spec, channels);
        const expected = runWhole(reference, input);
        for (const path of paths) {
          onPath(path, () => {
            const what = `fir ${taps} taps × ${channels} ch ${path}`;
            const kernel = nativeKernel(spec, channels);
            const parts: Float32Array[] = [];
            let at = 0;
            for (const n of [1, 6, 3, 277, 413]) {
              parts.push(runWhole(kernel, input.subarray(at * channels, (at + n) * channels)));
              at += n;
            }
            assertSameSamples(Float32Array.from(parts.flatMap((p) => [...p])), expected, what);
            assertSameBytes(kernel.snapshot(), reference.snapshot(), what);
          });
        }
      }
    }
  });

  it('strided dot products (step 1 … 5) for 1 … 20 outputs, bit for bit with firDot', () => {
    for (const taps of [3, 8, 13, 51]) {
      const h = Array.from(noise(taps, 7 * taps));
      const g = reversedCoefficients(h);
      for (const step of [1, 2, 3, 5]) {
        for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 20]) {
          const x = Float64Array.from(noise((n - 1) * step + taps, step * 100 + n), (v) => Math.fround(v));
          const expected = Float32Array.from({ length: n }, (_, i) => firDot(g, x, i * step, taps));
          for (const path of paths) {
            onPath(path, () => {
              const actual = new Float32Array(n);
              nativeKernel({ name: 'fir', params: { coefficients: h } }, 1).testHook(Float64Array.from([step, n, ...x]), actual);
              assertSameSamples(actual, expected, `firDot ${taps} taps, step ${step}, ${n} outputs, ${path}`);
            });
          }
        }
      }
    }
  });
});
