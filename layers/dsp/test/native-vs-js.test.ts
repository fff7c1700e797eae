/**
 * Native kernels (every SIMD path this CPU has, plus scalar) against the TypeScript reference.
 *
 * movingAverage / rms: required within |a - b| <= 1e-5 max(1, |ref|), and in fact checked
 * bit-identical (outputs and snapshot bytes) on every path, since snapshots must move between
 * backends. nlms / lms: the scalar path is bit-identical; SIMD paths reorder the float64 dot
 * products, so they are held to NLMS_BOUND (see layers/dsp/README.md).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jsBackend, type DspBackend } from '../../../core/dsp/backend.ts';
import { loadNative, nativeBackend, resolveBackend, type SimdPath } from '../../../core/dsp/native/loader.ts';
import { NativeLoadError } from '../../../core/errors.ts';
import { pipeline } from '../../../core/dsp/pipeline.ts';
import type { StageKernel, StageSpec } from '../../../core/dsp/stage.ts';
import { describe, it } from './harness.ts';
import { mulberry32 } from '../../../core/testing/random.ts';

const native = loadNative();
const addon = native.addon;
const bestPath = addon.setSimd(true);
const paths: SimdPath[] = bestPath === 'avx2' ? ['scalar', 'sse2', 'avx2'] : bestPath === 'scalar' ? ['scalar'] : ['scalar', bestPath];
const backend = nativeBackend(addon);
console.log(`[dspfn native] ${native.file} (${native.source}) arch=${addon.arch} simd=${bestPath} testing paths: ${paths.join(', ')}`);

/** Relative bound for the SIMD NLMS/LMS paths against TypeScript, on |error| / rms(d). */
const NLMS_BOUND = 1e-5;
const MOVING_BOUND = 1e-5;

const LENGTHS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 1000, 4099];
const WINDOWS = [1, 2, 5, 10, 64];
const TAPS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64];

const rng = mulberry32;

type SignalName = 'noise' | 'dc' | 'tiny' | 'huge' | 'mixed' | 'zeros' | 'ints' | 'sine';
const SIGNALS: SignalName[] = ['noise', 'dc', 'tiny', 'huge', 'mixed', 'zeros', 'ints', 'sine'];

function signal(name: SignalName, length: number, seed: number): Float32Array {
  const random = rng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const u = random() * 2 - 1;
    switch (name) {
      case 'noise':
        out[i] = u;
        break;
      case 'dc':
        out[i] = 1e4 + 0.01 * u;
        break;
      case 'tiny':
        out[i] = 1e-39 * u; // float32 subnormals
        break;
      case 'huge':
        out[i] = 1e30 * u;
        break;
      case 'mixed': // magnitudes 1e30 and 1e-3 together: the sums round, the exactness test must fail
        out[i] = random() < 0.1 ? (u < 0 ? -1e30 : 1e30) : 1e-3 * u;
        break;
      case 'zeros':
        out[i] = 0;
        break;
      case 'ints':
        out[i] = Math.round(u * 32767);
        break;
      case 'sine':
        out[i] = Math.sin(0.01 * i + seed);
        break;
    }
  }
  return out;
}

function run(kernel: StageKernel, input: Float32Array, splitAt?: number): Float32Array {
  const frames = input.length / kernel.inChannels;
  const output = new Float32Array(frames * kernel.outChannels);
  if (splitAt === undefined) {
    kernel.process(input, output);
  } else {
    const cut = splitAt * kernel.inChannels;
    kernel.process(input.subarray(0, cut), output.subarray(0, splitAt * kernel.outChannels));
    kernel.process(input.subarray(cut), output.subarray(splitAt * kernel.outChannels));
  }
  return output;
}

function describeMismatch(actual: Float32Array, expected: Float32Array, i: number): string {
  return `first difference at ${i}: native ${actual[i]} vs TypeScript ${expected[i]}`;
}

