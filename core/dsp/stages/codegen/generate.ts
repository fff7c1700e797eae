/**
 * `npm run generate`: gives new catalogue stages their kind ids (kinds.lock.json) and rewrites every
 * file derived from the catalogue (see artifacts.ts). `--check` only reports files that differ and
 * exits 1 (the drift test in codegen.test.ts does the same inside `npm test`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { catalogue, lockedKinds } from '../catalogue.ts';
import { artifacts, readArtifact, repoRoot } from './artifacts.ts';
import { withNewKinds } from './kinds.ts';

const check = process.argv.includes('--check');
const kinds = withNewKinds(lockedKinds(), catalogue.map((d) => d.name));
let stale = 0;
for (const artifact of artifacts(kinds)) {
  const current = readArtifact(artifact);
  const expected = artifact.expected(current);
  if (current === expected) continue;
  stale++;
  if (check) console.log(`out of date: ${artifact.file}`);
  else {
    fs.mkdirSync(path.dirname(path.join(repoRoot, artifact.file)), { recursive: true });
    fs.writeFileSync(path.join(repoRoot, artifact.file), expected);
    console.log(`wrote ${artifact.file}`);
  }
}
if (stale === 0) console.log('generated files are up to date');
if (check && stale > 0) {
  console.log('run: npm run generate');
  process.exitCode = 1;
}
