import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as publicErrors from '../errors.ts';
import { ErrorCode } from './codes.ts';
import { DspfnError } from './dspfn-error.ts';
import { ERRORS, errorHandling } from './table.ts';

const CORE = join(import.meta.dirname, '..');

/** Builds an instance of any error class in the table (the local-run ones take a summary). */
function instance(code: keyof typeof ERRORS): DspfnError {
  const Class = ERRORS[code].error as unknown as new (message: string, second?: unknown, third?: unknown) => DspfnError;
  return code === 'DSPFN_REPLAY_FAILED' || code === 'DSPFN_CONSUME_FAILED' ? new Class('m', {}, undefined) : new Class('m');
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the error table', () => {
  it('maps every code to its own class, 1:1, and back', () => {
    expect(Object.keys(ERRORS).sort()).toEqual(Object.values(ErrorCode).sort());
    const classes = Object.values(ERRORS).map((entry) => entry.error);
    expect(new Set(classes).size).toBe(classes.length);
    for (const code of Object.values(ErrorCode)) {
      const error = instance(code);
      expect(error).toBeInstanceOf(DspfnError);
      expect(error.code).toBe(code);
      expect(error.name).toBe(ERRORS[code].error.name);
      expect(['retry', 'dead-letter']).toContain(errorHandling(error));
    }
  });

  it('holds every error class dspfn/errors exports', () => {
    const inTable = new Set<unknown>(Object.values(ERRORS).map((entry) => entry.error));
    const exported = Object.values(publicErrors).filter((value) => typeof value === 'function' && value.prototype instanceof DspfnError);
    expect(exported.length).toBe(inTable.size);
    for (const Class of exported) expect(inTable.has(Class), (Class as { name: string }).name).toBe(true);
  });

  it('dead-letters bad records and retries everything else', () => {
    expect(errorHandling(new publicErrors.DecodeError('x'))).toBe('dead-letter');
    expect(errorHandling(new publicErrors.InvalidSamplesError('x'))).toBe('dead-letter');
    expect(errorHandling(new publicErrors.OutputError('x'))).toBe('dead-letter');
    expect(errorHandling(new publicErrors.SinkError('x'))).toBe('retry');
    expect(errorHandling(new publicErrors.StateStoreError('x'))).toBe('retry');
    expect(errorHandling(new TypeError('x'))).toBe('retry');
  });

  it('has no dspfn error class outside core/errors', () => {
    const outside = sources(CORE)
      .filter((file) => !relative(CORE, file).startsWith('errors'))
      .filter((file) => /extends (DspfnError|ConfigError|EventError|DecodeError|InvalidSamplesError|SnapshotError|StateMismatchError|StateStoreError|SinkError|Native\w*Error|\w+FailedError)\b/.test(readFileSync(file, 'utf8')));
    expect(outside.map((file) => relative(CORE, file))).toEqual([]);
  });
});
