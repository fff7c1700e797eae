import { ErrorCode } from '../errors.ts';
import type { BatchSource, OutputKind, OutputMessage, Sink } from '../sink/sink.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { codeOf, SetAsideCounts } from '../report/set-aside-counts.ts';

/** What the sink acknowledged, by kind; late records apart; dead letters by code (setAside). */
export interface ProducedCounts {
  produced: Record<OutputKind, number>;
  late: number;
  readonly setAside: SetAsideCounts;
}

/**
 * `sink`, counting what it acknowledged into `counts` (consume's counters, or a consume thread's
 * until its batch answers). Closing it leaves `sink` open: its owner closes that.
 */
export function countingSink(sink: Sink, counts: ProducedCounts): Sink {
  return {
    name: sink.name,
    releasesValues: sink.releasesValues === true,
    async send(messages: readonly OutputMessage[], source?: BatchSource) {
      await sink.send(messages, source);
      // Indexed: this runs once a batch, mostly before V8 optimises it, where for-of makes an object per message.
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]!;
        counts.produced[message.kind]++;
        if (message.kind === 'dead-letter' && codeOf(message) === ErrorCode.Late) counts.late++;
        counts.setAside.note(message);
      }
    },
    close: async () => {},
  };
}

export interface ConsumeStats {
  function: string;
  groupId: string;
  topics: string[];
  /** Partitions this consumer owns now ("topic-partition"). */
  assigned: string[];
  /** Records the function processed successfully. */
  consumed: number;
  /** Successful invocations. */
  batches: number;
  samples: number;
  /** Messages acknowledged by the sink, by kind. */
  produced: number;
  results: number;
  logs: number;
  /** Records the function dead-lettered (its dead-letter topic). */
  deadLetters: number;
  /** Dead letters by error code. */
  deadLettersByCode: Record<string, number>;
  /** Windowed functions: records sent to the late topic (their windows had closed). */
  late: number;
  /** Late records by reason (how far behind the watermark they were). */
  lateByReason: Record<string, number>;
  /** Records sent to the on-failure destination after their retries were spent. */
  onFailure: number;
  /** Records skipped without a destination after their retries were spent. */
  dropped: number;
  /** Failed invocations (each retry counts). */
  errors: number;
  /** Invocations answered with batchItemFailures. */
  partialFailures: number;
  commitErrors: number;
  /** Times a partition's fetching was paused because its buffer was full (backpressure). */
  pauses: number;
  /** Next offset to consume per "topic-partition", as the broker took it from this consumer. */
  committed: Record<string, number>;
  /**
   * Next offset per "topic-partition" of records processed whose commit the broker has not taken
   * yet (retried until it does); empty when every processed record is committed.
   */
  uncommitted: Record<string, number>;
  /** End offset minus the group's committed offset per "topic-partition" (all of the group's partitions). */
  lag: Record<string, number>;
  totalLag: number;
  /** Record timestamp to results acknowledged, ms. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  /**
   * Where that latency goes, stage by stage: record timestamp to fetched by this consumer (the
   * producer's send, the broker, the fetch), ms.
   */
  fetchedP50Ms: number;
  fetchedP99Ms: number;
  /** Fetched to its batch's invocation (waiting for the partition's batch in flight, or the window), ms. */
  queuedP50Ms: number;
  queuedP99Ms: number;
  /** Duration of the function's invocations (a batch each), ms. */
  handlerP50Ms: number;
  handlerP99Ms: number;
  elapsedMs: number;
  recordsPerSecond: number;
  samplesPerSecond: number;
  lastError?: string;
}

/**
 * Each record's age at `now`, counted once per run of equal timestamps: a producer stamps the
 * records of one send alike, so a fetched batch is a few runs (one bucket lookup each, not one per record).
 */
function recordAges(histogram: LatencyHistogram, records: readonly { timestamp: number }[], now: number): void {
  const n = records.length;
  let i = 0;
  while (i < n) {
    const timestamp = records[i]!.timestamp;
    let j = i + 1;
    while (j < n && records[j]!.timestamp === timestamp) j++;
    histogram.record(now - timestamp, j - i);
    i = j;
  }
}

