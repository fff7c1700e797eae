import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogue } from '../catalogue.ts';
import { formatLock } from './kinds.ts';
import { opsTable } from './ops-table.ts';
import { referencesIndex } from './references-index.ts';
import { replaceTable, stageTable } from './readme-table.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** A file `npm run generate` writes, and what it must hold. */
export interface Artifact {
  /** Repository-relative path. */
  readonly file: string;
  expected(current: string | undefined): string;
}

/** Every generated file, given the kind ids (the lock after new stages are appended). */
export function artifacts(kinds: Readonly<Record<string, number>>): Artifact[] {
  return [
    { file: 'core/dsp/stages/kinds.lock.json', expected: () => formatLock(kinds) },
    { file: 'layers/dsp/src/stages/catalogue.gen.c', expected: () => opsTable(catalogue, kinds) },
    { file: 'core/dsp/stages/references.generated.ts', expected: () => referencesIndex(catalogue) },
    {
      file: 'README.md',
      expected: (current) => replaceTable(current ?? '', stageTable(catalogue, kinds)),
    },
  ];
}

export function readArtifact(artifact: Artifact): string | undefined {
  const file = path.join(repoRoot, artifact.file);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}
