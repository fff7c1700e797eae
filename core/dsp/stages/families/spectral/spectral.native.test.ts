/**
 * What is special to the spectral stages natively, beyond the conformance suite (which runs small
 * frames): the largest FFT (65,536 points, eight radix-4 stages, lanes along p in the first and
 * along q in the others), a 40-band mfcc at 2,048 points, and hop > size, on every path this CPU
 * has, bit for bit against TypeScript, outputs, frame times and snapshots; and the binding's
 * refusal to write a spectrum over its own input.
 */
import assert from 'node:assert/strict';
import { InvalidSamplesError } from '../../../../errors.ts';
import { mulberry32 } from '../../../../testing/random.ts';
import { jsBackend } from '../../../backend.ts';
import { assertSameBytes, assertSameSamples, captureError, runChunks, runWhole } from '../../../../../test/conformance/checks.ts';
import { native, onPath, paths } from '../../../../../test/conformance/native.ts';
import { describe, it } from '../../../../../test/conformance/runner.ts';
import type { StageSpec } from '../../catalogue.ts';
import { descriptorOf } from '../../catalogue.ts';

function noise(length: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length }, () => random() * 2 - 1);
}

function spec(name: 'spectrum' | 'mfcc' | 'spectralFeatures', options: object): StageSpec {
  return { name, params: descriptorOf(name).options.parse(options) } as StageSpec;
}

const cases: Array<[string, StageSpec, number, number[]]> = [
  ['spectrum 65,536 points, dB', spec('spectrum', { size: 65536, hop: 40000, window: 'blackman', output: 'db' }), 1, [70000, 50000]],
  ['mfcc 2,048 points, 40 bands, 2 channels', spec('mfcc', { size: 2048, hop: 512, sampleRate: 44100, melBands: 40, coefficients: 13 }), 2, [3000, 1, 2047, 3000]],
  ['spectralFeatures, hop > size', spec('spectralFeatures', { size: 512, hop: 700, sampleRate: 8000 }), 3, [1000, 1, 2000, 999]],
];

describe('spectral stages natively: large frames on every path', () => {
  for (const [label, stage, channels, lengths] of cases) {
    it(`${label}: outputs, frame times and snapshots equal TypeScript's`, () => {
      const frames = lengths.reduce((a, b) => a + b, 0);
      const input = noise(frames * channels, frames);
      const ts = jsBackend.createKernel(stage, channels);
      const expected = runChunks(ts, input, { lengths, what: label });
      const offsets: number[] = [];
      const tsCalls = jsBackend.createKernel(stage, channels);
      for (const [i, n] of lengths.entries()) {
        const from = lengths.slice(0, i).reduce((a, b) => a + b, 0);
        runWhole(tsCalls, input.subarray(from * channels, (from + n) * channels));
        offsets.push(tsCalls.firstOutputOffset!());
      }
      for (const path of paths) {
        onPath(path, () => {
          const kernel = native.createKernel(stage, channels);
          const calls: { start: number; offset: number; written: number }[] = [];
          assertSameSamples(runChunks(kernel, input, { lengths, what: `${label} ${path}`, calls }), expected, `${label} ${path}`);
          assertSameBytes(kernel.snapshot(), ts.snapshot(), `${label} ${path}: snapshot`);
          calls.forEach((call, i) => {
            if (call.written > 0) assert.equal(call.offset, offsets[i], `${label} ${path}: call ${i}'s first frame`);
          });
        });
      }
    });
  }

  it('refuses to write a spectrum over its own input (the binding, not only the pipeline)', () => {
    const kernel = native.createKernel(spec('spectrum', { size: 16, hop: 16 }), 1);
    const buffer = new Float32Array(64);
    const error = captureError(() => kernel.process(buffer.subarray(0, 32), buffer));
    assert.ok(error instanceof InvalidSamplesError, String(error));
    assert.match(error.message, /overlaps input \(this stage writes to separate memory\)/);
  });
});

describe('spectral stages natively in a pipeline', () => {
  it('never run in place in the scratch buffer holding their input (gain → spectrum → gain, the spectrum shorter than its input)', async () => {
    const { pipeline } = await import('../../../pipeline.ts');
    const spec = pipeline().gain({ factor: 2 }).spectrum({ size: 16, hop: 16, output: 'magnitude' }).gain({ factor: 0.5 });
    const input = noise(16 * 64, 5);
    const expected = spec.create(jsBackend).process(input);
    assert.equal(expected.length, 64 * 9);
    assertSameSamples(spec.create(native).process(input), expected, 'gain → spectrum natively');
  });
});
