import { DecodeError } from '../errors.ts';

// ISO-8601 date-time with an explicit zone (Z or ±hh:mm / ±hhmm): a zone-less time would be read
// in the machine's zone, which differs between a laptop and Lambda. A bare date is UTC midnight.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?))?$/i;
const ISO_ZONELESS = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?$/;
const EPOCH_TEXT = /^-?\d+(?:\.\d+)?$/;

/**
 * Event time as float64 epoch milliseconds from a field value: epoch milliseconds (a number or
 * digits), an ISO-8601 string with a zone, or a protobuf `google.protobuf.Timestamp`
 * (`{ seconds, nanos }`). Anything else is a DecodeError naming the field, not the value.
 */
export function eventTime(value: unknown, field: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new DecodeError(`timestamp field "${field}" is not a finite number`);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (EPOCH_TEXT.test(text)) return Number(text);
    if (ISO_ZONELESS.test(text)) {
      throw new DecodeError(`timestamp field "${field}" has no time zone (add Z or an offset such as +02:00)`);
    }
    if (ISO_DATE_TIME.test(text)) {
      const ms = Date.parse(normalise(text));
      if (Number.isFinite(ms)) return ms;
    }
    throw new DecodeError(`timestamp field "${field}" is neither ISO-8601 (e.g. 2025-06-13T10:00:00.000Z) nor epoch milliseconds`);
  }
  if (typeof value === 'object' && value !== null && 'seconds' in value) {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    if (typeof seconds === 'number' && (nanos === undefined || typeof nanos === 'number')) return seconds * 1000 + (nanos ?? 0) / 1e6;
  }
  if (value === undefined) throw new DecodeError(`record has no timestamp field "${field}"`);
  throw new DecodeError(`timestamp field "${field}" is ${value === null ? 'null' : `a ${Array.isArray(value) ? 'list' : typeof value}`}, not ISO-8601 text or epoch milliseconds`);
}

/** Forms Date.parse does not take: a space for T, a comma or more than 3 fraction digits, ±hhmm. */
function normalise(text: string): string {
  if (text.length === 10) return text;
  const date = text.slice(0, 10);
  const time = text
    .slice(11)
    .replace(/[.,](\d{1,3})\d*/, (_, ms: string) => `.${ms.padEnd(3, '0')}`)
    .replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
    .replace(/([+-]\d{2})$/, '$1:00');
  return `${date}T${time}`;
}
