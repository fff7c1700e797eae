import { AuthenticationError, MultipleErrors, NetworkError, ProtocolError, compatibilityPartitioner } from '@platformatic/kafka';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../logger/logger.ts';
import { describeKafkaError } from './connection.ts';
import { partitionOf } from './key-partition.ts';
import { PartitionRecords } from './platformatic-fast-produce.ts';
import { defaultProducer, explain, partitionMessages, platformaticOptions, platformaticSupported, withSocketErrors } from './platformatic-producer.ts';
import type { OutgoingMessage } from './producer.ts';

const lib = { compatibilityPartitioner };

function capture(): Logger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  return { lines, log: (level, message) => void lines.push({ level, message }) };
}

describe('@platformatic/kafka producer', () => {
  it('is chosen from Node 22.22 / 24.6 on, and kafkajs before, with a log line saying so', async () => {
    expect(['20.20.2', '22.21.9', '22.22.0', '22.23.5', '24.5.0', '24.6.0', '26.0.0'].map((v) => platformaticSupported(v))).toEqual([false, false, true, true, false, true, true]);
    const logger = capture();
    const fallback = defaultProducer({ brokers: '127.0.0.1:9', logger }, '20.20.2');
    expect(logger.lines).toEqual([{ level: 'info', message: 'Kafka producer: kafkajs (@platformatic/kafka needs Node.js >= 22.22)' }]);
    await fallback.close();
    const chosen = capture();
    await defaultProducer({ brokers: '127.0.0.1:9', logger: chosen }, '22.22.0').close();
    expect(chosen.lines).toEqual([]);
  });

  it('maps MSK IAM to OAUTHBEARER with the cached signer as token provider, over TLS', async () => {
    let signed = 0;
    const config = await platformaticOptions(
      {
        clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/0b1c2d3e-1111-2222-3333-444455556666-3',
        brokers: 'b-1.c.kafka.eu-west-1.amazonaws.com:9098',
        authTokenProvider: async (region) => ({ token: `token-for-${region}-${++signed}`, expiryTime: Date.now() + 900_000 }),
      },
      lib,
    );
    expect(config.tls).toEqual({});
    expect(config.sasl?.mechanism).toBe('OAUTHBEARER');
    const token = config.sasl?.token as () => Promise<string>;
    expect(await token()).toBe('token-for-eu-west-1-1');
    // Reused until a minute before it expires, like the kafkajs path.
    expect(await token()).toBe('token-for-eu-west-1-1');
    expect(signed).toBe(1);
    expect(config.bootstrapBrokers).toEqual(['b-1.c.kafka.eu-west-1.amazonaws.com:9098']);
  });

  it('maps SCRAM and PLAIN with the password behind a function, never as a value of the options', async () => {
    const password = 'scram-secret-Zx81q';
    const scram = await platformaticOptions({ brokers: 'k:9096', username: 'svc', password }, lib);
    expect(scram.tls).toEqual({});
    expect(scram.sasl?.mechanism).toBe('SCRAM-SHA-512');
    expect(scram.sasl?.username).toBe('svc');
    expect(await (scram.sasl?.password as () => string)()).toBe(password);
    expect(JSON.stringify(scram)).not.toContain(password);
    const sha256 = await platformaticOptions({ brokers: 'k:9096', auth: 'scram-sha-256', username: 'svc', password, tls: false }, lib);
    expect([sha256.sasl?.mechanism, sha256.tls]).toEqual(['SCRAM-SHA-256', undefined]);
    const plain = await platformaticOptions({ brokers: 'k:9092', auth: 'plain', username: 'svc', password }, lib);
    expect([plain.sasl?.mechanism, plain.tls]).toEqual(['PLAIN', undefined]);
    const none = await platformaticOptions({ brokers: 'k:9092' }, lib);
    expect([none.sasl, none.tls]).toEqual([undefined, undefined]);
  });

  it('sets idempotence, acks=all, bounded retries, timeouts and compression', async () => {
    const config = await platformaticOptions({ brokers: 'a:1,b:2', clientId: 'fn', produceRetries: 1, connectionTimeoutMs: 700, requestTimeoutMs: 9_000, ackTimeoutMs: 5_000, compression: 'lz4' }, lib);
    expect(config).toMatchObject({ clientId: 'fn', bootstrapBrokers: ['a:1', 'b:2'], idempotent: true, acks: -1, retries: 2, connectTimeout: 700, requestTimeout: 9_000, timeout: 5_000, compression: 'lz4', autocreateTopics: true });
    expect((await platformaticOptions({ brokers: 'a:1' }, lib)).compression).toBeUndefined();
  });

  it('partitions keys as kafkajs and the Java client do (murmur2, positive)', () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const key of ['device-1', 'device-42', 'ü-ß', '', 'x'.repeat(100)]) {
      for (const partitions of [1, 3, 6, 12]) {
        const metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
        const expected = kafkajs({ topic: 't', partitionMetadata: metadata, message: { key, value: null } });
        expect(compatibilityPartitioner(undefined as never, Buffer.from(key)) % partitions, `${key} / ${partitions}`).toBe(expected);
      }
    }
  });

  it("groups a send per partition, with the sink's partitions when they are for the client's partition count", async () => {
    let partitionsCount = 3;
    const client = { currentMetadata: { topics: new Map([['rms', { get partitionsCount() { return partitionsCount; } }]]) }, metadata: async () => ({}) };
    const producer = client as unknown as Parameters<typeof partitionMessages>[0];
    const list: OutgoingMessage[] = Array.from({ length: 12 }, (_, i) => ({ key: `device-${i}`, value: `v${i}`, headers: {} }));
    const grouped = async (batches: Parameters<typeof partitionMessages>[1]) =>
      (await partitionMessages(producer, batches)).map((m) => [m.partition, (m.value as PartitionRecords).records.map((r) => r.key)]);
    const byKey = (count: number) =>
      Array.from({ length: count }, (_, p) => [p, list.filter((m) => partitionOf(m.key, count) === p).map((m) => m.key)]).filter(([, keys]) => (keys as string[]).length > 0);
    expect(await grouped([{ topic: 'rms', messages: list }])).toEqual(byKey(3));
    // Given partitions are taken as they are (here all on partition 2) when their count is the client's…
    const given = { count: 3, of: new Int32Array(list.length).fill(2) };
    expect(await grouped([{ topic: 'rms', messages: list, partitions: given }])).toEqual([[2, list.map((m) => m.key)]]);
    // …and recomputed from the keys when the topic's partition count changed since.
    partitionsCount = 4;
    expect(await grouped([{ topic: 'rms', messages: list, partitions: given }])).toEqual(byKey(4));
  });

  it('explains nested client errors by their innermost reasons and the socket cause', () => {
    const refused = Object.assign(new Error('Connection to 127.0.0.1:1 failed.'), { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    const nested = Object.assign(new Error('Producing messages failed.'), { errors: [Object.assign(new Error('produce failed 3 times.'), { errors: [refused, refused] })] });
    expect(explain(nested)).toBe('Producing messages failed: Connection to 127.0.0.1:1 failed. (connect ECONNREFUSED 127.0.0.1:1)');
    expect(explain(new Error('plain'))).toBe('plain');
  });

  // The shapes the client raises (its own error classes), as kafka-security.test.ts meets them on Node 22.
  const retried = (inner: Error) => new MultipleErrors('initProducerId failed 3 times.', [new MultipleErrors('Cannot connect to any broker.', [new NetworkError('Connection to 127.0.0.1:9096 failed.', { cause: inner })])]);
  const scram = { brokers: '127.0.0.1:9096', username: 'svc', password: 'S3cret-pw', secretArn: undefined };

  it('tells a refused SASL login apart through its retries, brokers and causes', () => {
    const response = new MultipleErrors('Received response with error while executing API SaslAuthenticate(v2)', [new ProtocolError('SASL_AUTHENTICATION_FAILED', 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512')]);
    const refused = retried(new AuthenticationError('SASL authentication failed.', { cause: response }));
    expect(describeKafkaError(refused, scram)).toBe('Kafka refused the credentials of user "svc": wrong password or unknown user (SASL authentication failed)');
    expect(describeKafkaError(retried(new ProtocolError('SASL_AUTHENTICATION_FAILED')), { clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/0b1c2d3e-1111-2222-3333-444455556666-3' })).toMatch(/^Kafka refused the function's IAM login/);
    // A mechanism the broker does not offer is a setting to fix, not a refused password.
    expect(describeKafkaError(retried(new AuthenticationError('Cannot find a suitable SASL mechanism.')), scram)).not.toMatch(/refused/);
  });

  it('finds a TLS failure among the causes, and a client certificate alert among the socket errors', () => {
    const untrusted = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(describeKafkaError(retried(untrusted), scram)).toMatch(/^Kafka server certificate not trusted \(SELF_SIGNED_CERT_IN_CHAIN\)/);
    const closed = new MultipleErrors('initProducerId failed 3 times.', [new NetworkError('Connection closed')]);
    expect(describeKafkaError(closed, scram)).toBe('initProducerId failed 3 times.');
    const alert = Object.assign(new Error('error:0A00045C:SSL routines::tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:916:SSL alert number 116'), { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
    const explained = withSocketErrors(closed, [new NetworkError('Connection error', { cause: alert })]);
    expect(describeKafkaError(explained, scram)).toBe('Kafka refused the TLS client certificate (alert: certificate required): set DSPFN_KAFKA_CERT to a certificate its CA trusts');
    expect(explain(explained)).toMatch(/Connection closed; Connection error \(error:0A00045C/);
    expect(withSocketErrors(closed, [])).toBe(closed);
  });
});
