import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { GetBootstrapBrokersCommand, GetBootstrapBrokersResponse } from '@aws-sdk/client-kafka';
import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger/logger.ts';
import { clientLogCreator } from './client-logger.ts';
import { connectionFromEnv, describeConnection, describeKafkaError, kafkaClientConfig, resolveBrokers, validateConnection } from './connection.ts';
import type { BootstrapBrokersClient } from './msk-brokers.ts';

const ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/sensors/0b1c2d3e-1111-2222-3333-444455556666-3';
const PASSWORD = 'pa55-w0rd-never-logged';
const TOKEN = 'iam-token-never-logged';

const CLUSTER: GetBootstrapBrokersResponse = {
  BootstrapBrokerString: 'b-1.sensors:9092,b-2.sensors:9092',
  BootstrapBrokerStringTls: 'b-1.sensors:9094,b-2.sensors:9094',
  BootstrapBrokerStringSaslScram: 'b-1.sensors:9096,b-2.sensors:9096',
  BootstrapBrokerStringSaslIam: 'b-1.sensors:9098,b-2.sensors:9098',
};

function mockMsk(response: GetBootstrapBrokersResponse = CLUSTER): BootstrapBrokersClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async send(command: GetBootstrapBrokersCommand) {
      calls.push(command.input.ClusterArn ?? '');
      return response;
    },
  };
}

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields })) };
}


describe('connectionFromEnv', () => {
  it('reads every setting from the environment, flags override', () => {
    const env = {
      DSPFN_KAFKA_BROKERS: 'a:9092, b:9092',
      DSPFN_KAFKA_AUTH: 'SCRAM-SHA-512',
      DSPFN_KAFKA_TLS: 'false',
      DSPFN_KAFKA_USERNAME: 'svc',
      DSPFN_KAFKA_PASSWORD: PASSWORD,
      DSPFN_KAFKA_CLIENT_ID: 'rms',
      DSPFN_KAFKA_REQUEST_TIMEOUT_MS: '5000',
      AWS_REGION: 'us-west-2',
    };
    expect(connectionFromEnv(env)).toEqual({
      brokers: 'a:9092, b:9092',
      auth: 'scram-sha-512',
      tls: false,
      username: 'svc',
      password: PASSWORD,
      clientId: 'rms',
      region: 'us-west-2',
      requestTimeoutMs: 5000,
    });
    expect(connectionFromEnv(env, { brokers: 'c:1', tls: undefined }).brokers).toBe('c:1');
  });

  it('rejects unknown auth modes and non-boolean TLS with the variable named', () => {
    expect(() => connectionFromEnv({ DSPFN_KAFKA_AUTH: 'kerberos' })).toThrow(/DSPFN_KAFKA_AUTH must be one of none, plain, scram-sha-256, scram-sha-512, iam/);
    expect(() => connectionFromEnv({ DSPFN_KAFKA_TLS: 'maybe' })).toThrow(/DSPFN_KAFKA_TLS must be true or false/);
  });
});

