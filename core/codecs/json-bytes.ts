/** JSON text as bytes: the byte values the readers of JSON records look for, and their messages. */

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;
export const COMMA = 0x2c, MINUS = 0x2d, PLUS = 0x2b, DOT = 0x2e, ZERO = 0x30, NINE = 0x39;
export const OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d, OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d;
export const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a;
export const LOWER_E = 0x65, UPPER_E = 0x45;

export function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

/** What a byte starts, for messages: never the payload itself. */
export function describe(bytes: Uint8Array, at: number, end: number): string {
  if (at >= end) return 'the end of the input';
  const c = bytes[at]!;
  if (c === QUOTE) return 'a string';
  if (c === OPEN_ARRAY) return 'a nested array';
  if (c === OPEN_OBJECT) return 'an object';
  if (c === 0x6e) return 'null';
  if (c === 0x74 || c === 0x66) return 'a boolean';
  if (c === 0x4e) return 'NaN';
  if (c === 0x49) return 'Infinity';
  if (c === MINUS && bytes[at + 1] === 0x49) return '-Infinity';
  if (c >= 0x21 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

export function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}
