import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../core/deploy/bundle.ts';
import { readZip } from '../../core/deploy/zip.ts';
import { LAYER_ZIP, MiB, offlineEnv, readTemplate, SERVERLESS, serverless } from './deploy-support.ts';

/** The layer stack (layers/serverless.yml) packaged with osls, offline, and the layer zip it ships. */

const NATIVE_DIR = 'nodejs/node_modules/@dspfn/linux-arm64-gnu';

let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dspfn-deploy-layer-'));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('layer', () => {
  it('is a Lambda layer zip holding the arm64 platform package (AArch64 ELF) at nodejs/node_modules/@dspfn/linux-arm64-gnu', () => {
    expect(fs.existsSync(LAYER_ZIP), `${path.relative(ROOT, LAYER_ZIP)} is built by npm run build:layer`).toBe(true);
    const files = readZip(fs.readFileSync(LAYER_ZIP));
    expect([...files.keys()].sort()).toEqual([`${NATIVE_DIR}/dspfn_dsp.node`, `${NATIVE_DIR}/package.json`]);
    const elf = files.get(`${NATIVE_DIR}/dspfn_dsp.node`)!;
    expect([...elf.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]); // \x7fELF
    expect(elf[4], 'ELFCLASS64').toBe(2);
    expect(elf[5], 'little endian').toBe(1);
    expect(elf.readUInt16LE(16), 'ET_DYN (shared object)').toBe(3);
    expect(elf.readUInt16LE(18), 'e_machine EM_AARCH64').toBe(0xb7);
    const manifest = JSON.parse(files.get(`${NATIVE_DIR}/package.json`)!.toString('utf8')) as { name: string; main: string; cpu: string[] };
    expect(manifest).toMatchObject({ name: '@dspfn/linux-arm64-gnu', main: 'dspfn_dsp.node', cpu: ['arm64'] });
    expect(files.get(`${NATIVE_DIR}/dspfn_dsp.node`)!.equals(fs.readFileSync(path.join(ROOT, 'layers', 'dsp', 'npm', 'linux-arm64-gnu', 'dspfn_dsp.node')))).toBe(true);
    expect(elf.length).toBeLessThan(1 * MiB);
  });

  it('packages the layer stack (layers/serverless.yml) with describeStacks answered offline', () => {
    expect(fs.existsSync(LAYER_ZIP), `${path.relative(ROOT, LAYER_ZIP)} is built by npm run build:layer`).toBe(true);
    // A service that declares a layer asks CloudFormation whether the layer changed; answer as
    // for a first deploy ("does not exist") so that osls packages without a network.
    const stub = path.join(tmp, 'describe-stacks-offline.cjs');
    fs.writeFileSync(
      stub,
      `const AWS = require(require.resolve('aws-sdk', { paths: [${JSON.stringify(path.dirname(path.dirname(SERVERLESS)))}] }));
const promise = AWS.Request.prototype.promise;
AWS.Request.prototype.promise = function () {
  if (this.operation !== 'describeStacks') return promise.apply(this, arguments);
  const error = new Error('Stack with id ' + this.params.StackName + ' does not exist');
  error.code = 'ValidationError';
  error.statusCode = 400;
  return Promise.reject(error);
};
`,
    );
    const out = path.join(tmp, 'layer');
    serverless(['package', '--package', out, '--stage', 'ci', '--region', 'us-east-1'], path.join(ROOT, 'layers'), offlineEnv(), ['--require', stub]);
    const layerTemplate = readTemplate(out);
    const layer = layerTemplate.Resources.DspLambdaLayer!;
    expect(layer.Type).toBe('AWS::Lambda::LayerVersion');
    expect(layer.Properties).toMatchObject({
      LayerName: 'dspfn-dsp-ci',
      CompatibleArchitectures: ['arm64'],
      CompatibleRuntimes: ['nodejs22.x', 'nodejs20.x'],
    });
    expect(layer.Properties.Content.S3Key).toMatch(/\/dspfn-dsp-layer\.zip$/);
    expect(layerTemplate.Outputs?.DspLayerArn?.Value).toEqual({ Ref: 'DspLambdaLayer' });
    // The artifact osls will upload is the built zip.
    const state = JSON.parse(fs.readFileSync(path.join(out, 'serverless-state.json'), 'utf8'));
    expect(path.resolve(ROOT, 'layers', state.service.initialServerlessConfig.layers.dsp.package.artifact)).toBe(LAYER_ZIP);
  });
});
