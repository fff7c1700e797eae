/**
 * `dspfn/adapters`: state stores, sinks and Kafka connection settings, for users who wire a
 * function's runtime themselves (tests, custom runners) instead of through DSPFN_* variables.
 */
export type { StateStore, StateEntry, StoredState, CommitResult, CommitStatus } from '../state/store.ts';
export { MemoryStateStore } from '../state/memory.ts';
export { createStateStore, STATE_SPEC_FORMS } from '../state/from-url.ts';
export type { StateStoreOptions } from '../state/from-url.ts';
export { UpstashStateStore } from '../state/upstash.ts';
export type { UpstashStateStoreOptions } from '../state/upstash.ts';
export { RedisStateStore } from '../state/redis.ts';
export type { RedisStateStoreOptions } from '../state/redis.ts';
export type { Sink, OutputMessage, OutputKind } from '../sink/sink.ts';
export { Header } from '../sink/sink.ts';
export { MemorySink } from '../sink/memory.ts';
export { NdjsonSink } from '../sink/ndjson.ts';
export { KafkaSink, kafkaSink } from '../sink/kafka.ts';
export type { KafkaSinkOptions } from '../sink/kafka.ts';
export { connectionFromEnv, describeConnection, kafkaClientConfig, resolveBrokers } from '../kafka/connection.ts';
export type { KafkaConnectionOptions } from '../kafka/connection.ts';
export type { KafkaAuthMode } from '../kafka/auth.ts';
export type { RedisTlsOptions } from '../state/redis.ts';
export { secretsManagerSecret, ssmParameter, fixedSecret } from '../secrets/source.ts';
export type { SecretSource } from '../secrets/source.ts';
