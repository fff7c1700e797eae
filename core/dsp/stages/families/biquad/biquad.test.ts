/**
 * What is special to the IIR stages in TypeScript, beyond the conformance suite: the stages end to
 * end against scipy (sosfilt and lfilter outputs on a fixed input, from
 * core/dsp/design/fixtures/generate.py) on one channel (the look-ahead form) and on three (direct
 * form I), and refusals at cold start: unstable filters, bad designs and unknown keys are
 * ConfigErrors naming the stage.
 */
import { describe, expect, it } from 'vitest';
import data from '../../../design/fixtures/scipy-designs.json' with { type: 'json' };
import { ConfigError } from '../../../../errors.ts';
import { jsBackend } from '../../../backend.ts';
import { pipeline } from '../../../pipeline.ts';
import type { StageSpec } from '../../catalogue.ts';
import { descriptorOf } from '../../catalogue.ts';

const input = Float32Array.from(data.filtered.input);

/** The stage's float32 output for `input` on `channels` identical channels, channel 0. */
function run(spec: StageSpec, channels: number): Float32Array {
  const kernel = jsBackend.createKernel(spec, channels);
  const interleaved = new Float32Array(input.length * channels);
  for (let i = 0; i < input.length; i++) for (let c = 0; c < channels; c++) interleaved[i * channels + c] = input[i]!;
  const out = new Float32Array(interleaved.length);
  kernel.process(interleaved, out);
  return Float32Array.from({ length: input.length }, (_, i) => out[i * channels]!);
}

function spec(name: string, options: object): StageSpec {
  return { name, params: descriptorOf(name)!.options.parse(options) } as StageSpec;
}

/** Every output within float32 rounding of scipy's float64 output (plus 1e-12 of the peak for the form's own rounding). */
function expectClose(got: Float32Array, want: readonly number[]): void {
  const peak = Math.max(...want.map(Math.abs));
  want.forEach((w, i) => {
    expect(Math.abs(got[i]! - w), `sample ${i}`).toBeLessThanOrEqual(Math.abs(w) * 2 ** -24 + 1e-12 * peak);
  });
}

describe('IIR stages against scipy', () => {
  for (const channels of [1, 3]) {
    it(`butterworth equals scipy.signal.sosfilt(butter(…, output='sos')) on ${channels} channel(s)`, () => {
      for (const c of data.filtered.sos) {
        const options = { type: c.type, order: c.order, cutoff: c.cutoff, sampleRate: c.sampleRate };
        expectClose(run(spec('butterworth', options), channels), c.output);
      }
    });

    it(`iir equals scipy.signal.lfilter(b, a) on ${channels} channel(s): order 1 to 16, a[0] ≠ 1, b[0] = 0, FIR-only`, () => {
      for (const c of data.filtered.ba) {
        const got = run(spec('iir', { b: c.b, a: c.a }), channels);
        // The 16th-order (b, a) is ill-conditioned: lfilter's own direct form loses digits there.
        const bound = c.b.length > 10 ? 1e-6 : 0;
        const peak = Math.max(...c.output.map(Math.abs));
        if (bound > 0) c.output.forEach((w, i) => expect(Math.abs(got[i]! - w)).toBeLessThanOrEqual(bound * peak));
        else expectClose(got, c.output);
      }
    });
  }
});

describe('IIR stages refuse what they cannot run, at cold start', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['an unstable biquad section', () => pipeline().biquad({ sections: [{ b0: 1, b1: 0, b2: 0, a1: -2.1, a2: 1.2 }] }), /biquad.*not stable/],
    ['a pole on the unit circle', () => pipeline().biquad({ sections: [{ b0: 1, b1: 0, b2: 0, a1: 0, a2: 1 }] }), /biquad.*not stable/],
    ['an unstable iir', () => pipeline().iir({ b: [1], a: [1, -1.5] }), /iir.*not stable/],
    ['an unstable high-order iir', () => pipeline().iir({ b: [1, 0, 0, 0], a: [1, -3, 3.2, -1.1] }), /iir.*not stable/],
    ['a[0] = 0', () => pipeline().iir({ b: [1], a: [0, 1] }), /iir.*a\[0\] must not be 0/],
    ['an all-zero numerator', () => pipeline().iir({ b: [0, 0], a: [1] }), /iir.*nonzero/],
    ['a notch scipy designs unstable (q too low near Nyquist)', () => pipeline().notch({ frequency: 20_000, q: 0.5, sampleRate: 44_100 }), /notch.*not stable/],
    ['a cutoff at Nyquist', () => pipeline().butterworth({ type: 'lowpass', order: 2, cutoff: 500, sampleRate: 1000 }), /butterworth.*sampleRate\/2/],
    ['one cutoff for a band', () => pipeline().chebyshev1({ type: 'bandpass', order: 2, cutoff: 100, rippleDb: 1, sampleRate: 1000 }), /chebyshev1.*\[low, high\]/],
    ['a frequency above Nyquist', () => pipeline().peakingEq({ frequency: 600, q: 1, gainDb: 3, sampleRate: 1000 }), /peakingEq.*sampleRate\/2/],
    ['an unknown key', () => pipeline().lowShelf({ frequency: 100, q: 1, gainDb: 3, sampleRate: 1000, slope: 1 } as never), /lowShelf/],
    ['order 0', () => pipeline().butterworth({ type: 'highpass', order: 0, cutoff: 100, sampleRate: 1000 }), /butterworth/],
    ['a ripple of 0 dB', () => pipeline().chebyshev1({ type: 'lowpass', order: 2, cutoff: 100, rippleDb: 0, sampleRate: 1000 }), /chebyshev1/],
  ];
  it.each(cases)('%s', (_what, build, message) => {
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(message);
  });

  it('designs once: the params are the sections, so the configuration hash pins the coefficients', () => {
    const spec = pipeline().butterworth({ type: 'lowpass', order: 4, cutoff: 1000, sampleRate: 48_000 });
    const params = spec.stages[0]!.params as { sections: unknown[] };
    expect(params.sections).toHaveLength(2);
    expect(spec.description).toContain('"b0"');
  });
});
