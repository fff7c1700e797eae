import { Kafka, type Admin, type Consumer } from 'kafkajs';
import { ConfigError, ConsumeFailedError, describeError } from '../errors.ts';
import { checkCompression, type Compression } from '../kafka/compression.ts';
import { fastFetchSocketFactory } from '../kafka/kafkajs-fetch.ts';
import { connectionFromConfig, kafkaClientConfig, kafkaConnectError, KAFKA_ENV, resolveBrokers, type KafkaConnectionOptions, type KafkaEnv } from '../kafka/connection.ts';
import { readEnv } from '../env/read-env.ts';
import { jsonLogger, type Logger, type LogLevel } from '../logger/logger.ts';
import { KafkaSink } from '../sink/kafka.ts';
import type { Sink } from '../sink/sink.ts';
import { MemoryStateStore } from '../state/memory.ts';
import type { StateStore } from '../state/store.ts';
import type { ReportCollector } from '../report/collector.ts';
import { ConsumeCounters, countingSink, type ConsumeStats } from './consume-stats.ts';
import { fetchedRecord } from './kafka-records.ts';
import { TICK_INTERVAL_MS, idleTimeoutOf, invokeInProcess, invokeTick, type EventShape, type LocalFunction } from './lambda-event.ts';
import { checkRange, defaultMaxBufferedRecords, MAX_BATCH_SIZE, MAX_BATCH_WINDOW_MS, MAX_THREADS } from './limits.ts';
import { onFailureMessages, parseOnFailure } from './on-failure.ts';
import { OffsetCommits } from './offset-commits.ts';
import { PartitionWorker } from './partition-worker.ts';
import { ConsumeThreads } from './consume-threads.ts';
import type { ThreadCounts, ThreadSettings } from './thread-protocol.ts';
import type { KafkaRecord } from '../events/types.ts';
import type { BatchReport } from '../handler/report.ts';

/** A function made by defineFunction, or anything bound the same way (its answer may carry batchItemFailures). */
export type ConsumableFunction = LocalFunction;

export interface ConsumeOptions {
  handler: ConsumableFunction;
  topic: string | readonly string[];
  /** `host:port` list; else DSPFN_KAFKA_BROKERS / DSPFN_MSK_CLUSTER_ARN (auth from the environment too). */
  brokers?: string | readonly string[];
  connection?: KafkaConnectionOptions;
  /** The DSPFN_KAFKA_* settings, already read (default: read from process.env). */
  env?: KafkaEnv;
  /** Consumer group; default `dspfn-<function name>`. An existing group resumes from its commits. */
  groupId?: string;
  /** Default 100, at most 10,000 (the event source's range). */
  batchSize?: number;
  /** Batching window, ms; default 500 (the Kafka event source default). */
  batchWindowMs?: number;
  /** A new group starts at the earliest offset (TRIM_HORIZON) instead of the end (LATEST). */
  fromBeginning?: boolean;
  /** Retries of a failed batch; -1 (default) retries forever, or 10 times with an on-failure destination. */
  maxRetries?: number;
  /** `kafka://topic`: where records go once their retries are spent. */
  onFailure?: string;
  shape?: EventShape;
  state?: StateStore;
  /** Outputs; a KafkaSink on the same cluster by default. */
  sink?: Sink;
  /**
   * Record batch compression of that default KafkaSink: none, gzip, lz4 or zstd (Node >= 22.15);
   * default DSPFN_KAFKA_COMPRESSION, else none. Ignored with `sink`.
   */
  compression?: Compression;
  logLevel?: LogLevel;
  logger?: Logger;
  /** Called every `statsIntervalMs` with the counters (the CLI draws its status line from it). */
  onStats?: (stats: ConsumeStats) => void;
  /** First retry delay, doubled per attempt up to 10 s (default 100 ms). */
  retryDelayMs?: number;
  /**
   * Per partition; fetching pauses once this many records are buffered (default 4 × batch size, at
   * least 4,000: see defaultMaxBufferedRecords). The fetch that crosses it is kept whole, so up to
   * one fetch (2 MB) more.
   */
  maxBufferedRecords?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How often the lag is refreshed and onStats called (default 1 s). */
  statsIntervalMs?: number;
  /** Windowed functions with an idleTimeout: how often the idle tick runs (default 60 s, as deployed). */
  tickIntervalMs?: number;
  /** Collects the signals, dead letters and late records for an HTML report (`--report`). */
  report?: ReportCollector;
  /**
   * Threads the invocations run on (default 1: in this thread). With more, each hosts the function
   * and a partition's batches always go to the same one; fetching, batching, retries, offset commits
   * and the state store stay here (every thread's state goes through it, so fencing is the store's as
   * in-process and memory state is shared). Lambda runs partitions' batches concurrently too.
   */
  threads?: number;
  /** The module `handler` was loaded from (the CLI passes it): what each thread loads. Needed with threads > 1. */
  functionModule?: string;
}

