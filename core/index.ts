/**
 * `dspfn`: declare a Kafka-triggered DSP function. Adapters (stores, sinks, connections) are in
 * `dspfn/adapters`, test helpers in `dspfn/testing`, errors in `dspfn/errors`, the local event
 * source in `dspfn/local`. Importing this module registers nothing and connects nothing.
 */
export { defineFunction } from './handler/define-function.ts';
export type { DspfnHandler, DspfnMiddleware, FunctionControl, KafkaBatchResponse } from './handler/define-function.ts';
export type {
  F32leOutputDefinition,
  FunctionDefinition,
  JsonOutputDefinition,
  OutputDefinition,
  ResultContext,
  ResultEvent,
  SampleBlock,
  StateMismatchPolicy,
  WindowResult,
} from './handler/definition.ts';
export type { Aggregate, ChannelAggregates, Duration, WindowDefinition } from './windows/index.ts';
export type { BatchReport, BatchTimings, KafkaItemFailure } from './handler/process-batch.ts';
export type { Runtime } from './handler/runtime.ts';
export type { Logger, LogLevel } from './logger/logger.ts';
export type { PowertoolsLoggerLike } from './logger/powertools.ts';
export { emfLine, METRICS_NAMESPACE } from './handler/metrics/emf.ts';
export type { MetricsOption, MetricsPublisher, PowertoolsMetricsLike } from './handler/metrics/publisher.ts';

// Pipelines
export { pipeline } from './dsp/pipeline.ts';
export type { Pipeline, PipelineSpec } from './dsp/pipeline.ts';
export type { BackendName, DspBackend } from './dsp/backend.ts';
export type { PipelineEvent, PipelineOutput } from './dsp/pipeline.ts';
export type { BlockTiming } from './dsp/timing.ts';
export type { StageName, StageOptions } from './dsp/stages/catalogue.ts';

// Inputs
export { deviceReadings } from './inputs/device-readings.ts';
export type { DeviceReadingsOptions } from './inputs/device-readings.ts';
export { readings } from './inputs/readings.ts';
export type { ReadingsEmit, ReadingsInput, ReadingsOptions, ReadingValue } from './inputs/readings.ts';

// Codecs and records
export { CODECS } from './codecs/payload.ts';
export type { CodecName, Payload } from './codecs/payload.ts';
export { protobuf, PROTOBUF_MEDIA_TYPES } from './codecs/protobuf.ts';
export type { ProtobufCodecOptions } from './codecs/protobuf.ts';
export { avro, AVRO_MEDIA_TYPES } from './codecs/avro.ts';
export type { AvroCodecOptions } from './codecs/avro.ts';
export type { SchemaCodec } from './codecs/schema-codec.ts';
export type { Codec, ContentTypes } from './codecs/value-decoder.ts';
export type { Framing, FramingOption } from './codecs/framing.ts';
export { headerText } from './events/types.ts';
export type { KafkaEvent, KafkaHeader, KafkaRecord, SchemaMetadata } from './events/types.ts';
