/**
 * What is special to fir in TypeScript, beyond the conformance suite: a design through the stage's
 * options gives scipy.signal.firwin's taps (the checked-in fixtures, in Hz), and every design or
 * coefficient scipy or the stage refuses is a ConfigError naming the stage, at declaration.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../errors.ts';
import { pipeline } from '../../pipeline.ts';
import fixtures from '../../design/fixtures/firwin.json' with { type: 'json' };
import { fir } from './fir.stage.ts';

type Options = Parameters<ReturnType<typeof pipeline>['fir']>[0];

function configError(options: unknown): ConfigError {
  try {
    pipeline().fir(options as Options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`fir(${JSON.stringify(options)}) was accepted`);
}

describe('fir design', () => {
  it('equals scipy.signal.firwin within 1e-9 for every fixture design the stage takes (cutoffs in Hz)', () => {
    let checked = 0;
    for (const c of fixtures.cases) {
      if (!('coefficients' in c) || c.taps > 4096) continue;
      const design = { type: c.type, cutoff: c.cutoff, taps: c.taps, window: c.window, sampleRate: c.sampleRate };
      const { coefficients } = fir.options.parse({ design }) as { coefficients: number[] };
      expect(coefficients.length).toBe(c.coefficients!.length);
      coefficients.forEach((h, i) => {
        if (!(Math.abs(h - c.coefficients![i]!) <= 1e-9)) expect.fail(`${JSON.stringify(design)}: tap ${i} is ${h}, scipy ${c.coefficients![i]}`);
      });
      checked++;
    }
    expect(checked).toBeGreaterThan(250);
  });

  it('refuses, as a ConfigError naming fir, every design scipy refuses', () => {
    for (const c of fixtures.cases) {
      if (!('error' in c)) continue;
      const error = configError({ design: { type: c.type, cutoff: c.cutoff, taps: c.taps, window: c.window, sampleRate: c.sampleRate } });
      expect(error.stage).toBe('fir');
      expect(error.message).toMatch(/^invalid fir options: /);
    }
  });

  it('says why, in words', () => {
    const design = { type: 'lowpass', cutoff: 100, taps: 51, sampleRate: 1000 };
    expect(configError({ design: { ...design, type: 'highpass', taps: 50 } }).message).toMatch(/highpass filter needs an odd number of taps/);
    expect(configError({ design: { ...design, cutoff: 500 } }).message).toMatch(/less than half the sampling rate \(500\)/);
    expect(configError({ design: { ...design, type: 'bandpass', cutoff: [200, 100] } }).message).toMatch(/strictly increasing/);
    expect(configError({ design: { ...design, type: 'bandpass' } }).message).toMatch(/bandpass filter takes a \[low, high\] cutoff pair/);
    expect(configError({ design: { ...design, cutoff: [100, 200] } }).message).toMatch(/lowpass filter takes one cutoff frequency/);
    expect(configError({ design: { ...design, window: 'hann', taps: 2 } }).message).toMatch(/no gain at the centre of its passband/);
    expect(configError({ design: { ...design, window: { kaiser: -1 } } }).message).toMatch(/design\.window/);
    expect(configError({ design: { ...design, window: 'triangle' } }).message).toMatch(/'hamming', 'hann', 'blackman', 'rectangular' or \{ kaiser: beta \}/);
    expect(configError({ design: { ...design, taps: 4097 } }).message).toMatch(/design\.taps/);
    expect(configError({ design: { ...design, sampleRate: 0 } }).message).toMatch(/design\.sampleRate/);
    expect(configError({ design: { ...design, order: 4 } }).message).toMatch(/order/);
    expect(configError({ design, coefficients: [1] }).message).toMatch(/either coefficients or design/);
    expect(configError({}).message).toMatch(/either coefficients or design/);
    expect(configError({ coefficients: [] }).message).toMatch(/coefficients/);
    expect(configError({ coefficients: [1, Number.NaN] }).message).toMatch(/coefficients\.1/);
    expect(configError({ coefficients: [1, Number.POSITIVE_INFINITY] }).message).toMatch(/coefficients\.1/);
    expect(configError({ coefficients: new Array(4097).fill(0) }).message).toMatch(/coefficients/);
    expect(configError({ coefficients: [1], gain: 2 }).message).toMatch(/gain/);
  });

  it('defaults the window to Hamming, as scipy does', () => {
    const design = { type: 'lowpass', cutoff: 100, taps: 31, sampleRate: 1000 } as const;
    expect(fir.options.parse({ design })).toEqual(fir.options.parse({ design: { ...design, window: 'hamming' } }));
  });

  it('keeps only the coefficients as params: the configuration hash is the filter, however it was given', () => {
    const design = { type: 'bandpass', cutoff: [50, 150], taps: 21, window: { kaiser: 6 }, sampleRate: 1000 } as const;
    const designed = pipeline().fir({ design });
    const { coefficients } = fir.options.parse({ design }) as { coefficients: number[] };
    expect(designed.stages[0]!.params).toEqual({ coefficients });
    expect(pipeline().fir({ coefficients }).configHash).toBe(designed.configHash);
  });

  it('filters: a 1 Hz tone passes a 10 Hz low-pass and a 200 Hz tone is attenuated by > 40 dB', () => {
    const spec = pipeline().fir({ design: { type: 'lowpass', cutoff: 10, taps: 101, window: 'blackman', sampleRate: 1000 } });
    const gain = (hz: number) => {
      const x = Float32Array.from({ length: 4000 }, (_, n) => Math.sin((2 * Math.PI * hz * n) / 1000));
      const y = spec.create().process(x);
      let px = 0;
      let py = 0;
      for (let n = 1000; n < 4000; n++) {
        px += x[n]! * x[n]!;
        py += y[n]! * y[n]!;
      }
      return 10 * Math.log10(py / px);
    };
    expect(Math.abs(gain(1))).toBeLessThan(0.1);
    expect(gain(200)).toBeLessThan(-40);
  });
});
