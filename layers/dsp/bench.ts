/**
 * Pipelines through the native layer: movingAverage(10) → rms(5) on 1 and 4 channels, native (best
 * SIMD path and forced scalar) vs the TypeScript stages, and the one-channel chain against a plain
 * JavaScript loop of the same math: `npx tsx layers/dsp/bench.ts [--quick]`. Per-stage numbers:
 * test/bench/stages-bench.ts (`npm run bench` runs both).
 *
 * Input samples per second of CPU time of this single-threaded process; each cell the median of
 * interleaved rounds. Build first: `node layers/dsp/build.mjs --host`.
 */
import os from 'node:os';
import { jsBackend, type DspBackend } from '../../core/dsp/backend.ts';
import { signal } from '../../test/conformance/signals.ts';
import { nativeBackend, nativeModule } from '../../core/dsp/native/loader.ts';
import { pipeline, type PipelineSpec } from '../../core/dsp/pipeline.ts';
import { cpuRate, median, rate, table } from '../../test/bench/measure.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const ROUND_MS = quick ? 100 : 250;
const BLOCK = 1024;

const { addon, file } = nativeModule();
const native = nativeBackend(addon);
const best = addon.setSimd(true);

/** One block through a pipeline instance per call; Pipeline reuses its scratch buffers. */
function chain(backend: DspBackend, spec: PipelineSpec): { run: () => void; samples: number } {
  const p = spec.create(backend);
  const input = signal('noise', BLOCK, spec.channels, 12345);
  return { run: () => p.process(input), samples: input.length };
}

/** The public API into caller memory: `processInto` with one output array reused for every block. */
function chainInto(backend: DspBackend, spec: PipelineSpec): { run: () => void; samples: number } {
  const p = spec.create(backend);
  const input = signal('noise', BLOCK, spec.channels, 12345);
  const out = new Float32Array(p.outputLength(input.length));
  return { run: () => p.processInto(input, out), samples: input.length };
}

/** The pipeline's own kernels called directly, buffers reused: what the API costs nothing over. */
function bareKernels(backend: DspBackend, spec: PipelineSpec): { run: () => void; samples: number } {
  let channels = spec.channels;
  const kernels = spec.stages.map((stage) => {
    const kernel = backend.createKernel(stage, channels);
    channels = kernel.outChannels;
    return kernel;
  });
  const input = signal('noise', BLOCK, spec.channels, 12345);
  const buffers = kernels.map((k) => new Float32Array(BLOCK * k.outChannels));
  return {
    samples: input.length,
    run: () => {
      let x = input;
      for (let s = 0; s < kernels.length; s++) {
        kernels[s]!.process(x, buffers[s]!);
        x = buffers[s]!;
      }
    },
  };
}

/** The same movingAverage(10) → rms(5) as the plain loop a user might write (float64 running sums over rings). */
function plainLoopChain(): { run: () => void; samples: number } {
  const input = signal('noise', BLOCK, 1, 12345);
  const out = new Float32Array(BLOCK);
  const ring1 = new Float64Array(10);
  const ring2 = new Float64Array(5);
  let sum1 = 0;
  let sum2 = 0;
  let n = 0;
  return {
    samples: BLOCK,
    run: () => {
      for (let i = 0; i < BLOCK; i++, n++) {
        const x = input[i]!;
        sum1 += x - ring1[n % 10]!;
        ring1[n % 10] = x;
        const avg = sum1 / Math.min(n + 1, 10);
        const sq = avg * avg;
        sum2 += sq - ring2[n % 5]!;
        ring2[n % 5] = sq;
        out[i] = Math.sqrt(Math.max(sum2, 0) / Math.min(n + 1, 5));
      }
    },
  };
}

function measureSideBySide(variants: Array<{ key: string; simd?: boolean; run: () => void; samples: number }>): Map<string, number> {
  const results = new Map<string, number[]>(variants.map((v) => [v.key, []]));
  const once = (v: (typeof variants)[number]) => {
    if (v.simd !== undefined) addon.setSimd(v.simd);
    return cpuRate(v.run, v.samples, ROUND_MS);
  };
  for (const v of variants) once(v);
  for (let r = 0; r < ROUNDS; r++) for (const v of variants) results.get(v.key)!.push(once(v));
  addon.setSimd(true);
  return new Map([...results].map(([k, values]) => [k, median(values)]));
}

console.log(`dspfn native pipelines: ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), Node ${process.version}, ${process.arch}`);
console.log(`module ${file}, SIMD path ${best}; blocks of ${BLOCK} frames; per CPU second; median of ${ROUNDS} × ${ROUND_MS} ms\n`);

const rows: string[][] = [['pipeline (samples/s)', `native ${best}`, 'native scalar', 'TypeScript', `${best}/scalar`, `${best}/TS`]];
for (const channels of [1, 4]) {
  const spec = pipeline({ channels }).movingAverage({ window: 10 }).rms({ window: 5 });
  const m = measureSideBySide([
    { key: 'simd', simd: true, ...chain(native, spec) },
    { key: 'scalar', simd: false, ...chain(native, spec) },
    { key: 'ts', ...chain(jsBackend, spec) },
  ]);
  rows.push([`movingAverage(10) → rms(5), ${channels} ch`, rate(m.get('simd')!), rate(m.get('scalar')!), rate(m.get('ts')!), `${(m.get('simd')! / m.get('scalar')!).toFixed(2)}×`, `${(m.get('simd')! / m.get('ts')!).toFixed(1)}×`]);
}
console.log(table(rows));

const spec = pipeline().movingAverage({ window: 10 }).rms({ window: 5 });
const m = measureSideBySide([
  { key: 'native', simd: true, ...chain(native, spec) },
  { key: 'ts', ...chain(jsBackend, spec) },
  { key: 'plain', ...plainLoopChain() },
]);
const nativeRate = m.get('native')!;
console.log(`\nmovingAverage(10) → rms(5), 1 ch, measured side by side:`);
for (const [label, key] of [
  [`native ${best}`, 'native'],
  ['TypeScript stages', 'ts'],
  ['plain JavaScript loop, same math', 'plain'],
] as const) {
  console.log(`  ${label.padEnd(34)} ${rate(m.get(key)!).padStart(9)}samples/s   native is ${(nativeRate / m.get(key)!).toFixed(1)}×`);
}

// Issue 14's target: the public API at >= 0.8x the speed of its own kernels on 1,024-sample blocks.
const apiSpec = pipeline().movingAverage({ window: 10 }).rms({ window: 5 });
const apiRows: string[][] = [['pipeline API, movingAverage(10) → rms(5), 1 ch (samples/s)', 'bare kernels', 'process', 'processInto', 'process/kernels', 'processInto/kernels (goal ≥ 0.8×)']];
for (const [name, backend] of [[`native ${best}`, native], ['TypeScript', jsBackend]] as const) {
  const api = measureSideBySide([
    { key: 'kernels', simd: true, ...bareKernels(backend, apiSpec) },
    { key: 'process', simd: true, ...chain(backend, apiSpec) },
    { key: 'into', simd: true, ...chainInto(backend, apiSpec) },
  ]);
  const k = api.get('kernels')!;
  apiRows.push([`  ${name}`, rate(k), rate(api.get('process')!), rate(api.get('into')!), `${(api.get('process')! / k).toFixed(2)}×`, `${(api.get('into')! / k).toFixed(2)}×`]);
}
console.log(`\n${table(apiRows)}`);
