import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import faunadb from 'faunadb';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createInProcessFetch, openEngine, startHttpServer, type Engine, type RunningHttpServer } from 'fql-engine';
import { postgresMissingReason, postgresUrl } from '../../test/support/environment.ts';
import { developmentConfig } from '../../test/support/config.ts';
import { closeFaunaClients, describeFaunaTarget, faunaClient } from './client.ts';
import { faunaCode } from './driver-errors.ts';

// The real openEngine, watched: how many engines client.ts opens is part of its contract.
vi.mock('fql-engine', async (importOriginal) => {
  const real = await importOriginal<typeof import('fql-engine')>();
  return { ...real, openEngine: vi.fn(real.openEngine) };
});

const q = faunadb.query;

function opensWithSecret(secret: string): number {
  return vi.mocked(openEngine).mock.calls.filter(([options]) => options.adminSecret === secret).length;
}

afterAll(() => closeFaunaClients());

describe('faunaClient over HTTP (FAUNA_ENDPOINT)', () => {
  let engine: Engine;
  let server: RunningHttpServer;

  beforeAll(async () => {
    engine = await openEngine({ adminSecret: 'http-secret', memory: true });
    server = await startHttpServer(engine, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await closeFaunaClients();
    await server.close();
    await engine.close();
  });

  test('reaches the engine at the endpoint with FAUNA_SECRET', async () => {
    const config = developmentConfig({ FAUNA_ENDPOINT: `http://127.0.0.1:${server.port}`, FAUNA_SECRET: 'http-secret' });
    const client = faunaClient(config);
    await client.query(q.CreateCollection({ name: 'notes' }));
    const created = await client.query<{ ref: faunadb.values.Ref }>(q.Create(q.Collection('notes'), { data: { n: 1 } }));
    // Read back by another route (the engine's own in-process fetch would do; here: a plain
    // driver client on the same port), so the write is known to have reached that engine.
    const direct = new faunadb.Client({ secret: 'http-secret', scheme: 'http', domain: '127.0.0.1', port: server.port });
    expect(await direct.query(q.Select(['data', 'n'], q.Get(created.ref)))).toBe(1);
    await direct.close();
    expect(describeFaunaTarget(config)).toBe(`the FQL engine at http://127.0.0.1:${server.port} (FAUNA_ENDPOINT)`);
  });

  test('one client per configuration, reused across calls (it holds the HTTP/2 connection)', () => {
    const env = { FAUNA_ENDPOINT: `http://127.0.0.1:${server.port}`, FAUNA_SECRET: 'http-secret' };
    expect(faunaClient(developmentConfig(env))).toBe(faunaClient(developmentConfig(env)));
    expect(faunaClient(developmentConfig({ ...env, FAUNA_SECRET: 'other' }))).not.toBe(faunaClient(developmentConfig(env)));
  });

  test('a wrong secret is refused by the engine', async () => {
    const client = faunaClient(developmentConfig({ FAUNA_ENDPOINT: `http://127.0.0.1:${server.port}`, FAUNA_SECRET: 'wrong' }));
    await expect(client.query(q.Add(1, 1))).rejects.toSatisfy((err: unknown) => faunaCode(err) === 'unauthorized');
  });

  test('an endpoint that is not http(s) is refused with a clear message', () => {
    expect(() => faunaClient(developmentConfig({ FAUNA_ENDPOINT: 'ftp://127.0.0.1:21' }))).toThrow(/FAUNA_ENDPOINT must be an http:\/\/ or https:\/\/ URL/);
  });
});

describe('faunaClient in-process (DATABASE_URL): an unreachable PostgreSQL', () => {
  test('fails the query, not the call, with no response from a server', async () => {
    const config = developmentConfig({ DATABASE_URL: 'postgresql://nobody:hunter2@127.0.0.1:1/none', FAUNA_SECRET: 'unreachable-secret' });
    const client = faunaClient(config);
    const err: unknown = await client.query(q.Add(1, 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/PostgreSQL is unavailable/);
    expect(faunaCode(err)).toBeUndefined();
    // A failed open is not kept: the next query tries again (PostgreSQL may be back by then).
    await expect(client.query(q.Add(1, 1))).rejects.toThrow(/PostgreSQL is unavailable/);
    expect(opensWithSecret('unreachable-secret')).toBe(2);
    expect(describeFaunaTarget(config)).toBe('the in-process FQL engine on PostgreSQL at postgresql://nobody:***@127.0.0.1:1/none (DATABASE_URL)');
  });

  test("a FAUNA_SECRET with ':' is refused (the engine would read it as a scoped secret)", () => {
    expect(() => faunaClient(developmentConfig({ DATABASE_URL: 'postgresql://127.0.0.1:1/none', FAUNA_SECRET: 'a:b' }))).toThrow(/may not contain ':'/);
  });
});

const databaseUrl = postgresUrl();

describe.skipIf(databaseUrl === null)(
  databaseUrl === null ? `faunaClient in-process on PostgreSQL: NOT RUN (${postgresMissingReason()})` : 'faunaClient in-process on PostgreSQL (DATABASE_URL)',
  () => {
    const env = { DATABASE_URL: databaseUrl ?? '', FAUNA_SECRET: 'pg-secret' };
    const collection = `client_test_${randomBytes(5).toString('hex')}`;

    test('runs queries in an engine on that PostgreSQL, as a server key', async () => {
      const client = faunaClient(developmentConfig(env));
      await client.query(q.CreateCollection({ name: collection }));
      const created = await client.query<{ ref: faunadb.values.Ref }>(q.Create(q.Collection(collection), { data: { n: 7 } }));
      // A second engine on the same database sees the document: it lives in PostgreSQL.
      const other = await openEngine({ databaseUrl: databaseUrl ?? '', adminSecret: 'pg-secret' });
      try {
        const reader = new faunadb.Client({ secret: 'pg-secret', fetch: createInProcessFetch(other) });
        expect(await reader.query(q.Select(['data', 'n'], q.Get(created.ref)))).toBe(7);
        await reader.query(q.Delete(q.Collection(collection)));
      } finally {
        await other.close();
      }
      // Narrowed to a server key: documents and schema yes, databases no.
      await expect(client.query(q.CreateDatabase({ name: `${collection}_db` }))).rejects.toSatisfy((err: unknown) => faunaCode(err) === 'permission denied');
    });

    test('the engine is opened lazily, once, however many calls and queries there are', async () => {
      const lazy = { ...env, FAUNA_SECRET: 'pg-secret-lazy' };
      const first = faunaClient(developmentConfig(lazy));
      expect(faunaClient(developmentConfig(lazy))).toBe(first);
      expect(opensWithSecret('pg-secret-lazy')).toBe(0);
      const sums = await Promise.all(Array.from({ length: 5 }, (_, i) => faunaClient(developmentConfig(lazy)).query(q.Add(i, 1))));
      expect(sums).toEqual([1, 2, 3, 4, 5]);
      await first.query(q.Add(0, 0));
      expect(opensWithSecret('pg-secret-lazy')).toBe(1);
    });
  },
);

describe('faunaClient over HTTP', () => {
  test('never loads the engine or pg: npm run dev starts a fresh worker for every call, which must not pay for them', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const probe = [
      "import { createRequire } from 'node:module';",
      "const { faunaClient } = await import('./shared/fql/client.ts');",
      "const { loadConfig } = await import('./shared/config.ts');",
      // Development declared, as under npm run dev: the functions reach the engine server over HTTP.
      "faunaClient(loadConfig({ FQL_AUTH_DEV: '1' }));",
      'const loaded = Object.keys(createRequire(import.meta.url).cache);',
      "console.log(JSON.stringify({ pg: loaded.filter((k) => k.includes('/node_modules/pg/')).length, fauna: loaded.filter((k) => k.includes('/node_modules/faunadb/')).length > 0 }));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    // The driver is loaded (the probe works); pg, which only the in-process engine needs, is not.
    expect(JSON.parse(run.stdout)).toEqual({ pg: 0, fauna: true });
  });
});
