import * as errors from './classes.ts';
import type { ErrorCode } from './codes.ts';
import { DspfnError } from './dspfn-error.ts';

/**
 * What happens to the work an error hits:
 * - `dead-letter`: the record is set aside (the dead-letter topic, or the on-failure destination)
 *   with its original bytes and the reason; the rest of the batch goes on;
 * - `retry`: the batch (or the run) fails with nothing committed; the event source delivers it
 *   again, and it succeeds once the cause (a server, a setting) is fixed.
 */
export type ErrorHandling = 'retry' | 'dead-letter';

type ErrorClass = abstract new (...args: never[]) => DspfnError;

/** Every code, its one class, and its handling. */
export const ERRORS = {
  DSPFN_CONFIG: { error: errors.ConfigError, handling: 'retry' },
  DSPFN_EVENT: { error: errors.EventError, handling: 'retry' },
  DSPFN_DECODE: { error: errors.DecodeError, handling: 'dead-letter' },
  DSPFN_OUTPUT: { error: errors.OutputError, handling: 'dead-letter' },
  DSPFN_LATE: { error: errors.LateRecordError, handling: 'dead-letter' },
  DSPFN_INVALID_SAMPLES: { error: errors.InvalidSamplesError, handling: 'dead-letter' },
  DSPFN_SNAPSHOT: { error: errors.SnapshotError, handling: 'retry' },
  DSPFN_STATE_MISMATCH: { error: errors.StateMismatchError, handling: 'retry' },
  DSPFN_STATE_STORE: { error: errors.StateStoreError, handling: 'retry' },
  DSPFN_SINK: { error: errors.SinkError, handling: 'retry' },
  DSPFN_NATIVE: { error: errors.NativeLoadError, handling: 'retry' },
  DSPFN_NATIVE_KERNEL: { error: errors.NativeKernelError, handling: 'retry' },
  DSPFN_BATCH_FAILED: { error: errors.BatchFailedError, handling: 'dead-letter' },
  DSPFN_REPLAY_FAILED: { error: errors.ReplayFailedError, handling: 'retry' },
  DSPFN_CONSUME_FAILED: { error: errors.ConsumeFailedError, handling: 'retry' },
  DSPFN_SECRET: { error: errors.SecretError, handling: 'retry' },
  DSPFN_SECURITY: { error: errors.SecurityError, handling: 'retry' },
} as const satisfies { readonly [C in ErrorCode]: { readonly error: ErrorClass; readonly handling: ErrorHandling } };

/** How an error is handled; anything that is not a dspfn error fails the batch. */
export function errorHandling(error: unknown): ErrorHandling {
  return error instanceof DspfnError ? ERRORS[error.code].handling : 'retry';
}
