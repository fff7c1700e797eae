#!/usr/bin/env node
/**
 * Builds dspfn's native DSP module and its Lambda layer.
 *
 *   node layers/dsp/build.mjs            linux-x64 + linux-arm64 builds, checks, layer zip
 *   node layers/dsp/build.mjs --host     only this machine's architecture (fast, for tests)
 *   node layers/dsp/build.mjs --force    rebuild even when outputs are newer than the sources
 *
 * Outputs (gitignored): layers/dsp/npm/linux-{x64,arm64}-gnu/dspfn_dsp.node, the binaries of the
 * platform packages @dspfn/linux-x64-gnu and @dspfn/linux-arm64-gnu (see platforms.mjs), and
 * layers/dsp/build/dspfn-dsp-layer.zip: the arm64 package as nodejs/node_modules/@dspfn/linux-arm64-gnu.
 *
 * The arm64 binary is checked before it is packed, because qemu runs it with this machine's glibc
 * and CPU model and so cannot catch what would fail on Lambda: it must be an AArch64 shared object
 * with NEON code and no SVE (Graviton2 has none), need no glibc symbol newer than GLIBC_2.34
 * (Amazon Linux 2023) and no libstdc++.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { platformPackage } from './platforms.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = new Set(process.argv.slice(2));
const force = args.has('--force');
const hostOnly = args.has('--host');
const MAX_GLIBC = [2, 34];

// Every C file under src/ is compiled (a new stage is a new file, no edit here), in a fixed order so
// the command, and so the up-to-date stamp, does not depend on the file system.
const srcDir = path.join(here, 'src');
const srcFiles = fs.readdirSync(srcDir, { recursive: true }).map(String).sort();
const sources = srcFiles.filter((f) => f.endsWith('.c')).map((f) => path.join(srcDir, f));
const headers = srcFiles.filter((f) => f.endsWith('.h')).map((f) => path.join(srcDir, f));
const napiInclude = path.join(root, 'node_modules', 'node-api-headers', 'include');

/*
 * -ffp-contract=off: a fused multiply-add rounds once where TypeScript rounds twice; GCC fuses by
 * default in GNU C modes, and always may on arm64, which would break bit-exactness.
 * -fno-math-errno: lets sqrt() be one instruction and vectorise; nothing here reads errno.
 * No -ffast-math: the kernels rely on IEEE operation order.
 */
const commonFlags = [
  '-std=c11', '-O3', '-fPIC', '-shared', '-fvisibility=hidden', '-ffp-contract=off', '-fno-math-errno',
  '-Wall', '-Wextra', '-Werror', '-s', '-Wl,-z,noexecstack', `-I${napiInclude}`, `-I${srcDir}`,
];

const hostArch = process.arch === 'arm64' ? 'arm64' : 'x64';
const targets = {
  x64: {
    gnu: 'x86_64-linux-gnu',
    // Baseline x86-64 (SSE2); AVX2 code is compiled per function and chosen at run time.
    flags: ['-march=x86-64', '-mtune=generic'],
    apt: ['gcc-x86-64-linux-gnu', 'libc6-dev-amd64-cross'],
    elfMachine: /X86-64/,
  },
  arm64: {
    gnu: 'aarch64-linux-gnu',
    // Graviton2 is the oldest CPU Lambda arm64 runs on.
    flags: ['-mcpu=neoverse-n1'],
    apt: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'],
    elfMachine: /AArch64/,
  },
};

