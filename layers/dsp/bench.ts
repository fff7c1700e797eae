/**
 * Native (best SIMD path and forced scalar) vs TypeScript kernels, measured in the same run on
 * blocks of 1,024 frames: `npx tsx layers/dsp/bench.ts [--quick]`.
 *
 * Throughput is per second of CPU time of this single-threaded process and counts input samples (frames × channels) per second, except nlms/lms, which count
 * frames ([x, d] pairs = output samples). Each cell is the median of several rounds; variants are
 * interleaved round by round so that frequency drift hits them alike. Build first:
 * `node layers/dsp/build.mjs --host`.
 */
import os from 'node:os';
import { jsBackend, type DspBackend } from '../../core/dsp/backend.ts';
import { nativeBackend, nativeModule } from '../../core/dsp/native/loader.ts';
import type { StageSpec } from '../../core/dsp/stages/catalogue.ts';
import type { StageKernel } from '../../core/dsp/stages/kernel.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const ROUND_MS = quick ? 100 : 250;
const BLOCK = 1024;

const { addon, file } = nativeModule();
const native = nativeBackend(addon);
const bestPath = addon.setSimd(true);

interface Case {
  name: string;
  channels: number;
  stages: StageSpec[];
  /** Samples counted per block. */
  samples: number;
}

const cases: Case[] = [
  { name: 'movingAverage(10), 1 ch', channels: 1, stages: [{ name: 'movingAverage', params: { window: 10 } }], samples: BLOCK },
  { name: 'rms(5), 1 ch', channels: 1, stages: [{ name: 'rms', params: { window: 5 } }], samples: BLOCK },
  { name: 'movingAverage(10), 8 ch', channels: 8, stages: [{ name: 'movingAverage', params: { window: 10 } }], samples: 8 * BLOCK },
  { name: 'rms(5), 8 ch', channels: 8, stages: [{ name: 'rms', params: { window: 5 } }], samples: 8 * BLOCK },
  { name: 'nlms(32 taps)', channels: 2, stages: [{ name: 'nlms', params: { taps: 32, mu: 0.2, eps: 1e-6 } }], samples: BLOCK },
  { name: 'lms(32 taps)', channels: 2, stages: [{ name: 'lms', params: { taps: 32, mu: 0.001, eps: 0 } }], samples: BLOCK },
  {
    name: 'movingAverage(10) → rms(5), 1 ch',
    channels: 1,
    stages: [{ name: 'movingAverage', params: { window: 10 } }, { name: 'rms', params: { window: 5 } }],
    samples: BLOCK,
  },
  {
    name: 'movingAverage(10) → rms(5), 4 ch',
    channels: 4,
    stages: [{ name: 'movingAverage', params: { window: 10 } }, { name: 'rms', params: { window: 5 } }],
    samples: 4 * BLOCK,
  },
];

function noise(length: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = a / 2147483648 - 1;
  }
  return out;
}

/** A chain of kernels over one block; scratch reused like Pipeline does. */
function chain(backend: DspBackend, c: Case): () => void {
  let ch = c.channels;
  const kernels: StageKernel[] = c.stages.map((spec) => {
    const k = backend.createKernel(spec, ch);
    ch = k.outChannels;
    return k;
  });
  const input = noise(BLOCK * c.channels, 12345);
  const buffers = kernels.map((k) => new Float32Array(BLOCK * k.outChannels));
  return () => {
    let x = input;
    for (let s = 0; s < kernels.length; s++) {
      kernels[s]!.process(x, buffers[s]!);
      x = buffers[s]!;
    }
  };
}

/**
 * Samples per second of this process's CPU time (user + system), not wall time: on a shared
 * machine other processes take the CPU away at random, which wall time would charge to us.
 */
