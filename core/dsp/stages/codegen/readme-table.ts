import * as z from 'zod';
import type { AnyStageDescriptor } from '../descriptor.ts';

export const TABLE_BEGIN = '<!-- stage-table:begin (generated from core/dsp/stages/catalogue.ts by `npm run generate`; do not edit) -->';
export const TABLE_END = '<!-- stage-table:end -->';

interface JsonSchemaProperty {
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  items?: JsonSchemaProperty;
  properties?: Record<string, JsonSchemaProperty>;
  required?: string[];
}

/** 1e-6 rather than 0.000001 (how a user would write it). */
export function formatNumber(value: number): string {
  return value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential() : String(value);
}

function formatValue(value: unknown): string {
  return typeof value === 'number' ? formatNumber(value) : JSON.stringify(value);
}

function optionSchema(descriptor: AnyStageDescriptor): JsonSchemaProperty {
  return z.toJSONSchema(descriptor.options, { io: 'input', unrepresentable: 'any' }) as JsonSchemaProperty;
}

/** `movingAverage({ window })`, `nlms({ taps, mu, eps = 1e-6 })`, `square()`. */
export function signature(descriptor: AnyStageDescriptor): string {
  const schema = optionSchema(descriptor);
  const keys = Object.entries(schema.properties ?? {}).map(([key, p]) =>
    p.default !== undefined ? `${key} = ${formatValue(p.default)}` : schema.required?.includes(key) ? key : `${key}?`,
  );
  return keys.length === 0 ? `${descriptor.name}()` : `${descriptor.name}({ ${keys.join(', ')} })`;
}

function range(p: JsonSchemaProperty): string {
  const f = formatNumber;
  if (p.minimum !== undefined && p.maximum !== undefined) return ` ${f(p.minimum)} … ${f(p.maximum)}`;
  const parts: string[] = [];
  if (p.minimum !== undefined) parts.push(`≥ ${f(p.minimum)}`);
  if (p.exclusiveMinimum !== undefined) parts.push(`> ${f(p.exclusiveMinimum)}`);
  if (p.maximum !== undefined) parts.push(`≤ ${f(p.maximum)}`);
  if (p.exclusiveMaximum !== undefined) parts.push(`< ${f(p.exclusiveMaximum)}`);
  return parts.length === 0 ? '' : ` ${parts.join(' and ')}`;
}

function describeType(p: JsonSchemaProperty): string {
  if (p.enum) return p.enum.map((v) => `'${String(v)}'`).join(' | ');
  if (p.type === 'array') {
    const items = p.items ? describeType(p.items) : 'value';
    const count = p.minItems !== undefined || p.maxItems !== undefined ? ` (${p.minItems ?? 0} … ${p.maxItems ?? '∞'})` : '';
    return `array of ${items}${count}`;
  }
  if (p.type === 'object') return `{ ${Object.keys(p.properties ?? {}).join(', ')} }`;
  const type = p.type === 'integer' ? 'integer' : p.type === 'number' ? 'number' : p.type ?? 'value';
  return `${type}${range(p)}`;
}

/** One line per option: name, type and limits, default, description. */
export function optionLines(descriptor: AnyStageDescriptor): string {
  const schema = optionSchema(descriptor);
  const lines = Object.entries(schema.properties ?? {}).map(([key, p]) => {
    const parts = [`\`${key}\`: ${describeType(p)}`];
    if (p.default !== undefined) parts.push(`default ${formatValue(p.default)}`);
    if (p.description) parts.push(p.description);
    return parts.join(', ');
  });
  return lines.length === 0 ? '—' : lines.join('<br>');
}

function nativePaths(descriptor: AnyStageDescriptor): string {
  const e = descriptor.exactness;
  const exact =
    e.kind === 'bit-exact'
      ? 'scalar, SSE2, AVX2, NEON: bit-exact (outputs and snapshots)'
      : `${e.exactPaths.join(', ')}: bit-exact; other paths within ${formatNumber(e.bound)} × ${e.scaleDoc} (snapshots: same layout)`;
  return `${exact}; ${descriptor.doc.simd}`;
}

function rate(descriptor: AnyStageDescriptor): string {
  const r = descriptor.rate;
  if (r.kind === 'same') return 'same rate';
  if (r.kind === 'events') return `${r.doc ?? 'events'} (kinds: ${r.kinds.map((k) => `\`${k}\``).join(', ')})`;
  return r.doc ?? 'rate × up / down';
}

/** The README's stage table, between its markers. */
export function stageTable(catalogue: readonly AnyStageDescriptor[], kinds: Readonly<Record<string, number>>): string {
  const rows = catalogue.map((d) =>
    [
      `\`${signature(d)}\``,
      d.doc.formula,
      optionLines(d),
      `${d.channels.doc}, ${rate(d)}`,
      d.doc.state,
      `${kinds[d.name] ?? '?'} / ${d.stateVersion}`,
      `TypeScript; C ${nativePaths(d)}`,
    ].map((cell) => cell.replaceAll('|', '\\|')),
  );
  const header = ['stage', 'output', 'options', 'channels, rate', 'state', 'kind / state version', 'backends'];
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return [TABLE_BEGIN, ...lines, TABLE_END].join('\n');
}

/** `text` with the part between the markers (inclusive) replaced by `table`. */
export function replaceTable(text: string, table: string): string {
  const begin = text.indexOf(TABLE_BEGIN);
  const end = text.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${TABLE_BEGIN} … ${TABLE_END} markers`);
  return text.slice(0, begin) + table + text.slice(end + TABLE_END.length);
}
