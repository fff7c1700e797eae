import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidSamplesError } from '../errors.ts';
import { jsBackend, type DspBackend } from './backend.ts';
import { isNativeAvailable, nativeBackend } from './native/loader.ts';
import { pipeline, type PipelineSpec } from './pipeline.ts';

const backends: [string, DspBackend][] = [['TypeScript', jsBackend], ...(isNativeAvailable() ? [['native', nativeBackend()] as [string, DspBackend]] : [])];

const specs: [string, PipelineSpec][] = [
  ['movingAverage → rms', pipeline().movingAverage({ window: 10 }).rms({ window: 5 })],
  ['one stage', pipeline({ channels: 2 }).ema({ alpha: 0.2 })],
  ['channels change', pipeline({ channels: 2 }).nlms({ taps: 4, mu: 0.1 }).rms({ window: 3 })],
  ['rate change', pipeline().gain({ factor: 2 }).decimate({ factor: 3, taps: 7 })],
  ['event stage', pipeline().gain({ factor: 1 }).peaks({ threshold: 0 })],
  ['no stages', pipeline()],
];

describe.each(backends)('Pipeline.processInto (%s)', (_, backend) => {
  it.each(specs)('%s: the same frames as process, block after block, into one reused array', (__, spec) => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 1e6 }), (blockFrames, seed) => {
        const viaProcess = spec.create(backend);
        const viaInto = spec.create(backend);
        // Longer than any block needs: processInto writes from the start and says how far.
        const out = new Float32Array(200).fill(-7);
        let n = seed;
        for (const frames of blockFrames) {
          const x = Float32Array.from({ length: frames * spec.channels }, () => ((n = (n * 48271) % 2147483647) / 2147483647) * 4 - 2);
          const need = viaInto.outputLength(x.length);
          const expected = viaProcess.process(x);
          const written = viaInto.processInto(x, out);
          expect(need).toBeGreaterThanOrEqual(expected.length);
          const perFrame = spec.eventStage === undefined ? spec.outChannels : 3;
          expect(written * perFrame).toBe(expected.length);
          expect(out.subarray(0, expected.length)).toEqual(expected);
        }
        expect(Buffer.from(viaInto.snapshot())).toEqual(Buffer.from(viaProcess.snapshot()));
      }),
      { numRuns: 25 },
    );
  });

  it('refuses an output too short or sharing memory with the input, before any state changes', () => {
    const spec = pipeline().movingAverage({ window: 4 }).rms({ window: 2 });
    const p = spec.create(backend);
    const before = Buffer.from(p.snapshot());
    const x = Float32Array.of(1, 2, 3, 4);
    expect(() => p.processInto(x, new Float32Array(3))).toThrow(InvalidSamplesError);
    expect(() => p.processInto(x, new Float32Array(3))).toThrow(/need 4 \(see outputLength\)/);
    const shared = new Float32Array(8);
    expect(() => p.processInto(shared.subarray(0, 4), shared.subarray(2, 6))).toThrow(/share memory/);
    expect(() => p.processInto(shared.subarray(0, 4), shared)).toThrow(/share memory/);
    expect(Buffer.from(p.snapshot())).toEqual(before);
    // Neighbours in one buffer are fine.
    expect(p.processInto(shared.subarray(0, 4), shared.subarray(4, 8))).toBe(4);
    expect(() => p.outputLength(3.5)).toThrow(/whole frames/);
  });
});
