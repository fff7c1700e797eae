// The Redis state store against the shared Redis's TLS port (test/servers/redis.ts) as its
// least-privilege ACL user, and secrets read from SSM through a local stub of the AWS API: correct
// settings work end to end; a wrong password, an unknown user, a certificate from another CA and
// a host name the certificate does not list are each refused at once, with a message naming what
// failed; the batch fails before anything is produced or committed; no secret reaches any output.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jsBackend } from '../../core/dsp/backend.ts';
import { StateStoreError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger/logger.ts';
import { defaultRuntime } from '../../core/handler/runtime.ts';
import { ssmParameter } from '../../core/secrets/source.ts';
import { MemorySink } from '../../core/sink/memory.ts';
import { createStateStore } from '../../core/state/from-url.ts';
import type { StateStore } from '../../core/state/store.ts';
import { lambdaContext, mskEvent } from '../../core/testing/index.ts';
import { handler as sensorRms } from '../../functions/sensor-rms/handler.ts';
import { awsStubEnv, startAwsStub, type AwsStub } from '../servers/aws-stub.ts';
import { certificatesIn } from '../servers/tls.ts';
import { captureOutput, expectNoSecrets } from './security-support.ts';

const secure =
  inject('redisSecure') ??
  (() => {
    throw new Error('the test Redis has no TLS port: let test/servers/redis.ts start it, or set DSPFN_TEST_REDIS_SECURE for an external one');
  })();
const upstashUrl = inject('upstashUrl');
const upstashToken = inject('upstashToken');
const certs = certificatesIn(secure.tlsDir);
const RUN = `${secure.prefix}sec-${randomUUID().slice(0, 8)}:`;
const WRONG_PASSWORD = 'Wr0ng-but-secret-Pw7';
const CLIENT_KEY = readFileSync(certs.clientKey, 'utf8');
const OTHER_KEY = readFileSync(certs.otherClientKey, 'utf8');
const SECRETS = [secure.password, WRONG_PASSWORD, upstashToken, CLIENT_KEY, OTHER_KEY];

const withUser = (user: string, password: string, host = '127.0.0.1') =>
  `rediss://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${secure.tlsPort}`;
const entry = (key: string, byte: number) => ({ key, snapshot: new Uint8Array([byte]), offsets: [{ topic: 'sensors', partition: 0, offset: byte }], expected: null });

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, message, fields) => void lines.push(JSON.stringify({ level, message, ...fields })) };
}

const event = mskEvent(
  [0, 1, 2].map((n) => ({ key: 'dev-sec', value: { deviceId: 'dev-sec', sampleRate: 100, data: [n, n + 1, n + 2] } })),
  { topic: 'sensors' },
);

