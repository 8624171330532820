/**
 * fql-engine's one public entry: what a program that embeds the engine needs. Everything else
 * in the package is internal, and its `exports` map lets nothing else be imported.
 *
 * - openEngine: an engine on PGlite (a directory, or memory) or on PostgreSQL.
 * - createInProcessFetch: a `fetch` for the faunadb driver that calls an engine with no socket.
 * - startHttpServer: the engine on a port, for drivers in other processes (what the
 *   `fql-engine` command runs).
 * - redactDatabaseUrl: a PostgreSQL URL fit for a message, its password masked.
 */

export { openEngine } from './engine.ts';
export type { Engine, EngineOptions } from './engine.ts';
export type { JwksOptions } from './jwt.ts';
export { createInProcessFetch } from './transport/in-process.ts';
export { startHttpServer } from './transport/http-server.ts';
export type { HttpServerOptions, RunningHttpServer } from './transport/http-server.ts';
export type { EngineRequest, EngineResponse, RequestHandler } from './protocol.ts';
export { redactDatabaseUrl } from './storage/database-url.ts';
