import { ByteReader, ByteWriter } from '../../../bytes.ts';
import { SnapshotError } from '../../../../errors.ts';
import type { StageKernel } from '../../kernel.ts';
import { DIRECT_WINDOW_MAX, resyncInterval } from './windowed-stats.options.ts';

/** The statistics this kernel computes, numbered as the C family (windowed_stats.h) numbers them. */
export const SUM_STATISTICS = ['variance', 'stddev', 'zScore', 'meanAbsolute'] as const;
export type SumStatistic = (typeof SUM_STATISTICS)[number];

const VARIANCE = 0;
const STDDEV = 1;
const ZSCORE = 2;

/**
 * variance, stddev, zScore and meanAbsolute over the last `window` samples of each channel, warming
 * up over the samples seen so far. The reference for layers/dsp/src/families/windowed_stats/, which
 * performs the same float64 operations in the same order.
 *
 * Moments (variance, stddev, zScore), window > DIRECT_WINDOW_MAX: per channel a shift K (a float32
 * value: the key's first sample, then the window's mean rounded to float32 at each resync) and the
 * running sums S1 = Σ(x − K), S2 = Σ(x − K)². Each sample changes them by a = d − dOld and a·b with
 * b = d + dOld (d = x − K, dOld = the leaving sample − K, 0 while warming up): for samples on the
 * float32 grid near K (a DC offset with noise, sensor readings) d, a, b and a·b are exact in
 * float64 and so are the sums, which then never drift. The output is computed from them as
 *   var = (m·S2 − S1²) / m²,   z = (m·d − S1) / (m · max(sqrt(var), epsilon))
 * (m = samples in the window), exact up to the last rounding whenever the products are. Other
 * signals round, and the resync every resyncInterval(window) samples bounds the drift.
 *
 * Moments, window ≤ DIRECT_WINDOW_MAX: no running sums; each output takes its window's mean, then
 * the mean squared deviation from it, oldest sample first.
 *
 * meanAbsolute: S = Σ|x| as movingAverage keeps Σx (S − |leaving| + |x|), y = S / m, the same resync.
 *
 * zScore with excludeCurrent: the statistics of the `window` samples before x, taken before x
 * enters the window; a key's first sample gives 0.
 *
 * State: u32 channels · u32 window · f64 count (frames seen) · the running values, value-major
 * (K of every channel, then S1, then S2; meanAbsolute: S; direct moments: none) · f32 ring of
 * window × channels, frame-major: the sample of frame n of channel c at (n mod window) · channels + c.
 */
export class WindowSumsKernel implements StageKernel {
  readonly outChannels: number;
  private count = 0;
  private readonly values: Float64Array;
  private readonly ring: Float32Array;
  private readonly stat: number;
  private readonly direct: boolean;
  private readonly resync: number;

  constructor(
    readonly inChannels: number,
    private readonly window: number,
    private readonly statistic: SumStatistic,
    private readonly excludeCurrent = false,
    private readonly epsilon = 1e-12,
  ) {
    this.outChannels = inChannels;
    this.stat = SUM_STATISTICS.indexOf(statistic);
    this.direct = statistic !== 'meanAbsolute' && window <= DIRECT_WINDOW_MAX;
    this.values = new Float64Array(valuesPerChannel(statistic, window) * inChannels);
    this.ring = new Float32Array(window * inChannels);
    this.resync = resyncInterval(window);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const channels = this.inChannels;
    const frames = input.length / channels;
    if (frames === 0) return 0;
    for (let c = 0; c < channels; c++) {
      if (this.statistic === 'meanAbsolute') this.runAbsolute(input, output, c);
      else if (this.direct) this.runDirect(input, output, c);
      else this.runMoments(input, output, c);
    }
    this.count += frames;
    return frames;
  }

  private runMoments(input: Float32Array, output: Float32Array, c: number): void {
    const { inChannels: C, window: W, ring, values, stat, excludeCurrent, epsilon } = this;
    let count = this.count;
    // The key's first sample is the first shift.
    if (count === 0) values[c] = input[c]!;
    let shift = values[c]!;
    let sum = values[C + c]!;
    let sumSq = values[2 * C + c]!;
    let slot = count % W;
    let untilResync = this.resync - (count % this.resync);
    for (let i = c; i < input.length; i += C) {
      const x = input[i]!;
      let y = 0;
      if (excludeCurrent && count > 0) {
        const m = count < W ? count : W;
        y = zScoreOf(x - shift, sum, sumSq, m, epsilon);
      }
      const d = x - shift;
      const dOld = count >= W ? ring[slot * C + c]! - shift : 0;
      const a = d - dOld;
      const b = d + dOld;
      sum = sum + a;
      sumSq = sumSq + a * b;
      ring[slot * C + c] = x;
      if (++slot === W) slot = 0;
      count++;
      if (--untilResync === 0) {
        untilResync = this.resync;
        shift = this.windowShift(c);
        sum = 0;
        sumSq = 0;
        for (let j = 0; j < W; j++) {
          const e = ring[j * C + c]! - shift;
          sum = sum + e;
          sumSq = sumSq + e * e;
        }
      }
      if (!excludeCurrent) {
        const m = count < W ? count : W;
        if (stat === ZSCORE) y = zScoreOf(x - shift, sum, sumSq, m, epsilon);
        else if (stat === STDDEV) y = Math.sqrt(varianceOf(sum, sumSq, m));
        else y = varianceOf(sum, sumSq, m);
      }
      output[i] = y;
    }
    values[c] = shift;
    values[C + c] = sum;
    values[2 * C + c] = sumSq;
  }

