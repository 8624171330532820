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
 * function's request context asks for one on every request. The configuration was checked
 * when it was loaded (shared/config.ts): an endpoint that is http(s), a secret fit for its mode.
 *
 * HTTP engines are reached with the driver's HTTP/2 transport rather than through `fetch`
 * (HTTP/1.1 with keep-alive), which would honour an AbortSignal on its own: measured on one
 * machine, the two were even for queries one after another, and `fetch` took about twice as
 * long for 50 queries at once (one connection per query in flight, against one stream each).
 * The deadline of every query is kept by shared/fql/run-query.ts, whatever the transport.
 *
 * The engine's modules are imported only when the first in-process query runs: over HTTP (npm
 * run dev, where netlify dev starts a fresh worker for every call) a function never evaluates
 * the engine, nor loads `pg`. That is why redactDatabaseUrl, needed at once, comes from its own
 * small module rather than from the engine's index.
 */

import faunadb from 'faunadb';
import type { DatabaseConfig } from '../config.ts';
import type { Engine } from '../../fql-engine/index.ts';
import { redactDatabaseUrl } from '../../fql-engine/storage/database-url.ts';

interface OpenEngine {
  readonly engine: Engine;
  readonly fetch: typeof fetch;
}

const clients = new Map<string, faunadb.Client>();
const engines = new Map<string, Promise<OpenEngine>>();

export function faunaClient(config: DatabaseConfig): faunadb.Client {
  const key = config.databaseUrl === null ? `http\n${config.faunaEndpoint}\n${config.faunaSecret}` : `pg\n${config.databaseUrl}\n${config.faunaSecret}`;
  let client = clients.get(key);
  if (client === undefined) {
    client = config.databaseUrl === null ? httpClient(config) : inProcessClient(config.databaseUrl, config.faunaSecret, `${config.faunaSecret}::server`);
    clients.set(key, client);
  }
  return client;
}

/**
 * The engine's admin, for what a server key may not do: roles, which `npm run schema` applies.
 * In-process: FAUNA_SECRET un-narrowed. Over HTTP: FAUNA_SECRET as given (an admin key is needed
 * for roles; the engine says `permission denied` to anything less). Never for the functions.
 */
export function faunaAdminClient(config: DatabaseConfig): faunadb.Client {
  if (config.databaseUrl === null) return faunaClient(config);
  const key = `pg-admin\n${config.databaseUrl}\n${config.faunaSecret}`;
  let client = clients.get(key);
  if (client === undefined) {
    client = inProcessClient(config.databaseUrl, config.faunaSecret, config.faunaSecret);
    clients.set(key, client);
  }
  return client;
}

/**
 * Closes every client and in-process engine this module opened (the CLI, at exit; tests).
 * Forced: a gentle close waits for the HTTP/2 session to wind down, which never happens once
 * its engine has died under it, and whoever closes has no query left to wait for.
 */
export async function closeFaunaClients(): Promise<void> {
  const open = [...clients.values()];
  const opening = [...engines.values()];
  clients.clear();
  engines.clear();
  await Promise.all(open.map((client) => client.close({ force: true })));
  const settled = await Promise.allSettled(opening);
  await Promise.all(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.engine.close()] : [])));
}

/** Where the client's queries go, for messages: never the secret or a password. */
export function describeFaunaTarget(config: DatabaseConfig): string {
  if (config.databaseUrl === null) return `the FQL engine at ${config.faunaEndpoint} (FAUNA_ENDPOINT)`;
  return `the in-process FQL engine on PostgreSQL at ${redactDatabaseUrl(config.databaseUrl)} (DATABASE_URL)`;
}

function httpClient(config: DatabaseConfig): faunadb.Client {
  const url = new URL(config.faunaEndpoint);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  return new faunadb.Client({ secret: config.faunaSecret, scheme, domain: url.hostname, port });
}

function inProcessClient(databaseUrl: string, adminSecret: string, secret: string): faunadb.Client {
  const key = `${databaseUrl}\n${adminSecret}`;
  const lazyFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const { fetch } = await sharedEngine(key, databaseUrl, adminSecret);
    return fetch(input, init);
  };
  // The URL only has to parse: the in-process fetch reads nothing but its path.
  return new faunadb.Client({ secret, scheme: 'http', domain: 'in-process', port: 8443, fetch: lazyFetch });
}

/** The engine for this URL, opened on first use; a failed open is forgotten, so the next query tries again. */
function sharedEngine(key: string, databaseUrl: string, adminSecret: string): Promise<OpenEngine> {
  let opening = engines.get(key);
  if (opening === undefined) {
    opening = (async () => {
      const { openEngine, createInProcessFetch } = await import('../../fql-engine/index.ts');
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
