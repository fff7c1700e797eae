// The Kafka sink, `dspfn consume` and `dspfn record` against the test broker's real security
// listeners (test/servers/kafka.ts): SASL_SSL with SCRAM-SHA-512 and SSL with client certificates,
// signed by this run's throwaway CA. Correct settings work end to end; each kind of refusal fails
// with a message naming what failed, writes and commits nothing, and no secret reaches any output.
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consume } from '../../core/local/consume.ts';
import { main } from '../../core/cli/main.ts';
import { record } from '../../core/local/record.ts';
import { readReplayFile } from '../../core/local/replay-file.ts';
import { SecurityError, SinkError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger/logger.ts';
import { connectionFromEnv, type KafkaConnectionOptions } from '../../core/kafka/connection.ts';
import { kafkaSecretSource } from '../../core/secrets/kafka-secret.ts';
import { KafkaSink } from '../../core/sink/kafka.ts';
import type { OutputMessage } from '../../core/sink/sink.ts';
import { MemoryStateStore } from '../../core/state/memory.ts';
import { lambdaContext } from '../../core/testing/context.ts';
import { mskEvent } from '../../core/testing/index.ts';
import { awsStubEnv, startAwsStub, type AwsStub } from '../servers/aws-stub.ts';
import { certificatesIn } from '../servers/tls.ts';
import { captureOutput, expectNoSecrets } from './security-support.ts';
import { createTopics, endOffsets, groupOffsets, produce, readings, readTopics, sensorRmsOn, unique, waitFor } from './kafka-support.ts';

const brokers = inject('kafkaBrokers');
const secure =
  inject('kafkaSecure') ??
  (() => {
    throw new Error('the test broker has no TLS listeners: let test/servers/kafka.ts start it, or set DSPFN_TEST_KAFKA_SECURE for an external one');
  })();
const certs = certificatesIn(secure.tlsDir);
const pem = (file: string) => readFileSync(file, 'utf8');
const CLIENT_KEY = pem(certs.clientKey);
const OTHER_KEY = pem(certs.otherClientKey);
const WRONG_PASSWORD = 'Wr0ng-but-secret-Pw7';
/** Everything that must never appear in an error, a log line or the test output. */
const SECRETS = [secure.password, WRONG_PASSWORD, CLIENT_KEY, OTHER_KEY];

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, message, fields) => void lines.push(JSON.stringify({ level, message, ...fields })) };
}

/** SASL_SSL with SCRAM-SHA-512; no client retries, so a refusal fails at once. */
const scram = (over: KafkaConnectionOptions = {}): KafkaConnectionOptions => ({
  brokers: secure.saslSsl,
  auth: 'scram-sha-512',
  username: secure.username,
  password: secure.password,
  ca: pem(certs.ca),
  retry: { retries: 0 },
  ...over,
});
/** SSL with the client certificate from the test CA. */
const mtls = (over: KafkaConnectionOptions = {}): KafkaConnectionOptions => ({
  brokers: secure.ssl,
  ca: pem(certs.ca),
  cert: pem(certs.clientCert),
  key: CLIENT_KEY,
  retry: { retries: 0 },
  ...over,
});

const result = (topic: string, n: number): OutputMessage => ({ kind: 'result', topic, key: `dev-${n}`, value: JSON.stringify({ n }), headers: { 'dspfn-source-offset': String(n) } });