export interface ConsumeController {
  readonly groupId: string;
  /**
   * Resolves once the group has assigned this consumer its partitions (possibly none) and it knows
   * where it starts in each: records produced from then on are consumed even when starting at LATEST.
   */
  readonly ready: Promise<void>;
  /** Settles when consuming ends: with the final stats after stop(), or with the error that ended it. */
  readonly done: Promise<ConsumeStats>;
  stats(): ConsumeStats;
  /** Finishes the batches in flight, commits them, disconnects; resolves with the final stats. */
  stop(): Promise<ConsumeStats>;
}

function topicsOf(topic: string | readonly string[]): string[] {
  const topics = (typeof topic === 'string' ? topic.split(',') : [...topic]).map((t) => t.trim()).filter(Boolean);
  if (topics.length === 0) throw new ConfigError('consume needs at least one --topic');
  return topics;
}

/**
 * Consumes topics with a consumer group and invokes a function with Lambda-shaped events, as
 * the Kafka event source mapping does (see PartitionWorker). Outputs go to real topics.
 */
export async function consume(options: ConsumeOptions): Promise<ConsumeController> {
  const topics = topicsOf(options.topic);
  const functionName = options.handler.dspfn.definition.name;
  const groupId = options.groupId ?? `dspfn-${functionName}`;
  const batchSize = checkRange('--batch-size', options.batchSize ?? 100, 1, MAX_BATCH_SIZE);
  const batchWindowMs = checkRange('--batch-window', options.batchWindowMs ?? 500, 0, MAX_BATCH_WINDOW_MS);
  const onFailureTopic = options.onFailure ? parseOnFailure(options.onFailure, topics) : undefined;
  const requestedRetries = checkRange('--max-retries', options.maxRetries ?? -1, -1, 10_000);
  // The event source caps infinite retries at 10 when an on-failure destination is set.
  const maxRetries = requestedRetries < 0 && onFailureTopic ? 10 : requestedRetries;
  const threads = checkRange('--threads', options.threads ?? 1, 1, MAX_THREADS);
  if (threads > 1 && !options.functionModule) {
    throw new ConfigError(`threads: ${threads} needs ConsumeOptions.functionModule, the file the function is loaded from, for each thread to load it (the CLI passes it)`);
  }
  const logLevel = options.logLevel ?? 'warn';
  const logger = options.logger ?? jsonLogger({ function: functionName, component: 'consume' }, logLevel);

  const overrides = { ...options.connection, logger, ...(options.brokers ? { brokers: options.brokers } : {}) };
  const env = options.env ?? readEnv(process.env, KAFKA_ENV);
  const connection = connectionFromConfig(env, overrides);
  const compressionName = options.compression ?? env.DSPFN_KAFKA_COMPRESSION;
  const compression = compressionName === undefined ? undefined : checkCompression(compressionName, options.compression === undefined ? 'DSPFN_KAFKA_COMPRESSION' : '--compression');
  const resolved = await resolveBrokers(connection);
  const brokers = { ...connection, brokers: resolved.brokers };
  // Fetched records decoded by dspfn's decoder, straight into KafkaRecords (kafkajs-fetch.ts).
  const clientConfig = await kafkaClientConfig(brokers);
  const socketFactory = fastFetchSocketFactory({ framed: !clientConfig.sasl });
  const kafka = new Kafka({ ...clientConfig, ...(socketFactory ? { socketFactory } : {}) });
  const consumer: Consumer = kafka.consumer({
    groupId,
    // A short fetch long-poll: pause, stop and rebalances take effect within it.
    maxWaitTimeInMs: Math.min(250, Math.max(10, batchWindowMs)),
    maxBytesPerPartition: 2 * 1024 * 1024,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    // How long a rebalance waits for each member to rejoin. Ours rejoin at once (fetched records
    // are handed to the partition workers, never processed inside the fetch loop), so the session
    // timeout is plenty; kafkajs's 60 s default would hold a group up that long for a member that
    // died (SIGKILL, a lost container) once it is rebalancing.
    rebalanceTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
  });
  const admin: Admin = kafka.admin();
  const sink = options.sink ?? new KafkaSink({ ...brokers, logger, ...(compression ? { compression } : {}) });
  const counters = new ConsumeCounters(functionName, groupId, topics);
  const counted = countingSink(sink, counters);
  const state = options.state ?? new MemoryStateStore();
  const onBatch = (report: BatchReport) => {
    options.report?.onBatch(report);
    counters.setAside.onBatch(report);
    counters.samples += report.samples;
  };
  const handler = options.handler.dspfn.withRuntime({
    sink: options.report ? options.report.sink(counted) : counted,
    ...(options.report ? { observe: options.report } : {}),
    state,
    logger: jsonLogger({ function: functionName }, logLevel),
    onBatch,
  });
  const invocation = { functionName, shape: options.shape ?? 'msk', bootstrapServers: resolved.brokers.join(',') } as const;
  const fromThreads = (counts: ThreadCounts) => {
    for (const kind of ['result', 'log', 'dead-letter'] as const) counters.produced[kind] += counts.produced[kind];
    counters.late += counts.late;
    for (const [code, n] of Object.entries(counts.deadLettersByCode)) counters.setAside.deadLetters.set(code, (counters.setAside.deadLetters.get(code) ?? 0) + n);
    for (const report of counts.reports) onBatch(report);
  };
  let fatal: (error: Error) => void = () => {};
  const threadSettings = (): ThreadSettings => {
    // Outputs are produced in the threads unless a caller's sink or a report must see them here.
    const { logger: _logger, mskClient: _mskClient, ...connection } = brokers;
    return {
      functionModule: options.functionModule!,
      functionName,
      invocation,
      logLevel,
      sink: options.sink || options.report ? { to: 'main' } : { to: 'kafka', connection, ...(compression ? { compression } : {}) },
      observe: options.report !== undefined,
    };
  };
  const starting =
    threads > 1
      ? ConsumeThreads.start({
          threads,
          settings: threadSettings(),
          state,
          sink: options.report ? options.report.sink(sink) : sink,
          ...(options.report ? { observer: options.report } : {}),
          onCounts: fromThreads,
          onFatal: (error) => fatal(error),
        })
      : undefined;
  starting?.catch(() => {});
  let pool: ConsumeThreads | undefined;
  // In-process: the fetched Buffers go to the function as they are (no base64 round trip). On
  // threads: packed into one transferred buffer per batch (batch-packing.ts).
  const invoke = async (records: KafkaRecord[]) => {
    const begin = performance.now();
    const outcome = pool ? await pool.invoke(records) : await invokeInProcess(handler, records, invocation);
    counters.recordHandler(performance.now() - begin);
    return outcome;
  };

  // The offsets the broker acknowledged, per partition, as kafkajs reports them. Its commitOffsets
  // resolves without committing anything while the consumer is not running (restarting after a
  // broker outage, say), so a commit counts only once it shows up here.
  const taken = new Map<string, number>();
  consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
    for (const { topic, partitions } of payload.topics) {
      for (const p of partitions) {
        const id = `${topic}-${p.partition}`;
        const offset = Number(String(p.offset));
        if (offset > (taken.get(id) ?? -1)) taken.set(id, offset);
      }
    }
  });

  // Offsets asked for together go to the broker in one request (see OffsetCommits).
  const commits = new OffsetCommits((offsets) => consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) }))));

  const workers = new Map<string, PartitionWorker<KafkaRecord>>();
  const retiring = new Set<Promise<void>>();
  let stopping = false;

  const createWorker = (topic: string, partition: number): PartitionWorker<KafkaRecord> => {
    const id = `${topic}-${partition}`;
    const where = { topic, partition };
    return new PartitionWorker<KafkaRecord>(
      topic,
      partition,
      {
        batchSize,
        batchWindowMs,
        maxRetries,
        retryDelayMs: options.retryDelayMs ?? 100,
        maxBufferedRecords: options.maxBufferedRecords ?? defaultMaxBufferedRecords(batchSize),
        // The fetch loop's next request goes out before the fetched batches run (see deferWake).
        deferWake: (wake) => void setImmediate(wake),
      },
      {
        invoke,
        commit: async (offset) => {
          await commits.commit(topic, partition, offset);
          if ((taken.get(id) ?? -1) < offset) {
            throw new Error(`the broker did not take offset ${offset} of ${id}: the consumer is not in its group right now (reconnecting)`);
          }
          counters.committed.set(id, offset);
          counters.uncommitted.delete(id);
        },
        discard: async (records, error, attempts) => {
          if (!onFailureTopic) {
            counters.dropped += records.length;
            logger.log('error', 'batch dropped: retries spent and no on-failure destination', { ...where, first: records[0]?.offset, last: records.at(-1)?.offset, attempts });
            return;
          }
          await sink.send(onFailureMessages(onFailureTopic, records, error, attempts, functionName));
          counters.onFailure += records.length;
          logger.log('warn', 'batch sent to the on-failure destination', { ...where, destination: onFailureTopic, first: records[0]?.offset, last: records.at(-1)?.offset, attempts });
        },
        pause: () => {
          counters.pauses++;
          consumer.pause([{ topic, partitions: [partition] }]);
        },
        resume: () => consumer.resume([{ topic, partitions: [partition] }]),
        queued: (ms, records) => counters.recordQueued(ms, records),
        succeeded: (records) => {
          counters.consumed += records.length;
          counters.batches++;
          counters.recordLatencies(records);
        },
        failed: (error, attempt, partial) => {
          counters.errors++;
          if (partial) counters.partialFailures++;
          counters.lastError = describeError(error);
          logger.log('warn', 'batch failed; it will be retried', { ...where, attempt, error: counters.lastError });
        },
        commitFailed: (error, offset) => {
          counters.commitErrors++;
          counters.uncommitted.set(id, offset);
          logger.log('warn', 'offset commit not taken; it is retried', { ...where, offset, error: describeError(error) });
        },
      },
    );
  };

  let markReady: () => void = () => {};
  let joined = false;
  let rejoined = false;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assignment = payload.memberAssignment as Record<string, number[]>;
    const ids = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const id = `${topic}-${partition}`;
        ids.add(id);
        if (workers.has(id)) continue;
        workers.set(id, createWorker(topic, partition));
        // Pausing outlives a partition's assignment in kafkajs; a new owner starts unpaused.
        consumer.resume([{ topic, partitions: [partition] }]);
      }
    }
    for (const [id, worker] of workers) {
      if (ids.has(id)) continue;
      worker.revoke();
      workers.delete(id);
      if (counters.uncommitted.delete(id)) {
        logger.log('warn', 'partition revoked with an offset not committed: its new owner delivers those records again', { partition: id });
      }
      const finished = worker.finished.finally(() => retiring.delete(finished));
      retiring.add(finished);
    }
    counters.assigned = [...ids].sort();
    joined = true;
    rejoined = true;
  });
  // kafkajs settles where a new group starts (LATEST or earliest) in its first fetch after joining.
  consumer.on(consumer.events.FETCH, () => {
    if (joined) markReady();
  });
  // Back in the group and running (kafkajs joins before it runs, and drops commits until then): a
  // commit that an outage kept from the broker goes now rather than after its backoff.
  consumer.on(consumer.events.FETCH_START, () => {
    if (!rejoined) return;
    rejoined = false;
    for (const worker of workers.values()) if (worker.pendingCommit() !== undefined) void worker.retryCommit();
  });

  let resolveDone: (stats: ConsumeStats) => void = () => {};
  let rejectDone: (error: unknown) => void = () => {};
  const done = new Promise<ConsumeStats>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  // Callers that only use stop() must not see an unhandled rejection.
  done.catch(() => {});

  const refreshLag = async (): Promise<void> => {
    const lag = new Map<string, number>();
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const group = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const at = Number(group.find((p) => p.partition === end.partition)?.offset ?? -1);
        lag.set(`${topic}-${end.partition}`, Math.max(0, Number(end.high) - (at >= 0 ? at : Number(end.low))));
      }
    }
    counters.lag = lag;
  };

  const timer = setInterval(() => {
    void refreshLag().catch(() => {});
    options.onStats?.(counters.snapshot());
  }, options.statsIntervalMs ?? 1_000);
  timer.unref();
  // The deployed schedule's tick for windowed functions with an idleTimeout (wall clock). A failed
  // tick is logged; the next one closes what it left open.
  let ticking: Promise<void> | undefined;
  const ticker =
    idleTimeoutOf(options.handler) === undefined
      ? undefined
      : setInterval(() => {
          if (stopping || ticking) return;
          ticking = invokeTick(handler, functionName)
            .catch((error: unknown) => logger.log('warn', 'idle tick failed', { error: describeError(error) }))
            .finally(() => {
              ticking = undefined;
            });
        }, options.tickIntervalMs ?? TICK_INTERVAL_MS);
  ticker?.unref();

  let stopped: Promise<ConsumeStats> | undefined;
  const shutdown = (failure?: unknown): Promise<ConsumeStats> => {
    stopped ??= (async () => {
      stopping = true;
      clearInterval(timer);
      clearInterval(ticker);
      try {
        consumer.pause(topics.map((topic) => ({ topic })));
      } catch {
        // Not running (a crash): nothing is being fetched anyway.
      }
      const current = [...workers.values()];
      // After a crash the group membership is gone: commits would be silently dropped by kafkajs.
      if (failure !== undefined) for (const worker of current) worker.revoke();
      const settled = await Promise.allSettled([...current.map((w) => w.stop()), ...retiring, ...(ticking ? [ticking] : [])]);
      for (const result of settled) if (result.status === 'rejected') logger.log('error', 'partition worker failed', { error: describeError(result.reason) });
      for (const [id, offset] of counters.uncommitted) {
        logger.log('error', 'records processed but their offset not committed: the group delivers them again', { partition: id, offset, committed: counters.committed.get(id) });
      }
      await pool?.close();
      await refreshLag().catch(() => {});
      await consumer.disconnect().catch((error: unknown) => logger.log('warn', 'consumer disconnect failed', { error: describeError(error) }));
      if (!options.sink) await sink.close().catch((error: unknown) => logger.log('warn', 'sink close failed', { error: describeError(error) }));
      await admin.disconnect().catch(() => {});
      const stats = counters.snapshot();
      if (failure === undefined) resolveDone(stats);
      else rejectDone(new ConsumeFailedError<ConsumeStats>(`consuming ${topics.join(', ')} stopped: ${describeError(failure)}`, stats, failure));
      return stats;
    })();
    return stopped;
  };

  fatal = (error) => void shutdown(error);
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart && !stopping) void shutdown(payload.error);
  });

  try {
    // The output client loads and connects now rather than inside the first batch (best effort: a
    // sink that cannot connect yet fails that batch, which is retried, as before).
    const warming = sink.warm?.().catch(() => {});
    await Promise.all([consumer.connect(), admin.connect(), warming]);
    pool = await starting;
    await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        const worker = workers.get(`${batch.topic}-${batch.partition}`);
        // Unresolved records are fetched again by whoever owns the partition next.
        if (stopping || !worker) return;
        // The whole fetched batch is taken, even past maxBufferedRecords (the worker pauses the
        // partition then): records left unresolved would be fetched and decoded again, about a
        // fifth of all fetching in a backlog. A fetch adds at most maxBytesPerPartition.
        let through: number | undefined;
        const taken: KafkaRecord[] = [];
        const { messages } = batch;
        for (let i = 0; i < messages.length; i++) {
          const record = fetchedRecord(batch.topic, batch.partition, messages[i]!);
          if (worker.wants(record.offset)) taken.push(record);
          through = record.offset;
        }
        counters.recordFetched(taken);
        worker.push(taken);
        if (through !== undefined) resolveOffset(String(through));
      },
    });
  } catch (error) {
    clearInterval(timer);
    clearInterval(ticker);
    await (pool ?? (await starting?.catch(() => undefined)))?.close();
    await consumer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    if (!options.sink) await sink.close().catch(() => {});
    throw kafkaConnectError(error, brokers);
  }

  return {
    groupId,
    ready,
    done,
    stats: () => counters.snapshot(),
    stop: () => shutdown(),
  };
}
