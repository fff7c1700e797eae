import * as z from 'zod';
import { CODECS, type Payload } from '../codecs/payload.ts';
import { isSchemaCodec } from '../codecs/schema-codec.ts';
import type { Codec, ContentTypes } from '../codecs/value-decoder.ts';
import { PipelineSpec, type PipelineEvent } from '../dsp/pipeline.ts';
import { ConfigError } from '../errors.ts';
import type { KafkaRecord } from '../events/types.ts';
import { zodReason } from '../validation.ts';
import type { Aggregate, ChannelAggregates } from '../windows/accumulator.ts';
import type { Duration } from '../windows/duration.ts';
import { windowSpec, type WindowDefinition } from '../windows/spec.ts';
import { isPowertoolsMetrics, type MetricsOption } from './metrics/publisher.ts';
import type { PowertoolsLoggerLike } from '../logger/powertools.ts';

/** What a function extracts from one record: the key and the interleaved samples to process. */
export interface SampleBlock<M = unknown> {
  readonly key: string;
  readonly samples: Float32Array | readonly number[];
  /** Epoch milliseconds of the first sample (float64); defaults to the record timestamp. */
  readonly timestamp?: number;
  /** Samples per second per channel, when known. */
  readonly sampleRate?: number;
  /** Anything the output function needs later. */
  readonly meta?: M;
}

/** An event of an event stage as a function sees it: always timed (a record has a time). */
export interface ResultEvent extends PipelineEvent {
  /** Epoch milliseconds of the event's sample (float64). */
  readonly timestamp: number;
}

/** Everything the output function sees for one processed record. */
export interface ResultContext<M = unknown> {
  readonly functionName: string;
  readonly key: string;
  readonly record: KafkaRecord;
  readonly block: SampleBlock<M>;
  /** Pipeline output: interleaved frames of `outChannels` (for spectra, one spectrum per frame). */
  readonly output: Float32Array;
  readonly outChannels: number;
  /** Output frames (≥ 1: a record whose output is empty produces no message). */
  readonly frames: number;
  /**
   * Epoch milliseconds of the output's first frame (float64, never float32); frame j lies
   * j × 1000 / sampleRate ms later. A rate-changing stage moves it (a spectrum frame's time is its
   * first sample's).
   */
  readonly timestamp: number;
  /** Output frames per second (a spectrum's: the input rate / hop); undefined for events. */
  readonly sampleRate: number | undefined;
  /**
   * A pipeline ending in an event stage (peaks, crossings, clipDetect): this record's events, each
   * `{ channel, index, timestamp, value, kind }` and timed at its own sample, in the order found
   * (by index, then channel); `timestamp` above is the first one's. With `emit: 'batch'`, the
   * events of all the key's records of the batch. Empty for other pipelines. A record without
   * events produces no message.
   */
  readonly events: readonly ResultEvent[];
  /**
   * With `readings({ emit: 'batch' })`: the key's records of the batch behind this one result, in
   * offset order, each with its event time; `output` holds their frames in the same order and
   * `record`/`block` are the last one's.
   */
  readonly records?: ReadonlyArray<{ readonly record: KafkaRecord; readonly block: SampleBlock<M>; readonly timestamp: number }>;
  /**
   * With `window`: the closed window this result is for. `record` is then the record whose event
   * time closed it (for an idle tick: a record-less stand-in with the partition's last offset),
   * `output` holds the window's aggregates (per channel, in `aggregate` order) and `timestamp` is
   * the window's start.
   */
  readonly window?: WindowResult;
}

/**
 * One closed event-time window of a key: `[start, end)` in epoch milliseconds, its frame count,
 * and each requested aggregate under its own name (`mean`, `max`, …) when the windowed values have
 * one channel; `channels` holds every channel's aggregates (multi-field readings, several outputs).
 */
export interface WindowResult extends ChannelAggregates {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly count: number;
  readonly channels: readonly ChannelAggregates[];
}

interface OutputBase<M> {
  /** Results topic. */
  topic: string;
  /** Message key; the record's pipeline key by default, so per-key order is kept downstream. */
  key?: (context: ResultContext<M>) => string;
}

/** JSON results: `value` builds each message's value. */
export interface JsonOutputDefinition<M = unknown> extends OutputBase<M> {
  format?: 'json';
  value: (context: ResultContext<M>) => unknown;
}

/**
 * Raw results: the pipeline output as little-endian float32 samples (no number formatting, the
 * fastest path), with `content-type: application/x-f32le` and the channel count, first-sample
 * timestamp and sample rate in headers.
 */
