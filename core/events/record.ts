import type { ValueSlab } from './keyed-slab.ts';
import type { SharedHeaders } from './shared-headers.ts';
import type { KafkaHeader, KafkaRecord, SchemaMetadata } from './types.ts';

type RawHeader = Record<string, readonly number[]>;

/** A record as the Lambda event carries it (base64 key and value, signed-byte headers). */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  key?: string | null;
  /** Absent or null for a tombstone (compaction's delete marker). */
  value?: string | null;
  headers?: readonly RawHeader[];
  /** Only records of mappings with a schema registry carry these. */
  keySchemaMetadata?: unknown;
  valueSchemaMetadata?: unknown;
}

/** A record decoded to bytes, and why it is not in the documented shape (undefined when it is). */
export interface RecordReading {
  record: KafkaRecord;
  problem: string | undefined;
}

/**
 * Base64 as Lambda writes it, decoded, or undefined when the text is not base64: Node's decoder
 * skips characters it does not know, so a decoded length short of what the text's length promises
 * gives that away without a pass over the text.
 */
export function strictBase64(text: string): Buffer | undefined {
  if (text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return bytes.length === Math.floor(((text.length - padding) * 3) / 4) ? bytes : undefined;
}

/**
 * One allocation for a batch's decoded values instead of one per record: each value a view of it,
 * 8-byte aligned (f32le samples are then read in place). The slab belongs to the batch and is
 * never reused, so a value someone keeps stays as it was (and keeps the slab alive).
 */
export class Base64Slab implements ValueSlab {
  private readonly buffer: Buffer;
  private used = 0;

  /** `textLength`: the total length of the base64 texts it will decode. */
  constructor(textLength: number, values: number) {
    this.buffer = Buffer.allocUnsafeSlow(Math.ceil((textLength * 3) / 4) + 8 * values);
  }

  /**
   * strictBase64 into the slab (Buffer.from's decoder: `write` runs the same one). `aligned`
   * false packs it right after the last (keys: nothing reads them as floats).
   */
  decode(text: string, aligned = true): Buffer | undefined {
    if (text.length % 4 === 1) return undefined;
    const at = aligned ? (this.used + 7) & ~7 : this.used;
    if (at + Math.ceil((text.length * 3) / 4) > this.buffer.length) return strictBase64(text);
    const written = this.buffer.write(text, at, 'base64');
    const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    if (written !== Math.floor(((text.length - padding) * 3) / 4)) return undefined;
    this.used = at + written;
    return this.buffer.subarray(at, at + written);
  }
}

/** Whatever a malformed field held, as bytes, so the dead letter keeps it. */
function bytesOfAnything(value: unknown): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  try {
    return Buffer.from(JSON.stringify(value) ?? String(value), 'utf8');
  } catch {
    return Buffer.alloc(0);
  }
}

const isByte = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= -128 && n <= 255;

function decodeBytesField(name: 'key' | 'value', value: unknown, problems: string[], slab?: ValueSlab): Buffer | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    problems.push(`${name} is not base64 text`);
    return bytesOfAnything(value);
  }
  const bytes = slab === undefined ? strictBase64(value) : slab.decode(value, name === 'value');
  if (bytes) return bytes;
  problems.push(`${name} is not valid base64 (the dead letter carries its text)`);
  return Buffer.from(value, 'utf8');
}

