/**
 * Bundles each function under functions/<name>/handler.ts into one ESM file and zips it for
 * `serverless package` (serverless.yml points each function's package.artifact at the zip).
 *
 *   tsx core/deploy/bundle.ts [--out DIR] [name …]      default DIR: .dspfn/deploy (or DSPFN_ARTIFACT_DIR)
 *
 * Zip layout: functions/<name>/handler.mjs (+ .map), so the handler string in serverless.yml is the
 * source path. ESM because Lambda loads `.mjs` handlers natively and core uses import.meta.url.
 *
 * One file, no code splitting: with splitting, esbuild turns `await import('cjs-package')` into a
 * chunk whose namespace has only `default` (checked with kafkajs: `Kafka` is undefined), unlike
 * Node and unlike the unsplit bundle. Unsplit, a lazy `await import()` still defers evaluating the
 * module until it is called; only parsing is not deferred.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { writeZip, type ZipEntry } from './zip.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_OUT_DIR = path.join(ROOT, '.dspfn', 'deploy');

/**
 * Never bundled. The native module is a .node binary that the layer provides at
 * /opt/nodejs/node_modules; the AWS SDK v3 ships with the nodejs22.x runtime.
 */
export const EXTERNAL = ['@dspfn/dsp-native', '*.node', '@aws-sdk/*'];

// CommonJS dependencies bundled into an ES module still call require() for Node built-ins;
// esbuild's shim throws "Dynamic require … is not supported" unless a real require exists.
const BANNER = "import { createRequire as __dspfnCreateRequire } from 'node:module'; const require = __dspfnCreateRequire(import.meta.url);";

export interface BundleResult {
  name: string;
  /** Path of the handler inside the zip, and the handler string for serverless.yml. */
  handlerPath: string;
  handler: string;
  zipFile: string;
  /** Every file in the zip, by path. */
  files: string[];
  bundleBytes: number;
  sourceMapBytes: number;
  zipBytes: number;
  /** The largest inputs of the bundle, bytes after tree shaking and minification. */
  topInputs: Array<{ input: string; bytes: number }>;
}

export interface BundleOptions {
  outDir?: string;
  /** Function names (folders under functions/); default: every folder with a handler.ts. */
  functions?: readonly string[];
  /** Include the source map in the zip (NODE_OPTIONS=--enable-source-maps then maps stack traces). */
  sourceMapInZip?: boolean;
}

export function functionNames(): string[] {
  const dir = path.join(ROOT, 'functions');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'handler.ts')))
    .map((d) => d.name)
    .sort();
}

function topInputs(metafile: esbuild.Metafile, outFile: string): BundleResult['topInputs'] {
  const output = Object.entries(metafile.outputs).find(([file]) => path.resolve(ROOT, file) === outFile)?.[1];
  if (!output) return [];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    // Group dependencies by package, keep the project's own files by folder.
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = match ? match[1]! : path.dirname(input);
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  return [...byPackage.entries()]
    .map(([input, bytes]) => ({ input, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5);
}

/**
 * esbuild writes sources relative to the output folder, which is this machine's. Rewritten to
 * "/core/events/parse.ts", traces read the same wherever the bundle was built or runs.
 */
function repositoryRelativeMap(mapFile: string): Buffer {
  const map = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as { sources: string[]; sourceRoot?: string };
  map.sources = map.sources.map((source) => path.relative(ROOT, path.resolve(path.dirname(mapFile), source)).split(path.sep).join('/'));
  map.sourceRoot = '/';
  const data = Buffer.from(JSON.stringify(map));
  fs.writeFileSync(mapFile, data);
  return data;
}

export async function bundleFunction(name: string, options: BundleOptions = {}): Promise<BundleResult> {
  const outDir = path.resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const entry = path.join(ROOT, 'functions', name, 'handler.ts');
  if (!fs.existsSync(entry)) throw new Error(`no function "${name}": ${path.relative(ROOT, entry)} does not exist`);
  const functionDir = `functions/${name}`;
  const handlerPath = `${functionDir}/handler.mjs`;
  const stageDir = path.join(outDir, name);
  const outFile = path.join(stageDir, handlerPath);
  fs.rmSync(stageDir, { recursive: true, force: true });

  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: outFile,
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    // ESM builds of dependencies tree-shake better than their CommonJS `main`.
    mainFields: ['module', 'main'],
    external: EXTERNAL,
    minify: true,
    // Stack traces and middy's named middlewares stay readable even without the source map.
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    legalComments: 'eof',
    banner: { js: BANNER },
    metafile: true,
    logLevel: 'warning',
  });

  const bundle = fs.readFileSync(outFile);
  const map = repositoryRelativeMap(`${outFile}.map`);
  const entries: ZipEntry[] = [{ name: handlerPath, data: bundle }];
  if (options.sourceMapInZip ?? true) entries.push({ name: `${handlerPath}.map`, data: map });
  const zip = writeZip(entries);
  const zipFile = path.join(outDir, `${name}.zip`);
  fs.writeFileSync(zipFile, zip);
  return {
    name,
    handlerPath,
    handler: `${functionDir}/handler.handler`,
    zipFile,
    files: entries.map((e) => e.name).sort(),
    bundleBytes: bundle.length,
    sourceMapBytes: map.length,
    zipBytes: zip.length,
    topInputs: topInputs(result.metafile, outFile),
  };
}

export async function bundleFunctions(options: BundleOptions = {}): Promise<BundleResult[]> {
  const names = options.functions?.length ? options.functions : functionNames();
  return Promise.all(names.map((name) => bundleFunction(name, options)));
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function sizeTable(results: readonly BundleResult[]): string {
  const rows = [['function', 'handler.mjs', 'source map', 'zip'], ...results.map((r) => [r.name, kib(r.bundleBytes), kib(r.sourceMapBytes), kib(r.zipBytes)])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => '  ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ')).join('\n');
}

async function main(argv: string[]): Promise<void> {
  let outDir = process.env.DSPFN_ARTIFACT_DIR || DEFAULT_OUT_DIR;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--out') outDir = argv[++i] ?? outDir;
    else if (arg.startsWith('--out=')) outDir = arg.slice('--out='.length);
    else names.push(arg);
  }
  const started = performance.now();
  const results = await bundleFunctions({ outDir, functions: names });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`[bundle] ${results.length} function(s) → ${path.relative(process.cwd(), path.resolve(outDir)) || '.'} in ${seconds} s`);
  console.log(sizeTable(results));
  for (const r of results) {
    console.log(`  ${r.name}: ${r.topInputs.map((t) => `${t.input} ${kib(t.bytes)}`).join(', ')}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main(process.argv.slice(2));
}
