/**
 * Bundles each function under functions/<name>/handler.ts of a project (the user's, or this
 * repository) into one ESM file and zips it for `serverless package` (serverless.yml points each
 * function's package.artifact at the zip).
 *
 *   dspfn bundle [--out DIR] [name …]      default DIR: .dspfn/deploy (or DSPFN_ARTIFACT_DIR)
 *
 * Zip layout: functions/<name>/handler.mjs (+ .map), so the handler string in serverless.yml is the
 * source path. Chunks holding only third-party libraries ship without maps unless asked
 * (librarySourceMaps, `--library-source-maps`). ESM because Lambda loads `.mjs` handlers natively and core uses import.meta.url.
 *
 * Code splitting: the entry holds what every invocation runs; each adapter library that core
 * imports dynamically (the Redis and Upstash clients, kafkajs, the MSK IAM signer) becomes a chunk
 * under functions/<name>/chunks/ that is compiled only when a function's configuration uses it.
 * Split chunks give a CommonJS package a namespace with only `default`, which core unwraps with
 * packageExports (core/lazy-import.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { readEnv } from '../env/read-env.ts';
import { ConfigError } from '../errors.ts';
import { DSPFN_ROOT, FROM_SOURCES, functionNames, projectAt, type Project } from './project.ts';
import { writeZip, type ZipEntry } from './zip.ts';

/** This repository (or the installed dspfn package). */
export const ROOT = DSPFN_ROOT;

/** Where a project's bundles go unless told otherwise. */
export function defaultOutDir(project: Project): string {
  const dir = readEnv(process.env, ['DSPFN_ARTIFACT_DIR']).DSPFN_ARTIFACT_DIR;
  return dir ? path.resolve(project.root, dir) : path.join(project.workDir, 'deploy');
}

/**
 * Never bundled. The native module is a .node binary that the layer provides at
 * /opt/nodejs/node_modules; the AWS SDK v3 ships with the nodejs22.x runtime.
 */
export const EXTERNAL = ['@dspfn/*', '*.node', '@aws-sdk/*'];

/**
 * Inside this repository 'dspfn' resolves to core/*.ts (package.json's "dspfn-source" condition),
 * so the bundles hold the code under test; a user's project bundles the published dist/.
 */
const CONDITIONS = FROM_SOURCES ? ['dspfn-source'] : [];

/** Files beside a handler that ship with it: Protobuf and Avro schemas. */
export const SCHEMA_FILE = /\.(proto|avsc)$/;

// CommonJS dependencies bundled into an ES module still call require() for Node built-ins;
// esbuild's shim throws "Dynamic require … is not supported" unless a real require exists.
const BANNER = "import { createRequire as __dspfnCreateRequire } from 'node:module'; const require = __dspfnCreateRequire(import.meta.url);";

export interface BundleChunk {
  /** Path inside the zip. */
  file: string;
  bytes: number;
  /** The packages (or core folders) in it, largest first. */
  inputs: Array<{ input: string; bytes: number }>;
}

export interface BundleResult {
  name: string;
  /** Path of the handler inside the zip, and the handler string for serverless.yml. */
  handlerPath: string;
  handler: string;
  zipFile: string;
  /** Every file in the zip, by path. */
  files: string[];
  /** handler.mjs and the chunks it imports statically: what every cold start compiles. */
  bundleBytes: number;
  /** Chunks loaded on demand, by the adapters a configuration uses. */
  chunks: BundleChunk[];
  sourceMapBytes: number;
  zipBytes: number;
  /** The largest inputs compiled at every cold start, bytes after tree shaking and minification. */
  topInputs: Array<{ input: string; bytes: number }>;
}

