/** Milliseconds per step of a batch. */
export interface BatchTimings {
  decode: number;
  load: number;
  process: number;
  produce: number;
  commit: number;
  total: number;
}

/** A Kafka batch item identifier as Lambda expects it: `{ partition: "topic-0", offset }`. */
export interface KafkaItemFailure {
  partition: string;
  offset: number;
}

/** What one batch did: logged as one line, handed to `onBatch`, sent to `logTopic`. */
export interface BatchReport {
  functionName: string;
  requestId: string;
  records: number;
  keys: number;
  samples: number;
  results: number;
  deadLetters: number;
  /**
   * Records applied to their key's state by this delivery. Every record of a batch is applied,
   * skipped (already applied), dead-lettered or a skipped tombstone: the four add up to `records`.
   */
  applied: number;
  /** Records already applied by an earlier delivery of the same offsets. */
  skipped: number;
  /** Records with no value that the function skips (`tombstones: 'skip'`). */
  tombstones: number;
  /**
   * With `window`: records that fell into windows already closed (sent to the late topic, not
   * applied; with them applied + skipped + deadLetters + late + tombstones = records, except that a
   * window whose output fails adds a dead letter of the record that closed it, itself applied).
   */
  late?: number;
  /** With `window`: windows closed by this batch (each one result). */
  windowsClosed?: number;
  committed: number;
  /** Keys the store already held at these offsets (a redelivered batch). */
  duplicates: number;
  /**
   * Keys another writer moved since they were loaded, reported as batch item failures (without
   * `reportBatchItemFailures` a conflict fails the batch instead).
   */
  conflicts: number;
  /** With `window`: the late records by reason (how far behind the watermark their event time was). */
  lateByReason?: Record<string, number>;
  /**
   * With `reportBatchItemFailures`: per partition, the first offset whose key could not be
   * committed. The event source redelivers from there; the offset fence skips what was applied.
   */
  itemFailures: KafkaItemFailure[];
  /** Milliseconds per step. */
  timings: BatchTimings;
}

/** Measures the steps of a batch one after the other. */
export class Stopwatch {
  private readonly started = performance.now();
  private last = this.started;

  /** Milliseconds since the previous lap (or the start). */
  lap(): number {
    const now = performance.now();
    const ms = now - this.last;
    this.last = now;
    return ms;
  }

  total(): number {
    return this.last - this.started;
  }
}
