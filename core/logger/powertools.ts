import { redactSecrets } from '../secrets/redact.ts';
import type { Logger } from './logger.ts';

/**
 * What dspfn needs of a Powertools for AWS Lambda `Logger` (structural, so Powertools is not a
 * dependency): a method per level taking a message and an object of fields.
 */
export interface PowertoolsLoggerLike {
  debug(message: string, ...extra: Array<Record<string, unknown>>): void;
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}

/**
 * dspfn's log lines through a Powertools Logger (its level, service and correlation ids apply).
 * Fields are scrubbed of every secret dspfn has read, as dspfn's own JSON lines are.
 */
export function powertoolsLogger(logger: PowertoolsLoggerLike): Logger {
  return {
    log(level, message, fields) {
      const text = fields === undefined ? '{}' : JSON.stringify(fields);
      const scrubbed = redactSecrets(text);
      // Parsed back only when a secret was found: the common case hands the fields over as they are.
      const safe = scrubbed === text ? (fields ?? {}) : (JSON.parse(scrubbed) as Record<string, unknown>);
      logger[level](redactSecrets(message), safe);
    },
  };
}
