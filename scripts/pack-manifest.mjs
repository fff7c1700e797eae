#!/usr/bin/env node
/**
 * The published manifest lists the native platform packages (layers/dsp/npm/<platform>/) as
 * optional dependencies, the way esbuild and sharp ship their binaries: npm installs only the one
 * whose os/cpu/libc match. This repository's own package.json cannot list them: `npm ci` needs
 * every dependency in package-lock.json, and an unpublished version is not there.
 *
 *   node scripts/pack-manifest.mjs add       (prepack)  adds them, keeping the original text aside
 *   node scripts/pack-manifest.mjs restore   (postpack) puts the original back
 *
 * napi-rs's `prepublish` does the same. The versions are exact: a platform package is built from
 * the same sources as the JavaScript that loads it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { platformPackages } from '../layers/dsp/platforms.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifestFile = path.join(root, 'package.json');
const savedFile = path.join(root, '.dspfn', 'pack', 'package.json');

function add() {
  if (fs.existsSync(savedFile)) restore();
  const text = fs.readFileSync(manifestFile, 'utf8');
  const manifest = JSON.parse(text);
  if (manifest.optionalDependencies) {
    throw new Error('package.json lists optionalDependencies; they are added at pack time only (scripts/pack-manifest.mjs)');
  }
  const optional = {};
  for (const pkg of platformPackages()) {
    if (pkg.manifest.version !== manifest.version) {
      throw new Error(`${pkg.manifest.name} is version ${pkg.manifest.version}, dspfn ${manifest.version}: set both to the same version`);
    }
    optional[pkg.manifest.name] = manifest.version;
  }
  fs.mkdirSync(path.dirname(savedFile), { recursive: true });
  fs.writeFileSync(savedFile, text);
  fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, optionalDependencies: optional }, null, 2) + '\n');
  process.stdout.write(`[pack] optionalDependencies: ${Object.keys(optional).join(', ')} @ ${manifest.version}\n`);
}

function restore() {
  if (!fs.existsSync(savedFile)) return;
  fs.writeFileSync(manifestFile, fs.readFileSync(savedFile));
  fs.rmSync(savedFile);
}

const command = process.argv[2];
if (command === 'add') add();
else if (command === 'restore') restore();
else throw new Error('usage: pack-manifest.mjs add|restore');
