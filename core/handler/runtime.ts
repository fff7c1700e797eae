import type { DspBackend } from '../dsp/backend.ts';
import { resolveBackend } from '../dsp/native/loader.ts';
import { readEnv } from '../env/read-env.ts';
import type { DspfnEnv } from '../env/schema.ts';
import { connectionFromConfig } from '../kafka/connection.ts';
import { jsonLogger, type Logger, type LogLevel } from '../logger/logger.ts';
import { kafkaSink } from '../sink/kafka.ts';
import { NdjsonSink } from '../sink/ndjson.ts';
import type { Sink } from '../sink/sink.ts';
import { stateStoreFromEnv } from '../state/from-url.ts';
import type { StateStore } from '../state/store.ts';
import type { MetricsPublisher } from './metrics/publisher.ts';
import type { SignalObserver } from './observer.ts';
import type { BatchReport } from './process-batch.ts';

/** The adapters a function runs with; swapped for in-process ones in tests and replays. */
export interface Runtime {
  state: StateStore;
  sink: Sink;
  backend: DspBackend;
  logger: Logger;
  /** Publishes each successful batch's metrics (CloudWatch EMF on Lambda); none when absent. */
  metrics?: MetricsPublisher;
  /** Sees each applied record's input and output samples (`dspfn replay --report`). */
  observe?: SignalObserver;
  /** Called after each successful batch (the replay harness counts with it). */
  onBatch?: (report: BatchReport) => void;
  /** Wall-clock epoch milliseconds, for windows' idle timeout; Date.now by default. */
  now?: () => number;
}

/**
 * The adapters the environment names, built only for what `provided` leaves out (a test's sink
 * must not open stdout): DSPFN_STATE (memory by default), DSPFN_SINK (stdout by default, or
 * kafka), the native backend when its module loads, JSON logs at DSPFN_LOG_LEVEL.
 */
export function defaultRuntime(functionName: string, env: DspfnEnv = readEnv(), provided: Partial<Runtime> = {}): Runtime {
  const level: LogLevel = env.DSPFN_LOG_LEVEL ?? 'info';
  return {
    state: provided.state ?? stateStoreFromEnv(env),
    sink: provided.sink ?? sinkFromEnv(env, level),
    backend: provided.backend ?? backendFromEnv(env),
    logger: provided.logger ?? jsonLogger({ function: functionName }, level),
    ...(provided.onBatch ? { onBatch: provided.onBatch } : {}),
    ...(provided.now ? { now: provided.now } : {}),
    ...(provided.metrics ? { metrics: provided.metrics } : {}),
    ...(provided.observe ? { observe: provided.observe } : {}),
  };
}

/**
 * DSPFN_BACKEND: the native kernels when their module loads (required on Lambda), else the
 * TypeScript reference (see resolveBackend).
 */
export function backendFromEnv(env: DspfnEnv): DspBackend {
  return resolveBackend({ DSPFN_BACKEND: env.DSPFN_BACKEND, AWS_LAMBDA_FUNCTION_NAME: env.AWS_LAMBDA_FUNCTION_NAME });
}

/** DSPFN_SINK: results as JSON lines on stdout (CloudWatch on Lambda), or to Kafka. */
export function sinkFromEnv(env: DspfnEnv, level: LogLevel = env.DSPFN_LOG_LEVEL ?? 'info'): Sink {
  if (env.DSPFN_SINK === 'kafka') {
    const compression = env.DSPFN_KAFKA_COMPRESSION ? { compression: env.DSPFN_KAFKA_COMPRESSION } : {};
    return kafkaSink({ ...connectionFromConfig(env), ...compression, logger: jsonLogger({ component: 'kafka-sink' }, level) });
  }
  return new NdjsonSink(process.stdout);
}
