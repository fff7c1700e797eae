import { describe, expect, it } from 'vitest';
import { jsBackend } from '../dsp/backend.ts';
import { readEnv } from '../env/read-env.ts';
import { ConfigError } from '../errors.ts';
import { KafkaSink } from '../sink/kafka.ts';
import { MemorySink } from '../sink/memory.ts';
import { NdjsonSink } from '../sink/ndjson.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { RedisStateStore } from '../state/redis.ts';
import { defaultRuntime } from './runtime.ts';

describe('defaultRuntime', () => {
  it('builds memory state and stdout results when the environment names nothing', async () => {
    const runtime = defaultRuntime('fn', readEnv({}));
    expect(runtime.state).toBeInstanceOf(MemoryStateStore);
    expect(runtime.sink).toBeInstanceOf(NdjsonSink);
  });

  it('is the Kafka sink when DSPFN_SINK=kafka, configured from the environment', () => {
    const runtime = defaultRuntime('fn', readEnv({ DSPFN_SINK: 'kafka', DSPFN_KAFKA_BROKERS: '127.0.0.1:9' }));
    expect(runtime.sink).toBeInstanceOf(KafkaSink);
    expect(() => defaultRuntime('fn', readEnv({ DSPFN_SINK: 'kafka', DSPFN_KAFKA_AUTH: 'scram-sha-512', DSPFN_KAFKA_USERNAME: 'u' }))).toThrow(
      'Kafka auth "scram-sha-512" needs a password (DSPFN_KAFKA_PASSWORD)',
    );
  });

  it('takes the store DSPFN_STATE names, with its prefix and TTL', async () => {
    const runtime = defaultRuntime('fn', readEnv({ DSPFN_STATE: 'redis://127.0.0.1:9', DSPFN_STATE_PREFIX: 'p:', DSPFN_STATE_TTL_SECONDS: '60' }));
    expect(runtime.state).toBeInstanceOf(RedisStateStore);
    await runtime.state.close();
    expect(() => defaultRuntime('fn', readEnv({ DSPFN_STATE: 'dynamodb://x' }))).toThrow(ConfigError);
  });

  it('builds only what is not provided', () => {
    const sink = new MemorySink();
    const state = new MemoryStateStore();
    // An invalid state spec is never read when a store is provided.
    const runtime = defaultRuntime('fn', readEnv({ DSPFN_STATE: 'dynamodb://x', DSPFN_SINK: 'kafka' }), { sink, state, backend: jsBackend });
    expect(runtime.sink).toBe(sink);
    expect(runtime.state).toBe(state);
    expect(runtime.backend).toBe(jsBackend);
  });
});
