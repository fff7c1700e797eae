/**
 * What is special to the spectral stages beyond the conformance suite: the timing of frames through
 * Pipeline.run (split anywhere, through snapshots, the frame time is its first sample's), the
 * declared input rate, our sin/cos/ln/exp against Math, large frames against the DFT, and the
 * function's view (no message for a record that completes no frame).
 */
import { describe, expect, it } from 'vitest';
import { defineFunction } from '../../../../handler/define-function.ts';
import { InvalidSamplesError } from '../../../../errors.ts';
import { readings } from '../../../../inputs/readings.ts';
import { testHarness } from '../../../../testing/harness.ts';
import { jsBackend } from '../../../backend.ts';
import { pipeline, type PipelineOutput } from '../../../pipeline.ts';
import { RealFft } from './fft.ts';
import { exp, ln, sinCos2Pi } from './spectral-math.ts';
import { directPowerFrames } from './spectral.reference.ts';

function noise(n: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 30 - 1;
  });
}

describe('spectral stages: timing through Pipeline.run', () => {
  const spec = pipeline({ channels: 2 }).bandPower({ size: 64, hop: 24, bands: [[0, 100], [100, 500]], sampleRate: 1000 });
  const input = noise(2 * 1000);
  const t0 = 1_700_000_000_000;

  /** Each output frame as [time, values…]. */
  function timed(out: PipelineOutput): number[][] {
    return Array.from({ length: out.frames }, (_, j) => [out.timestamp! + (j * 1000) / out.sampleRate!, ...out.samples.subarray(j * out.channels, (j + 1) * out.channels)]);
  }

  const whole = spec.create(jsBackend).run(input, { timestamp: t0, sampleRate: 1000 });

  it('times frame k at its first sample (k·hop) and runs at sampleRate / hop', () => {
    expect(whole.sampleRate).toBe(1000 / 24);
    expect(whole.frames).toBe(Math.floor((1000 - 64) / 24) + 1);
    expect(timed(whole).map((f) => f[0])).toEqual(Array.from({ length: whole.frames }, (_, k) => t0 + k * 24));
  });

  it('gives every frame the same values and time however the stream is split through snapshots, frames straddling the splits', () => {
    for (const cuts of [[1, 63, 64, 65, 100, 999], [30, 31, 500], [7, 13, 24, 88, 89, 640, 701]]) {
      const frames: number[][] = [];
      let state: Uint8Array | undefined;
      let at = 0;
      for (const end of [...cuts, 1000]) {
        const p = spec.create(jsBackend);
        if (state) p.restore(state);
        frames.push(...timed(p.run(input.subarray(2 * at, 2 * end), { timestamp: t0 + at, sampleRate: 1000 })));
        state = p.snapshot();
        at = end;
      }
      expect(frames).toEqual(timed(whole));
    }
  });

  it('times a block without a rate by the rate the stage declares, and refuses a block at another rate before any state changes', () => {
    const p = spec.create(jsBackend);
    expect(timed(p.run(input, { timestamp: t0, sampleRate: undefined }))).toEqual(timed(whole));
    const q = spec.create(jsBackend);
    const before = q.snapshot();
    expect(() => q.run(input, { timestamp: t0, sampleRate: 2000 })).toThrow(InvalidSamplesError);
    expect(() => q.run(input, { timestamp: t0, sampleRate: 2000 })).toThrow(/bandPower is declared for sampleRate 1000, but its input comes at 2000/);
    expect(q.snapshot()).toEqual(before);
    // spectrum declares no rate: the block must give one to time its frames.
    expect(() => pipeline().spectrum({ size: 16 }).create(jsBackend).run(new Float32Array(16), { timestamp: t0, sampleRate: undefined })).toThrow(/sampleRate/);
  });

  it('derives the block rate through earlier rate changes', () => {
    const chained = pipeline().spectrum({ size: 16, hop: 4, output: 'magnitude' }).bandPower({ size: 16, bands: [[0, 10]], sampleRate: 50 });
    const out = chained.create(jsBackend).run(noise(400), { timestamp: 0, sampleRate: undefined });
    expect(out.sampleRate).toBe(50 / 16);
    expect(() => chained.create(jsBackend).run(noise(400), { timestamp: 0, sampleRate: 100 })).toThrow(/comes at 25 samples per second/);
  });
});