function assertIdentical(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: not bit-identical, ${describeMismatch(actual, expected, i)}`);
  }
}

/** The brief's criterion for the moving stages: |a - b| <= rel max(1, |ref|), NaN only where NaN. */
function assertWithin(actual: Float32Array, expected: Float32Array, rel: number, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (Number.isNaN(a) !== Number.isNaN(b)) assert.fail(`${what}: NaN mismatch, ${describeMismatch(actual, expected, i)}`);
    } else if (a !== b && !(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)))) {
      assert.fail(`${what}: outside ${rel}, ${describeMismatch(actual, expected, i)}`);
    }
  }
}

function assertBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: snapshot length`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) assert.fail(`${what}: snapshot bytes differ first at byte ${i} of ${expected.length}`);
  }
}

function withPath<T>(simd: SimdPath, body: () => T): T {
  addon.setSimd(simd);
  try {
    return body();
  } finally {
    addon.setSimd(true);
  }
}

function kernels(spec: StageSpec, channels: number, from: DspBackend = backend): [StageKernel, StageKernel] {
  return [jsBackend.createKernel(spec, channels), from.createKernel(spec, channels)];
}

describe('native module', () => {
  it(`runs the expected SIMD path (${bestPath})`, () => {
    const expected = process.env.DSPFN_EXPECT_SIMD;
    if (expected) assert.equal(bestPath, expected);
    assert.equal(addon.arch, process.arch);
    assert.ok(['avx2', 'sse2', 'neon', 'scalar'].includes(bestPath));
  });

  it('can be forced to the scalar path', () => {
    assert.equal(addon.setSimd(false), 'scalar');
    assert.equal(addon.simd(), 'scalar');
    assert.equal(addon.setSimd(true), bestPath);
    assert.throws(() => addon.setSimd('no-such-path' as SimdPath), { code: 'DSPFN_CONFIG' });
  });
});

