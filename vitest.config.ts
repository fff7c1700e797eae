import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'functions/**/*.test.ts', 'test/unit/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
