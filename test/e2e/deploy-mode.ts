/**
 * The functions as they run when deployed: bundled by Netlify's tooling (`netlify dev` builds
 * them the way a deploy does), with DATABASE_URL set, so each function runs the engine
 * in-process on a real PostgreSQL: no engine server, no PGlite. The schema is applied the way
 * docs/DEPLOY.md says (`npm run schema` with DATABASE_URL), into a database of its
 * own on the test run's PostgreSQL.
 *
 * Without PostgreSQL the block skips with the reason in its name; under CI it fails instead.
 * It runs after the `npm run dev` stack has stopped: two `netlify dev` in one project would
 * build into the same .netlify/functions-serve.
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSchemaCommand } from '../../fauna-schema/cli.ts';
import { startChild, waitForUrl, type Child } from '../../netlify/launcher/child.ts';
import { netlifyDevCommand } from '../../netlify/launcher/stack.ts';
import { startMailbox, type Mailbox } from '../../netlify/mailbox/server.ts';
import { postgresMissingReason, postgresUrl } from '../support/environment.ts';
import { createDatabase, dropDatabase } from '../support/pg-databases.ts';
import { unusedPort } from '../support/ports.ts';
import { latestLink, pageForm } from './mailbox-client.ts';
import { SiteClient } from './site-client.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const START_MS = 240_000;
const SECRET = 'deploy-admin-secret';
const PASSWORD = 'correct horse battery staple';

export function describeDeployMode(before: () => Promise<void>): void {
  const serverUrl = postgresUrl();
  const title = serverUrl === null ? `deployed functions on PostgreSQL (not run: ${postgresMissingReason()})` : 'deployed functions on PostgreSQL';
  describe.skipIf(serverUrl === null)(title, () => {
    describeFlow(serverUrl ?? '', before);
  });
}

function describeFlow(serverUrl: string, before: () => Promise<void>): void {
  const database = `deploy_${process.pid}_${Date.now()}`;
  let databaseUrl: string;
  let mailbox: Mailbox;
  let netlify: Child | null = null;
  let siteUrl: string;

  beforeAll(async () => {
    await before();
    databaseUrl = await createDatabase(serverUrl, database);
    const schemaLines: string[] = [];
    const code = await runSchemaCommand({ DATABASE_URL: databaseUrl, FAUNA_SECRET: SECRET }, { out: (l) => schemaLines.push(l), err: (l) => schemaLines.push(l) });
    expect(code, schemaLines.join('\n')).toBe(0);
    mailbox = await startMailbox();
    const port = await unusedPort();
    siteUrl = `http://localhost:${port}`;
    netlify = startNetlify(port, databaseUrl, mailbox.url);
    await waitForUrl(`${siteUrl}/api/health`, netlify, { timeoutMs: START_MS });
  }, START_MS);

  afterAll(async () => {
    await netlify?.stop();
    await mailbox?.close();
    await dropDatabase(serverUrl, database);
  }, 60_000);

  it('register → verify link → logged in → refresh → logout, with every query in-process on PostgreSQL', async () => {
    const email = 'deployed@example.com';
    const site = new SiteClient(siteUrl);
    expect((await site.post('/api/auth/register', { email, password: PASSWORD })).status).toBe(202);
    const { link } = await latestLink(mailbox.url, email, '/api/auth/verify');
    const form = pageForm((await site.get(link)).text);
    const verified = await site.call('POST', form.action, { form: { token: form.token } });
    expect(verified.status).toBe(303);
    const session = await site.get('/api/auth/session');
    expect((session.body as { user: { email: string } }).user.email).toBe(email);
    expect((await site.post('/api/auth/refresh')).status).toBe(200);
    const login = await new SiteClient(siteUrl).post('/api/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect((await site.post('/api/auth/logout', {})).status).toBe(200);
    expect((await site.get('/api/auth/session')).status).toBe(401);
    // The data is in that PostgreSQL database: the account's document is there.
    expect(await documentsMentioning(databaseUrl, email)).toBeGreaterThan(0);
  }, 60_000);
}

/** Its output is kept by the Child (the last lines explain a failed start), not printed. */
function startNetlify(port: number, databaseUrl: string, mailboxUrl: string): Child {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, FAUNA_SECRET: SECRET, POSTMARK_API_URL: mailboxUrl, BROWSER: 'none' };
  delete env.FAUNA_ENDPOINT;
  const { args, cwd } = netlifyDevCommand(ROOT, port);
  return startChild({ name: 'netlify', command: process.execPath, args, env, cwd, log: () => {} });
}

/** Rows of the engine's tables whose JSON holds `text`, read with SQL: the data is really there. */
async function documentsMentioning(databaseUrl: string, text: string): Promise<number> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const tables = await db.query<{ schema: string; table: string }>(
      `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    let count = 0;
    for (const { schema, table } of tables.rows) {
      const rows = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${table}" t WHERE t::text LIKE $1`, [`%${text}%`]);
      count += Number(rows.rows[0].n);
    }
    return count;
  } finally {
    await db.end();
  }
}
