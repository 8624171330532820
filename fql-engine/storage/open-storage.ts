/**
 * Chooses the storage backend from configuration. A database URL wins over everything:
 * in production DATABASE_URL is set next to whatever local defaults the config carries.
 * Without one, `memory` wins over `dataDir`, because asking for nothing to be kept is the
 * more deliberate choice (`npm run db -- --memory` alongside the default data directory).
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgliteOptions } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import { StorageError } from './types.ts';
import type { Storage } from './types.ts';

export interface StorageConfig {
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly memory?: boolean;
  /** PostgreSQL only: a schema to keep the tables in. */
  readonly schema?: string;
}

export async function openStorage(config: StorageConfig): Promise<Storage> {
  // An empty string is how an unset environment variable often arrives.
  if (config.databaseUrl !== undefined && config.databaseUrl !== '') {
    return openPostgres({ url: config.databaseUrl, schema: config.schema });
  }
  if (config.memory === true) return openPglite({});
  if (config.dataDir !== undefined && config.dataDir !== '') return openPglite({ dataDir: config.dataDir });
  throw new StorageError('invalid_config', 'no storage configured: give a database URL, a data directory, or memory');
}

/**
 * The PGlite backend is imported by a computed URL, which bundlers do not follow. A Netlify
 * function runs the engine on PostgreSQL only, so its bundle then carries neither this module
 * nor PGlite's 15 MB of WASM and data (which `netlify dev` would otherwise copy for every
 * function at every start). The URL takes this file's own extension: `.ts` in the repository,
 * `.js` in the published package, whose compiler rewrites only the imports it can read.
 */
async function openPglite(options: PgliteOptions): Promise<Storage> {
  const extension = path.extname(fileURLToPath(import.meta.url));
  const backend = (await import(new URL(`./pglite${extension}`, import.meta.url).href)) as typeof import('./pglite.ts');
  return backend.openPglite(options);
}
