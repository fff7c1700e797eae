import { ConfigError } from '../errors.ts';

/** Milliseconds, or text such as `'500ms'`, `'30s'`, `'1m'`, `'1h'`, `'1d'`, `'1m30s'`. */
export type Duration = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/** Whole milliseconds of a duration; anything else is a ConfigError naming the option. */
export function parseDuration(value: Duration, what: string): number {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else {
    const text = value.trim();
    PART.lastIndex = 0;
    ms = 0;
    let matched = 0;
    for (let part = PART.exec(text); part !== null; part = PART.exec(text)) {
      ms += Number(part[1]) * UNIT_MS[part[2]!]!;
      matched = PART.lastIndex;
    }
    if (text.length === 0 || matched !== text.length) {
      throw new ConfigError(`${what} "${value}" is not a duration: use milliseconds or text such as '500ms', '30s', '1m', '1h', '1d', '1m30s'`);
    }
  }
  if (!Number.isFinite(ms) || ms < 0 || !Number.isInteger(ms)) throw new ConfigError(`${what} must be a whole number of milliseconds ≥ 0, got ${String(value)}`);
  return ms;
}

/** `90000` → `1m30s`, for messages. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0ms';
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit]!;
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
