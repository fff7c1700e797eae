import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { DSPFN_ROOT, dspfnVersion } from '../deploy/project.ts';
import { functionFiles, serverlessEntry } from './new-function.ts';
import { addFunctionEntry } from './serverless-functions.ts';
import { renderProjectFile } from './templates.ts';
import { writePlan } from './write-files.ts';

/**
 * `dspfn init [dir]`: a project that depends on dspfn, with tsconfig.json, serverless.yml (msk and
 * self-managed kafka events, arm64, the layer), docker-compose.yml, .gitignore, a README and one
 * example function. An existing package.json (say, after `npm install dspfn`) gains what is
 * missing and keeps every value it has; any other file that exists stops the run before anything
 * is written.
 */

export const EXAMPLE_FUNCTION = 'sensor-rms';

/** Tools the project's scripts use, at the versions dspfn itself is tested with. */
const DEV_TOOLS = ['@types/node', 'osls', 'typescript', 'vitest'] as const;

const SCRIPTS: Record<string, string> = {
  test: 'vitest run',
  typecheck: 'tsc',
  bundle: 'dspfn bundle',
  package: 'dspfn package',
  deploy: 'dspfn deploy',
};

interface Manifest {
  name?: string;
  type?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export interface InitResult {
  root: string;
  written: string[];
  /** package.json keys added to an existing manifest, e.g. "scripts.test". */
  added: string[];
}

/** A CloudFormation-friendly service name: letters, digits and "-", starting with a letter. */
function serviceName(name: string): string {
  const cleaned = name.replace(/^@[^/]+\//, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(cleaned) ? cleaned.slice(0, 40) : `dspfn-${cleaned}`.slice(0, 40).replace(/-+$/, '');
}

function dspfnDevDependencies(): Record<string, string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(DSPFN_ROOT, 'package.json'), 'utf8')) as Manifest;
  return Object.fromEntries(DEV_TOOLS.map((tool) => [tool, manifest.devDependencies?.[tool] ?? 'latest']));
}

function readManifest(file: string): Manifest | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON`, { cause: error });
  }
}

/** The project's manifest: the existing one with what is missing added, and the keys added. */
function projectManifest(existing: Manifest | undefined, name: string): { manifest: Manifest; added: string[] } {
  // `npm install <package>` in an empty folder writes a package.json with dependencies only.
  const manifest: Manifest = existing ? { name, ...existing } : { name, version: '0.1.0', private: true };
  const added: string[] = existing && existing.name === undefined ? ['name'] : [];
  if (manifest.type === undefined) {
    manifest.type = 'module';
    added.push('type');
  } else if (manifest.type !== 'module') {
    throw new ConfigError(
      `package.json has "type": "${manifest.type}" (npm init -y writes "commonjs"); dspfn functions are ES modules: set "type": "module" and run dspfn init again`,
    );
  }
  const inDependencies = manifest.dependencies?.dspfn ?? manifest.devDependencies?.dspfn;
  if (!inDependencies) {
    manifest.dependencies = { ...manifest.dependencies, dspfn: `^${dspfnVersion()}` };
    added.push('dependencies.dspfn');
  }
  const fill = (key: 'scripts' | 'devDependencies', values: Record<string, string>, skip: (name: string) => boolean = () => false): void => {
    const current = { ...manifest[key] };
    for (const [entry, value] of Object.entries(values)) {
      if (current[entry] !== undefined || skip(entry)) continue;
      current[entry] = value;
      added.push(`${key}.${entry}`);
    }
    manifest[key] = current;
  };
  fill('scripts', SCRIPTS);
  fill('devDependencies', dspfnDevDependencies(), (tool) => manifest.dependencies?.[tool] !== undefined);
  return { manifest, added: existing ? added : [] };
}

export function initProject(dir: string): InitResult {
  const root = path.resolve(dir);
  if (fs.existsSync(root) && !fs.statSync(root).isDirectory()) throw new ConfigError(`${root} is not a folder`);
  const manifestFile = path.join(root, 'package.json');
  const existing = readManifest(manifestFile);
  const service = serviceName(existing?.name ?? path.basename(root));
  const { manifest, added } = projectManifest(existing, service);
  const values = { service, example: EXAMPLE_FUNCTION };
  const skeleton = renderProjectFile('serverless.yml', values);
  // The example shows both trigger kinds; a project keeps the one its cluster needs.
  const serverlessYml = addFunctionEntry(skeleton, EXAMPLE_FUNCTION, serverlessEntry(EXAMPLE_FUNCTION, 'sensor', ['msk', 'kafka']))!;
  const manifestText = JSON.stringify(manifest, null, 2) + '\n';
  const create = [
    { file: 'tsconfig.json', content: renderProjectFile('tsconfig.json', values) },
    { file: 'serverless.yml', content: serverlessYml },
    { file: 'docker-compose.yml', content: renderProjectFile('docker-compose.yml', values) },
    // npm leaves files named .gitignore out of packages, so the template is `gitignore`.
    { file: '.gitignore', content: renderProjectFile('gitignore', values) },
    { file: 'README.md', content: renderProjectFile('README.md', values) },
    ...functionFiles(EXAMPLE_FUNCTION, 'sensor'),
  ];
  const plan = existing
    ? { create, update: added.length > 0 ? [{ file: 'package.json', content: manifestText }] : [] }
    : { create: [{ file: 'package.json', content: manifestText }, ...create] };
  fs.mkdirSync(root, { recursive: true });
  return { root, written: writePlan(root, plan), added };
}
