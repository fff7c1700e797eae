// The deployable bundle with production adapters: a fresh Node process runs sensor-rms from its
// zip, with results going to the real broker and state to the real Redis (over TCP, or through the
// Upstash REST endpoint). Each adapter library is a chunk loaded on demand; the chunks a
// configuration must not load are replaced by code that throws, so loading one fails the run.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleFunction, type BundleResult } from '../../core/deploy/bundle.ts';
import { extractZip } from '../../core/deploy/zip.ts';
import { mskEvent } from '../../core/testing/index.ts';
import { ensureRedisServer, startRedis, type RedisServer } from '../servers/redis.ts';
import { startUpstashProxy, type UpstashProxy } from '../servers/upstash-proxy.ts';
import { platformaticSupported } from '../../core/kafka/platformatic-producer.ts';
import { createTopics, readTopics, unique } from './kafka-support.ts';

const RUN = `
const [bundle, eventFile] = process.argv.slice(1);
const { handler } = await import(bundle);
if (process.env.WARM_AT_INIT) await handler.dspfn.warm();
const event = JSON.parse((await import('node:fs')).readFileSync(eventFile, 'utf8'));
const context = { awsRequestId: 'bundle-test', functionName: 'sensor-rms', getRemainingTimeInMillis: () => 60000 };
const response = await handler(event, context);
process.stdout.write(JSON.stringify(response ?? null) + '\\n');
// The producer and the Redis connection live for the container's lifetime, as on Lambda.
process.exit(0);
`;

describe('the sensor-rms bundle with Kafka results and Redis state', () => {
  const brokers = inject('kafkaBrokers');
  let tmp: string;
  let bundle: BundleResult;
  let redis: RedisServer | undefined;
  let proxy: UpstashProxy | undefined;
  const token = randomUUID();

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dspfn-bundle-'));
    bundle = await bundleFunction('sensor-rms', { outDir: path.join(tmp, 'artifacts') });
    await ensureRedisServer();
    redis = await startRedis();
    proxy = await startUpstashProxy({ redisUrl: redis.url, token });
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await redis?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The zip unpacked into a fresh /var/task-like folder, with the chunks of `poisoned` packages made to throw. */
  function task(poisoned: readonly string[]): string {
    const dir = fs.mkdtempSync(path.join(tmp, 'task-'));
    extractZip(bundle.zipFile, dir);
    for (const pkg of poisoned) {
      const chunk = bundle.chunks.find((c) => c.inputs[0]?.input === pkg);
      expect(chunk, `an on-demand chunk for ${pkg}`).toBeDefined();
      fs.writeFileSync(path.join(dir, chunk!.file), `throw new Error(${JSON.stringify(`${pkg} chunk loaded`)});\n`);
    }
    return dir;
  }

  async function runCase(state: Record<string, string>, poisoned: readonly string[]): Promise<void> {
    const source = unique('bundle-src');
    await createTopics(brokers, { [source]: 1, 'sensor-rms': 3 });
    const prefix = `${source}:`;
    const event = mskEvent(
      [
        { key: 'dev-1', value: { deviceId: 'dev-1', sampleRate: 100, data: [3, 4] } },
        { key: 'dev-2', value: { deviceId: 'dev-2', sampleRate: 100, data: [1] } },
        { key: 'dev-1', value: { deviceId: 'dev-1', sampleRate: 100, data: [5] } },
      ],
      { topic: source },
    );
    const dir = task(poisoned);
    const eventFile = path.join(dir, 'event.json');
    fs.writeFileSync(eventFile, JSON.stringify(event));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      DSPFN_BACKEND: 'js',
      DSPFN_LOG_LEVEL: 'warn',
      DSPFN_SINK: 'kafka',
      DSPFN_KAFKA_BROKERS: brokers,
      DSPFN_STATE_PREFIX: prefix,
      ...state,
    };
    // Not spawnSync: the Upstash endpoint runs in this process and must keep answering.
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--input-type=module', '-e', RUN, path.join(dir, bundle.handlerPath), eventFile], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
      );
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toBeNull();

    const results = await readTopics(brokers, ['sensor-rms'], 3, { filter: (m) => m.headers['dspfn-source-topic'] === source, settleMs: 200 });
    const values = results
      .sort((a, b) => Number(a.headers['dspfn-source-offset']) - Number(b.headers['dspfn-source-offset']))
      .map((m) => [m.key, (JSON.parse(m.value.toString()) as { rms: number[] }).rms.length]);
    expect(values).toEqual([['dev-1', 2], ['dev-2', 1], ['dev-1', 1]]);

    const raw = createClient({ url: redis!.url });
    await raw.connect();
    try {
      const keys = (await raw.keys(`${prefix}*`)).sort();
      expect(keys.length, keys.join(', ')).toBeGreaterThanOrEqual(2);
      expect(keys.some((k) => k.includes('dev-1'))).toBe(true);
      expect(keys.some((k) => k.includes('dev-2'))).toBe(true);
    } finally {
      raw.destroy();
    }
  }

  // The Kafka client for this Node: @platformatic/kafka from 22.22 on (as on Lambda's nodejs22.x), kafkajs before.
  const [kafkaClient, otherKafkaClient] = platformaticSupported() ? ['@platformatic/kafka', 'kafkajs'] : ['kafkajs', '@platformatic/kafka'];

  it(`over TCP Redis loads ${kafkaClient} (the store speaks RESP itself), never the Upstash client, ${otherKafkaClient} or the IAM signer`, async () => {
    await runCase({ DSPFN_STATE: redis!.url }, ['@upstash/redis', 'aws-msk-iam-sasl-signer-js', otherKafkaClient]);
  }, 90_000);

  it('runs with handler.dspfn.warm() awaited at init, as on Lambda', async () => {
    await runCase({ DSPFN_STATE: redis!.url, AWS_LAMBDA_FUNCTION_NAME: 'sensor-rms', WARM_AT_INIT: '1' }, ['@upstash/redis', 'aws-msk-iam-sasl-signer-js', otherKafkaClient]);
  }, 90_000);

  it(`over Upstash REST loads ${kafkaClient} and @upstash/redis, never ${otherKafkaClient} or the IAM signer`, async () => {
    await runCase({ DSPFN_STATE: 'upstash', UPSTASH_REDIS_REST_URL: proxy!.url, UPSTASH_REDIS_REST_TOKEN: token }, ['aws-msk-iam-sasl-signer-js', otherKafkaClient]);
  }, 90_000);
});
