import { getDefaultBackend, type DspBackend } from '../dsp/backend.ts';
import { ConfigError } from '../errors.ts';
import { NdjsonSink } from '../sink/ndjson.ts';
import type { Sink } from '../sink/sink.ts';
import { createStateStore } from '../state/from-url.ts';
import type { StateStore } from '../state/store.ts';
import type { BatchReport } from './process-batch.ts';
import { jsonLogger, type Logger } from './logger.ts';

/** The adapters a function runs with; swapped for in-process ones in tests and replays. */
export interface Runtime {
  state: StateStore;
  sink: Sink;
  backend: DspBackend;
  logger: Logger;
  /** Called after each successful batch (the replay harness counts with it). */
  onBatch?: (report: BatchReport) => void;
}

export type RuntimeFactory = (env: NodeJS.ProcessEnv) => Partial<Runtime>;
const factories: RuntimeFactory[] = [];

/** Adapter modules (Redis, Kafka) register how they read the environment. */
export function registerRuntimeFactory(factory: RuntimeFactory): void {
  factories.push(factory);
}

/**
 * The embedded defaults: state in memory, results as JSON lines on stdout, the native backend if
 * present. DSPFN_STATE selects a Redis or Upstash store; DSPFN_SINK other sinks once their modules
 * are registered.
 */
export function defaultRuntime(functionName: string, env: NodeJS.ProcessEnv = process.env): Runtime {
  const runtime: Partial<Runtime> = {};
  for (const factory of factories) Object.assign(runtime, factory(env));
  if (!runtime.state) {
    const ttl = env.DSPFN_STATE_TTL_SECONDS;
    if (ttl !== undefined && ttl !== '' && !(Number(ttl) > 0)) {
      throw new ConfigError(`DSPFN_STATE_TTL_SECONDS must be a positive number of seconds, got "${ttl}"`);
    }
    runtime.state = createStateStore(env.DSPFN_STATE, {
      ...(env.DSPFN_STATE_PREFIX ? { prefix: env.DSPFN_STATE_PREFIX } : {}),
      ...(ttl ? { ttlSeconds: Number(ttl) } : {}),
      env,
    });
  }
  if (!runtime.sink) {
    const sink = env.DSPFN_SINK ?? 'stdout';
    if (sink !== 'stdout') throw new ConfigError(`DSPFN_SINK="${sink}" is not available (supported here: stdout)`);
    runtime.sink = new NdjsonSink(process.stdout);
  }
  return {
    state: runtime.state,
    sink: runtime.sink,
    backend: runtime.backend ?? getDefaultBackend(),
    logger: runtime.logger ?? jsonLogger({ function: functionName }),
    ...(runtime.onBatch ? { onBatch: runtime.onBatch } : {}),
  };
}
