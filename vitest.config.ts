import { defineConfig } from 'vitest/config';

// Every folder that may hold tests is listed, so a test file placed anywhere else is a
// mistake that shows up as "not run" rather than being picked up by accident.
const testFolders = ['fql-engine', 'shared', 'functions', 'fauna-schema', 'netlify', 'test'];

export default defineConfig({
  test: {
    include: testFolders.map((folder) => `${folder}/**/*.test.ts`),
    // Starts (or finds) PostgreSQL once for the whole run; see test/global-setup.ts.
    globalSetup: ['test/global-setup.ts'],
    // Forks, not threads: PGlite's WASM heap and the pg pools are per process, and a crash
    // in one file must not take its neighbours down.
    pool: 'forks',
    // The CI machine has 2 cores; PGlite and a real PostgreSQL server share them.
    maxWorkers: 2,
    // Opening a PGlite snapshot or a SERIALIZABLE retry storm takes seconds, not milliseconds.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
