// Registers the native DSP backend (used when its module is present; see core/dsp/native/loader.ts).
import './dsp/native/register.ts';

export { defineFunction } from './handler/define-function.ts';
export type { DspfnHandler, DspfnMiddleware, FunctionControl, KafkaBatchResponse } from './handler/define-function.ts';
export type {
  FunctionDefinition,
  OutputDefinition,
  ResultContext,
  SampleBlock,
  StateMismatchPolicy,
} from './handler/definition.ts';
export { deviceReadings } from './inputs/device-readings.ts';
export type { DeviceReadingsOptions } from './inputs/device-readings.ts';
export { processBatch } from './handler/process-batch.ts';
export type { BatchReport, BatchTimings, KafkaItemFailure } from './handler/process-batch.ts';
export { defaultRuntime, registerRuntimeFactory } from './handler/runtime.ts';
export type { Runtime } from './handler/runtime.ts';
export { jsonLogger } from './handler/logger.ts';
export type { Logger, LogLevel } from './handler/logger.ts';

export { pipeline, Pipeline, PipelineSpec } from './dsp/pipeline.ts';
export { jsBackend, getDefaultBackend, setDefaultBackend } from './dsp/backend.ts';
export type { DspBackend, BackendName } from './dsp/backend.ts';
export type { StageKernel, StageSpec, StageName } from './dsp/stage.ts';
export { decodeSnapshot, encodeSnapshot, SNAPSHOT_VERSION } from './dsp/snapshot.ts';
export type { PipelineSnapshot, AbsorbedOffset } from './dsp/snapshot.ts';

export { parseKafkaEvent, isKafkaEvent } from './events/parse.ts';
export { headerText } from './events/types.ts';
export type { KafkaEvent, KafkaRecord, KafkaHeader, ParsedKafkaEvent, PartitionBatch, SchemaMetadata } from './events/types.ts';
export { decodePayload, decodeF32le, codecForContentType, CODECS } from './codecs/payload.ts';
export type { CodecName, Payload } from './codecs/payload.ts';

export type { StateStore, StateEntry, StoredState, CommitResult, CommitStatus } from './state/store.ts';
export { MemoryStateStore } from './state/memory.ts';
export { createStateStore, STATE_SPEC_FORMS } from './state/from-url.ts';
export type { StateStoreOptions } from './state/from-url.ts';
export { UpstashStateStore } from './state/upstash.ts';
export type { UpstashStateStoreOptions } from './state/upstash.ts';
export type { RedisStateStoreOptions } from './state/redis.ts';
export type { Sink, OutputMessage, OutputKind } from './sink/sink.ts';
export { Header } from './sink/sink.ts';
export { MemorySink } from './sink/memory.ts';
export { NdjsonSink } from './sink/ndjson.ts';
// Importing the Kafka sink registers DSPFN_SINK=kafka; kafkajs itself loads only when a KafkaSink is created.
export { KafkaSink, kafkaSink } from './sink/kafka.ts';
export type { KafkaSinkOptions } from './sink/kafka.ts';
export { connectionFromEnv, describeConnection, kafkaClientConfig, resolveBrokers } from './kafka/connection.ts';
export type { KafkaConnectionOptions } from './kafka/connection.ts';
export type { KafkaAuthMode } from './kafka/auth.ts';
export { eventBrokers } from './kafka/event-brokers.ts';

export * from './errors.ts';
