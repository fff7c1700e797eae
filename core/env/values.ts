import * as z from 'zod';

/**
 * Builders for environment values. Every message is fixed text: a value may be a secret put in
 * the wrong variable, so an error names the variable (read-env.ts adds it) and never echoes it.
 */

/** One of `values`, case-insensitive, surrounding spaces ignored. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const message = `must be one of ${values.join(', ')}`;
  return z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.enum(values, { error: () => message }));
}

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

/** `true`/`false` (also 1/0, yes/no, on/off). */
export function flag() {
  return z.string().transform((value, ctx) => {
    const text = value.trim();
    if (TRUE.test(text)) return true;
    if (FALSE.test(text)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });
}

/** A positive whole number, e.g. milliseconds. */
export function positiveInteger(unit: string) {
  return z.string().transform((value, ctx) => {
    const n = Number(value.trim());
    if (Number.isInteger(n) && n > 0) return n;
    ctx.addIssue({ code: 'custom', message: `must be a positive integer (${unit})` });
    return z.NEVER;
  });
}

/** A positive number, fractions allowed. */
export function positiveNumber(unit: string) {
  return z.string().transform((value, ctx) => {
    const n = Number(value.trim());
    if (Number.isFinite(n) && n > 0) return n;
    ctx.addIssue({ code: 'custom', message: `must be a positive number of ${unit}` });
    return z.NEVER;
  });
}

/** Free text, surrounding spaces removed (names, URLs, paths). */
export function text() {
  return z.string().transform((value) => value.trim());
}

/** A credential: kept exactly as given (a space may be part of it), never shown. */
export function secret() {
  return z.string();
}
