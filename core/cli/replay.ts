import type { Writable } from 'node:stream';
import { ConfigError, ReplayFailedError, describeError } from '../errors.ts';
import type { DspfnHandler } from '../handler/define-function.ts';
import { jsonLogger, type LogLevel } from '../logger/logger.ts';
import type { BatchReport } from '../handler/process-batch.ts';
import type { Runtime } from '../handler/runtime.ts';
import { NdjsonSink } from '../sink/ndjson.ts';
import type { Sink } from '../sink/sink.ts';
import { MemoryStateStore } from '../state/memory.ts';
import type { StateStore } from '../state/store.ts';
import { lambdaContext } from '../testing/context.ts';
import { batchRecords, eventFor, MAX_BATCH_SIZE, MAX_BATCH_WINDOW_MS, type EventShape } from './batcher.ts';
import { progressBar } from './progress.ts';
import { readReplayFile, replayFileSize, type ReplayLine } from './replay-file.ts';
import { percentile } from './stats.ts';

export interface ReplayOptions {
  handler: DspfnHandler;
  events: string;
  /** NDJSON output file; stdout when absent. */
  out?: string;
  batchSize?: number;
  /** Batching window in ms, applied to the records' timestamps (see BatchOptions.windowMs). */
  batchWindowMs?: number;
  retries?: number;
  shape?: EventShape;
  bootstrapServers?: string;
  state?: StateStore;
  sink?: Sink;
  progress?: boolean;
  logLevel?: LogLevel;
  stdout?: Writable;
  /** Delay before retrying a failed batch, in ms. */
  retryDelayMs?: number;
}

export interface ReplaySummary {
  function: string;
  records: number;
  batches: number;
  samples: number;
  results: number;
  deadLetters: number;
  skipped: number;
  retries: number;
  elapsedMs: number;
  recordsPerSecond: number;
  samplesPerSecond: number;
  handlerP50Ms: number;
  handlerP99Ms: number;
}

function describeBatch(lines: readonly ReplayLine[]): string {
  const ranges = new Map<string, [number, number]>();
  for (const { record } of lines) {
    const id = `${record.topic}-${record.partition}`;
    const range = ranges.get(id);
    if (range) range[1] = record.offset;
    else ranges.set(id, [record.offset, record.offset]);
  }
  return [...ranges].map(([id, [from, to]]) => `${id}@${from}..${to}`).join(', ');
}

/**
 * Replays a recorded file through a function with the Lambda event source's batching: batches
 * in order, each retried up to `retries` times before the replay stops.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new ConfigError(`--batch-size must be 1..${MAX_BATCH_SIZE} (the event source's range), got ${batchSize}`);
  }
  const batchWindowMs = options.batchWindowMs;
  if (batchWindowMs !== undefined && !(batchWindowMs >= 0 && batchWindowMs <= MAX_BATCH_WINDOW_MS)) {
    throw new ConfigError(`--batch-window must be 0..${MAX_BATCH_WINDOW_MS} ms (the event source's 0–300 s), got ${batchWindowMs}`);
  }
  const retries = options.retries ?? 2;
  const sink = options.sink ?? new NdjsonSink(options.out ?? options.stdout ?? process.stdout);
  // Running totals, so the progress line after each batch costs the same on the 10,000th batch.
  const totals = { samples: 0, results: 0, deadLetters: 0, skipped: 0 };
  const runtime: Partial<Runtime> = {
    sink,
    state: options.state ?? new MemoryStateStore(),
    logger: jsonLogger({ function: options.handler.dspfn.definition.name }, options.logLevel ?? 'warn'),
    onBatch: (report: BatchReport) => {
      totals.samples += report.samples;
      totals.results += report.results;
      totals.deadLetters += report.deadLetters;
      totals.skipped += report.skipped;
    },
  };
  const handler = options.handler.dspfn.withRuntime(runtime);
  const functionName = options.handler.dspfn.definition.name;
  const totalBytes = replayFileSize(options.events);
  const progress = progressBar(totalBytes, options.progress ?? true);
  const durations: number[] = [];
  const counts = { records: 0, batches: 0, retries: 0, bytes: 0 };
  const started = performance.now();

  const summarize = (): ReplaySummary => {
    const elapsedMs = performance.now() - started;
    const samples = totals.samples;
    return {
      function: functionName,
      records: counts.records,
      batches: counts.batches,
      samples,
      results: totals.results,
      deadLetters: totals.deadLetters,
      skipped: totals.skipped,
      retries: counts.retries,
      elapsedMs,
      recordsPerSecond: counts.records / (elapsedMs / 1000),
      samplesPerSecond: samples / (elapsedMs / 1000),
      handlerP50Ms: percentile(durations, 50),
      handlerP99Ms: percentile(durations, 99),
    };
  };

  try {
    for await (const batch of batchRecords(readReplayFile(options.events), { batchSize, windowMs: batchWindowMs })) {
      const event = eventFor(batch.map((line) => line.record), options.shape ?? 'msk', options.bootstrapServers ?? '127.0.0.1:9092');
      for (let attempt = 0; ; attempt++) {
        const begin = performance.now();
        try {
          await handler(event, lambdaContext({ functionName }));
          durations.push(performance.now() - begin);
          break;
        } catch (error) {
          if (attempt >= retries) {
            throw new ReplayFailedError<ReplaySummary>(
              `batch ${counts.batches + 1} (${describeBatch(batch)}) failed ${attempt + 1} time(s), retries spent: ${describeError(error)}`,
              summarize(),
              error,
            );
          }
          counts.retries++;
          if (options.retryDelayMs) await new Promise((r) => setTimeout(r, options.retryDelayMs));
        }
      }
      counts.batches++;
      counts.records += batch.length;
      for (const line of batch) counts.bytes += line.bytes;
      progress.update(counts.bytes, { records: counts.records, batches: counts.batches, deadLetters: totals.deadLetters });
    }
  } finally {
    progress.stop();
    if (!options.sink) await sink.close();
  }
  return summarize();
}

export function formatSummary(summary: ReplaySummary, output?: string): string {
  const seconds = summary.elapsedMs / 1000;
  const rows: Array<[string, string]> = [
    ['function', summary.function],
    ['records', String(summary.records)],
    ['batches', String(summary.batches)],
    ['samples', String(summary.samples)],
    ['results', String(summary.results)],
    ['dead letters', String(summary.deadLetters)],
    ['skipped (already applied)', String(summary.skipped)],
    ['retries', String(summary.retries)],
    ['elapsed', `${seconds.toFixed(3)} s`],
    ['records/s', summary.recordsPerSecond.toFixed(0)],
    ['samples/s', summary.samplesPerSecond.toFixed(0)],
    ['handler p50', `${summary.handlerP50Ms.toFixed(2)} ms`],
    ['handler p99', `${summary.handlerP99Ms.toFixed(2)} ms`],
  ];
  if (output) rows.push(['output', output]);
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join('\n');
}
