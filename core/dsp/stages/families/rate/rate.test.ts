/**
 * What is special to decimate, interpolate and resample beyond the conformance suite: their taps
 * and outputs against scipy (checked-in fixtures: firwin designs, upfirdn outputs), a kept sample's
 * phase across every split point, the first-sample time of each output block (the float64 nearest
 * to the exact time), the refused options, and the function's view (ctx.sampleRate/timestamp, the
 * f32le headers, no message for a record that keeps no sample).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../errors.ts';
import { defineFunction } from '../../../../handler/define-function.ts';
import { testHarness } from '../../../../testing/harness.ts';
import { jsBackend } from '../../../backend.ts';
import { pipeline, type PipelineSpec } from '../../../pipeline.ts';
import fixtures from './fixtures/rate.json' with { type: 'json' };
import { outputsAfter } from './rate.reference.ts';

type Stage = 'decimate' | 'interpolate' | 'resample';

function spec(stage: Stage, options: object, channels = 1): PipelineSpec {
  return pipeline({ channels })[stage](options as never);
}

function configError(stage: Stage, options: object): ConfigError {
  try {
    spec(stage, options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${stage}(${JSON.stringify(options)}) was accepted`);
}

/** The two fixture channels interleaved, as float32. */
const fixtureInput = Float32Array.from({ length: 2 * fixtures.input[0]!.length }, (_, i) => fixtures.input[i % 2]![i >> 1]!);

/** Runs `input` in calls of `cuts` through snapshots (a fresh pipeline per call), times and all. */
function runSplit(s: PipelineSpec, input: Float32Array, cuts: readonly number[], rate: number, t0: number) {
  const C = s.channels;
  const frames = input.length / C;
  const blocks: { start: number; frames: number; timestamp: number | undefined; sampleRate: number | undefined; samples: Float32Array }[] = [];
  let state: Uint8Array | undefined;
  let at = 0;
  for (const end of [...cuts, frames]) {
    const p = s.create(jsBackend);
    if (state) p.restore(state);
    const out = p.run(input.subarray(at * C, end * C), { timestamp: t0 + (at * 1000) / rate, sampleRate: rate });
    blocks.push({ start: at, frames: out.frames, timestamp: out.timestamp, sampleRate: out.sampleRate, samples: out.samples.slice() });
    state = p.snapshot();
    at = end;
  }
  return blocks;
}

function joined(parts: readonly Float32Array[]): Float32Array {
  return Float32Array.from(parts.flatMap((p) => [...p]));
}

/** A finite double as an exact fraction num/den (den a power of two). */
function rational(d: number): [bigint, bigint] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (exponent !== 0) mantissa |= 1n << 52n;
  const e = (exponent === 0 ? 1 : exponent) - 1075;
  const sign = bits >> 63n === 1n ? -1n : 1n;
  return e >= 0 ? [sign * mantissa * (1n << BigInt(e)), 1n] : [sign * mantissa, 1n << BigInt(-e)];
}

/** The next double above a positive finite t. */
function nextUp(t: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, t);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

/** Whether t (positive, normal) is the float64 nearest to num/den: |t − num/den| ≤ ulp(t)/2. */
function isNearest(t: number, num: bigint, den: bigint): boolean {
  const [tn, td] = rational(t);
  const ulp = rational(nextUp(t) - t); // the spacing of doubles at t (exact: a power of two)
  // |tn/td − num/den| ≤ (ulp.n/ulp.d)/2  ⇔  2·|tn·den − num·td|·ulp.d ≤ ulp.n·td·den
  const diff = tn * den - num * td;
  return 2n * (diff < 0n ? -diff : diff) * ulp[1] <= ulp[0] * td * den;
}

