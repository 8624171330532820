/**
 * The faunadb client the functions (and `npm run schema`) use, in one of two modes:
 *
 * - DATABASE_URL set: the engine runs in this process against that PostgreSQL, reached through
 *   the in-process `fetch` (no socket, no server). It is opened once per process, lazily, on
 *   the first query: a Netlify function instance pays for it once, at its first request.
 *   FAUNA_SECRET is then the engine's admin secret. The engine keeps no copy of it (keys and
 *   tokens live in PostgreSQL, the admin secret only in configuration), so it should be the
 *   same value as the `npm run db --secret` of any HTTP engine on the same DATABASE_URL. The
 *   client narrows it to a server key of the root database (`<secret>::server`): the functions
 *   need documents, credentials and tokens, never databases or keys. A secret may not contain
 *   ':' (the engine reads ':' as the start of that narrowing).
 * - otherwise: HTTP to FAUNA_ENDPOINT with FAUNA_SECRET as given, over the driver's own
 *   transport (HTTP/2 cleartext on Node). The secret is used as is, since it may already be a
 *   server key (which cannot be narrowed further); locally it is the `npm run db` admin
 *   secret, `secret`.
 *
 * Clients are kept per configuration: an HTTP/2 client holds a connection, and a Netlify
 * function calls `faunaClient(config())` on every request.
 *
 * The engine's modules are imported only when the first in-process query runs: over HTTP (npm
 * run dev, where netlify dev starts a fresh worker for every call) a function never evaluates
 * the engine, nor loads `pg`.
 */

import faunadb from 'faunadb';
import type { Config } from '../config.ts';
import type { Engine } from '../../fql-engine/engine.ts';
import { redactDatabaseUrl } from '../../fql-engine/storage/database-url.ts';

interface OpenEngine {
  readonly engine: Engine;
  readonly fetch: typeof fetch;
}

let injected: faunadb.Client | null = null;
const clients = new Map<string, faunadb.Client>();
const engines = new Map<string, Promise<OpenEngine>>();

export function faunaClient(config: Config): faunadb.Client {
  if (injected !== null) return injected;
  const key = config.databaseUrl === null ? `http\n${config.faunaEndpoint}\n${config.faunaSecret}` : `pg\n${config.databaseUrl}\n${config.faunaSecret}`;
  let client = clients.get(key);
  if (client === undefined) {
    client = config.databaseUrl === null ? httpClient(config) : inProcessClient(config.databaseUrl, config.faunaSecret);
    clients.set(key, client);
  }
  return client;
}

/**
 * Makes every later faunaClient() call return `client` (null restores the normal behaviour).
 * Netlify functions build their own client from config(), so this is how a test points them
 * at its fresh database.
 */
export function setFaunaClientForTests(client: faunadb.Client | null): void {
  injected = client;
}

/** Closes every client and in-process engine this module opened (the CLI, at exit; tests). */
export async function closeFaunaClients(): Promise<void> {
  const open = [...clients.values()];
  const opening = [...engines.values()];
  clients.clear();
  engines.clear();
  await Promise.all(open.map((client) => client.close()));
  const settled = await Promise.allSettled(opening);
  await Promise.all(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.engine.close()] : [])));
}

/** Where the client's queries go, for messages: never the secret or a password. */
export function describeFaunaTarget(config: Config): string {
  if (config.databaseUrl === null) return `the FQL engine at ${config.faunaEndpoint} (FAUNA_ENDPOINT)`;
  return `the in-process FQL engine on PostgreSQL at ${redactDatabaseUrl(config.databaseUrl)} (DATABASE_URL)`;
}

function httpClient(config: Config): faunadb.Client {
  const url = new URL(config.faunaEndpoint);
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') {
    throw new Error(`FAUNA_ENDPOINT must be an http:// or https:// URL, not '${config.faunaEndpoint}'.`);
  }
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  return new faunadb.Client({ secret: config.faunaSecret, scheme, domain: url.hostname, port });
}

function inProcessClient(databaseUrl: string, adminSecret: string): faunadb.Client {
  if (adminSecret.includes(':')) {
    throw new Error("FAUNA_SECRET may not contain ':' when DATABASE_URL runs the engine in-process (it is the engine's admin secret).");
  }
  const key = `${databaseUrl}\n${adminSecret}`;
  const lazyFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const { fetch } = await sharedEngine(key, databaseUrl, adminSecret);
    return fetch(input, init);
  };
  // The URL only has to parse: the in-process fetch reads nothing but its path.
  return new faunadb.Client({ secret: `${adminSecret}::server`, scheme: 'http', domain: 'in-process', port: 8443, fetch: lazyFetch });
}

/** The engine for this URL, opened on first use; a failed open is forgotten, so the next query tries again. */
function sharedEngine(key: string, databaseUrl: string, adminSecret: string): Promise<OpenEngine> {
  let opening = engines.get(key);
  if (opening === undefined) {
    opening = (async () => {
      const [{ openEngine }, { createInProcessFetch }] = await Promise.all([import('../../fql-engine/engine.ts'), import('../../fql-engine/transport/in-process.ts')]);
      const engine = await openEngine({ databaseUrl, adminSecret });
      return { engine, fetch: createInProcessFetch(engine) };
    })();
    engines.set(key, opening);
    opening.catch(() => {
      if (engines.get(key) === opening) engines.delete(key);
    });
  }
  return opening;
}
