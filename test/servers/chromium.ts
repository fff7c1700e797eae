/**
 * Headless Chromium for the report tests: Debian's `chromium` package, installed here when it is
 * missing (a fresh CI clone has none; apt-get is reachable, as root or through passwordless sudo).
 * DSPFN_TEST_CHROMIUM names another binary. Nothing is downloaded from anywhere but the Debian
 * mirrors. A vitest globalSetup: `inject("chromiumPath")`.
 */
/// <reference path="./provided-chromium.d.ts" />
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function asRoot(): Promise<string[]> {
  if (process.getuid?.() === 0) return [];
  try {
    await run('sudo', ['-n', 'true']);
    return ['sudo', '-n'];
  } catch {
    throw new Error("chromium is not installed and installing it needs root: run 'sudo apt-get install --no-install-recommends chromium' (or set DSPFN_TEST_CHROMIUM)");
  }
}

export async function ensureChromium(): Promise<string> {
  const given = process.env.DSPFN_TEST_CHROMIUM;
  if (given) {
    if (!executable(given)) throw new Error(`DSPFN_TEST_CHROMIUM=${given} is not an executable file`);
    return given;
  }
  const found = CANDIDATES.find(executable);
  if (found) return found;
  const prefix = await asRoot();
  const apt = async (...args: string[]) => {
    const [command, ...rest] = [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
    await run(command!, rest, { maxBuffer: 64 * 1024 * 1024 });
  };
  try {
    await apt('update', '-qq');
    await apt('install', '-y', '-qq', '--no-install-recommends', 'chromium');
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`apt-get install chromium failed: ${failure.stderr?.trim().split('\n').slice(-5).join('\n') || failure.message}`);
  }
  const installed = CANDIDATES.find(executable);
  if (!installed) throw new Error('chromium was installed but /usr/bin/chromium is missing');
  return installed;
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('chromiumPath', await ensureChromium());
}
