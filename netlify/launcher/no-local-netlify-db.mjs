// @ts-check
/**
 * Loaded into `netlify dev` (`node --import`) by the launcher, so that netlify dev does not
 * start its local Netlify DB.
 *
 * On every start, whether the site uses Netlify DB or not, @netlify/dev (netlify-cli 26) opens
 * a PGlite database under .netlify/db behind a Postgres wire server, and waits for it before it
 * goes on. This project never uses it: its data lives in its own engine (the engine server in
 * development, DATABASE_URL in production). Measured on the shared 2-core machine, that start
 * took 1.5 s on an existing .netlify/db and 8.8 s on a fresh clone (initdb), all before netlify
 * dev's "ready".
 *
 * @netlify/dev catches a failed start, goes on without a database, and logs the error on one
 * line; so the start fails at once, with a message saying why, which netlify-output.ts turns
 * into a calm line. Both modes use it: the production rehearsal's data is on DATABASE_URL.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const NOT_STARTED = 'not started by npm run dev: this project keeps its data in its own FQL engine';

/**
 * @netlify/database-dev as @netlify/dev imports it. It exports only an ESM entry, which
 * require.resolve cannot find, so its package.json is looked up beside @netlify/dev's.
 * @returns {string}
 */
function databaseDevUrl() {
  const cliRequire = createRequire(createRequire(import.meta.url).resolve('netlify-cli/package.json'));
  let dir = path.dirname(cliRequire.resolve('@netlify/dev/package.json'));
  for (;;) {
    const manifest = path.join(dir, 'node_modules', '@netlify', 'database-dev', 'package.json');
    try {
      /** @type {unknown} */
      const parsed = JSON.parse(readFileSync(manifest, 'utf8'));
      const json = /** @type {{ exports: { '.': { import: { default: string } } } }} */ (parsed);
      return pathToFileURL(path.join(path.dirname(manifest), json.exports['.'].import.default)).href;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) throw new Error('@netlify/database-dev not found beside @netlify/dev');
      dir = parent;
    }
  }
}

/**
 * netlify dev's database class, or null when this netlify-cli has none where it is looked for:
 * a later version may move it, and then netlify dev starts its database as it would anyway.
 * @returns {Promise<{ prototype: { start: () => Promise<string> } } | null>}
 */
async function netlifyDbClass() {
  try {
    /** @type {unknown} */
    const databaseDev = await import(databaseDevUrl());
    const { NetlifyDB } = /** @type {{ NetlifyDB?: { prototype: { start: () => Promise<string> } } }} */ (databaseDev);
    return NetlifyDB ?? null;
  } catch {
    return null;
  }
}

// Function workers inherit this --import; only netlify dev's main thread starts the database.
if (isMainThread) {
  const NetlifyDB = await netlifyDbClass();
  if (NetlifyDB === null) console.warn("npm run dev: netlify dev's local database was not found to turn off; it may start, unused.");
  else NetlifyDB.prototype.start = () => Promise.reject(new Error(NOT_STARTED));
}
