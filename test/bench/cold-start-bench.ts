import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleFunctions, kib, ROOT, type BundleResult } from '../../core/deploy/bundle.ts';
import { extractZip } from '../../core/deploy/zip.ts';
import { mskEvent, type RecordInput } from '../../core/testing/index.ts';
import { startKafka, type KafkaServer } from '../servers/kafka.ts';
import { ensureRedisServer, startRedis, type RedisServer } from '../servers/redis.ts';
import { startUpstashProxy, type UpstashProxy } from '../servers/upstash-proxy.ts';
import { median, table } from './measure.ts';

/**
 * Bundle sizes, and a local stand-in for a Lambda cold start: a FRESH Node process imports a
 * function's bundle from a /var/task-like folder, loads the native module from a /opt-like
 * folder through NODE_PATH (as the Lambda runtime sets it), and runs one small batch. Median of
 * `runs` processes per function. Lambda's own init (sandbox, code download, runtime bootstrap)
 * is not included, nor is arm64: this machine runs the x64 build of the module in the layer's
 * layout, since the layer zip holds the arm64 one. With `adapters`, sensor-rms also runs as in
 * production: results to a local Kafka broker and state in a local Redis (TCP or Upstash REST),
 * so its first batch includes loading those chunks and connecting.
 */

const LAYER_ZIP = path.join(ROOT, 'layers', 'dsp', 'build', 'dspfn-dsp-layer.zip');
const HOST_PACKAGE = `linux-${process.arch}-gnu`;
const NATIVE_FILE = 'dspfn_dsp.node';

export interface ColdStartOptions {
  runs?: number;
  /** Records in the one batch each process runs, and samples per record. */
  records?: number;
  samples?: number;
  /** Also time sensor-rms with Kafka results and Redis / Upstash state (starts both servers). */
  adapters?: boolean;
}

/** The servers for the production-configuration rows. */
interface Servers {
  kafka: KafkaServer;
  redis: RedisServer;
  proxy: UpstashProxy;
  token: string;
}

async function startServers(): Promise<Servers> {
  await ensureRedisServer();
  const redis = await startRedis();
  const token = randomUUID();
  const proxy = await startUpstashProxy({ redisUrl: redis.url, token });
  const kafka = await startKafka();
  return { kafka, redis, proxy, token };
}

async function stopServers(servers: Servers): Promise<void> {
  await servers.proxy.close();
  await Promise.allSettled([servers.kafka.stop(), servers.redis.stop()]);
}

interface RunResult {
  initMs: number;
  batchMs: number;
  wallMs: number;
  native: string[];
}

// The child measures itself: init (import: module graph + top-level code, incl. the native load when
// the bundle registers the native backend) and the first batch (adapters created lazily).
const CHILD = `
import fs from 'node:fs';
import { createRequire } from 'node:module';
const [bundle, eventFile, resultFile] = process.argv.slice(2);
const t0 = performance.now();
const { handler } = await import(bundle);
// As a handler module would with a top-level \`await handler.dspfn.warm()\`: part of init.
if (process.env.DSPFN_BENCH_WARM) await handler.dspfn.warm();
const t1 = performance.now();
const event = JSON.parse(fs.readFileSync(eventFile, 'utf8'));
await handler(event, { awsRequestId: 'cold-start', functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, getRemainingTimeInMillis: () => 60000 });
const t2 = performance.now();
const native = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.endsWith('.node'));
fs.writeFileSync(resultFile, JSON.stringify({ initMs: t1 - t0, batchMs: t2 - t1, native }));
// A Kafka producer or Redis connection would keep the process alive, as it does a Lambda container.
process.exit(0);
`;

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

function records(name: string, count: number, samples: number): RecordInput[] {
  // noise-cancel takes interleaved [x, d] pairs: an even sample count.
  const perRecord = name === 'noise-cancel' ? samples * 2 : samples;
  return Array.from({ length: count }, (_, r) => ({
    key: `device-${r % 4}`,
    value: { deviceId: `device-${r % 4}`, sampleRate: 1000, data: Array.from({ length: perRecord }, (_, i) => Math.sin((r * perRecord + i) / 10)) },
  }));
}

