import { pipeline, type PipelineSpec } from '../../core/index.ts';
import { jsBackend } from '../../core/adapters/index.ts';
import { measure, millions, table } from './measure.ts';

const BLOCK = 1024;

function block(channels: number): Float32Array {
  return Float32Array.from({ length: BLOCK * channels }, (_, i) => 1000 + Math.sin(i / 7) * 3);
}

/** TypeScript reference stages on 1,024-sample blocks, beside a plain loop that only sums the block. */
export function benchTypeScriptStages(): string {
  const cases: Array<[string, PipelineSpec]> = [
    ['movingAverage(10)', pipeline().movingAverage({ window: 10 })],
    ['rms(5)', pipeline().rms({ window: 5 })],
    ['movingAverage(10) → rms(5)', pipeline().movingAverage({ window: 10 }).rms({ window: 5 })],
    ['movingAverage(10), 4 channels', pipeline({ channels: 4 }).movingAverage({ window: 10 })],
    ['nlms(32 taps), 2 channels', pipeline({ channels: 2 }).nlms({ taps: 32, mu: 0.1 })],
    ['lms(32 taps), 2 channels', pipeline({ channels: 2 }).lms({ taps: 32, mu: 0.01 })],
  ];
  const plain = block(1);
  let sink = 0;
  const baseline = measure(() => {
    let sum = 0;
    for (let i = 0; i < plain.length; i++) sum += plain[i]!;
    sink += sum;
    return plain.length;
  });
  const rows: string[][] = [['stage (TypeScript reference)', 'samples/s', 'vs plain loop']];
  rows.push(['plain loop (sum of the block)', millions(baseline), '1.00×']);
  for (const [name, spec] of cases) {
    const p = spec.create(jsBackend);
    const input = block(spec.channels);
    const rate = measure(() => {
      p.process(input);
      return input.length;
    });
    rows.push([name, millions(rate), `${(rate / baseline).toFixed(2)}×`]);
  }
  if (sink === 42) console.log('');
  return table(rows);
}