describe('resolveBrokers', () => {
  it('takes configured brokers first', async () => {
    const msk = mockMsk();
    expect(await resolveBrokers({ brokers: 'x:1,y:2', clusterArn: ARN, mskClient: msk }, ['event:9092'])).toEqual({
      brokers: ['x:1', 'y:2'],
      source: 'options',
      auth: 'iam',
      tls: true,
    });
    expect(msk.calls).toEqual([]);
  });

  it.each([
    [{ auth: 'iam' as const }, ['b-1.sensors:9098', 'b-2.sensors:9098']],
    [{ auth: 'scram-sha-512' as const, username: 'u', password: PASSWORD }, ['b-1.sensors:9096', 'b-2.sensors:9096']],
    [{ auth: 'none' as const, tls: true }, ['b-1.sensors:9094', 'b-2.sensors:9094']],
    [{ auth: 'none' as const }, ['b-1.sensors:9092', 'b-2.sensors:9092']],
  ])('looks up the MSK broker string for %o', async (auth, expected) => {
    const msk = mockMsk();
    const resolved = await resolveBrokers({ clusterArn: ARN, mskClient: msk, ...auth });
    expect(resolved.brokers).toEqual(expected);
    expect(resolved.source).toBe('msk');
    expect(msk.calls).toEqual([ARN]);
  });

  it('falls back to public listeners, and names what the cluster offers when the mode is off', async () => {
    const publicOnly = mockMsk({ BootstrapBrokerStringPublicSaslIam: 'b-1.public:9198' });
    expect((await resolveBrokers({ clusterArn: ARN, mskClient: publicOnly })).brokers).toEqual(['b-1.public:9198']);

    const tlsOnly = mockMsk({ BootstrapBrokerStringTls: 'b-1.sensors:9094' });
    await expect(resolveBrokers({ clusterArn: ARN, mskClient: tlsOnly, auth: 'iam' })).rejects.toThrow(
      `MSK cluster ${ARN} has no BootstrapBrokerStringSaslIam broker string, so auth "iam" over TLS is not enabled on it (it offers: BootstrapBrokerStringTls)`,
    );
  });

  it('reports a failed lookup as a configuration error', async () => {
    const failing: BootstrapBrokersClient = {
      send: async () => {
        throw new Error('User is not authorized to perform: kafka:GetBootstrapBrokers');
      },
    };
    const error = await resolveBrokers({ clusterArn: ARN, mskClient: failing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `cannot get the bootstrap brokers of MSK cluster ${ARN}: User is not authorized to perform: kafka:GetBootstrapBrokers`,
    );
  });

  it('uses the event bootstrap servers it is given when nothing is configured', async () => {
    await expect(resolveBrokers({})).rejects.toThrow(/no Kafka brokers: set DSPFN_KAFKA_BROKERS/);
    expect(await resolveBrokers({}, ['b-1.x:9098', 'b-2.x:9098'])).toMatchObject({ brokers: ['b-1.x:9098', 'b-2.x:9098'], source: 'event' });
  });

  it('rejects a malformed cluster ARN without calling AWS', async () => {
    const msk = mockMsk();
    await expect(resolveBrokers({ clusterArn: 'arn:aws:kafka:eu-west-1:123:topic/x', mskClient: msk })).rejects.toThrow(/is not an MSK cluster ARN/);
    expect(msk.calls).toEqual([]);
  });
});

describe('kafkaClientConfig', () => {
  it('builds SCRAM-SHA-512 over TLS with the password usable by the client but not serialisable', async () => {
    const config = await kafkaClientConfig({ brokers: 'k:9096', username: 'svc', password: PASSWORD });
    expect(config.brokers).toEqual(['k:9096']);
    expect(config.ssl).toBe(true);
    const sasl = config.sasl as { mechanism: string; username: string; password: string };
    expect(sasl.mechanism).toBe('scram-sha-512');
    expect(sasl.username).toBe('svc');
    expect(sasl.password).toBe(PASSWORD);
    for (const text of [JSON.stringify(config), inspect(config, { depth: 10 }), JSON.stringify({ ...sasl })]) {
      expect(text).not.toContain(PASSWORD);
    }
  });

  it('builds SASL/PLAIN without TLS unless asked', async () => {
    const config = await kafkaClientConfig({ brokers: 'k:9092', auth: 'plain', username: 'svc', password: PASSWORD });
    expect(config.ssl).toBe(false);
    expect(config.sasl?.mechanism).toBe('plain');
    expect((await kafkaClientConfig({ brokers: 'k:9093', auth: 'plain', username: 'svc', password: PASSWORD, tls: true })).ssl).toBe(true);
  });

  it('builds MSK IAM as OAUTHBEARER with a token signed for the ARN region and reused until near expiry', async () => {
    const regions: string[] = [];
    const config = await kafkaClientConfig({
      clusterArn: ARN,
      mskClient: mockMsk(),
      authTokenProvider: async (region) => {
        regions.push(region);
        return { token: TOKEN, expiryTime: Date.now() + 15 * 60_000 };
      },
    });
    expect(config.brokers).toEqual(['b-1.sensors:9098', 'b-2.sensors:9098']);
    expect(config.ssl).toBe(true);
    const sasl = config.sasl as { mechanism: string; oauthBearerProvider: () => Promise<{ value: string }> };
    expect(sasl.mechanism).toBe('oauthbearer');
    expect(await sasl.oauthBearerProvider()).toEqual({ value: TOKEN });
    expect(await sasl.oauthBearerProvider()).toEqual({ value: TOKEN });
    expect(regions).toEqual(['eu-west-1']);
    expect(JSON.stringify(config)).not.toContain(TOKEN);
  });

  it('signs a new token once the cached one is about to expire', async () => {
    let n = 0;
    const config = await kafkaClientConfig({
      brokers: 'k:9098',
      auth: 'iam',
      region: 'us-east-1',
      authTokenProvider: async () => ({ token: `t${++n}`, expiryTime: Date.now() + 30_000 }),
    });
    const sasl = config.sasl as { oauthBearerProvider: () => Promise<{ value: string }> };
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 't1' });
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 't2' });
  });

  it('fails at configuration time, naming variables and never values', () => {
    const errors = [
      () => validateConnection({ brokers: 'k:1', auth: 'scram-sha-512', username: 'svc' }),
      () => validateConnection({ brokers: 'k:1', auth: 'plain', password: PASSWORD }),
      () => validateConnection({ brokers: 'k:1', auth: 'iam' }),
    ].map((f) => {
      try {
        f();
        return '';
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
    });
    expect(errors).toEqual([
      'Kafka auth "scram-sha-512" needs a password (DSPFN_KAFKA_PASSWORD)',
      'Kafka auth "plain" needs a username (DSPFN_KAFKA_USERNAME)',
      'MSK IAM auth needs a region: set AWS_REGION or use DSPFN_MSK_CLUSTER_ARN (its region is used)',
    ]);
  });

  it('describes a connection for logs without the password', () => {
    const described = describeConnection({ brokers: 'k:9096', username: 'svc', password: PASSWORD });
    expect(described).toEqual({ auth: 'scram-sha-512', tls: true, brokers: ['k:9096'], username: 'svc' });
    expect(JSON.stringify(described)).not.toContain(PASSWORD);
  });
});

