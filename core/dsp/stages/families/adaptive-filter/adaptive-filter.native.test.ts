/**
 * What is special to nlms and lms natively, beyond the conformance suite: the SIMD paths run along
 * the taps, so every tap count around the vector widths and unrolling (1 … 64) and long runs are
 * held to the stated bound (1e-5 × rms(d)); the scalar path stays bit-exact.
 */
import { jsBackend } from '../../../backend.ts';
import { assertNativeOutput, assertSameBytes, runWhole } from '../../../../../test/conformance/checks.ts';
import { native, onPath, paths } from '../../../../../test/conformance/native.ts';
import { describe, it } from '../../../../../test/conformance/runner.ts';
import { signal, type SignalName } from '../../../../../test/conformance/signals.ts';
import { descriptorOf, type StageSpec } from '../../catalogue.ts';
import { adaptiveInput } from './adaptive-filter.reference.ts';

const TAPS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64];

function rmsOfChannel(values: Float32Array, c: number): number {
  let sum = 0;
  for (let i = c; i < values.length; i += 2) sum += values[i]! * values[i]!;
  return Math.sqrt(sum / (values.length / 2));
}

for (const stage of ['nlms', 'lms'] as const) {
  describe(`${stage}: native paths along the taps`, () => {
    it(`every tap count 1 … 64 on noise, subnormal and sine inputs`, () => {
      for (const taps of TAPS) {
        for (const name of ['noise', 'tiny', 'sine'] as const satisfies readonly SignalName[]) {
          const input = adaptiveInput(signal(name, 700, 2, taps));
          // LMS is stable only for mu < 2 / (taps × power): scale mu to the input.
          const power = Math.max(rmsOfChannel(input, 0) ** 2, 1e-30);
          const spec = { name: stage, params: { taps, mu: stage === 'nlms' ? 0.5 : 0.1 / (taps * power), eps: 1e-6 } } as StageSpec;
          const ref = jsBackend.createKernel(spec, 2);
          const expected = runWhole(ref, input);
          for (const path of paths) {
            onPath(path, () => {
              const what = `${stage} taps=${taps} ${name} ${path}`;
              const kernel = native.createKernel(spec, 2);
              assertNativeOutput(descriptorOf(stage), path, runWhole(kernel, input), expected, input, 2, what);
              if (path === 'scalar') assertSameBytes(kernel.snapshot(), ref.snapshot(), what);
            });
          }
        }
      }
    });

    it('a long run stays within the bound (SIMD) and identical (scalar)', () => {
      const spec = { name: stage, params: { taps: 32, mu: stage === 'nlms' ? 0.2 : 0.001, eps: 1e-6 } } as StageSpec;
      const input = adaptiveInput(signal('noise', 50_000, 2, 7));
      const expected = runWhole(jsBackend.createKernel(spec, 2), input);
      for (const path of paths) {
        onPath(path, () => {
          assertNativeOutput(descriptorOf(stage), path, runWhole(native.createKernel(spec, 2), input), expected, input, 2, `${stage} long ${path}`);
        });
      }
    }, 240_000);
  });
}
