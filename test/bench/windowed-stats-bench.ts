/**
 * Issue 10's long-stream exactness of the windowed statistics, measured: a key at 1e5 ± 2 for 10
 * million samples through the native module (best path), the TypeScript kernel and each stage's
 * plain JavaScript loop (its reference's bench loop: float64 running sums, as users write them),
 * against a float64 computation of each checked output's own window. Prints the worst error
 * relative to the window's standard deviation, and what is left of it beyond the float32 rounding
 * of the output (|ref| · 2⁻²⁴, 0.5 % of σ for outputs at the 1e5 level).
 *
 *   npx tsx --conditions=dspfn-source test/bench/windowed-stats-bench.ts [--samples 10000000]
 */
import { jsBackend } from '../../core/dsp/backend.ts';
import { nativeBackend, nativeModule } from '../../core/dsp/native/loader.ts';
import { dcStream, longStreamError, type LongStreamCase } from '../../core/dsp/stages/families/windowed-stats/long-stream.ts';
import { descriptorOf, type StageName, type StageSpec } from '../../core/dsp/stages/catalogue.ts';
import type { StageReference } from '../../core/dsp/stages/reference.ts';
import { references } from '../../core/dsp/stages/references.generated.ts';
import { mulberry32 } from '../../core/testing/random.ts';
import { table } from './measure.ts';

const samplesArg = process.argv.indexOf('--samples');
const SAMPLES = samplesArg > 0 ? Number(process.argv[samplesArg + 1]) : 10_000_000;

const { addon } = nativeModule();
const native = nativeBackend(addon);
const best = addon.setSimd(true);
const stream = dcStream(SAMPLES, mulberry32(2024));

const cases: [StageName, object, LongStreamCase][] = [
  ['variance', { window: 20 }, { statistic: 'variance', window: 20 }],
  ['variance', { window: 1000 }, { statistic: 'variance', window: 1000 }],
  ['stddev', { window: 20 }, { statistic: 'stddev', window: 20 }],
  ['zScore', { window: 20, excludeCurrent: true }, { statistic: 'zScore', window: 20, excludeCurrent: true }],
  ['meanAbsolute', { window: 20 }, { statistic: 'meanAbsolute', window: 20 }],
  ['min', { window: 20 }, { statistic: 'min', window: 20 }],
  ['max', { window: 20 }, { statistic: 'max', window: 20 }],
  ['cumulativeAverage', {}, { statistic: 'cumulativeAverage', window: 1 }],
];

const cell = (worst: number, beyond: number) => `${worst.toExponential(1)} / ${beyond.toExponential(1)}`;

console.log(`${SAMPLES.toLocaleString('en')} samples at 1e5 ± 2, one channel; worst |y − float64| / σ of ~50,000 checked outputs, total / beyond the output's float32 rounding\n`);
const rows: string[][] = [['stage', `native ${best}`, 'TypeScript', 'plain JS loop']];
for (const [name, options, what] of cases) {
  const params = descriptorOf(name).options.parse(options) as object;
  const spec = { name, params } as StageSpec;
  const results = [native, jsBackend].map((backend) => {
    const kernel = backend.createKernel(spec, 1);
    return longStreamError((input, output) => void kernel.process(input, output), what, stream);
  });
  const reference = references[name] as StageReference<StageName>;
  results.push(longStreamError(reference.bench.plain(params as never, 1), what, stream));
  rows.push([`${name}(${JSON.stringify(options).replace(/"/g, '')})`, ...results.map((r) => cell(r.worst, r.beyondRounding))]);
}
console.log(table(rows));
