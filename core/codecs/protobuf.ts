import type { NamespaceBase, Root, Type } from 'protobufjs';
import * as z from 'zod';
import { ConfigError, DecodeError, describeError } from '../errors.ts';
import { packageExports } from '../lazy-import.ts';
import { zodReason } from '../validation.ts';
import { FRAMINGS, type FramingOption } from './framing.ts';
import { BaseSchemaCodec, schemaText, type SchemaCodec } from './schema-codec.ts';

export interface ProtobufCodecOptions {
  /**
   * The schema: a `.proto` file path or file URL, the `.proto` source text itself, or a protobufjs
   * `Root` you built. Field names stay as written in the schema.
   */
  schema: string | URL | Root;
  /** Fully qualified message name, e.g. `telemetry.TelemetryFrame`. */
  type: string;
  /** Schema-registry framing: detected by default (`auto`). */
  framing?: FramingOption;
}

export const PROTOBUF_MEDIA_TYPES = [
  'application/x-protobuf',
  'application/protobuf',
  'application/x-protobuffer',
  'application/x-google-protobuf',
  'application/vnd.google.protobuf',
] as const;

const optionsSchema = z.strictObject({
  schema: z.union([
    z.string().min(1),
    z.instanceof(URL),
    z.custom<Root>((value) => typeof (value as Root | null)?.lookupType === 'function', 'expected a path, URL, .proto text or protobufjs Root'),
  ]),
  type: z.string().regex(/^\.?[A-Za-z_][\w.]*$/, 'a fully qualified message name such as "telemetry.TelemetryFrame"'),
  framing: z.enum(FRAMINGS).optional(),
});

/** Conversion to plain data: 64-bit integers as numbers (int64 epoch ms stay usable), enums by name. */
const PLAIN = { longs: Number, enums: String, defaults: true } as const;

class ProtobufCodec extends BaseSchemaCodec<Type> {
  readonly format = 'protobuf' as const;
  readonly description: string;
  readonly mediaTypes = PROTOBUF_MEDIA_TYPES;

  constructor(private readonly options: ProtobufCodecOptions) {
    super(options.framing ?? 'auto');
    this.description = `protobuf ${options.type.replace(/^\./, '')}`;
  }

  protected async loadSchema(): Promise<Type> {
    const { schema } = this.options;
    let root: Root;
    if (typeof schema === 'object' && !(schema instanceof URL)) root = schema;
    else {
      const protobuf = packageExports(await import('protobufjs'));
      const { text, origin } = schemaText(schema, (s) => s.includes('{'));
      try {
        root = protobuf.parse(text, new protobuf.Root(), { keepCase: true }).root;
      } catch (error) {
        throw new ConfigError(`protobuf schema ${origin} does not parse: ${describeError(error)}`, { cause: error });
      }
    }
    try {
      return root.resolveAll().lookupType(this.options.type);
    } catch (error) {
      throw new ConfigError(`protobuf type "${this.options.type}" is not in the schema (${describeError(error)}; message types: ${messageNames(root).join(', ') || 'none'})`, {
        cause: error,
      });
    }
  }

  protected decodeWith(type: Type, payload: Buffer): Record<string, unknown> {
    return type.toObject(type.decode(payload), PLAIN);
  }

  protected encodeWith(type: Type, value: unknown): Uint8Array {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DecodeError(`a ${this.description} value must be an object`);
    const invalid = type.verify(value as Record<string, unknown>);
    if (invalid) throw new DecodeError(`value is not a valid ${this.description}: ${invalid}`);
    return type.encode(type.fromObject(value as Record<string, unknown>)).finish();
  }
}

function messageNames(namespace: NamespaceBase): string[] {
  return namespace.nestedArray.flatMap((nested) => [
    ...('fields' in nested ? [nested.fullName.replace(/^\./, '')] : []),
    ...('nestedArray' in nested ? messageNames(nested as NamespaceBase) : []),
  ]);
}

/**
 * Protobuf record values, decoded with protobufjs (loaded on first use) into plain objects with
 * 64-bit integers as numbers and enums as names. Confluent and AWS Glue framing are stripped.
 */
export function protobuf(options: ProtobufCodecOptions): SchemaCodec {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new ConfigError(`invalid protobuf options: ${zodReason(parsed.error)}`);
  return new ProtobufCodec(options);
}
