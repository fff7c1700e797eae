import type { DspBackend } from '../dsp/backend.ts';
import { describeBackend, resolveBackend } from '../dsp/native/loader.ts';
import { ConfigError, ReplayFailedError, describeError } from '../errors.ts';
import type { BatchReport } from '../handler/report.ts';
import type { Runtime } from '../handler/runtime.ts';
import { jsonLogger, type Logger, type LogLevel } from '../logger/logger.ts';
import { NdjsonSink } from '../sink/ndjson.ts';
import type { Sink } from '../sink/sink.ts';
import { MemoryStateStore } from '../state/memory.ts';
import type { StateStore } from '../state/store.ts';
import type { ReportCollector } from '../report/collector.ts';
import { cutBatches, recordTime } from './batch-cutter.ts';
import { settleBatch, type FailurePoint } from './batch-outcome.ts';
import { TICK_INTERVAL_MS, idleTimeoutOf, invokeBatch, invokeTick, type EventShape, type LocalFunction } from './lambda-event.ts';
import { checkRange, MAX_BATCH_SIZE, MAX_BATCH_WINDOW_MS } from './limits.ts';
import { onFailureMessages } from './on-failure.ts';
import { percentile } from './percentile.ts';
import { SetAsideCounts } from '../report/set-aside-counts.ts';
import { checkReplayFile, readReplayFile, replayFileSize, type ReplayLine, type ReplayRecord } from './replay-file.ts';

export interface ReplayOptions {
  handler: LocalFunction;
  /** Replay file: one Kafka record per line in the Lambda record shape. */
  events: string;
  /** Where the outputs go: an NDJSON file, or a sink (one of the two is required). */
  out?: string;
  sink?: Sink;
  /** Default 100 (the event source's default), at most 10,000. */
  batchSize?: number;
  /**
   * The batching window in ms on the records' own timestamps: a record stamped later than this
   * after a batch's first starts the next. Unset: batches fill up as from a backlog.
   */
  batchWindowMs?: number;
  /** Retries of a failed batch (its failure point) before its records are set aside; default 2. */
  retries?: number;
  /**
   * Topic for records whose retries are spent (sent through the sink, like the event source's
   * `kafka://` on-failure destination). Without it the replay stops there with ReplayFailedError.
   */
  onFailureTopic?: string;
  shape?: EventShape;
  /** The events' `bootstrapServers` (default 127.0.0.1:9092). */
  bootstrapServers?: string;
  state?: StateStore;
  /** The function's logs (default: JSON lines on stderr at `logLevel`). */
  logger?: Logger;
  logLevel?: LogLevel;
  /** Called after each batch: for a progress display. */
  onProgress?: (progress: ReplayProgress) => void;
  /** Delay before retrying a failed batch, in ms. */
  retryDelayMs?: number;
  /** DSP kernels; default: the native module when it loads (DSPFN_BACKEND, see resolveBackend). */
  backend?: DspBackend;
  /** Collects the signals, dead letters and late records for an HTML report (`--report`). */
  report?: ReportCollector;
}

export interface ReplayProgress {
  bytesRead: number;
  totalBytes: number;
  records: number;
  batches: number;
  deadLetters: number;
}

export interface ReplaySummary {
  function: string;
  /** The DSP kernels that ran: "native (avx2, @dspfn/linux-x64-gnu)" or "js (TypeScript kernels)". */
  backend: string;
  records: number;
  batches: number;
  samples: number;
  results: number;
  deadLetters: number;
  /** Dead letters by error code (DSPFN_DECODE, …). */
  deadLettersByCode: Record<string, number>;
  /** Windowed functions: records that fell into windows already closed (sent to the late topic). */
  late: number;
  /** Late records by reason (how far behind the watermark they were). */
  lateByReason: Record<string, number>;
  skipped: number;
  /** Records with no value the function skipped (its `tombstones` option). */
  tombstones: number;
  retries: number;
  /** Records set aside after their retries were spent (onFailureTopic). */
  onFailure: number;
  elapsedMs: number;
  recordsPerSecond: number;
  samplesPerSecond: number;
  handlerP50Ms: number;
  handlerP99Ms: number;
}

function describeBatch(records: readonly ReplayRecord[]): string {
  const ranges = new Map<string, [number, number]>();
  for (const record of records) {
    const id = `${record.topic}-${record.partition}`;
    const range = ranges.get(id);
    if (range) range[1] = record.offset;
    else ranges.set(id, [record.offset, record.offset]);
  }
  return [...ranges].map(([id, [from, to]]) => `${id}@${from}..${to}`).join(', ');
}

