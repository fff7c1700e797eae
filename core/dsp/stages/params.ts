import * as z from 'zod';
import type { AnyStageDescriptor } from './descriptor.ts';

/**
 * A stage's params as the float64 array its C `check` and `init` receive. The order is the params'
 * key order, which is the options schema's key order:
 *   number → itself; boolean → 0 or 1; a string of a `z.enum` → its index in the enum;
 *   array → its length, then each item packed; object → its values packed in key order;
 *   an optional key left out → NaN (so later keys keep their place).
 * E.g. { window: 5 } → [5]; { taps: 8, mu: 0.1, eps: 1e-6 } → [8, 0.1, 1e-6];
 * { coefficients: [1, 2, 3] } → [3, 1, 2, 3]; { mode: 'half' } with z.enum(['full', 'half']) → [1].
 */
export function packParams(descriptor: AnyStageDescriptor, params: object): Float64Array {
  const out: number[] = [];
  pack(params, descriptor.options, descriptor.name, out);
  return Float64Array.from(out);
}

function pack(value: unknown, schema: z.ZodType | undefined, where: string, out: number[]): void {
  const inner = unwrap(schema);
  if (typeof value === 'number') out.push(value);
  else if (typeof value === 'boolean') out.push(value ? 1 : 0);
  else if (value === undefined) out.push(Number.NaN);
  else if (typeof value === 'string') {
    const index = inner instanceof z.ZodEnum ? (inner.options as readonly unknown[]).indexOf(value) : -1;
    if (index < 0) throw new TypeError(`${where}: the string param "${value}" is not a z.enum member, so it cannot cross into C`);
    out.push(index);
  } else if (Array.isArray(value)) {
    out.push(value.length);
    const items = inner instanceof z.ZodArray ? (inner.element as z.ZodType) : undefined;
    value.forEach((item, i) => pack(item, items, `${where}[${i}]`, out));
  } else if (typeof value === 'object' && value !== null) {
    const shape = inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : {};
    for (const [key, item] of Object.entries(value)) pack(item, shape[key], `${where}.${key}`, out);
  } else {
    throw new TypeError(`${where}: a ${typeof value} param cannot cross into C`);
  }
}

/** The schema under defaults, optionals and pipes (a transform's input side is what the user wrote). */
function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  for (let depth = 0; current !== undefined && depth < 16; depth++) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      // A transform's output is plain numbers and arrays; enums can only sit on the input side.
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
  return current;
}
