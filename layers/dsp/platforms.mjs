/**
 * The native module's platform packages (esbuild's and sharp's layout): one npm package per
 * platform, layers/dsp/npm/<key>/, holding package.json (checked in) and dspfn_dsp.node (built by
 * layers/dsp/build.mjs). The main package lists them as optional dependencies at pack time
 * (scripts/pack-manifest.mjs), npm installs the one matching os/cpu/libc, and dspfn's loader
 * (core/dsp/native/loader.ts) requires `@dspfn/<key>`. The Lambda layer is the arm64 package.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NPM_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'npm');
export const NATIVE_FILE = 'dspfn_dsp.node';

/** key: `${os}-${arch}-${libc}` as the loader computes it. */
export const PLATFORMS = [
  { key: 'linux-x64-gnu', arch: 'x64' },
  { key: 'linux-arm64-gnu', arch: 'arm64' },
];

export function platformPackage(key) {
  const platform = PLATFORMS.find((p) => p.key === key);
  if (!platform) throw new Error(`no platform package ${key}; known: ${PLATFORMS.map((p) => p.key).join(', ')}`);
  const dir = path.join(NPM_DIR, key);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  return { ...platform, dir, manifest, binary: path.join(dir, NATIVE_FILE) };
}

export function platformPackages() {
  return PLATFORMS.map((p) => platformPackage(p.key));
}
