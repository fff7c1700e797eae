import { describeError, SinkError } from '../errors.ts';
import { jsonLogger, type Logger } from '../logger/logger.ts';
import { describeKafkaError, validateConnection, type KafkaConnectionOptions } from '../kafka/connection.ts';
import { defaultProducer } from '../kafka/platformatic-producer.ts';
import { partitionOf } from '../kafka/key-partition.ts';
import type { OutgoingMessage, ProduceTransport, ProducerOptions, TopicMessages } from '../kafka/producer.ts';
import { ResultHeaders, RESULT_HEADER_NAMES_LENGTH, resultHeaderValuesLength } from '../kafka/result-headers.ts';
import type { BatchSource, OutputMessage, Sink } from './sink.ts';

export interface KafkaSinkOptions extends ProducerOptions {
  /** Buffered log messages are flushed in the background once they reach this size (default 64 KiB). */
  logBatchBytes?: number;
  /** …or this long after the first one was buffered (default 250 ms). */
  logFlushIntervalMs?: number;
  /**
   * Upper bound of one partition's record batch in a produce request (of the whole request while the
   * client does not know the topic's partitions yet, and always with kafkajs). A broker rejects a
   * record batch above `message.max.bytes` (1 MiB + 12 bytes by default), so larger sends are split
   * (default 1,000,000 bytes as sizeOf counts them, above what the batch takes on the wire: sizeOf
   * allows 64 bytes a record for a record's ~15 bytes of framing). At 900 kB, the 1,000 results of a
   * sensor-rms batch (941 kB) went as two requests one after the other: a second round trip per batch.
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

/**
 * While a write is in flight, a send of at least this many messages takes another write of its own
 * (up to the transport's concurrentSends): a flat-out partition's batch of results goes out at once
 * instead of queueing behind another partition's request. Smaller sends wait and share the next
 * request, as one request carries them for less CPU than several (at a steady 2,000 records/s the
 * extra small requests cost latency on a loaded machine).
 */
export const OWN_WRITE_MESSAGES = 500;

function sizeOf(message: OutputMessage): number {
  let bytes = 64 + (message.key?.length ?? 0) + (message.value?.length ?? 0);
  const headers = message.headers;
  if (headers instanceof ResultHeaders) return bytes + RESULT_HEADER_NAMES_LENGTH + resultHeaderValuesLength(headers);
  for (const name in headers) bytes += name.length + headers[name]!.length;
  return bytes;
}

/**
 * The produce requests of a send, in order, grouped by topic. A broker refuses a partition's record
 * batch above `message.max.bytes`, not a request holding several such batches: where the transport
 * knows a topic's partition count, the bound applies to each partition's share of a request (so a
 * batch's results for all partitions go in one request), otherwise to the whole request. A message
 * larger than the bound goes alone. An OutputMessage is an OutgoingMessage as it is (neither client
 * changes it), and a send that needs one request for one topic is passed on as it came. The
 * partitions computed for the bound go along (TopicMessages.partitions), so the transport does not
 * hash every key a second time.
 */
export function requests(messages: readonly OutputMessage[], limit: number, partitionCount: (topic: string) => number | undefined = () => undefined): TopicMessages[][] {
  const out: TopicMessages[][] = [];
  // Per topic: bytes per partition in the current request (one slot when partitions are unknown).
  const bytes = new Map<string, Float64Array>();
  const counts = new Map<string, number>();
  // Each message's partition (topics of known partition counts only).
  const slots = new Int32Array(messages.length);
  let start = 0;
  let single = true;
  const cut = (end: number) => {
    out.push(byTopic(messages, start, end, single, slots, counts));
    start = end;
    single = true;
    for (const used of bytes.values()) used.fill(0);
  };
  // A send's messages come in runs of one topic: its tables are looked up when the topic changes.
  let lastTopic: string | undefined;
  let used: Float64Array = new Float64Array(0);
  let count = 0;
  // Results come in runs of one key (a key's records are processed together): its partition is hashed once per run.
  let lastKey: string | Buffer | null | undefined;
  let lastSlot = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    const topic = message.topic;
    if (topic !== lastTopic) {
      lastKey = undefined;
      let found = bytes.get(topic);
      if (!found) {
        const known = partitionCount(topic);
        counts.set(topic, known ?? 0);
        bytes.set(topic, (found = new Float64Array(known ?? 1)));
      }
      used = found;
      count = counts.get(topic)!;
      lastTopic = topic;
    }
    let slot = 0;
    if (count > 0) {
      const key = message.key;
      if (key !== lastKey) {
        lastKey = key;
        lastSlot = partitionOf(key, count);
      }
      slots[i] = slot = lastSlot;
    }
    const size = sizeOf(message);
    // Without partition counts, every topic's bytes count against the one bound.
    const before = count > 0 ? used[slot]! : total(bytes, counts);
    if (i > start && before > 0 && before + size > limit) cut(i);
    used[slot] = used[slot]! + size;
    if (topic !== messages[start]!.topic) single = false;
  }
  if (start < messages.length) cut(messages.length);
  return out;
}

