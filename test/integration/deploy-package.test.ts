import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunctions, ROOT, SCHEMA_FILE, type BundleResult } from '../../core/deploy/bundle.ts';
import { extractZip, readZip } from '../../core/deploy/zip.ts';
import { mskEvent } from '../../core/testing/index.ts';
import { awsStubEnv, startAwsStub } from '../servers/aws-stub.ts';
import { LAYER_ZIP, MiB, offlineEnv, readTemplate, serverless, type Resource, type Template } from './deploy-support.ts';
import { expectNoSecrets } from './security-support.ts';

/**
 * Packages both stacks with osls, offline (dummy credentials, nothing deployed), and checks the
 * CloudFormation they would deploy and the function zips (the layer stack: deploy-layer.test.ts).
 */

// This machine's platform package (the arm64 one on an arm64 host).
const HOST_PACKAGE = `linux-${process.arch}-gnu`;
const HOST_BUILD = path.join(ROOT, 'layers', 'dsp', 'npm', HOST_PACKAGE);

const PARAMS = {
  dspLayerArn: 'arn:aws:lambda:us-east-1:123456789012:layer:dspfn-dsp-ci:7',
  mskClusterArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/dspfn-ci/0a1b2c3d-1111-2222-3333-444455556666-7',
  kafkaBootstrapServers: 'b-1.kafka.example.internal:9096,b-2.kafka.example.internal:9096',
  kafkaScramSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dspfn-kafka-scram-AbCdEf',
  kafkaSubnetIds: 'subnet-0aaa1111,subnet-0bbb2222',
  kafkaSecurityGroupIds: 'sg-0ccc3333',
  // State in Redis, its URL (with the password) in SSM: only the parameter's name is deployed.
  stateSsmParameter: '/dspfn/ci/redis-url',
};

let tmp: string;
let bundles: BundleResult[];
let template: Template;
let state: { service: { functions: Record<string, { package: { artifact: string } }> } };
const timings: string[] = [];

function timed<T>(label: string, work: () => T): T {
  const started = performance.now();
  const result = work();
  timings.push(`${label} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function resourcesOfType(type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** The mapping of one function (its logical id prefix, e.g. SensorDashrms). */
function mappingFor(kind: 'MSK' | 'Kafka', fn: string): Resource {
  const found = resourcesOfType('AWS::Lambda::EventSourceMapping').filter(([id]) => id.startsWith(`${fn}EventSourceMapping${kind}`));
  expect(found, `one ${kind} event source mapping of ${fn}`).toHaveLength(1);
  return found[0]![1];
}

function roleStatements(): Array<{ Action: string | string[]; Resource: unknown }> {
  const role = template.Resources.IamRoleLambdaExecution!;
  return role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
}

function actions(): Set<string> {
  return new Set(roleStatements().flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
}

/**
 * The bundle leaves @aws-sdk/* to the runtime. Lambda's Node runtimes resolve ES module imports
 * through NODE_PATH (/var/runtime/node_modules holds the SDK); stock Node does not, so the SDK is
 * linked where ESM resolution looks: a node_modules above the code. Nothing else is, so a
 * dependency missing from the bundle still fails here.
 */
function provideRuntimeSdk(task: string): void {
  fs.mkdirSync(path.join(task, 'node_modules'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules', '@aws-sdk'), path.join(task, 'node_modules', '@aws-sdk'), 'dir');
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dspfn-deploy-'));
  const artifacts = path.join(tmp, 'artifacts');
  const started = performance.now();
  return bundleFunctions({ outDir: artifacts }).then((results) => {
    bundles = results;
    timings.push(`bundle ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const params = Object.entries(PARAMS).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
    timed('serverless package (functions)', () =>
      serverless(['package', '--package', path.join(tmp, 'functions'), '--stage', 'ci', '--region', 'us-east-1', ...params], ROOT, offlineEnv({ DSPFN_ARTIFACT_DIR: artifacts })),
    );
    template = readTemplate(path.join(tmp, 'functions'));
    state = JSON.parse(fs.readFileSync(path.join(tmp, 'functions', 'serverless-state.json'), 'utf8'));
  });
}, 120_000);

