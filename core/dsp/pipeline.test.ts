import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, SnapshotError, StateMismatchError } from '../errors.ts';
import { jsBackend } from './backend.ts';
import { pipeline, PipelineSpec } from './pipeline.ts';
import { decodeSnapshot, SNAPSHOT_VERSION } from './snapshot.ts';
import { catalogue } from './stages/catalogue.ts';

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

  it('is not a thenable: awaiting a declaration gives the declaration', async () => {
    const declared = pipeline().rms({ window: 3 });
    expect('then' in declared).toBe(false);
    const awaited = await declared;
    expect(awaited).toBe(declared);
    expect(awaited.stages).toEqual([{ name: 'rms', params: { window: 3 } }]);
  });

  it('has one builder method per catalogue stage, validating with its schema and naming it', () => {
    for (const descriptor of catalogue) {
      expect(typeof (PipelineSpec.prototype as unknown as Record<string, unknown>)[descriptor.name]).toBe('function');
    }
    const error = (() => {
      try {
        pipeline().rms({ window: -1 });
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.stage).toBe('rms');
    expect(error?.message).toMatch(/^invalid rms options: window/);
    expect(() => pipeline({ channels: 3 }).lms({ taps: 2, mu: 0.1 })).toThrow(/^lms needs 2-channel interleaved input \[x0, d0, x1, d1, …\], but its input has 3 channel\(s\)$/);
  });

  it('run() gives the output its first-frame time and rate (same-rate stages keep the input\'s)', () => {
    const p = pipeline({ channels: 2 }).movingAverage({ window: 2 }).create(jsBackend);
    const out = p.run(Float32Array.of(1, 2, 3, 4, 5, 6), { timestamp: 1_700_000_000_123.25, sampleRate: 50 });
    expect(out).toEqual({ samples: Float32Array.of(1, 2, 2, 3, 4, 5), channels: 2, frames: 3, timestamp: 1_700_000_000_123.25, sampleRate: 50, events: [] });
    expect(p.run(new Float32Array(0), { timestamp: 5, sampleRate: undefined })).toMatchObject({ frames: 0, timestamp: 5, sampleRate: undefined });
  });

  it('writes each stage\'s state version in the stage header and refuses versions it cannot read, naming the stage', () => {
    const p = pipeline().movingAverage({ window: 3 }).rms({ window: 2 }).create(jsBackend);
    p.process(Float32Array.of(1, 2, 3, 4));
    const bytes = p.snapshot();
    const decoded = decodeSnapshot(bytes);
    expect(decoded.stages.map((s) => [s.kind, s.version])).toEqual([[1, 0], [2, 0]]);
    // The second stage's header: after the 20-byte pipeline header and the first stage.
    const second = 20 + 8 + decoded.stages[0]!.state.length;
    expect(bytes[second]).toBe(2);
    const newer = bytes.slice();
    newer[second + 1] = 1;
    const fresh = pipeline().movingAverage({ window: 3 }).rms({ window: 2 }).create(jsBackend);
    let error: unknown;
    try {
      fresh.restore(newer);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).stage).toBe('rms');
    expect((error as SnapshotError).message).toMatch(/^rms \(stage 1\): state version 1 was written by a newer dspfn \(this one reads up to 0\)/);
    const unknownKind = bytes.slice();
    unknownKind[second] = 200;
    expect(() => fresh.restore(unknownKind)).toThrow(/unknown stage kind 200/);
    // Nothing was restored by the failed attempts: the fresh pipeline still starts from zero.
    expect(fresh.process(Float32Array.of(1))).toEqual(Float32Array.of(1));
  });

  it('names the stage when a stage state is damaged', () => {
    const p = pipeline().rms({ window: 3 }).create(jsBackend);
    const bytes = p.snapshot();
    const damaged = bytes.slice();
    damaged[20 + 8] = 7; // the state's channel count
    expect(() => pipeline().rms({ window: 3 }).create(jsBackend).restore(damaged)).toThrow(expect.objectContaining({ name: 'SnapshotError', stage: 'rms' }));
  });
});
