/**
 * The same test files run under vitest (npm test) and under node:test, which is what runs inside
 * qemu-aarch64: vitest's own native dependencies (rollup, esbuild) exist there only for the host.
 */
type TestBody = () => void | Promise<void>;

export let describe: (name: string, body: () => void) => void;
export let it: (name: string, body: TestBody, timeoutMs?: number) => void;

if (process.env.VITEST) {
  const vitest = await import('vitest');
  describe = (name, body) => vitest.describe(name, body);
  it = (name, body, timeoutMs) => vitest.it(name, body, timeoutMs);
} else {
  const nodeTest = await import('node:test');
  describe = (name, body) => {
    void nodeTest.describe(name, body);
  };
  it = (name, body, timeoutMs) => {
    void nodeTest.it(name, timeoutMs === undefined ? {} : { timeout: timeoutMs }, body);
  };
}
