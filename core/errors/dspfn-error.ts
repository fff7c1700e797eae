import type { ErrorCode } from './codes.ts';

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

/**
 * The base of every error dspfn raises: a stable `code` (one class per code, see table.ts) and,
 * where known, the record, stage and key it concerns. Messages never embed payloads or secrets:
 * they end up in logs and dead-letter headers. Abstract: raise one of the named subclasses.
 */
export abstract class DspfnError extends Error {
  readonly code: ErrorCode;
  readonly record?: RecordLocation;
  readonly stage?: string;
  readonly key?: string;

  protected constructor(code: ErrorCode, message: string, options: DspfnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.record) this.record = options.record;
    if (options.stage) this.stage = options.stage;
    if (options.key !== undefined) this.key = options.key;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
