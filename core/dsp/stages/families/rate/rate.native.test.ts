/**
 * What is special to the rate changers natively, beyond the conformance suite: (up, down, taps)
 * that take every path of the polyphase loop — phases longer and shorter than 8 taps, phases with
 * no tap (taps < up), strides beyond one 4-output block, up far above down and the reverse — on 1
 * and 3 channels, split at odd points and across the 512-frame passes, bit for bit against
 * TypeScript with identical snapshots and first-output offsets on every path; and a call whose
 * output fits in its input run in place even when the stage's rate goes up.
 */
import { mulberry32 } from '../../../../testing/random.ts';
import { jsBackend } from '../../../backend.ts';
import { assertSameBytes, assertSameSamples, runWhole } from '../../../../../test/conformance/checks.ts';
import { nativeKernel, onPath, paths } from '../../../../../test/conformance/native.ts';
import { describe, it } from '../../../../../test/conformance/runner.ts';
import { descriptorOf, type StageSpec } from '../../catalogue.ts';
import type { StageKernel } from '../../kernel.ts';

function noise(length: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length }, () => random() * 2 - 1);
}

function spec(name: 'decimate' | 'interpolate' | 'resample', options: object): StageSpec {
  return { name, params: descriptorOf(name).options.parse(options) } as StageSpec;
}

const CASES: ['decimate' | 'interpolate' | 'resample', object][] = [
  ['decimate', { factor: 2, taps: 7 }],
  ['decimate', { factor: 5, taps: 40 }],
  ['decimate', { factor: 16, taps: 100, window: 'hann' }],
  ['interpolate', { factor: 4, taps: 3 }], // phases of 1, 1, 1 and 0 taps
  ['interpolate', { factor: 5, taps: 53 }], // phases of 11 and 10
  ['resample', { up: 5, down: 3, taps: 47 }],
  ['resample', { up: 3, down: 11, taps: 70 }],
  ['resample', { up: 100, down: 1, taps: 150 }], // a hundred phases of 2 and 1 taps
  ['resample', { up: 7, down: 1000, taps: 30 }],
];

/** Calls of these lengths: tails of every block size, and passes of 512 split anywhere. */
const CALLS = [1, 6, 3, 511, 2, 513, 1030, 9, 77];

function runCalls(kernel: StageKernel, input: Float32Array, calls: readonly number[], offsets: number[]): Float32Array {
  const parts: Float32Array[] = [];
  let at = 0;
  for (const n of calls) {
    parts.push(runWhole(kernel, input.subarray(at * kernel.inChannels, (at + n) * kernel.inChannels)));
    offsets.push(kernel.firstOutputOffset!());
    at += n;
  }
  return concat(parts);
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('rate changers: native paths, what is special to the polyphase loop', () => {
  for (const [name, options] of CASES) {
    it(`${name}(${JSON.stringify(options)}) on 1 and 3 channels, calls of ${CALLS.join(', ')}`, () => {
      const s = spec(name, options);
      for (const channels of [1, 3]) {
        const frames = CALLS.reduce((a, b) => a + b, 0);
        const input = noise(frames * channels, 17 + channels);
        const reference = jsBackend.createKernel(s, channels);
        const tsOffsets: number[] = [];
        const expected = runCalls(reference, input, CALLS, tsOffsets);
        for (const path of paths) {
          onPath(path, () => {
            const what = `${name}(${JSON.stringify(options)}) × ${channels} ch ${path}`;
            const kernel = nativeKernel(s, channels);
            const offsets: number[] = [];
            assertSameSamples(runCalls(kernel, input, CALLS, offsets), expected, what);
            assertSameBytes(kernel.snapshot(), reference.snapshot(), what);
            if (offsets.some((o, i) => !Object.is(o, tsOffsets[i]))) throw new Error(`${what}: first output offsets ${offsets.join(',')} vs TypeScript ${tsOffsets.join(',')}`);
          });
        }
      }
    });
  }

  it('runs a call in place whenever it writes no more than it reads, also when the rate goes up (resample 1001/1000, calls across passes)', () => {
    const s = spec('resample', { up: 1001, down: 1000, taps: 40 });
    // Phases 0 → 999 → 99 → 9 → 0: the calls of 900, 90 and 9 frames write as many frames as they read.
    const calls = [1, 900, 90, 9, 2000];
    for (const channels of [1, 2]) {
      const input = noise(3000 * channels, 99);
      const expected = runWhole(jsBackend.createKernel(s, channels), input);
      const variants: [string, () => StageKernel][] = [['typescript', () => jsBackend.createKernel(s, channels)], ...paths.map((path): [string, () => StageKernel] => [path, () => nativeKernel(s, channels)])];
      for (const [path, make] of variants) {
        const run = () => {
          const kernel = make();
          const outputs: Float32Array[] = [];
          let at = 0;
          let inPlace = 0;
          for (const n of calls) {
            const buffer = input.slice(at * channels, (at + n) * channels);
            at += n;
            const room = kernel.maxOutputFrames(n) * channels;
            const target = room <= buffer.length ? buffer : new Float32Array(room);
            if (target === buffer) inPlace++;
            outputs.push(target.slice(0, kernel.process(buffer, target) * channels));
          }
          if (inPlace !== 3) throw new Error(`expected 3 calls in place, had ${inPlace}`);
          return concat(outputs);
        };
        const actual = path === 'typescript' ? run() : onPath(path as (typeof paths)[number], run);
        assertSameSamples(actual, expected, `resample 1001/1000 × ${channels} ch in place, ${path}`);
      }
    }
  });
});
