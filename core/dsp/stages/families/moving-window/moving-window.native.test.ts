/**
 * What is special to movingAverage and rms natively, beyond the conformance suite: the 65,536-sample
 * resync, channels whose counts differ (a crafted state), many channels (direct rms in chunks of
 * channels), mixed magnitudes and integer signals (the one-channel exactness test and its
 * fallback), float32 rounding midpoints of the output step (NEON's reciprocal), and the TypeScript
 * wording of a shape mismatch. Every path this CPU has, bit for bit against TypeScript.
 */
import assert from 'node:assert/strict';
import { SnapshotError } from '../../../../errors.ts';
import { mulberry32 } from '../../../../testing/random.ts';
import { jsBackend } from '../../../backend.ts';
import { assertSameBytes, assertSameSamples, captureError, runWhole } from '../../../../../test/conformance/checks.ts';
import { native, nativeKernel, onPath, paths } from '../../../../../test/conformance/native.ts';
import { describe, it } from '../../../../../test/conformance/runner.ts';
import type { StageSpec } from '../../catalogue.ts';

type Signal = 'noise' | 'mixed' | 'ints' | 'dc' | 'tiny';

function signal(name: Signal, length: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length }, () => {
    const u = random() * 2 - 1;
    switch (name) {
      case 'noise':
        return u;
      case 'mixed': // ±1e30 among 1e-3 values: the sums round, the exactness test must fail
        return random() < 0.1 ? (u < 0 ? -1e30 : 1e30) : 1e-3 * u;
      case 'ints': // ADC-like: exact sums even for rms
        return Math.round(u * 32767);
      case 'dc':
        return 1e4 + 0.01 * u;
      case 'tiny':
        return 1e-39 * u;
    }
  });
}

function split(kernel: ReturnType<typeof nativeKernel>, input: Float32Array, at: number): Float32Array {
  const c = kernel.inChannels;
  return Float32Array.from([...runWhole(kernel, input.subarray(0, at * c)), ...runWhole(kernel, input.subarray(at * c))]);
}

