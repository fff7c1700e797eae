import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kafka } from 'kafkajs';
import { ConfigError, describeError } from '../errors.ts';
import { jsonLogger, type Logger } from '../logger/logger.ts';
import { connectionFromConfig, connectionFromEnv, kafkaClientConfig, kafkaConnectError, type KafkaConnectionOptions, type KafkaEnv } from '../kafka/connection.ts';
import { lambdaRecord } from './kafka-records.ts';

export interface RecordOptions {
  topic: string | readonly string[];
  /** Replay file to write (NDJSON, the Lambda record shape). */
  out: string;
  brokers?: string | readonly string[];
  connection?: KafkaConnectionOptions;
  /** The DSPFN_KAFKA_* settings, already read (default: read from process.env). */
  env?: KafkaEnv;
  /** From the earliest offset; otherwise only records produced after the recorder joined. */
  fromBeginning?: boolean;
  /** Stop after this many records. */
  maxRecords?: number;
  /** Stop once no record arrived for this long (counted from joining the topic). */
  idleMs?: number;
  /** Consumer group; a throwaway one (deleted afterwards) by default. Nothing is ever committed. */
  groupId?: string;
  /** Stops recording (Ctrl-C in the CLI). */
  signal?: AbortSignal;
  logger?: Logger;
}

export interface RecordSummary {
  out: string;
  records: number;
  bytes: number;
  /** First and last offset written per "topic-partition". */
  partitions: Record<string, { first: number; last: number; records: number }>;
  elapsedMs: number;
}

/**
 * Captures topics into a replay file, one record per line in the Lambda record shape (base64
 * key and value, each header a one-key object of signed bytes): what `dspfn replay` reads.
 * Per-partition order is kept; partitions interleave in arrival order.
 */
export async function record(options: RecordOptions): Promise<RecordSummary> {
  const topics = (typeof options.topic === 'string' ? options.topic.split(',') : [...options.topic]).map((t) => t.trim()).filter(Boolean);
  if (topics.length === 0) throw new ConfigError('record needs at least one --topic');
  if (options.maxRecords !== undefined && (!Number.isInteger(options.maxRecords) || options.maxRecords < 1)) {
    throw new ConfigError(`--max-records must be a positive integer, got ${options.maxRecords}`);
  }
  const logger = options.logger ?? jsonLogger({ component: 'record' }, 'warn');
  const overrides = { ...options.connection, logger, ...(options.brokers ? { brokers: options.brokers } : {}) };
  const connection = options.env ? connectionFromConfig(options.env, overrides) : connectionFromEnv(process.env, overrides);
  const kafka = new Kafka(await kafkaClientConfig(connection));
  const throwaway = options.groupId === undefined;
  const groupId = options.groupId ?? `dspfn-record-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });

  mkdirSync(dirname(options.out), { recursive: true });
  const stream = createWriteStream(options.out);
  const summary: RecordSummary = { out: options.out, records: 0, bytes: 0, partitions: {}, elapsedMs: 0 };
  const started = performance.now();

  let finish: (error?: unknown) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => (finish = (error) => (error === undefined ? resolve() : reject(error))));
  let idle: NodeJS.Timeout | undefined;
  const armIdle = () => {
    if (options.idleMs === undefined) return;
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => finish(), options.idleMs);
  };
  const onAbort = () => finish();
  options.signal?.addEventListener('abort', onAbort);
  if (options.signal?.aborted) finish();
  stream.on('error', (error) => finish(error));
  consumer.on(consumer.events.GROUP_JOIN, () => armIdle());
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) finish(payload.error);
  });

  let full = false;
  let connected = false;
  try {
    await consumer.connect().catch((error: unknown) => {
      throw kafkaConnectError(error, connection);
    });
    connected = true;
    await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (full || batch.messages.length === 0) return;
        armIdle();
        let text = '';
        const id = `${batch.topic}-${batch.partition}`;
        for (const message of batch.messages) {
          if (options.maxRecords !== undefined && summary.records >= options.maxRecords) break;
          const line = JSON.stringify(lambdaRecord(batch.topic, batch.partition, message)) + '\n';
          text += line;
          summary.bytes += Buffer.byteLength(line);
          summary.records++;
          const offset = Number(message.offset);
          const range = (summary.partitions[id] ??= { first: offset, last: offset, records: 0 });
          range.last = offset;
          range.records++;
        }
        if (!stream.write(text)) await once(stream, 'drain');
        if (options.maxRecords !== undefined && summary.records >= options.maxRecords) {
          full = true;
          // Not awaited here: disconnect waits for this very callback to return.
          finish();
        }
      },
    });
    await finished;
  } finally {
    if (idle) clearTimeout(idle);
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch((error: unknown) => logger.log('warn', 'consumer disconnect failed', { error: describeError(error) }));
    await new Promise<void>((resolve) => stream.end(() => resolve()));
    // A recorder that never connected made no group (and connecting again would fail the same way).
    if (throwaway && connected) await deleteGroup(kafka, groupId);
  }
  summary.elapsedMs = performance.now() - started;
  return summary;
}

/** A recorder's group holds no offsets; leaving it behind would only clutter the cluster. */
async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // Best effort: an empty group expires on its own.
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
