/**
 * The native module and its loader, whatever the stages: SIMD path selection, the binding's
 * argument checks, pipeline snapshots across backends, the stale-build checks and the loader's
 * error text. Runs on x64 and on arm64 under qemu (DSPFN_EXPECT_SIMD=neon).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jsBackend } from '../../../core/dsp/backend.ts';
import { assertSameBytes, assertSameSamples, captureError } from '../../../test/conformance/checks.ts';
import { addon, native, nativeModuleForTests, onPath, paths } from '../../../test/conformance/native.ts';
import { describe, it } from '../../../test/conformance/runner.ts';
import { signal } from '../../../test/conformance/signals.ts';
import { catalogueProblems, loadNative, platformKey, resolveBackend, type SimdPath } from '../../../core/dsp/native/loader.ts';
import { NativeLoadError } from '../../../core/errors.ts';
import { pipeline } from '../../../core/dsp/pipeline.ts';
import { kindOf } from '../../../core/dsp/stages/catalogue.ts';

const best = addon.setSimd(true);
console.log(`[dspfn native] ${nativeModuleForTests.file} (${nativeModuleForTests.source}) arch=${addon.arch} simd=${best} paths: ${paths.join(', ')}`);

describe('native module', () => {
  it(`runs the expected SIMD path (${best})`, () => {
    const expected = process.env.DSPFN_EXPECT_SIMD;
    if (expected) assert.equal(best, expected);
    assert.equal(addon.arch, process.arch);
    assert.equal(paths.at(-1), best);
    assert.deepEqual(paths, process.arch === 'arm64' ? ['scalar', 'neon'] : best === 'avx2' ? ['scalar', 'sse2', 'avx2'] : ['scalar', 'sse2']);
  });

  it('can be forced to the scalar path, and refuses a path this CPU lacks', () => {
    assert.equal(addon.setSimd(false), 'scalar');
    assert.equal(addon.simd(), 'scalar');
    assert.equal(addon.setSimd(true), best);
    assert.throws(() => addon.setSimd('no-such-path' as SimdPath), { code: 'DSPFN_CONFIG' });
    assert.throws(() => addon.setSimd(process.arch === 'arm64' ? 'avx2' : 'neon'), { code: 'DSPFN_CONFIG' });
  });

  it('checks its arguments: kinds, channels, params, whole frames, element types, overlap, output room', () => {
    const window = Float64Array.of(5);
    assert.throws(() => addon.create(200, 1, window), { code: 'DSPFN_CONFIG', message: /unknown stage kind 200/ });
    assert.throws(() => addon.create(kindOf('rms'), 0, window), { code: 'DSPFN_CONFIG', message: /^rms: 0 is not a channel count/ });
    assert.throws(() => addon.create(kindOf('rms'), 1, Float64Array.of(0)), { code: 'DSPFN_CONFIG', message: /^rms needs a whole window/ });
    assert.throws(() => addon.create(kindOf('nlms'), 3, Float64Array.of(4, 0.1, 0)), { code: 'DSPFN_CONFIG', message: /^nlms needs 2-channel/ });
    assert.throws(() => addon.create(kindOf('rms'), 1, new Float32Array(1) as unknown as Float64Array), { code: 'DSPFN_NATIVE' });
    const kernel = native.createKernel({ name: 'rms', params: { window: 5 } }, 2);
    assert.throws(() => kernel.process(new Float32Array(3), new Float32Array(3)), { code: 'DSPFN_INVALID_SAMPLES', stage: 'rms' });
    assert.throws(() => kernel.process(new Float64Array(4) as unknown as Float32Array, new Float32Array(4)), { code: 'DSPFN_INVALID_SAMPLES' });
    assert.throws(() => kernel.process(new Float32Array(4), new Float32Array(3)), { code: 'DSPFN_INVALID_SAMPLES', message: /output holds 3 samples/ });
    const overlap = new Float32Array(8);
    assert.throws(() => kernel.process(overlap.subarray(0, 4), overlap.subarray(2, 6)), { code: 'DSPFN_INVALID_SAMPLES', message: /overlaps/ });
    assert.equal(kernel.process(new Float32Array(0), new Float32Array(0)), 0);
    assert.equal(kernel.process(new Float32Array(6), new Float32Array(6)), 3);
    assert.equal(kernel.maxOutputFrames(7), 7);
  });

  it('was built from this catalogue, and would say so if it were not', () => {
    assert.deepEqual(catalogueProblems(addon.stages()), []);
    const stale = addon.stages().map((s) => (s.name === 'rms' ? { ...s, stateVersion: s.stateVersion + 1 } : s));
    assert.deepEqual(catalogueProblems(stale), [`rms state version ${stale.find((s) => s.name === 'rms')!.stateVersion}, not 0`]);
    assert.deepEqual(catalogueProblems(addon.stages().filter((s) => s.name !== 'nlms')), [`no nlms (kind ${kindOf('nlms')})`]);
  });
});

describe('pipelines', () => {
  it('movingAverage(10) → rms(5): native and TypeScript pipeline snapshots are byte-identical and cross-restore', () => {
    const spec = pipeline({ channels: 3 }).movingAverage({ window: 10 }).rms({ window: 5 });
    const a = signal('noise', 1024, 3, 1);
    const b = signal('noise', 999, 3, 2);
    for (const simd of paths) {
      onPath(simd, () => {
        const ts = spec.create(jsBackend);
        const nat = spec.create(native);
        ts.markAbsorbed('t', 0, 41);
        nat.markAbsorbed('t', 0, 41);
        assertSameSamples(nat.process(a), ts.process(a), `pipeline ${simd}`);
        assertSameBytes(nat.snapshot(), ts.snapshot(), `pipeline ${simd}`);
        const moved = spec.create(native);
        moved.restore(ts.snapshot());
        const back = spec.create(jsBackend);
        back.restore(nat.snapshot());
        const expected = ts.process(b);
        assertSameSamples(moved.process(b), expected, `pipeline restored on native ${simd}`);
        assertSameSamples(back.process(b), expected, `pipeline restored on TypeScript ${simd}`);
      });
    }
  });
});

describe('loader', () => {
  const key = platformKey();

  it('names the platform, what was tried and the fix when DSPFN_NATIVE_PATH is wrong', () => {
    const bad = path.join(os.tmpdir(), 'dspfn-no-such-dir', 'dspfn_dsp.node');
    const error = captureError(() => loadNative({ env: { DSPFN_NATIVE_PATH: bad } }));
    assert.ok(error instanceof NativeLoadError);
    assert.equal(error.code, 'DSPFN_NATIVE');
    assert.match(error.message, new RegExp(`for ${key} \\(Node\\.js`));
    assert.ok(error.message.includes(bad), 'names the path tried');
    assert.ok(error.message.includes(`npm install @dspfn/${key}@`), 'names the platform package to install');
    assert.ok(error.message.includes('npm run build:layer'), 'names the build command');
    assert.ok(error.message.includes('DSPFN_BACKEND=js'), 'names the TypeScript fallback');
    assert.ok(error.message.includes('DSPFN_NATIVE_PATH'), 'names the variable to fix');
  });

  it('lists every source it tried and explains a file that is not the module', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dspfn-prebuilds-'));
    fs.mkdirSync(path.join(dir, key));
    fs.writeFileSync(path.join(dir, key, 'dspfn_dsp.node'), 'not an ELF file');
    try {
      const error = captureError(() => loadNative({ env: {}, prebuildDir: dir, packageName: '@dspfn/no-such-package' }));
      assert.ok(error instanceof NativeLoadError);
      assert.ok(error.message.includes(path.join(dir, key, 'dspfn_dsp.node')));
      assert.ok(error.message.includes('@dspfn/no-such-package'));
      assert.ok(error.cause instanceof AggregateError && error.cause.errors.length === 2);
      const lambda = captureError(() =>
        loadNative({ env: { AWS_LAMBDA_FUNCTION_NAME: 'f' }, prebuildDir: dir, packageName: '@dspfn/no-such-package' }),
      );
      assert.ok(lambda instanceof Error && lambda.message.includes('/opt/nodejs/node_modules/@dspfn/linux-arm64-gnu'), 'Lambda: names the layer');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to the TypeScript kernels with one warning naming the platform and the fix, none with DSPFN_BACKEND=js', () => {
    const missing = { prebuildDir: path.join(os.tmpdir(), 'dspfn-no-such-dir'), packageName: '@dspfn/no-such-package' };
    const warnings: Array<{ warning: string; code: string; detail: string }> = [];
    const warn = (warning: string, options: { code: string; detail: string }) => warnings.push({ warning, ...options });
    assert.equal(resolveBackend({}, { load: missing, warn }).name, 'js');
    assert.equal(resolveBackend({}, { load: missing, warn }).name, 'js');
    assert.equal(warnings.length, 1, 'one warning per process');
    assert.equal(warnings[0]!.code, 'DSPFN_NATIVE');
    assert.match(warnings[0]!.warning, new RegExp(`native DSP module for ${key}.*TypeScript kernels`));
    assert.ok(warnings[0]!.detail.includes(`npm install @dspfn/${key}@`), 'names the fix');
    assert.ok(warnings[0]!.detail.includes('DSPFN_BACKEND=js'), 'names the switch that silences it');
    const quiet: string[] = [];
    assert.equal(resolveBackend({ DSPFN_BACKEND: 'js' }, { load: missing, warn: (w) => quiet.push(w) }).name, 'js');
    // On Lambda a missing module is an error at init, never a fallback.
    assert.throws(() => resolveBackend({ AWS_LAMBDA_FUNCTION_NAME: 'f' }, { load: missing, warn: (w) => quiet.push(w) }), NativeLoadError);
    assert.equal(quiet.length, 0);
  });

  it('honours DSPFN_BACKEND', () => {
    assert.equal(resolveBackend({ DSPFN_BACKEND: 'js' }).name, 'js');
    assert.equal(resolveBackend({ DSPFN_BACKEND: 'native' }).name, 'native');
    assert.equal(resolveBackend({}).name, 'native');
    assert.throws(() => resolveBackend({ DSPFN_BACKEND: 'fast' }), { code: 'DSPFN_CONFIG' });
  });
});