describe('rate changers against scipy (fixtures/rate.json)', () => {
  it(`designs scipy's taps: decimate firwin(taps, 0.8/factor, window), interpolate factor·firwin(taps, 1/factor), resample up·firwin(taps, 1/max, ('kaiser', 5)), up/down reduced (${fixtures.generator})`, () => {
    for (const c of fixtures.cases) {
      const [stage] = spec(c.stage as Stage, c.options).stages;
      const params = stage!.params as { coefficients: number[]; up?: number; down?: number };
      expect(params.coefficients.length, JSON.stringify(c.options)).toBe(c.coefficients.length);
      params.coefficients.forEach((h, i) => {
        if (!(Math.abs(h - c.coefficients[i]!) <= 1e-12 * c.up)) expect.fail(`${c.stage}(${JSON.stringify(c.options)}): tap ${i} is ${h}, scipy ${c.coefficients[i]}`);
      });
      if (c.stage === 'resample') expect([params.up, params.down]).toEqual([c.up, c.down]);
    }
  });

  it('gives upfirdn(h, x, up, down) (causal, no delay compensation) on two channels, split at odd points through snapshots', () => {
    for (const c of fixtures.cases) {
      const what = `${c.stage}(${JSON.stringify(c.options)})`;
      const blocks = runSplit(spec(c.stage as Stage, c.options, 2), fixtureInput, [1, 8, 11, 100, 101, 163], 1000, 0);
      const out = joined(blocks.map((b) => b.samples));
      const outputs = outputsAfter(fixtures.input[0]!.length, c.up, c.down);
      expect(out.length, what).toBe(2 * outputs);
      expect(c.output[0]!.length, what).toBe(outputs);
      for (let m = 0; m < outputs; m++) {
        for (let ch = 0; ch < 2; ch++) {
          const expected = c.output[ch]![m]!;
          const actual = out[2 * m + ch]!;
          // float32 rounding of the output, on the scale of the signal (peak 1).
          if (!(Math.abs(actual - expected) <= 1e-7 * (Math.abs(expected) + 1))) expect.fail(`${what}: output ${m} channel ${ch} is ${actual}, scipy ${expected}`);
        }
      }
    }
  });
});

describe('rate changers: a kept sample across a split', () => {
  const cases: [Stage, object, number, number][] = [
    ['decimate', { factor: 5, taps: 12 }, 1, 5],
    ['resample', { up: 3, down: 2, taps: 13 }, 3, 2],
    ['resample', { up: 2, down: 7, taps: 15 }, 2, 7],
    ['interpolate', { factor: 3, taps: 8 }, 3, 1],
  ];
  for (const [stage, options, up, down] of cases) {
    it(`${stage}(${JSON.stringify(options)}): every split point of the first 30 samples gives the whole output, the second part starting at its first kept sample`, () => {
      const s = spec(stage, options, 2);
      const input = Float32Array.from({ length: 2 * 60 }, (_, i) => Math.sin(i * 0.37) + (i % 2) * 0.5);
      const whole = s.create(jsBackend).run(input, { timestamp: 0, sampleRate: 1000 });
      for (let split = 0; split <= 30; split++) {
        const [first, second] = runSplit(s, input, [split], 1000, 0);
        expect(joined([first!.samples, second!.samples])).toEqual(whole.samples);
        // The second part's first output is output m0 = ⌈split·up/down⌉, at input frame m0·down/up.
        const m0 = outputsAfter(split, up, down);
        expect(first!.frames).toBe(m0);
        expect(second!.frames).toBe(whole.frames - m0);
        const position = (m0 * down) / up - split; // input frames after the call's first frame
        expect(Math.abs(second!.timestamp! - (split + position))).toBeLessThanOrEqual(1e-12);
      }
    });
  }
});

