import { ByteReader, ByteWriter } from '../../../bytes.ts';
import { SnapshotError } from '../../../../errors.ts';
import type { StageKernel } from '../../kernel.ts';
import { RealFft } from './fft.ts';
import { sinCos2Pi } from './spectral-math.ts';

export const WINDOWS = ['hann', 'hamming', 'blackman', 'rectangular'] as const;
export type WindowName = (typeof WINDOWS)[number];

/** What a spectral stage makes of one channel's |X_k|², k = 0 … size/2, per frame. */
export interface FrameReducer {
  /** Outputs per channel and frame. */
  readonly perChannel: number;
  /** float64 values per channel kept from one frame to the next (0: none). */
  readonly carry: number;
  /**
   * Writes the channel's outputs at out[at …]; `carry` is the channel's carry (length `carry`),
   * holding what the previous frame left, and `first` says there was no previous frame.
   */
  reduce(power: Float64Array, out: Float32Array, at: number, carry: Float64Array, first: boolean): void;
}

/** The periodic window of `size` points (scipy.signal.get_window(name, size), fftbins=True). */
export function makeWindow(name: WindowName, size: number): Float64Array {
  const w = new Float64Array(size);
  for (let n = 0; n < size; n++) {
    const c = sinCos2Pi(n, size)[1];
    switch (name) {
      case 'hann':
        w[n] = 0.5 - 0.5 * c;
        break;
      case 'hamming':
        w[n] = 0.54 - 0.46 * c;
        break;
      case 'blackman':
        w[n] = 0.42 - 0.5 * c + 0.08 * sinCos2Pi(2 * n, size)[1];
        break;
      default:
        w[n] = 1;
    }
  }
  return w;
}

/**
 * Frames of `size` samples every `hop` samples per channel — frame k covers the key's samples
 * [k·hop, k·hop + size) and is emitted when its last sample arrives — windowed, through the real
 * FFT, reduced per channel by the stage. Output frames are channel-major: channel 0's outputs,
 * then channel 1's, …; a call's first output frame lies at `firstOutputOffset()` = k·hop − (samples
 * seen before the call), the frame's first sample (negative when that sample came in an earlier
 * call). layers/dsp/src/families/spectral/spectral.c is the C counterpart.
 *
 * State: u32 channels · u32 size · f64 total · per channel the f32 samples of the frame in progress
 * · once a frame has been emitted, per channel `carry` f64.
 */
export class SpectralKernel implements StageKernel {
  readonly outChannels: number;
  private total = 0;
  private lastFirst = 0;
  /** channels × size: the frame in progress, per channel, oldest first. */
  private readonly frame: Float32Array;
  private readonly carries: Float64Array;
  private readonly window: Float64Array;
  private readonly power: Float64Array;
  private readonly fft: RealFft;

  constructor(
    private readonly name: string,
    readonly inChannels: number,
    private readonly size: number,
    private readonly hop: number,
    window: WindowName,
    private readonly reducer: FrameReducer,
  ) {
    this.outChannels = inChannels * reducer.perChannel;
    this.frame = new Float32Array(inChannels * size);
    this.carries = new Float64Array(inChannels * reducer.carry);
    this.window = makeWindow(window, size);
    this.power = new Float64Array(size / 2 + 1);
    this.fft = new RealFft(size);
  }

  /** Frames emitted once `total` samples per channel have arrived. */
  private emitted(total: number): number {
    if (total < this.size) return 0;
    const span = total - this.size;
    let q = Math.floor(span / this.hop);
    if (q * this.hop > span) q -= 1;
    return q + 1;
  }

  private filled(total: number): number {
    const start = this.emitted(total) * this.hop;
    return total > start ? total - start : 0;
  }

  maxOutputFrames(inFrames: number): number {
    return this.emitted(this.total + inFrames) - this.emitted(this.total);
  }

  firstOutputOffset(): number {
    return this.lastFirst;
  }

  process(input: Float32Array, output: Float32Array): number {
    const C = this.inChannels;
    const N = this.size;
    const hop = this.hop;
    const frames = input.length / C;
    const per = this.reducer.perChannel;
    const carry = this.reducer.carry;
    let total = this.total;
    let K = this.emitted(total);
    this.lastFirst = K * hop - total;
    let written = 0;
    let i = 0;
    while (i < frames) {
      const start = K * hop;
      if (total < start) {
        const skip = Math.min(start - total, frames - i);
        i += skip;
        total += skip;
        continue;
      }
      const r = total - start;
      const take = Math.min(N - r, frames - i);
      for (let c = 0; c < C; c++) {
        const f = c * N + r;
        for (let j = 0; j < take; j++) this.frame[f + j] = input[(i + j) * C + c]!;
      }
      i += take;
      total += take;
      if (r + take < N) break;
      const at = written * this.outChannels;
      for (let c = 0; c < C; c++) {
        this.fft.power(this.frame, c * N, this.window, this.power);
        this.reducer.reduce(this.power, output, at + c * per, this.carries.subarray(c * carry, (c + 1) * carry), K === 0);
        if (hop < N) this.frame.copyWithin(c * N, c * N + hop, (c + 1) * N);
      }
      written++;
      K++;
    }
    this.total = total;
    return written;
  }

  snapshot(): Uint8Array {
    const r = this.filled(this.total);
    const withCarry = this.emitted(this.total) > 0;
    const out = new ByteWriter(16 + this.inChannels * r * 4 + (withCarry ? this.carries.length * 8 : 0))
      .u32(this.inChannels)
      .u32(this.size)
      .f64(this.total);
    for (let c = 0; c < this.inChannels; c++) out.f32Array(this.frame.subarray(c * this.size, c * this.size + r));
    if (withCarry) for (const v of this.carries) out.f64(v);
    return out.finish();
  }

  restore(state: Uint8Array): void {
    const what = `${this.name} state`;
    const input = new ByteReader(state, what);
    const channels = input.u32();
    const size = input.u32();
    if (channels !== this.inChannels || size !== this.size) {
      throw new SnapshotError(`${what} is for ${channels} channel(s) and size ${size}, stage has ${this.inChannels} and ${this.size}`);
    }
    const total = input.f64();
    if (!(Number.isInteger(total) && total >= 0 && total <= 2 ** 53)) {
      throw new SnapshotError(`${what} holds a sample count that is not a whole number >= 0`);
    }
    const r = this.filled(total);
    const withCarry = this.emitted(total) > 0;
    const expected = 16 + channels * r * 4 + (withCarry ? this.carries.length * 8 : 0);
    if (state.length !== expected) throw new SnapshotError(`${what} has ${state.length} bytes, expected ${expected}`);
    const samples = new Float32Array(channels * r);
    input.f32Into(samples);
    const carries = new Float64Array(this.carries.length);
    if (withCarry) {
      for (let j = 0; j < carries.length; j++) {
        carries[j] = input.f64();
        if (carries[j]! < 0) throw new SnapshotError(`${what} holds a negative magnitude`);
      }
    }
    input.expectEnd();
    this.total = total;
    for (let c = 0; c < channels; c++) this.frame.set(samples.subarray(c * r, (c + 1) * r), c * this.size);
    this.carries.set(carries);
  }
}
