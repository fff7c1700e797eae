import { BlockWindowKernel } from './block-window.ts';

/** The statistics of this kernel, numbered as layers/dsp/src/families/windowed_stats/windowed_stats.h numbers them. */
export const MOMENTS = ['variance', 'stddev', 'zScore'] as const;
export type Moment = (typeof MOMENTS)[number];

const VARIANCE = 0;
const STDDEV = 1;

/**
 * variance, stddev and zScore over the last `window` samples (BlockWindowKernel's blocks). The
 * reference for layers/dsp/src/families/windowed_stats/moments_loop.h, which performs the same
 * float64 operations in the same order.
 *
 * Each part of a window keeps shifted sums about one of its own samples: the current block's
 * prefix S1 = Σ(x − Kb), S2 = Σ(x − Kb)² about its first sample Kb, the previous block's suffixes
 * T1[j], T2[j] about its last sample Ka (still in every window that uses them). A window's sums
 * about Kb are then S1 + T1 + na·Δ and S2 + T2 + Δ·(2·T1 + na·Δ) with Δ = Ka − Kb and na the
 * previous block's samples in it, and
 *   var = (m·S2 − S1²) / m²,   z = (m·(x − Kb) − S1) / (m · max(sqrt(var), epsilon))
 * for the m samples of the window. The shift is a sample of the window, so (mean − shift)² ≤
 * (m − 1)·var: the subtraction never loses more than log2(m) bits, whatever the offset and however
 * the level moves. Samples on the float32 grid near the shift (a DC offset with noise, sensor
 * readings) make every difference, square and sum exact in float64; var is then the float64
 * rounding of the exact population variance.
 *
 * zScore with excludeCurrent takes the statistics of the `window` samples before x (the window
 * ending at the previous sample) before x enters the block; a key's first sample gives 0.
 */
export class MomentsKernel extends BlockWindowKernel {
  private readonly stat: number;
  /** Kb, S1, S2 of the current block's prefix, value-major: Kb of every channel, then S1, then S2. */
  private readonly prefix: Float64Array;
  /** T1[j], T2[j] of the previous block: the sums over its positions j … window−1 about its last sample. */
  private readonly suffix1: Float64Array;
  private readonly suffix2: Float64Array;

  constructor(
    channels: number,
    window: number,
    statistic: Moment,
    private readonly excludeCurrent = false,
    private readonly epsilon = 1e-12,
  ) {
    super(channels, window, statistic);
    this.stat = MOMENTS.indexOf(statistic);
    this.prefix = new Float64Array(3 * channels);
    this.suffix1 = new Float64Array(window * channels);
    this.suffix2 = new Float64Array(window * channels);
  }

  protected run(input: Float32Array, output: Float32Array, c: number): void {
    const { inChannels: C, window: W, ring, prefix, excludeCurrent } = this;
    let count = this.count;
    let p = count % W;
    let kb = prefix[c]!;
    let s1 = prefix[C + c]!;
    let s2 = prefix[2 * C + c]!;
    for (let i = c; i < input.length; i += C) {
      const x = input[i]!;
      let y = 0;
      if (excludeCurrent && count > 0) {
        // The window ending at the previous sample, before x enters the block.
        if (count < W) y = this.output(x - kb, s1, s2, p);
        else if (p === 0) y = this.output(x - ring[(W - 1) * C + c]!, this.suffix1[c]!, this.suffix2[c]!, W);
        else y = this.combined(x, kb, s1, s2, p, c);
      }
      ring[p * C + c] = x;
      if (p === 0) {
        kb = x;
        s1 = 0;
        s2 = 0;
      }
      const d = x - kb;
      s1 = s1 + d;
      s2 = s2 + d * d;
      if (!excludeCurrent) {
        if (count < W || p === W - 1) y = this.output(d, s1, s2, p + 1);
        else y = this.combined(x, kb, s1, s2, p + 1, c);
      }
      output[i] = y;
      count++;
      if (++p === W) {
        p = 0;
        this.suffixes(c, 0);
      }
    }
    prefix[c] = kb;
    prefix[C + c] = s1;
    prefix[2 * C + c] = s2;
  }

  /** The window made of the previous block's positions j … W−1 and the current block's 0 … j−1 (prefix s1, s2 about kb). */
  private combined(x: number, kb: number, s1: number, s2: number, j: number, c: number): number {
    const { inChannels: C, window: W } = this;
    const na = W - j;
    const t1 = this.suffix1[j * C + c]!;
    const t2 = this.suffix2[j * C + c]!;
    const delta = this.ring[(W - 1) * C + c]! - kb;
    const a1 = t1 + na * delta;
    const a2 = t2 + delta * (2 * t1 + na * delta);
    return this.output(x - kb, s1 + a1, s2 + a2, W);
  }

  /** The statistic of m samples with sums s1, s2 about a shift K; d = x − K. */
  private output(d: number, s1: number, s2: number, m: number): number {
    let v = (m * s2 - s1 * s1) / (m * m);
    v = v < 0 ? 0 : v;
    if (this.stat === VARIANCE) return v;
    const sd = Math.sqrt(v);
    if (this.stat === STDDEV) return sd;
    return (m * d - s1) / (m * (sd > this.epsilon ? sd : this.epsilon));
  }

  /** T1[j], T2[j] for j = W−1 down to `from`, about the block's last sample ring[W−1]. */
  private suffixes(c: number, from: number): void {
    const { inChannels: C, window: W, ring, suffix1, suffix2 } = this;
    const ka = ring[(W - 1) * C + c]!;
    let t1 = 0;
    let t2 = 0;
    for (let j = W - 1; j >= from; j--) {
      const d = ring[j * C + c]! - ka;
      t1 = t1 + d;
      t2 = t2 + d * d;
      suffix1[j * C + c] = t1;
      suffix2[j * C + c] = t2;
    }
  }

  protected rebuild(): void {
    const { inChannels: C, window: W, ring, prefix } = this;
    const p = this.count % W;
    prefix.fill(0);
    this.suffix1.fill(0);
    this.suffix2.fill(0);
    for (let c = 0; c < C; c++) {
      if (p > 0) {
        const kb = ring[c]!;
        let s1 = 0;
        let s2 = 0;
        for (let k = 0; k < p; k++) {
          const d = ring[k * C + c]! - kb;
          s1 = s1 + d;
          s2 = s2 + d * d;
        }
        prefix[c] = kb;
        prefix[C + c] = s1;
        prefix[2 * C + c] = s2;
      }
      if (this.count >= W) this.suffixes(c, p);
    }
  }
}
