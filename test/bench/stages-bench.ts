/**
 * Every catalogue stage on 1,024-frame blocks: native best SIMD path vs native scalar vs the
 * TypeScript kernel vs a plain JavaScript loop of the same math (each stage's reference supplies
 * its bench options and that loop), measured side by side in this process.
 *
 *   npx tsx test/bench/stages-bench.ts [--quick] [--stage ema,gain]
 *
 * Throughput counts input samples (frames × input channels) per second of this process's CPU time
 * (user + system): on a shared machine, wall time would charge other processes' work to us. Each
 * cell is the median of interleaved rounds, so frequency drift hits every variant alike.
 */
import os from 'node:os';
import { jsBackend } from '../../core/dsp/backend.ts';
import { signal } from '../conformance/signals.ts';
import { nativeBackend, nativeModule } from '../../core/dsp/native/loader.ts';
import { catalogue, type StageName, type StageSpec } from '../../core/dsp/stages/catalogue.ts';
import type { AnyStageDescriptor } from '../../core/dsp/stages/descriptor.ts';
import type { StageKernel } from '../../core/dsp/stages/kernel.ts';
import type { StageReference } from '../../core/dsp/stages/reference.ts';
import { references } from '../../core/dsp/stages/references.generated.ts';
import { cpuRate, median, rate, table } from './measure.ts';

const BLOCK = 1024;
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const ROUND_MS = quick ? 60 : 120;
const stageArg = process.argv.indexOf('--stage');
const only = stageArg > 0 ? (process.argv[stageArg + 1] ?? '').split(',') : [];

const { addon, file } = nativeModule();
const native = nativeBackend(addon);
const best = addon.setSimd(true);

/** The channel counts a stage is benched on: its reference's, else 1 and 8 when it takes them. */
function benchChannels(descriptor: AnyStageDescriptor, reference: StageReference<StageName>, params: object): number[] {
  if (reference.bench.channels) return [...reference.bench.channels];
  const accepted = [1, 2, 3, 4, 5, 6, 7, 8].filter((c) => typeof descriptor.channels.out(c, params) === 'number');
  return accepted.includes(1) && accepted.includes(8) ? [1, 8] : accepted.slice(0, 1);
}

/** Bench options as a row label; a matrix (an array of arrays) shows its shape: mix's 8 × 8 is [8×8]. */
function optionsLabel(options: unknown): string {
  const shape = (_key: string, value: unknown) =>
    Array.isArray(value) && value.length > 0 && value.every(Array.isArray) ? `[${value.length}×${(value[0] as unknown[]).length}]` : value;
  return JSON.stringify(options, shape).replace(/"/g, '');
}

interface Variant {
  /** simd, scalar, ts, plain, or alt<i> for the reference's alternatives[i]. */
  readonly name: string;
  readonly simd?: boolean;
  readonly run: () => void;
}

function kernelRun(kernel: StageKernel, input: Float32Array): () => void {
  let output = new Float32Array(kernel.maxOutputFrames(BLOCK) * kernel.outChannels);
  return () => {
    // A rate-changing stage's room depends on its state (a spectrum completes 1 frame or more per block).
    const need = kernel.maxOutputFrames(BLOCK) * kernel.outChannels;
    if (output.length < need) output = new Float32Array(need);
    kernel.process(input, output);
  };
}

console.log(`stages: ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${process.arch}; module ${file}, best path ${best}`);
console.log(`blocks of ${BLOCK} frames; input samples per CPU second; median of ${ROUNDS} interleaved rounds of ${ROUND_MS} ms\n`);

const goals: string[] = [];
const notes: string[] = [];
const rows: string[][] = [['stage (1,024-frame blocks)', 'ch', `native ${best}`, 'native scalar', 'TypeScript', 'plain JS', `${best}/scalar`, 'native/TS', 'native/plain JS']];
for (const descriptor of catalogue as readonly AnyStageDescriptor[]) {
  if (only.length > 0 && !only.includes(descriptor.name)) continue;
  const reference = references[descriptor.name as StageName] as StageReference<StageName>;
  const params = descriptor.options.parse(reference.bench.options) as object;
  const spec = { name: descriptor.name, params } as StageSpec;
  for (const channels of benchChannels(descriptor, reference, params)) {
    const raw = signal('noise', BLOCK, channels, 12345);
    const input = reference.input ? reference.input(raw, channels) : raw;
    // Room for a block's output however the stage changes the rate (plain loops write it all).
    const ratio = descriptor.rate.kind === 'ratio' ? descriptor.rate.ratio(params) : { up: 1, down: 1 };
    const outChannels = descriptor.channels.out(channels, params) as number;
    const plainOutput = new Float32Array(Math.max(input.length * 2, (Math.ceil((BLOCK * ratio.up) / ratio.down) + 1) * outChannels));
    const plain = reference.bench.plain(params as never, channels);
    const alternatives = reference.bench.alternatives ?? [];
    const variants: Variant[] = [
      { name: 'simd', simd: true, run: kernelRun(native.createKernel(spec, channels), input) },
      { name: 'scalar', simd: false, run: kernelRun(native.createKernel(spec, channels), input) },
      { name: 'ts', run: kernelRun(jsBackend.createKernel(spec, channels), input) },
      { name: 'plain', run: () => plain(input, plainOutput) },
      ...alternatives.map((a, i): Variant => {
        const run = a.plain(params as never, channels);
        return { name: `alt${i}`, run: () => run(input, plainOutput) };
      }),
    ];
    const results = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    const once = (v: Variant) => {
      if (v.simd !== undefined) addon.setSimd(v.simd);
      return cpuRate(v.run, input.length, ROUND_MS);
    };
    for (const v of variants) once(v); // warm-up: JIT, caches
    for (let r = 0; r < ROUNDS; r++) for (const v of variants) results.get(v.name)!.push(once(v));
    addon.setSimd(true);
    const m = (name: string) => median(results.get(name)!);
    rows.push([
      `${descriptor.name}(${optionsLabel(reference.bench.options)})`,
      String(channels),
      rate(m('simd')),
      rate(m('scalar')),
      rate(m('ts')),
      rate(m('plain')),
      `${(m('simd') / m('scalar')).toFixed(2)}×`,
      `${(m('simd') / m('ts')).toFixed(1)}×`,
      `${(m('simd') / m('plain')).toFixed(1)}×`,
    ]);
    alternatives.forEach((a, i) => {
      const ratio = m('simd') / m(`alt${i}`);
      notes.push(`  ${descriptor.name}, ${channels} ch: native ${best} ${ratio.toFixed(1)}× ${a.label} (${rate(m(`alt${i}`))}; the table's plain JS: ${rate(m('plain'))})`);
    });
    const goal = reference.bench.goal;
    const wanted = goal?.minPlainRatio[channels];
    if (goal && wanted !== undefined) {
      const ratio = m('simd') / m('plain');
      goals.push(`  ${goal.label}, ${channels} ch: native ${best} ${ratio.toFixed(1)}× the plain JavaScript loop; goal ≥ ${wanted}× (${goal.source}): ${ratio >= wanted ? 'met' : 'NOT met'}`);
    }
  }
}
console.log(table(rows));
if (notes.length > 0) console.log(`\nOther plain JavaScript loops (measured in this run):\n${notes.join('\n')}`);
if (goals.length > 0) console.log(`\nCalled out (measured in this run):\n${goals.join('\n')}`);
