import { deflateSync, inflateSync } from 'node:zlib';
import { DecodeError } from '../errors.ts';

/**
 * Schema-registry wire framing in front of a serialized value.
 *
 * Confluent: magic byte 0 · u32 big-endian schema id · (Protobuf only) message indexes, a zigzag
 * varint count and that many zigzag varint indexes, where the common `[0]` is the single byte 0.
 * AWS Glue: version byte 3 · compression byte (0 none, 5 zlib) · 16-byte schema version UUID, then
 * the body, zlib-deflated with compression 5; for Protobuf the body starts with the message's index
 * in its .proto file as one plain (not zigzag) varint.
 * `messageIndexes` say which message of the schema a Protobuf value holds; dspfn decodes with the
 * configured `type` and reports them.
 */
export type Framing =
  | { readonly kind: 'confluent'; readonly schemaId: number; readonly messageIndexes?: readonly number[] }
  | { readonly kind: 'glue'; readonly schemaVersionId: string; readonly compression: 'none' | 'zlib'; readonly messageIndexes?: readonly number[] };

/** `auto` strips whichever framing the value starts with; the others require exactly that framing. */
export const FRAMINGS = ['auto', 'none', 'confluent', 'glue'] as const;
export type FramingOption = (typeof FRAMINGS)[number];

export type SerializedFormat = 'protobuf' | 'avro';

export interface Unframed {
  readonly payload: Buffer;
  readonly framing?: Framing;
}

const CONFLUENT_MAGIC = 0;
const GLUE_VERSION = 3;
const GLUE_NONE = 0;
const GLUE_ZLIB = 5;
const GLUE_HEADER = 18;

function looksConfluent(bytes: Buffer): boolean {
  return bytes.length >= 5 && bytes[0] === CONFLUENT_MAGIC;
}

function looksGlue(bytes: Buffer): boolean {
  return bytes.length >= GLUE_HEADER && bytes[0] === GLUE_VERSION && (bytes[1] === GLUE_NONE || bytes[1] === GLUE_ZLIB);
}

/**
 * The framings a value may carry, most likely first. A Protobuf message never starts with byte 0 or
 * 3 (field number 0 is invalid), so for Protobuf the answer is certain; an Avro value can start with
 * anything, so the caller tries each candidate in turn and keeps the first that decodes.
 */
export function framingCandidates(bytes: Buffer, option: FramingOption, format: SerializedFormat): Array<'confluent' | 'glue' | 'none'> {
  if (option !== 'auto') return [option];
  const certain = format === 'protobuf';
  if (looksConfluent(bytes)) return certain ? ['confluent'] : ['confluent', 'none'];
  if (looksGlue(bytes)) return certain ? ['glue'] : ['glue', 'none'];
  return ['none'];
}

/** Strips one framing; throws a DecodeError when the value does not carry it. */
export function unframe(bytes: Buffer, kind: 'confluent' | 'glue' | 'none', format: SerializedFormat): Unframed {
  if (kind === 'none') return { payload: bytes };
  if (kind === 'confluent') return unframeConfluent(bytes, format);
  return unframeGlue(bytes, format);
}

function unframeConfluent(bytes: Buffer, format: SerializedFormat): Unframed {
  if (!looksConfluent(bytes)) throw new DecodeError('value has no Confluent schema-registry framing (magic byte 0 and a 4-byte schema id)');
  const schemaId = bytes.readUInt32BE(1);
  if (format === 'avro') return { payload: bytes.subarray(5), framing: { kind: 'confluent', schemaId } };
  let at = 5;
  const next = (): number => {
    const read = readVarint(bytes, at, 'Confluent Protobuf framing', true);
    at = read.next;
    return read.value;
  };
  const count = next();
  if (count < 0 || count > 256) throw new DecodeError(`Confluent Protobuf framing has an invalid message index count (${count})`);
  const messageIndexes = count === 0 ? [0] : Array.from({ length: count }, next);
  return { payload: bytes.subarray(at), framing: { kind: 'confluent', schemaId, messageIndexes } };
}

function readVarint(bytes: Buffer, start: number, what: string, zigzag: boolean): { value: number; next: number } {
  let raw = 0;
  let shift = 0;
  let at = start;
  for (;;) {
    if (at >= bytes.length) throw new DecodeError(`${what} is truncated in its message index`);
    const byte = bytes[at++]!;
    raw += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new DecodeError(`${what} has a message index varint longer than 32 bits`);
  }
  if (!zigzag) return { value: raw, next: at };
  return { value: raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2, next: at };
}

function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function unframeGlue(bytes: Buffer, format: SerializedFormat): Unframed {
  if (!looksGlue(bytes)) {
    throw new DecodeError('value has no AWS Glue schema-registry framing (version byte 3, compression 0 or 5, a 16-byte schema version id)');
  }
  const schemaVersionId = uuidText(bytes.subarray(2, GLUE_HEADER));
  const compression = bytes[1] === GLUE_NONE ? 'none' : 'zlib';
  let body = bytes.subarray(GLUE_HEADER);
  if (compression === 'zlib') {
    try {
      body = inflateSync(body);
    } catch (error) {
      throw new DecodeError(`AWS Glue zlib-compressed value does not inflate: ${(error as Error).message}`, { cause: error });
    }
  }
  if (format === 'avro') return { payload: body, framing: { kind: 'glue', schemaVersionId, compression } };
  const index = readVarint(body, 0, 'AWS Glue Protobuf framing', false);
  return { payload: body.subarray(index.next), framing: { kind: 'glue', schemaVersionId, compression, messageIndexes: [index.value] } };
}

/** Frames a serialized value the way a registry-aware producer would (replay files, tests). */
export function frame(payload: Uint8Array, framing: Framing | undefined, format: SerializedFormat): Buffer {
  if (framing === undefined) return Buffer.from(payload);
  if (framing.kind === 'confluent') {
    const header = Buffer.alloc(5);
    header.writeUInt32BE(framing.schemaId >>> 0, 1);
    const parts: Uint8Array[] = [header];
    if (format === 'protobuf') parts.push(confluentIndexBytes(framing.messageIndexes ?? [0]));
    parts.push(payload);
    return Buffer.concat(parts);
  }
  const uuid = Buffer.from(framing.schemaVersionId.replace(/-/g, ''), 'hex');
  if (uuid.length !== 16) throw new DecodeError(`AWS Glue schema version id "${framing.schemaVersionId}" is not a UUID`);
  const zlib = framing.compression === 'zlib';
  const body = format === 'protobuf' ? Buffer.concat([varintBytes(framing.messageIndexes?.[0] ?? 0), payload]) : payload;
  return Buffer.concat([Buffer.from([GLUE_VERSION, zlib ? GLUE_ZLIB : GLUE_NONE]), uuid, zlib ? deflateSync(body) : body]);
}

function confluentIndexBytes(indexes: readonly number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const zigzag = (value: number) => (value >= 0 ? value * 2 : -value * 2 - 1);
  return Buffer.concat([indexes.length, ...indexes].map((value) => varintBytes(zigzag(value))));
}

function varintBytes(value: number): Buffer {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Buffer.from(out);
}
