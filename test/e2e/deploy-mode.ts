/**
 * The production rehearsal of docs/DEPLOY.md: `npm run dev -- --production` with DATABASE_URL.
 * The functions run as deployed: bundled by Netlify's tooling (`netlify dev` builds them the
 * way a deploy does), NODE_ENV=production with production's defaults, and each function runs
 * the engine in-process on a real PostgreSQL (no engine server, no PGlite). The launcher applies
 * the schema the way docs/DEPLOY.md says (`npm run schema` with DATABASE_URL), into a database
 * of its own on the test run's PostgreSQL; only the email goes to the local mailbox.
 *
 * Without PostgreSQL the block skips with the reason in its name; under CI it fails instead.
 * It runs after the `npm run dev` stack has stopped: two `netlify dev` in one project would
 * build into the same .netlify/functions-serve.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevStack, type DevStack } from '../support/dev-stack.ts';
import { postgresMissingReason, postgresUrl } from '../support/environment.ts';
import { errorCode } from '../support/http-answer.ts';
import { createDatabase, dropDatabase } from '../support/pg-databases.ts';
import { latestLink, pageForm } from './mailbox-client.ts';
import { SiteClient } from './site-client.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const START_MS = 300_000;
const SECRET = 'rehearsal-admin-secret';
const PASSWORD = 'correct horse battery staple';

export function describeDeployMode(before: () => Promise<void>): void {
  const serverUrl = postgresUrl();
  const title = serverUrl === null
    ? `npm run dev -- --production (not run: ${postgresMissingReason()})`
    : 'npm run dev -- --production: the functions as deployed';
  describe.skipIf(serverUrl === null)(title, () => {
    describeRehearsal(serverUrl ?? '', before);
  });
}

function describeRehearsal(serverUrl: string, before: () => Promise<void>): void {
  const database = `rehearsal_${process.pid}_${Date.now()}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'e2e-production-'));
  let databaseUrl: string;
  let stack: DevStack | null = null;

  function running(): DevStack {
    if (stack === null) throw new Error('the rehearsal did not start (see the first failure above)');
    return stack;
  }

  beforeAll(async () => {
    await before();
    databaseUrl = await createDatabase(serverUrl, database);
    // Only what a person would set: the rest the launcher fills in for the rehearsal, and says so.
    stack = await startDevStack(ROOT, dataDir, { FAUNA_SECRET: SECRET }, { args: ['--production'], databaseUrl });
  }, START_MS);

  afterAll(async () => {
    await stack?.interrupt();
    rmSync(dataDir, { recursive: true, force: true });
    await dropDatabase(serverUrl, database);
  }, 60_000);

  it('starts no engine server, applies the schema to DATABASE_URL and says what it filled in', () => {
    const output = running().output();
    expect(output).toMatch(/^Ready in .* \(production rehearsal\)$/m);
    expect(running().engineUrl).toBeNull();
    expect(output).not.toMatch(/^\[engine\]/m);
    expect(output).toMatch(/^\[schema\] created collection accounts$/m);
    expect(output).toMatch(/Set for this rehearsal only .*: JWT_SECRETS, POSTMARK_SERVER_TOKEN, EMAIL_FROM/);
    expect(output).not.toContain(SECRET);
  });

  it('register → verify link → logged in → refresh → logout, with every query in-process on PostgreSQL', async () => {
    const email = 'deployed@example.com';
    const site = new SiteClient(running().siteUrl);
    const registered = await site.post('/api/auth/register', { email, password: PASSWORD });
    expect(registered.status).toBe(202);
    // Production names no local mailbox: the demo says "check your email", nothing more.
    expect(registered.body).toEqual({ status: 'verification_sent' });
    const { link } = await latestLink(running().mailboxUrl, email, '/api/auth/verify');
    const form = pageForm((await site.get(link)).text);
    const verified = await site.call('POST', form.action, { form: { token: form.token } });
    expect(verified.status).toBe(303);
    const session = await site.get('/api/auth/session');
    expect((session.body as { user: { email: string } }).user.email).toBe(email);
    expect((await site.post('/api/auth/refresh')).status).toBe(200);
    const login = await new SiteClient(running().siteUrl).post('/api/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect((await site.post('/api/auth/logout', {})).status).toBe(200);
    expect((await site.get('/api/auth/session')).status).toBe(401);
    // The data is in that PostgreSQL database: the account's document is there.
    expect(await documentsMentioning(databaseUrl, email)).toBeGreaterThan(0);
  }, 60_000);

  it("keeps production's rate limits: a second email to one address within a minute is refused, and says why", async () => {
    const site = new SiteClient(running().siteUrl);
    const email = 'deployed-limits@example.com';
    expect((await site.post('/api/auth/password/forgot', { email })).status).toBe(202);
    const again = await site.post('/api/auth/password/forgot', { email });
    expect([again.status, errorCode(again)]).toEqual([429, 'rate_limited']);
    expect((again.body as { error: { message: string } }).error.message).toMatch(/^Too many emails to this address\. Try again in (\d+ seconds|1 minute)\.$/);
  }, 60_000);
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
