#!/usr/bin/env tsx
/**
 * The `fql-engine` command (`npm run db` in this repository): the engine behind its HTTP
 * transport, the drop-in for the retired local Fauna image (127.0.0.1:8443, admin secret
 * `secret`). Data lives in a PGlite directory unless `--memory` (keeps nothing) or DATABASE_URL
 * (PostgreSQL) says otherwise; flags beat the environment, and the start-up line says which one
 * won.
 *
 * parseArgs is pure and exported for tests. The engine is imported only when the CLI runs,
 * so importing this file for its parser does not load the engine or PGlite.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI_DEFAULTS, SERVER_DEFAULTS } from './defaults.ts';
import type { Engine, EngineOptions } from './engine.ts';
import { redactDatabaseUrl } from './storage/database-url.ts';
import { startHttpServer } from './transport/http-server.ts';
import type { RunningHttpServer } from './transport/http-server.ts';

export type StorageChoice =
  | { readonly kind: 'pglite-dir'; readonly dataDir: string }
  | { readonly kind: 'pglite-memory' }
  | { readonly kind: 'postgres'; readonly databaseUrl: string };

export interface CliOptions {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  readonly storage: StorageChoice;
  readonly help: boolean;
}

export const USAGE = `Usage: fql-engine [options]

Serves the FQL v4 engine over HTTP/2 (h2c) and HTTP/1.1 on one port.

Options:
  --host H      address to listen on (default ${SERVER_DEFAULTS.host})
  --port N      port, 0 for any free one (default ${SERVER_DEFAULTS.port})
  --secret S    admin secret (default "${CLI_DEFAULTS.secret}")
  --data DIR    PGlite data directory (default ${CLI_DEFAULTS.dataDir})
  --memory      in-memory PGlite: keeps nothing
  -h, --help    show this text

With DATABASE_URL set (and neither --data nor --memory), data lives in that PostgreSQL.`;

/** A mistake in the command line: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type ValueFlag = 'host' | 'port' | 'secret' | 'data';
const VALUE_FLAGS: ReadonlySet<string> = new Set<ValueFlag>(['host', 'port', 'secret', 'data']);

/** Reads the command line (without node and script) and the environment into options. */
export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliOptions {
  const values = new Map<ValueFlag, string>();
  let memory = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--memory') memory = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else {
      const { flag, value, consumed } = readValueFlag(argv, i);
      if (values.has(flag)) throw new UsageError(`--${flag} given twice`);
      values.set(flag, value);
      i += consumed;
    }
  }
  if (memory && values.has('data')) throw new UsageError('--memory keeps nothing, so it cannot be combined with --data');
  return {
    host: values.get('host') ?? SERVER_DEFAULTS.host,
    port: parsePort(values.get('port')),
    secret: values.get('secret') ?? CLI_DEFAULTS.secret,
    storage: chooseStorage(memory, values.get('data'), env.DATABASE_URL),
    help,
  };
}

/** Reads `--flag value` or `--flag=value` at argv[i]; `consumed` is how many extra items it used. */
function readValueFlag(argv: readonly string[], i: number): { flag: ValueFlag; value: string; consumed: number } {
  const arg = argv[i];
  const match = /^--([a-z]+)(?:=(.*))?$/s.exec(arg);
  if (match === null || !VALUE_FLAGS.has(match[1])) throw new UsageError(`unknown argument: ${arg}`);
  const flag = match[1] as ValueFlag;
  const inline = match[2];
  const value = inline ?? argv[i + 1];
  if (value === undefined || (inline === undefined && value.startsWith('--'))) {
    throw new UsageError(`--${flag} needs a value`);
  }
  if (value === '') throw new UsageError(`--${flag} must not be empty`);
  return { flag, value, consumed: inline === undefined ? 1 : 0 };
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return SERVER_DEFAULTS.port;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be a number from 0 to 65535, got "${text}"`);
  return port;
}

function chooseStorage(memory: boolean, dataDir: string | undefined, databaseUrl: string | undefined): StorageChoice {
  if (memory) return { kind: 'pglite-memory' };
  if (dataDir !== undefined) return { kind: 'pglite-dir', dataDir: path.resolve(dataDir) };
  if (databaseUrl !== undefined && databaseUrl !== '') return { kind: 'postgres', databaseUrl };
  return { kind: 'pglite-dir', dataDir: path.resolve(CLI_DEFAULTS.dataDir) };
}

export function engineOptionsFor(options: CliOptions): EngineOptions {
  const { storage, secret } = options;
  if (storage.kind === 'pglite-memory') return { memory: true, adminSecret: secret };
  if (storage.kind === 'postgres') return { databaseUrl: storage.databaseUrl, adminSecret: secret };
  return { dataDir: storage.dataDir, adminSecret: secret };
}

/** The start-up line. A DATABASE_URL's password is never printed. */
export function describeStart(url: string, storage: StorageChoice): string {
  if (storage.kind === 'pglite-memory') return `FQL engine listening on ${url} (backend: PGlite, data: in memory, kept nowhere)`;
  if (storage.kind === 'pglite-dir') return `FQL engine listening on ${url} (backend: PGlite, data: ${storage.dataDir})`;
  return `FQL engine listening on ${url} (backend: PostgreSQL, data: ${redactDatabaseUrl(storage.databaseUrl)})`;
}

// ---- running ----

function fail(message: string, exitCode: number): never {
  process.stderr.write(`fql-engine: ${message}\n`);
  process.exit(exitCode);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError) fail(`${error.message}\n\n${USAGE}`, 2);
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { openEngine } = await import('./engine.ts');
  let engine: Engine;
  try {
    engine = await openEngine(engineOptionsFor(options));
  } catch (error) {
    fail(`cannot open the database: ${errorMessage(error)}`, 1);
  }
  let server: RunningHttpServer;
  try {
    server = await startHttpServer(engine, { host: options.host, port: options.port });
  } catch (error) {
    await engine.close().catch(() => undefined);
    fail(`cannot listen on ${options.host}:${options.port}: ${errorMessage(error)}`, 1);
  }
  // Handlers first: whoever reads the start line may signal at once.
  closeOnSignals(server, engine);
  process.stdout.write(`${describeStart(server.url, options.storage)}\n`);
}

/** The first SIGTERM/SIGINT closes cleanly; a second one finds no handler and ends the process at once. */
function closeOnSignals(server: RunningHttpServer, engine: Engine): void {
  const shutdown = (signal: NodeJS.Signals): void => {
    process.off('SIGTERM', shutdown);
    process.off('SIGINT', shutdown);
    process.stderr.write(`fql-engine: ${signal}, closing\n`);
    server
      .close()
      .then(() => engine.close())
      .then(
        () => process.exit(0),
        (error: unknown) => fail(`error while closing: ${errorMessage(error)}`, 1),
      );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

// Run as a command, this file may be reached through a symlink (node_modules/.bin/fql-engine).
const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error), 1));
}