for (const stage of ['movingAverage', 'rms'] as const) {
  describe(`${stage}: native vs TypeScript`, () => {
    for (const window of WINDOWS) {
      for (let channels = 1; channels <= 8; channels++) {
        it(`window ${window}, ${channels} channel(s), all signals and lengths`, () => {
          const spec: StageSpec = { name: stage, params: { window } };
          for (const name of SIGNALS) {
            for (const frames of LENGTHS) {
              const input = signal(name, frames * channels, frames * 131 + window * 7 + channels);
              const [ref, refSplit] = [jsBackend.createKernel(spec, channels), jsBackend.createKernel(spec, channels)];
              const expected = run(ref, input);
              assertIdentical(run(refSplit, input, frames >> 1), expected, 'TypeScript split vs whole');
              const refState = ref.snapshot();
              for (const simd of paths) {
                withPath(simd, () => {
                  const what = `${stage} w=${window} ch=${channels} ${name} n=${frames} ${simd}`;
                  const whole = backend.createKernel(spec, channels);
                  const actual = run(whole, input);
                  assertWithin(actual, expected, MOVING_BOUND, what);
                  assertIdentical(actual, expected, what);
                  assertBytes(whole.snapshot(), refState, what);
                  const split = backend.createKernel(spec, channels);
                  assertIdentical(run(split, input, Math.floor(frames / 3)), expected, `${what} split`);
                  assertBytes(split.snapshot(), refState, `${what} split`);
                  // In place, as the pipeline may call it.
                  const inPlace = backend.createKernel(spec, channels);
                  const buffer = input.slice();
                  inPlace.process(buffer, buffer);
                  assertIdentical(buffer, expected, `${what} in place`);
                });
              }
            }
          }
        });
      }
    }

    it('snapshots cross-restore: TypeScript → native → TypeScript continues identically', () => {
      for (const channels of [1, 2, 3, 5, 8]) {
        for (const window of [1, 5, 64]) {
          for (const name of SIGNALS) {
            const spec: StageSpec = { name: stage, params: { window } };
            const a = signal(name, 777 * channels, 1 + channels);
            const b = signal(name, 1025 * channels, 2 + channels);
            const c = signal(name, 333 * channels, 3 + channels);
            const ts = jsBackend.createKernel(spec, channels);
            run(ts, a);
            const expectedB = run(ts, b);
            const expectedC = run(ts, c);
            for (const simd of paths) {
              withPath(simd, () => {
                const what = `${stage} w=${window} ch=${channels} ${name} ${simd}`;
                const first = jsBackend.createKernel(spec, channels);
                run(first, a);
                const nat = backend.createKernel(spec, channels);
                nat.restore(first.snapshot());
                assertIdentical(run(nat, b), expectedB, `${what} native after TypeScript state`);
                const back = jsBackend.createKernel(spec, channels);
                back.restore(nat.snapshot());
                assertIdentical(run(back, c), expectedC, `${what} TypeScript after native state`);
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
            const frames = 140_000;
            const input = signal(name, frames * channels, 99 + channels);
            const expected = run(jsBackend.createKernel(spec, channels), input);
            for (const simd of paths) {
              withPath(simd, () => {
                const kernel = backend.createKernel(spec, channels);
                const output = new Float32Array(input.length);
                const random = rng(window + channels);
                for (let at = 0; at < frames; ) {
                  const n = Math.min(frames - at, 1 + Math.floor(random() * 5000));
                  kernel.process(input.subarray(at * channels, (at + n) * channels), output.subarray(at * channels, (at + n) * channels));
                  at += n;
                }
                assertIdentical(output, expected, `${stage} w=${window} ch=${channels} ${name} ${simd} long`);
              });
            }
          }
        }
      }
    }, 120_000);

    it('restores channels with different counts (a crafted snapshot) like TypeScript', () => {
      const spec: StageSpec = { name: stage, params: { window: 5 } };
      const ts = jsBackend.createKernel(spec, 4);
      const state = new Uint8Array(ts.snapshot());
      const view = new DataView(state.buffer);
      const stride = 16 + 4 * 5;
      [3, 65534, 10, 0].forEach((count, c) => view.setFloat64(8 + c * stride, count, true));
      ts.restore(state);
      const input = signal('noise', 4 * 300, 5);
      const expected = run(ts, input);
      for (const simd of paths) {
        withPath(simd, () => {
          const nat = backend.createKernel(spec, 4);
          nat.restore(state);
          assertIdentical(run(nat, input), expected, `${stage} unequal counts ${simd}`);
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
            const expected = run(ref, input);
            const refState = ref.snapshot();
            for (const simd of paths) {
              withPath(simd, () => {
                const what = `${stage} w=${window} ch=${channels} ${name} n=${frames} ${simd}`;
                const whole = backend.createKernel(spec, channels);
                assertIdentical(run(whole, input), expected, what);
                assertBytes(whole.snapshot(), refState, what);
                const split = backend.createKernel(spec, channels);
                assertIdentical(run(split, input, 37), expected, `${what} split`);
                assertBytes(split.snapshot(), refState, `${what} split`);
                const inPlace = backend.createKernel(spec, channels);
                const buffer = input.slice();
                inPlace.process(buffer, buffer);
                assertIdentical(buffer, expected, `${what} in place`);
              });
            }
          }
        }
      }
    }, 120_000);

    it('rejects foreign or damaged state as SnapshotError, with the TypeScript message for a shape mismatch', () => {
      const spec: StageSpec = { name: stage, params: { window: 5 } };
      const other = jsBackend.createKernel({ name: stage, params: { window: 6 } }, 2).snapshot();
      const [ts, nat] = kernels(spec, 2);
      const tsError = captureError(() => ts.restore(other));
      const natError = captureError(() => nat.restore(other));
      assert.equal(natError.code, 'DSPFN_SNAPSHOT');
      assert.equal(natError.name, 'SnapshotError');
      assert.equal(natError.message, tsError.message);
      assert.throws(() => nat.restore(nat.snapshot().subarray(0, 20)), { code: 'DSPFN_SNAPSHOT' });
      const negative = nat.snapshot();
      new DataView(negative.buffer).setFloat64(8, -1, true);
      assert.throws(() => nat.restore(negative), { code: 'DSPFN_SNAPSHOT' });
      assert.throws(() => nat.process(new Float32Array(3), new Float32Array(3)), { code: 'DSPFN_INVALID_SAMPLES' });
      assert.throws(() => nat.process(new Float64Array(4) as unknown as Float32Array, new Float32Array(4)), {
        code: 'DSPFN_INVALID_SAMPLES',
      });
      const overlap = new Float32Array(8);
      assert.throws(() => nat.process(overlap.subarray(0, 4), overlap.subarray(2, 6)), { code: 'DSPFN_INVALID_SAMPLES' });
    });
  });
}

/** Float64 sums whose mean (or its sqrt) lies within ±20 float64 ulps of a float32 rounding midpoint. */
function midpointSums(n: number, squared: boolean, count: number, seed: number): Float64Array {
  const random = rng(seed);
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

function captureError(body: () => void): Error & { code?: string } {
  try {
    body();
  } catch (error) {
    return error as Error & { code?: string };
  }
  return assert.fail('expected an error');
}

/** 2-channel frames [x, d] with d = h * x + 1% noise, so the filter has something to learn. */
function adaptiveInput(name: SignalName, frames: number, seed: number): Float32Array {
  const x = signal(name, frames, seed);
  const random = rng(seed + 1);
  const h = [0.8, -0.4, 0.25, 0.1, -0.05];
  const out = new Float32Array(frames * 2);
  for (let n = 0; n < frames; n++) {
    let d = 0;
    for (let k = 0; k < h.length && k <= n; k++) d += h[k]! * x[n - k]!;
    out[2 * n] = x[n]!;
    out[2 * n + 1] = d + 0.01 * Math.abs(x[n]!) * (random() * 2 - 1);
  }
  return out;
}

function rms(values: Float32Array, stride: number, offset: number): number {
  let sum = 0;
  let n = 0;
  for (let i = offset; i < values.length; i += stride, n++) sum += values[i]! * values[i]!;
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

/** SIMD NLMS/LMS: each |e_native - e_ts| <= NLMS_BOUND * rms(d) (both NaN counts as equal). */
function assertAdaptiveClose(actual: Float32Array, expected: Float32Array, input: Float32Array, what: string): number {
  const scale = rms(input, 2, 1);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    const diff = Math.abs(a - b);
    if (!(diff <= NLMS_BOUND * scale) && a !== b) assert.fail(`${what}: |${a} - ${b}| > ${NLMS_BOUND} × rms(d) ${scale} at ${i}`);
    if (scale > 0) worst = Math.max(worst, diff / scale);
  }
  return worst;
}

let worstAdaptive = 0;

for (const stage of ['nlms', 'lms'] as const) {
  describe(`${stage}: native vs TypeScript`, () => {
    const ADAPTIVE_SIGNALS: SignalName[] = ['noise', 'dc', 'tiny', 'huge', 'zeros', 'ints', 'sine'];
    for (const taps of TAPS) {
      it(`${taps} taps, all signals and lengths`, () => {
        for (const name of ADAPTIVE_SIGNALS) {
          for (const frames of LENGTHS) {
            const input = adaptiveInput(name, frames, taps * 31 + frames);
            // LMS is stable only for mu < 2 / (taps × power): scale mu to the signal.
            const power = Math.max(rms(input, 2, 0) ** 2, 1e-30);
            const mu = stage === 'nlms' ? 0.5 : 0.1 / (taps * power);
            const spec: StageSpec = { name: stage, params: { taps, mu, eps: 1e-6 } };
            const ref = jsBackend.createKernel(spec, 2);
            const expected = run(ref, input);
            const refState = ref.snapshot();
            for (const simd of paths) {
              withPath(simd, () => {
                const what = `${stage} taps=${taps} ${name} n=${frames} ${simd}`;
                const whole = backend.createKernel(spec, 2);
                const actual = run(whole, input);
                const split = backend.createKernel(spec, 2);
                const actualSplit = run(split, input, frames >> 1);
                if (simd === 'scalar') {
                  assertIdentical(actual, expected, what);
                  assertIdentical(actualSplit, expected, `${what} split`);
                  assertBytes(whole.snapshot(), refState, what);
                  assertBytes(split.snapshot(), refState, `${what} split`);
                } else {
                  worstAdaptive = Math.max(worstAdaptive, assertAdaptiveClose(actual, expected, input, what));
                  assertAdaptiveClose(actualSplit, expected, input, `${what} split`);
                  // Same layout and the same count and history; weights within the bound.
                  const state = whole.snapshot();
                  assert.equal(state.length, refState.length);
                  assertBytes(state.subarray(0, 16), refState.subarray(0, 16), `${what} header`);
                  assertBytes(state.subarray(16 + 4 * taps), refState.subarray(16 + 4 * taps), `${what} history`);
                }
                const inPlace = backend.createKernel(spec, 2);
                const buffer = input.slice();
                inPlace.process(buffer, buffer.subarray(0, frames));
                assertIdentical(buffer.subarray(0, frames), actual, `${what} in place`);
              });
            }
          }
        }
      });
    }

    it('snapshots cross-restore: TypeScript → native → TypeScript', () => {
      for (const taps of [1, 5, 16, 33]) {
        const spec: StageSpec = { name: stage, params: { taps, mu: stage === 'nlms' ? 0.3 : 0.002, eps: 1e-6 } };
        const a = adaptiveInput('noise', 500, taps);
        const b = adaptiveInput('noise', 700, taps + 1);
        const c = adaptiveInput('noise', 300, taps + 2);
        const ts = jsBackend.createKernel(spec, 2);
        run(ts, a);
        const expectedB = run(ts, b);
        const expectedC = run(ts, c);
        const finalState = ts.snapshot();
        for (const simd of paths) {
          withPath(simd, () => {
            const what = `${stage} taps=${taps} ${simd}`;
            const first = jsBackend.createKernel(spec, 2);
            run(first, a);
            const nat = backend.createKernel(spec, 2);
            nat.restore(first.snapshot());
            const outB = run(nat, b);
            const back = jsBackend.createKernel(spec, 2);
            back.restore(nat.snapshot());
            const outC = run(back, c);
            if (simd === 'scalar') {
              assertIdentical(outB, expectedB, `${what} native after TypeScript state`);
              assertIdentical(outC, expectedC, `${what} TypeScript after native state`);
              assertBytes(back.snapshot(), finalState, what);
            } else {
              assertAdaptiveClose(outB, expectedB, b, `${what} native after TypeScript state`);
              assertAdaptiveClose(outC, expectedC, c, `${what} TypeScript after native state`);
            }
          });
        }
      }
    });

    it('a long run stays within the bound (SIMD) and identical (scalar)', () => {
      const spec: StageSpec = { name: stage, params: { taps: 32, mu: stage === 'nlms' ? 0.2 : 0.001, eps: 1e-6 } };
      const input = adaptiveInput('noise', 50_000, 7);
      const expected = run(jsBackend.createKernel(spec, 2), input);
      for (const simd of paths) {
        withPath(simd, () => {
          const actual = run(backend.createKernel(spec, 2), input);
          if (simd === 'scalar') assertIdentical(actual, expected, `${stage} long scalar`);
          else worstAdaptive = Math.max(worstAdaptive, assertAdaptiveClose(actual, expected, input, `${stage} long ${simd}`));
        });
      }
    }, 120_000);
  });
}

describe('moving stages: output rounding', () => {
  it('matches TypeScript at float32 rounding midpoints (the reciprocal fast path must fall back)', () => {
    const extremes = [0, -0, 1e-300, -1e-300, 1e-45, 3.4e38 * 3, 1e300, -5, Infinity, -Infinity, NaN];
    for (const squared of [false, true]) {
      for (const n of [1, 2, 3, 5, 7, 10, 64, 1000, 65535]) {
        const sums = Float64Array.from([...midpointSums(n, squared, 4000, n + (squared ? 1 : 0)), ...extremes]);
        const expected = sums.map((s) => (squared ? Math.fround(Math.sqrt((s > 0 ? s : 0) / n)) : Math.fround(s / n)));
        const expected32 = Float32Array.from(expected);
        for (const simd of paths) {
          withPath(simd, () => {
            const actual = new Float32Array(sums.length);
            addon.testOutputs(sums, n, squared, actual);
            assertIdentical(actual, expected32, `${squared ? 'rms' : 'movingAverage'} outputs n=${n} ${simd}`);
          });
        }
      }
    }
  });
});

describe('pipelines', () => {
  it('movingAverage(10) → rms(5): native and TypeScript pipeline snapshots are byte-identical and cross-restore', () => {
    const spec = pipeline({ channels: 3 }).movingAverage({ window: 10 }).rms({ window: 5 });
    const a = signal('noise', 3 * 1024, 1);
    const b = signal('noise', 3 * 999, 2);
    for (const simd of paths) {
      withPath(simd, () => {
        const ts = spec.create(jsBackend);
        const nat = spec.create(backend);
        ts.markAbsorbed('t', 0, 41);
        nat.markAbsorbed('t', 0, 41);
        assertIdentical(nat.process(a), ts.process(a), `pipeline ${simd}`);
        assertBytes(nat.snapshot(), ts.snapshot(), `pipeline ${simd}`);
        const moved = spec.create(backend);
        moved.restore(ts.snapshot());
        const back = spec.create(jsBackend);
        back.restore(nat.snapshot());
        const expected = ts.process(b);
        assertIdentical(moved.process(b), expected, `pipeline restored on native ${simd}`);
        assertIdentical(back.process(b), expected, `pipeline restored on TypeScript ${simd}`);
      });
    }
  });
});

describe('loader', () => {
  const key = `${process.platform}-${process.arch}`;

  it('names the platform, what was tried and the fix when DSPFN_NATIVE_PATH is wrong', () => {
    const bad = path.join(os.tmpdir(), 'dspfn-no-such-dir', 'dspfn_dsp.node');
    const error = captureError(() => loadNative({ env: { DSPFN_NATIVE_PATH: bad } }));
    assert.ok(error instanceof NativeLoadError);
    assert.equal(error.code, 'DSPFN_NATIVE');
    assert.match(error.message, new RegExp(`for ${key} \\(Node\\.js`));
    assert.ok(error.message.includes(bad), 'names the path tried');
    assert.ok(error.message.includes('npm run build:layer'), 'names the build command');
    assert.ok(error.message.includes('DSPFN_BACKEND=js'), 'names the TypeScript fallback');
    assert.ok(error.message.includes('DSPFN_NATIVE_PATH'), 'names the variable to fix');
  });

  it('lists every source it tried and explains a file that is not the module', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dspfn-prebuilds-'));
    fs.mkdirSync(path.join(dir, key));
    fs.writeFileSync(path.join(dir, key, 'dspfn_dsp.node'), 'not an ELF file');
    try {
      const error = captureError(() => loadNative({ env: {}, prebuildDir: dir, packageName: '@dspfn/no-such-package' }));
      assert.ok(error instanceof NativeLoadError);
      assert.ok(error.message.includes(path.join(dir, key, 'dspfn_dsp.node')));
      assert.ok(error.message.includes('@dspfn/no-such-package'));
      assert.ok(error.cause instanceof AggregateError && error.cause.errors.length === 2);
      const lambda = captureError(() =>
        loadNative({ env: { AWS_LAMBDA_FUNCTION_NAME: 'f' }, prebuildDir: dir, packageName: '@dspfn/no-such-package' }),
      );
      assert.ok(lambda.message.includes('/opt/nodejs/node_modules/@dspfn/dsp-native'), 'Lambda: names the layer');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('honours DSPFN_BACKEND', () => {
    assert.equal(resolveBackend({ DSPFN_BACKEND: 'js' }).name, 'js');
    assert.equal(resolveBackend({ DSPFN_BACKEND: 'native' }).name, 'native');
    assert.equal(resolveBackend({}).name, 'native');
    assert.throws(() => resolveBackend({ DSPFN_BACKEND: 'fast' }), { code: 'DSPFN_CONFIG' });
  });

  it('reports the worst SIMD NLMS/LMS deviation seen', () => {
    console.log(`[dspfn native] worst SIMD nlms/lms |e_native - e_ts| / rms(d): ${worstAdaptive.toExponential(2)} (bound ${NLMS_BOUND})`);
  });
});
