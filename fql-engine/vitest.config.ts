import { defineConfig } from 'vitest/config';

// The package's own run (`npm test` here, `npm test -w fql-engine` from the root). From the
// repository root, the root's vitest.config.ts runs these same files once, with its own global
// setup (which also starts a throw-away PostgreSQL); the settings below match it.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**'],
    // PostgreSQL from TEST_DATABASE_URL; see test/global-setup.ts.
    globalSetup: ['test/global-setup.ts'],
    // Forks, not threads: PGlite's WASM heap and the pg pools are per process.
    pool: 'forks',
    maxWorkers: 2,
    // Opening a PGlite snapshot or a SERIALIZABLE retry storm takes seconds, not milliseconds.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
