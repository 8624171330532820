/**
 * `npm run schema`: applies the auth schema to the database the functions use, reached the way
 * they reach it (shared/fql/client.ts): in-process on DATABASE_URL, or over HTTP at
 * FAUNA_ENDPOINT with FAUNA_SECRET. Prints one line per object created or changed, or
 * "schema up to date". Exits 1, with a message meant for a person, when the database cannot
 * be reached, refuses the secret, or the schema needs a manual migration.
 */

import { pathToFileURL } from 'node:url';
import { ConfigError, loadDatabaseConfig } from '../shared/config.ts';
import { closeFaunaClients, describeFaunaTarget, faunaAdminClient } from '../shared/fql/client.ts';
import { driverError } from '../shared/fql/driver-errors.ts';
import { applySchema, SchemaMigrationError } from './apply.ts';

export interface CommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleIo: CommandIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** Runs the command with this environment; resolves to the process exit code. */
export async function runSchemaCommand(env: Readonly<Record<string, string | undefined>>, io: CommandIo = consoleIo): Promise<number> {
  let target: Target = { name: 'the database', hint: '' };
  try {
    const config = loadDatabaseConfig(env);
    target = {
      name: describeFaunaTarget(config),
      hint: config.databaseUrl === null ? 'Is the engine running? (`npm run db` starts one.)' : 'Is that PostgreSQL running and accepting connections?',
    };
    // Roles need the engine's admin (a server key may not create them).
    await applySchema(faunaAdminClient(config), { log: io.out });
    return 0;
  } catch (err) {
    io.err(failureMessage(err, target));
    return 1;
  } finally {
    await closeFaunaClients();
  }
}

interface Target {
  readonly name: string;
  /** What to check when it cannot be reached. */
  readonly hint: string;
}

function failureMessage(err: unknown, target: Target): string {
  if (err instanceof ConfigError || err instanceof SchemaMigrationError) return `schema: ${err.message}`;
  const { status, fauna } = driverError(err);
  const message = err instanceof Error ? err.message : String(err);
  if (status === null) {
    return `schema: cannot reach ${target.name}: ${message}\n${target.hint}`;
  }
  if (fauna?.code === 'unauthorized' || fauna?.code === 'permission denied') {
    return `schema: ${target.name} refused the secret (${fauna.code}). Check FAUNA_SECRET: it needs an admin key (the schema has roles).`;
  }
  return `schema: ${target.name} answered ${status} ${fauna?.code ?? ''}: ${fauna?.description ?? message}`;
}

export const USAGE = [
  'usage: npm run schema [-- --help]',
  '',
  'Applies the auth schema (collections, indexes, the timing account) to the database the functions use,',
  'idempotently: it prints what it created or changed, or "schema up to date".',
  '',
  'environment:',
  '  DATABASE_URL    PostgreSQL: the engine runs in this process on it (what production does)',
  '  FAUNA_ENDPOINT  otherwise, an engine server (default http://127.0.0.1:8443, `npm run db`)',
  "  FAUNA_SECRET    the engine's admin secret (default 'secret'), the same one the site uses",
].join('\n');

/** The command line: `--help` prints the usage; any other argument is a mistake, said before anything is touched. */
export async function schemaCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CommandIo = consoleIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  if (argv.length > 0) {
    io.err(`schema: unknown argument '${argv[0]}'\n${USAGE}`);
    return 2;
  }
  return runSchemaCommand(env, io);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await schemaCli(process.argv.slice(2), process.env);
}
