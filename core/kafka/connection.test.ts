import { inspect } from 'node:util';
import type { GetBootstrapBrokersCommand, GetBootstrapBrokersResponse } from '@aws-sdk/client-kafka';
import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger/logger.ts';
import { clientLogCreator } from './client-logger.ts';
import { connectionFromEnv, describeConnection, kafkaClientConfig, resolveBrokers, validateConnection } from './connection.ts';
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
