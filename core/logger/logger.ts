import { LOG_LEVELS } from '../env/schema.ts';
import { redactSecrets } from '../secrets/redact.ts';

export type LogLevel = (typeof LOG_LEVELS)[number];

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * Where dspfn writes what it has to say. A Powertools Logger fits with a two-line adapter:
 * `{ log: (level, message, fields) => logger[level](message, fields) }`.
 */
export interface Logger {
  log(level: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>): void;
}

/**
 * JSON lines on stderr, so stdout stays free for results when a replay prints them. The level is
 * given by the caller (from DSPFN_LOG_LEVEL through the environment schema, or a CLI flag).
 */
export function jsonLogger(
  base: Record<string, unknown>,
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const threshold = rank[level];
  return {
    log(entryLevel, message, fields = {}) {
      if (rank[entryLevel] < threshold) return;
      // Scrubbed of every secret dspfn has read, whatever field or library text carries it.
      write(redactSecrets(JSON.stringify({ time: new Date().toISOString(), level: entryLevel, message, ...base, ...fields })) + '\n');
    },
  };
}

export { LOG_LEVELS };