  /** f32(mean of the full window), summed in slot order: the shift a resync takes. */
  private windowShift(c: number): number {
    const { inChannels: C, window: W, ring } = this;
    let total = 0;
    for (let j = 0; j < W; j++) total = total + ring[j * C + c]!;
    return Math.fround(total / W);
  }

  private runDirect(input: Float32Array, output: Float32Array, c: number): void {
    const { inChannels: C, window: W, ring, excludeCurrent } = this;
    let count = this.count;
    let slot = count % W;
    for (let i = c; i < input.length; i += C) {
      const x = input[i]!;
      let y = 0;
      if (excludeCurrent) {
        if (count > 0) y = this.directOutput(c, count, x);
        ring[slot * C + c] = x;
        count++;
      } else {
        ring[slot * C + c] = x;
        count++;
        y = this.directOutput(c, count, x);
      }
      if (++slot === W) slot = 0;
      output[i] = y;
    }
  }

  /**
   * The statistic of the last min(end, window) samples of channel c before absolute index `end`
   * (their mean, then the mean squared deviation from it, both oldest sample first); x is the
   * current sample, for zScore.
   */
  private directOutput(c: number, end: number, x: number): number {
    const { inChannels: C, window: W, ring } = this;
    const m = end < W ? end : W;
    const first = (end - m) % W;
    let total = 0;
    for (let j = 0, k = first; j < m; j++) {
      total = total + ring[k * C + c]!;
      if (++k === W) k = 0;
    }
    const mean = total / m;
    let squares = 0;
    for (let j = 0, k = first; j < m; j++) {
      const e = ring[k * C + c]! - mean;
      squares = squares + e * e;
      if (++k === W) k = 0;
    }
    const variance = squares / m;
    if (this.stat === VARIANCE) return variance;
    const sd = Math.sqrt(variance);
    if (this.stat === STDDEV) return sd;
    return (x - mean) / (sd > this.epsilon ? sd : this.epsilon);
  }

  private runAbsolute(input: Float32Array, output: Float32Array, c: number): void {
    const { inChannels: C, window: W, ring, values } = this;
    let count = this.count;
    let sum = values[c]!;
    let slot = count % W;
    let untilResync = this.resync - (count % this.resync);
    for (let i = c; i < input.length; i += C) {
      const x = input[i]!;
      const old = count >= W ? Math.abs(ring[slot * C + c]!) : 0;
      sum = sum - old + Math.abs(x);
      ring[slot * C + c] = x;
      if (++slot === W) slot = 0;
      count++;
      if (--untilResync === 0) {
        untilResync = this.resync;
        sum = 0;
        for (let j = 0; j < W; j++) sum = sum + Math.abs(ring[j * C + c]!);
      }
      output[i] = sum / (count < W ? count : W);
    }
    values[c] = sum;
  }

  snapshot(): Uint8Array {
    const out = new ByteWriter(16 + 8 * this.values.length + 4 * this.ring.length);
    out.u32(this.inChannels).u32(this.window).f64(this.count);
    for (const v of this.values) out.f64(v);
    return out.f32Array(this.ring).finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, `${this.statistic} state`);
    const channels = input.u32();
    const window = input.u32();
    if (channels !== this.inChannels || window !== this.window) {
      throw new SnapshotError(`${this.statistic} state is for ${channels} channel(s) × window ${window}, stage has ${this.inChannels} × ${this.window}`);
    }
    // Everything is read and checked before the state changes, so a refused snapshot leaves it intact.
    const count = input.f64();
    const values = new Float64Array(this.values.length);
    for (let i = 0; i < values.length; i++) values[i] = input.f64();
    const ring = new Float32Array(this.ring.length);
    input.f32Into(ring);
    input.expectEnd();
    if (!isSampleCount(count)) throw new SnapshotError(`${this.statistic} state holds a sample count that is not a whole number >= 0`);
    this.count = count;
    this.values.set(values);
    this.ring.set(ring);
  }
}

/** Running values per channel: K, S1, S2 for the running moments; S for meanAbsolute; none for direct moments. */
export function valuesPerChannel(statistic: SumStatistic, window: number): number {
  if (statistic === 'meanAbsolute') return 1;
  return window <= DIRECT_WINDOW_MAX ? 0 : 3;
}

/** (m·S2 − S1²) / m², negative rounding clamped to 0 (NaN stays NaN). */
function varianceOf(sum: number, sumSq: number, m: number): number {
  const v = (m * sumSq - sum * sum) / (m * m);
  return v < 0 ? 0 : v;
}

/** (x − mean) / max(std, epsilon) with d = x − K: (m·d − S1) / (m · max(std, epsilon)). */
function zScoreOf(d: number, sum: number, sumSq: number, m: number, epsilon: number): number {
  const sd = Math.sqrt(varianceOf(sum, sumSq, m));
  return (m * d - sum) / (m * (sd > epsilon ? sd : epsilon));
}

export function isSampleCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 2 ** 53;
}
