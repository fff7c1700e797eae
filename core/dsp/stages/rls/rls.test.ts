/**
 * What is special to rls beyond the conformance suite: it identifies an echo path, its P stays
 * exactly symmetric, and the guards hold — a silent reference does not wind P up, an indefinite P
 * is reset, a non-finite frame costs only the frames whose history holds it.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../testing/random.ts';
import { RlsKernel, type RlsParams } from './rls.kernel.ts';

/** [x, d] frames: x uniform noise, d = h * x + noise·x₂. */
function echo(frames: number, h: readonly number[], noise: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const x = Float32Array.from({ length: frames }, () => random() * 2 - 1);
  const out = new Float32Array(2 * frames);
  for (let n = 0; n < frames; n++) {
    let d = 0;
    for (let k = 0; k < h.length && k <= n; k++) d += h[k]! * x[n - k]!;
    out[2 * n] = x[n]!;
    out[2 * n + 1] = d + noise * (random() * 2 - 1);
  }
  return out;
}

function run(kernel: RlsKernel, input: Float32Array): Float32Array {
  const out = new Float32Array(input.length / 2);
  kernel.process(input, out);
  return out;
}

/** The kernel's P (row-major), for checks the snapshot's upper triangle cannot show. */
function matrixOf(kernel: RlsKernel): Float64Array {
  return (kernel as unknown as { p: Float64Array }).p;
}

function rms(values: Float32Array): number {
  return Math.sqrt(values.reduce((acc, v) => acc + v * v, 0) / values.length);
}

const H = [0.8, -0.4, 0.25, 0.1, -0.05];

describe('rls', () => {
  it('identifies an echo path: the error falls to the float32 floor in a few filter lengths', () => {
    const kernel = new RlsKernel({ taps: 8, lambda: 0.999, delta: 1e-6 });
    const input = echo(400, H, 0, 1);
    const e = run(kernel, input);
    expect(e[0]).toBe(input[1]); // w starts at 0: the first error is d itself
    // (delta biases the early solution by about delta/(n·power): a small delta, a small bias.)
    expect(rms(e.subarray(100))).toBeLessThan(1e-6);
  });

  it('tracks the noise floor of a noisy echo', () => {
    const kernel = new RlsKernel({ taps: 8, lambda: 0.99, delta: 0.01 });
    const e = run(kernel, echo(4000, H, 0.01, 2));
    // The residual is the added noise: uniform ±0.01 has rms 0.0058.
    expect(rms(e.subarray(1000))).toBeGreaterThan(0.004);
    expect(rms(e.subarray(1000))).toBeLessThan(0.0075);
  });

  it('keeps P exactly symmetric over a long run with forgetting', () => {
    const L = 12;
    const kernel = new RlsKernel({ taps: L, lambda: 0.95, delta: 0.1 });
    run(kernel, echo(20_000, H, 0.05, 3));
    const p = matrixOf(kernel);
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < i; j++) expect(Object.is(p[i * L + j], p[j * L + i]), `P[${i}][${j}]`).toBe(true);
    }
  });

  it('does not wind up on a silent reference: the trace stays at most L/delta and it re-converges after', () => {
    const params: RlsParams = { taps: 4, lambda: 0.9, delta: 0.5 };
    const kernel = new RlsKernel(params);
    run(kernel, echo(500, H, 0, 4));
    // 20,000 frames of x = 0: P would grow by 1/0.9 per frame, past 1e308 within 7,000.
    run(kernel, new Float32Array(2 * 20_000));
    const p = matrixOf(kernel);
    let trace = 0;
    for (let i = 0; i < params.taps; i++) trace += p[i * params.taps + i]!;
    expect(trace).toBeGreaterThan(0);
    expect(trace).toBeLessThanOrEqual(params.taps / params.delta);
    expect(p.every(Number.isFinite)).toBe(true);
    const e = run(kernel, echo(600, H.slice(0, 4), 0, 5));
    expect(rms(e.subarray(200))).toBeLessThan(1e-6);
  });

  it('resets an indefinite P to I/delta and carries on', () => {
    const kernel = new RlsKernel({ taps: 2, lambda: 1, delta: 1 });
    run(kernel, echo(10, [0.5], 0, 6));
    // A state no kernel makes but a damaged store could hold: P = [[1, 5], [5, 1]] (indefinite;
    // its diagonal is positive, so restore accepts it).
    const state = kernel.snapshot();
    const view = new DataView(state.buffer, state.byteOffset);
    const triangle = 16 + 8 * 2 + 4 * 2;
    view.setFloat64(triangle, 1, true);
    view.setFloat64(triangle + 8, 5, true);
    view.setFloat64(triangle + 16, 1, true);
    kernel.restore(state);
    // u = [1, −1]: u·P·u = 1 − 10 + 1 < 0, so guard 4 resets P before the update.
    const e = run(kernel, Float32Array.of(1, 0.5, -1, -0.5, 0.25, 0.125));
    expect(e.every(Number.isFinite)).toBe(true);
    const p = matrixOf(kernel);
    expect(p[0]! > 0 && p[3]! > 0).toBe(true);
    expect(Math.abs(p[1]!)).toBeLessThan(1);
  });

  it('a non-finite frame outputs a non-finite error for the L frames that hold it, and leaves the filter alone', () => {
    const L = 6;
    const clean = echo(1000, H, 0, 7);
    const dirty = clean.slice();
    dirty[2 * 600] = Number.NaN;
    const a = new RlsKernel({ taps: L, lambda: 0.999, delta: 1e-6 });
    const b = new RlsKernel({ taps: L, lambda: 0.999, delta: 1e-6 });
    const ea = run(a, clean);
    const eb = run(b, dirty);
    for (let n = 600; n < 600 + L; n++) expect(Number.isNaN(eb[n]!), `frame ${n}`).toBe(true);
    expect(Number.isFinite(eb[600 + L]!)).toBe(true);
    // The weights were left alone: afterwards the error is as small as without the bad sample.
    expect(rms(eb.subarray(700))).toBeLessThan(1e-6);
    expect(rms(ea.subarray(700))).toBeLessThan(1e-6);
  });
});
