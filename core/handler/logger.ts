import { redactSecrets } from '../secrets/redact.ts';

const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof levels;

export interface Logger {
  log(level: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>): void;
}

/** JSON lines on stderr, so stdout stays free for results when a replay prints them. */
export function jsonLogger(
  base: Record<string, unknown>,
  level: LogLevel = (process.env.DSPFN_LOG_LEVEL as LogLevel | undefined) ?? 'info',
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const threshold = levels[level] ?? levels.info;
  return {
    log(entryLevel, message, fields = {}) {
      if (levels[entryLevel] < threshold) return;
      // Scrubbed of every secret dspfn has read, whatever field or library text carries it.
      write(redactSecrets(JSON.stringify({ time: new Date().toISOString(), level: entryLevel, message, ...base, ...fields })) + '\n');
    },
  };
}
