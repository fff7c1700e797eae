import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';

/** Files to create (paths relative to a root), and files to update in place. */
export interface FilePlan {
  create: Array<{ file: string; content: string }>;
  update?: Array<{ file: string; content: string }>;
}

/** Throws, naming all of them, when any of the files exists. */
export function assertNew(root: string, files: readonly string[]): void {
  const existing = files.filter((file) => fs.existsSync(path.join(root, file)));
  if (existing.length > 0) {
    throw new ConfigError(`refusing to overwrite ${existing.join(', ')} in ${root}; nothing was written (move them away, or choose another name or folder)`);
  }
}

/**
 * Writes a plan all or nothing: when any file to create already exists, nothing is written and
 * the error lists every one of them, so a second run never overwrites work.
 */
export function writePlan(root: string, plan: FilePlan): string[] {
  assertNew(root, plan.create.map(({ file }) => file));
  const written: string[] = [];
  for (const { file, content } of [...plan.create, ...(plan.update ?? [])]) {
    const target = path.join(root, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
    written.push(file);
  }
  return written;
}
