/**
 * Float64 definitions of the windowed statistics, window by window (mean first, then the deviations
 * from it: no running sums), and the plain JavaScript loops a user would write for them.
 */

export type WindowStatistic = 'variance' | 'stddev' | 'zScore' | 'meanAbsolute' | 'min' | 'max';

export interface DefinitionOptions {
  readonly excludeCurrent?: boolean;
  readonly epsilon?: number;
}

/**
 * The statistic of each output's window: the last min(n + 1, window) samples of its channel up to
 * and including sample n, or (zScore with excludeCurrent) the min(n, window) samples before it.
 */
export function directStatistic(
  input: Float32Array,
  channels: number,
  window: number,
  statistic: WindowStatistic,
  { excludeCurrent = false, epsilon = 1e-12 }: DefinitionOptions = {},
): Float64Array {
  const frames = input.length / channels;
  const out = new Float64Array(input.length);
  const values = new Float64Array(window);
  for (let c = 0; c < channels; c++) {
    for (let n = 0; n < frames; n++) {
      const end = excludeCurrent ? n : n + 1;
      const m = Math.min(end, window);
      for (let j = 0; j < m; j++) values[j] = input[(end - m + j) * channels + c]!;
      const x = input[n * channels + c]!;
      out[n * channels + c] = m === 0 ? 0 : statisticOf(values.subarray(0, m), x, statistic, epsilon);
    }
  }
  return out;
}

function statisticOf(values: Float64Array, x: number, statistic: WindowStatistic, epsilon: number): number {
  const m = values.length;
  let low = Infinity;
  let high = -Infinity;
  let sum = 0;
  let absolute = 0;
  for (let j = 0; j < m; j++) {
    const v = values[j]!;
    low = Math.min(low, v);
    high = Math.max(high, v);
    sum += v;
    absolute += Math.abs(v);
  }
  if (statistic === 'min') return low;
  if (statistic === 'max') return high;
  if (statistic === 'meanAbsolute') return absolute / m;
  const mean = sum / m;
  let squares = 0;
  for (let j = 0; j < m; j++) squares += (values[j]! - mean) ** 2;
  const sd = Math.sqrt(squares / m);
  // Outputs are float32: a variance of ±1e30 samples, or a z-score over a deviation floored at
  // epsilon, can lie beyond its range, and is ±Infinity there.
  return Math.fround(statistic === 'variance' ? squares / m : statistic === 'stddev' ? sd : (x - mean) / Math.max(sd, epsilon));
}

/** Running mean of every sample seen, as a plain float64 sum (the kernel compensates its sum; this does not). */
export function directCumulativeAverage(input: Float32Array, channels: number): Float64Array {
  const out = new Float64Array(input.length);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let i = c, n = 1; i < input.length; i += channels, n++) {
      sum += input[i]!;
      out[i] = sum / n;
    }
  }
  return out;
}

type Loop = (input: Float32Array, output: Float32Array) => void;

/**
 * The rolling variance, standard deviation or z-score as a user writes it: a ring and running sums
 * of x and x² in float64 per channel, var = E[x²] − E[x]² (clamped at 0).
 */
export function plainMomentsLoop(window: number, channels: number, statistic: 'variance' | 'stddev' | 'zScore', excludeCurrent = false, epsilon = 1e-12): Loop {
  const ring = new Float64Array(window * channels);
  const sums = new Float64Array(channels);
  const squares = new Float64Array(channels);
  let seen = 0;
  return (input, output) => {
    const frames = input.length / channels;
    for (let c = 0; c < channels; c++) {
      let s = sums[c]!;
      let q = squares[c]!;
      for (let f = 0, n = seen; f < frames; f++, n++) {
        const x = input[f * channels + c]!;
        const at = (n % window) * channels + c;
        if (excludeCurrent) {
          const m = Math.min(n, window);
          const mean = s / m;
          const sd = Math.sqrt(Math.max(q / m - mean * mean, 0));
          output[f * channels + c] = n === 0 ? 0 : (x - mean) / Math.max(sd, epsilon);
        }
        const old = ring[at]!;
        s += x - old;
        q += x * x - old * old;
        ring[at] = x;
        if (!excludeCurrent) {
          const m = Math.min(n + 1, window);
          const mean = s / m;
          const variance = Math.max(q / m - mean * mean, 0);
          output[f * channels + c] = statistic === 'variance' ? variance : statistic === 'stddev' ? Math.sqrt(variance) : (x - mean) / Math.max(Math.sqrt(variance), epsilon);
        }
      }
      sums[c] = s;
      squares[c] = q;
    }
    seen += frames;
  };
}

/** Mean of |x| over a ring with a float64 running sum per channel. */
export function plainMeanAbsoluteLoop(window: number, channels: number): Loop {
  const ring = new Float64Array(window * channels);
  const sums = new Float64Array(channels);
  let seen = 0;
  return (input, output) => {
    const frames = input.length / channels;
    for (let c = 0; c < channels; c++) {
      let s = sums[c]!;
      for (let f = 0, n = seen; f < frames; f++, n++) {
        const v = Math.abs(input[f * channels + c]!);
        const at = (n % window) * channels + c;
        s += v - ring[at]!;
        ring[at] = v;
        output[f * channels + c] = s / Math.min(n + 1, window);
      }
      sums[c] = s;
    }
    seen += frames;
  };
}

/**
 * Sliding min or max with a monotonic deque per channel (sample numbers in a circular buffer of
 * `window` entries, values non-increasing for max), O(1) amortised: how it is usually written.
 */
export function plainExtremaLoop(window: number, channels: number, kind: 'min' | 'max'): Loop {
  const indices = new Float64Array(window * channels);
  const values = new Float64Array(window * channels);
  const heads = new Int32Array(channels);
  const lengths = new Int32Array(channels);
  const sign = kind === 'max' ? 1 : -1;
  let seen = 0;
  return (input, output) => {
    const frames = input.length / channels;
    for (let c = 0; c < channels; c++) {
      const base = c * window;
      let head = heads[c]!;
      let length = lengths[c]!;
      for (let f = 0, n = seen; f < frames; f++, n++) {
        const x = input[f * channels + c]!;
        const key = sign * x;
        // Drop the tail entries the new sample dominates, then the head if it left the window.
        while (length > 0 && sign * values[base + ((head + length - 1) % window)]! <= key) length--;
        if (length > 0 && indices[base + head]! <= n - window) {
          head = (head + 1) % window;
          length--;
        }
        const at = base + ((head + length) % window);
        indices[at] = n;
        values[at] = x;
        length++;
        output[f * channels + c] = values[base + head]!;
      }
      heads[c] = head;
      lengths[c] = length;
    }
    seen += frames;
  };
}

/** Running sum and count per channel. */
export function plainCumulativeAverageLoop(channels: number): Loop {
  const sums = new Float64Array(channels);
  let seen = 0;
  return (input, output) => {
    const frames = input.length / channels;
    for (let c = 0; c < channels; c++) {
      let s = sums[c]!;
      for (let f = 0, n = seen + 1; f < frames; f++, n++) {
        s += input[f * channels + c]!;
        output[f * channels + c] = s / n;
      }
      sums[c] = s;
    }
    seen += frames;
  };
}