describe('rate changers: output timing', () => {
  const t0 = 1_700_000_000_123.25;
  const cases: [Stage, object, number, number, number][] = [
    ['decimate', { factor: 4 }, 1, 4, 1000],
    ['decimate', { factor: 3, taps: 9 }, 1, 3, 48_000],
    ['interpolate', { factor: 3 }, 3, 1, 44_100],
    ['resample', { up: 3, down: 2 }, 3, 2, 1000],
    ['resample', { up: 160, down: 147, taps: 161 }, 160, 147, 44_100],
  ];
  for (const [stage, options, up, down, rate] of cases) {
    it(`${stage}(${JSON.stringify(options)}) at ${rate} Hz: rate × ${up}/${down}, each block's first-sample time the float64 nearest to the exact time`, () => {
      const input = Float32Array.from({ length: 1000 }, (_, i) => Math.cos(i / 5));
      const cuts = [1, 2, 5, 6, 13, 14, 100, 147, 148, 301, 302, 303, 700, 999];
      const blocks = runSplit(spec(stage, options), input, cuts, rate, t0);
      const [tn, td] = rational(t0);
      let timed = 0;
      for (const b of blocks) {
        if (b.frames === 0) continue;
        expect(b.sampleRate).toBe((rate * up) / down);
        // The record's own timestamp (as given, a double) + the first output's offset, exactly:
        // output m0 = ⌈start·up/down⌉ lies (m0·down − start·up)/up input frames after the record's first.
        const [rn, rd] = rational(t0 + (b.start * 1000) / rate);
        const m0 = BigInt(outputsAfter(b.start, up, down));
        const steps = m0 * BigInt(down) - BigInt(b.start) * BigInt(up); // in 1/up input frames
        const den = rd * BigInt(up) * BigInt(rate);
        const num = rn * BigInt(up) * BigInt(rate) + steps * 1000n * rd;
        if (!isNearest(b.timestamp!, num, den)) expect.fail(`block at input frame ${b.start}: timestamp ${b.timestamp} is not the float64 nearest to ${num}/${den} ms`);
        // and the check has teeth: the next double up is not.
        expect(isNearest(nextUp(b.timestamp!), num, den)).toBe(false);
        timed++;
      }
      expect(timed).toBeGreaterThanOrEqual(8);
      // The first block starts at t0 exactly (output 0 is the key's sample 0).
      expect(blocks[0]!.timestamp).toBe(t0);
      expect(isNearest(t0, tn, td)).toBe(true);
    });
  }

  it('refuses a block without a sample rate (its output could not be timed) before any state changes', () => {
    const p = spec('decimate', { factor: 2 }).create(jsBackend);
    const before = p.snapshot();
    expect(() => p.run(new Float32Array(8), { timestamp: 0, sampleRate: undefined })).toThrow(/decimate changes the frame rate/);
    expect(p.snapshot()).toEqual(before);
  });

  it('times chained rate changes: decimate by 4 then interpolate by 2 runs at rate / 2', () => {
    const chained = pipeline().decimate({ factor: 4 }).interpolate({ factor: 2 });
    const out = chained.create(jsBackend).run(new Float32Array(1000), { timestamp: 5000, sampleRate: 1000 });
    expect(out.sampleRate).toBe(500);
    expect(out.frames).toBe(500);
    expect(out.timestamp).toBe(5000);
  });
});

describe('rate changers: options', () => {
  it('refuses, as a ConfigError naming the stage, what they cannot do', () => {
    expect(configError('decimate', { factor: 1 }).message).toMatch(/^invalid decimate options: /);
    expect(configError('decimate', { factor: 4, sampleRate: 1000 }).stage).toBe('decimate');
    expect(configError('decimate', { factor: 300 }).message).toMatch(/default taps 20·300 \+ 1 = 6001 exceed 4096: give taps/);
    expect(configError('decimate', { factor: 4, window: 'triangle' }).message).toMatch(/'hamming', 'hann'/);
    expect(configError('interpolate', { factor: 2, window: 'hann' }).message).toMatch(/window/);
    expect(configError('interpolate', { factor: 2, taps: 0 }).stage).toBe('interpolate');
    expect(configError('resample', { up: 3, down: 3 }).message).toMatch(/up\/down = 3\/3 is 1: no rate change/);
    expect(configError('resample', { up: 2048, down: 3 }).message).toMatch(/reduces to 2048\/3: each must be at most 1024/);
    expect(configError('resample', { up: 2, down: 0 }).stage).toBe('resample');
  });

  it('reduces up/down by their gcd: resample({ up: 4, down: 6 }) is resample({ up: 2, down: 3 })', () => {
    const a = spec('resample', { up: 4, down: 6 });
    const b = spec('resample', { up: 2, down: 3 });
    expect(a.stages[0]!.params).toMatchObject({ up: 2, down: 3 });
    expect(a.configHash).toBe(b.configHash);
    expect((a.stages[0]!.params as { coefficients: number[] }).coefficients).toHaveLength(61);
  });

  it('takes the issue defaults: taps 20·factor + 1 (Hamming), 20·max(up, down) + 1', () => {
    expect((spec('decimate', { factor: 4 }).stages[0]!.params as { coefficients: number[] }).coefficients).toHaveLength(81);
    expect((spec('interpolate', { factor: 5 }).stages[0]!.params as { coefficients: number[] }).coefficients).toHaveLength(101);
    expect((spec('resample', { up: 160, down: 147 }).stages[0]!.params as { coefficients: number[] }).coefficients).toHaveLength(3201);
  });
});