/** The bytes of the current request counted against one bound: the topics whose partitions are unknown. */
function total(bytes: ReadonlyMap<string, Float64Array>, counts: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const [topic, used] of bytes) if (counts.get(topic) === 0) sum += used[0]!;
  return sum;
}

/** messages[start, end) grouped by topic in order of first appearance, with their partitions where the topic's count is known. */
function byTopic(messages: readonly OutputMessage[], start: number, end: number, single: boolean, slots: Int32Array, counts: ReadonlyMap<string, number>): TopicMessages[] {
  if (single) {
    const topic = messages[start]!.topic;
    const list = start === 0 && end === messages.length ? messages : messages.slice(start, end);
    const count = counts.get(topic)!;
    return [count > 0 ? { topic, messages: list, partitions: { count, of: slots.subarray(start, end) } } : { topic, messages: list }];
  }
  const groups = new Map<string, { messages: OutgoingMessage[]; indexes: number[] }>();
  for (let i = start; i < end; i++) {
    const message = messages[i]!;
    const group = groups.get(message.topic);
    if (group) {
      group.messages.push(message);
      group.indexes.push(i);
    } else groups.set(message.topic, { messages: [message], indexes: [i] });
  }
  return [...groups].map(([topic, { messages: list, indexes }]) => {
    const count = counts.get(topic)!;
    return count > 0 ? { topic, messages: list, partitions: { count, of: Int32Array.from(indexes, (i) => slots[i]!) } } : { topic, messages: list };
  });
}

/**
 * Results, logs and dead letters to Kafka topics through one idempotent producer (acks=all).
 * `send` resolves only once every message is acknowledged, and rejects otherwise, so the batch
 * fails and the event source retries it. Concurrent sends (partitions processed in parallel) share
 * produce requests instead of queueing one round trip each; large ones go out at once, up to the
 * transport's `concurrentSends` writes in flight.
 */
export class KafkaSink implements Sink {
  readonly name = 'kafka';
  /**
   * The clients dspfn chooses (defaultProducer) copy each value into their request before the
   * send resolves, and keep none after; a transport given in the options may keep what it was sent.
   */
  readonly releasesValues: boolean;
  private readonly transport: ProduceTransport;
  private readonly logger: Logger;
  private readonly connection: KafkaConnectionOptions;
  private readonly logBatchBytes: number;
  private readonly logFlushIntervalMs: number;
  private readonly maxRequestBytes: number;
  private readonly partitionCount: (topic: string) => number | undefined;
  private queue: Submission[] = [];
  /** Writes in flight, each sending the submissions it took in order. */
  private writing = 0;
  private readonly concurrentSends: number;
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
    this.releasesValues = options.transport === undefined;
    this.connection = options;
    this.logBatchBytes = options.logBatchBytes ?? 64 * 1024;
    this.logFlushIntervalMs = options.logFlushIntervalMs ?? 250;
    this.maxRequestBytes = options.maxRequestBytes ?? 1_000_000;
    const transport = this.transport;
    this.concurrentSends = Math.max(1, transport.concurrentSends ?? 1);
    this.partitionCount = (topic) => transport.partitionCount?.(topic);
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

  /**
   * Up to `concurrentSends` writes at a time, a write beyond the first only for a large send
   * (OWN_WRITE_MESSAGES). A write takes the queue in order up to and including its first large send
   * (small sends share it). A submission's requests go one after the other within its write.
   */
  private async pump(): Promise<void> {
    if (this.writing >= this.concurrentSends) return;
    if (this.writing > 0 && !this.queue.some((s) => s.messages.length >= OWN_WRITE_MESSAGES)) return;
    this.writing++;
    try {
      while (this.queue.length > 0) {
        const taken = this.queue.splice(0, this.nextWrite());
        const messages = taken.length === 1 ? taken[0]!.messages : taken.flatMap((s) => s.messages);
        try {
          for (const request of requests(messages, this.maxRequestBytes, this.partitionCount)) await this.transport.send(request, this.eventBrokers);
          for (const s of taken) s.resolve();
        } catch (error) {
          const failure = this.failure(error, messages);
          for (const s of taken) s.reject(failure);
        }
      }
    } finally {
      this.writing--;
    }
  }

  /**
   * How many queued submissions the next write carries: through the first large one. Flat out, every
   * partition's batch of results is large, and several queue while both writes are in flight; taken
   * all together, their requests went one after the other and none of those partitions could start
   * its next batch before the last was acknowledged, while the two partitions that got the free
   * writes ran ahead (measured: partitions at 2× each other's progress, the event loop idle with all
   * six waiting). One large send per write acknowledges each as soon as the broker has it.
   */
  private nextWrite(): number {
    const queue = this.queue;
    for (let i = 0; i < queue.length; i++) if (queue[i]!.messages.length >= OWN_WRITE_MESSAGES) return i + 1;
    return queue.length;
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

