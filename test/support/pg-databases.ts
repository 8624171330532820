/**
 * A PostgreSQL database of one's own on a server, for what must not share one: the functions
 * as deployed (test/e2e) and the contention benchmark. The URL's user must be allowed to
 * CREATE DATABASE; names are made by the callers from letters, digits and underscores.
 */

import pg from 'pg';

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** Creates the database and answers its URL: the server's URL with the database name swapped in. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops it even while connections remain (a stopped process's pool may not have closed yet). */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
