import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, DecodeError, describeError } from '../errors.ts';
import { frame, framingCandidates, unframe, type Framing, type FramingOption, type SerializedFormat } from './framing.ts';
import type { Payload } from './payload.ts';

const brand = Symbol.for('dspfn.schemaCodec');

/**
 * A codec with a schema (Protobuf, Avro). Its library and schema load on the first `load()`, so a
 * function that does not use one never loads its library; `decode` then runs synchronously.
 */
export interface SchemaCodec {
  readonly [brand]: true;
  readonly format: SerializedFormat;
  /** What it decodes, for messages: `protobuf telemetry.TelemetryFrame`. */
  readonly description: string;
  /** Media types whose `content-type` header selects this codec by default. */
  readonly mediaTypes: readonly string[];
  readonly framing: FramingOption;
  /** Loads the library and the schema; resolves once. A bad schema rejects with a ConfigError. */
  load(): Promise<void>;
  /**
   * Decodes one value. `unframed` says the bytes carry no registry framing whatever they start
   * with (the event source's schema registry already removed it). A value that does not decode is
   * a DecodeError with the parser's reason.
   */
  decode(bytes: Buffer, options?: { unframed?: boolean }): Payload;
  /** Serializes a plain value (for replay files and tests), framed when asked. */
  encode(value: unknown, framing?: Framing): Promise<Buffer>;
}

export function isSchemaCodec(value: unknown): value is SchemaCodec {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
}

/** The body shared by the Protobuf and Avro codecs: loading once, framing, error wording. */
export abstract class BaseSchemaCodec<Schema> implements SchemaCodec {
  readonly [brand] = true as const;
  abstract readonly format: SerializedFormat;
  abstract get description(): string;
  abstract readonly mediaTypes: readonly string[];
  private loading: Promise<void> | undefined;
  protected schema: Schema | undefined;

  constructor(readonly framing: FramingOption) {}

  load(): Promise<void> {
    this.loading ??= this.loadSchema().then(
      (schema) => {
        this.schema = schema;
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error instanceof ConfigError ? error : new ConfigError(`${this.description}: ${describeError(error)}`, { cause: error });
      },
    );
    return this.loading;
  }

  protected abstract loadSchema(): Promise<Schema>;
  /** The decoded value as plain data; throws the parser's error. */
  protected abstract decodeWith(schema: Schema, payload: Buffer): unknown;
  protected abstract encodeWith(schema: Schema, value: unknown): Uint8Array;

  protected loaded(): Schema {
    if (this.schema === undefined) throw new ConfigError(`${this.description} is used before load() resolved`);
    return this.schema;
  }

  decode(bytes: Buffer, options: { unframed?: boolean } = {}): Payload {
    const schema = this.loaded();
    const candidates = options.unframed ? (['none'] as const) : framingCandidates(bytes, this.framing, this.format);
    let first: unknown;
    for (const candidate of candidates) {
      try {
        const { payload, framing } = unframe(bytes, candidate, this.format);
        const value = this.decodeWith(schema, payload);
        return { codec: this.format, value, ...(framing ? { framing } : {}) } as Payload;
      } catch (error) {
        first ??= error;
      }
    }
    if (first instanceof DecodeError) throw first;
    throw new DecodeError(`value is not a valid ${this.description}: ${describeError(first)}`, { cause: first });
  }

  async encode(value: unknown, framing?: Framing): Promise<Buffer> {
    await this.load();
    return frame(this.encodeWith(this.loaded(), value), framing, this.format);
  }
}

/**
 * Schema text from a file path or file URL, or the text itself when it looks like a schema
 * (`{` for Protobuf and Avro JSON alike): loading happens at `load()`, not at import.
 */
export function schemaText(schema: string | URL, looksInline: (text: string) => boolean): { text: string; origin: string } {
  if (typeof schema === 'string' && looksInline(schema)) return { text: schema, origin: 'inline schema' };
  const path = schema instanceof URL ? fileURLToPath(schema) : schema;
  try {
    return { text: readFileSync(path, 'utf8'), origin: path };
  } catch (error) {
    throw new ConfigError(`cannot read schema file ${path}: ${(error as NodeJS.ErrnoException).code ?? describeError(error)}`, { cause: error });
  }
}
