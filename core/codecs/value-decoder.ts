import { ConfigError, DspfnError } from '../errors.ts';
import type { KafkaRecord } from '../events/types.ts';
import { BUILTIN_CONTENT_TYPES, CODECS, decodePayload, mediaType, shownMediaType, type CodecName, type Payload } from './payload.ts';
import { isSchemaCodec, type SchemaCodec } from './schema-codec.ts';

export type Codec = CodecName | SchemaCodec;

/**
 * Media type (lower case, without parameters) → codec. `false` turns the `content-type` header
 * override off: every value is decoded with the function's codec.
 */
export type ContentTypes = Readonly<Record<string, Codec>> | false;

export interface ValueDecoderOptions {
  /** The function's codec. Default `json`. */
  codec?: Codec;
  /** Merged over the defaults (the built-in media types, and those of each schema codec configured). */
  contentTypes?: ContentTypes;
}

export interface ValueDecoder {
  /** Every schema codec the function may use: loaded by `load()`. */
  readonly schemaCodecs: readonly SchemaCodec[];
  /** Loads the schema codecs' libraries and schemas (once); nothing to do without them. */
  load(): Promise<void>;
  /** The record's value decoded with the codec its header or the function selects. */
  decode(record: KafkaRecord): Payload;
  /** Whether `decode` would read the record's value with the built-in `json` codec. */
  readsJson?(record: KafkaRecord): boolean;
}

interface CodecChoice {
  readonly codec: Codec;
  /** The record's media type when nothing maps it (the function's codec then reads the value). */
  readonly unmapped?: string;
}

/** The value of the record's first `content-type` header (any case), as headerText finds it. */
function contentTypeHeader(record: KafkaRecord): Buffer | undefined {
  const { headers } = record;
  for (let i = 0; i < headers.length; i++) {
    const { name, value } = headers[i]!;
    if (name === 'content-type' || name.toLowerCase() === 'content-type') return value;
  }
  return undefined;
}

function describeCodec(codec: Codec): string {
  return typeof codec === 'string' ? codec : codec.description;
}

function checkCodec(codec: unknown, where: string): Codec {
  if (isSchemaCodec(codec) || (typeof codec === 'string' && (CODECS as readonly string[]).includes(codec))) return codec as Codec;
  throw new ConfigError(`${where} must be one of ${CODECS.join(', ')} or a codec from protobuf() or avro()`);
}

/**
 * Decides, per record, which codec reads its value, then decodes it:
 *   1. records the event source's schema registry already handled (`valueSchemaMetadata` present)
 *      use the function's codec: their producer's header described bytes that are gone;
 *   2. otherwise a `content-type` header selects the codec mapped to its media type (the
 *      `contentTypes` given, then the defaults, then the `*+json` and `text/*` families);
 *   3. a media type nothing maps is a hint the function does not need: its own codec decodes the
 *      value, and a failure says which content type the record declared.
 */
export function valueDecoder(options: ValueDecoderOptions = {}): ValueDecoder {
  const codec = checkCodec(options.codec ?? 'json', 'codec');
  const exact = new Map<string, Codec>();
  const headerOverride = options.contentTypes !== false;
  const configured = [codec, ...Object.values(options.contentTypes || {})];
  for (const candidate of configured) {
    if (isSchemaCodec(candidate)) for (const type of candidate.mediaTypes) if (!exact.has(type)) exact.set(type, candidate);
  }
  for (const [type, mapped] of Object.entries(options.contentTypes || {})) {
    exact.set(mediaType(type), checkCodec(mapped, `contentTypes["${type}"]`));
  }
  const schemaCodecs = [...new Set(configured.filter(isSchemaCodec))];

  const functionCodec: CodecChoice = { codec };
  // A batch's records mostly carry the same content-type: its bytes are compared with the last
  // header's before any text is made of them.
  let lastHeader: Buffer | undefined;
  let lastHeaderChoice: CodecChoice = functionCodec;
  // The header Buffer the last choice was made from: records of a batch that share one decoded
  // header list (SharedHeaders) hand over the same Buffer, which needs no compare.
  let lastHeaderSeen: Buffer | undefined;

  function codecFor(record: KafkaRecord): CodecChoice {
    if (!headerOverride || record.valueSchemaMetadata !== undefined) return functionCodec;
    const header = contentTypeHeader(record);
    if (header === undefined) return functionCodec;
    if (header === lastHeaderSeen) return lastHeaderChoice;
    lastHeaderSeen = header;
    if (lastHeader !== undefined && header.equals(lastHeader)) return lastHeaderChoice;
    lastHeaderChoice = choiceFor(header.toString('utf8'));
    // A copy: the record's bytes are the caller's.
    lastHeader = Buffer.from(header);
    return lastHeaderChoice;
  }

  function choiceFor(header: string): CodecChoice {
    const type = mediaType(header);
    const mapped = exact.get(type);
    if (mapped !== undefined) return { codec: mapped };
    for (const [pattern, builtin] of BUILTIN_CONTENT_TYPES) if (pattern.test(type)) return { codec: builtin };
    return { codec, unmapped: type };
  }

  let loading: Promise<void> | undefined;
  let lastRecord: KafkaRecord | undefined;
  let lastChoice: CodecChoice | undefined;
  return {
    schemaCodecs,
    load() {
      loading ??= Promise.all(schemaCodecs.map((c) => c.load())).then(
        () => undefined,
        (error: unknown) => {
          loading = undefined;
          throw error;
        },
      );
      return loading;
    },
    readsJson(record) {
      lastRecord = record;
      lastChoice = codecFor(record);
      return lastChoice.codec === 'json';
    },
    decode(record) {
      // The decode step asks readsJson first: the content-type header is read once per record.
      const chosen = record === lastRecord && lastChoice !== undefined ? lastChoice : codecFor(record);
      try {
        if (typeof chosen.codec === 'string') return decodePayload(chosen.codec, record.value);
        return chosen.codec.decode(record.value, { unframed: record.valueSchemaMetadata !== undefined });
      } catch (error) {
        if (chosen.unmapped !== undefined && error instanceof DspfnError) {
          // Same class and code; the reason says which content type went unmapped.
          error.message += ` (the record's content-type ${shownMediaType(chosen.unmapped)} maps to no codec, so ${describeCodec(chosen.codec)} read it; map it with contentTypes)`;
        }
        throw error;
      }
    },
  };
}
