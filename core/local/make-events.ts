import { readFileSync } from 'node:fs';
import { Partitioners } from 'kafkajs';
import { avro } from '../codecs/avro.ts';
import type { Framing } from '../codecs/framing.ts';
import { protobuf } from '../codecs/protobuf.ts';
import type { SchemaCodec } from '../codecs/schema-codec.ts';
import { ConfigError } from '../errors.ts';
import { eventTime } from '../inputs/event-time.ts';
import { kafkaRecord, type RecordInput } from '../events/build.ts';
import { mulberry32 } from '../testing/random.ts';
import type { ReplayRecord } from './replay-file.ts';

/** Kafka's default (murmur2) partitioner, so replay files place keys where a real producer would. */
export function keyPartitioner(partitions: number): (key: string | null, index: number) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return (key, index) =>
    key === null
      ? index % partitions
      : partitioner({ topic: 'replay', partitionMetadata, message: { key, value: null } });
}

export interface RecordSequenceOptions {
  topic: string;
  partitions: number;
  startTimestamp?: number;
  /** Milliseconds between consecutive records. */
  intervalMs?: number;
}

/** Assigns partitions by key and consecutive offsets per partition, in the order given. */
export function toReplayRecords(inputs: Iterable<RecordInput>, options: RecordSequenceOptions): ReplayRecord[] {
  const partitionOf = keyPartitioner(options.partitions);
  const offsets = new Map<number, number>();
  const start = options.startTimestamp ?? Date.UTC(2026, 0, 1);
  const records: ReplayRecord[] = [];
  let index = 0;
  for (const input of inputs) {
    const key = input.key === undefined || input.key === null ? null : Buffer.from(input.key).toString('utf8');
    const partition = input.partition ?? partitionOf(key, index);
    const offset = offsets.get(partition) ?? 0;
    offsets.set(partition, offset + 1);
    records.push(
      kafkaRecord(
        { timestamp: start + index * (options.intervalMs ?? 10), ...input, topic: input.topic ?? options.topic, partition, offset },
        {},
      ),
    );
    index++;
  }
  return records;
}

/** Reads plain values from a JSON array or NDJSON file. */
export function readValues(path: string): unknown[] {
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('[')) return JSON.parse(text) as unknown[];
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (error) {
        throw new ConfigError(`${path}:${i + 1}: not JSON (${(error as Error).message})`);
      }
    });
}

