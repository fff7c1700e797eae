/** Every code a dspfn error carries; each names exactly one class (see table.ts). */
export const ErrorCode = {
  Config: 'DSPFN_CONFIG',
  Event: 'DSPFN_EVENT',
  Decode: 'DSPFN_DECODE',
  Output: 'DSPFN_OUTPUT',
  Late: 'DSPFN_LATE',
  InvalidSamples: 'DSPFN_INVALID_SAMPLES',
  Snapshot: 'DSPFN_SNAPSHOT',
  StateMismatch: 'DSPFN_STATE_MISMATCH',
  StateStore: 'DSPFN_STATE_STORE',
  Sink: 'DSPFN_SINK',
  Native: 'DSPFN_NATIVE',
  NativeKernel: 'DSPFN_NATIVE_KERNEL',
  BatchFailed: 'DSPFN_BATCH_FAILED',
  ReplayFailed: 'DSPFN_REPLAY_FAILED',
  ConsumeFailed: 'DSPFN_CONSUME_FAILED',
  Secret: 'DSPFN_SECRET',
  Security: 'DSPFN_SECURITY',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
