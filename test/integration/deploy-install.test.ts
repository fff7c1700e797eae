import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../core/deploy/zip.ts';

/**
 * dspfn as a user gets it: `npm pack` the package (prepack builds dist/) and this machine's
 * platform package, `npm install` both tarballs into an empty project outside the repository,
 * then init, new, replay, the project's tests, tsc, a plain Node import, bundle, `serverless
 * package` offline and the layer zip, each through the installed `dspfn` command. One project
 * serves every step; npm runs with --prefer-offline so its cache answers what it can.
 *
 * The package is packed from a copy of the repository: prepack adds the platform packages to
 * package.json for the length of the pack, which the repository's tests must never see.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const HOST_PLATFORM = `linux-${process.arch}-gnu`;
const MiB = 1024 * 1024;
const LAYER_ARN = 'arn:aws:lambda:us-east-1:123456789012:layer:dspfn-dsp-ci:7';
const PARAMS = {
  dspLayerArn: LAYER_ARN,
  mskClusterArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/dspfn-ci/0a1b2c3d-1111-2222-3333-444455556666-7',
  kafkaBootstrapServers: 'b-1.kafka.example.internal:9096,b-2.kafka.example.internal:9096',
  kafkaScramSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dspfn-kafka-scram-AbCdEf',
  kafkaSubnetIds: 'subnet-0aaa1111,subnet-0bbb2222',
  kafkaSecurityGroupIds: 'sg-0ccc3333',
};

let tmp: string;
let app: string;
const tarballs: Record<'main' | 'host' | 'arm64', string> = { main: '', host: '', arm64: '' };
const timings: string[] = [];

/**
 * The environment of a shell in the user's project: without what `npm test` and vitest set
 * (npm's lifecycle and package variables would point npm at this repository, NODE_OPTIONS could
 * carry the source condition) and without any real AWS identity.
 */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const dropped = /^(npm_(package|lifecycle)_|npm_config_(local_prefix|prefix|global_prefix)$|npm_command$|npm_execpath$|npm_node_execpath$|INIT_CWD$|NODE_OPTIONS$|NODE_ENV$|VITEST|TINYPOOL|TEST$|DSPFN_|AWS_(PROFILE|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|DEFAULT_PROFILE)$)/;
  for (const [key, value] of Object.entries(process.env)) if (!dropped.test(key)) env[key] = value;
  return { ...env, ...extra };
}

interface Run {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; a non-zero exit fails the step with everything it printed. */
function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; label?: string }): Promise<Run> {
  const label = options.label ?? `${command} ${args.join(' ')}`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      timings.push(`${label} ${((performance.now() - started) / 1000).toFixed(1)} s`);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${label} failed (${code ?? signal}) in ${options.cwd}:\n${stdout}\n${stderr}`));
    });
  });
}

const npm = (args: readonly string[], cwd: string, label?: string) =>
  run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, ...(label ? { label } : {}) });
const dspfn = (args: readonly string[], env?: NodeJS.ProcessEnv) => run('npx', ['dspfn', ...args], { cwd: app, label: `npx dspfn ${args[0]}`, ...(env ? { env } : {}) });

async function pack(dir: string, cwd: string, label: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', dir, '--pack-destination', tmp, '--json'], { cwd, label });
  // prepack's own output ("[build] …") comes before npm's JSON report, a "[" on a line of its own.
  const report = JSON.parse(stdout.slice(stdout.search(/^\[$/m))) as Array<{ filename: string }>;
  return path.join(tmp, report[0]!.filename);
}

function tarList(tarball: string): string[] {
  return readTar(tarball).map((entry) => entry.name);
}

/** Entries of a .tgz (ustar, as npm writes it): enough to list files and read package.json. */
function readTar(tarball: string): Array<{ name: string; data: Buffer }> {
  const data = zlib.gunzipSync(fs.readFileSync(tarball));
  const entries: Array<{ name: string; data: Buffer }> = [];
  for (let at = 0; at + 512 <= data.length; ) {
    const header = data.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, length: number) => header.toString('utf8', from, from + length).replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    entries.push({ name, data: data.subarray(at + 512, at + 512 + size) });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

beforeAll(async () => {
  const hostBuild = path.join(ROOT, 'layers', 'dsp', 'npm', HOST_PLATFORM, 'dspfn_dsp.node');
  if (!fs.existsSync(hostBuild)) throw new Error(`${path.relative(ROOT, hostBuild)} is missing: npm run build:layer (npm test runs it first)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dspfn-install-'));
  const copy = path.join(tmp, 'dspfn');
  const skipped = new Set(['node_modules', '.git', '.dspfn', '.serverless', 'dist', 'coverage', path.join('layers', 'dsp', 'build')]);
  fs.cpSync(ROOT, copy, { recursive: true, filter: (source) => !skipped.has(path.relative(ROOT, source)) && !source.endsWith('.tgz') });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  [tarballs.main, tarballs.host, tarballs.arm64] = await Promise.all([
    pack('.', copy, 'npm pack dspfn'),
    pack(path.join(ROOT, 'layers', 'dsp', 'npm', HOST_PLATFORM), tmp, `npm pack @dspfn/${HOST_PLATFORM}`),
    pack(path.join(ROOT, 'layers', 'dsp', 'npm', 'linux-arm64-gnu'), tmp, 'npm pack @dspfn/linux-arm64-gnu'),
  ]);
  // An empty folder, as in the README: npm install writes a package.json with the dependencies.
  app = path.join(tmp, 'gauges');
  fs.mkdirSync(app);
  await npm(['install', tarballs.main, tarballs.host], app, 'npm install (tarballs)');
}, 600_000);

