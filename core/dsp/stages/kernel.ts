/**
 * The kernel contract every stage implements, in TypeScript (the reference backend) and in C
 * (`dspfn_stage_ops` in layers/dsp/src/common/stage.h): one running instance of a stage for one key.
 */
export interface StageKernel {
  readonly inChannels: number;
  readonly outChannels: number;
  /**
   * The most frames `process` can write for `inFrames` input frames (it may depend on the state,
   * e.g. a decimator's phase). Callers size output buffers with it. Same-rate stages: `inFrames`.
   */
  maxOutputFrames(inFrames: number): number;
  /**
   * Consumes `input` (whole interleaved frames of `inChannels`) and writes interleaved frames of
   * `outChannels` from the start of `output`; returns how many frames it wrote (possibly 0) and
   * never writes past them. `output` may start at `input` (the same memory) when the stage's
   * output is no longer than its input (`outChannels × maxOutputFrames(n) ≤ inChannels × n`),
   * unless its descriptor says `inPlace: false`.
   */
  process(input: Float32Array, output: Float32Array): number;
  /**
   * Rate-changing stages only: where the first output frame of the last `process` call lies, in
   * input frames from that call's first input frame (fractional or negative when the stage says
   * so; meaningful when the call wrote frames). The pipeline turns it into the output's
   * first-sample time; output frame j of the call lies `j × down / up` input frames after it.
   */
  firstOutputOffset?(): number;
  /**
   * Event stages only: the index in the key's stream (from 0, float64) of the sample behind each
   * event frame the last `process` call wrote, in the order written (a view of the kernel's own
   * memory, valid until its next call). An event may lie before the call (a peak is known when the
   * next sample arrives), but never before the input frame that preceded the call.
   */
  eventIndices?(): Float64Array;
  /** Event stages only: the index in the key's stream of the last `process` call's first input frame. */
  firstInputIndex?(): number;
  /** The state in its little-endian layout, at the descriptor's `stateVersion`; no scratch. */
  snapshot(): Uint8Array;
  /**
   * Optional: `snapshot()`'s bytes written at target[offset..] when they fit there, without a new
   * array; returns their count either way (a caller whose room was short grows it and asks again).
   */
  snapshotInto?(target: Uint8Array, offset: number): number;
  /**
   * Restores a snapshot in the current layout, validating all of it before changing anything;
   * foreign, damaged or truncated bytes throw SnapshotError. Older layouts are upgraded before
   * they get here (`StageDescriptor.upgradeState`).
   */
  restore(state: Uint8Array): void;
}
