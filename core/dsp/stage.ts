/**
 * A stage is declared once (name, parameters, channel mapping) and run by a kernel from a backend.
 * The TypeScript kernels are the reference; the native layer must produce the same output and
 * the same snapshot bytes, so a snapshot taken by one backend restores in the other.
 */
export const StageKind = {
  movingAverage: 1,
  rms: 2,
  nlms: 3,
  lms: 4,
} as const;
export type StageName = keyof typeof StageKind;

export interface MovingWindowParams {
  window: number;
}

export interface AdaptiveFilterParams {
  taps: number;
  mu: number;
  /** Regulariser of the NLMS normalisation; ignored by LMS. */
  eps: number;
}

export type StageSpec =
  | { name: 'movingAverage'; params: MovingWindowParams }
  | { name: 'rms'; params: MovingWindowParams }
  | { name: 'nlms'; params: AdaptiveFilterParams }
  | { name: 'lms'; params: AdaptiveFilterParams };

export interface StageKernel {
  readonly inChannels: number;
  readonly outChannels: number;
  /**
   * Consumes `input` (interleaved frames of `inChannels`) and writes interleaved frames of
   * `outChannels` to `output`. `output` may alias `input` when the channel counts are equal.
   */
  process(input: Float32Array, output: Float32Array): void;
  /** The stage's state in its versioned little-endian layout (see layers/dsp/README.md). */
  snapshot(): Uint8Array;
  restore(state: Uint8Array): void;
}

export function outputChannels(spec: StageSpec, inChannels: number): number {
  return spec.name === 'nlms' || spec.name === 'lms' ? 1 : inChannels;
}