afterAll(() => {
  console.log(`[deploy-install] ${timings.join(', ')}`);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds what users run and nothing else, with the platform packages as exact optional dependencies', () => {
    const files = tarList(tarballs.main);
    const outside = files.filter((f) => !/^package\/(bin|dist|templates)\//.test(f) && !['package/package.json', 'package/README.md', 'package/layers/serverless.yml'].includes(f));
    expect(outside).toEqual([]);
    expect(files.filter((f) => /\.test\.|\/core\/|\/test\/|\.ndjson$/.test(f) && !f.startsWith('package/templates/'))).toEqual([]);
    expect(files).toContain('package/bin/dspfn.js');
    expect(files).toContain('package/dist/deploy/params.cjs');
    // `consume --threads`: each thread's first module, plain JavaScript beside the compiled thread.
    expect(files).toEqual(expect.arrayContaining(['package/dist/local/consume-thread-boot.mjs', 'package/dist/local/consume-thread.js']));
    // About 9 KiB per stage of the catalogue (kernel, descriptor, declarations): 45 stages and the rest.
    expect(fs.statSync(tarballs.main).size, 'packed size').toBeLessThan(640 * 1024);
    const manifest = JSON.parse(readTar(tarballs.main).find((e) => e.name === 'package/package.json')!.data.toString('utf8')) as {
      version: string;
      optionalDependencies: Record<string, string>;
      exports: Record<string, string | { types: string; default: string }>;
      dependencies: Record<string, string>;
    };
    expect(manifest.optionalDependencies).toEqual({ '@dspfn/linux-x64-gnu': manifest.version, '@dspfn/linux-arm64-gnu': manifest.version });
    expect(Object.keys(manifest.dependencies)).toEqual(expect.arrayContaining(['@types/aws-lambda', 'esbuild', 'tsx']));
    for (const [entry, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string') continue;
      expect(files, `${entry} types`).toContain(`package/${target.types.slice(2)}`);
      expect(files, `${entry} default`).toContain(`package/${target.default.slice(2)}`);
    }
  }, 120_000);

  it('ships each platform package with its binary and manifest only', () => {
    for (const [tarball, platform] of [[tarballs.host, HOST_PLATFORM], [tarballs.arm64, 'linux-arm64-gnu']] as const) {
      expect(tarList(tarball).sort()).toEqual(['package/dspfn_dsp.node', 'package/package.json']);
      const manifest = JSON.parse(readTar(tarball).find((e) => e.name === 'package/package.json')!.data.toString('utf8'));
      expect(manifest).toMatchObject({ name: `@dspfn/${platform}`, os: ['linux'], libc: ['glibc'], main: 'dspfn_dsp.node' });
    }
  }, 120_000);
});

