import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import faunadb from 'faunadb';
import { openEngine, startHttpServer, type Engine, type RunningHttpServer } from 'fql-engine';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postgresMissingReason, postgresUrl } from '../test/support/environment.ts';
import { runSchemaCommand, schemaCli } from './cli.ts';
import { APP_SCHEMA } from './schema.ts';

/** A line per object the app's schema creates, and one for the timing account. */
const SCHEMA_LINES = APP_SCHEMA.collections.length + APP_SCHEMA.indexes.length + APP_SCHEMA.functions.length + (APP_SCHEMA.roles?.length ?? 0) + 1;

const q = faunadb.query;

interface Captured {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

async function run(env: Record<string, string>): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSchemaCommand(env, { out: (l) => void out.push(l), err: (l) => void err.push(l) });
  return { code, out, err };
}

describe('npm run schema -- --help', () => {
  test('prints the usage and touches no database; an unknown argument is refused the same way', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) };
    // An endpoint nothing listens on: applying the schema would fail with exit 1.
    const env = { FAUNA_ENDPOINT: 'http://127.0.0.1:9', FAUNA_SECRET: 'x' };
    expect(await schemaCli(['--help'], env, io)).toBe(0);
    expect(out.join('\n')).toMatch(/^usage: npm run schema/);
    expect(out.join('\n')).toContain('DATABASE_URL');
    expect(err).toEqual([]);
    expect(await schemaCli(['--force'], env, io)).toBe(2);
    expect(err.join('\n')).toMatch(/unknown argument '--force'/);
  });
});

describe('npm run schema', () => {
  let engine: Engine;
  let server: RunningHttpServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    engine = await openEngine({ adminSecret: 'cli-secret', memory: true });
    server = await startHttpServer(engine, { host: '127.0.0.1', port: 0 });
    env = { FAUNA_ENDPOINT: `http://127.0.0.1:${server.port}`, FAUNA_SECRET: 'cli-secret' };
  });
  afterAll(async () => {
    await server.close();
    await engine.close();
  });

  test('applies the schema over HTTP, then finds it up to date', async () => {
    const first = await run(env);
    expect(first).toMatchObject({ code: 0, err: [] });
    expect(first.out).toHaveLength(SCHEMA_LINES);
    expect(first.out).toContain('created collection rate_events (ttl_days 1)');
    const client = new faunadb.Client({ secret: 'cli-secret', scheme: 'http', domain: '127.0.0.1', port: server.port });
    expect(await client.query(q.Exists(q.Index('refresh_tokens_by_hash')))).toBe(true);
    await client.close();
    expect(await run(env)).toEqual({ code: 0, out: ['schema up to date'], err: [] });
  });

  test('exits 1 with a clear message when the engine is unreachable', async () => {
    const result = await run({ FAUNA_ENDPOINT: 'http://127.0.0.1:1', FAUNA_SECRET: 'cli-secret' });
    expect(result.code).toBe(1);
    expect(result.out).toEqual([]);
    expect(result.err.join('\n')).toMatch(
      /^schema: cannot reach the FQL engine at http:\/\/127\.0\.0\.1:1 \(FAUNA_ENDPOINT\): .*ECONNREFUSED[\s\S]*npm run db/,
    );
  });

  test('exits 1 naming FAUNA_SECRET when the engine refuses it', async () => {
    const result = await run({ ...env, FAUNA_SECRET: 'wrong' });
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(/refused the secret \(unauthorized\)\. Check FAUNA_SECRET/);
  });

  test('exits 1 when PostgreSQL (DATABASE_URL) is unreachable, without showing its password', async () => {
    const result = await run({ DATABASE_URL: 'postgresql://app:hunter2@127.0.0.1:1/auth', FAUNA_SECRET: 'cli-secret' });
    expect(result.code).toBe(1);
    const message = result.err.join('\n');
    expect(message).toMatch(/cannot reach the in-process FQL engine on PostgreSQL at postgresql:\/\/app:\*\*\*@127\.0\.0\.1:1\/auth/);
    expect(message).not.toContain('hunter2');
  });

  test('the npm script runs it and sets the exit code', () => {
    const result = spawnSync('npx', ['tsx', 'fauna-schema/cli.ts'], {
      env: { ...process.env, FAUNA_ENDPOINT: 'http://127.0.0.1:1', FAUNA_SECRET: 'cli-secret', DATABASE_URL: '', NODE_ENV: 'test' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/schema: cannot reach the FQL engine at http:\/\/127\.0\.0\.1:1/);
  });
});

const databaseUrl = postgresUrl();

describe.skipIf(databaseUrl === null)(
  databaseUrl === null ? `npm run schema on PostgreSQL: NOT RUN (${postgresMissingReason()})` : 'npm run schema on PostgreSQL (DATABASE_URL)',
  () => {
    // A PostgreSQL database of its own: the run's shared one holds other suites' root databases.
    const name = `schema_cli_${randomBytes(5).toString('hex')}`;
    const url = new URL(databaseUrl ?? 'postgresql://unused');
    url.pathname = `/${name}`;

    async function admin(sql: string): Promise<void> {
      const client = new pg.Client({ connectionString: databaseUrl ?? '' });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    }

    beforeAll(() => admin(`CREATE DATABASE ${name}`));
    afterAll(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

    test('applies the schema in-process, then finds it up to date', async () => {
      const env = { DATABASE_URL: url.toString(), FAUNA_SECRET: 'cli-secret' };
      const first = await run(env);
      expect(first).toMatchObject({ code: 0, err: [] });
      expect(first.out).toContain('created index accounts_by_email (terms [data.email], unique)');
      expect(first.out).toHaveLength(SCHEMA_LINES);
      expect(await run(env)).toEqual({ code: 0, out: ['schema up to date'], err: [] });
    });
  },
);
