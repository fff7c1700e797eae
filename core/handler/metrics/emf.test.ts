import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchReport } from '../report.ts';
import { powertoolsLogger, type PowertoolsLoggerLike } from '../../logger/powertools.ts';
import { registerSecret } from '../../secrets/redact.ts';
import { emfLine } from './emf.ts';
import { emfPublisher, metricsPublisherFor, type PowertoolsMetricsLike } from './publisher.ts';

const UNITS = new Set(['Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None']);

/**
 * The Embedded Metric Format's rules (CloudWatch "Specification: Embedded metric format"): a JSON
 * object whose `_aws` member holds a numeric Timestamp and CloudWatchMetrics directives; each names
 * a Namespace, dimension sets (at most 30 names each) whose names are string members of the root,
 * and at most 100 metric definitions (Name, a valid Unit) whose names are numeric members of the
 * root. Returns the metrics as name → [unit, value], and the dimensions' values.
 */
function parseEmf(line: string): { namespace: string; dimensions: Record<string, string>; metrics: Record<string, [string, number]> } {
  expect(line.endsWith('\n') ? line.slice(0, -1) : line).not.toContain('\n');
  const root = JSON.parse(line) as Record<string, unknown>;
  expect(Object.keys(root).filter((k) => k === '_aws')).toHaveLength(1);
  const aws = root._aws as { Timestamp: unknown; CloudWatchMetrics: unknown };
  expect(Number.isInteger(aws.Timestamp)).toBe(true);
  expect(Array.isArray(aws.CloudWatchMetrics)).toBe(true);
  const directives = aws.CloudWatchMetrics as Array<{ Namespace: unknown; Dimensions: unknown; Metrics: unknown }>;
  expect(directives).toHaveLength(1);
  const [directive] = directives;
  expect(typeof directive!.Namespace).toBe('string');
  expect((directive!.Namespace as string).length).toBeGreaterThan(0);
  const dimensions: Record<string, string> = {};
  for (const set of directive!.Dimensions as string[][]) {
    expect(set.length).toBeLessThanOrEqual(30);
    for (const name of set) {
      expect(typeof root[name]).toBe('string');
      dimensions[name] = root[name] as string;
    }
  }
  const definitions = directive!.Metrics as Array<{ Name: string; Unit?: string }>;
  expect(definitions.length).toBeGreaterThan(0);
  expect(definitions.length).toBeLessThanOrEqual(100);
  const metrics: Record<string, [string, number]> = {};
  for (const { Name, Unit } of definitions) {
    expect(Name.length).toBeGreaterThan(0);
    expect(UNITS.has(Unit ?? 'None')).toBe(true);
    const value = root[Name];
    expect(typeof value === 'number' && Number.isFinite(value)).toBe(true);
    metrics[Name] = [Unit ?? 'None', value as number];
  }
  return { namespace: directive!.Namespace as string, dimensions, metrics };
}

function report(overrides: Partial<BatchReport> = {}): BatchReport {
  return {
    functionName: 'sensor-rms',
    requestId: 'req-1',
    records: 120,
    keys: 4,
    samples: 7_680,
    results: 117,
    deadLetters: 2,
    applied: 117,
    skipped: 0,
    tombstones: 1,
    committed: 4,
    duplicates: 1,
    conflicts: 3,
    itemFailures: [],
    timings: { decode: 0.5, load: 1.25, process: 3, produce: 4.5, commit: 2.0625, total: 11.3125 },
    ...overrides,
  };
}

afterEach(() => vi.restoreAllMocks());

