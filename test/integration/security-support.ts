// Helpers for the security tests: proving that no secret reaches an error, a log line or the
// test process's own output.
import { expect } from 'vitest';

/** The distinctive pieces of a secret: the value, its JSON-escaped form, and each body line of a PEM key. */
function pieces(secret: string): string[] {
  const out = new Set([secret, JSON.stringify(secret).slice(1, -1)]);
  if (secret.includes('-----BEGIN')) {
    for (const line of secret.split('\n')) if (line.length >= 16 && !line.startsWith('-----')) out.add(line);
  }
  return [...out];
}

/** Fails, naming the secret by position only, when `text` holds any of `secrets`. */
export function expectNoSecrets(text: string, secrets: readonly string[]): void {
  secrets.forEach((secret, index) => {
    for (const piece of pieces(secret)) expect(text.includes(piece), `secret #${index} appears in the output`).toBe(false);
  });
}

/** Everything this process writes to stdout and stderr from now until stop(), still passed through. */
export function captureOutput(): { text(): string; stop(): void } {
  const chunks: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const tap = (original: typeof process.stdout.write) =>
    function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof process.stdout.write;
  process.stdout.write = tap(originals.out);
  process.stderr.write = tap(originals.err);
  return {
    text: () => chunks.join(''),
    stop() {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}
