import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { initProject } from './init.ts';
import { newFunction, serverlessEntry } from './new-function.ts';
import { addFunctionEntry, functionEntry } from './serverless-functions.ts';
import { availableTemplates, TEMPLATE_NAMES } from './templates.ts';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dspfn-scaffold-'));
}

/** Every file under dir with its content, to prove a refused run wrote nothing. */
function snapshot(dir: string): Record<string, string> {
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile());
  return Object.fromEntries(files.sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** Creates the function from a template and returns its handler's path. */
function functionFilesOf(dir: string, name: string, template: string): string {
  newFunction(dir, name, { template });
  return `functions/${name}/handler.ts`;
}

describe('serverless.yml function entries', () => {
  const entry = functionEntry({ name: 'gauge', description: 'g', topic: 'sensors', triggers: ['msk'] });

  it('go at the end of the functions block, before the next top-level key, keeping comments', () => {
    const yaml = 'service: s # keep\nfunctions:\n  a:\n    handler: functions/a/handler.handler\n\nresources:\n  x: 1\n';
    const updated = addFunctionEntry(yaml, 'gauge', entry)!;
    expect(updated).toBe(`service: s # keep\nfunctions:\n  a:\n    handler: functions/a/handler.handler\n${entry}\nresources:\n  x: 1\n`);
    expect(addFunctionEntry('service: s\nfunctions:\n', 'gauge', entry)).toBe(`service: s\nfunctions:\n${entry}`);
  });

  it('are refused for a name the block already has, and left to the user without a functions block', () => {
    expect(() => addFunctionEntry(`functions:\n${entry}`, 'gauge', entry)).toThrow(/already has a function "gauge"/);
    expect(addFunctionEntry('service: s\n', 'gauge', entry)).toBeUndefined();
  });

  it('name the trigger settings of each kind', () => {
    const both = functionEntry({ name: 'n', description: 'd', topic: 't', triggers: ['msk', 'kafka'] });
    expect(both).toContain('      - msk:\n          arn:\n            Ref: MskClusterArn\n          topic: t\n');
    expect(both).toContain('      - kafka:\n          bootstrapServers: ${file(./node_modules/dspfn/dist/deploy/params.cjs):kafkaBootstrapServers}\n');
    expect(both.match(/consumerGroupId: \$\{self:service\}-\$\{sls:stage\}-n\n/g)).toHaveLength(2);
  });
});

describe('dspfn init', () => {
  it('creates a project in a new folder and refuses a second run without writing anything', () => {
    const dir = path.join(tempDir(), 'My Gauges');
    const result = initProject(dir);
    expect(result.written.sort()).toEqual(
      ['.gitignore', 'README.md', 'docker-compose.yml', 'package.json', 'serverless.yml', 'tsconfig.json', ...['events.ndjson', 'handler.test.ts', 'handler.ts'].map((f) => `functions/sensor-rms/${f}`)].sort(),
    );
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'my-gauges', type: 'module', private: true, dependencies: { dspfn: expect.stringMatching(/^\^\d/) } });
    const yaml = fs.readFileSync(path.join(dir, 'serverless.yml'), 'utf8');
    expect(yaml).toMatch(/^service: my-gauges$/m);
    expect(yaml).toContain('architecture: arm64');
    expect(yaml).toContain('- ${param:dspLayerArn, cf:dspfn-dsp-layer-${sls:stage}.DspLayerArn}');
    expect(yaml).toContain('      - msk:');
    expect(yaml).toContain('      - kafka:');
    expect(fs.readFileSync(path.join(dir, 'functions/sensor-rms/handler.ts'), 'utf8')).toContain("name: 'sensor-rms'");
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain('npx dspfn replay sensor-rms --events functions/sensor-rms/events.ndjson');
    const before = snapshot(dir);
    expect(() => initProject(dir)).toThrow(ConfigError);
    expect(() => initProject(dir)).toThrow(/refusing to overwrite tsconfig\.json, serverless\.yml, docker-compose\.yml, \.gitignore, README\.md, functions\/sensor-rms/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('adds what is missing to an existing package.json and keeps every value it has', () => {
    const dir = tempDir();
    const existing = { name: '@acme/dsp', version: '2.0.0', scripts: { test: 'vitest run --coverage' }, dependencies: { dspfn: 'file:../dspfn-0.1.0.tgz' } };
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(existing));
    const result = initProject(dir);
    expect(result.added).toEqual(['type', 'scripts.typecheck', 'scripts.bundle', 'scripts.package', 'scripts.deploy', 'devDependencies.@types/node', 'devDependencies.osls', 'devDependencies.typescript', 'devDependencies.vitest']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ ...existing, type: 'module', scripts: { test: 'vitest run --coverage', bundle: 'dspfn bundle' } });
    expect(fs.readFileSync(path.join(dir, 'serverless.yml'), 'utf8')).toMatch(/^service: dsp$/m);
  });

  it('refuses a CommonJS package.json', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x', type: 'commonjs' }));
    expect(() => initProject(dir)).toThrow(/"type": "commonjs"/);
    expect(Object.keys(snapshot(dir))).toEqual(['package.json']);
  });
});

