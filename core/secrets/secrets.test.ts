// Secrets: redaction, the Kafka secret format, and reading through the real AWS SDK v3 clients
// pointed (by their endpoint settings) at a local server speaking the Secrets Manager and SSM
// JSON protocols (test/servers/aws-stub.ts).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretError } from '../errors.ts';
import { jsonLogger } from '../logger/logger.ts';
import { awsStubEnv, startAwsStub, type AwsStub } from '../../test/servers/aws-stub.ts';
import { parseKafkaSecret } from './kafka-secret.ts';
import { forgetSecrets, redactSecrets, registerSecret } from './redact.ts';
import { forgetCachedSecrets, secretsManagerSecret, ssmParameter } from './source.ts';

afterEach(() => {
  forgetSecrets();
  forgetCachedSecrets();
});

describe('redactSecrets', () => {
  it('removes every registered secret, a URL password in either encoding, and JSON-escaped forms', () => {
    registerSecret('pa55word-1');
    registerSecret('rediss://svc:p%40ss-w0rd@h:6380');
    registerSecret('quo"te-secret');
    registerSecret('abc'); // too short to be a secret: ordinary text stays readable
    expect(redactSecrets('login pa55word-1 refused; url rediss://svc:p%40ss-w0rd@h:6380; p@ss-w0rd; abc')).toBe('login [redacted] refused; url [redacted]; [redacted]; abc');
    expect(redactSecrets(JSON.stringify({ error: 'bad quo"te-secret' }))).toBe('{"error":"bad [redacted]"}');
  });

  it('applies to every line the JSON logger writes', () => {
    registerSecret('token-abc-123');
    const lines: string[] = [];
    jsonLogger({}, 'debug', (line) => lines.push(line)).log('warn', 'refused token-abc-123', { detail: 'x token-abc-123 y' });
    expect(lines.join('')).not.toContain('token-abc-123');
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'refused [redacted]', detail: 'x [redacted] y' });
  });
});

describe('parseKafkaSecret', () => {
  it('reads the event source mapping formats: {username, password} and {certificate, privateKey[, privateKeyPassword]}', () => {
    expect(parseKafkaSecret('{"username":"svc","password":"pw-1234"}', 'S')).toEqual({ kind: 'sasl', username: 'svc', password: 'pw-1234' });
    expect(parseKafkaSecret('{"certificate":"C","privateKey":"K-1234","privateKeyPassword":"kp-1234"}', 'S')).toEqual({ kind: 'certificate', certificate: 'C', privateKey: 'K-1234', privateKeyPassword: 'kp-1234' });
    // Both parts are secrets from now on.
    expect(redactSecrets('pw-1234 K-1234 kp-1234')).toBe('[redacted] [redacted] [redacted]');
  });

  it('says what is wrong without quoting the secret', () => {
    const messageOf = (text: string) => {
      try {
        parseKafkaSecret(text, 'Secrets Manager secret X');
      } catch (error) {
        expect(error).toBeInstanceOf(SecretError);
        return (error as Error).message;
      }
      throw new Error('parsed');
    };
    expect(messageOf('password=hunter2-secret')).toBe('Secrets Manager secret X is not JSON; the Kafka secret format is {"username": …, "password": …} or {"certificate": …, "privateKey": …}');
    expect(messageOf('["hunter2-secret"]')).toMatch(/^Secrets Manager secret X is not a JSON object/);
    expect(messageOf('{"user":"svc","password":"hunter2-secret"}')).toBe('Secrets Manager secret X holds neither username and password nor certificate and privateKey (fields present: password, user)');
  });
});

describe('secrets read from AWS (SDK v3 against a local Secrets Manager / SSM stub)', () => {
  let stub: AwsStub;
  const saved: Record<string, string | undefined> = {};
  const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:dspfn-kafka-AbCdEf';

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

  it('reads a secret once, signed for the region of its ARN, and shares it across callers', async () => {
    stub.secrets.set(ARN, '{"username":"svc","password":"sm-pw-1"}');
    const reads = stub.requests.length;
    const [a, b] = await Promise.all([secretsManagerSecret(ARN).get(), secretsManagerSecret(ARN).get()]);
    expect(a).toBe('{"username":"svc","password":"sm-pw-1"}');
    expect(b).toBe(a);
    expect(await secretsManagerSecret(ARN).get()).toBe(a);
    expect(stub.requests.slice(reads)).toEqual([{ operation: 'GetSecretValue', id: ARN, region: 'eu-central-1' }]);
    // What was read is a secret from now on.
    expect(redactSecrets('x {"username":"svc","password":"sm-pw-1"} y')).toBe('x [redacted] y');
  });

  it('refresh() reads again: true after a rotation, false when unchanged or asked again too soon', async () => {
    const name = '/dspfn/test/rotating';
    stub.parameters.set(name, 'value-one');
    const source = ssmParameter(name, { minRefreshIntervalMs: 60_000 });
    expect(await source.get()).toBe('value-one');
    stub.parameters.set(name, 'value-two');
    expect(await source.refresh()).toBe(true);
    expect(await source.get()).toBe('value-two');
    stub.parameters.set(name, 'value-three');
    const reads = stub.requests.length;
    expect(await source.refresh()).toBe(false); // within the interval: no new read
    expect(stub.requests.length).toBe(reads);
    expect(await source.get()).toBe('value-two');

    const other = ssmParameter('/dspfn/test/steady', { minRefreshIntervalMs: 0 });
    stub.parameters.set('/dspfn/test/steady', 'same');
    await other.get();
    expect(await other.refresh()).toBe(false);
  });

  it('names the secret and the AWS error when a read fails, and tries again on the next call', async () => {
    const name = '/dspfn/test/later';
    await expect(ssmParameter(name).get()).rejects.toThrow(new SecretError(`could not read SSM parameter ${name}: ParameterNotFound`));
    stub.parameters.set(name, 'now-there');
    expect(await ssmParameter(name).get()).toBe('now-there');

    stub.denied.add(ARN + '-denied');
    await expect(secretsManagerSecret(ARN + '-denied').get()).rejects.toThrow(/^could not read Secrets Manager secret .*-denied: AccessDeniedException: .*not authorized to perform: secretsmanager:GetSecretValue/);
    await expect(secretsManagerSecret('missing').get()).rejects.toThrow("could not read Secrets Manager secret missing: ResourceNotFoundException: Secrets Manager can't find the specified secret.");
  });

  it('reports an endpoint that does not answer with a hint about VPC access', async () => {
    const endpoint = process.env.AWS_ENDPOINT_URL_SSM;
    process.env.AWS_ENDPOINT_URL_SSM = 'http://127.0.0.1:1';
    try {
      const { readParameter } = await import('./aws.ts');
      // A new region gets a new client, which reads the endpoint now.
      await expect(readParameter('arn:aws:ssm:ap-south-2:123456789012:parameter/x')).rejects.toThrow(/^could not read SSM parameter arn:aws:ssm:ap-south-2:123456789012:parameter\/x: .*ECONNREFUSED.* \(no answer from the service: a function in a VPC needs a VPC endpoint or a NAT gateway to reach it\)$/);
    } finally {
      process.env.AWS_ENDPOINT_URL_SSM = endpoint;
    }
  });
});
