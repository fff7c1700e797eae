// Pipeline.snapshotInto appends the bytes snapshot() returns to a writer that holds other
// snapshots before them: the commit step writes a batch's keys into one buffer that way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsBackend, type DspBackend } from './backend.ts';
import { ByteWriter } from './bytes.ts';
import { isNativeAvailable, nativeBackend } from './native/loader.ts';
import { pipeline, type Pipeline } from './pipeline.ts';

// Native kernels write their state straight into the writer (snapshotInto); TypeScript ones through snapshot().
const backends: [string, DspBackend][] = [['TypeScript', jsBackend], ...(isNativeAvailable() ? [['native', nativeBackend()] as [string, DspBackend]] : [])];

const specs = [
  pipeline().movingAverage({ window: 10 }).rms({ window: 5 }),
  pipeline({ channels: 2 }).movingAverage({ window: 3 }).ema({ alpha: 0.5 }),
  pipeline().gain({ factor: 2 }).decimate({ factor: 3, taps: 7 }),
  // An event stage: its state carries the pipeline's clock after the kernel's.
  pipeline().gain({ factor: 1 }).peaks({ threshold: 0 }),
];

const key = fc.record({
  spec: fc.nat(specs.length - 1),
  frames: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -100, max: 100 }), { maxLength: 40 }),
  offsets: fc.array(fc.tuple(fc.constantFrom('in', 'other-topic', 'ü'), fc.nat(5), fc.nat(1_000_000)), { maxLength: 4 }),
});

describe.each(backends)('Pipeline.snapshotInto (%s)', (_name, backend) => {
  it('appends exactly the bytes snapshot() returns, key after key in one writer', () => {
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 6 }), fc.nat(300), (keys, initial) => {
        const pipelines: Pipeline[] = keys.map(({ spec, frames, offsets }) => {
          const p = specs[spec]!.create(backend);
          const samples = Float32Array.from(frames.slice(0, frames.length - (frames.length % p.channels)));
          p.run(samples, { timestamp: 1_000, sampleRate: 100 });
          for (const [topic, partition, offset] of offsets) p.markAbsorbed(topic, partition, offset);
          return p;
        });
        // A small writer grows while it is written: views are taken at the end.
        const out = new ByteWriter(1 + initial);
        const ends = pipelines.map((p) => {
          p.snapshotInto(out);
          return out.size;
        });
        pipelines.forEach((p, i) => {
          expect(Buffer.from(out.written(i === 0 ? 0 : ends[i - 1]!, ends[i]!))).toEqual(Buffer.from(p.snapshot()));
        });
      }),
      { numRuns: 300 },
    );
  });
});
