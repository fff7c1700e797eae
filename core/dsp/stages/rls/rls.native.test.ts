/**
 * What is special to rls natively: its SIMD paths run along the rows of P, fused with the next
 * frame's P·u inside a call, so every tap count around the vector widths, calls of 1 frame (never
 * fused) and the guards' paths (a reset on an indefinite P, the trace cap on a silent reference, a
 * non-finite frame) must give TypeScript's bits on every path, outputs and snapshots.
 */
import { jsBackend } from '../../backend.ts';
import { assertSameBytes, assertSameSamples, runChunks } from '../../../../test/conformance/checks.ts';
import { native, onPath, paths } from '../../../../test/conformance/native.ts';
import { describe, it } from '../../../../test/conformance/runner.ts';
import { signal } from '../../../../test/conformance/signals.ts';
import { adaptiveInput } from '../families/adaptive-filter/adaptive-filter.reference.ts';
import type { StageSpec } from '../catalogue.ts';
import type { StageKernel } from '../kernel.ts';

const TAPS = [1, 2, 3, 4, 5, 7, 9, 16, 17, 33];
const LENGTHS = [1, 1, 2, 3, 40, 1, 7, 60, 5];
const FRAMES = LENGTHS.reduce((a, b) => a + b, 0);

function spec(taps: number, lambda: number, delta: number): StageSpec {
  return { name: 'rls', params: { taps, lambda, delta } };
}

/** TypeScript, then every native path, from the same state on the same input: identical bits. */
function assertPaths(s: StageSpec, input: Float32Array, what: string, prepare?: (k: StageKernel) => void): void {
  const ts = jsBackend.createKernel(s, 2);
  prepare?.(ts);
  const expected = runChunks(ts, input, { lengths: LENGTHS, what });
  for (const path of paths) {
    onPath(path, () => {
      const k = native.createKernel(s, 2);
      prepare?.(k);
      assertSameSamples(runChunks(k, input, { lengths: LENGTHS, what: `${what} ${path}` }), expected, `${what} ${path}`);
      assertSameBytes(k.snapshot(), ts.snapshot(), `${what} ${path}`);
    });
  }
}

describe('rls: native paths along the rows of P', () => {
  it('every tap count around the vector widths, in calls of 1 … 60 frames', () => {
    for (const taps of TAPS) {
      const input = adaptiveInput(signal('noise', FRAMES, 2, taps));
      assertPaths(spec(taps, 0.98, 0.1), input, `taps=${taps}`);
    }
  });

  it('the guards: a silent reference (trace cap), an indefinite P (reset), a non-finite frame', () => {
    const silent = new Float32Array(2 * FRAMES);
    for (let n = 0; n < FRAMES; n++) silent[2 * n + 1] = Math.sin(n);
    assertPaths(spec(9, 0.9, 1), silent, 'silent reference');

    const input = adaptiveInput(signal('sine', FRAMES, 2, 3));
    input[2 * 50] = Number.NaN;
    input[2 * 90 + 1] = Number.POSITIVE_INFINITY;
    assertPaths(spec(5, 0.99, 0.01), input, 'non-finite frames');

    // P = [[1, 5], [5, 1]]: indefinite, with a positive diagonal (restore accepts it).
    const warm = jsBackend.createKernel(spec(2, 1, 1), 2);
    warm.process(Float32Array.of(0.5, 0.2, -0.25, 0.1), new Float32Array(2));
    const state = warm.snapshot();
    const view = new DataView(state.buffer, state.byteOffset);
    view.setFloat64(16 + 16 + 8, 1, true);
    view.setFloat64(16 + 16 + 8 + 8, 5, true);
    view.setFloat64(16 + 16 + 8 + 16, 1, true);
    const probe = adaptiveInput(signal('noise', FRAMES, 2, 4));
    probe[0] = 1;
    probe[2] = -1;
    assertPaths(spec(2, 1, 1), probe, 'indefinite P', (k) => k.restore(state));
  });
});
