/**
 * `dspfn/errors`: every error dspfn raises is a DspfnError with a stable `code`; ERRORS maps each
 * code to its one class and says whether the record is dead-lettered or the batch retried.
 */
export { ErrorCode } from './errors/codes.ts';
export { DspfnError, describeError } from './errors/dspfn-error.ts';
export type { DspfnErrorOptions, RecordLocation } from './errors/dspfn-error.ts';
export {
  BatchFailedError,
  ConfigError,
  ConsumeFailedError,
  DecodeError,
  EventError,
  InvalidSamplesError,
  LateRecordError,
  NativeKernelError,
  NativeLoadError,
  OutputError,
  ReplayFailedError,
  SecretError,
  SecurityError,
  SinkError,
  SnapshotError,
  StateMismatchError,
  StateStoreError,
} from './errors/classes.ts';
export { ERRORS, errorHandling } from './errors/table.ts';
export type { ErrorHandling } from './errors/table.ts';
