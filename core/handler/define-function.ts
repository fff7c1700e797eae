import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import { readEnv } from '../env/read-env.ts';
import type { DspfnEnv } from '../env/schema.ts';
import { describeError } from '../errors.ts';
import type { Context } from 'aws-lambda';
import type { KafkaEvent } from '../events/types.ts';
import { validateDefinition, type FunctionDefinition } from './definition.ts';
import { prepareFunction } from './prepare.ts';
import { processBatch, type KafkaItemFailure } from './process-batch.ts';
import { backendFromEnv, defaultRuntime, type Runtime } from './runtime.ts';
import { powertoolsLogger } from '../logger/powertools.ts';
import { metricsPublisherFor } from './metrics/publisher.ts';

export interface FunctionControl<M = unknown> {
  readonly definition: FunctionDefinition<M>;
  /** A new handler for the same function bound to other adapters (tests, replay, consume). */
  withRuntime(runtime: Partial<Runtime>): DspfnHandler<M>;
  /**
   * Creates the adapters now and has them load their clients and connect, so the first batch does
   * not: `await handler.dspfn.warm()` at the top level of the handler module runs it in Lambda's
   * init phase (provisioned concurrency and proactively initialized containers then serve their
   * first batch warm). A configuration error throws; a store or broker that cannot be reached is
   * logged as a warning and left to the first batch, which connects again. Outside Lambda
   * (AWS_LAMBDA_FUNCTION_NAME unset) the handler a module exports does nothing here: tests and the
   * CLI import that module but run it through withRuntime with their own adapters, and a
   * connection opened for nothing would keep their process alive.
   *
   * It waits at most `timeoutMs` (default 3,000): Lambda's init phase is limited to 10 s, and a
   * server that answers slowly is better left to the first batch, which then waits for the same
   * connection attempt.
   */
  warm(options?: { timeoutMs?: number }): Promise<void>;
}

/** What Lambda reads back for mappings that report batch item failures. */
export interface KafkaBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: KafkaItemFailure }>;
}

// The dspfn members come first so `.use()` resolves to the signature that keeps `dspfn`.
export type DspfnHandler<M = unknown> = {
  readonly dspfn: FunctionControl<M>;
  use(middlewares: DspfnMiddleware | DspfnMiddleware[]): DspfnHandler<M>;
} & MiddyfiedHandler<KafkaEvent, KafkaBatchResponse | void, Error, Context>;

export type DspfnMiddleware = MiddlewareObj<KafkaEvent, KafkaBatchResponse | void, Error, Context>;

/**
 * Declares a Kafka-triggered DSP function and returns its Lambda handler (a middy handler, so
 * middlewares can be added with `.use()`). Adapters are created on the first invocation and
 * reused by every invocation of a warm container.
 */
export function defineFunction<M = unknown>(definition: FunctionDefinition<M>): DspfnHandler<M> {
  validateDefinition(definition);
  // On Lambda the module loads at init: a bad DSPFN_* value fails the cold start there, naming the
  // variable, rather than every batch. Elsewhere (tests, the CLI) the handler is usually rebound
  // with its own adapters and the environment is read only if a default adapter is needed.
  // A missing or broken native module fails there too, with the fix in the init error.
  const env = readEnv(process.env, ['AWS_LAMBDA_FUNCTION_NAME']).AWS_LAMBDA_FUNCTION_NAME ? readEnv() : undefined;
  if (env) backendFromEnv(env);
  return bind(definition, undefined, [], env);
}

type Middleware = DspfnMiddleware;

type MetricsEnv = Pick<DspfnEnv, 'DSPFN_METRICS' | 'AWS_LAMBDA_FUNCTION_NAME'>;
let metricsEnvRead: { metrics: string | undefined; lambda: string | undefined; env: MetricsEnv } | undefined;

/**
 * The two variables metrics depend on, validated again only when their text changed: tests, replay
 * and consume bind a handler per run (or per batch), and validating costs more than a small batch.
 */
