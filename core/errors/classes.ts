import { ErrorCode } from './codes.ts';
import { DspfnError, type DspfnErrorOptions } from './dspfn-error.ts';

/** A setting (definition, DSPFN_* variable, CLI option) is invalid. */
export class ConfigError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Config, message, options);
  }
}

/** The invocation's event is not a Kafka event Lambda would deliver. */
export class EventError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Event, message, options);
  }
}

/** A record that cannot be turned into samples (or whose output cannot be built). */
export class DecodeError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Decode, message, options);
  }
}

/** `output.key`/`output.value` threw or returned something that cannot be a message (the record is dead-lettered). */
export class OutputError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Output, message, options);
  }
}

/** A record all of whose values fall into event-time windows already closed: it goes to the late topic and touches no state. */
export class LateRecordError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Late, message, options);
  }
}

/** Samples that decoded but cannot be processed: not finite, not whole frames, not numbers. */
export class InvalidSamplesError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.InvalidSamples, message, options);
  }
}

/**
 * A JSON sample array that cannot be read as float32 (core/codecs/json-samples.ts): where
 * (`byteOffset`) and which sample (`sampleIndex`, -1 outside the array), never the payload.
 */
export class JsonSamplesError extends InvalidSamplesError {
  constructor(
    message: string,
    readonly byteOffset: number,
    readonly sampleIndex: number,
  ) {
    super(message);
  }
}

/** A stored snapshot that cannot be read. */
export class SnapshotError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Snapshot, message, options);
  }
}

/** A stored snapshot was written by a pipeline with another configuration. */
export class StateMismatchError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.StateMismatch, message, options);
  }
}

/** The state store failed, timed out, or another writer moved a key (a conflict). */
export class StateStoreError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.StateStore, message, options);
  }
}

/** Outputs were not accepted by their destination. */
export class SinkError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Sink, message, options);
  }
}

/** The native DSP module could not be loaded (the message lists what was tried and the fix). */
export class NativeLoadError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Native, message, options);
  }
}

/** A native kernel failed in a way its TypeScript twin cannot (a status the binding did not expect). */
export class NativeKernelError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.NativeKernel, message, options);
  }
}

/**
 * A batch that kept failing until its retries were spent (the event source emulation): its
 * records go to the on-failure destination with this code.
 */
export class BatchFailedError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.BatchFailed, message, options);
  }
}

/** What a stopped replay reports: why, and the summary up to there. */
export class ReplayFailedError<S = unknown> extends DspfnError {
  constructor(
    message: string,
    readonly summary: S,
    cause: unknown,
  ) {
    super(ErrorCode.ReplayFailed, message, { cause });
  }
}

/** What a consume run that stopped on its own reports: why, and its final stats. */
export class ConsumeFailedError<S = unknown> extends DspfnError {
  constructor(
    message: string,
    readonly stats: S,
    cause: unknown,
  ) {
    super(ErrorCode.ConsumeFailed, message, { cause });
  }
}

/** A secret (Secrets Manager, SSM) could not be read, or does not hold what dspfn expects. */
export class SecretError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Secret, message, options);
  }
}

/** A server refused the credentials or the client certificate, or its own certificate did not verify. */
export class SecurityError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Security, message, options);
  }
}