/**
 * Replays a recorded file through a function as the Lambda event source would deliver it: batches
 * cut on the records' timestamps (BatchCutter), one at a time, each answer settled by the same
 * rule as `consume` (settleBatch: batchItemFailures honoured, retries per failure point, then the
 * on-failure topic or a stop). Writes nothing to the terminal: progress goes to `onProgress`.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const batchSize = checkRange('--batch-size', options.batchSize ?? 100, 1, MAX_BATCH_SIZE);
  const windowMs = options.batchWindowMs === undefined ? Infinity : checkRange('--batch-window', options.batchWindowMs, 0, MAX_BATCH_WINDOW_MS);
  const retries = checkRange('--retries', options.retries ?? 2, 0, 10_000);
  if (options.sink === undefined && options.out === undefined) throw new ConfigError('replay needs an output: out (an NDJSON file) or sink');
  const output = options.sink ?? new NdjsonSink(options.out!);
  const setAside = new SetAsideCounts();
  const sink = setAside.sink(options.report ? options.report.sink(output) : output);
  const functionName = options.handler.dspfn.definition.name;
  // Running totals, so the progress after each batch costs the same on the 10,000th batch.
  const totals = { samples: 0, results: 0, deadLetters: 0, late: 0, skipped: 0, tombstones: 0 };
  const backend = options.backend ?? resolveBackend();
  // Windows' idle tick on the recorded clock: the records' timestamps stand for the wall clock, a
  // tick runs whenever that clock passed another minute, and a last one once the file is over and
  // idleTimeout has passed (what a partition that goes quiet gets), so every window is emitted.
  const idleTimeout = idleTimeoutOf(options.handler);
  let recorded = Number.NEGATIVE_INFINITY;
  let lastTick = Number.NEGATIVE_INFINITY;
  const runtime: Partial<Runtime> = {
    now: () => recorded,
    backend,
    sink,
    state: options.state ?? new MemoryStateStore(),
    logger: options.logger ?? jsonLogger({ function: functionName }, options.logLevel ?? 'warn'),
    ...(options.report ? { observe: options.report } : {}),
    onBatch: (report: BatchReport) => {
      options.report?.onBatch(report);
      setAside.onBatch(report);
      totals.samples += report.samples;
      totals.results += report.results;
      totals.deadLetters += report.deadLetters;
      totals.late += report.late ?? 0;
      totals.skipped += report.skipped;
      totals.tombstones += report.tombstones;
    },
  };
  const handler = options.handler.dspfn.withRuntime(runtime);
  const invocation = { functionName, shape: options.shape ?? 'msk', bootstrapServers: options.bootstrapServers ?? '127.0.0.1:9092' } as const;
  const totalBytes = replayFileSize(options.events);
  // The whole file is checked before its first record is delivered: a file that breaks Kafka's
  // order is refused with the line, not half applied.
  await checkReplayFile(options.events);
  const durations: number[] = [];
  const counts = { records: 0, batches: 0, retries: 0, bytes: 0, onFailure: 0 };
  const started = performance.now();

  const summarize = (): ReplaySummary => {
    const elapsedMs = performance.now() - started;
    return {
      function: functionName,
      backend: describeBackend(backend),
      records: counts.records,
      batches: counts.batches,
      samples: totals.samples,
      results: totals.results,
      deadLetters: totals.deadLetters,
      deadLettersByCode: Object.fromEntries(setAside.deadLetters),
      late: totals.late,
      lateByReason: Object.fromEntries(setAside.late),
      skipped: totals.skipped,
      tombstones: totals.tombstones,
      retries: counts.retries,
      onFailure: counts.onFailure,
      elapsedMs,
      recordsPerSecond: counts.records / (elapsedMs / 1000),
      samplesPerSecond: totals.samples / (elapsedMs / 1000),
      handlerP50Ms: percentile(durations, 50),
      handlerP99Ms: percentile(durations, 99),
    };
  };

  try {
    for await (const batch of cutBatches<ReplayLine>(readReplayFile(options.events), { batchSize, windowMs }, recordTime)) {
      let pending = batch.map((line) => line.record);
      let failure: FailurePoint | undefined;
      const first = pending[0]!.timestamp;
      if (lastTick === Number.NEGATIVE_INFINITY) lastTick = first;
      if (idleTimeout !== undefined && first - lastTick >= TICK_INTERVAL_MS) {
        recorded = first;
        lastTick = first;
        await invokeTick(handler, functionName);
      }
      for (const record of pending) recorded = Math.max(recorded, record.timestamp);
      for (;;) {
        const begin = performance.now();
        const outcome = await invokeBatch(handler, pending, invocation);
        const settled = settleBatch(outcome, pending, failure, retries);
        if (settled.failure === undefined) {
          durations.push(performance.now() - begin);
          break;
        }
        failure = settled.failure;
        if (settled.spent) {
          const attempts = settled.failure.attempts;
          if (options.onFailureTopic === undefined) {
            throw new ReplayFailedError<ReplaySummary>(
              `batch ${counts.batches + 1} (${describeBatch(settled.remaining)}) failed ${attempts} time(s), retries spent: ${describeError(settled.error)}`,
              summarize(),
              settled.error,
            );
          }
          await sink.send(onFailureMessages(options.onFailureTopic, settled.remaining, settled.error, attempts, functionName));
          counts.onFailure += settled.remaining.length;
          break;
        }
        counts.retries++;
        pending = settled.remaining;
        if (options.retryDelayMs) await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs));
      }
      counts.batches++;
      counts.records += batch.length;
      for (const line of batch) counts.bytes += line.bytes;
      options.onProgress?.({ bytesRead: counts.bytes, totalBytes, records: counts.records, batches: counts.batches, deadLetters: totals.deadLetters });
    }
    if (idleTimeout !== undefined && recorded > Number.NEGATIVE_INFINITY) {
      recorded += idleTimeout;
      await invokeTick(handler, functionName);
    }
  } finally {
    if (!options.sink) await sink.close();
  }
  return summarize();
}