for (const stage of ['movingAverage', 'rms'] as const) {
  describe(`${stage}: native paths, what is special to the moving window`, () => {
    it('mixed magnitudes and integer signals on 1–4 channels, whole and split, windows 1 … 1000', () => {
      for (const window of [1, 5, 9, 64, 1000]) {
        for (const channels of [1, 2, 3, 4]) {
          for (const name of ['mixed', 'ints'] as const) {
            const spec: StageSpec = { name: stage, params: { window } };
            const input = signal(name, 1500 * channels, window * 7 + channels);
            const ref = jsBackend.createKernel(spec, channels);
            const expected = runWhole(ref, input);
            for (const path of paths) {
              onPath(path, () => {
                const what = `${stage} w=${window} ch=${channels} ${name} ${path}`;
                const kernel = nativeKernel(spec, channels);
                assertSameSamples(split(kernel, input, 517), expected, what);
                assertSameBytes(kernel.snapshot(), ref.snapshot(), what);
              });
            }
          }
        }
      }
    });

    it('crosses the 65536-sample resync in blocks of random sizes', () => {
      for (const channels of [1, 3, 4]) {
        for (const window of [7, 1000]) {
          for (const name of ['noise', 'mixed', 'dc'] as const) {
            const spec: StageSpec = { name: stage, params: { window } };
            const frames = 70_000; // past the first resync of every channel
            const input = signal(name, frames * channels, 99 + channels);
            const expected = runWhole(jsBackend.createKernel(spec, channels), input);
            for (const path of paths) {
              onPath(path, () => {
                const kernel = nativeKernel(spec, channels);
                const output = new Float32Array(input.length);
                const random = mulberry32(window + channels);
                for (let at = 0; at < frames; ) {
                  const n = Math.min(frames - at, 1 + Math.floor(random() * 5000));
                  kernel.process(input.subarray(at * channels, (at + n) * channels), output.subarray(at * channels, (at + n) * channels));
                  at += n;
                }
                assertSameSamples(output, expected, `${stage} w=${window} ch=${channels} ${name} ${path} long`);
              });
            }
          }
        }
      }
    }, 240_000);

    it('restores channels with different counts (a crafted snapshot) like TypeScript', () => {
      const spec: StageSpec = { name: stage, params: { window: 5 } };
      const ts = jsBackend.createKernel(spec, 4);
      const state = new Uint8Array(ts.snapshot());
      const view = new DataView(state.buffer);
      const stride = 16 + 4 * 5;
      [3, 65534, 10, 0].forEach((count, c) => view.setFloat64(8 + c * stride, count, true));
      ts.restore(state);
      const input = signal('noise', 4 * 300, 5);
      const expected = runWhole(ts, input);
      for (const path of paths) {
        onPath(path, () => {
          const kernel = nativeKernel(spec, 4);
          kernel.restore(state);
          assertSameSamples(runWhole(kernel, input), expected, `${stage} unequal counts ${path}`);
        });
      }
    });

    it('many channels (rms: the direct blocks in chunks of channels) and windows around the direct bound', () => {
      // DIRECT_WINDOW_MAX = 8: windows 7, 8 are direct rms, 9 and 32 the running sum; 130 and 200
      // channels of window 8 (and 5) are computed in several chunks of channels per block.
      const cases: [number, number][] = [[1, 7], [1, 8], [1, 9], [3, 8], [50, 8], [50, 9], [50, 32], [130, 5], [200, 8]];
      for (const [channels, window] of cases) {
        const spec: StageSpec = { name: stage, params: { window } };
        for (const name of ['noise', 'mixed', 'tiny'] as const) {
          for (const frames of [40, 700]) {
            const input = signal(name, frames * channels, frames + window * 3 + channels);
            const ref = jsBackend.createKernel(spec, channels);
            const expected = runWhole(ref, input);
            for (const path of paths) {
              onPath(path, () => {
                const what = `${stage} w=${window} ch=${channels} ${name} n=${frames} ${path}`;
                const kernel = nativeKernel(spec, channels);
                assertSameSamples(split(kernel, input, 37), expected, what);
                assertSameBytes(kernel.snapshot(), ref.snapshot(), what);
                const inPlace = nativeKernel(spec, channels);
                const buffer = input.slice();
                inPlace.process(buffer, buffer);
                assertSameSamples(buffer, expected, `${what} in place`);
              });
            }
          }
        }
      }
    }, 240_000);

    it('words a shape mismatch as TypeScript does, and refuses a negative count', () => {
      const spec: StageSpec = { name: stage, params: { window: 5 } };
      const other = jsBackend.createKernel({ name: stage, params: { window: 6 } }, 2).snapshot();
      const tsError = captureError(() => jsBackend.createKernel(spec, 2).restore(other));
      const nat = native.createKernel(spec, 2);
      const natError = captureError(() => nat.restore(other));
      assert.ok(natError instanceof SnapshotError && tsError instanceof SnapshotError);
      assert.equal(natError.message, tsError.message);
      assert.equal(natError.stage, stage);
      const negative = nat.snapshot();
      new DataView(negative.buffer).setFloat64(8, -1, true);
      assert.throws(() => nat.restore(negative), { code: 'DSPFN_SNAPSHOT' });
      assert.throws(() => jsBackend.createKernel(spec, 2).restore(negative), { code: 'DSPFN_SNAPSHOT' });
    });
  });
}

/** Float64 sums whose mean (or its sqrt) lies within ±20 float64 ulps of a float32 rounding midpoint. */
function midpointSums(n: number, squared: boolean, count: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const view = new DataView(new ArrayBuffer(8));
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const f = Math.fround((1 + random()) * 2 ** (Math.floor(random() * 80) - 40));
    view.setFloat32(0, f);
    const exponent = (view.getUint32(0) >>> 23) & 0xff;
    const mid = f + 2 ** (exponent - 127 - 24); // exact: 25 significant bits
    view.setFloat64(0, squared ? mid * mid * n : mid * n);
    view.setBigInt64(0, view.getBigInt64(0) + BigInt(Math.floor(random() * 41) - 20));
    out[i] = view.getFloat64(0);
  }
  return out;
}

describe('moving window: output rounding', () => {
  it('matches TypeScript at float32 rounding midpoints (the reciprocal fast path must fall back)', () => {
    const extremes = [0, -0, 1e-300, -1e-300, 1e-45, 3.4e38 * 3, 1e300, -5, Infinity, -Infinity, NaN];
    for (const squared of [false, true]) {
      for (const n of [1, 2, 3, 5, 7, 10, 64, 1000, 65535]) {
        const sums = Float64Array.from([...midpointSums(n, squared, 4000, n + (squared ? 1 : 0)), ...extremes]);
        const expected = Float32Array.from(sums, (s) => (squared ? Math.fround(Math.sqrt((s > 0 ? s : 0) / n)) : Math.fround(s / n)));
        for (const path of paths) {
          onPath(path, () => {
            const actual = new Float32Array(sums.length);
            nativeKernel({ name: squared ? 'rms' : 'movingAverage', params: { window: 1 } }, 1).testHook(Float64Array.from([n, ...sums]), actual);
            assertSameSamples(actual, expected, `${squared ? 'rms' : 'movingAverage'} outputs n=${n} ${path}`);
          });
        }
      }
    }
  });
});
