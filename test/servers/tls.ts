/**
 * The throwaway certificates of one test run (test/servers/tls/certs.sh), made once and shared by
 * every server started in the run: the first globalSetup that asks makes them and records the
 * directory in DSPFN_TEST_TLS_DIR, later ones (same process) reuse it. Removed when the process exits.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TLS_DIR_ENV = 'DSPFN_TEST_TLS_DIR';

const SCRIPT = fileURLToPath(new URL('./tls/certs.sh', import.meta.url));

/** Paths of the PEM files; what each one is for is in certs.sh. */
export interface TestCertificates {
  dir: string;
  ca: string;
  otherCa: string;
  serverCert: string;
  clientCert: string;
  clientKey: string;
  otherClientCert: string;
  otherClientKey: string;
}

export function certificatesIn(dir: string): TestCertificates {
  const file = (name: string) => path.join(dir, name);
  return {
    dir,
    ca: file('ca.pem'),
    otherCa: file('other-ca.pem'),
    serverCert: file('server.pem'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
    otherClientCert: file('other-client.pem'),
    otherClientKey: file('other-client.key'),
  };
}

function run(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('bash', [SCRIPT, dir], { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`certs.sh failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}

export async function testCertificates(): Promise<TestCertificates> {
  const existing = process.env[TLS_DIR_ENV];
  if (existing && existsSync(path.join(existing, '.complete'))) return certificatesIn(existing);
  const dir = mkdtempSync(path.join(tmpdir(), 'dspfn-tls-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  await run(dir);
  process.env[TLS_DIR_ENV] = dir;
  return certificatesIn(dir);
}
