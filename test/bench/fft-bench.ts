/**
 * FFT 1,024 (real input, |X|² of bins 0 … 512): dspfn's native FFT (the spectrum stage, rectangular
 * window, 16 frames per call, on its best SIMD path and on scalar) vs fft.js (a fast, widely used
 * JavaScript FFT: realTransform, then |X|²) vs our TypeScript reference (the same stage on the
 * TypeScript backend), measured side by side in this process.
 *
 *   npx tsx --conditions=dspfn-source test/bench/fft-bench.ts [--quick]
 */
import FFT from 'fft.js';
import { jsBackend } from '../../core/dsp/backend.ts';
import { nativeBackend, nativeModule } from '../../core/dsp/native/loader.ts';
import { descriptorOf, type StageSpec } from '../../core/dsp/stages/catalogue.ts';
import { signal } from '../conformance/signals.ts';
import { cpuRate, median, table } from './measure.ts';

const N = 1024;
const FRAMES = 16;
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const ROUND_MS = quick ? 60 : 150;

const { addon } = nativeModule();
const native = nativeBackend(addon);
const best = addon.setSimd(true);
const input = signal('noise', N * FRAMES, 1, 7);
const spec = { name: 'spectrum', params: descriptorOf('spectrum').options.parse({ size: N, window: 'rectangular' }) } as StageSpec;

function stageRun(backend: typeof jsBackend): () => void {
  const kernel = backend.createKernel(spec, 1);
  const output = new Float32Array(FRAMES * (N / 2 + 1));
  return () => {
    kernel.process(input, output);
  };
}

const fft = new FFT(N);
const spectrum = fft.createComplexArray() as number[];
const frame = new Array<number>(N).fill(0);
const power = new Float32Array(N / 2 + 1);
function fftJs(): void {
  for (let f = 0; f < FRAMES; f++) {
    for (let n = 0; n < N; n++) frame[n] = input[f * N + n]!;
    fft.realTransform(spectrum, frame);
    for (let k = 0; k <= N / 2; k++) power[k] = spectrum[2 * k]! * spectrum[2 * k]! + spectrum[2 * k + 1]! * spectrum[2 * k + 1]!;
  }
}

const variants: Array<{ name: string; simd?: boolean; run: () => void }> = [
  { name: `native ${best}`, simd: true, run: stageRun(native) },
  { name: 'native scalar', simd: false, run: stageRun(native) },
  { name: 'fft.js', run: fftJs },
  { name: 'TypeScript reference', run: stageRun(jsBackend) },
];
const results = new Map<string, number[]>(variants.map((v) => [v.name, []]));
const once = (v: (typeof variants)[number]) => {
  if (v.simd !== undefined) addon.setSimd(v.simd);
  return cpuRate(v.run, FRAMES, ROUND_MS);
};
for (const v of variants) once(v);
for (let r = 0; r < ROUNDS; r++) for (const v of variants) results.get(v.name)!.push(once(v));
addon.setSimd(true);
const m = (name: string) => median(results.get(name)!);
const fftjs = m('fft.js');
console.log(`FFT ${N} (real, |X|² of ${N / 2 + 1} bins), ${FRAMES} frames per call; transforms per CPU second, median of ${ROUNDS} interleaved rounds\n`);
console.log(
  table([
    ['variant', 'transforms/s', 'µs each', 'vs fft.js'],
    ...variants.map((v) => [v.name, Math.round(m(v.name)).toLocaleString('en'), (1e6 / m(v.name)).toFixed(2), `${(m(v.name) / fftjs).toFixed(2)}×`]),
  ]),
);
