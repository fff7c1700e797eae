/**
 * `dspfn package` and `dspfn deploy`: bundles plus osls (the open-source Serverless Framework v3),
 * for a user's project and for this repository alike (`npm run package` / `npm run deploy`).
 *
 * package: bundle every function, then `serverless package` (offline; the layer is referenced by
 *          ARN, so nothing asks AWS anything).
 * deploy:  1. (this repository only) build the native layer: npm run build:layer
 *          2. the layer zip from the arm64 platform package (layer.ts)
 *          3. deploy the layer stack (layers/serverless.yml, staged in .dspfn/layer) to the same
 *             stage and region
 *          4. bundle every function
 *          5. `serverless deploy` of the project's serverless.yml, which reads the layer ARN from
 *             step 3's output
 *
 * Arguments after the command go to serverless as they are (--stage, --region, --param k=v, …).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { bundleFunctions, defaultOutDir, sizeTable, type BundleResult } from './bundle.ts';
import { LAYER_STACK_CONFIG, makeLayerZip, type LayerOptions } from './layer.ts';
import { DSPFN_ROOT, FROM_SOURCES, serverlessBin, type Project } from './project.ts';

// Options that also select the layer stack; --param and the rest only concern the functions.
const SHARED_OPTIONS = new Set(['--stage', '-s', '--region', '-r', '--aws-profile', '--verbose']);
const FLAGS = new Set(['--verbose']);

export function sharedArgs(argv: readonly string[]): string[] {
  const shared: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (!SHARED_OPTIONS.has(name)) continue;
    shared.push(arg);
    if (!arg.includes('=') && !FLAGS.has(name) && i + 1 < argv.length) shared.push(argv[++i]!);
  }
  return shared;
}

function log(message: string): void {
  process.stderr.write(`[dspfn] ${message}\n`);
}

/** The command line as logged: parameter values may be secrets (--param kafkaPassword=…), so they are not. */
function shown(args: readonly string[]): string {
  return args.map((arg, i) => (args[i - 1] === '--param' || arg.startsWith('--param=') ? arg.replace(/=.*/s, '=…') : arg)).join(' ');
}

function serverlessStep(title: string, serverless: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): void {
  log(`${title}: serverless ${shown(args)}${cwd === process.cwd() ? '' : ` (in ${cwd})`}`);
  run(title, process.execPath, [serverless, ...args], cwd, env);
}

function run(title: string, command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new ConfigError(`${title} failed (exit code ${result.status ?? result.signal})`);
}

function requireServerlessYml(project: Project): void {
  if (!fs.existsSync(path.join(project.root, 'serverless.yml'))) {
    throw new ConfigError(`no serverless.yml in ${project.root} (dspfn init writes one)`);
  }
}

async function bundleAll(project: Project, outDir: string): Promise<BundleResult[]> {
  const results = await bundleFunctions({ project, outDir });
  log(`bundled ${results.length} function(s) into ${path.relative(project.root, outDir)}\n${sizeTable(results)}`);
  return results;
}

export interface PackageOptions {
  /** Arguments for `serverless package` (e.g. --stage, --param k=v, --package DIR). */
  serverlessArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export async function packageProject(project: Project, options: PackageOptions = {}): Promise<BundleResult[]> {
  requireServerlessYml(project);
  const serverless = serverlessBin(project);
  const outDir = defaultOutDir(project);
  const results = await bundleAll(project, outDir);
  const env = { ...(options.env ?? process.env), DSPFN_ARTIFACT_DIR: outDir };
  serverlessStep('serverless package', serverless, ['package', ...(options.serverlessArgs ?? [])], project.root, env);
  return results;
}

export interface DeployOptions extends PackageOptions {
  /** Where the arm64 platform package comes from (see LayerOptions.from). */
  layerFrom?: string;
}

export async function deployProject(project: Project, options: DeployOptions = {}): Promise<void> {
  requireServerlessYml(project);
  const serverless = serverlessBin(project);
  const argv = options.serverlessArgs ?? [];
  const outDir = defaultOutDir(project);
  const baseEnv = options.env ?? process.env;
  if (FROM_SOURCES) {
    log('build the native layer: npm run build:layer');
    run('build the native layer', 'npm', ['run', 'build:layer'], DSPFN_ROOT, baseEnv);
  }
  const layerOptions: LayerOptions = options.layerFrom ? { from: options.layerFrom } : {};
  const layer = makeLayerZip(project, layerOptions);
  log(`layer ${path.relative(project.root, layer.zipFile)} (${layer.bytes} bytes) from ${layer.source}`);
  const stackDir = path.dirname(layer.zipFile);
  fs.copyFileSync(LAYER_STACK_CONFIG, path.join(stackDir, 'serverless.yml'));
  const env = { ...baseEnv, DSPFN_ARTIFACT_DIR: outDir, DSPFN_LAYER_ZIP: layer.zipFile };
  serverlessStep('deploy the layer stack', serverless, ['deploy', ...sharedArgs(argv)], stackDir, env);
  await bundleAll(project, outDir);
  serverlessStep('deploy the functions', serverless, ['deploy', ...argv], project.root, env);
}