function measure(run: () => void, samplesPerCall: number, simd: boolean | undefined): number {
  if (simd !== undefined) addon.setSimd(simd);
  let calls = 0;
  const start = process.cpuUsage();
  const wallEnd = process.hrtime.bigint() + BigInt(ROUND_MS) * 1_000_000n;
  do {
    for (let i = 0; i < 16; i++) run();
    calls += 16;
  } while (process.hrtime.bigint() < wallEnd);
  const used = process.cpuUsage(start);
  return (calls * samplesPerCall) / ((used.user + used.system) / 1e6);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function fmt(samplesPerSecond: number): string {
  return samplesPerSecond >= 1e9 ? `${(samplesPerSecond / 1e9).toFixed(2)} G` : `${(samplesPerSecond / 1e6).toFixed(1)} M`;
}

console.log(`dspfn native bench: ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), Node ${process.version}, ${process.arch}`);
console.log(`module ${file}, SIMD path ${bestPath}; blocks of ${BLOCK} frames; per CPU second; median of ${ROUNDS} × ${ROUND_MS} ms\n`);

interface Row {
  name: string;
  simd: number;
  scalar: number;
  ts: number;
}
const rows: Row[] = [];
for (const c of cases) {
  const variants = [
    { key: 'simd' as const, run: chain(native, c), simd: true },
    { key: 'scalar' as const, run: chain(native, c), simd: false },
    { key: 'ts' as const, run: chain(jsBackend, c), simd: undefined },
  ];
  const results: Record<'simd' | 'scalar' | 'ts', number[]> = { simd: [], scalar: [], ts: [] };
  for (const v of variants) measure(v.run, c.samples, v.simd); // warm-up, JIT
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of variants) results[v.key].push(measure(v.run, c.samples, v.simd));
  }
  addon.setSimd(true);
  rows.push({ name: c.name, simd: median(results.simd), scalar: median(results.scalar), ts: median(results.ts) });
}

const header = ['stage (samples/s)', `native ${bestPath}`, 'native scalar', 'TypeScript', `${bestPath}/scalar`, `${bestPath}/TS`];
const table = rows.map((r) => [
  r.name,
  fmt(r.simd),
  fmt(r.scalar),
  fmt(r.ts),
  `${(r.simd / r.scalar).toFixed(2)}×`,
  `${(r.simd / r.ts).toFixed(1)}×`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const row of table) console.log(line(row));

/**
 * The same movingAverage(10) → rms(5) written as the plain JavaScript loop a user might write
 * (float64 running sums over ring buffers, no stage framework, no drift control), for scale.
 */
function plainLoopChain(): () => void {
  const input = noise(BLOCK, 12345);
  const out = new Float32Array(BLOCK);
  const ring1 = new Float64Array(10);
  const ring2 = new Float64Array(5);
  let sum1 = 0;
  let sum2 = 0;
  let n = 0;
  return () => {
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
  };
}

/** A loop that only sums the block: roughly the fastest any JavaScript pass over it can be. */
function sumLoop(): () => void {
  const input = noise(BLOCK, 12345);
  let sink = 0;
  return () => {
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += input[i]!;
    sink += sum;
    if (sink === 42) console.log('');
  };
}

const targetCase = cases.find((c) => c.name === 'movingAverage(10) → rms(5), 1 ch');
if (targetCase) {
  // Measured again, interleaved with the baselines, so the comparison shares this run's conditions.
  const variants = [
    { key: 'native', run: chain(native, targetCase), simd: true as boolean | undefined },
    { key: 'ts', run: chain(jsBackend, targetCase), simd: undefined },
    { key: 'plain', run: plainLoopChain(), simd: undefined },
    { key: 'sum', run: sumLoop(), simd: undefined },
  ];
  const results = new Map<string, number[]>(variants.map((v) => [v.key, []]));
  for (const v of variants) measure(v.run, BLOCK, v.simd);
  for (let r = 0; r < ROUNDS; r++) for (const v of variants) results.get(v.key)!.push(measure(v.run, BLOCK, v.simd));
  addon.setSimd(true);
  const m = (key: string): number => median(results.get(key)!);
  const nativeRate = m('native');
  const ratio = nativeRate / m('ts');
  console.log(`\ntarget movingAverage(10) → rms(5), 1 ch, 1,024-sample blocks, measured side by side:`);
  for (const [label, key] of [
    [`native ${bestPath}`, 'native'],
    ['TypeScript reference stages', 'ts'],
    ['plain JavaScript loop, same math', 'plain'],
    ['plain JavaScript loop summing the block', 'sum'],
  ] as const) {
    const rate = m(key);
    console.log(`  ${label.padEnd(40)} ${fmt(rate).padStart(9)}samples/s   native is ${(nativeRate / rate).toFixed(1)}×`);
  }
  console.log(
    `goal: ≥ 300 M samples/s: ${nativeRate >= 3e8 ? 'met' : 'NOT met'} (${fmt(nativeRate)}); ` +
      `≥ 10× TypeScript: ${ratio >= 10 ? 'met' : 'NOT met'} (${ratio.toFixed(1)}×)`,
  );
}