describe('a project that installed the tarballs', () => {
  it('runs dspfn --version, and plain Node imports every entry point', async () => {
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    expect((await dspfn(['--version'])).stdout.trim()).toBe(version);
    const script = "for (const entry of ['dspfn', 'dspfn/testing', 'dspfn/errors', 'dspfn/adapters', 'dspfn/local']) { const m = await import(entry); if (Object.keys(m).length === 0) throw new Error(entry); } console.log((await import('dspfn/adapters')).resolveBackend().name);";
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, label: 'node import' });
    expect(stdout.trim()).toBe('native');
    expect(stderr).not.toContain('DSPFN_NATIVE');
  }, 120_000);

  it('warns once, naming the platform and the fix, when the platform package is missing (unless DSPFN_BACKEND=js)', async () => {
    const installed = path.join(app, 'node_modules', '@dspfn', HOST_PLATFORM);
    const hidden = `${installed}.hidden`;
    fs.renameSync(installed, hidden);
    try {
      // Twice in one process: one warning.
      const script = "const m = await import('dspfn/adapters'); m.resolveBackend(); console.log(m.resolveBackend().name);";
      const fallback = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, label: 'node import (no platform package)' });
      expect(fallback.stdout.trim()).toBe('js');
      expect(fallback.stderr.match(/DSPFN_NATIVE/g), fallback.stderr).toHaveLength(1);
      expect(fallback.stderr).toContain(`native DSP module for ${HOST_PLATFORM}`);
      expect(fallback.stderr).toContain(`npm install @dspfn/${HOST_PLATFORM}@`);
      const quiet = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env: userEnv({ DSPFN_BACKEND: 'js' }), label: 'node import (DSPFN_BACKEND=js)' });
      expect(quiet.stderr).not.toContain('DSPFN_NATIVE');
    } finally {
      fs.renameSync(hidden, installed);
    }
  }, 120_000);

  it('dspfn init writes the project files and adds its scripts and tools to package.json, then refuses to run again', async () => {
    await dspfn(['init']);
    for (const file of ['tsconfig.json', 'serverless.yml', 'docker-compose.yml', '.gitignore', 'README.md', 'functions/sensor-rms/handler.ts']) {
      expect(fs.existsSync(path.join(app, file)), file).toBe(true);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'gauges', type: 'module', scripts: { test: 'vitest run' } });
    // The installed tarball stays the dependency.
    expect(manifest.dependencies.dspfn).toMatch(/^file:/);
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(['@types/node', 'osls', 'typescript', 'vitest']);
    const serverlessYml = fs.readFileSync(path.join(app, 'serverless.yml'), 'utf8');
    await expect(dspfn(['init'])).rejects.toThrow(/refusing to overwrite tsconfig\.json, serverless\.yml/);
    expect(fs.readFileSync(path.join(app, 'serverless.yml'), 'utf8')).toBe(serverlessYml);
    await npm(['install'], app, 'npm install (init)');
  }, 300_000);

  it('dspfn new adds a function from a template and its serverless.yml entry, refuses to overwrite, and names the templates', async () => {
    await dspfn(['new', 'gauge', '--template', 'readings']);
    expect(fs.readdirSync(path.join(app, 'functions', 'gauge')).sort()).toEqual(['events.ndjson', 'handler.test.ts', 'handler.ts']);
    expect(fs.readFileSync(path.join(app, 'functions', 'gauge', 'handler.ts'), 'utf8')).toContain("name: 'gauge'");
    expect(fs.readFileSync(path.join(app, 'serverless.yml'), 'utf8')).toMatch(/\n {2}gauge:\n {4}handler: functions\/gauge\/handler\.handler\n/);
    await expect(dspfn(['new', 'gauge', '--template', 'noise'])).rejects.toThrow(/refusing to overwrite functions\/gauge\/events\.ndjson/);
    await expect(dspfn(['new', 'x-fft', '--template', 'fft'])).rejects.toThrow(/sensor, noise, readings, window, protobuf/);
    expect(fs.existsSync(path.join(app, 'functions', 'x-fft'))).toBe(false);
  }, 120_000);

  it('dspfn replay runs the new function on its events with the native backend, and says so', async () => {
    const { stderr } = await dspfn(['replay', 'gauge', '--events', 'functions/gauge/events.ndjson', '--out', '.dspfn/out/gauge.ndjson', '--no-progress']);
    expect(stderr).toMatch(new RegExp(`backend\\s+native \\(\\w+, @dspfn/${HOST_PLATFORM}\\)`));
    expect(stderr).toMatch(/records\s+8\n/);
    expect(stderr).toMatch(/dead letters\s+0\n/);
    const results = fs.readFileSync(path.join(app, '.dspfn', 'out', 'gauge.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(results).toHaveLength(8);
    expect(results.every((r) => r.topic === 'gauge' && /^device-00[12]:temperature$/.test(r.value.sensor) && typeof r.value.mean === 'number')).toBe(true);
  }, 120_000);

  it("passes the project's tests (vitest) and tsc with strict NodeNext checking dspfn's declarations too", async () => {
    const [tests] = await Promise.all([
      run('npx', ['vitest', 'run'], { cwd: app, label: 'npx vitest run' }),
      // The generated tsconfig skips library checks, as tsc --init does; this run checks them.
      run('npx', ['tsc', '--skipLibCheck', 'false'], { cwd: app, label: 'npx tsc' }),
    ]);
    expect(tests.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Test Files\s+2 passed \(2\)/);
    const tsconfig = JSON.parse(fs.readFileSync(path.join(app, 'tsconfig.json'), 'utf8')).compilerOptions;
    expect(tsconfig).toMatchObject({ strict: true, module: 'NodeNext', moduleResolution: 'NodeNext' });
    expect(tsconfig).not.toHaveProperty('allowImportingTsExtensions');
  }, 300_000);

  it('dspfn bundle splits each function into chunks and keeps it under 1 MB', async () => {
    const { stdout } = await dspfn(['bundle', '--json']);
    const results = JSON.parse(stdout) as Array<{ name: string; zipFile: string; bundleBytes: number; chunks: Array<{ inputs: Array<{ input: string }> }> }>;
    expect(results.map((r) => r.name)).toEqual(['gauge', 'sensor-rms']);
    for (const bundle of results) {
      expect(bundle.chunks.length, bundle.name).toBeGreaterThanOrEqual(4);
      expect(bundle.chunks.map((c) => c.inputs[0]?.input)).toEqual(expect.arrayContaining(['kafkajs', '@upstash/redis']));
      expect(fs.statSync(bundle.zipFile).size, `${bundle.name}.zip`).toBeLessThan(1 * MiB);
      expect(bundle.bundleBytes, `${bundle.name} startup code`).toBeLessThan(1 * MiB);
      expect([...readZip(fs.readFileSync(bundle.zipFile)).keys()].some((f) => f.endsWith('.node'))).toBe(false);
    }
  }, 120_000);

  it('dspfn package writes, offline, CloudFormation with arm64 functions, the layer and both Kafka event source mappings', async () => {
    const out = path.join(app, '.dspfn', 'cloudformation');
    const params = Object.entries(PARAMS).flatMap(([key, value]) => ['--param', `${key}=${value}`]);
    const env = userEnv({ AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'offline-packaging-only' });
    await dspfn(['package', '--package', out, '--stage', 'ci', '--region', 'us-east-1', ...params], env);
    const template = JSON.parse(fs.readFileSync(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, any> }>;
    };
    const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(['GaugeLambdaFunction', 'SensorDashrmsLambdaFunction']);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Architectures: ['arm64'], Runtime: 'nodejs22.x', Layers: [LAYER_ARN] });
      expect(fn.Properties.Environment.Variables).toMatchObject({ DSPFN_BACKEND: 'native' });
    }
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);
    const msk = mappings.filter((m) => m.AmazonManagedKafkaEventSourceConfig);
    const selfManaged = mappings.filter((m) => m.SelfManagedEventSource);
    expect(msk.map((m) => m.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId).sort()).toEqual(['gauges-ci-gauge', 'gauges-ci-sensor-rms']);
    expect(msk[0]).toMatchObject({ EventSourceArn: { Ref: 'MskClusterArn' }, Topics: ['sensors'] });
    expect(selfManaged).toHaveLength(1);
    expect(selfManaged[0]!.SelfManagedEventSource.Endpoints.KafkaBootstrapServers).toEqual(PARAMS.kafkaBootstrapServers.split(','));
    expect(selfManaged[0]!.SourceAccessConfigurations).toContainEqual({ Type: 'SASL_SCRAM_512_AUTH', URI: PARAMS.kafkaScramSecretArn });
  }, 120_000);

  it('dspfn layer makes the Lambda layer zip from the packed arm64 package', async () => {
    await dspfn(['layer', '--from', tarballs.arm64]);
    const files = readZip(fs.readFileSync(path.join(app, '.dspfn', 'layer', 'dspfn-dsp-layer.zip')));
    expect([...files.keys()].sort()).toEqual(['nodejs/node_modules/@dspfn/linux-arm64-gnu/dspfn_dsp.node', 'nodejs/node_modules/@dspfn/linux-arm64-gnu/package.json']);
    expect(files.get('nodejs/node_modules/@dspfn/linux-arm64-gnu/dspfn_dsp.node')!.readUInt16LE(18), 'EM_AARCH64').toBe(0xb7);
    await expect(dspfn(['layer', '--from', tarballs.main])).rejects.toThrow(/is dspfn, not @dspfn\/linux-arm64-gnu/);
  }, 120_000);
});
