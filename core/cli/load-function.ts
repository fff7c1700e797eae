import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { DspfnHandler } from '../handler/define-function.ts';
import { ConfigError } from '../errors.ts';
import { importFunction } from '../local/function-module.ts';

const HANDLER_FILES = ['handler.ts', 'handler.js', 'handler.mjs', 'index.ts', 'index.js'];

/**
 * `<function>` is a folder under functions/ ("sensor-rms"), a folder path, or a module path.
 * The module must export `handler` (or a default export) made by defineFunction.
 */
export function resolveFunctionModule(spec: string, cwd = process.cwd()): string {
  const candidates = isAbsolute(spec) ? [spec] : [resolve(cwd, spec), resolve(cwd, 'functions', spec)];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    if (statSync(candidate).isFile()) return candidate;
    for (const file of HANDLER_FILES) {
      const path = join(candidate, file);
      if (existsSync(path)) return path;
    }
  }
  throw new ConfigError(
    `cannot find function "${spec}": tried ${candidates.join(', ')} (a folder with ${HANDLER_FILES.join(' / ')}, or a module path)`,
  );
}

export async function loadFunction(spec: string, cwd?: string): Promise<{ path: string; handler: DspfnHandler }> {
  const path = resolveFunctionModule(spec, cwd);
  return { path, handler: await importFunction(path) };
}
