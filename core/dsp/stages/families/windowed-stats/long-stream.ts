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

export interface LongStreamError {
  /** The worst |y − ref| / σ of the checked outputs (zScore: |y − ref|, already in units of σ; variance: / σ²). */
  readonly worst: number;
  /** The same, less the float32 rounding of each output (|ref| · 2⁻²⁴): what the stage adds to it. */
  readonly beyondRounding: number;
  readonly checked: number;
}

/** A key's samples at `offset` ± `amplitude` (uniform), as float32. */
export function dcStream(samples: number, random: () => number, offset = 1e5, amplitude = 2): Float32Array {
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) out[i] = offset + amplitude * (2 * random() - 1);
  return out;
}

/** Calls of this many samples; the first and last EDGE outputs of each, and every STRIDE-th, are checked. */
const CALL = 65_536;
const STRIDE = 251;
const EDGE = 32;

/**
 * Streams `input` (one channel) through `process` in calls of 65,536 samples and compares the
 * checked outputs with a float64 computation of the statistic over each output's own window
 * (mean first, then the deviations from it; cumulativeAverage: the mean of everything so far),
 * relative to that window's standard deviation (cumulativeAverage: of everything so far).
 */
export function longStreamError(process: (input: Float32Array, output: Float32Array) => void, { statistic, window, excludeCurrent = false }: LongStreamCase, input: Float32Array): LongStreamError {
  const output = new Float32Array(CALL);
  const W = statistic === 'cumulativeAverage' ? 1 : window;
  const values = new Float64Array(W);
  let worst = 0;
  let beyond = 0;
  let checked = 0;
  let total = 0;
  let totalSq = 0;
  for (let start = 0; start < input.length; start += CALL) {
    const n = Math.min(CALL, input.length - start);
    process(input.subarray(start, start + n), output.subarray(0, n));
    for (let i = 0; i < n; i++) {
      const index = start + i;
      const x = input[index]!;
      if (statistic === 'cumulativeAverage') {
        total += x;
        totalSq += x * x;
      }
      if (!(i < EDGE || i >= n - EDGE || i % STRIDE === 0)) continue;
      let ref: number;
      let scale: number;
      if (statistic === 'cumulativeAverage') {
        ref = total / (index + 1);
        scale = Math.sqrt(Math.max(totalSq / (index + 1) - ref * ref, 0));
      } else {
        const end = excludeCurrent ? index : index + 1;
        const m = Math.min(end, W);
        for (let j = 0; j < m; j++) values[j] = input[end - m + j]!;
        ({ ref, scale } = windowReference(statistic, values.subarray(0, m), x));
      }
      if (!(scale > 0)) continue; // fewer than two distinct samples: nothing to be relative to
      const error = Math.abs(output[i]! - ref);
      worst = Math.max(worst, error / scale);
      beyond = Math.max(beyond, (error - Math.abs(ref) * 2 ** -24) / scale);
      checked++;
    }
  }
  return { worst, beyondRounding: Math.max(beyond, 0), checked };
}

function windowReference(statistic: WindowStatistic, window: Float64Array, x: number): { ref: number; scale: number } {
  const m = window.length;
  let sum = 0;
  let absolute = 0;
  let low = Infinity;
  let high = -Infinity;
  for (const v of window) {
    sum += v;
    absolute += Math.abs(v);
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  const mean = sum / m;
  let squares = 0;
  for (const v of window) squares += (v - mean) ** 2;
  const variance = squares / m;
  const sd = Math.sqrt(variance);
  switch (statistic) {
    case 'variance':
      return { ref: variance, scale: variance };
    case 'stddev':
      return { ref: sd, scale: sd };
    case 'zScore':
      return { ref: (x - mean) / Math.max(sd, 1e-12), scale: sd > 0 ? 1 : 0 };
    case 'meanAbsolute':
      return { ref: absolute / m, scale: sd };
    case 'min':
      return { ref: low, scale: sd };
    case 'max':
      return { ref: high, scale: sd };
  }
}
