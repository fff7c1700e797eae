/**
 * The long-stream exactness check of the windowed statistics (issue 10: a key at 1e5 ± 2 for 10
 * million samples within 1e-6 of a float64 computation, relative to the standard deviation), shared
 * by the tests (long-stream.test.ts) and the bench (test/bench/windowed-stats-bench.ts). Tests and
 * benches only.
 */
import type { WindowStatistic } from './windowed-stats.reference.ts';

export type LongStreamStatistic = WindowStatistic | 'cumulativeAverage';

export interface LongStreamCase {
  readonly statistic: LongStreamStatistic;
  /** Ignored by cumulativeAverage. */
  readonly window: number;
  readonly excludeCurrent?: boolean;
}

export interface LongStreamOptions {
  /** Samples of the one-channel stream (10 million for the check). */
  readonly samples: number;
  /** Uniform in [0, 1), e.g. mulberry32: the noise around the offset. */
  readonly random: () => number;
  readonly offset?: number;
  readonly amplitude?: number;
}

/** Blocks of the resync interval of windows up to 65,536: block edges are the resync samples. */
const BLOCK = 65_536;
/** Besides every STRIDE-th output, the first and last EDGE outputs of each block are checked. */
const STRIDE = 251;
const EDGE = 64;

/**
 * Streams `offset ± amplitude` noise (float32) through `process` in blocks and returns the worst
 * error of the checked outputs against a float64 computation of the same statistic over each
 * output's own window (mean first, then the deviations from it), relative to the standard deviation
 * of that window (cumulativeAverage: of everything seen): |y − ref| minus the float32 rounding of
 * the output (|ref| · 2⁻²⁴), over σ (variance: σ²; zScore, already in units of σ: 1).
 */
export function longStreamError(
  process: (input: Float32Array, output: Float32Array) => void,
  { statistic, window, excludeCurrent = false }: LongStreamCase,
  { samples, random, offset = 1e5, amplitude = 2 }: LongStreamOptions,
): { readonly worst: number; readonly checked: number } {
  const W = statistic === 'cumulativeAverage' ? 1 : window;
  // The W samples before the block, then the block: every checked output's window is in it.
  const history = new Float32Array(W + BLOCK);
  const output = new Float32Array(BLOCK);
  const values = new Float64Array(W);
  let worst = 0;
  let checked = 0;
  let total = 0; // exact: samples on the float32 grid of 2⁻⁷ near 1e5, sums below 2⁴⁶
  let totalSq = 0;
  for (let start = 0; start < samples; start += BLOCK) {
    const n = Math.min(BLOCK, samples - start);
    history.copyWithin(0, BLOCK, BLOCK + W);
    const block = history.subarray(W, W + n);
    for (let i = 0; i < n; i++) block[i] = offset + amplitude * (2 * random() - 1);
    process(block, output.subarray(0, n));
    for (let i = 0; i < n; i++) {
      const index = start + i;
      if (statistic === 'cumulativeAverage') {
        total += block[i]!;
        totalSq += block[i]! * block[i]!;
      }
      if (!(i < EDGE || i >= n - EDGE || i % STRIDE === 0)) continue;
      const y = output[i]!;
      let ref: number;
      let scale: number;
      if (statistic === 'cumulativeAverage') {
        const count = index + 1;
        ref = total / count;
        scale = count > 1 ? Math.sqrt(Math.max(totalSq / count - ref * ref, 0)) : 1;
      } else {
        const end = excludeCurrent ? index : index + 1;
        const m = Math.min(end, W);
        if (m < 2) continue; // no deviation to be relative to
        for (let j = 0; j < m; j++) values[j] = history[W + i - (end === index ? 1 : 0) - m + 1 + j]!;
        const window = values.subarray(0, m);
        let sum = 0;
        for (const v of window) sum += v;
        const mean = sum / m;
        let squares = 0;
        for (const v of window) squares += (v - mean) ** 2;
        const sd = Math.sqrt(squares / m);
        const x = block[i]!;
        ({ ref, scale } = windowReference(statistic, window, x, mean, sd));
      }
      const excess = Math.abs(y - ref) - Math.abs(ref) * 2 ** -24;
      if (scale > 0) worst = Math.max(worst, excess / scale);
      else if (excess > 0) worst = Infinity;
      checked++;
    }
  }
  return { worst, checked };
}

function windowReference(statistic: WindowStatistic, window: Float64Array, x: number, mean: number, sd: number): { ref: number; scale: number } {
  switch (statistic) {
    case 'variance':
      return { ref: sd * sd, scale: sd * sd };
    case 'stddev':
      return { ref: sd, scale: sd };
    case 'zScore':
      return { ref: (x - mean) / Math.max(sd, 1e-12), scale: 1 };
    case 'meanAbsolute':
      return { ref: window.reduce((s, v) => s + Math.abs(v), 0) / window.length, scale: sd };
    case 'min':
      return { ref: Math.min(...window), scale: sd };
    case 'max':
      return { ref: Math.max(...window), scale: sd };
  }
}
