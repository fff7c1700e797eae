import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readEnv } from '../env/read-env.ts';
import { ConfigError } from '../errors.ts';
import { LAYER_PLATFORM, NATIVE_FILE, nativePackageName } from '../dsp/native/loader.ts';
import { DSPFN_ROOT, dspfnVersion, FROM_SOURCES, resolveFrom, type Project } from './project.ts';
import { writeZip, type ZipEntry } from './zip.ts';

/**
 * The Lambda layer: the arm64 platform package (@dspfn/linux-arm64-gnu) as
 * nodejs/node_modules/@dspfn/linux-arm64-gnu, where Lambda's Node runtimes look (NODE_PATH) and
 * the loader resolves it. Deterministic bytes (see zip.ts), so an unchanged layer is not re-uploaded.
 */

export const LAYER_PACKAGE = nativePackageName(LAYER_PLATFORM);
export const LAYER_ZIP_NAME = 'dspfn-dsp-layer.zip';
/** The layer's stack (published on its own, see layers/serverless.yml). */
export const LAYER_STACK_CONFIG = path.join(DSPFN_ROOT, 'layers', 'serverless.yml');

const EM_AARCH64 = 0xb7;

export interface LayerOptions {
  /** The arm64 package: a folder or an `npm pack` tarball; found or fetched when absent. */
  from?: string;
  /** Default: <project>/.dspfn/layer/dspfn-dsp-layer.zip. */
  out?: string;
}

export interface LayerResult {
  zipFile: string;
  /** Where the arm64 package came from. */
  source: string;
  files: string[];
  bytes: number;
}

function cacheDir(): string {
  return readEnv(process.env, ['DSPFN_CACHE']).DSPFN_CACHE ?? path.join(os.homedir(), '.cache', 'dspfn');
}

interface Located {
  dir: string;
  source: string;
  /** A temporary folder to remove once read. */
  temporary?: string;
}

function unpackTarball(tarball: string, source: string = tarball): Located {
  const temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'dspfn-layer-'));
  execFileSync('tar', ['-xzf', tarball, '-C', temporary]);
  return { dir: path.join(temporary, 'package'), source, temporary };
}

/** The registry's build for this dspfn version, fetched once with `npm pack` (npm will not install an arm64 package on x64). */
function fetchFromRegistry(version: string): string {
  const dir = path.join(cacheDir(), 'packages');
  const tarball = path.join(dir, `dspfn-${LAYER_PLATFORM}-${version}.tgz`);
  if (!fs.existsSync(tarball)) {
    fs.mkdirSync(dir, { recursive: true });
    try {
      execFileSync('npm', ['pack', `${LAYER_PACKAGE}@${version}`, '--pack-destination', dir, '--silent'], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      throw new ConfigError(
        `${LAYER_PACKAGE}@${version} is not installed and npm could not fetch it: give the arm64 package with --from <folder or .tgz>`,
        { cause: error },
      );
    }
  }
  return tarball;
}

/** The arm64 package's folder and a description of where it came from. */
function locatePackage(project: Project, from: string | undefined): Located {
  if (from) {
    const resolved = path.resolve(project.root, from);
    if (!fs.existsSync(resolved)) throw new ConfigError(`--from ${from}: no such file or folder`);
    return fs.statSync(resolved).isDirectory() ? { dir: resolved, source: resolved } : unpackTarball(resolved);
  }
  if (FROM_SOURCES) {
    const dir = path.join(DSPFN_ROOT, 'layers', 'dsp', 'npm', LAYER_PLATFORM);
    if (!fs.existsSync(path.join(dir, NATIVE_FILE))) throw new ConfigError(`${path.relative(process.cwd(), dir)} has no ${NATIVE_FILE}: npm run build:layer`);
    return { dir, source: dir };
  }
  const installed = resolveFrom(project, `${LAYER_PACKAGE}/package.json`);
  if (installed) return { dir: path.dirname(installed), source: path.dirname(installed) };
  return unpackTarball(fetchFromRegistry(dspfnVersion()));
}

function checkPackage(dir: string, source: string): { manifest: { name: string; version: string; files?: string[] }; binary: Buffer } {
  const manifestFile = path.join(dir, 'package.json');
  if (!fs.existsSync(manifestFile)) throw new ConfigError(`${source} is not an npm package (no package.json)`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { name: string; version: string; files?: string[] };
  if (manifest.name !== LAYER_PACKAGE) throw new ConfigError(`${source} is ${manifest.name}, not ${LAYER_PACKAGE}`);
  const version = dspfnVersion();
  if (manifest.version !== version) {
    throw new ConfigError(`${source} is ${LAYER_PACKAGE}@${manifest.version}, but this dspfn is ${version}: the layer must come from the same version`);
  }
  const binaryFile = path.join(dir, NATIVE_FILE);
  if (!fs.existsSync(binaryFile)) throw new ConfigError(`${source} has no ${NATIVE_FILE}`);
  const binary = fs.readFileSync(binaryFile);
  const elf = binary.length > 20 && binary.readUInt32BE(0) === 0x7f454c46;
  if (!elf || binary.readUInt16LE(18) !== EM_AARCH64) throw new ConfigError(`${source}: ${NATIVE_FILE} is not an AArch64 (arm64) ELF binary`);
  return { manifest, binary };
}

function layerEntries({ dir, source }: Located): ZipEntry[] {
  const { manifest } = checkPackage(dir, source);
  const prefix = `nodejs/node_modules/${LAYER_PACKAGE}`;
  const entries: ZipEntry[] = [{ name: `${prefix}/package.json`, data: fs.readFileSync(path.join(dir, 'package.json')) }];
  for (const file of manifest.files ?? [NATIVE_FILE]) entries.push({ name: `${prefix}/${file}`, data: fs.readFileSync(path.join(dir, file)) });
  return entries;
}

export function makeLayerZip(project: Project, options: LayerOptions = {}): LayerResult {
  const located = locatePackage(project, options.from);
  let entries: ZipEntry[];
  try {
    entries = layerEntries(located);
  } finally {
    if (located.temporary) fs.rmSync(located.temporary, { recursive: true, force: true });
  }
  const source = located.source;
  const zip = writeZip(entries);
  const zipFile = path.resolve(project.root, options.out ?? path.join(project.workDir, 'layer', LAYER_ZIP_NAME));
  fs.mkdirSync(path.dirname(zipFile), { recursive: true });
  fs.writeFileSync(zipFile, zip);
  return { zipFile, source, files: entries.map((e) => e.name).sort(), bytes: zip.length };
}