/** Header bytes arrive as signed Java bytes (-128..127); Buffer.from keeps the low 8 bits. */
function decodeHeaders(headers: unknown, problems: string[], shared?: SharedHeaders): readonly KafkaHeader[] {
  if (headers === undefined || headers === null) return [];
  if (shared !== undefined && Array.isArray(headers)) {
    const reused = shared.reuse(headers);
    if (reused !== undefined) return reused;
    const before = problems.length;
    const list = decodeHeaders(headers, problems);
    if (problems.length === before) shared.remember(headers, list);
    return list;
  }
  if (!Array.isArray(headers)) {
    problems.push('headers is not a list');
    return [{ name: 'dspfn-malformed-headers', value: bytesOfAnything(headers) }];
  }
  const out: KafkaHeader[] = [];
  // Plain loops: this runs for every header of every record.
  for (let i = 0; i < headers.length; i++) {
    const header: unknown = headers[i];
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      problems.push(`header ${i} is not a {"name": [bytes]} object`);
      out.push({ name: `dspfn-malformed-header-${i}`, value: bytesOfAnything(header) });
      continue;
    }
    for (const name in header) {
      if (!Object.prototype.hasOwnProperty.call(header, name)) continue;
      const bytes: unknown = (header as Record<string, unknown>)[name];
      if (Array.isArray(bytes) && allBytes(bytes)) out.push({ name, value: Buffer.from(bytes as number[]) });
      else {
        problems.push(`header ${i} is not a list of bytes`);
        out.push({ name, value: bytesOfAnything(bytes) });
      }
    }
  }
  return out;
}

function allBytes(values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) if (!isByte(values[i])) return false;
  return true;
}

function schemaMetadata(raw: unknown): SchemaMetadata | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { dataFormat, schemaId } = raw as { dataFormat?: unknown; schemaId?: unknown };
  if (typeof dataFormat !== 'string') return undefined;
  return { dataFormat, schemaId: schemaId === undefined || schemaId === null ? '' : String(schemaId) };
}

const recordProblems: string[] = [];

/**
 * One record of the Lambda wire shape (its offset already checked), decoded to bytes in the
 * partition its group names. Nothing in it throws: a field that is not in the documented shape
 * becomes a problem (never quoting its content) and its content is kept as bytes, so the record
 * can be dead-lettered with what arrived.
 */
export function readRecord(raw: Readonly<Record<string, unknown>>, topic: string, partition: number, slab?: ValueSlab, shared?: SharedHeaders): RecordReading {
  // One list for every call (nothing here is re-entered): a well-formed record allocates none.
  const problems = recordProblems;
  problems.length = 0;
  if (raw.topic !== undefined && raw.topic !== topic) problems.push(`its topic field is not that of its group ${topic}-${partition}`);
  if (raw.partition !== undefined && raw.partition !== partition) problems.push(`its partition field is not that of its group ${topic}-${partition}`);
  const timestamp = typeof raw.timestamp === 'number' && Number.isFinite(raw.timestamp) ? raw.timestamp : undefined;
  if (timestamp === undefined) problems.push('timestamp is not a number');
  const timestampType = raw.timestampType ?? 'CREATE_TIME';
  if (timestampType !== 'CREATE_TIME' && timestampType !== 'LOG_APPEND_TIME') problems.push('timestampType is neither CREATE_TIME nor LOG_APPEND_TIME');
  // Decoded here, not by middy's event normalizer, which would turn binary payloads into text.
  const key = decodeBytesField('key', raw.key, problems, slab);
  const value = decodeBytesField('value', raw.value, problems, slab);
  const record: KafkaRecord = {
    topic,
    partition,
    offset: raw.offset as number,
    timestamp: timestamp ?? 0,
    timestampType: timestampType === 'LOG_APPEND_TIME' ? 'LOG_APPEND_TIME' : 'CREATE_TIME',
    key,
    value: value ?? Buffer.alloc(0),
    tombstone: value === null,
    headers: decodeHeaders(raw.headers, problems, shared),
  };
  const problem = problems.length > 0 ? problems.join('; ') : undefined;
  // Only mappings with a schema registry send these; other records keep one shape.
  if (raw.keySchemaMetadata != null || raw.valueSchemaMetadata != null) {
    const keySchema = schemaMetadata(raw.keySchemaMetadata);
    const valueSchema = schemaMetadata(raw.valueSchemaMetadata);
    return { record: { ...record, ...(keySchema ? { keySchemaMetadata: keySchema } : {}), ...(valueSchema ? { valueSchemaMetadata: valueSchema } : {}) }, problem };
  }
  return { record, problem };
}