export interface F32leOutputDefinition<M = unknown> extends OutputBase<M> {
  format: 'f32le';
}

export type OutputDefinition<M = unknown> = JsonOutputDefinition<M> | F32leOutputDefinition<M>;

export type StateMismatchPolicy = 'error' | 'reset';

/** What a record with no value (a tombstone) does: nothing, or go to the dead-letter topic. */
export type TombstonePolicy = 'skip' | 'dead-letter';

export interface FunctionDefinition<M = unknown> {
  /** Names logs, headers and state keys; defaults to AWS_LAMBDA_FUNCTION_NAME's basename. */
  name: string;
  /**
   * Codec for record values: `json`, `f32le`, `utf8`, `raw`, or `protobuf({ schema, type })` /
   * `avro({ schema })`. A record's `content-type` header may select another (see `contentTypes`).
   * Default `json`.
   */
  codec?: Codec;
  /**
   * Media type → codec, merged over the defaults (the built-in types, and the Protobuf or Avro
   * media types of each schema codec configured); `false` ignores the `content-type` header.
   */
  contentTypes?: ContentTypes;
  /** One instance of this pipeline runs per key. */
  pipeline: PipelineSpec;
  /**
   * Turns a decoded record into a key and samples. Throwing dead-letters the record with the
   * error's message. The default takes the record key, and samples from f32le payloads or from a
   * JSON array of numbers.
   */
  input?: (payload: Payload, record: KafkaRecord) => SampleBlock<M>;
  output: OutputDefinition<M>;
  /** Dead-letter topic; default `<source topic>.dlq`. */
  deadLetterTopic?: string | ((sourceTopic: string) => string);
  /** Topic for the function's structured batch logs; none by default (logs go to stderr). */
  logTopic?: string;
  /** What to do when stored state was written by another pipeline configuration. Default `error`. */
  onStateMismatch?: StateMismatchPolicy;
  /** Input headers copied onto results and dead letters, for tracing. */
  propagateHeaders?: readonly string[];
  /**
   * Records with no value (log compaction's delete markers): `skip` (default) counts them and
   * touches no state; `dead-letter` sends each to the dead-letter topic. Never a batch failure.
   */
  tombstones?: TombstonePolicy;
  /**
   * For mappings with `FunctionResponseTypes: [ReportBatchItemFailures]`: when some keys' state
   * commits conflict, answer `{ batchItemFailures }` (per partition, the first offset of those keys)
   * instead of failing the whole batch.
   */
  reportBatchItemFailures?: boolean;
  /**
   * Event-time windows per key, over the pipeline's output (or the raw values with an empty
   * `pipeline()`): `{ type: 'tumbling', size }`, `{ type: 'hopping', size, advance }` or
   * `{ type: 'session', gap }`, durations in milliseconds or as `'30s'`, `'1m'`, `'1h'`. Each window
   * is emitted once when its partition's watermark passes its end (`ctx.window`).
   */
  window?: WindowDefinition;
  /** With `window`: the aggregates of each closed window (`count` is always given). */
  aggregate?: readonly Aggregate[];
  /** With `window`: how far the watermark stays behind the largest event time of a partition. Default 0. */
  allowedLateness?: Duration;
  /** With `window`: topic for records that fall into windows already closed; default `<source topic>.late`. */
  lateTopic?: string | ((sourceTopic: string) => string);
  /**
   * With `window`: close the windows of a partition without records for this long (wall clock), on
   * the scheduled tick (a `schedule` event every minute; `dspfn replay` and `dspfn consume` emulate it).
   */
  idleTimeout?: Duration;
  /**
   * CloudWatch metrics, one Embedded Metric Format line per batch (namespace `dspfn`, dimension
   * `FunctionName`): on by default on Lambda, `false` turns them off (so does DSPFN_METRICS=off),
   * `true` turns them on elsewhere too. A Powertools for AWS Lambda `Metrics` instance publishes
   * them through it instead (its namespace and service apply).
   */
  metrics?: MetricsOption;
  /** A Powertools for AWS Lambda `Logger`: dspfn logs through it instead of its own JSON lines. */
  logger?: PowertoolsLoggerLike;
}

/**
 * What a ready input (such as `readings()`) says about itself, as properties of the function: how
 * many channels each record's frames have, and whether results are per record or per key per batch.
 */
export interface InputTraits {
  readonly channels?: number;
  readonly fields?: readonly string[];
  readonly emit?: 'record' | 'batch';
}