/** A /opt-like folder: the layer's files, plus this machine's platform package when it is not arm64. */
function layerShapedOpt(dir: string): { nodePath: string; note: string } | { note: string } {
  const build = path.join(ROOT, 'layers', 'dsp', 'npm', HOST_PACKAGE);
  if (process.platform !== 'linux' || !fs.existsSync(path.join(build, NATIVE_FILE))) {
    return { note: `no ${path.relative(ROOT, path.join(build, NATIVE_FILE))} (npm run build:layer): timed with the TypeScript kernels (DSPFN_BACKEND=js)` };
  }
  if (fs.existsSync(LAYER_ZIP)) extractZip(LAYER_ZIP, dir);
  const pkg = path.join(dir, 'nodejs', 'node_modules', '@dspfn', HOST_PACKAGE);
  fs.mkdirSync(pkg, { recursive: true });
  for (const file of ['package.json', NATIVE_FILE]) fs.copyFileSync(path.join(build, file), path.join(pkg, file));
  const arch = process.arch === 'arm64' ? '' : `; the layer holds @dspfn/linux-arm64-gnu, so @dspfn/${HOST_PACKAGE} sits beside it here`;
  return { nodePath: path.join(dir, 'nodejs', 'node_modules'), note: `native module from a layer-shaped folder via NODE_PATH${arch}` };
}

// Asynchronous: the Upstash endpoint of the adapter rows runs in this process.
async function runOnce(bundleFile: string, eventFile: string, childFile: string, resultFile: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  fs.rmSync(resultFile, { force: true });
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [childFile, pathToFileURL(bundleFile).href, eventFile, resultFile], { env, encoding: 'utf8', timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`cold start run failed (${error.code ?? error.signal}):\n${stderr}`));
      else resolve();
    });
  });
  const wallMs = performance.now() - started;
  return { ...(JSON.parse(fs.readFileSync(resultFile, 'utf8')) as Omit<RunResult, 'wallMs'>), wallMs };
}

function emptyProcessMs(runs: number, env: NodeJS.ProcessEnv): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { env, stdio: 'ignore' });
    times.push(performance.now() - started);
  }
  return median(times);
}

