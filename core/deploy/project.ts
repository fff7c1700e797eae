import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.ts';

/**
 * A dspfn project: a folder with package.json, functions/<name>/handler.ts and serverless.yml.
 * The user's project, or this repository, which is laid out the same way, so `dspfn bundle`,
 * `package` and `deploy` run the same code in both.
 */

/** dspfn's own package root (the repository, or node_modules/dspfn): core/deploy and dist/deploy are two levels down. */
export const DSPFN_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** True when dspfn runs from its TypeScript sources, i.e. inside this repository. */
export const FROM_SOURCES = import.meta.url.endsWith('.ts');

export interface Project {
  root: string;
  functionsDir: string;
  /** Where bundles, the layer zip and osls's staging go (gitignored). */
  workDir: string;
}

/** The project around `cwd`: the nearest folder upwards with a package.json. */
export function findProject(cwd: string = process.cwd()): Project {
  let dir = path.resolve(cwd);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return projectAt(dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new ConfigError(`no package.json in ${path.resolve(cwd)} or above: run dspfn in your project (dspfn init creates one)`);
    dir = parent;
  }
}

export function projectAt(root: string): Project {
  return { root, functionsDir: path.join(root, 'functions'), workDir: path.join(root, '.dspfn') };
}

/** Folders under functions/ with a handler.ts, sorted. */
export function functionNames(project: Project): string[] {
  if (!fs.existsSync(project.functionsDir)) return [];
  return fs
    .readdirSync(project.functionsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(project.functionsDir, d.name, 'handler.ts')))
    .map((d) => d.name)
    .sort();
}

/** A package resolved from the project first, then from dspfn's own dependencies. */
export function resolveFrom(project: Project, request: string): string | undefined {
  for (const base of [project.root, DSPFN_ROOT]) {
    try {
      return createRequire(path.join(base, 'package.json')).resolve(request);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  return undefined;
}

/** osls's bin/serverless.js: a devDependency of the project (dspfn init adds it). */
export function serverlessBin(project: Project): string {
  const manifest = resolveFrom(project, 'osls/package.json');
  if (!manifest) {
    throw new ConfigError('osls (the open-source Serverless Framework v3) is not installed in this project: npm install --save-dev osls@3');
  }
  return path.join(path.dirname(manifest), 'bin', 'serverless.js');
}

export function dspfnVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(DSPFN_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