describe('decimate in a function', () => {
  const t0 = 1_700_000_000_123.25;
  const records = [
    { samples: [0, 1, 2, 3, 4], start: 0 }, // keeps samples 0 and 4
    { samples: [5, 6, 7, 8, 9], start: 5 }, // keeps 8
    { samples: [10, 11], start: 10 }, // keeps none: no message
    { samples: [12, 13, 14, 15, 16], start: 12 }, // keeps 12 and 16
  ];
  const make = (output: Parameters<typeof defineFunction>[0]['output']) =>
    testHarness(
      defineFunction({
        name: 'downsample',
        pipeline: pipeline().decimate({ factor: 4, taps: 3 }),
        input: (payload) => {
          if (payload.codec !== 'json') throw new Error('expected JSON');
          const { samples, start } = payload.value as { samples: number[]; start: number };
          return { key: 'k', samples, sampleRate: 1000, timestamp: t0 + start };
        },
        output,
      }),
    );

  it('f32le messages carry the output rate and first-sample time in their headers; a record that keeps no sample sends none', async () => {
    const fn = make({ topic: 'down', format: 'f32le' });
    for (const [i, value] of records.entries()) await fn.invoke([{ key: 'k', value, offset: i }], { topic: 'raw' });
    const messages = fn.sink.onTopic('down');
    expect(messages.map((m) => m.headers['dspfn-source-offset'])).toEqual(['0', '1', '3']);
    expect(messages.map((m) => m.headers['dspfn-sample-rate'])).toEqual(['250', '250', '250']);
    expect(messages.map((m) => m.headers['dspfn-timestamp'])).toEqual([String(t0), String(t0 + 8), String(t0 + 12)]);
    expect(messages.map((m) => m.headers['content-type'])).toEqual(['application/x-f32le', 'application/x-f32le', 'application/x-f32le']);
    // y[n] = Σ h[k]·x[n−k] with h = firwin(3, 0.2): the kept samples 0, 4 | 8 | 12, 16.
    const h = (spec('decimate', { factor: 4, taps: 3 }).stages[0]!.params as { coefficients: number[] }).coefficients;
    const y = (n: number) => Math.fround(h[0]! * n + h[1]! * Math.max(n - 1, 0) + h[2]! * Math.max(n - 2, 0));
    const values = messages.map((m) => Array.from({ length: (m.value as Buffer).length / 4 }, (_, j) => (m.value as Buffer).readFloatLE(4 * j)));
    expect(values.map((v) => v.length)).toEqual([2, 1, 2]);
    values.flat().forEach((v, j) => expect(Math.abs(v - y([0, 4, 8, 12, 16][j]!))).toBeLessThanOrEqual(1e-5));
  });

  it('gives value(ctx) the output: ctx.sampleRate is the output rate, ctx.timestamp its first sample', async () => {
    const fn = make({ topic: 'down', value: ({ frames, sampleRate, timestamp }) => ({ frames, sampleRate, timestamp }) });
    await fn.invoke(records.map((value, i) => ({ key: 'k', value, offset: i })), { topic: 'raw' });
    expect(fn.sink.json('down')).toEqual([
      { frames: 2, sampleRate: 250, timestamp: t0 },
      { frames: 1, sampleRate: 250, timestamp: t0 + 8 },
      { frames: 2, sampleRate: 250, timestamp: t0 + 12 },
    ]);
  });
});
