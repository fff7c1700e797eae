import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../adapters/index.ts';
import { jsBackend, type DspBackend } from '../../dsp/backend.ts';
import { isNativeAvailable, nativeBackend } from '../../dsp/native/loader.ts';
import { pipeline, type Pipeline, type PipelineSpec } from '../../dsp/pipeline.ts';
import { pipelinePool } from '../../dsp/pipeline-pool.ts';
import { MemoryStateStore } from '../../state/memory.ts';
import type { FunctionDefinition } from '../definition.ts';
import { prepareFunction } from '../prepare.ts';
import { commitState } from './commit-state.ts';
import { loadState } from './load-state.ts';
import { newPipelineRun } from './run-pipelines.ts';

const backends: DspBackend[] = [jsBackend, ...(isNativeAvailable() ? [nativeBackend()] : [])];
const logger = jsonLogger({}, 'silent');
const bytes = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const ramp = (n: number, from: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((from + i) / 3) * 2);

function setup(backend: DspBackend, spec: PipelineSpec, onStateMismatch: 'error' | 'reset' = 'error') {
  const definition = { name: 'pooled', pipeline: spec, onStateMismatch, output: { topic: 'out', value: () => 0 } } as FunctionDefinition;
  const fn = prepareFunction(definition);
  const runtime = { state: new MemoryStateStore(), backend, logger };
  /** One batch: each key's samples through its pipeline at the offset, then the commit; returns the pipelines used. */
  const batch = async (records: [key: string, offset: number, samples: Float32Array][]) => {
    const keys = [...new Set(records.map(([key]) => key))];
    const loaded = await loadState(keys, fn, runtime);
    const used = new Map(keys.map((key) => [key, loaded.states.get(key)!.pipeline]));
    const run = newPipelineRun<unknown>();
    for (const [key, offset, samples] of records) {
      const { pipeline: p } = loaded.states.get(key)!;
      p.process(samples);
      p.markAbsorbed('in', 0, offset);
      run.advanced.add(key);
    }
    await commitState(run, loaded, new Map(), fn, runtime);
    return used;
  };
  return { fn, runtime, batch };
}

/** The same input gives the same output and then the same snapshot on both. */
function expectSame(a: Pipeline, b: Pipeline): void {
  expect(bytes(a.snapshot()).equals(bytes(b.snapshot()))).toBe(true);
  expect(a.offsets()).toEqual(b.offsets());
  const input = ramp(40, 1000);
  expect(Array.from(a.process(input))).toEqual(Array.from(b.process(input)));
  expect(bytes(a.snapshot()).equals(bytes(b.snapshot()))).toBe(true);
}

for (const backend of backends) {
  describe(`loadState with pooled pipelines (${backend.name})`, () => {
    it('gives a key new to the store a reused pipeline that starts exactly as a new one', async () => {
      const spec = pipeline().movingAverage({ window: 4 }).rms({ window: 3 });
      const { fn, runtime, batch } = setup(backend, spec);
      const first = await batch([['a', 7, ramp(30, 0)]]);
      const loaded = await loadState(['b'], fn, runtime);
      const b = loaded.states.get('b')!;
      expect(b.pipeline).toBe(first.get('a'));
      expect(b.expected).toBeNull();
      expect(b.pipeline.hasAbsorbed('in', 0, 0)).toBe(false);
      expectSame(b.pipeline, spec.create(backend));
    });

    it('restores a key over a reused pipeline, and reload() brings back exactly the loaded state', async () => {
      const spec = pipeline().movingAverage({ window: 4 }).rms({ window: 3 });
      const { fn, runtime, batch } = setup(backend, spec);
      await batch([['a', 1, ramp(30, 0)], ['b', 2, ramp(25, 50)]]);
      await batch([['b', 3, ramp(17, 90)]]);
      const stored = runtime.state.get('pooled:a')!;
      const loaded = await loadState(['a'], fn, runtime);
      const a = loaded.states.get('a')!;
      const reference = spec.create(backend);
      reference.restore(stored.snapshot);
      expectSame(a.pipeline, reference);
      // A record applied, then undone (its output failed).
      a.pipeline.process(ramp(11, 7));
      a.pipeline.markAbsorbed('in', 0, 12);
      expect(a.reload()).toBe(a.pipeline);
      expect(bytes(a.pipeline.snapshot()).equals(bytes(stored.snapshot))).toBe(true);
      const again = spec.create(backend);
      again.restore(stored.snapshot);
      expectSame(a.pipeline, again);
    });

    it('with onStateMismatch: reset, starts a key of another configuration afresh behind its fence, on reload too', async () => {
      const spec = pipeline().movingAverage({ window: 4 }).rms({ window: 3 });
      const { fn, runtime, batch } = setup(backend, spec, 'reset');
      await batch([['x', 5, ramp(30, 0)]]); // leaves a used pipeline in the pool
      const other = pipeline().movingAverage({ window: 6 }).create(backend);
      other.process(ramp(20, 3));
      other.markAbsorbed('in', 0, 40);
      await runtime.state.commit([{ key: 'pooled:k', snapshot: other.snapshot(), offsets: other.offsets(), expected: null }]);
      const loaded = await loadState(['k'], fn, runtime);
      const k = loaded.states.get('k')!;
      const reference = spec.create(backend);
      reference.markAbsorbed('in', 0, 40);
      expect(k.expected).toEqual([{ topic: 'in', partition: 0, offset: 40 }]);
      expectSame(k.pipeline, reference);
      k.pipeline.process(ramp(9, 1));
      k.pipeline.markAbsorbed('in', 1, 2);
      k.reload();
      const again = spec.create(backend);
      again.markAbsorbed('in', 0, 40);
      expectSame(k.pipeline, again);
    });

    it('keeps the fence of a reset key (empty snapshot) over a reused pipeline, on reload too', async () => {
      const spec = pipeline().rms({ window: 5 });
      const { fn, runtime, batch } = setup(backend, spec);
      await batch([['x', 5, ramp(30, 0)]]);
      await runtime.state.commit([{ key: 'pooled:r', snapshot: new Uint8Array(0), offsets: [{ topic: 'in', partition: 2, offset: 8 }], expected: null }]);
      const loaded = await loadState(['r'], fn, runtime);
      const r = loaded.states.get('r')!;
      const reference = spec.create(backend);
      reference.markAbsorbed('in', 2, 8);
      expectSame(r.pipeline, reference);
      r.pipeline.process(ramp(9, 1));
      r.reload();
      const again = spec.create(backend);
      again.markAbsorbed('in', 2, 8);
      expectSame(r.pipeline, again);
    });

    it('gives the pipelines back once committed, also when the commit conflicts', async () => {
      const spec = pipeline().rms({ window: 2 });
      const { fn, runtime } = setup(backend, spec);
      const pool = pipelinePool(spec, backend);
      const loaded = await loadState(['a', 'b'], fn, runtime);
      const before = pool.size;
      const run = newPipelineRun<unknown>();
      loaded.states.get('a')!.pipeline.markAbsorbed('in', 0, 1);
      run.advanced.add('a');
      // Another writer commits 'a' meanwhile.
      await runtime.state.commit([{ key: 'pooled:a', snapshot: spec.create(backend).snapshot(), offsets: [{ topic: 'in', partition: 0, offset: 0 }], expected: null }]);
      await expect(commitState(run, loaded, new Map(), fn, runtime)).rejects.toThrow(/changed since it was loaded/);
      expect(pool.size).toBe(before + 2);
    });
  });
}
