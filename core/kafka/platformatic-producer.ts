import type { MessageToProduce, Producer, ProducerOptions as ClientOptions, SASLOptions } from '@platformatic/kafka';
import { jsonLogger } from '../logger/logger.ts';
import { packageExports } from '../lazy-import.ts';
import { checkCompression } from './compression.ts';
import { describeKafkaError, kafkaClientConfig, refreshCredentialsAfter } from './connection.ts';
import { partitionOf } from './key-partition.ts';
import { clientMessage, fastProduceProducer, PartitionRecords } from './platformatic-fast-produce.ts';
import { kafkajsProducer, type OutgoingMessage, type ProduceTransport, type ProducerOptions, type TopicMessages } from './producer.ts';

/** @platformatic/kafka runs on Node >= 22.22 (or >= 24.6): the Lambda nodejs22.x runtime, not Node 20. */
export function platformaticSupported(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return (major === 22 && minor >= 22) || (major === 24 && minor >= 6) || major >= 25;
}

/**
 * The producer the Kafka sink uses: @platformatic/kafka's idempotent producer where Node allows it
 * (measured ~1.6× kafkajs' acknowledged messages/s on the test broker, median of 9 paired runs),
 * kafkajs' otherwise, with one log line saying so. kafkajs' idempotent producer takes one send at a
 * time; @platformatic/kafka pipelines requests on one connection in the order their sequence
 * numbers were given, which keeps each key's order with idempotence.
 */
export function defaultProducer(options: ProducerOptions, version: string = process.versions.node): ProduceTransport {
  if (platformaticSupported(version)) return platformaticProducer(options);
  (options.logger ?? jsonLogger({ component: 'kafka' })).log('info', 'Kafka producer: kafkajs (@platformatic/kafka needs Node.js >= 22.22)', { node: version });
  return kafkajsProducer(options);
}

type Library = typeof import('@platformatic/kafka');
/** Values are Buffers, or a partition's OutgoingMessages on the fast produce path (platformatic-fast-produce.ts). */
type ClientProducer = Producer<Buffer, Buffer | PartitionRecords, Buffer, Buffer>;
type ClientMessages = Array<MessageToProduce<Buffer, Buffer | PartitionRecords, Buffer, Buffer>>;

/** Every message in the client's own shapes (the plain Producer, when the fast path's hook is missing). */
function clientMessages(batches: readonly TopicMessages[]): ClientMessages {
  const messages: ClientMessages = [];
  for (const { topic, messages: list } of batches) for (const m of list) messages.push(clientMessage(topic, m));
  return messages;
}

/** Each message's partition during partitionMessages, where the sink did not give them (grows, never shrinks). */
let scratch = new Int32Array(1024);

/**
 * One client message per partition, its value the partition's records in send order (the fast
 * produce path): the partition is the key's murmur2 hash modulo the topic's partition count (the
 * client's metadata, fetched for a topic it does not know yet), as the client's compatibility
 * partitioner puts it, and a message without a key goes to partition 0, as that partitioner does.
 */
export async function partitionMessages(producer: ClientProducer, batches: readonly TopicMessages[]): Promise<ClientMessages> {
  const countOf = (topic: string) => producer.currentMetadata?.topics.get(topic)?.partitionsCount;
  const unknown = batches.filter(({ topic, messages }) => messages.length > 0 && countOf(topic) === undefined).map(({ topic }) => topic);
  if (unknown.length > 0) await producer.metadata({ topics: [...new Set(unknown)] });
  const messages: ClientMessages = [];
  for (const { topic, messages: list, partitions: known } of batches) {
    if (list.length === 0) continue;
    const count = countOf(topic);
    if (count === undefined || count < 1) throw new Error(`no partitions known for topic ${topic}`);
    // Two passes, so each partition's list is allocated once at its size (and a send that all goes
    // to one partition hands on the list it came in). The sink's partitions, when it computed them
    // for as many partitions as the client knows now.
    const sizes = new Int32Array(count);
    let slots: Int32Array;
    if (known !== undefined && known.count === count && known.of.length === list.length) {
      slots = known.of;
      for (let i = 0; i < list.length; i++) sizes[slots[i]!]!++;
    } else {
      if (scratch.length < list.length) scratch = new Int32Array(Math.max(list.length, scratch.length * 2));
      slots = scratch;
      for (let i = 0; i < list.length; i++) sizes[(slots[i] = partitionOf(list[i]!.key, count))]!++;
    }
    const lists: Array<readonly OutgoingMessage[] | undefined> = new Array(count);
    for (let partition = 0; partition < count; partition++) {
      const size = sizes[partition]!;
      if (size === list.length) lists[partition] = list;
      else if (size > 0) lists[partition] = new Array<OutgoingMessage>(size);
    }
    if (lists[slots[0]!] !== list) {
      const filled = new Int32Array(count);
      for (let i = 0; i < list.length; i++) {
        const partition = slots[i]!;
        (lists[partition] as OutgoingMessage[])[filled[partition]!++] = list[i]!;
      }
    }
    for (let partition = 0; partition < count; partition++) {
      const records = lists[partition];
      if (records) messages.push({ topic, partition, value: new PartitionRecords(records) });
    }
  }
  return messages;
}

