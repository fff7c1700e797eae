#!/usr/bin/env node
// The dspfn command. Functions are TypeScript modules: tsx compiles them as they are imported, so
// `dspfn replay <function>` needs no build step in the user's project.
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
const sources = new URL('../core/cli/main.ts', import.meta.url);
let entry = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(sources)) {
  // The dspfn repository (core/ is not in the published package): run core from its sources, and
  // resolve 'dspfn' in functions/ and templates/ to them too rather than to a stale dist/.
  registerHooks('./source-conditions.mjs', import.meta.url);
  entry = sources;
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