export function inputTraits(input: unknown): InputTraits {
  return typeof input === 'function' ? (input as InputTraits) : {};
}

export const DEFAULT_PROPAGATED_HEADERS = ['traceparent', 'tracestate', 'x-amzn-trace-id', 'trace-id'] as const;

const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'expected a function');

const codecSchema = z.union([z.enum(CODECS), z.custom((value) => isSchemaCodec(value), 'expected protobuf(…) or avro(…)')]);

const definitionSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'letters, digits, ".", "_" or "-" (at most 128)'),
  codec: codecSchema.optional(),
  contentTypes: z.union([z.literal(false), z.record(z.string().min(1), codecSchema)]).optional(),
  pipeline: z.instanceof(PipelineSpec, { message: 'expected pipeline().…' }),
  input: fn.optional(),
  output: z.union([
    z.strictObject({ topic: z.string().min(1), key: fn.optional(), format: z.literal('json').optional(), value: fn }),
    z.strictObject({ topic: z.string().min(1), key: fn.optional(), format: z.literal('f32le') }),
  ]),
  deadLetterTopic: z.union([z.string().min(1), fn]).optional(),
  logTopic: z.string().min(1).optional(),
  onStateMismatch: z.enum(['error', 'reset']).optional(),
  propagateHeaders: z.array(z.string()).optional(),
  tombstones: z.enum(['skip', 'dead-letter']).optional(),
  reportBatchItemFailures: z.boolean().optional(),
  // Checked in full by windowSpec.
  window: z.object({ type: z.string() }).passthrough().optional(),
  aggregate: z.array(z.string()).optional(),
  allowedLateness: z.union([z.number(), z.string()]).optional(),
  lateTopic: z.union([z.string().min(1), fn]).optional(),
  idleTimeout: z.union([z.number(), z.string()]).optional(),
  metrics: z.union([z.boolean(), z.custom((value) => isPowertoolsMetrics(value))], { error: 'expected true, false or a Powertools Metrics instance' }).optional(),
  logger: z
    .custom((value) => typeof value === 'object' && value !== null && ['debug', 'info', 'warn', 'error'].every((m) => typeof (value as Record<string, unknown>)[m] === 'function'), 'expected a Powertools Logger (debug, info, warn, error)')
    .optional(),
});

/** Rejects unknown keys and wrong types at cold start, not on the first record. */
export function validateDefinition<M>(definition: FunctionDefinition<M>): void {
  const result = definitionSchema.safeParse(definition);
  if (!result.success) {
    throw new ConfigError(`invalid function definition: ${zodReason(result.error)}`);
  }
  const { channels, fields, emit } = inputTraits(definition.input);
  if (definition.window === undefined) {
    if (definition.pipeline.stages.length === 0) throw new ConfigError('the function pipeline has no stages (an empty pipeline() needs a window)');
    for (const option of ['aggregate', 'allowedLateness', 'lateTopic', 'idleTimeout'] as const) {
      if (definition[option] !== undefined) throw new ConfigError(`${option} needs a window (window: { type: 'tumbling', size: '1m' }, …)`);
    }
  } else {
    if (definition.aggregate === undefined) throw new ConfigError("a window needs aggregate: ['count', 'mean', …]");
    windowOptionsOf(definition);
    const changer = definition.pipeline.rateChanger;
    if (changer !== undefined) throw new ConfigError(`windows take one value per frame, but ${changer} changes the frame rate`, { stage: changer });
    if (emit === 'batch') throw new ConfigError("readings({ emit: 'batch' }) and a window both say when results come: use one of them");
    if (definition.output.format === 'f32le') throw new ConfigError("window results are JSON: output.format 'f32le' cannot carry them");
  }
  if (channels !== undefined && channels !== definition.pipeline.channels) {
    throw new ConfigError(
      `the input gives ${channels} channel(s)${fields ? ` (${fields.join(', ')})` : ''} but the pipeline takes ${definition.pipeline.channels}: use pipeline({ channels: ${channels} })`,
    );
  }
}

/** The window options of a definition with a window, validated (ConfigError otherwise). */
export function windowOptionsOf<M>(definition: FunctionDefinition<M>): ReturnType<typeof windowSpec> {
  return windowSpec(
    {
      window: definition.window!,
      aggregate: definition.aggregate ?? [],
      ...(definition.allowedLateness === undefined ? {} : { allowedLateness: definition.allowedLateness }),
      ...(definition.idleTimeout === undefined ? {} : { idleTimeout: definition.idleTimeout }),
    },
    definition.pipeline.outChannels,
  );
}