describe('dspfn new', () => {
  it('adds a function folder and its serverless.yml entry, and refuses to overwrite either', () => {
    const dir = tempDir();
    initProject(dir);
    const result = newFunction(dir, 'clean-audio', { template: 'noise', triggers: ['kafka'] });
    expect(result.serverlessUpdated).toBe(true);
    expect(result.written).toEqual(['functions/clean-audio/events.ndjson', 'functions/clean-audio/handler.test.ts', 'functions/clean-audio/handler.ts', 'serverless.yml']);
    const handler = fs.readFileSync(path.join(dir, 'functions/clean-audio/handler.ts'), 'utf8');
    expect(handler).toContain("name: 'clean-audio'");
    expect(handler).not.toContain('__name__');
    const yaml = fs.readFileSync(path.join(dir, 'serverless.yml'), 'utf8');
    expect(yaml.endsWith(result.entry)).toBe(true);
    expect(result.entry).toContain('topic: noisy-signals');
    const before = snapshot(dir);
    expect(() => newFunction(dir, 'clean-audio', { template: 'sensor' })).toThrow(/refusing to overwrite functions\/clean-audio\/events\.ndjson/);
    // The folder gone but the entry still there: the entry is not duplicated either.
    fs.rmSync(path.join(dir, 'functions/clean-audio'), { recursive: true });
    expect(() => newFunction(dir, 'clean-audio')).toThrow(/already has a function "clean-audio"/);
    expect(fs.readFileSync(path.join(dir, 'serverless.yml'), 'utf8')).toBe(before['serverless.yml']);
  });

  it('writes only the folder when the project has no serverless.yml, and hands the entry back', () => {
    const dir = tempDir();
    const result = newFunction(dir, 'gauge');
    expect(result.serverlessUpdated).toBe(false);
    expect(result.entry).toContain('  gauge:\n    handler: functions/gauge/handler.handler\n');
    expect(Object.keys(snapshot(dir))).toEqual(['functions/gauge/events.ndjson', 'functions/gauge/handler.test.ts', 'functions/gauge/handler.ts']);
  });

  it('rejects bad names and unknown templates', () => {
    const dir = tempDir();
    expect(() => newFunction(dir, '../escape')).toThrow(/function name/);
    expect(() => newFunction(dir, 'x', { template: 'fft' })).toThrow(/unknown template "fft"; templates: sensor, noise, readings, window, protobuf/);
    expect(availableTemplates()).toEqual(TEMPLATE_NAMES);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('has every template: readings, window and protobuf with their files (the schema beside the handler)', () => {
    const dir = tempDir();
    expect(newFunction(dir, 'levels', { template: 'readings' }).written).toEqual(['functions/levels/events.ndjson', 'functions/levels/handler.test.ts', 'functions/levels/handler.ts']);
    expect(fs.readFileSync(path.join(dir, 'functions/levels/handler.ts'), 'utf8')).toContain('readings({');
    expect(fs.readFileSync(path.join(dir, functionFilesOf(dir, 'minutes', 'window')), 'utf8')).toContain("window: { type: 'tumbling', size: '1m' }");
    expect(serverlessEntry('minutes', 'window')).toMatch(/ {6}- msk:\n[\s\S]* {6}- schedule: rate\(1 minute\)\n$/);
    expect(serverlessEntry('levels', 'readings')).not.toContain('schedule');
    expect(newFunction(dir, 'proto', { template: 'protobuf' }).written).toEqual([
      'functions/proto/events.ndjson',
      'functions/proto/handler.test.ts',
      'functions/proto/handler.ts',
      'functions/proto/reading.proto',
    ]);
  });
});