function log(message) {
  process.stdout.write(`[build:layer] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`\n[build:layer] FAILED: ${message}\n\n`);
  process.exit(1);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command, argv, options = {}) {
  return execFileSync(command, argv, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
}

function aptInstall(packages) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const command = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  if (!isRoot || !has('apt-get')) fail(`missing tools; install them with: sudo apt-get update && sudo ${command}`);
  const listsEmpty = !fs.existsSync('/var/lib/apt/lists') ||
    !fs.readdirSync('/var/lib/apt/lists').some((f) => f.endsWith('Packages') || f.endsWith('Packages.lz4'));
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const started = Date.now();
  log(`installing ${packages.join(' ')} (apt-get)…`);
  if (listsEmpty) run('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  let result = spawnSync('sh', ['-c', `${command} >/dev/null`], { stdio: 'inherit', env });
  if (result.status !== 0 && !listsEmpty) {
    run('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    result = spawnSync('sh', ['-c', `${command} >/dev/null`], { stdio: 'inherit', env });
  }
  if (result.status !== 0) fail(`could not install ${packages.join(' ')}`);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function newestMtime(files) {
  return Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
}

function isFresh(output, inputs, stampFile, stamp) {
  if (force || !fs.existsSync(output) || !fs.existsSync(stampFile)) return false;
  if (fs.readFileSync(stampFile, 'utf8') !== stamp) return false;
  return fs.statSync(output).mtimeMs >= newestMtime(inputs);
}

function toolFor(arch, tool) {
  return arch === hostArch ? tool : `${targets[arch].gnu}-${tool}`;
}

/** Compiles one target; both targets compile at the same time (one gcc each). */
async function buildTarget(arch) {
  const target = targets[arch];
  const cc = toolFor(arch, 'gcc');
  if (!has(cc)) {
    if (arch === hostArch) fail('gcc is missing: apt-get install -y gcc');
    aptInstall(target.apt);
  }
  const pkg = platformPackage(`linux-${arch}-gnu`);
  const output = pkg.binary;
  const argv = [...commonFlags, ...target.flags, '-o', output, ...sources];
  const ccVersion = run(cc, ['--version']).split('\n')[0];
  const stamp = JSON.stringify({ ccVersion, argv: argv.map((a) => a.replace(root, '<root>')) });
  const stampFile = path.join(here, 'build', `${pkg.key}.json`);
  const inputs = [...sources, ...headers, fileURLToPath(import.meta.url)];
  if (isFresh(output, inputs, stampFile, stamp)) {
    log(`linux-${arch}: up to date (${path.relative(root, output)})`);
    return output;
  }
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  const started = Date.now();
  const status = await new Promise((resolve) => {
    spawn(cc, argv, { stdio: 'inherit' }).on('close', resolve).on('error', () => resolve(-1));
  });
  if (status !== 0) fail(`${cc} failed for linux-${arch}`);
  fs.writeFileSync(stampFile, stamp);
  log(`linux-${arch}: built ${path.relative(root, output)} with ${ccVersion} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return output;
}

function glibcVersions(file) {
  const text = run('readelf', ['-V', '-W', file]);
  return [...new Set(text.match(/GLIBC_\d+(\.\d+)+/g) ?? [])];
}

function newer(version, limit) {
  const parts = version.replace('GLIBC_', '').split('.').map(Number);
  for (let i = 0; i < limit.length; i++) {
    const a = parts[i] ?? 0;
    if (a !== limit[i]) return a > limit[i];
  }
  return false;
}

/** Checks that hold for both binaries: ELF type and machine, glibc ceiling, no C++ runtime. */
function checkCommon(arch, file) {
  const problems = [];
  const header = run('readelf', ['-h', file]);
  if (!/Type:\s+DYN/.test(header)) problems.push('not an ELF shared object');
  if (!targets[arch].elfMachine.test(header)) problems.push(`ELF machine is not ${targets[arch].elfMachine.source}`);
  const versions = glibcVersions(file);
  const tooNew = versions.filter((v) => newer(v, MAX_GLIBC));
  if (tooNew.length > 0) {
    problems.push(`needs ${tooNew.join(', ')}; Lambda (Amazon Linux 2023) has glibc ${MAX_GLIBC.join('.')}`);
  }
  const needed = [...run('readelf', ['-d', file]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  const cxx = needed.filter((lib) => /libstdc\+\+|libc\+\+/.test(lib));
  if (cxx.length > 0) problems.push(`links ${cxx.join(', ')}; the layer must not depend on a C++ runtime`);
  return { problems, versions, needed };
}

function checkArm64(file) {
  const { problems, versions, needed } = checkCommon('arm64', file);
  const disassembly = run(toolFor('arm64', 'objdump'), ['-d', '--no-show-raw-insn', file]);
  const vectorOps = disassembly.match(/\b(fadd|fsub|fmul|fdiv|fsqrt|fmla|fcvtl2?|fcvtn2?)\s+v\d+\.(2d|4s|2s)/g) ?? [];
  const count = (op) => vectorOps.filter((s) => s.startsWith(op)).length;
  if (count('fmla') === 0 || count('fadd') === 0) {
    problems.push(`no NEON float64 code found (fmla v…: ${count('fmla')}, fadd v…: ${count('fadd')})`);
  }
  // SVE registers or predicates would SIGILL on Graviton2.
  const sve = disassembly.match(/\b(z\d+\.[bhsdq]|p\d+\/[zm])\b/g) ?? [];
  if (sve.length > 0) problems.push(`contains SVE instructions (${sve.length}); Graviton2 has no SVE`);
  if (problems.length > 0) fail(`linux-arm64 binary ${path.relative(root, file)}:\n  - ${problems.join('\n  - ')}`);
  const summary = ['fadd', 'fmul', 'fdiv', 'fsqrt', 'fmla', 'fcvt'].map((op) => `${op} ${count(op)}`).join(', ');
  log(`linux-arm64 checks passed: AArch64 DYN; NEON vector ops: ${summary}; no SVE; ` +
    `glibc ${versions.join(' ') || 'none'} (≤ ${MAX_GLIBC.join('.')}); NEEDED ${needed.join(' ')}`);
}

function checkX64(file) {
  const { problems, versions, needed } = checkCommon('x64', file);
  const disassembly = run(toolFor('x64', 'objdump'), ['-d', '--no-show-raw-insn', file]);
  const avx2 = (disassembly.match(/\bv(add|mul|div|sqrt)pd\s+%ymm/g) ?? []).length;
  if (avx2 === 0) problems.push('no AVX2 (ymm) float64 code found');
  if (problems.length > 0) fail(`linux-x64 binary ${path.relative(root, file)}:\n  - ${problems.join('\n  - ')}`);
  log(`linux-x64 checks passed: X86-64 DYN; ymm float64 ops ${avx2}; glibc ${versions.join(' ') || 'none'}; NEEDED ${needed.join(' ')}`);
}

/**
 * The layer zip, made from the arm64 platform package by the same code as `dspfn layer` in a
 * user's project (core/deploy/layer.ts); byte-identical for identical inputs.
 */
function packLayer() {
  const zipFile = path.join(here, 'build', 'dspfn-dsp-layer.zip');
  const pkg = platformPackage('linux-arm64-gnu');
  run(process.execPath, [path.join(root, 'bin', 'dspfn.js'), 'layer', '--from', pkg.dir, '--out', zipFile], { cwd: root, stdio: 'inherit' });
}

const started = Date.now();
if (!fs.existsSync(path.join(napiInclude, 'node_api.h'))) fail(`node_api.h not found in ${napiInclude}: run npm install`);
const arches = hostOnly ? [hostArch] : ['x64', 'arm64'];
// Toolchains first (apt-get may run), then both compilers in parallel.
for (const arch of arches) {
  if (arch !== hostArch && !has(toolFor(arch, 'gcc'))) aptInstall(targets[arch].apt);
}
const built = await Promise.all(arches.map((arch) => buildTarget(arch)));
const outputs = Object.fromEntries(arches.map((arch, i) => [arch, built[i]]));
if (outputs.x64) checkX64(outputs.x64);
if (outputs.arm64) {
  checkArm64(outputs.arm64);
  packLayer();
}
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
