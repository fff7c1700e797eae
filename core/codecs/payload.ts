import { DecodeError, InvalidSamplesError } from '../errors.ts';
import type { Framing } from './framing.ts';

export const CODECS = ['json', 'f32le', 'utf8', 'raw'] as const;
export type CodecName = (typeof CODECS)[number];

/**
 * A record value after its codec ran. Protobuf and Avro values are plain objects (64-bit integers
 * as numbers), with the schema-registry framing that was stripped from them, if any.
 */
export type Payload =
  | { readonly codec: 'json'; readonly value: unknown }
  | { readonly codec: 'f32le'; readonly samples: Float32Array }
  | { readonly codec: 'utf8'; readonly text: string }
  | { readonly codec: 'raw'; readonly bytes: Buffer }
  | { readonly codec: 'protobuf'; readonly value: Record<string, unknown>; readonly framing?: Framing }
  | { readonly codec: 'avro'; readonly value: unknown; readonly framing?: Framing };

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Raw little-endian float32 samples; a view without copying when the bytes are aligned. */
export function decodeF32le(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) {
    throw new InvalidSamplesError(`f32le payload has ${bytes.byteLength} bytes, not a whole number of 4-byte samples`);
  }
  if (littleEndianHost && bytes.byteOffset % 4 === 0) {
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Where JSON.parse failed (" at position N"), without the text V8 quotes around it. */
export function jsonErrorPosition(error: unknown): string {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  return match ? ` at position ${match[1]}` : '';
}

export function decodePayload(codec: CodecName, bytes: Buffer): Payload {
  switch (codec) {
    case 'json':
      try {
        return { codec, value: JSON.parse(bytes.toString('utf8')) as unknown };
      } catch (error) {
        // V8's message quotes the text around the error: only its position is kept.
        throw new DecodeError(`value is not valid JSON${jsonErrorPosition(error)}`);
      }
    case 'f32le':
      return { codec, samples: decodeF32le(bytes) };
    case 'utf8':
      return { codec, text: bytes.toString('utf8') };
    case 'raw':
      return { codec, bytes };
  }
}

/** Media types of the built-in codecs; `*+json` and `text/*` are matched as families. */
export const BUILTIN_CONTENT_TYPES: ReadonlyArray<[RegExp, CodecName]> = [
  [/^application\/(.+\+)?json$/, 'json'],
  [/^(application\/(x-)?f32le|application\/vnd\.dspfn\.f32le|audio\/x-f32le)$/, 'f32le'],
  [/^text\/[a-z0-9.+-]+$/, 'utf8'],
  [/^application\/octet-stream$/, 'raw'],
];

/**
 * The codec a record's `content-type` header asks for. Parameters such as `; charset=utf-8` are
 * ignored; an unknown type is an error so the record is dead-lettered instead of misread.
 */
export function codecForContentType(contentType: string): CodecName {
  const type = mediaType(contentType);
  for (const [pattern, codec] of BUILTIN_CONTENT_TYPES) if (pattern.test(type)) return codec;
  throw new DecodeError(`unsupported content-type ${shownMediaType(type)} (supported: application/json, application/x-f32le, text/*, application/octet-stream)`);
}

/**
 * A media type as an error may show it: quoted when it looks like one, else `(not a media type)` —
 * a header can hold anything, payloads and secrets included.
 */
export function shownMediaType(type: string): string {
  return /^[a-z0-9!#$&^_.+-]{1,40}\/[a-z0-9!#$&^_.+-]{1,60}$/.test(type) ? `"${type}"` : '(not a media type)';
}

/** `Application/JSON; charset=utf-8` → `application/json`. */
export function mediaType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}