export async function benchColdStart(options: ColdStartOptions = {}): Promise<string> {
  const runs = options.runs ?? 10;
  const recordCount = options.records ?? 10;
  const samples = options.samples ?? 64;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dspfn-cold-'));
  let servers: Servers | undefined;
  try {
    const bundles: BundleResult[] = await bundleFunctions({ outDir: path.join(tmp, 'artifacts') });
    const opt = layerShapedOpt(path.join(tmp, 'opt'));
    const childFile = path.join(tmp, 'child.mjs');
    fs.writeFileSync(childFile, CHILD);
    const resultFile = path.join(tmp, 'result.json');
    const baseEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, DSPFN_LOG_LEVEL: 'silent', DSPFN_STATE: 'memory', DSPFN_SINK: 'stdout', TZ: 'UTC' };
    if (options.adapters) servers = await startServers();
    interface Variant {
      bundle: BundleResult;
      config: string;
      maps: boolean;
      bundleFile: string;
      eventFile: string;
      env: NodeJS.ProcessEnv;
      results: RunResult[];
    }
    const variants: Variant[] = [];
    for (const bundle of bundles) {
      // A /var/task-like folder per function, unpacked from the very zip that would be deployed.
      const task = path.join(tmp, 'task', bundle.name);
      extractZip(bundle.zipFile, task);
      // Lambda resolves the runtime's @aws-sdk (external to the bundle) for ES modules through
      // NODE_PATH; stock Node only looks in node_modules folders above the importing file.
      fs.mkdirSync(path.join(task, 'node_modules'), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules', '@aws-sdk'), path.join(task, 'node_modules', '@aws-sdk'), 'dir');
      const eventFile = path.join(tmp, `${bundle.name}.event.json`);
      fs.writeFileSync(eventFile, JSON.stringify(mskEvent(records(bundle.name, recordCount, samples), { topic: 'sensors' })));
      const env: NodeJS.ProcessEnv = { ...baseEnv, AWS_LAMBDA_FUNCTION_NAME: bundle.name };
      if ('nodePath' in opt) env.NODE_PATH = opt.nodePath;
      else env.DSPFN_BACKEND = 'js';
      const configs: Array<[string, NodeJS.ProcessEnv]> = [['memory, stdout', env]];
      if (servers && bundle.name === 'sensor-rms') {
        // A new state prefix per process: every run is a first batch for its keys, as after a deploy.
        const kafka = { ...env, DSPFN_SINK: 'kafka', DSPFN_KAFKA_BROKERS: servers.kafka.brokers };
        configs.push(['redis, kafka', { ...kafka, DSPFN_STATE: servers.redis.url }]);
        configs.push(['upstash, kafka', { ...kafka, DSPFN_STATE: 'upstash', UPSTASH_REDIS_REST_URL: servers.proxy.url, UPSTASH_REDIS_REST_TOKEN: servers.token }]);
        configs.push(['redis, kafka, warm()', { ...kafka, DSPFN_STATE: servers.redis.url, DSPFN_BENCH_WARM: '1' }]);
      }
      for (const [config, configEnv] of configs) {
        for (const maps of [true, false]) {
          const runEnv = maps ? { ...configEnv, NODE_OPTIONS: '--enable-source-maps' } : configEnv;
          variants.push({ bundle, config, maps, bundleFile: path.join(task, bundle.handlerPath), eventFile, env: runEnv, results: [] });
        }
      }
    }
    // One unmeasured round warms the file cache (and creates the topics); then rounds interleave
    // the variants, so load from anything else on the machine spreads over all rows instead of
    // skewing one.
    for (let round = -1; round < runs; round++) {
      for (const v of variants) {
        const env = { ...v.env, DSPFN_STATE_PREFIX: `cold-${round}-${randomUUID()}:` };
        const result = await runOnce(v.bundleFile, v.eventFile, childFile, resultFile, env);
        if (round >= 0) v.results.push(result);
      }
    }
    const rows: string[][] = [['function', 'state, sink', 'startup code', 'on demand', 'zip', 'source maps', 'init', 'first batch', 'process', 'native loaded']];
    for (const { bundle, config, maps, results } of variants) {
      rows.push([
        bundle.name,
        config,
        kib(bundle.bundleBytes),
        kib(bundle.chunks.reduce((sum, chunk) => sum + chunk.bytes, 0)),
        kib(bundle.zipBytes),
        maps ? 'on' : 'off',
        ms(median(results.map((r) => r.initMs))),
        ms(median(results.map((r) => r.batchMs))),
        ms(median(results.map((r) => r.wallMs))),
        results.every((r) => r.native.length > 0) ? 'yes' : 'no',
      ]);
    }
    const notes: string[] = [];
    const emptyMs = emptyProcessMs(runs, baseEnv);
    notes.push(`median of ${runs} fresh processes per row; one batch of ${recordCount} JSON records × ${samples} samples (noise-cancel: ${samples} [x, d] pairs)`);
    notes.push(`"process" is spawn to exit; an empty \`node -e 0\` takes ${ms(emptyMs)} here`);
    notes.push('"startup code" is handler.mjs and its static chunks, compiled by every cold start; "on demand" chunks load when the configuration first uses their adapter');
    if (servers) {
      notes.push('"redis, kafka" / "upstash, kafka": results acknowledged by a local broker (acks=all), state loaded and committed in a local Redis (TCP, or through the Upstash REST endpoint); the first batch includes loading those chunks and connecting');
      notes.push('"warm()": the module awaits handler.dspfn.warm() at init, so loading the chunks and connecting move from the first batch into "init"');
    } else {
      notes.push('production adapters not timed (run `npm run bench:cold-start` or `npm run bench` for the "redis, kafka" rows)');
    }
    notes.push('source maps on: NODE_OPTIONS=--enable-source-maps (serverless.yml: --param nodeOptions=--enable-source-maps; off by default)');
    notes.push(opt.note);
    if (rows.slice(1).some((r) => r[9] === 'no') && 'nodePath' in opt) {
      notes.push('"native loaded: no": the bundle never loaded the module (the default runtime did not resolve the native backend), so it ran the TypeScript kernels');
    }
    notes.push(`node ${process.version} on ${process.platform}-${process.arch} (Lambda runs nodejs22.x on arm64; its init adds sandbox and code download time)`);
    return `${table(rows)}\n${notes.map((n) => `  - ${n}`).join('\n')}`;
  } finally {
    if (servers) await stopServers(servers);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  console.log(await benchColdStart({ adapters: !process.argv.includes('--no-adapters') }));
}