export interface ValuesOptions {
  /** Field that becomes the record key. */
  keyField?: string;
  /** Field whose ISO-8601 text or epoch milliseconds becomes the record timestamp. */
  timestampField?: string;
  /** Headers on every record. */
  headers?: Readonly<Record<string, string>>;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** Values become record values (JSON), with the key, timestamp and headers the options take from them. */
export function valuesToInputs(values: readonly unknown[], options: ValuesOptions = {}): RecordInput[] {
  const { keyField, timestampField, headers } = options;
  return values.map((value, i) => {
    const input: RecordInput = { value: value as RecordInput['value'] };
    if (keyField !== undefined) {
      const key = field(value, keyField);
      if (typeof key !== 'string' && typeof key !== 'number') throw new ConfigError(`value ${i + 1} has no "${keyField}" string to use as record key`);
      input.key = String(key);
    }
    if (timestampField !== undefined) {
      try {
        input.timestamp = eventTime(field(value, timestampField), timestampField);
      } catch (error) {
        throw new ConfigError(`value ${i + 1}: ${(error as Error).message}`);
      }
    }
    if (headers && Object.keys(headers).length > 0) input.headers = { ...headers };
    return input;
  });
}

/** `name=value` options into headers; the first `=` splits, so values may contain more. */
export function parseHeaders(pairs: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new ConfigError(`--header "${pair}" is not name=value`);
    headers[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return headers;
}

/** Serializes each input's value with a schema codec, framed as a registry-aware producer would. */
export async function encodeInputs(inputs: readonly RecordInput[], codec: SchemaCodec, framing: Framing | undefined): Promise<RecordInput[]> {
  await codec.load();
  return Promise.all(
    inputs.map(async (input, i) => {
      try {
        return { ...input, value: await codec.encode(input.value, framing) };
      } catch (error) {
        throw new ConfigError(`value ${i + 1}: ${(error as Error).message}`);
      }
    }),
  );
}

export interface EncodingOptions {
  protobuf?: string;
  type?: string;
  avro?: string;
  framing?: 'none' | 'confluent' | 'glue' | 'glue-zlib';
  schemaId?: string;
}

/** The codec and framing `--protobuf/--type`, `--avro`, `--framing` and `--schema-id` ask for; none without a schema. */
export function schemaEncoding(options: EncodingOptions): { codec: SchemaCodec; framing: Framing | undefined } | undefined {
  const { protobuf: proto, type, avro: avsc, framing = 'none', schemaId } = options;
  if (proto !== undefined && avsc !== undefined) throw new ConfigError('--protobuf and --avro exclude each other');
  if (proto === undefined && type !== undefined) throw new ConfigError('--type names a message of the --protobuf schema');
  if (proto === undefined && avsc === undefined) {
    if (framing !== 'none' || schemaId !== undefined) throw new ConfigError('--framing and --schema-id need --protobuf or --avro');
    return undefined;
  }
  if (proto !== undefined && type === undefined) throw new ConfigError('--protobuf needs --type, the fully qualified message name (e.g. telemetry.TelemetryFrame)');
  const codec = proto !== undefined ? protobuf({ schema: proto, type: type! }) : avro({ schema: avsc! });
  if (framing === 'none') {
    if (schemaId !== undefined) throw new ConfigError('--schema-id needs --framing confluent, glue or glue-zlib');
    return { codec, framing: undefined };
  }
  const messageIndexes = proto !== undefined ? { messageIndexes: [0] } : {};
  if (framing === 'confluent') {
    const id = Number(schemaId ?? '1');
    if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) throw new ConfigError(`--schema-id for Confluent framing is an integer from 0 to 4294967295, got "${schemaId}"`);
    return { codec, framing: { kind: 'confluent', schemaId: id, ...messageIndexes } };
  }
  if (schemaId === undefined || !/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(schemaId)) {
    throw new ConfigError('AWS Glue framing needs --schema-id, the schema version id (a UUID)');
  }
  return { codec, framing: { kind: 'glue', schemaVersionId: schemaId.toLowerCase(), compression: framing === 'glue-zlib' ? 'zlib' : 'none', ...messageIndexes } };
}

export interface SynthOptions {
  kind: 'sensor' | 'noise';
  devices: number;
  records: number;
  samples: number;
  sampleRate: number;
  seed: number;
  format: 'json' | 'f32le';
  /** Records with a malformed payload, spread through the file (to exercise dead letters). */
  malformed: number;
}

/**
 * Synthetic device streams: `sensor` is a sine per device with DC offset and noise; `noise` is
 * 2-channel [x, d] where d = tone + an unknown FIR of the reference noise x.
 */
export function synthInputs(options: SynthOptions): RecordInput[] {
  const random = mulberry32(options.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const devices = Array.from({ length: options.devices }, (_, d) => ({
    id: `device-${String(d + 1).padStart(3, '0')}`,
    freq: 1 + random() * 20,
    dc: random() * 4 - 2,
    amp: 0.5 + random() * 2,
    t: 0,
    history: [0, 0, 0],
  }));
  const fir = [0.6, -0.3, 0.1];
  const inputs: RecordInput[] = [];
  const every = options.malformed > 0 ? Math.floor((options.records * options.devices) / (options.malformed + 1)) : 0;
  for (let r = 0; r < options.records; r++) {
    for (const device of devices) {
      const channels = options.kind === 'noise' ? 2 : 1;
      const data = new Array<number>(options.samples * channels);
      for (let n = 0; n < options.samples; n++, device.t++) {
        const tone = device.amp * Math.sin((2 * Math.PI * device.freq * device.t) / options.sampleRate);
        if (options.kind === 'sensor') {
          data[n] = Math.fround(device.dc + tone + 0.1 * gauss());
        } else {
          const x = gauss();
          device.history.unshift(x);
          device.history.length = fir.length;
          const leak = fir.reduce((sum, h, k) => sum + h * (device.history[k] ?? 0), 0);
          data[2 * n] = Math.fround(x);
          data[2 * n + 1] = Math.fround(tone + leak);
        }
      }
      const index = inputs.length + 1;
      if (every > 0 && index % every === 0 && index / every <= options.malformed) {
        inputs.push({ key: device.id, value: { deviceId: device.id, sampleRate: options.sampleRate, data: 'not-samples' } });
        continue;
      }
      inputs.push(
        options.format === 'f32le'
          ? { key: device.id, value: Float32Array.from(data), headers: { 'content-type': 'application/x-f32le' } }
          : { key: device.id, value: { deviceId: device.id, sampleRate: options.sampleRate, data } },
      );
    }
  }
  return inputs;
}