describe('spectral math (ours, identical in C)', () => {
  it('sin/cos of 2πk/n within 2e-16 of the exact values (Math at exact angles), exactly 0/±1 at quarter turns', () => {
    for (const n of [16, 1000, 4096, 65536, 12]) {
      for (let k = 0; k < n; k += Math.max(1, n >> 9)) {
        const [s, c] = sinCos2Pi(k, n);
        // k/n with a power-of-two n is exact: compare where Math's argument is exact too (first octant).
        if (8 * k <= n && (n & (n - 1)) === 0) {
          const x = (2 * Math.PI * k) / n;
          expect(Math.abs(s - Math.sin(x))).toBeLessThan(2.3e-16);
          expect(Math.abs(c - Math.cos(x))).toBeLessThan(2.3e-16);
        }
        expect(s * s + c * c).toBeCloseTo(1, 15);
      }
      expect(sinCos2Pi(n / 4, n)[0]).toBe(n % 4 === 0 ? 1 : sinCos2Pi(n / 4, n)[0]);
      expect(sinCos2Pi(n / 2, n)[1]).toBe(n % 2 === 0 ? -1 : sinCos2Pi(n / 2, n)[1]);
      expect(sinCos2Pi(0, n)).toEqual([0, 1]);
    }
  });

  it('ln and exp within 1 ulp of Math.log/exp over their whole range, with the edge cases of IEEE', () => {
    const ulp = (v: number) => 2 ** (Math.floor(Math.log2(Math.abs(v))) - 52);
    let s = 7;
    const next = () => (s = (s * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 20000; i++) {
      const x = Math.exp((next() - 0.5) * 1400);
      expect(Math.abs(ln(x) - Math.log(x))).toBeLessThanOrEqual(ulp(Math.log(x)) * 1.01);
      const y = (next() - 0.5) * 1400;
      expect(Math.abs(exp(y) - Math.exp(y))).toBeLessThanOrEqual(ulp(Math.exp(y)) * 1.01);
    }
    expect([ln(0), ln(-1), ln(Infinity), ln(1), ln(5e-324)]).toEqual([-Infinity, Number.NaN, Infinity, 0, Math.log(5e-324)]);
    expect([exp(-Infinity), exp(Infinity), exp(0), exp(-800), exp(800)]).toEqual([0, Infinity, 1, 0, Infinity]);
  });
});

describe('the real FFT', () => {
  it('matches the DFT at the largest sizes (relative to the frame energy)', () => {
    for (const size of [8192, 65536]) {
      const x = noise(size, size);
      const power = new Float64Array(size / 2 + 1);
      new RealFft(size).power(x, 0, new Float64Array(size).fill(1), power);
      // Spot-check bins against the definition (the whole DFT of 65,536 points is too slow for a unit test).
      const energy = x.reduce((a, v) => a + v * v, 0) * size;
      for (const k of [0, 1, 2, 3, 1000, size / 4, size / 2 - 1, size / 2]) {
        let re = 0;
        let im = 0;
        for (let n = 0; n < size; n++) {
          const t = (2 * Math.PI * ((k * n) % size)) / size;
          re += x[n]! * Math.cos(t);
          im -= x[n]! * Math.sin(t);
        }
        expect(Math.abs(power[k]! - (re * re + im * im)) / energy).toBeLessThan(1e-13);
      }
    }
  });

  it('equals the direct frames of the reference on a Hann-windowed stream', () => {
    const x = noise(512, 3);
    const frames = directPowerFrames(x, 1, 128, 128, 'hann');
    const out = pipeline().spectrum({ size: 128 }).create(jsBackend).process(x);
    expect(out.length).toBe(4 * 65);
    frames.flat().forEach((power, f) => power.forEach((p, k) => expect(Math.abs(out[f * 65 + k]! - p)).toBeLessThanOrEqual(1e-6 * p + 1e-12)));
  });
});

describe('spectra in a function', () => {
  const handler = defineFunction({
    name: 'vibration-bands',
    pipeline: pipeline().bandPower({ size: 256, hop: 128, bands: [[0, 50], [50, 200]], sampleRate: 1000 }),
    input: (payload) => {
      if (payload.codec !== 'json') throw new Error('expected JSON');
      const { device, data } = payload.value as { device: string; data: number[] };
      return { key: device, samples: data };
    },
    output: {
      topic: 'bands',
      value: ({ key, output, frames, outChannels, timestamp, sampleRate }) =>
        Array.from({ length: frames }, (_, j) => ({ key, at: timestamp + (j * 1000) / sampleRate!, low: output[j * outChannels], high: output[j * outChannels + 1] })),
    },
  });
  const data = Array.from(noise(1000, 9));
  const t0 = 1_767_225_600_000;

  it('messages only for records that complete frames (one per frame: value returns an array); frames straddle records and invocations', async () => {
    const fn = testHarness(handler);
    const cuts = [0, 100, 200, 300, 420, 1000];
    for (let i = 0; i + 1 < cuts.length; i++) {
      // One invocation per record: the key's state goes through the store (snapshot/restore) in between.
      await fn.invoke([{ key: 'd1', value: { device: 'd1', data: data.slice(cuts[i], cuts[i + 1]) }, offset: i, timestamp: t0 + cuts[i]! }], { topic: 'vib' });
    }
    const messages = fn.sink.json('bands') as { key: string; at: number; low: number; high: number }[];
    // Frame k needs samples up to k·128 + 256: none by 100 or 200; frame 0 by 300; frame 1 by 420; frames 2 … 5 by 1000.
    const offsets = fn.sink.messages.filter((m) => m.topic === 'bands').map((m) => String(m.headers['dspfn-source-offset']));
    expect(offsets).toEqual(['2', '3', '4', '4', '4', '4']);
    const whole = pipeline().bandPower({ size: 256, hop: 128, bands: [[0, 50], [50, 200]], sampleRate: 1000 }).create(jsBackend).run(Float32Array.from(data), { timestamp: t0, sampleRate: undefined });
    const expected = Array.from({ length: whole.frames }, (_, j) => ({ key: 'd1', at: t0 + j * 128, low: whole.samples[2 * j], high: whole.samples[2 * j + 1] }));
    expect(messages).toEqual(expected);
  });
});

describe('spectra over readings with emit: batch', () => {
  const handler = defineFunction({
    name: 'reading-spectra',
    pipeline: pipeline().spectrum({ size: 16, hop: 8, output: 'magnitude' }),
    input: readings({ key: 'id', value: 'v', timestamp: 'ts', sampleRate: 100, emit: 'batch' }),
    output: { topic: 'spectra', value: ({ frames, timestamp, sampleRate, outChannels }) => ({ frames, timestamp, sampleRate, outChannels }) },
  });
  const t0 = 1_767_225_600_000;
  const record = (i: number) => ({ key: 's1', value: { id: 's1', v: Math.sin(i / 3), ts: t0 + 10 * i }, offset: i });

  it('one result per batch that completes frames, timed at its first frame, none for a batch that completes none', async () => {
    const fn = testHarness(handler);
    const batch = (from: number, to: number) => fn.invoke(Array.from({ length: to - from }, (_, j) => record(from + j)), { topic: 'r' });
    await batch(0, 40); // frames 0 … 3 (samples 0 … 39)
    await batch(40, 48); // frame 4 (samples 32 … 47)
    await batch(48, 51); // nothing completes
    expect(fn.sink.json('spectra')).toEqual([
      { frames: 4, timestamp: t0, sampleRate: 100 / 8, outChannels: 9 },
      { frames: 1, timestamp: t0 + 320, sampleRate: 100 / 8, outChannels: 9 },
    ]);
  });
});
