#!/usr/bin/env node
/**
 * `npm run build` (and `prepack`): core/*.ts → dist/ as ESM JavaScript with .d.ts declarations,
 * what the published package runs. Inside this repository nothing reads dist/: package.json's
 * "dspfn-source" export condition maps every entry point to core/*.ts for vitest, tsc, tsx and the
 * CLI (bin/dspfn.js).
 *
 * tsc rewrites the sources' relative `.ts` imports to `.js` in the JavaScript
 * (rewriteRelativeImportExtensions) but leaves them in the declarations; they are rewritten here too,
 * so the declarations read like any other package's and need nothing of the user's tsconfig.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const started = performance.now();

fs.rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

// `from './x.ts'`, `import('./x.ts')` and `declare module './x.ts'`: relative specifiers only.
const relativeTs = /((?:from|import\(|module)\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g;
let declarations = 0;
for (const file of fs.readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.d.ts')) continue;
  const full = path.join(dist, file);
  const text = fs.readFileSync(full, 'utf8');
  const rewritten = text.replace(relativeTs, '$1$2.js$3');
  if (rewritten !== text) fs.writeFileSync(full, rewritten);
  declarations++;
}

// osls loads serverless.yml's variable files with require(): CommonJS, copied as is.
fs.copyFileSync(path.join(root, 'core', 'deploy', 'params.cjs'), path.join(dist, 'deploy', 'params.cjs'));
// A consume thread's first module runs before any loader is registered: plain JavaScript, copied as is.
fs.copyFileSync(path.join(root, 'core', 'local', 'consume-thread-boot.mjs'), path.join(dist, 'local', 'consume-thread-boot.mjs'));

const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(`[build] dist/: ${declarations} modules with declarations in ${seconds} s\n`);
