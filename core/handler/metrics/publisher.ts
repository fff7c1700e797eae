import type { BatchReport } from '../report.ts';
import { batchMetrics, emfLine, FUNCTION_DIMENSION, type MetricUnit } from './emf.ts';

/** Publishes the numbers of each successful batch. */
export interface MetricsPublisher {
  publish(report: BatchReport): void;
}

/**
 * What dspfn needs of a Powertools for AWS Lambda `Metrics` instance (structural, so Powertools is
 * not a dependency): it adds the function name as a dimension and the batch's metrics, then
 * flushes them as one EMF line under the instance's own namespace and service.
 */
export interface PowertoolsMetricsLike {
  addDimension(name: string, value: string): void;
  addMetric(name: string, unit: MetricUnit, value: number): void;
  publishStoredMetrics(): void;
}

/** EMF lines written with `write` (default: stdout, which Lambda sends to CloudWatch Logs). */
export function emfPublisher(write: (line: string) => void = (line) => process.stdout.write(line)): MetricsPublisher {
  return { publish: (report) => write(`${emfLine(report)}\n`) };
}

/** The batch's metrics through a Powertools `Metrics` instance, flushed once per batch. */
export function powertoolsPublisher(metrics: PowertoolsMetricsLike): MetricsPublisher {
  return {
    publish(report) {
      metrics.addDimension(FUNCTION_DIMENSION, report.functionName);
      for (const { name, unit, value } of batchMetrics(report)) metrics.addMetric(name, unit, value);
      metrics.publishStoredMetrics();
    },
  };
}

export function isPowertoolsMetrics(value: unknown): value is PowertoolsMetricsLike {
  const candidate = value as Partial<Record<keyof PowertoolsMetricsLike, unknown>> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.addMetric === 'function' &&
    typeof candidate.addDimension === 'function' &&
    typeof candidate.publishStoredMetrics === 'function'
  );
}

/** The definition's `metrics` option. */
export type MetricsOption = boolean | PowertoolsMetricsLike;

/**
 * Which publisher a function gets: none when the definition says `metrics: false` or
 * DSPFN_METRICS is off; the Powertools instance it was given; EMF lines on stdout when running on
 * Lambda (or when `metrics: true` / DSPFN_METRICS=on asks for them elsewhere).
 */
export function metricsPublisherFor(
  option: MetricsOption | undefined,
  env: { DSPFN_METRICS?: boolean | undefined; AWS_LAMBDA_FUNCTION_NAME?: string | undefined },
  write?: (line: string) => void,
): MetricsPublisher | undefined {
  if (option === false || env.DSPFN_METRICS === false) return undefined;
  if (isPowertoolsMetrics(option)) return powertoolsPublisher(option);
  if (option === true || env.DSPFN_METRICS === true || env.AWS_LAMBDA_FUNCTION_NAME) return emfPublisher(write);
  return undefined;
}
