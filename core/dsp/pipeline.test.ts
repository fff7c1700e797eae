import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, SnapshotError, StateMismatchError } from '../errors.ts';
import { jsBackend } from './backend.ts';
import { pipeline } from './pipeline.ts';
import { decodeSnapshot, SNAPSHOT_VERSION } from './snapshot.ts';

const spec = pipeline().movingAverage({ window: 10 }).rms({ window: 5 });

describe('pipeline', () => {
  it('chains stages and counts channels', () => {
    const nc = pipeline({ channels: 2 }).nlms({ taps: 4, mu: 0.1 }).rms({ window: 3 });
    expect(nc.channels).toBe(2);
    expect(nc.outChannels).toBe(1);
    const out = nc.create(jsBackend).process(new Float32Array([1, 1, 2, 2, 3, 3]));
    expect(out).toHaveLength(3);
  });

  it('validates options when declared, rejecting unknown keys', () => {
    expect(() => pipeline().movingAverage({ window: 0 })).toThrow(ConfigError);
    expect(() => pipeline().rms({ window: 5, widnow: 3 } as never)).toThrow(/widnow/);
    expect(() => pipeline().nlms({ taps: 8, mu: 0.1 })).toThrow(/2-channel/);
    expect(() => pipeline({ channels: 0 })).toThrow(ConfigError);
    expect(() => pipeline().create()).toThrow(/at least one stage/);
    expect(() => spec.create(jsBackend).process(new Float32Array(3).subarray(0, 3))).not.toThrow();
    expect(() => pipeline({ channels: 2 }).rms({ window: 2 }).create(jsBackend).process(new Float32Array(3))).toThrow(/whole frames/);
  });

  it('writes a versioned little-endian snapshot that is compact', () => {
    const p = pipeline().movingAverage({ window: 10 }).create(jsBackend);
    p.process(new Float32Array([1, 2, 3]));
    p.markAbsorbed('sensors', 3, 41);
    const bytes = p.snapshot();
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('DSPF');
    expect(bytes[4]! | (bytes[5]! << 8)).toBe(SNAPSHOT_VERSION);
    const decoded = decodeSnapshot(bytes);
    expect(decoded.offsets).toEqual([{ topic: 'sensors', partition: 3, offset: 41 }]);
    expect(decoded.stages).toHaveLength(1);
    // Stage state for a 10-sample window: channels, window, count, sum, 10 float32 samples.
    expect(decoded.stages[0]!.state.length).toBe(8 + 16 + 40);
    const ringStart = 8 + 16;
    const ring = new DataView(decoded.stages[0]!.state.buffer, decoded.stages[0]!.state.byteOffset + ringStart, 12);
    expect([ring.getFloat32(0, true), ring.getFloat32(4, true), ring.getFloat32(8, true)]).toEqual([1, 2, 3]);
    // Header 20, one offset entry 2 + 7 + 4 + 8, stage header 8, stage state 64.
    expect(bytes.length).toBe(20 + 21 + 8 + 64);
  });

  it('restores a snapshot and continues exactly', () => {
    const x = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i) * 5 + 2);
    const whole = spec.create(jsBackend).process(x);
    const first = spec.create(jsBackend);
    const a = first.process(x.subarray(0, 33));
    first.markAbsorbed('t', 0, 7);
    const second = spec.create(jsBackend);
    second.restore(first.snapshot());
    const b = second.process(x.subarray(33));
    expect(Float32Array.from([...a, ...b])).toEqual(whole);
    expect(second.hasAbsorbed('t', 0, 7)).toBe(true);
    expect(second.hasAbsorbed('t', 0, 8)).toBe(false);
    expect(second.hasAbsorbed('t', 1, 0)).toBe(false);
  });

  it('refuses a snapshot from another configuration with a clear error', () => {
    const other = pipeline().movingAverage({ window: 11 }).rms({ window: 5 }).create(jsBackend);
    const bytes = spec.create(jsBackend).snapshot();
    expect(() => other.restore(bytes, 'dev-1')).toThrow(StateMismatchError);
    expect(() => other.restore(bytes, 'dev-1')).toThrow(/key "dev-1".*another configuration.*onStateMismatch/);
    const channels = pipeline({ channels: 2 }).movingAverage({ window: 10 }).rms({ window: 5 }).create(jsBackend);
    expect(() => channels.restore(bytes)).toThrow(StateMismatchError);
  });

  it('refuses corrupt or foreign bytes', () => {
    const bytes = spec.create(jsBackend).snapshot();
    expect(() => spec.create(jsBackend).restore(bytes.subarray(0, bytes.length - 3))).toThrow(SnapshotError);
    const bad = bytes.slice();
    bad[0] = 0;
    expect(() => spec.create(jsBackend).restore(bad)).toThrow(/bad magic/);
    const future = bytes.slice();
    future[4] = 9;
    expect(() => spec.create(jsBackend).restore(future)).toThrow(/version 9/);
    expect(() => spec.create(jsBackend).restore(new Uint8Array([...bytes, 0]))).toThrow(/trailing/);
  });

  it('gives identical output for any split of a stream into invocations (property)', () => {
    const specs = [spec, pipeline({ channels: 3 }).rms({ window: 4 }).movingAverage({ window: 2 }), pipeline({ channels: 2 }).nlms({ taps: 5, mu: 0.3 })];
    fc.assert(
      fc.property(
        fc.constantFrom(...specs),
        fc.array(fc.float({ min: -1000, max: 1000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (chosen, values, cutSeeds) => {
          const frames = Math.floor(values.length / chosen.channels);
          const x = Float32Array.from(values.slice(0, frames * chosen.channels));
          const whole = chosen.create(jsBackend).process(x);
          const cuts = [...new Set(cutSeeds.map((c) => (frames === 0 ? 0 : c % frames)))].sort((a, b) => a - b);
          const outputs: number[] = [];
          let snapshot: Uint8Array | undefined;
          let from = 0;
          for (const to of [...cuts, frames]) {
            const p = chosen.create(jsBackend);
            if (snapshot) p.restore(snapshot);
            outputs.push(...p.process(x.subarray(from * chosen.channels, to * chosen.channels)));
            snapshot = p.snapshot();
            from = to;
          }
          expect(Float32Array.from(outputs)).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });
});
