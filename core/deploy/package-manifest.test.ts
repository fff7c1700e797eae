import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NATIVE_PLATFORMS } from '../dsp/native/loader.ts';
import { DSPFN_ROOT } from './project.ts';

/**
 * What `npm pack` relies on in package.json and the platform packages (the install test,
 * test/integration/deploy-install.test.ts, packs and installs them for real).
 */

interface Manifest {
  name: string;
  version: string;
  bin: Record<string, string>;
  files: string[];
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  main?: string;
}

const read = (file: string): Manifest => JSON.parse(fs.readFileSync(path.join(DSPFN_ROOT, file), 'utf8')) as Manifest;
const manifest = read('package.json');

describe('package.json', () => {
  it('maps every entry point to its source under "dspfn-source" and to dist/ for users, types first', () => {
    for (const [entry, target] of Object.entries(manifest.exports)) {
      if (entry === './package.json') continue;
      expect(Object.keys(target), entry).toEqual(['dspfn-source', 'types', 'default']);
      const { 'dspfn-source': source, types, default: js } = target as Record<string, string>;
      expect(fs.existsSync(path.join(DSPFN_ROOT, source!)), source).toBe(true);
      expect(types).toBe(source!.replace('./core/', './dist/').replace(/\.ts$/, '.d.ts'));
      expect(js).toBe(source!.replace('./core/', './dist/').replace(/\.ts$/, '.js'));
    }
  });

  it('lists no optional dependencies (scripts/pack-manifest.mjs adds the platform packages while packing)', () => {
    expect(manifest.optionalDependencies).toBeUndefined();
  });

  it('ships a bin that exists, and keeps what the CLI needs at run time in dependencies', () => {
    expect(fs.existsSync(path.join(DSPFN_ROOT, manifest.bin.dspfn!))).toBe(true);
    for (const runtime of ['tsx', 'esbuild', '@types/aws-lambda', 'commander']) expect(manifest.dependencies, runtime).toHaveProperty(runtime);
    for (const tool of ['typescript', 'vitest', 'osls']) expect(manifest.dependencies, tool).not.toHaveProperty(tool);
    expect(manifest.files).toEqual(['bin/', 'dist/', 'templates/', 'layers/serverless.yml']);
  });
});

describe('platform packages (layers/dsp/npm/<platform>)', () => {
  it('exist for every platform the loader knows, at the main package version, selected by os, cpu and libc', () => {
    for (const platform of NATIVE_PLATFORMS) {
      const pkg = read(`layers/dsp/npm/${platform}/package.json`);
      const [os, cpu] = platform.split('-');
      expect(pkg).toMatchObject({ name: `@dspfn/${platform}`, version: manifest.version, os: [os], cpu: [cpu], libc: ['glibc'], main: 'dspfn_dsp.node', files: ['dspfn_dsp.node'] });
    }
    expect(fs.readdirSync(path.join(DSPFN_ROOT, 'layers', 'dsp', 'npm')).sort()).toEqual([...NATIVE_PLATFORMS].sort());
  });
});
