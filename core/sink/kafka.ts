import { describeError, SinkError } from '../errors.ts';
import { jsonLogger, type Logger } from '../logger/logger.ts';
import { describeKafkaError, validateConnection, type KafkaConnectionOptions } from '../kafka/connection.ts';
import { defaultProducer } from '../kafka/platformatic-producer.ts';
import type { ProduceTransport, ProducerOptions, TopicMessages } from '../kafka/producer.ts';
import type { BatchSource, OutputMessage, Sink } from './sink.ts';

export interface KafkaSinkOptions extends ProducerOptions {
  /** Buffered log messages are flushed in the background once they reach this size (default 64 KiB). */
  logBatchBytes?: number;
  /** …or this long after the first one was buffered (default 250 ms). */
  logFlushIntervalMs?: number;
  /**
   * Upper bound of one produce request. A broker rejects a partition's record batch above
   * `message.max.bytes` (1 MB by default), so larger sends are split (default 900 kB).
   */
  maxRequestBytes?: number;
  /**
   * The client underneath: @platformatic/kafka on Node >= 22.22, kafkajs on older Node
   * (defaultProducer), unless a test or another client library provides one.
   */
  transport?: ProduceTransport;
}

interface Submission {
  messages: readonly OutputMessage[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

function sizeOf(message: OutputMessage): number {
  let bytes = 64 + (message.key?.length ?? 0) + (message.value?.length ?? 0);
  for (const name in message.headers) bytes += name.length + message.headers[name]!.length;
  return bytes;
}

/**
 * Consecutive chunks of at most `limit` bytes (one oversized message goes alone), grouped by topic.
 * An OutputMessage is an OutgoingMessage as it is (key, value, headers: neither client changes
 * them), so nothing is copied per message.
 */
function requests(messages: readonly OutputMessage[], limit: number): TopicMessages[][] {
  const out: TopicMessages[][] = [];
  let current = new Map<string, TopicMessages>();
  let bytes = 0;
  for (const message of messages) {
    const size = sizeOf(message);
    if (bytes > 0 && bytes + size > limit) {
      out.push([...current.values()]);
      current = new Map();
      bytes = 0;
    }
    let group = current.get(message.topic);
    if (!group) current.set(message.topic, (group = { topic: message.topic, messages: [] }));
    group.messages.push(message);
    bytes += size;
  }
  if (current.size > 0) out.push([...current.values()]);
  return out;
}

/**
 * Results, logs and dead letters to Kafka topics through one idempotent producer (acks=all).
 * `send` resolves only once every message is acknowledged, and rejects otherwise, so the batch
 * fails and the event source retries it. Concurrent sends (partitions processed in parallel)
 * share produce requests instead of queueing one round trip each.
 */
export class KafkaSink implements Sink {
  readonly name = 'kafka';
  private readonly transport: ProduceTransport;
  private readonly logger: Logger;
  private readonly connection: KafkaConnectionOptions;
  private readonly logBatchBytes: number;
  private readonly logFlushIntervalMs: number;
  private readonly maxRequestBytes: number;
  private queue: Submission[] = [];
  private writing = false;
  private logs: OutputMessage[] = [];
  private logBytes = 0;
  private logTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The bootstrap servers of the latest event, for a connection made without configured brokers. */
  private eventBrokers: readonly string[] = [];
  /** Log messages dropped because Kafka was unreachable for longer than the buffer lasts. */
  droppedLogs = 0;

  constructor(options: KafkaSinkOptions = {}) {
    if (!options.transport) validateConnection(options);
    this.logger = options.logger ?? jsonLogger({ component: 'kafka-sink' });
    this.transport = options.transport ?? defaultProducer({ ...options, logger: this.logger });
    this.connection = options;
    this.logBatchBytes = options.logBatchBytes ?? 64 * 1024;
    this.logFlushIntervalMs = options.logFlushIntervalMs ?? 250;
    this.maxRequestBytes = options.maxRequestBytes ?? 900_000;
  }

  async send(messages: readonly OutputMessage[], source?: BatchSource): Promise<void> {
    if (this.closed) throw new SinkError('the Kafka sink is closed');
    if (source && source.bootstrapServers.length > 0) this.eventBrokers = source.bootstrapServers;
    const buffered = this.takeLogs();
    const all = buffered.length === 0 ? messages : [...buffered, ...messages];
    if (all.length === 0) return;
    try {
      await this.submit(all);
    } catch (error) {
      this.restoreLogs(buffered);
      throw error;
    }
  }

  async warm(): Promise<void> {
    if (this.closed) throw new SinkError('the Kafka sink is closed');
    try {
      await this.transport.warm?.();
    } catch (error) {
      throw new SinkError(`Kafka warm-up failed: ${describeKafkaError(error, this.connection)}`, { cause: error });
    }
  }

  /** Queues a log message; it goes out with the next send, or on its own by size or interval. */
  log(message: OutputMessage): void {
    if (this.closed) return;
    this.logs.push(message);
    this.logBytes += sizeOf(message);
    if (this.logBytes >= this.logBatchBytes) {
      void this.flushQuietly();
    } else if (!this.logTimer) {
      this.logTimer = setTimeout(() => void this.flushQuietly(), this.logFlushIntervalMs);
      // A pending log flush must not keep a finished CLI (or a frozen container) alive.
      this.logTimer.unref();
    }
  }

  /** Sends buffered log messages now. */
  async flush(): Promise<void> {
    const taken = this.takeLogs();
    if (taken.length === 0) return;
    try {
      await this.submit(taken);
    } catch (error) {
      this.restoreLogs(taken);
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flushQuietly();
    this.closed = true;
    await this.transport.close();
  }

  private async flushQuietly(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      this.logger.log('warn', 'log messages not sent yet; kept for the next send', { error: describeError(error) });
    }
  }

  private takeLogs(): OutputMessage[] {
    if (this.logTimer) clearTimeout(this.logTimer);
    this.logTimer = undefined;
    const taken = this.logs;
    this.logs = [];
    this.logBytes = 0;
    return taken;
  }

  /** Failed logs go back to the front, bounded so an unreachable cluster cannot exhaust memory. */
  private restoreLogs(taken: readonly OutputMessage[]): void {
    if (taken.length === 0) return;
    const merged = [...taken, ...this.logs];
    let bytes = merged.reduce((n, m) => n + sizeOf(m), 0);
    const limit = this.logBatchBytes * 16;
    while (bytes > limit && merged.length > 1) {
      bytes -= sizeOf(merged.shift()!);
      this.droppedLogs++;
    }
    this.logs = merged;
    this.logBytes = bytes;
  }

  private submit(messages: readonly OutputMessage[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      void this.pump();
    });
  }

  /** One write at a time; whatever queued meanwhile goes out together in the next one. */
  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const taken = this.queue.splice(0);
        const messages = taken.length === 1 ? taken[0]!.messages : taken.flatMap((s) => s.messages);
        try {
          for (const request of requests(messages, this.maxRequestBytes)) await this.transport.send(request, this.eventBrokers);
          for (const s of taken) s.resolve();
        } catch (error) {
          const failure = this.failure(error, messages);
          for (const s of taken) s.reject(failure);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private failure(error: unknown, messages: readonly OutputMessage[]): SinkError {
    const topics = [...new Set(messages.map((m) => m.topic))];
    const reason = describeKafkaError(error, this.connection);
    return new SinkError(`Kafka produce of ${messages.length} message(s) to ${topics.join(', ')} failed: ${reason}`, { cause: error });
  }
}

export function kafkaSink(options: KafkaSinkOptions = {}): KafkaSink {
  return new KafkaSink(options);
}