export interface BundleOptions {
  /** The project whose functions/ are bundled; default: this repository. */
  project?: Project;
  /** Default: <project>/.dspfn/deploy, or DSPFN_ARTIFACT_DIR. */
  outDir?: string;
  /** Function names (folders under functions/); default: every folder with a handler.ts. */
  functions?: readonly string[];
  /** Include the source map in the zip (NODE_OPTIONS=--enable-source-maps then maps stack traces). */
  sourceMapInZip?: boolean;
  /**
   * Also ship the maps of chunks that hold only third-party libraries (kafkajs, the Redis clients,
   * …). Off by default: they are most of the zip (over 400 KiB of 1.1 MiB), while a trace through a
   * library still maps every frame in dspfn's and the function's own code.
   */
  librarySourceMaps?: boolean;
}

/** An output built only from dependencies (dspfn itself, installed in a user's project, is not one). */
function isLibraryOutput(output: esbuild.Metafile['outputs'][string]): boolean {
  const inputs = Object.keys(output.inputs);
  return inputs.length > 0 && inputs.every((input) => input.includes('node_modules/') && !/node_modules\/dspfn\//.test(input));
}

const SOURCE_MAP_COMMENT = /\n\/\/# sourceMappingURL=[^\n]*\n?$/;

function topInputs(output: esbuild.Metafile['outputs'][string]): BundleResult['topInputs'] {
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    // Group dependencies by package, keep the project's own files by folder.
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = match ? match[1]! : path.dirname(input);
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  return [...byPackage.entries()]
    .map(([input, bytes]) => ({ input, bytes }))
    .sort((a, b) => b.bytes - a.bytes);
}

/**
 * esbuild writes sources relative to the output folder, which is this machine's. Rewritten to
 * "/core/events/parse.ts" (or "/node_modules/dspfn/dist/…" in a user's project), traces read the
 * same wherever the bundle was built or runs.
 */
function projectRelativeMap(mapFile: string, root: string): Buffer {
  const map = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as { sources: string[]; sourceRoot?: string };
  map.sources = map.sources.map((source) => path.relative(root, path.resolve(path.dirname(mapFile), source)).split(path.sep).join('/'));
  map.sourceRoot = '/';
  const data = Buffer.from(JSON.stringify(map));
  fs.writeFileSync(mapFile, data);
  return data;
}

export async function bundleFunction(name: string, options: BundleOptions = {}): Promise<BundleResult> {
  const project = options.project ?? projectAt(ROOT);
  const root = project.root;
  const outDir = path.resolve(root, options.outDir ?? defaultOutDir(project));
  const entry = path.join(project.functionsDir, name, 'handler.ts');
  if (!fs.existsSync(entry)) throw new ConfigError(`no function "${name}": ${path.relative(root, entry)} does not exist`);
  const functionDir = `functions/${name}`;
  const handlerPath = `${functionDir}/handler.mjs`;
  const stageDir = path.join(outDir, name);
  fs.rmSync(stageDir, { recursive: true, force: true });

  const result = await esbuild.build({
    entryPoints: [entry],
    outdir: stageDir,
    entryNames: `${functionDir}/handler`,
    chunkNames: `${functionDir}/chunks/[name]-[hash]`,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    absWorkingDir: root,
    conditions: CONDITIONS,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    // ESM builds of dependencies tree-shake better than their CommonJS `main`.
    mainFields: ['module', 'main'],
    external: EXTERNAL,
    // @platformatic/kafka's lz4/crc32c WebAssembly is read from a file beside its module, which a
    // bundle does not have; the package's `bundled` build carries it inline.
    alias: { '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' },
    minify: true,
    // Stack traces and middy's named middlewares stay readable even without the source map.
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    legalComments: 'eof',
    // Every chunk gets it: a chunk with CommonJS code calls require() for Node built-ins.
    banner: { js: BANNER },
    metafile: true,
    logLevel: 'warning',
  });

  const outputs = result.metafile.outputs;
  const inZip = (file: string): string => path.relative(stageDir, path.resolve(root, file)).split(path.sep).join('/');
  const startup = staticClosure(outputs, Object.keys(outputs).find((file) => inZip(file) === handlerPath)!);
  const entries: ZipEntry[] = [];
  const chunks: BundleChunk[] = [];
  let bundleBytes = 0;
  let sourceMapBytes = 0;
  const startupInputs = new Map<string, number>();
  const withoutMap = (file: string): boolean => !(options.librarySourceMaps ?? false) && outputs[file] !== undefined && isLibraryOutput(outputs[file]);
  for (const [file, output] of Object.entries(outputs)) {
    const absolute = path.resolve(root, file);
    const name = inZip(file);
    if (name.endsWith('.map')) {
      if (withoutMap(file.slice(0, -'.map'.length))) continue;
      const map = projectRelativeMap(absolute, root);
      sourceMapBytes += map.length;
      if (options.sourceMapInZip ?? true) entries.push({ name, data: map });
      continue;
    }
    let data = fs.readFileSync(absolute);
    if (withoutMap(file)) {
      // No dangling reference: --enable-source-maps would look for the missing file on every trace.
      data = Buffer.from(data.toString('utf8').replace(SOURCE_MAP_COMMENT, '\n'));
      fs.writeFileSync(absolute, data);
      fs.rmSync(`${absolute}.map`, { force: true });
    }
    entries.push({ name, data });
    if (startup.has(file)) {
      bundleBytes += data.length;
      for (const { input, bytes } of topInputs(output)) startupInputs.set(input, (startupInputs.get(input) ?? 0) + bytes);
    } else {
      chunks.push({ file: name, bytes: data.length, inputs: topInputs(output) });
    }
  }
  // Schemas the function reads at run time (protobuf({ schema: new URL('./x.proto', import.meta.url) }))
  // sit beside handler.mjs, where the same URL finds them.
  const sourceDir = path.dirname(entry);
  for (const file of fs.readdirSync(sourceDir)) {
    if (SCHEMA_FILE.test(file)) entries.push({ name: `${functionDir}/${file}`, data: fs.readFileSync(path.join(sourceDir, file)) });
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  chunks.sort((a, b) => b.bytes - a.bytes);
  const zip = writeZip(entries);
  const zipFile = path.join(outDir, `${name}.zip`);
  fs.writeFileSync(zipFile, zip);
  return {
    name,
    handlerPath,
    handler: `${functionDir}/handler.handler`,
    zipFile,
    files: entries.map((e) => e.name),
    bundleBytes,
    chunks,
    sourceMapBytes,
    zipBytes: zip.length,
    topInputs: [...startupInputs.entries()]
      .map(([input, bytes]) => ({ input, bytes }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 5),
  };
}

/** The output files loaded with `file` before any of its code runs: its static imports, transitively. */
function staticClosure(outputs: esbuild.Metafile['outputs'], file: string): Set<string> {
  const seen = new Set<string>();
  const visit = (next: string): void => {
    if (seen.has(next) || !outputs[next]) return;
    seen.add(next);
    for (const imported of outputs[next].imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  }
  visit(file);
  return seen;
}

export async function bundleFunctions(options: BundleOptions = {}): Promise<BundleResult[]> {
  const project = options.project ?? projectAt(ROOT);
  const names = options.functions?.length ? options.functions : functionNames(project);
  if (names.length === 0) throw new ConfigError(`no functions to bundle: ${path.relative(process.cwd(), project.functionsDir) || '.'} has no <name>/handler.ts (dspfn new <name> adds one)`);
  return Promise.all(names.map((name) => bundleFunction(name, { ...options, project })));
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** What a chunk holds, named by its largest input: "@redis/client 427 KiB". */
export function chunkLabel(chunk: BundleChunk): string {
  const main = chunk.inputs[0];
  return main ? `${main.input} ${kib(chunk.bytes)}` : `${chunk.file} ${kib(chunk.bytes)}`;
}

export function sizeTable(results: readonly BundleResult[]): string {
  const rows = [
    ['function', 'startup code', 'on demand', 'source maps', 'zip'],
    ...results.map((r) => [r.name, kib(r.bundleBytes), `${r.chunks.length} · ${kib(r.chunks.reduce((sum, c) => sum + c.bytes, 0))}`, kib(r.sourceMapBytes), kib(r.zipBytes)]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => '  ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ')).join('\n');
}