describe('Kafka over SASL_SSL and mutual TLS', () => {
  const output = captureOutput();
  const closers: Array<() => Promise<unknown>> = [];
  const sink = (options: ConstructorParameters<typeof KafkaSink>[0]) => {
    const created = new KafkaSink({ produceRetries: 1, ...options });
    closers.push(() => created.close());
    return created;
  };
  afterAll(async () => {
    for (const close of closers) await close().catch(() => {});
    output.stop();
    expectNoSecrets(output.text(), SECRETS);
  });

  it('the sink delivers over SCRAM-SHA-512 + TLS, configured from DSPFN_KAFKA_* (CA as a file path)', async () => {
    const topic = unique('sec-scram');
    await createTopics(brokers, { [topic]: 1 });
    const env = {
      DSPFN_KAFKA_BROKERS: secure.saslSsl,
      DSPFN_KAFKA_USERNAME: secure.username,
      DSPFN_KAFKA_PASSWORD: secure.password,
      DSPFN_KAFKA_CA: certs.ca,
    };
    const logger = capture();
    await sink({ ...connectionFromEnv(env), logger }).send([result(topic, 1), result(topic, 2)]);
    const got = await readTopics(brokers, [topic], 2);
    expect(got.map((m) => m.value.toString()).sort()).toEqual(['{"n":1}', '{"n":2}']);
    expectNoSecrets(logger.lines.join('\n'), SECRETS);
  });

  it('the sink delivers over mutual TLS, certificate as PEM text and key as a file from DSPFN_KAFKA_CERT / _KEY', async () => {
    const topic = unique('sec-mtls');
    await createTopics(brokers, { [topic]: 1 });
    const env = { DSPFN_KAFKA_BROKERS: secure.ssl, DSPFN_KAFKA_CA: certs.ca, DSPFN_KAFKA_CERT: pem(certs.clientCert), DSPFN_KAFKA_KEY: certs.clientKey };
    const connection = connectionFromEnv(env);
    expect(connection).toMatchObject({ cert: pem(certs.clientCert).trim(), key: CLIENT_KEY });
    await sink({ ...connection, logger: capture() }).send([result(topic, 3)]);
    expect(await endOffsets(brokers, topic)).toEqual([1]);
  });

  const refusals: Array<[string, () => KafkaConnectionOptions, RegExp]> = [
    ['a wrong password', () => scram({ password: WRONG_PASSWORD }), /Kafka refused the credentials of user "dspfn-svc": wrong password or unknown user/],
    ['an unknown user', () => scram({ username: 'nobody', password: WRONG_PASSWORD }), /Kafka refused the credentials of user "nobody": wrong password or unknown user/],
    ['a broker certificate from another CA', () => scram({ ca: pem(certs.otherCa) }), /Kafka server certificate not trusted \(SELF_SIGNED_CERT_IN_CHAIN\): it is not signed by a CA in DSPFN_KAFKA_CA/],
    ['a host name the certificate does not list', () => scram({ brokers: secure.saslSsl.replace('127.0.0.1', 'localhost') }), /Kafka server certificate does not match the host name connected to \(Host: localhost\. is not cert's CN: 127\.0\.0\.1\)/],
    ['no client certificate on the mTLS listener', () => mtls({ cert: undefined, key: undefined }), /Kafka refused the TLS client certificate \(alert: (bad certificate|certificate required)\)/],
    ['a client certificate from another CA', () => mtls({ cert: pem(certs.otherClientCert), key: OTHER_KEY }), /Kafka refused the TLS client certificate \(alert: (certificate unknown|unknown CA|bad certificate)\)/],
  ];

  it.each(refusals)('the sink refuses %s: a SinkError naming it, nothing written, no secret anywhere', async (_, options, reason) => {
    const topic = unique('sec-refused');
    await createTopics(brokers, { [topic]: 1 });
    const logger = capture();
    const error = await sink({ ...options(), logger }).send([result(topic, 1)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as Error).message).toMatch(/^Kafka produce of 1 message\(s\) to sec-refused-\w+ failed: /);
    expect((error as Error).message).toMatch(reason);
    expect(await endOffsets(brokers, topic)).toEqual([0]);
    expectNoSecrets([(error as Error).message, String((error as Error).stack), JSON.stringify(error), ...logger.lines].join('\n'), SECRETS);
  });

  it('a batch whose outputs are refused fails as a whole: no state committed, and the retry with good credentials loses nothing', async () => {
    const out = unique('sec-batch');
    await createTopics(brokers, { [out]: 1 });
    const fn = sensorRmsOn(out);
    const state = new MemoryStateStore();
    const event = mskEvent(
      [0, 1, 2].map((n) => ({ key: 'dev-1', value: { deviceId: 'dev-1', sampleRate: 100, data: [n, n + 1, n + 2] } })),
      { topic: 'sensors' },
    );
    const refused = fn.dspfn.withRuntime({ state, sink: sink({ ...scram({ password: WRONG_PASSWORD }), logger: capture() }), logger: capture() });
    await expect(refused(structuredClone(event), lambdaContext())).rejects.toThrow(/refused the credentials/);
    expect(state.calls.commit).toBe(0);
    expect(state.keys()).toEqual([]);
    expect(await endOffsets(brokers, out)).toEqual([0]);

    const retried = fn.dspfn.withRuntime({ state, sink: sink({ ...scram(), logger: capture() }), logger: capture() });
    await retried(structuredClone(event), lambdaContext());
    expect(state.keys()).toEqual(['sensor-rms:dev-1']);
    expect((await readTopics(brokers, [out], 3)).map((m) => m.headers['dspfn-source-offset'])).toEqual(['0', '1', '2']);
  });

  it('consume reads, invokes and writes over SCRAM + TLS and over mutual TLS, committing every record', async () => {
    for (const [label, connection] of [['scram', scram()], ['mtls', mtls()]] as const) {
      const [src, out] = [unique(`sec-consume-${label}`), unique(`sec-consume-${label}-out`)];
      await createTopics(brokers, { [src]: 2, [out]: 2 });
      await produce(brokers, src, readings(3, 4));
      const groupId = unique('g');
      const controller = await consume({ handler: sensorRmsOn(out), topic: src, connection, groupId, fromBeginning: true, batchWindowMs: 20, logger: capture(), logLevel: 'silent' });
      closers.push(() => controller.stop());
      await waitFor(() => Object.values(controller.stats().committed).reduce((a, b) => a + b, 0) === 12, 20_000, `${label}: 12 records committed`);
      const stats = await controller.stop();
      expect(stats.consumed, label).toBe(12);
      expect((await groupOffsets(brokers, groupId, src)).reduce((a, b) => a + b, 0), label).toBe(12);
      expect(await readTopics(brokers, [out], 12), label).toHaveLength(12);
    }
  });

  it('consume with a wrong password stops at connect with a SecurityError; the group commits nothing', async () => {
    const src = unique('sec-consume-refused');
    await createTopics(brokers, { [src]: 1 });
    await produce(brokers, src, readings(1, 2));
    const groupId = unique('g');
    const error = await consume({ handler: sensorRmsOn(unique('never')), topic: src, connection: scram({ password: WRONG_PASSWORD }), groupId, fromBeginning: true, logger: capture(), logLevel: 'silent' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecurityError);
    expect((error as Error).message).toBe('Kafka refused the credentials of user "dspfn-svc": wrong password or unknown user (SASL authentication failed)');
    expect(await groupOffsets(brokers, groupId, src)).toEqual([-1]);
  });

  it('record captures a topic over mutual TLS, and the CLI does over SCRAM + TLS with DSPFN_KAFKA_* set', async () => {
    const topic = unique('sec-record');
    await createTopics(brokers, { [topic]: 1 });
    await produce(brokers, topic, readings(2, 3));
    const dir = await mkdtemp(join(tmpdir(), 'dspfn-sec-record-'));
    const viaApi = await record({ topic, out: join(dir, 'mtls.ndjson'), connection: mtls(), fromBeginning: true, maxRecords: 6, logger: capture() });
    expect(viaApi.records).toBe(6);

    const env = { DSPFN_KAFKA_BROKERS: secure.saslSsl, DSPFN_KAFKA_USERNAME: secure.username, DSPFN_KAFKA_PASSWORD: secure.password, DSPFN_KAFKA_CA: certs.ca };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const code = await main(['node', 'dspfn', 'record', '--topic', topic, '--out', join(dir, 'scram.ndjson'), '--from-beginning', '--max-records', '6']);
      expect(code).toBe(0);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const lines: string[] = [];
    for await (const line of readReplayFile(join(dir, 'scram.ndjson'))) lines.push(line.record.value ?? '');
    const other: string[] = [];
    for await (const line of readReplayFile(join(dir, 'mtls.ndjson'))) other.push(line.record.value ?? '');
    expect(lines).toHaveLength(6);
    expect(lines).toEqual(other);
  });

  it('record refuses a broker whose certificate its CA bundle does not trust, with a SecurityError', async () => {
    const error = await record({ topic: unique('sec-record-refused'), out: join(tmpdir(), `${unique('x')}.ndjson`), connection: mtls({ ca: pem(certs.otherCa) }), maxRecords: 1, logger: capture() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecurityError);
    expect((error as Error).message).toMatch(/^Kafka server certificate not trusted \(SELF_SIGNED_CERT_IN_CHAIN\)/);
  });

  describe('credentials from Secrets Manager (DSPFN_KAFKA_SECRET_ARN), through a local AWS API stub', () => {
    let stub: AwsStub;
    const saved: Record<string, string | undefined> = {};
    const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
    const reads = (id: string) => stub.requests.filter((r) => r.id === id).length;

    beforeAll(async () => {
      stub = await startAwsStub();
      for (const [k, v] of Object.entries(awsStubEnv(stub))) {
        saved[k] = process.env[k];
        process.env[k] = v;
      }
    });
    afterAll(async () => {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
      await stub.close();
    });

    it('reads {username, password} once at warm-up and shares it across clients of the container', async () => {
      const id = arn('kafka-scram');
      stub.secrets.set(id, JSON.stringify({ username: secure.username, password: secure.password }));
      const topic = unique('sec-sm');
      await createTopics(brokers, { [topic]: 1 });
      const env = { DSPFN_KAFKA_BROKERS: secure.saslSsl, DSPFN_KAFKA_SECRET_ARN: id, DSPFN_KAFKA_CA: certs.ca };
      const first = sink({ ...connectionFromEnv(env), retry: { retries: 0 }, logger: capture() });
      await first.warm();
      expect(reads(id)).toBe(1);
      await first.send([result(topic, 1)]);
      await sink({ ...connectionFromEnv(env), retry: { retries: 0 }, logger: capture() }).send([result(topic, 2)]);
      expect(reads(id)).toBe(1);
      expect(await endOffsets(brokers, topic)).toEqual([2]);
    });

    it('reads the secret again when the broker refuses it, and goes on with the rotated password', async () => {
      const id = arn('kafka-rotated');
      stub.secrets.set(id, JSON.stringify({ username: secure.username, password: WRONG_PASSWORD }));
      await kafkaSecretSource(id).get(); // the container read it at init; then the password was rotated
      stub.secrets.set(id, JSON.stringify({ username: secure.username, password: secure.password }));
      const topic = unique('sec-sm-rotated');
      await createTopics(brokers, { [topic]: 1 });
      await sink({ brokers: secure.saslSsl, secretArn: id, ca: pem(certs.ca), retry: { retries: 0 }, logger: capture() }).send([result(topic, 1)]);
      expect(reads(id)).toBe(2);
      expect(await endOffsets(brokers, topic)).toEqual([1]);
    });

    it('takes a client certificate and key from the secret ({certificate, privateKey}) for mutual TLS', async () => {
      const id = arn('kafka-mtls');
      stub.secrets.set(id, JSON.stringify({ certificate: pem(certs.clientCert), privateKey: CLIENT_KEY }));
      const topic = unique('sec-sm-mtls');
      await createTopics(brokers, { [topic]: 1 });
      await sink({ brokers: secure.ssl, secretArn: id, ca: pem(certs.ca), retry: { retries: 0 }, logger: capture() }).send([result(topic, 1)]);
      expect(await endOffsets(brokers, topic)).toEqual([1]);
    });

    it('fails the send, naming the secret, when the secret is refused and unchanged, or cannot be read', async () => {
      const id = arn('kafka-wrong');
      stub.secrets.set(id, JSON.stringify({ username: secure.username, password: WRONG_PASSWORD }));
      const refused = await sink({ brokers: secure.saslSsl, secretArn: id, ca: pem(certs.ca), retry: { retries: 0 }, logger: capture() })
        .send([result('never', 1)])
        .catch((e: unknown) => e);
      expect((refused as Error).message).toMatch(new RegExp(`refused the credentials: wrong password or unknown user \\(SASL authentication failed\\) \\(credentials from Secrets Manager secret ${id}\\)`));
      expect(reads(id)).toBe(2); // the first read, and one more after the refusal

      const denied = arn('kafka-denied');
      stub.denied.add(denied);
      const unreadable = await sink({ brokers: secure.saslSsl, secretArn: denied, ca: pem(certs.ca), logger: capture() })
        .send([result('never', 1)])
        .catch((e: unknown) => e);
      expect((unreadable as Error).message).toMatch(new RegExp(`could not read Secrets Manager secret ${denied}: AccessDeniedException: .*not authorized to perform: secretsmanager:GetSecretValue`));
      expectNoSecrets([(refused as Error).message, (unreadable as Error).message].join('\n'), SECRETS);
    });
  });
});
