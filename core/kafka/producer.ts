import type { Producer } from 'kafkajs';
import { packageExports } from '../lazy-import.ts';
import { checkCompression, lz4Codec, zstdCodec, type Compression } from './compression.ts';
import { kafkaClientConfig, refreshCredentialsAfter, type KafkaConnectionOptions } from './connection.ts';
import { nativeKafkajsCrc32c } from './kafkajs-crc.ts';
import { fastKafkajsProduce } from './kafkajs-produce.ts';
import { kafkajsPartitioner } from './key-partition.ts';

// At import, not with the first producer: a process may produce with kafkajs before it creates a
// sink (a feeder, a test), and kafkajs loads its Produce request module once. Nothing of kafkajs loads here.
fastKafkajsProduce();

export interface OutgoingMessage {
  key: string | Buffer | null;
  /** null: a message with no value (a tombstone's dead letter). */
  value: string | Buffer | null;
  headers: Readonly<Record<string, string | Buffer>>;
}

export interface TopicMessages {
  topic: string;
  messages: readonly OutgoingMessage[];
  /**
   * Each message's partition, `partitionOf(key, count)` for a topic of `count` partitions, when the
   * sender already computed them (the Kafka sink does, bounding requests per partition): a transport
   * whose topic still has `count` partitions uses them instead of hashing every key again.
   */
  partitions?: { readonly count: number; readonly of: Int32Array };
}

/**
 * What the Kafka sink needs from a client library: one acknowledged multi-topic write. kafkajs
 * is in maintenance mode; another client (@confluentinc/kafka-javascript, @platformatic/kafka)
 * only has to provide this.
 */
export interface ProduceTransport {
  /**
   * Resolves when every message is acknowledged by all in-sync replicas. `eventBrokers`: the
   * bootstrap servers of the event being handled, used only when no brokers are configured.
   */
  send(batches: readonly TopicMessages[], eventBrokers?: readonly string[]): Promise<void>;
  /** Loads the client and, when the brokers are known before any event, connects. */
  warm?(): Promise<void>;
  /**
   * The topic's partition count when the client already knows it (a transport that puts a keyed
   * message on `partitionOf(key, count)` and a keyless one on partition 0), so a send's requests
   * can be bounded per partition's record batch instead of per request.
   */
  partitionCount?(topic: string): number | undefined;
  /**
   * How many sends the transport takes at once (default 1: the sink waits for each to finish). More
   * only where the client keeps sequence numbers and order right with several produce requests in
   * flight on one idempotent producer (kafkajs' idempotent producer does not).
   */
  readonly concurrentSends?: number;
  close(): Promise<void>;
}

export interface ProducerOptions extends KafkaConnectionOptions {
  /** Client retries of one send before it fails (default 5, about 10 s of backoff). */
  produceRetries?: number;
  /** Broker-side wait for the in-sync replicas' acknowledgement, ms (default 30 s). */
  ackTimeoutMs?: number;
  /**
   * Record batch compression (default none). lz4 and zstd cost the broker nothing to store (it keeps
   * what the producer sent when the topic's compression.type is `producer`); zstd needs Node >= 22.15.
   */
  compression?: Compression;
}

/**
 * One idempotent kafkajs producer, connected on first use and kept for the life of the
 * container. A failed send drops it: the next send starts on a fresh connection and producer id
 * (a thawed Lambda container often holds dead sockets).
 */
export function kafkajsProducer(options: ProducerOptions): ProduceTransport {
  // Loaded now but not waited for: importing the sink costs a function that never sends nothing,
  // and one that does has the client ready by its first send (kafkajs takes ~100 ms to load).
  const compression = checkCompression(options.compression ?? 'none', 'Kafka compression');
  nativeKafkajsCrc32c();
  const library = import('kafkajs')
    .then(packageExports)
    .then(async (kafkajs) => {
      // kafkajs ships gzip only; its codec table is where lz4 and zstd are plugged in.
      const { CompressionCodecs, CompressionTypes } = kafkajs;
      if (compression === 'zstd') CompressionCodecs[CompressionTypes.ZSTD] = () => zstdCodec;
      if (compression === 'lz4') {
        const codec = await lz4Codec();
        CompressionCodecs[CompressionTypes.LZ4] = () => codec;
      }
      return kafkajs;
    });
  library.catch(() => {});
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;
  let closed = false;

  const connect = async (eventBrokers: readonly string[]): Promise<Producer> => {
    const { Kafka, Partitioners } = await library;
    const kafka = new Kafka(await kafkaClientConfig(options, eventBrokers));
    const created = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // murmur2 like the Java client, so keys land where other Kafka tools put them.
      createPartitioner: kafkajsPartitioner(Partitioners.DefaultPartitioner),
      // Bounded on purpose: a send that cannot complete must fail the batch, not hang it.
      retry: { retries: options.produceRetries ?? 5 },
    });
    created.on(created.events.DISCONNECT, () => {
      if (producer === created) producer = undefined;
    });
    await created.connect();
    return created;
  };

  // A refused login with credentials from Secrets Manager may mean they were rotated: read the
  // secret again and, when it changed, try once more with the new value.
  const open = async (eventBrokers: readonly string[]): Promise<Producer> => {
    try {
      return await connect(eventBrokers);
    } catch (error) {
      if (!(await refreshCredentialsAfter(error, options).catch(() => false))) throw error;
      return connect(eventBrokers);
    }
  };

  const ready = (eventBrokers: readonly string[] = []): Promise<Producer> => {
    if (producer) return Promise.resolve(producer);
    connecting ??= open(eventBrokers)
      .then((p) => (producer = p))
      .finally(() => {
        connecting = undefined;
      });
    return connecting;
  };

  return {
    async warm() {
      await library;
      // Brokers taken from the events (no DSPFN_KAFKA_BROKERS, no cluster ARN) are unknown at init.
      if (options.brokers !== undefined || options.clusterArn) await ready();
    },
    async send(batches, eventBrokers) {
      if (closed) throw new Error('the Kafka producer is closed');
      const active = await ready(eventBrokers);
      const { CompressionTypes } = await library;
      try {
        await active.sendBatch({
          acks: -1,
          timeout: options.ackTimeoutMs ?? 30_000,
          compression: { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD }[compression],
          // kafkajs only reads the list.
          topicMessages: batches.map(({ topic, messages }) => ({ topic, messages: messages as OutgoingMessage[] })),
        });
      } catch (error) {
        if (producer === active) producer = undefined;
        await active.disconnect().catch(() => {});
        throw error;
      }
    },
    async close() {
      closed = true;
      const active = producer ?? (connecting ? await connecting.catch(() => undefined) : undefined);
      producer = undefined;
      await active?.disconnect();
    },
  };
}
