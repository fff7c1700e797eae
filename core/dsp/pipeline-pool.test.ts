import { describe, expect, it } from 'vitest';
import { jsBackend, type DspBackend } from './backend.ts';
import { isNativeAvailable, nativeBackend } from './native/loader.ts';
import { pipeline, type Pipeline, type PipelineOutput, type PipelineSpec } from './pipeline.ts';
import { PipelinePool } from './pipeline-pool.ts';
import { catalogue, type StageName } from './stages/catalogue.ts';
import type { AnyStageDescriptor } from './stages/descriptor.ts';
import { references } from './stages/references.generated.ts';

const backends: DspBackend[] = [jsBackend, ...(isNativeAvailable() ? [nativeBackend()] : [])];

/** Every catalogue stage with each of its reference option sets, on the first channel count it takes. */
function specs(): { label: string; spec: PipelineSpec; name: StageName }[] {
  const out: { label: string; spec: PipelineSpec; name: StageName }[] = [];
  for (const descriptor of catalogue) {
    const name = descriptor.name as StageName;
    const any = descriptor as AnyStageDescriptor;
    for (const options of references[name].cases as readonly object[]) {
      const params = any.options.parse(options);
      const channels = [1, 2, 3, 4, 6, 8].find((ch) => typeof any.channels.out(ch, params) === 'number');
      if (channels === undefined) continue;
      out.push({ label: `${name} ${JSON.stringify(options)} ×${channels}`, spec: pipeline({ channels }).withStage(name, options as never), name });
    }
  }
  return out;
}

/** Deterministic noise with spikes (events, clipping), in the stage's own input layout. */
function signal(name: StageName, channels: number, frames: number, seed: number): Float32Array {
  let x = seed >>> 0 || 1;
  const raw = Float32Array.from({ length: frames * channels }, (_, i) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) / 2 ** 32 - 0.5) * (i % 37 === 0 ? 8 : 2);
  });
  return references[name].input?.(raw, channels) ?? raw;
}

function runOn(p: Pipeline, samples: Float32Array, at: number): PipelineOutput {
  return p.run(samples, { timestamp: at, sampleRate: p.inputRate(undefined) ?? 1000 });
}

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function same(label: string, a: Pipeline, b: Pipeline, input: Float32Array): void {
  expect(bytes(a.snapshot()).equals(bytes(b.snapshot())), `${label}: snapshot before`).toBe(true);
  expect(a.offsets(), label).toEqual(b.offsets());
  const x = runOn(a, input, 1_700_000_000_000);
  const y = runOn(b, input, 1_700_000_000_000);
  expect(bytes(x.samples).equals(bytes(y.samples)), `${label}: output`).toBe(true);
  expect({ ...x, samples: undefined }, label).toEqual({ ...y, samples: undefined });
  expect(bytes(a.snapshot()).equals(bytes(b.snapshot())), `${label}: snapshot after`).toBe(true);
}

describe('PipelinePool', () => {
  for (const backend of backends) {
    describe(backend.name, () => {
      it('hands out a used pipeline reset to exactly what create() gives, for every stage', () => {
        for (const { label, spec, name } of specs()) {
          const pool = new PipelinePool(spec, backend);
          const used = pool.fresh();
          runOn(used, signal(name, spec.channels, 3000, 7), 1_600_000_000_000);
          used.markAbsorbed('t', 3, 41);
          pool.give(used);
          const reused = pool.fresh();
          expect(reused, label).toBe(used);
          expect(reused.hasAbsorbed('t', 3, 0), label).toBe(false);
          same(label, reused, spec.create(backend), signal(name, spec.channels, 3000, 11));
        }
      });

      it('restores a snapshot over a used pipeline exactly as over a new one, for every stage', () => {
        for (const { label, spec, name } of specs()) {
          const source = spec.create(backend);
          runOn(source, signal(name, spec.channels, 2000, 3), 1_600_000_000_000);
          source.markAbsorbed('t', 0, 9);
          const snapshot = source.snapshot();
          const pool = new PipelinePool(spec, backend);
          const used = pool.fresh();
          runOn(used, signal(name, spec.channels, 2500, 5), 1_500_000_000_000);
          used.markAbsorbed('u', 1, 99);
          pool.give(used);
          const reused = pool.restored(snapshot, 'k');
          expect(reused, label).toBe(used);
          const fresh = spec.create(backend);
          fresh.restore(snapshot, 'k');
          same(label, reused, fresh, signal(name, spec.channels, 3000, 13));
        }
      });
    });
  }

  it('keeps no pipeline whose restore failed, nor one of another spec', () => {
    const spec = pipeline().movingAverage({ window: 4 });
    const other = pipeline().movingAverage({ window: 5 });
    const pool = new PipelinePool(spec, jsBackend);
    pool.give(pool.fresh());
    expect(pool.size).toBe(1);
    expect(() => pool.restored(other.create(jsBackend).snapshot(), 'k')).toThrow(/another configuration/);
    expect(pool.size).toBe(0);
    pool.give(other.create(jsBackend));
    expect(pool.size).toBe(0);
    pool.give(spec.create(jsBackend));
    expect(pool.size).toBe(1);
  });
});
