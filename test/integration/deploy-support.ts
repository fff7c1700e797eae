import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../core/deploy/bundle.ts';

/** Shared by the osls packaging tests (functions stack and layer stack). */

export const LAYER_ZIP = path.join(ROOT, 'layers', 'dsp', 'build', 'dspfn-dsp-layer.zip');
export const SERVERLESS = path.join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
export const MiB = 1024 * 1024;

export type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };
export type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, any>; Parameters?: Record<string, any> };

/** Fake keys only: osls refuses to package without credentials but never calls AWS for these stacks. */
export function offlineEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'offline-packaging-only', ...extra };
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_PROFILE']) delete env[name];
  return env;
}

export function serverless(args: string[], cwd: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): void {
  const result = spawnSync(process.execPath, [...nodeArgs, SERVERLESS, ...args], { cwd, env, encoding: 'utf8', timeout: 90_000 });
  if (result.status !== 0) {
    throw new Error(`serverless ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
}

export function readTemplate(dir: string): Template {
  return JSON.parse(fs.readFileSync(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}