/** Counters of one consume run; `snapshot()` is what `stats()` returns. */
export class ConsumeCounters implements ProducedCounts {
  consumed = 0;
  batches = 0;
  samples = 0;
  produced: Record<OutputKind, number> = { result: 0, log: 0, 'dead-letter': 0 };
  /** Of the dead-letter kind, the late records (to the late topic). */
  late = 0;
  readonly setAside = new SetAsideCounts();
  onFailure = 0;
  dropped = 0;
  errors = 0;
  partialFailures = 0;
  commitErrors = 0;
  pauses = 0;
  lastError: string | undefined;
  readonly committed = new Map<string, number>();
  readonly uncommitted = new Map<string, number>();
  lag = new Map<string, number>();
  assigned: string[] = [];
  private readonly latencies = new LatencyHistogram();
  private readonly fetched = new LatencyHistogram();
  private readonly queued = new LatencyHistogram();
  /** Invocation durations in microseconds (the histogram is exact to the unit below 1,024). */
  private readonly handlerMicros = new LatencyHistogram();
  private readonly started = performance.now();

  constructor(
    private readonly functionName: string,
    private readonly groupId: string,
    private readonly topics: readonly string[],
  ) {}

  /** Fixed memory and O(1) per record however long the run (see LatencyHistogram). */
  recordLatencies(records: readonly { timestamp: number }[], now = Date.now()): void {
    recordAges(this.latencies, records, now);
  }

  /** How old the records were when this consumer fetched them. */
  recordFetched(records: readonly { timestamp: number }[], now = Date.now()): void {
    recordAges(this.fetched, records, now);
  }

  /** How long `records` records (default one) waited between being fetched and their batch's start, ms. */
  recordQueued(ms: number, records = 1): void {
    this.queued.record(ms, records);
  }

  /** One invocation's duration in ms, resolved to the microsecond. */
  recordHandler(ms: number): void {
    this.handlerMicros.record(ms * 1000);
  }

  snapshot(): ConsumeStats {
    const elapsedMs = performance.now() - this.started;
    const seconds = elapsedMs / 1000;
    const produced = this.produced.result + this.produced.log + this.produced['dead-letter'] + this.onFailure;
    const stats: ConsumeStats = {
      function: this.functionName,
      groupId: this.groupId,
      topics: [...this.topics],
      assigned: [...this.assigned],
      consumed: this.consumed,
      batches: this.batches,
      samples: this.samples,
      produced,
      results: this.produced.result,
      logs: this.produced.log,
      deadLetters: this.produced['dead-letter'] - this.late,
      deadLettersByCode: Object.fromEntries(this.setAside.deadLetters),
      late: this.late,
      lateByReason: Object.fromEntries(this.setAside.late),
      onFailure: this.onFailure,
      dropped: this.dropped,
      errors: this.errors,
      partialFailures: this.partialFailures,
      commitErrors: this.commitErrors,
      pauses: this.pauses,
      committed: Object.fromEntries(this.committed),
      uncommitted: Object.fromEntries(this.uncommitted),
      lag: Object.fromEntries(this.lag),
      totalLag: [...this.lag.values()].reduce((a, b) => a + b, 0),
      latencyP50Ms: this.latencies.percentile(50),
      latencyP99Ms: this.latencies.percentile(99),
      fetchedP50Ms: this.fetched.percentile(50),
      fetchedP99Ms: this.fetched.percentile(99),
      queuedP50Ms: this.queued.percentile(50),
      queuedP99Ms: this.queued.percentile(99),
      handlerP50Ms: this.handlerMicros.percentile(50) / 1000,
      handlerP99Ms: this.handlerMicros.percentile(99) / 1000,
      elapsedMs,
      recordsPerSecond: seconds > 0 ? this.consumed / seconds : 0,
      samplesPerSecond: seconds > 0 ? this.samples / seconds : 0,
    };
    if (this.lastError) stats.lastError = this.lastError;
    return stats;
  }
}
