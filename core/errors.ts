/**
 * Every error dspfn raises carries a stable `code` and, where known, the record it concerns.
 * Messages never embed payloads: they end up in logs and dead-letter headers.
 */
export const ErrorCode = {
  Config: 'DSPFN_CONFIG',
  Event: 'DSPFN_EVENT',
  Decode: 'DSPFN_DECODE',
  Output: 'DSPFN_OUTPUT',
  InvalidSamples: 'DSPFN_INVALID_SAMPLES',
  Snapshot: 'DSPFN_SNAPSHOT',
  StateMismatch: 'DSPFN_STATE_MISMATCH',
  StateStore: 'DSPFN_STATE_STORE',
  Sink: 'DSPFN_SINK',
  Native: 'DSPFN_NATIVE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface RecordLocation {
  topic: string;
  partition: number;
  offset: number;
}

export interface DspfnErrorOptions {
  cause?: unknown;
  record?: RecordLocation;
  stage?: string;
  key?: string;
}

export class DspfnError extends Error {
  readonly code: ErrorCode;
  readonly record?: RecordLocation;
  readonly stage?: string;
  readonly key?: string;

  constructor(code: ErrorCode, message: string, options: DspfnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.record) this.record = options.record;
    if (options.stage) this.stage = options.stage;
    if (options.key !== undefined) this.key = options.key;
  }
}

export class ConfigError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Config, message, options);
  }
}

export class EventError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Event, message, options);
  }
}

/** A record that cannot be turned into samples; it goes to the dead-letter topic. */
export class DecodeError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions, code: ErrorCode = ErrorCode.Decode) {
    super(code, message, options);
  }
}

/** `output.value` failed or returned something that cannot be a message value; the record is dead-lettered. */
export class OutputError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Output, message, options);
  }
}

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

export class StateStoreError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.StateStore, message, options);
  }
}

export class SinkError extends DspfnError {
  constructor(message: string, options?: DspfnErrorOptions) {
    super(ErrorCode.Sink, message, options);
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