describe('emfLine', () => {
  it('declares every batch metric with its unit under namespace dspfn, dimension FunctionName', () => {
    const parsed = parseEmf(emfLine(report(), 1_765_000_000_000));
    expect(parsed.namespace).toBe('dspfn');
    expect(parsed.dimensions).toEqual({ FunctionName: 'sensor-rms' });
    expect(parsed.metrics).toEqual({
      Records: ['Count', 120],
      Samples: ['Count', 7_680],
      Results: ['Count', 117],
      DeadLetters: ['Count', 2],
      LateRecords: ['Count', 0],
      Duplicates: ['Count', 1],
      Conflicts: ['Count', 3],
      BatchDuration: ['Milliseconds', 11.313],
      StateLoad: ['Milliseconds', 1.25],
      StateCommit: ['Milliseconds', 2.063],
      Produce: ['Milliseconds', 4.5],
    });
    expect(JSON.parse(emfLine(report(), 5))._aws.Timestamp).toBe(5);
  });

  it('reports late records when the batch counted them', () => {
    expect(parseEmf(emfLine(report({ late: 9 }))).metrics.LateRecords).toEqual(['Count', 9]);
  });

  it('is written as one line per batch by the EMF publisher', () => {
    const lines: string[] = [];
    const publisher = emfPublisher((line) => lines.push(line));
    publisher.publish(report());
    publisher.publish(report({ records: 3 }));
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.endsWith('}\n'))).toBe(true);
    expect(parseEmf(lines[1]!).metrics.Records).toEqual(['Count', 3]);
  });
});

describe('metricsPublisherFor', () => {
  it('is on by default on Lambda, off elsewhere, and off when the option or DSPFN_METRICS says so', () => {
    const lambda = { AWS_LAMBDA_FUNCTION_NAME: 'fn' };
    expect(metricsPublisherFor(undefined, lambda)).toBeDefined();
    expect(metricsPublisherFor(undefined, {})).toBeUndefined();
    expect(metricsPublisherFor(true, {})).toBeDefined();
    expect(metricsPublisherFor(undefined, { DSPFN_METRICS: true })).toBeDefined();
    expect(metricsPublisherFor(false, lambda)).toBeUndefined();
    expect(metricsPublisherFor(undefined, { ...lambda, DSPFN_METRICS: false })).toBeUndefined();
    expect(metricsPublisherFor(true, { DSPFN_METRICS: false })).toBeUndefined();
  });
});

describe('Powertools for AWS Lambda', () => {
  it('publishes through a Powertools Metrics instance: one EMF line per batch in its namespace', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const metrics: PowertoolsMetricsLike = new Metrics({ namespace: 'acme', serviceName: 'sensors' });
    const publisher = metricsPublisherFor(metrics, {});
    publisher!.publish(report());
    publisher!.publish(report({ records: 7 }));
    vi.restoreAllMocks();
    const emf = lines.filter((line) => line.includes('"_aws"'));
    expect(emf).toHaveLength(2);
    const first = parseEmf(emf[0]!);
    expect(first.namespace).toBe('acme');
    expect(first.dimensions).toMatchObject({ FunctionName: 'sensor-rms', service: 'sensors' });
    expect(first.metrics.Records).toEqual(['Count', 120]);
    expect(first.metrics.BatchDuration).toEqual(['Milliseconds', 11.313]);
    expect(parseEmf(emf[1]!).metrics.Records).toEqual(['Count', 7]);
    expect(Object.keys(first.metrics)).toHaveLength(11);
  });

  it('logs through a Powertools Logger, with secrets scrubbed', () => {
    const lines: string[] = [];
    // Powertools writes warnings and errors to stderr, the rest to stdout.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
    }
    const powertools: PowertoolsLoggerLike = new Logger({ serviceName: 'sensors', logLevel: 'DEBUG' });
    registerSecret('hunter2-secret-value');
    const logger = powertoolsLogger(powertools);
    logger.log('warn', 'state reset', { key: 'k1', reason: 'password hunter2-secret-value refused' });
    logger.log('debug', 'detail');
    vi.restoreAllMocks();
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ level: 'WARN', message: 'state reset', service: 'sensors', key: 'k1', reason: 'password [redacted] refused' });
    expect(entries[1]).toMatchObject({ level: 'DEBUG', message: 'detail' });
  });
});