describe('Redis state over TLS with an ACL user', () => {
  const output = captureOutput();
  const stores: StateStore[] = [];
  const store = (spec: string | undefined, env: NodeJS.ProcessEnv, prefix = RUN, logger?: Logger) => {
    const created = createStateStore(spec, { prefix, timeoutMs: 5_000, env, ...(logger ? { logger } : {}) });
    stores.push(created);
    return created;
  };
  afterAll(async () => {
    await Promise.allSettled(stores.map((s) => s.close()));
    output.stop();
    expectNoSecrets(output.text(), SECRETS);
  });

  it('loads and commits over rediss:// as the ACL user, the CA from DSPFN_REDIS_CA', async () => {
    const state = store(secure.url, { DSPFN_REDIS_CA: certs.ca });
    expect(await state.commit([entry('a', 1)])).toEqual([{ key: 'a', status: 'committed' }]);
    expect([...(await state.load(['a'])).get('a')!.snapshot]).toEqual([1]);
  });

  it('sends the client certificate of DSPFN_REDIS_CERT / _KEY, and a certificate from another CA is refused', async () => {
    const good = store(secure.url, { DSPFN_REDIS_CA: certs.ca, DSPFN_REDIS_CERT: certs.clientCert, DSPFN_REDIS_KEY: certs.clientKey });
    expect(await good.commit([entry('mtls', 2)])).toEqual([{ key: 'mtls', status: 'committed' }]);
    const other = store(secure.url, { DSPFN_REDIS_CA: certs.ca, DSPFN_REDIS_CERT: certs.otherClientCert, DSPFN_REDIS_KEY: OTHER_KEY });
    await expect(other.load(['mtls'])).rejects.toThrow(/^Redis refused the TLS client certificate \(alert: unknown CA\)/);
  });

  const refusals: Array<[string, string, NodeJS.ProcessEnv, RegExp]> = [
    ['a wrong password', withUser(secure.username, WRONG_PASSWORD), { DSPFN_REDIS_CA: certs.ca }, /^Redis refused the credentials of user "dspfn-state": wrong password or unknown user \(WRONGPASS\)$/],
    ['an unknown user', withUser('nobody', WRONG_PASSWORD), { DSPFN_REDIS_CA: certs.ca }, /^Redis refused the credentials of user "nobody": wrong password or unknown user \(WRONGPASS\)$/],
    ['a server certificate from another CA', secure.url, { DSPFN_REDIS_CA: certs.otherCa }, /^Redis server certificate not trusted \(SELF_SIGNED_CERT_IN_CHAIN\): it is not signed by a CA in DSPFN_REDIS_CA/],
    ['a host name the certificate does not list', withUser(secure.username, secure.password, 'localhost'), { DSPFN_REDIS_CA: certs.ca }, /^Redis server certificate does not match the host name connected to \(Host: localhost\. is not cert's CN: 127\.0\.0\.1\)/],
  ];

  it.each(refusals)('refuses %s at once with a StateStoreError naming it; the batch fails before producing or committing', async (_, url, env, reason) => {
    const state = store(url, env);
    const error = await state.load(['a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toMatch(reason);
    // Refused, not timed out: the client gave up on the first answer instead of retrying for timeoutMs.
    expect((error as Error).message).not.toMatch(/within/);

    const sink = new MemorySink();
    const handler = sensorRms.dspfn.withRuntime({ state, sink, backend: jsBackend, logger: capture() });
    await expect(handler(structuredClone(event), lambdaContext())).rejects.toBeInstanceOf(StateStoreError);
    expect(sink.messages).toEqual([]);
    expectNoSecrets([(error as Error).message, String((error as Error).stack), JSON.stringify(error)].join('\n'), SECRETS);
  });

  it('the retried batch, with good settings, produces and commits everything: nothing lost', async () => {
    const state = store(secure.url, { DSPFN_REDIS_CA: certs.ca }, `${RUN}batch:`);
    const sink = new MemorySink();
    await sensorRms.dspfn.withRuntime({ state, sink, backend: jsBackend, logger: capture() })(structuredClone(event), lambdaContext());
    expect(sink.messages.filter((m) => m.kind === 'result')).toHaveLength(3);
    expect((await state.load(['sensor-rms:dev-sec'])).get('sensor-rms:dev-sec')?.offsets).toEqual([{ topic: 'sensors', partition: 0, offset: 2 }]);
  });

  it('the ACL user reaches only its key prefix and the commands the store needs', async () => {
    const outside = store(secure.url, { DSPFN_REDIS_CA: certs.ca }, 'elsewhere:');
    await expect(outside.load(['a'])).rejects.toThrow(/NOPERM/);
    const client = createClient({ url: secure.url, socket: { tls: true, ca: readFileSync(certs.ca) } });
    await client.connect();
    try {
      await expect(client.sendCommand(['FLUSHALL'])).rejects.toThrow(/NOPERM/);
      await expect(client.sendCommand(['KEYS', '*'])).rejects.toThrow(/NOPERM/);
      await expect(client.sendCommand(['DEL', `${RUN}x`])).rejects.toThrow(/NOPERM/);
      await expect(client.sendCommand(['HSET', `${RUN}x`, 'f', '1'])).rejects.toThrow(/NOPERM/);
    } finally {
      client.destroy();
    }
  });

  it('with DSPFN_REDIS_TLS_INSECURE_SKIP_VERIFY=true accepts any certificate, and says so loudly', async () => {
    const logger = capture();
    const state = store(secure.url, { DSPFN_REDIS_CA: certs.otherCa, DSPFN_REDIS_TLS_INSECURE_SKIP_VERIFY: 'true' }, RUN, logger);
    expect(await state.commit([entry('insecure', 3)])).toEqual([{ key: 'insecure', status: 'committed' }]);
    expect(logger.lines).toHaveLength(1);
    expect(JSON.parse(logger.lines[0]!)).toMatchObject({ level: 'warn', message: expect.stringMatching(/^TLS CERTIFICATE VERIFICATION IS OFF for Redis \(DSPFN_REDIS_TLS_INSECURE_SKIP_VERIFY\)/) });
  });

  describe('secrets from SSM through a local AWS API stub', () => {
    let stub: AwsStub;
    const saved: Record<string, string | undefined> = {};
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

    it('the function runtime takes the Redis URL from DSPFN_STATE_SSM_PARAMETER, read once at warm-up', async () => {
      const name = `/dspfn/test/${randomUUID()}/redis-url`;
      stub.parameters.set(name, secure.url);
      const runtime = defaultRuntime('sensor-rms', { DSPFN_STATE_SSM_PARAMETER: name, DSPFN_REDIS_CA: certs.ca, DSPFN_STATE_PREFIX: `${RUN}ssm:` });
      stores.push(runtime.state);
      expect(runtime.state.name).toBe('redis');
      await runtime.state.warm?.();
      expect(reads(name)).toBe(1);
      expect(await runtime.state.commit([entry('k', 4)])).toEqual([{ key: 'k', status: 'committed' }]);
      expect(reads(name)).toBe(1);
      // A DSPFN_STATE given explicitly (tests, the CLI) wins over the parameter.
      expect(defaultRuntime('sensor-rms', { DSPFN_STATE: 'memory', DSPFN_STATE_SSM_PARAMETER: name }).state.name).toBe('memory');
    });

    it('reads the parameter again when Redis refuses the password, and goes on with the rotated one', async () => {
      const name = `/dspfn/test/${randomUUID()}/redis-url`;
      stub.parameters.set(name, withUser(secure.username, WRONG_PASSWORD));
      await ssmParameter(name).get(); // read at init; then the password was rotated
      stub.parameters.set(name, secure.url);
      const state = store(undefined, { DSPFN_STATE_SSM_PARAMETER: name, DSPFN_REDIS_CA: certs.ca });
      expect(await state.commit([entry('rotated', 5)])).toEqual([{ key: 'rotated', status: 'committed' }]);
      expect(reads(name)).toBe(2);
    });

    it('a refused, unchanged URL fails naming the parameter; an unreadable one names the AWS error', async () => {
      const name = `/dspfn/test/${randomUUID()}/redis-url`;
      stub.parameters.set(name, withUser(secure.username, WRONG_PASSWORD));
      const refused = await store(undefined, { DSPFN_STATE_SSM_PARAMETER: name, DSPFN_REDIS_CA: certs.ca }).load(['a']).catch((e: unknown) => e);
      expect((refused as Error).message).toBe(`Redis refused the credentials of user "dspfn-state": wrong password or unknown user (WRONGPASS) (URL from SSM parameter ${name})`);
      expect(reads(name)).toBe(2);
      const missing = await store(undefined, { DSPFN_STATE_SSM_PARAMETER: '/dspfn/test/missing' }).load(['a']).catch((e: unknown) => e);
      expect((missing as Error).message).toMatch(/could not read SSM parameter \/dspfn\/test\/missing: ParameterNotFound/);
      expectNoSecrets([(refused as Error).message, (missing as Error).message].join('\n'), SECRETS);
    });

    it('Upstash takes its REST token from DSPFN_UPSTASH_TOKEN_SSM_PARAMETER, and reads it again after a 401', async () => {
      const name = `/dspfn/test/${randomUUID()}/upstash-token`;
      stub.parameters.set(name, upstashToken);
      const env = { UPSTASH_REDIS_REST_URL: upstashUrl, DSPFN_UPSTASH_TOKEN_SSM_PARAMETER: name };
      const state = store('upstash', env, `${RUN}upstash:`);
      await state.warm?.();
      expect(reads(name)).toBe(1);
      expect(await state.commit([entry('u', 6)])).toEqual([{ key: 'u', status: 'committed' }]);

      const rotated = `/dspfn/test/${randomUUID()}/upstash-token`;
      stub.parameters.set(rotated, WRONG_PASSWORD);
      await ssmParameter(rotated).get();
      stub.parameters.set(rotated, upstashToken);
      expect([...(await store('upstash', { ...env, DSPFN_UPSTASH_TOKEN_SSM_PARAMETER: rotated }, `${RUN}upstash:`).load(['u'])).get('u')!.snapshot]).toEqual([6]);
      expect(reads(rotated)).toBe(2);

      const wrong = `/dspfn/test/${randomUUID()}/upstash-token`;
      stub.parameters.set(wrong, WRONG_PASSWORD);
      const error = await store('upstash', { ...env, DSPFN_UPSTASH_TOKEN_SSM_PARAMETER: wrong }).load(['u']).catch((e: unknown) => e);
      expect((error as Error).message).toBe(`Upstash refused the REST token (HTTP 401 Unauthorized); it comes from SSM parameter ${wrong}`);
    });
  });
});
