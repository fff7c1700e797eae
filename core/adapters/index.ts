/**
 * `dspfn/adapters`: what a function runs with — state stores, sinks, Kafka connections, DSP
 * backends, the logger — for code that wires a runtime itself (`handler.dspfn.withRuntime(…)`,
 * tests, custom runners) instead of through the DSPFN_* variables.
 */

// State stores
export type { CommitResult, CommitStatus, StateEntry, StateStore, StoredState } from '../state/store.ts';
export { MemoryStateStore } from '../state/memory.ts';
export { RedisStateStore } from '../state/redis.ts';
export type { RedisStateStoreOptions, RedisTlsOptions } from '../state/redis.ts';
export { UpstashStateStore } from '../state/upstash.ts';
export type { UpstashStateStoreOptions } from '../state/upstash.ts';
export { createStateStore, stateStoreFromEnv, STATE_SPEC_FORMS } from '../state/from-url.ts';
export type { StateStoreOptions } from '../state/from-url.ts';
export type { AbsorbedOffset } from '../dsp/snapshot.ts';

// Sinks
export type { OutputKind, OutputMessage, Sink } from '../sink/sink.ts';
export { Header } from '../sink/sink.ts';
export { MemorySink } from '../sink/memory.ts';
export { NdjsonSink } from '../sink/ndjson.ts';
export { KafkaSink, kafkaSink } from '../sink/kafka.ts';
export type { KafkaSinkOptions } from '../sink/kafka.ts';

// Kafka connections
export { connectionFromEnv, describeConnection, kafkaClientConfig, resolveBrokers } from '../kafka/connection.ts';
export type { KafkaConnectionOptions } from '../kafka/connection.ts';
export type { KafkaAuthMode } from '../kafka/auth.ts';

// Secrets kept in AWS (Secrets Manager, SSM), read once per container
export { fixedSecret, secretsManagerSecret, ssmParameter } from '../secrets/source.ts';
export type { SecretSource } from '../secrets/source.ts';

// DSP backends
export { jsBackend } from '../dsp/backend.ts';
export type { BackendName, DspBackend } from '../dsp/backend.ts';
export { resolveBackend } from '../dsp/native/loader.ts';

// Logging
export { jsonLogger } from '../logger/logger.ts';
export type { Logger, LogLevel } from '../logger/logger.ts';

// The runtime the environment describes
export { defaultRuntime } from '../handler/runtime.ts';
export type { Runtime } from '../handler/runtime.ts';
export { readEnv } from '../env/read-env.ts';
export { envSchema } from '../env/schema.ts';
export type { DspfnEnv, EnvName } from '../env/schema.ts';