function metricsEnv(): MetricsEnv {
  const metrics = process.env.DSPFN_METRICS;
  const lambda = process.env.AWS_LAMBDA_FUNCTION_NAME;
  if (metricsEnvRead === undefined || metricsEnvRead.metrics !== metrics || metricsEnvRead.lambda !== lambda) {
    metricsEnvRead = { metrics, lambda, env: readEnv(process.env, ['DSPFN_METRICS', 'AWS_LAMBDA_FUNCTION_NAME']) };
  }
  return metricsEnvRead.env;
}

function bind<M>(
  definition: FunctionDefinition<M>,
  overrides: Partial<Runtime> | undefined,
  inherited: readonly Middleware[],
  env: DspfnEnv | undefined,
): DspfnHandler<M> {
  const prepared = prepareFunction(definition);
  let runtime: Runtime | undefined;
  const resolveRuntime = (): Runtime => {
    if (runtime) return runtime;
    const complete = overrides?.state && overrides.sink && overrides.backend && overrides.logger;
    const given = definition.logger && !overrides?.logger ? { ...overrides, logger: powertoolsLogger(definition.logger) } : overrides;
    // The environment is read once per handler, and only for the adapters the overrides leave out.
    const built = complete ? (overrides as Runtime) : { ...defaultRuntime(definition.name, env ?? readEnv(), given), ...given };
    const metrics =
      overrides && 'metrics' in overrides
        ? overrides.metrics
        : metricsPublisherFor(definition.metrics, env ?? metricsEnv());
    runtime = { ...built, ...(metrics ? { metrics } : {}) };
    return runtime;
  };
  const handler = middy<KafkaEvent, KafkaBatchResponse | void, Error, Context>().handler(async function dspfnBatch(event, context) {
    const active = resolveRuntime();
    const report = await processBatch(event, context, prepared, active);
    active.logger.log('info', 'batch processed', { ...report });
    try {
      active.metrics?.publish(report);
    } catch (error) {
      // The batch is produced and committed: failing it now would only make Lambda deliver it again.
      active.logger.log('warn', 'batch metrics not published', { error: describeError(error) });
    }
    active.onBatch?.(report);
    if (definition.reportBatchItemFailures) {
      return { batchItemFailures: report.itemFailures.map((itemIdentifier) => ({ itemIdentifier })) };
    }
    return undefined;
  });
  // Middlewares added with .use() are remembered so a handler rebound by withRuntime (tests, replay,
  // consume) runs them too.
  const middlewares: Middleware[] = [...inherited];
  for (const middleware of inherited) handler.use(middleware);
  const use = handler.use.bind(handler);
  handler.use = ((added: Middleware | Middleware[]) => {
    middlewares.push(...(Array.isArray(added) ? added : [added]));
    use(added);
    return dspfnHandler;
  }) as typeof handler.use;
  const control: FunctionControl<M> = {
    definition,
    withRuntime: (runtimeOverrides) => bind(definition, { ...overrides, ...runtimeOverrides }, middlewares, env),
    warm: async (options = {}) => {
      if (overrides === undefined && !readEnv(process.env, ['AWS_LAMBDA_FUNCTION_NAME']).AWS_LAMBDA_FUNCTION_NAME) return;
      const active = resolveRuntime();
      // A schema that does not load is a configuration error: it throws here, at init.
      await prepared.decoder.load();
      const timeoutMs = options.timeoutMs ?? 3_000;
      const adapters = [active.state, active.sink];
      const timedOut = Symbol('timed out');
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<typeof timedOut>((resolve) => {
        timer = setTimeout(() => resolve(timedOut), timeoutMs);
      });
      try {
        const outcomes = await Promise.all(
          adapters.map((adapter) =>
            Promise.race([Promise.resolve(adapter.warm?.()).then(() => undefined), deadline]).catch((error: unknown) => ({ error })),
          ),
        );
        outcomes.forEach((outcome, i) => {
          const adapter = adapters[i]!.name;
          if (outcome === timedOut) {
            active.logger.log('warn', `warm-up still running after ${timeoutMs} ms; the first batch waits for it`, { adapter });
          } else if (outcome !== undefined) {
            active.logger.log('warn', 'warm-up failed; the first batch connects again', { adapter, error: describeError(outcome.error) });
          }
        });
      } finally {
        clearTimeout(timer);
      }
    },
  };
  const dspfnHandler = Object.assign(handler, { dspfn: control }) as unknown as DspfnHandler<M>;
  return dspfnHandler;
}
