import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{common,contract,scheduler,node-agent,proto,sim,bench,cli}/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real processes and worker pools; two cores cannot host many at once.
    maxWorkers: 2,
  },
});
