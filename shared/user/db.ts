/**
 * db(req): a `faunadb` client that acts as the request's user, so that the engine's roles, not the
 * function's code, decide what it may read and write (fauna-schema/owned-data.ts).
 *
 * It queries with an engine token whose identity is the user's account. The token is made for
 * the user's session (one query, which also checks that the session is live), kept by this
 * function instance and reused by every request of that session for up to an hour, and deleted
 * by the database when the session ends (logout, revocation, password reset). A query that finds
 * its token gone gets a new one once; if the session has ended meanwhile, that fails with 401
 * unauthenticated instead of running the query.
 *
 *   const notes = await userQuery(db(req), q.Paginate(...))   // 403 forbidden where the role refuses
 *
 * Inside an endpoint (shared/endpoint.ts), pass its context, `db(req, ctx)`, so that a test's
 * context (`withContext`) reaches the test's database; without one, the process's is used.
 *
 * The client shares the functions' connection to the engine: `close()` on it does nothing.
 */

import faunadb from 'faunadb';
import type { AuthContext } from '../auth/context.ts';
import { config as processConfig, type Config } from '../config.ts';
import { emailSender } from '../email.ts';
import { operationOf } from '../endpoint.ts';
import { faunaClient } from '../fql/client.ts';
import { faunaCode } from '../fql/driver-errors.ts';
import { runQuery, type Database, type Expr } from '../fql/run-query.ts';
import { engineTokenQuery, type Caller, type EngineToken } from '../fql/users.ts';
import { randomToken } from '../tokens.ts';
import { requireUser } from './request-user.ts';

/** What the site API reads of a request's context: an endpoint's `ctx`, or the process's. */
export interface SiteContext {
  readonly config: Config;
  readonly auth: AuthContext;
}

/** The given context, or, outside an endpoint, one on the process's configuration and database. */
export function siteContext(req: Request, ctx?: SiteContext): SiteContext {
  if (ctx !== undefined) return ctx;
  const config = processConfig();
  const db: Database = { client: faunaClient(config), deadlineMs: config.queryTimeoutMs, operation: operationOf(req) };
  return { config, auth: { config, db, sendEmail: emailSender(config), randomToken } };
}

/** How long an engine token lives: the longest a function instance keeps one. */
export const ENGINE_TOKEN_TTL_SECONDS = 3600;
/** A token this close to its end is not handed out again (a query may take a while). */
const REUSE_MARGIN_MS = 60_000;
/** Sessions whose tokens one instance remembers; the oldest is forgotten first. */
const MAX_REMEMBERED = 10_000;

interface Remembered {
  readonly secret: Promise<string>;
  readonly usableUntil: number;
}

/** Per engine (server client): tests run several databases in one process. */
const remembered = new WeakMap<faunadb.Client, Map<string, Remembered>>();
/** The deadline and log name of each user client's queries: its server's. */
const servers = new WeakMap<faunadb.Client, Database>();

function tokensOf(server: faunadb.Client): Map<string, Remembered> {
  let tokens = remembered.get(server);
  if (tokens === undefined) {
    tokens = new Map();
    remembered.set(server, tokens);
  }
  return tokens;
}

function sessionKey(caller: Caller): string {
  return `${caller.accountId}/${caller.sessionId}`;
}

/** The session's remembered token, or one made now (shared by concurrent requests). */
function sessionToken(server: Database, caller: Caller): Remembered {
  const tokens = tokensOf(server.client);
  const key = sessionKey(caller);
  const known = tokens.get(key);
  if (known !== undefined && known.usableUntil > Date.now()) return known;
  const secret = runQuery<EngineToken>(server, engineTokenQuery(caller, ENGINE_TOKEN_TTL_SECONDS)).then((t) => t.secret);
  if (tokens.size >= MAX_REMEMBERED) tokens.delete(tokens.keys().next().value ?? '');
  const entry = { secret, usableUntil: Date.now() + ENGINE_TOKEN_TTL_SECONDS * 1000 - REUSE_MARGIN_MS };
  tokens.set(key, entry);
  // A failure is not remembered: the next request asks again.
  secret.catch(() => forget(server, caller, entry));
  return entry;
}

/** Forgets that token only: a concurrent request may already have made its successor. */
function forget(server: Database, caller: Caller, entry: Remembered): void {
  const tokens = tokensOf(server.client);
  const key = sessionKey(caller);
  if (tokens.get(key) === entry) tokens.delete(key);
}

/**
 * A client acting as `caller`: the server client's connection and settings, with every query
 * sent with the session's token secret instead of the server's.
 */
export function userClient(server: Database, caller: Caller): faunadb.Client {
  const client = Object.create(server.client) as faunadb.Client;
  const query = async <T>(expr: faunadb.ExprArg, options?: faunadb.QueryOptions): Promise<T> => {
    const token = sessionToken(server, caller);
    try {
      return await server.client.query<T>(expr, { ...options, secret: await token.secret });
    } catch (err) {
      // The token was deleted (its session ended) or expired: refused before anything ran.
      if (faunaCode(err) !== 'unauthorized') throw err;
      forget(server, caller, token);
      return server.client.query<T>(expr, { ...options, secret: await sessionToken(server, caller).secret });
    }
  };
  Object.defineProperty(client, 'query', { value: query });
  Object.defineProperty(client, 'close', { value: async (): Promise<void> => {} });
  servers.set(client, server);
  return client;
}

/** A client acting as the request's user; a request without a valid access token gets a thrown 401 Response. */
export function db(req: Request, ctx?: SiteContext): faunadb.Client {
  const site = siteContext(req, ctx);
  const user = requireUser(req, site.config);
  return userClient(site.auth.db, { accountId: user.id, sessionId: user.sessionId });
}

/**
 * Runs a query made through db(req), mapping the engine's answers to the API's: 'permission
 * denied' is 403 forbidden, a missing document 404 not_found, an ended session 401.
 */
export function userQuery<T>(client: faunadb.Client, expr: Expr): Promise<T> {
  const server = servers.get(client);
  const database: Database = server === undefined
    ? { client, deadlineMs: processConfig().queryTimeoutMs, operation: 'a site function' }
    : { ...server, client };
  return runQuery<T>(database, expr, { asUser: true });
}
