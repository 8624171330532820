/**
 * A fresh auth database per test, cheaply: one in-process engine on in-memory PGlite per test
 * file (opening PGlite is the expensive part, about half a second), and per call a new child
 * database with the schema applied (a few queries, milliseconds). Tests are isolated by
 * database, not by engine, as PGlite's own tests are by data directory.
 *
 * `client` is what the functions use: a server key of the child database (the scoped secret
 * `secret:<name>:server`). `adminClient` is that database's admin (`secret:<name>:admin`), for
 * what a server key may not do there (keys, roles). The auth test harness runs the functions on
 * `client` through their request context (test/auth/harness.ts).
 */

import { randomBytes } from 'node:crypto';
import faunadb from 'faunadb';
import { createInProcessFetch, openEngine, type Engine } from 'fql-engine';
import { applySchema } from '../../fauna-schema/apply.ts';

export interface AuthDatabase {
  readonly client: faunadb.Client;
  readonly adminClient: faunadb.Client;
  /** The engine's in-process fetch, for a client of another secret. */
  readonly fetch: typeof fetch;
  readonly name: string;
  /** Deletes the database (and everything in it). */
  close(): Promise<void>;
}

interface FileEngine {
  readonly engine: Engine;
  readonly fetch: typeof fetch;
  readonly root: faunadb.Client;
}

const ADMIN_SECRET = 'secret';
/**
 * bcrypt cost 4 (the engine's default is 10): a password check then takes about a millisecond
 * instead of ~50, and the cost changes nothing a test can observe except time. The login
 * benchmark opens its own engine at cost 10.
 */
const TEST_BCRYPT_COST = 4;

let opening: Promise<FileEngine> | null = null;

function fileEngine(): Promise<FileEngine> {
  opening ??= openEngine({ adminSecret: ADMIN_SECRET, memory: true, bcryptCost: TEST_BCRYPT_COST }).then((engine) => {
    const fetch = createInProcessFetch(engine);
    return { engine, fetch, root: new faunadb.Client({ secret: ADMIN_SECRET, fetch }) };
  });
  return opening;
}

export async function freshAuthDatabase(): Promise<AuthDatabase> {
  const db = await emptyDatabase();
  await applySchema(db.client, { log: () => {} });
  return db;
}

/** A new child database with nothing in it (the schema's own tests apply it themselves). */
export async function emptyDatabase(): Promise<AuthDatabase> {
  const { fetch, root } = await fileEngine();
  const name = `auth_${randomBytes(6).toString('hex')}`;
  await root.query(faunadb.query.CreateDatabase({ name }));
  return {
    client: new faunadb.Client({ secret: `${ADMIN_SECRET}:${name}:server`, fetch }),
    adminClient: new faunadb.Client({ secret: `${ADMIN_SECRET}:${name}:admin`, fetch }),
    fetch,
    name,
    close: async (): Promise<void> => {
      await root.query(faunadb.query.Delete(faunadb.query.Database(name)));
    },
  };
}

/** Closes this file's engine (an afterAll may call it; the worker's exit frees it otherwise). */
export async function closeAuthEngine(): Promise<void> {
  const current = opening;
  opening = null;
  if (current !== null) await (await current).engine.close();
}