/**
 * The client options for a connection, from the same kafkajs-shaped configuration the kafkajs
 * path uses (so both clients get the same brokers — configured, looked up from the MSK ARN or the
 * event's — the same TLS material and the same credentials, read from Secrets Manager when
 * configured): TLS, SASL (MSK IAM through the OAUTHBEARER token provider, SCRAM and PLAIN with the
 * password behind a provider function so the options object never holds it as a value),
 * Java-compatible murmur2 partitioning.
 */
export async function platformaticOptions(
  options: ProducerOptions,
  lib: Pick<Library, 'compatibilityPartitioner'>,
  eventBrokers: readonly string[] = [],
): Promise<ClientOptions<Buffer, Buffer, Buffer, Buffer>> {
  const connection = await kafkaClientConfig(options, eventBrokers);
  const compression = checkCompression(options.compression ?? 'none', 'Kafka compression');
  const brokers = typeof connection.brokers === 'function' ? await connection.brokers() : connection.brokers;
  const config: ClientOptions<Buffer, Buffer, Buffer, Buffer> = {
    clientId: options.clientId ?? 'dspfn',
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: -1,
    // Bounded on purpose: a send that cannot complete must fail the batch, not hang it. The
    // client turns 0 or 1 retries of an idempotent producer into unlimited ones, hence at least 2.
    retries: Math.max(2, options.produceRetries ?? 5),
    retryDelay: 250,
    connectTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    timeout: options.ackTimeoutMs ?? 30_000,
    partitioner: lib.compatibilityPartitioner,
    // As kafkajs did: a topic the broker may auto-create is created by the first send.
    autocreateTopics: true,
    ...(compression === 'none' ? {} : { compression }),
  };
  if (connection.ssl) config.tls = connection.ssl === true ? {} : connection.ssl;
  const sasl = connection.sasl;
  if (sasl) {
    let mapped: SASLOptions;
    if (sasl.mechanism === 'oauthbearer' && 'oauthBearerProvider' in sasl) {
      const provider = sasl.oauthBearerProvider;
      mapped = { mechanism: 'OAUTHBEARER', token: async () => (await provider()).value };
    } else if ((sasl.mechanism === 'plain' || sasl.mechanism === 'scram-sha-256' || sasl.mechanism === 'scram-sha-512') && 'password' in sasl) {
      const mechanism = ({ plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const)[sasl.mechanism];
      const { username, password } = sasl;
      mapped = { mechanism, username, password: () => password };
    } else {
      throw new Error(`Kafka SASL mechanism ${sasl.mechanism} is not supported by the @platformatic/kafka producer`);
    }
    config.sasl = mapped;
  }
  return config;
}

/**
 * One idempotent @platformatic/kafka producer, created on first use and kept for the life of the
 * container; a failed send closes it and the next send starts on a fresh one. Its record batches
 * are written by dspfn (platformatic-fast-produce.ts); `encoder: 'client'` leaves them to the
 * client library's own encoder (the bench's comparison).
 */
export function platformaticProducer(options: ProducerOptions, encoder: 'dspfn' | 'client' = 'dspfn'): ProduceTransport {
  checkCompression(options.compression ?? 'none', 'Kafka compression');
  const logger = options.logger ?? jsonLogger({ component: 'kafka' });
  const library = import('@platformatic/kafka')
    .then(packageExports)
    .then((lib) => ({ lib, FastProducer: encoder === 'dspfn' ? fastProduceProducer(lib) : undefined }));
  library.catch(() => {});
  let producer: ClientProducer | undefined;
  let creating: Promise<ClientProducer> | undefined;
  let closed = false;
  // A broker that refuses the client certificate does so after the TLS 1.3 handshake completed on
  // our side: the alert reaches the socket as an error event while the request in flight only
  // sees "Connection closed". The socket errors of the current attempt are kept to explain it.
  let socketErrors: Error[] = [];

  const create = async (eventBrokers: readonly string[]): Promise<ClientProducer> => {
    const { lib, FastProducer } = await library;
    const config = (await platformaticOptions(options, lib, eventBrokers)) as ClientOptions<Buffer, Buffer | PartitionRecords, Buffer, Buffer>;
    const created: ClientProducer = FastProducer ? new FastProducer(config) : new lib.Producer(config);
    created.on('client:broker:connect', ({ connection }: { connection: { on(event: 'error', listener: (error: Error) => void): unknown } }) => {
      connection.on('error', (error) => {
        if (socketErrors.length < 8) socketErrors.push(error);
      });
    });
    return created;
  };

  const ready = (eventBrokers: readonly string[] = []): Promise<ClientProducer> => {
    if (producer) return Promise.resolve(producer);
    creating ??= create(eventBrokers)
      .then((created) => (producer = created))
      .finally(() => {
        creating = undefined;
      });
    return creating;
  };

  const drop = async (active: ClientProducer): Promise<void> => {
    if (producer === active) producer = undefined;
    await active.close(true).catch(() => {});
  };

  return {
    // Two sends at a time: a partition's large batch of results is encoded while the broker takes
    // another's (KafkaSink's OWN_WRITE_MESSAGES). The idempotent client keeps one request in flight
    // per connection (it sets maxInflights to 1): the second request waits, built, in the
    // connection's queue and is written when the first is answered, in the order the requests were
    // built, which is the order dspfn numbers their sequences in. Five sends measured no better flat
    // out on the shared 2-core machine (the broker takes a connection's requests one by one); two
    // requests on the wire at once (maxInflights 2) showed no clear gain in a short trial either.
    concurrentSends: 2,
    async warm() {
      await library;
      if (options.brokers === undefined && !options.clusterArn) return;
      socketErrors = [];
      const active = await ready();
      try {
        await active.metadata({ topics: [] });
      } catch (caught) {
        await drop(active);
        const error = withSocketErrors(caught, socketErrors);
        throw new Error(describeKafkaError(new Error(explain(error), { cause: error }), options), { cause: error });
      }
    },
    async send(batches, eventBrokers) {
      if (closed) throw new Error('the Kafka producer is closed');
      // With the fast produce path, one message per partition carries its records as they are.
      // (A library that failed to load fails the attempt below, with the error explained there.)
      const fast = await library.then(
        ({ FastProducer }) => FastProducer !== undefined,
        () => false,
      );
      const attempt = async (): Promise<void> => {
        socketErrors = [];
        const active = await ready(eventBrokers);
        try {
          await active.send({ messages: fast ? await partitionMessages(active, batches) : clientMessages(batches) });
        } catch (error) {
          await drop(active);
          throw withSocketErrors(error, socketErrors);
        }
      };
      try {
        try {
          await attempt();
        } catch (error) {
          // Credentials from Secrets Manager may have been rotated: read the secret again and,
          // when it changed, try once more with the new value (as the kafkajs path does).
          if (!(await refreshCredentialsAfter(error, options).catch(() => false))) throw error;
          await attempt();
        }
      } catch (error) {
        const reason = describeKafkaError(new Error(explain(error), { cause: error }), options);
        logger.log('warn', 'Kafka produce failed; the next send uses a new producer', { error: reason });
        throw new Error(reason, { cause: error });
      }
    },
    partitionCount(topic) {
      return producer?.currentMetadata?.topics.get(topic)?.partitionsCount;
    },
    async close() {
      closed = true;
      const active = producer ?? (creating ? await creating.catch(() => undefined) : undefined);
      producer = undefined;
      await active?.close();
    },
  };
}

/** The error, and beside it the socket errors seen meanwhile (a TLS alert the request itself never saw). */
export function withSocketErrors(error: unknown, socketErrors: readonly Error[]): unknown {
  if (socketErrors.length === 0) return error;
  return new AggregateError([error, ...socketErrors], error instanceof Error ? error.message : String(error), { cause: error });
}

/** The client's errors nest (MultipleErrors of retries of …): the distinct innermost reasons, joined. */
export function explain(error: unknown): string {
  const reasons = new Set<string>();
  const walk = (e: unknown, depth: number): void => {
    const nested = (e as { errors?: unknown[] } | null)?.errors;
    if (Array.isArray(nested) && nested.length > 0 && depth < 5) for (const inner of nested) walk(inner, depth + 1);
    else {
      // A connection error carries the socket's reason (ECONNREFUSED, a TLS failure) as its cause.
      const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
      reasons.add(`${e instanceof Error ? e.message : String(e)}${cause}`);
    }
  };
  walk(error, 0);
  const top = error instanceof Error ? error.message : String(error);
  const inner = [...reasons].filter((r) => r !== top);
  return inner.length === 0 ? top : `${top.replace(/\.$/, '')}: ${inner.slice(0, 3).join('; ')}`;
}
