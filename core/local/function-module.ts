import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.ts';
import type { DspfnHandler } from '../handler/define-function.ts';

/**
 * The function a module exports as `handler` (or its default export), made by defineFunction: what
 * `dspfn` loads from a function's file and each `consume --threads` thread loads again.
 */
export async function importFunction(path: string): Promise<DspfnHandler> {
  const module = (await import(pathToFileURL(path).href)) as { handler?: unknown; default?: unknown };
  const handler = module.handler ?? module.default;
  if (typeof handler !== 'function' || !('dspfn' in handler)) {
    throw new ConfigError(`${path} does not export a handler made by defineFunction (export const handler = defineFunction({…}))`);
  }
  return handler as DspfnHandler;
}
