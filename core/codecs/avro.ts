import type { Type as AvroType } from 'avsc';
import * as z from 'zod';
import { ConfigError, DecodeError, describeError } from '../errors.ts';
import { zodReason } from '../validation.ts';
import { FRAMINGS, type FramingOption } from './framing.ts';
import { BaseSchemaCodec, schemaText, type SchemaCodec } from './schema-codec.ts';

export interface AvroCodecOptions {
  /**
   * The writer schema: an `.avsc` file path or file URL, the schema as JSON text or as an object,
   * or an avsc `Type` you built.
   */
  schema: string | URL | object;
  /** Schema-registry framing: detected by default (`auto`). */
  framing?: FramingOption;
}

export const AVRO_MEDIA_TYPES = ['avro/binary', 'application/avro', 'application/x-avro', 'application/x-avro-binary', 'application/vnd.apache.avro+binary'] as const;

const optionsSchema = z.strictObject({
  schema: z.union([z.string().min(1), z.instanceof(URL), z.object({}).passthrough(), z.array(z.unknown())]),
  framing: z.enum(FRAMINGS).optional(),
});

function isAvroType(value: unknown): value is AvroType {
  return typeof value === 'object' && value !== null && typeof (value as AvroType).fromBuffer === 'function' && typeof (value as AvroType).toBuffer === 'function';
}

/**
 * avsc decodes records as instances of generated classes; users get plain objects, arrays, Buffers
 * for bytes/fixed, strings for enums and numbers for longs (avsc refuses a long beyond 2^53).
 */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map(plain);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = plain((value as Record<string, unknown>)[key]);
  return out;
}

class AvroCodec extends BaseSchemaCodec<AvroType> {
  readonly format = 'avro' as const;
  readonly mediaTypes = AVRO_MEDIA_TYPES;

  constructor(private readonly options: AvroCodecOptions) {
    super(options.framing ?? 'auto');
  }

  /** `avro iot.Reading` once the schema is loaded (a path names no type before). */
  get description(): string {
    const type = this.schema ?? (isAvroType(this.options.schema) ? this.options.schema : undefined);
    return `avro ${type?.name ?? type?.typeName ?? 'value'}`;
  }

  protected async loadSchema(): Promise<AvroType> {
    const { schema } = this.options;
    if (isAvroType(schema)) return schema;
    const namespace = await import('avsc');
    // Node's CommonJS interop finds only some of avsc's exports by name; module.exports has them all.
    const avsc = 'Type' in namespace ? namespace : (namespace as { default: typeof namespace }).default;
    let definition: unknown = schema;
    let origin = 'schema object';
    if (typeof schema === 'string' || schema instanceof URL) {
      const source = schemaText(schema, (s) => /^\s*[[{"]/.test(s));
      origin = source.origin;
      try {
        definition = JSON.parse(source.text);
      } catch (error) {
        throw new ConfigError(`avro schema ${origin} is not JSON: ${describeError(error)}`, { cause: error });
      }
    }
    try {
      return avsc.Type.forSchema(definition as Parameters<typeof avsc.Type.forSchema>[0]);
    } catch (error) {
      throw new ConfigError(`avro schema ${origin} is not valid: ${describeError(error)}`, { cause: error });
    }
  }

  protected decodeWith(type: AvroType, payload: Buffer): unknown {
    return plain(type.fromBuffer(payload));
  }

  protected encodeWith(type: AvroType, value: unknown): Uint8Array {
    const problems: string[] = [];
    const valid = type.isValid(value, { errorHook: (path) => problems.push(path.join('.') || '(value)') });
    if (!valid) throw new DecodeError(`value is not a valid ${this.description}: invalid field(s) ${problems.join(', ')}`);
    return type.toBuffer(value);
  }
}

/**
 * Avro record values (binary encoding), decoded with avsc (loaded on first use) into plain data.
 * Confluent and AWS Glue framing are stripped: an Avro value can start with any byte, so with
 * `framing: 'auto'` a value that looks framed but does not decode so is tried unframed.
 */
export function avro(options: AvroCodecOptions): SchemaCodec {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new ConfigError(`invalid avro options: ${zodReason(parsed.error)}`);
  return new AvroCodec(options);
}
