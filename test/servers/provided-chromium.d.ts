// Values that test/servers/chromium.ts (vitest globalSetup) hands to test files via inject().
declare module 'vitest' {
  export interface ProvidedContext {
    /** A headless-capable Chromium binary (Debian's chromium package). */
    chromiumPath: string;
  }
}
export {};
