/**
 * `npm run deploy -- [--stage S] [--region R] [--aws-profile P] [--param key=value …]`
 *
 * 1. builds the native layer (npm run build:layer)
 * 2. deploys the layer stack (layers/serverless.yml) to the same stage and region
 * 3. bundles the functions (core/deploy/bundle.ts)
 * 4. deploys the function stack (serverless.yml), which reads the layer ARN from step 2's output
 *
 * One script rather than an `&&` chain so that --stage and --region reach both stacks: npm
 * appends `-- args` to the last command of a chain only.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { readEnv } from '../env/read-env.ts';
import { bundleFunctions, DEFAULT_OUT_DIR, ROOT, sizeTable } from './bundle.ts';

const SERVERLESS = path.join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
// Options that also select the layer stack; --param and the rest only concern the functions.
const SHARED_OPTIONS = new Set(['--stage', '-s', '--region', '-r', '--aws-profile', '--verbose']);
const FLAGS = new Set(['--verbose']);

function sharedArgs(argv: readonly string[]): string[] {
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

function step(title: string, command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): void {
  console.log(`\n[deploy] ${title}: ${[path.relative(ROOT, command) || command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`\n[deploy] FAILED at "${title}" (exit code ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

async function main(argv: string[]): Promise<void> {
  const outDir = readEnv(process.env, ['DSPFN_ARTIFACT_DIR']).DSPFN_ARTIFACT_DIR ?? DEFAULT_OUT_DIR;
  const env = { ...process.env, DSPFN_ARTIFACT_DIR: outDir };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  step('build the native layer', npm, ['run', 'build:layer'], ROOT, env);
  step('deploy the layer stack', process.execPath, [SERVERLESS, 'deploy', ...sharedArgs(argv)], path.join(ROOT, 'layers'), env);
  console.log('\n[deploy] bundle the functions');
  console.log(sizeTable(await bundleFunctions({ outDir })));
  step('deploy the functions', process.execPath, [SERVERLESS, 'deploy', ...argv], ROOT, env);
}

await main(process.argv.slice(2));