afterAll(() => {
  console.log(`[deploy-package] ${timings.join(', ')}`);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('function stack (serverless.yml)', () => {
  it('runs each function on arm64 / nodejs22.x with the layer, from its own bundle', () => {
    const functions = resourcesOfType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([
      'IotDashanomalyLambdaFunction',
      'NoiseDashcancelLambdaFunction',
      'RfiDashdetectLambdaFunction',
      'SensorDashrmsLambdaFunction',
      'TelemetryDashsmoothLambdaFunction',
      'WindowDashavgLambdaFunction',
    ]);
    for (const [, fn] of functions) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Layers).toContain(PARAMS.dspLayerArn);
      expect(fn.Properties.Handler).toMatch(/^functions\/(sensor-rms|noise-cancel|telemetry-smooth|rfi-detect|iot-anomaly|window-avg)\/handler\.handler$/);
      expect(fn.Properties.Environment.Variables).toMatchObject({ DSPFN_BACKEND: 'native', DSPFN_STATE_SSM_PARAMETER: PARAMS.stateSsmParameter, DSPFN_SINK: 'stdout' });
      expect(fn.Properties.Environment.Variables).not.toHaveProperty('DSPFN_STATE');
    }
  });

  it('maps the MSK topic (sensor-rms)', () => {
    const msk = mappingFor('MSK', 'SensorDashrms').Properties;
    expect(msk.FunctionName).toEqual({ 'Fn::GetAtt': ['SensorDashrmsLambdaFunction', 'Arn'] });
    expect(msk.EventSourceArn).toEqual({ Ref: 'MskClusterArn' });
    expect(template.Parameters?.MskClusterArn?.Default).toBe(PARAMS.mskClusterArn);
    expect(msk.Topics).toEqual(['sensors']);
    expect(msk.BatchSize).toBe(500);
    expect(msk.MaximumBatchingWindowInSeconds).toBe(1);
    expect(msk.StartingPosition).toBe('LATEST');
    expect(msk.Enabled).toBe(true);
    expect(msk.AmazonManagedKafkaEventSourceConfig).toEqual({ ConsumerGroupId: 'dspfn-examples-ci-sensor-rms' });
    // The Kafka sink (DSPFN_SINK=kafka) writes back to the same cluster over IAM.
    expect(template.Resources.SensorDashrmsLambdaFunction!.Properties.Environment.Variables).toMatchObject({
      DSPFN_MSK_CLUSTER_ARN: { Ref: 'MskClusterArn' },
      DSPFN_KAFKA_AUTH: 'iam',
    });
  });

  it('ticks the windowed function (window-avg) every minute, besides its MSK topic', () => {
    expect(mappingFor('MSK', 'WindowDashavg').Properties).toMatchObject({ Topics: ['input-events'], AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'dspfn-examples-ci-window-avg' } });
    const rules = resourcesOfType('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    expect(JSON.stringify(rules[0]!.Targets)).toContain('WindowDashavgLambdaFunction');
  });

  it('maps the MSK telemetry topic (telemetry-smooth)', () => {
    const msk = mappingFor('MSK', 'TelemetryDashsmooth').Properties;
    expect(msk.FunctionName).toEqual({ 'Fn::GetAtt': ['TelemetryDashsmoothLambdaFunction', 'Arn'] });
    expect(msk.Topics).toEqual(['telemetry']);
    expect(msk.AmazonManagedKafkaEventSourceConfig).toEqual({ ConsumerGroupId: 'dspfn-examples-ci-telemetry-smooth' });
    const read = roleStatements().find((s) => [s.Action].flat().includes('kafka-cluster:ReadData'));
    expect(JSON.stringify(read?.Resource)).toContain('/telemetry');
  });

  it('maps the MSK element.raw_data topic (rfi-detect)', () => {
    const msk = mappingFor('MSK', 'RfiDashdetect').Properties;
    expect(msk.FunctionName).toEqual({ 'Fn::GetAtt': ['RfiDashdetectLambdaFunction', 'Arn'] });
    expect(msk.Topics).toEqual(['element.raw_data']);
    expect(msk.AmazonManagedKafkaEventSourceConfig).toEqual({ ConsumerGroupId: 'dspfn-examples-ci-rfi-detect' });
    const read = roleStatements().find((s) => [s.Action].flat().includes('kafka-cluster:ReadData'));
    expect(JSON.stringify(read?.Resource)).toContain('/element.raw_data');
  });

  it('maps the self-managed Kafka topic over SASL/SCRAM in a VPC (noise-cancel)', () => {
    const kafka = mappingFor('Kafka', 'NoiseDashcancel').Properties;
    expect(kafka.FunctionName).toEqual({ 'Fn::GetAtt': ['NoiseDashcancelLambdaFunction', 'Arn'] });
    expect(kafka.SelfManagedEventSource.Endpoints.KafkaBootstrapServers).toEqual(PARAMS.kafkaBootstrapServers.split(','));
    expect(kafka.SourceAccessConfigurations).toEqual([
      { Type: 'SASL_SCRAM_512_AUTH', URI: PARAMS.kafkaScramSecretArn },
      { Type: 'VPC_SUBNET', URI: 'subnet:subnet-0aaa1111' },
      { Type: 'VPC_SUBNET', URI: 'subnet:subnet-0bbb2222' },
      { Type: 'VPC_SECURITY_GROUP', URI: 'security_group:sg-0ccc3333' },
    ]);
    expect(kafka.Topics).toEqual(['noisy-signals']);
    expect(kafka.BatchSize).toBe(500);
    expect(kafka.StartingPosition).toBe('LATEST');
    expect(kafka.SelfManagedKafkaEventSourceConfig).toEqual({ ConsumerGroupId: 'dspfn-examples-ci-noise-cancel' });
    const env = template.Resources.NoiseDashcancelLambdaFunction!.Properties.Environment.Variables;
    // The Kafka sink logs in with the trigger's own secret, read from Secrets Manager.
    expect(env).toMatchObject({ DSPFN_KAFKA_BROKERS: PARAMS.kafkaBootstrapServers, DSPFN_KAFKA_AUTH: 'scram-sha-512', DSPFN_KAFKA_SECRET_ARN: PARAMS.kafkaScramSecretArn });
  });

  it('takes every secret from Secrets Manager or SSM: the template holds names of secrets, never a secret', () => {
    const secretShaped = /PASSWORD|TOKEN|SECRET|_KEY$/;
    for (const [id, fn] of resourcesOfType('AWS::Lambda::Function')) {
      const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
      for (const [name, value] of Object.entries(variables)) {
        // A variable may name where a secret is (…_ARN, …_PARAMETER), never hold one.
        if (secretShaped.test(name)) expect(name, `${id} ${name}`).toMatch(/_(SECRET_ARN|SSM_PARAMETER)$/);
        expect(JSON.stringify(value), `${id} ${name}`).not.toMatch(/rediss?:\/\/[^"]*@|-----BEGIN|password/i);
      }
    }
    expect(JSON.stringify(template)).not.toMatch(/rediss?:\/\/|-----BEGIN|"password"/i);
    // The functions may read the SSM parameters of their stage, and the SCRAM secret.
    const ssm = roleStatements().find((s) => [s.Action].flat().includes('ssm:GetParameter'));
    expect(JSON.stringify(ssm?.Resource)).toBe(JSON.stringify([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':parameter/dspfn/ci/*']] }]));
    expect(PARAMS.stateSsmParameter.startsWith('/dspfn/ci/')).toBe(true);
  });

  it('a bundled function reads its secrets from SSM and Secrets Manager at init, through the AWS SDK of the runtime', async () => {
    const stub = await startAwsStub();
    // Stands in for Redis: the function can only know this port from the URL it read from SSM.
    const redisConnections: string[] = [];
    const redis = net.createServer((socket) => {
      redisConnections.push(`${socket.remoteAddress}`);
      socket.destroy();
    });
    await new Promise<void>((resolve) => redis.listen(0, '127.0.0.1', resolve));
    const password = 'redis-pw-from-ssm-Q7x';
    const kafkaPassword = 'kafka-pw-from-sm-R2y';
    stub.parameters.set(PARAMS.stateSsmParameter, `rediss://dspfn:${password}@127.0.0.1:${(redis.address() as net.AddressInfo).port}`);
    stub.secrets.set(PARAMS.kafkaScramSecretArn, JSON.stringify({ username: 'svc', password: kafkaPassword }));
    let child: ChildProcess | undefined;
    try {
      const bundle = bundles.find((b) => b.name === 'noise-cancel')!;
      const task = path.join(tmp, 'secrets-task');
      extractZip(bundle.zipFile, task);
      provideRuntimeSdk(task);
      // The function's environment as deployed, plus what Lambda itself sets and the stub's endpoint.
      const deployed = template.Resources.NoiseDashcancelLambdaFunction!.Properties.Environment.Variables as Record<string, unknown>;
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        ...Object.fromEntries(Object.entries(deployed).filter(([, v]) => typeof v === 'string') as Array<[string, string]>),
        ...awsStubEnv(stub, 'us-east-1'),
        AWS_LAMBDA_FUNCTION_NAME: 'noise-cancel',
        DSPFN_BACKEND: 'js',
        DSPFN_SINK: 'kafka',
        // Nothing listens there: the sink reads its secret, then keeps trying to connect.
        DSPFN_KAFKA_BROKERS: '127.0.0.1:1',
      };
      expect(env.DSPFN_STATE_SSM_PARAMETER).toBe(PARAMS.stateSsmParameter);
      expect(env.DSPFN_KAFKA_SECRET_ARN).toBe(PARAMS.kafkaScramSecretArn);
      expect(env).not.toHaveProperty('DSPFN_STATE');
      const script = `
        const { handler } = await import(${JSON.stringify(path.join(task, bundle.handlerPath))});
        await handler.dspfn.warm({ timeoutMs: 60000 });
      `;
      child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: task, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      // The warm-up, at init, reads both secrets and connects to the Redis the SSM URL names.
      const deadline = Date.now() + 30_000;
      while (stub.requests.length < 2 || redisConnections.length === 0) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`reads ${JSON.stringify(stub.requests)}, Redis connections ${redisConnections.length}, output:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(stub.requests.map((r) => `${r.operation} ${r.id}`).sort()).toEqual([`GetParameter ${PARAMS.stateSsmParameter}`, `GetSecretValue ${PARAMS.kafkaScramSecretArn}`]);
      expect(stub.requests.every((r) => r.region === 'us-east-1')).toBe(true);
      expectNoSecrets(output, [password, kafkaPassword]);
    } finally {
      child?.kill('SIGKILL');
      redis.close();
      await stub.close();
    }
  });

  it('sets retries, record age, bisect, partial batch responses and a Kafka on-failure topic on both mappings', () => {
    for (const [kind, fn, destination] of [['MSK', 'SensorDashrms', 'kafka://sensors.failed'], ['Kafka', 'NoiseDashcancel', 'kafka://noisy-signals.failed']] as const) {
      const p = mappingFor(kind, fn).Properties;
      expect(p, kind).toMatchObject({
        MaximumRetryAttempts: 10,
        MaximumRecordAgeInSeconds: 86400,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: destination } },
        // These controls exist only in provisioned mode.
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 },
      });
    }
  });

  it('grants what MSK IAM auth, MSK Serverless, the VPC pollers and the SCRAM secret need', () => {
    const granted = actions();
    for (const action of [
      'kafka:DescribeClusterV2',
      'kafka:GetBootstrapBrokers',
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeGroup',
      'kafka-cluster:AlterGroup',
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:ReadData',
      'kafka-cluster:WriteData',
      'kafka-cluster:DescribeClusterDynamicConfiguration',
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeVpcs',
      'ec2:DescribeSubnets',
      'ec2:DescribeSecurityGroups',
      'secretsmanager:GetSecretValue',
    ]) {
      expect(granted, action).toContain(action);
    }
    const secret = roleStatements().find((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect([secret?.Resource].flat()).toEqual([PARAMS.kafkaScramSecretArn]);
    // Topic and group grants are scoped to the cluster named by the parameter, not '*'.
    const read = roleStatements().find((s) => [s.Action].flat().includes('kafka-cluster:ReadData'));
    expect(JSON.stringify(read?.Resource)).toContain('"Ref":"MskClusterArn"');
    expect(JSON.stringify(read?.Resource)).toContain('/sensors');
  });

  it('ships each function as a zip under 1 MB holding the bundle (and its map) but no native binary', () => {
    expect(bundles.map((b) => b.name).sort()).toEqual(['iot-anomaly', 'noise-cancel', 'rfi-detect', 'sensor-rms', 'telemetry-smooth', 'window-avg']);
    for (const bundle of bundles) {
      const fn = template.Resources[`${bundle.name[0]!.toUpperCase()}${bundle.name.slice(1).replace(/-/g, 'Dash')}LambdaFunction`]!;
      expect(fn.Properties.Code.S3Key).toMatch(new RegExp(`/${bundle.name}\\.zip$`));
      expect(state.service.functions[bundle.name]?.package.artifact).toBe(bundle.zipFile);
      expect(fs.statSync(bundle.zipFile).size, `${bundle.name}.zip`).toBeLessThan(1 * MiB);
      const files = readZip(fs.readFileSync(bundle.zipFile));
      const chunkFiles = bundle.chunks.map((c) => c.file);
      const scripts = [bundle.handlerPath, ...[...files.keys()].filter((f) => f.endsWith('.mjs') && f !== bundle.handlerPath)];
      const schemas = [...files.keys()].filter((f) => SCHEMA_FILE.test(f));
      expect(schemas).toEqual(bundle.name === 'telemetry-smooth' ? ['functions/telemetry-smooth/telemetry.proto'] : []);
      // Chunks of only third-party code ship without a map (and without the comment naming one).
      const libraryOnly = new Set(bundle.chunks.filter((c) => c.inputs.length > 0 && c.inputs.every((i) => !/^(core|functions)\//.test(i.input))).map((c) => c.file));
      expect(libraryOnly.size, `${bundle.name}: library-only chunks`).toBeGreaterThanOrEqual(4);
      const mapped = scripts.filter((f) => !libraryOnly.has(f));
      expect(mapped).toContain(bundle.handlerPath);
      expect([...files.keys()].sort()).toEqual([...scripts, ...mapped.map((f) => `${f}.map`), ...schemas].sort());
      for (const file of scripts) expect(files.get(file)!.toString('utf8').includes('//# sourceMappingURL='), file).toBe(mapped.includes(file));
      for (const file of scripts.slice(1)) expect(file).toMatch(new RegExp(`^functions/${bundle.name}/chunks/[\\w-]+\\.mjs$`));
      // The adapter libraries are chunks of their own, compiled only by configurations that use them.
      for (const pkg of ['kafkajs', '@platformatic/kafka', '@upstash/redis', 'aws-msk-iam-sasl-signer-js', 'lz4js']) {
        const chunk = bundle.chunks.find((c) => c.inputs[0]?.input === pkg);
        expect(chunk, `${bundle.name}: a chunk for ${pkg}`).toBeDefined();
        expect(chunkFiles).toContain(chunk!.file);
        expect(bundle.topInputs.map((t) => t.input)).not.toContain(pkg);
      }
      // Redis over TCP speaks RESP itself (core/state/resp-connection.ts): no client library bundled.
      expect(bundle.chunks.flatMap((c) => c.inputs.map((i) => i.input)).filter((input) => input.startsWith('@redis/'))).toEqual([]);
      // The secret reads (Secrets Manager, SSM) too; the AWS SDK they call is the runtime's.
      const secrets = bundle.chunks.find((c) => c.inputs[0]?.input === 'core/secrets');
      expect(secrets, `${bundle.name}: a chunk for the secret reads`).toBeDefined();
      expect(files.get(secrets!.file)!.toString('utf8')).toMatch(/from"@aws-sdk\/client-secrets-manager"|import\("@aws-sdk\/client-secrets-manager"\)/);
      expect(bundle.bundleBytes).toBeLessThan(bundle.chunks.reduce((sum, c) => sum + c.bytes, 0));
      // Lambda resolves handler "functions/x/handler.handler" to functions/x/handler.mjs.
      expect(`${fn.Properties.Handler.replace(/\.handler$/, '')}.mjs`).toBe(bundle.handlerPath);
      expect([...files.keys()].some((f) => f.endsWith('.node'))).toBe(false);
      const code = files.get(bundle.handlerPath)!.toString('utf8');
      expect(code).not.toMatch(/\x7fELF/);
      expect(code).toContain('export{');
    }
  });

  it('gives core, through packageExports, the API it calls from each on-demand adapter chunk', () => {
    const bundle = bundles.find((b) => b.name === 'sensor-rms')!;
    const task = path.join(tmp, 'chunks-task');
    extractZip(bundle.zipFile, task);
    provideRuntimeSdk(task);
    // What core/kafka/producer.ts, platformatic-producer.ts, auth.ts, compression.ts and core/state/upstash.ts take.
    const uses: Record<string, Record<string, string>> = {
      kafkajs: { Kafka: 'function', Partitioners: 'object' },
      '@upstash/redis': { Redis: 'function' },
      'aws-msk-iam-sasl-signer-js': { generateAuthToken: 'function' },
      lz4js: { compressBound: 'function', compressBlock: 'function', decompress: 'function' },
      '@platformatic/kafka': { Producer: 'function', compatibilityPartitioner: 'function' },
    };
    const script = `
      import { packageExports } from ${JSON.stringify(path.join(ROOT, 'core', 'lazy-import.ts'))};
      const [file, names] = process.argv.slice(1);
      const lib = packageExports(await import(file));
      process.stdout.write(JSON.stringify(Object.fromEntries(names.split(',').map((n) => [n, typeof lib[n]]))));
    `;
    for (const [pkg, types] of Object.entries(uses)) {
      const chunk = bundle.chunks.find((c) => c.inputs[0]?.input === pkg)!;
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path.join(task, chunk.file), Object.keys(types).join(',')], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout), pkg).toEqual(types);
    }
  });

  it('runs telemetry-smooth from its zip: the .proto beside the handler, protobufjs from its on-demand chunk', () => {
    const bundle = bundles.find((b) => b.name === 'telemetry-smooth')!;
    expect(bundle.chunks.some((c) => c.inputs.some((i) => i.input === 'protobufjs'))).toBe(true);
    const task = path.join(tmp, 'telemetry-task');
    extractZip(bundle.zipFile, task);
    provideRuntimeSdk(task);
    const line = fs.readFileSync(path.join(ROOT, 'functions', 'telemetry-smooth', 'events.ndjson'), 'utf8').split('\n')[0]!;
    const event = { eventSource: 'aws:kafka', bootstrapServers: 'b-1:9098', records: { 'telemetry-0': [JSON.parse(line)] } };
    const script = `
      const { handler } = await import(${JSON.stringify(path.join(task, bundle.handlerPath))});
      await handler(${JSON.stringify(event)}, { awsRequestId: 'smoke', functionName: 'telemetry-smooth', getRemainingTimeInMillis: () => 60000 });
    `;
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, DSPFN_LOG_LEVEL: 'warn', DSPFN_BACKEND: 'js' };
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: task, env, encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n')[0]!)).toMatchObject({ topic: 'telemetry-smooth', key: 'session-abc123', value: { sessionId: 'session-abc123', speed: 180 } });
  });

  it('imports a bundle in a fresh Node process and runs a batch with the native module from a layer-shaped /opt', () => {
    const opt = path.join(tmp, 'opt');
    const pkg = path.join(opt, 'nodejs', 'node_modules', '@dspfn', HOST_PACKAGE);
    // /opt as Lambda unpacks the layer (the arm64 package); on x64 this machine's package sits beside it.
    const hasNative = fs.existsSync(LAYER_ZIP) && fs.existsSync(path.join(HOST_BUILD, 'dspfn_dsp.node'));
    if (hasNative) {
      extractZip(LAYER_ZIP, opt);
      fs.mkdirSync(pkg, { recursive: true });
      for (const file of ['package.json', 'dspfn_dsp.node']) fs.copyFileSync(path.join(HOST_BUILD, file), path.join(pkg, file));
    }
    const bundle = bundles.find((b) => b.name === 'sensor-rms')!;
    const task = path.join(tmp, 'task');
    extractZip(bundle.zipFile, task);
    // In-memory state and stdout results need no adapter library: loading any chunk fails the run.
    for (const chunk of bundle.chunks) fs.writeFileSync(path.join(task, chunk.file), `throw new Error('${chunk.file} loaded');\n`);
    provideRuntimeSdk(task);
    const event = mskEvent([{ key: 'dev-1', value: { deviceId: 'dev-1', sampleRate: 100, data: [1, 1, 1] } }], { topic: 'sensors' });
    const script = `
      import { createRequire } from 'node:module';
      const { handler } = await import(${JSON.stringify(path.join(task, bundle.handlerPath))});
      await handler(${JSON.stringify(event)}, { awsRequestId: 'smoke', functionName: 'sensor-rms', getRemainingTimeInMillis: () => 60000 });
      const native = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.endsWith('.node'));
      process.stderr.write('NATIVE=' + JSON.stringify(native) + '\\n');
    `;
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_PATH: path.join(opt, 'nodejs', 'node_modules'), DSPFN_LOG_LEVEL: 'warn', NODE_OPTIONS: '--enable-source-maps' };
    if (hasNative) env.AWS_LAMBDA_FUNCTION_NAME = 'sensor-rms';
    else env.DSPFN_BACKEND = 'js';
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: task, env, encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    const line = run.stdout.trim().split('\n')[0]!;
    expect(JSON.parse(line)).toMatchObject({ topic: 'sensor-rms', key: 'dev-1', value: { rms: [1, 1, 1] } });
    if (hasNative) {
      const native = JSON.parse(/NATIVE=(.*)/.exec(run.stderr)?.[1] ?? '[]') as string[];
      // Fails when the default runtime does not resolve the native backend: the deployed
      // functions would then run the TypeScript kernels although the layer is attached.
      expect(native, `the bundle loads @dspfn/${HOST_PACKAGE} from NODE_PATH (the layer)`).toEqual([path.join(pkg, 'dspfn_dsp.node')]);
    }
  });
});