describe('TLS material and secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dspfn-conn-'));
  const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
  const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHkey-never-logged\n-----END PRIVATE KEY-----\n';
  writeFileSync(join(dir, 'ca.pem'), CA);
  writeFileSync(join(dir, 'client.key'), KEY);

  it('reads DSPFN_KAFKA_CA / _CERT / _KEY (file or PEM text), _KEY_PASSWORD, _SECRET_ARN and the insecure switch', () => {
    const env = {
      DSPFN_KAFKA_BROKERS: 'k:9094',
      DSPFN_KAFKA_CA: join(dir, 'ca.pem'),
      DSPFN_KAFKA_CERT: CA.replace(/\n/g, '\\n'),
      DSPFN_KAFKA_KEY: join(dir, 'client.key'),
      DSPFN_KAFKA_KEY_PASSWORD: 'kp-never-logged',
      DSPFN_KAFKA_SECRET_ARN: ' arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf ',
      DSPFN_KAFKA_TLS_INSECURE_SKIP_VERIFY: 'true',
    };
    expect(connectionFromEnv(env)).toEqual({
      brokers: 'k:9094',
      ca: CA,
      cert: CA,
      key: KEY,
      keyPassword: 'kp-never-logged',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf',
      tlsInsecureSkipVerify: true,
    });
    expect(connectionFromEnv({ DSPFN_KAFKA_TLS_INSECURE_SKIP_VERIFY: 'false' })).toEqual({});
    expect(() => connectionFromEnv({ DSPFN_KAFKA_CA: '/no/ca.pem' })).toThrow('DSPFN_KAFKA_CA: cannot read the certificate file "/no/ca.pem" (ENOENT)');
  });

  it('turns TLS on for a CA or client certificate, and builds kafkajs ssl options that verify', async () => {
    const config = await kafkaClientConfig({ brokers: 'k:9094', ca: CA, cert: CA, key: KEY });
    expect(config.ssl).toEqual({ rejectUnauthorized: true, ca: CA, cert: CA, key: KEY });
    expect(config.sasl).toBeUndefined();
    expect(describeConnection({ brokers: 'k:9094', ca: CA, cert: CA, key: KEY })).toEqual({ auth: 'none', tls: true, brokers: ['k:9094'], ca: 'custom', clientCertificate: true });
  });

  it('turns verification off only when asked, and says so on the logger', async () => {
    const logger = capture();
    const config = await kafkaClientConfig({ brokers: 'k:9094', tls: true, tlsInsecureSkipVerify: true, logger });
    expect(config.ssl).toEqual({ rejectUnauthorized: false });
    expect(logger.lines.map((l) => JSON.parse(l).message)).toEqual([expect.stringMatching(/^TLS CERTIFICATE VERIFICATION IS OFF for Kafka \(DSPFN_KAFKA_TLS_INSECURE_SKIP_VERIFY\)/)]);
  });

  it('tells a refused IAM login from a refused password', () => {
    const refused = Object.assign(new Error('SASL OAUTHBEARER authentication failed'), { name: 'KafkaJSSASLAuthenticationError' });
    expect(describeKafkaError(refused, { clusterArn: ARN })).toMatch(/^Kafka refused the function's IAM login \(SASL OAUTHBEARER\): its role needs kafka-cluster:Connect/);
    expect(describeKafkaError(refused, { brokers: 'k:1', username: 'svc', password: PASSWORD })).toBe('Kafka refused the credentials of user "svc": wrong password or unknown user (SASL authentication failed)');
    expect(describeKafkaError(new Error(`socket closed ${PASSWORD}`), { brokers: 'k:1', username: 'svc', password: PASSWORD })).toBe('socket closed [redacted]');
  });

  it('refuses contradictions at configuration time', () => {
    expect(() => validateConnection({ brokers: 'k:1', tls: false, ca: CA })).toThrow(/DSPFN_KAFKA_TLS is false, yet a CA/);
    expect(() => validateConnection({ brokers: 'k:1', cert: CA })).toThrow(/needs both DSPFN_KAFKA_CERT and DSPFN_KAFKA_KEY/);
    expect(() => validateConnection({ brokers: 'k:1', secretArn: 'arn:x', password: PASSWORD })).toThrow(/DSPFN_KAFKA_SECRET_ARN or from DSPFN_KAFKA_PASSWORD/);
    // With a secret, the credentials are read when the client connects, not checked here.
    expect(() => validateConnection({ brokers: 'k:1', secretArn: 'arn:x' })).not.toThrow();
    expect(describeConnection({ brokers: 'k:1', secretArn: 'arn:x' })).toMatchObject({ auth: 'scram-sha-512', tls: true, secretArn: 'arn:x' });
  });
});

describe('client logs', () => {
  it('route to the dspfn logger with credentials removed from fields and text', () => {
    const logger = capture();
    const log = clientLogCreator(logger, [PASSWORD])(logLevel.INFO);
    log({
      namespace: 'SASLAuthenticator',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        timestamp: 'now',
        logger: 'kafkajs',
        message: `SASL SCRAM SHA512 authentication failed for svc/${PASSWORD}`,
        broker: 'k:9096',
        password: PASSWORD,
        sasl: { password: PASSWORD },
        authToken: TOKEN,
        error: new Error(`bad ${PASSWORD}`),
      },
    });
    log({ namespace: 'Producer', level: logLevel.WARN, label: 'WARN', log: { timestamp: 'now', logger: 'kafkajs', message: 'Limiting retries for the idempotent producer may invalidate EoS guarantees' } });
    expect(logger.lines).toHaveLength(1);
    expect(JSON.parse(logger.lines[0]!)).toEqual({
      level: 'error',
      message: 'kafka: SASL SCRAM SHA512 authentication failed for svc/[redacted]',
      component: 'SASLAuthenticator',
      broker: 'k:9096',
      error: 'bad [redacted]',
    });
  });
});
