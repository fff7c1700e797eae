import type { BatchReport } from '../report.ts';

/** The namespace dspfn's metrics are published under. */
export const METRICS_NAMESPACE = 'dspfn';
/** The one dimension of every metric: the function's name. */
export const FUNCTION_DIMENSION = 'FunctionName';

export type MetricUnit = 'Count' | 'Milliseconds';

export interface BatchMetric {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly value: number;
}

/**
 * The numbers of one batch, in the order they are declared. Conflicts are the keys reported as
 * batch item failures (a conflict without `reportBatchItemFailures` fails the batch, which then has
 * no report); LateRecords are 0 for a function without windows.
 */
export function batchMetrics(report: BatchReport): BatchMetric[] {
  const count = (name: string, value: number | undefined): BatchMetric => ({ name, unit: 'Count', value: value ?? 0 });
  const ms = (name: string, value: number): BatchMetric => ({ name, unit: 'Milliseconds', value: Math.round(value * 1000) / 1000 });
  return [
    count('Records', report.records),
    count('Samples', report.samples),
    count('Results', report.results),
    count('DeadLetters', report.deadLetters),
    count('LateRecords', report.late),
    count('Duplicates', report.duplicates),
    count('Conflicts', report.conflicts),
    ms('BatchDuration', report.timings.total),
    ms('StateLoad', report.timings.load),
    ms('StateCommit', report.timings.commit),
    ms('Produce', report.timings.produce),
  ];
}

/**
 * One CloudWatch Embedded Metric Format line for a batch: the `_aws` block declares the metrics
 * (name and unit) under namespace `dspfn` with the function name as dimension, and the values sit
 * beside it as top-level members, as the format requires. The request id rides along as a plain
 * property (searchable in Logs Insights, not a dimension: one per invocation would be a metric
 * each).
 */
export function emfLine(report: BatchReport, timestamp: number = Date.now()): string {
  const metrics = batchMetrics(report);
  const document: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [[FUNCTION_DIMENSION]],
          Metrics: metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    [FUNCTION_DIMENSION]: report.functionName,
    requestId: report.requestId,
  };
  for (const { name, value } of metrics) document[name] = value;
  return JSON.stringify(document);
}
