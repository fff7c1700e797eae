/**
 * What is special to the IIR stages natively, beyond the conformance suite: the C check refuses
 * unstable or malformed sections by itself (the binding can be called without the TypeScript
 * schema), and one channel's pair and pipeline paths (every call length from 1 to 40 frames, odd
 * and even, across the pipeline's four-pair fill and drain) match TypeScript bit for bit on every
 * path this CPU has, for one to five sections.
 */
import assert from 'node:assert/strict';
import { ConfigError } from '../../../../errors.ts';
import { mulberry32 } from '../../../../testing/random.ts';
import { jsBackend } from '../../../backend.ts';
import { assertSameBytes, assertSameSamples, captureError, runChunks } from '../../../../../test/conformance/checks.ts';
import { native, onPath, paths } from '../../../../../test/conformance/native.ts';
import { describe, it } from '../../../../../test/conformance/runner.ts';
import type { StageSpec } from '../../catalogue.ts';
import type { Section } from './biquad.options.ts';

const raw = (sections: Section[]) => ({ name: 'biquad', params: { sections } }) as StageSpec;
const stable: Section = { b0: 0.3, b1: 0.2, b2: 0.1, a1: -1.2, a2: 0.5 };

describe('biquad family, natively', () => {
  const refusals: [string, StageSpec][] = [
    ['a pole outside the unit circle', raw([stable, { ...stable, a1: -2.5, a2: 1.5 }])],
    ['a pole on the unit circle', raw([{ ...stable, a1: 0, a2: -1 }])],
    ['a coefficient that is not finite', raw([{ ...stable, b1: Number.NaN }])],
    ['no sections', raw([])],
    ['65 sections', raw(Array.from({ length: 65 }, () => stable))],
  ];
  for (const [what, spec] of refusals) {
    it(`the C check refuses ${what} without the schema`, () => {
      const error = captureError(() => native.createKernel(spec, 2));
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      assert.match(error.message, /biquad/);
    });
  }

  const lengths = Array.from({ length: 40 }, (_, i) => i + 1);
  const frames = lengths.reduce((a, b) => a + b, 0);
  const random = mulberry32(5);
  const input = Float32Array.from({ length: frames }, () => random() * 2 - 1);
  for (const count of [1, 2, 3, 5]) {
    const spec = raw(
      Array.from({ length: count }, (_, i) => ({ b0: 0.2 + 0.1 * i, b1: -0.1, b2: 0.05 * i, a1: -1.5 + 0.3 * i, a2: 0.6 + 0.05 * i })),
    );
    for (const path of paths) {
      it(`one channel, ${count} section(s), calls of 1…40 frames on ${path}: TypeScript's bits and state`, () => {
        const ts = jsBackend.createKernel(spec, 1);
        const want = runChunks(ts, input, { lengths, what: 'TypeScript' });
        onPath(path, () => {
          const kernel = native.createKernel(spec, 1);
          assertSameSamples(runChunks(kernel, input, { lengths, what: path }), want, path);
          assertSameBytes(kernel.snapshot(), ts.snapshot(), `${path} snapshot`);
        });
      });
    }
  }
});
