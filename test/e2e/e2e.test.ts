/**
 * End to end: the real `npm run dev` (FQL engine on PGlite, schema, mailbox, `netlify dev`
 * running the functions), on free ports with its own data directory. One stack serves every
 * flow in this file, in order: starting it costs seconds, not milliseconds.
 *
 * - the stack itself: health, the SPA, the mailbox page
 * - every flow of the API over HTTP with a cookie jar, following links read from the mailbox
 *   (http-flows.ts)
 * - a body over netlify dev's 6 MB limit: 413, and the stack goes on (big-bodies.ts)
 * - the same person in Debian's Chromium, driven by playwright-core (browser-flows.ts)
 * - the edge guard (edge functions run in netlify dev), the notes page through db(req) and the
 *   admin-only page, over HTTP and in Chromium (user-api-flows.ts)
 * - Ctrl-C stops everything and frees every port; a second start keeps the data
 * - then, with that stack stopped, the functions as deployed: DATABASE_URL set, the engine
 *   in-process on PostgreSQL (deploy-mode.ts)
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_CONFIG_OFFLINE_NOTICE } from '../../netlify/launcher/netlify-output.ts';
import { listening, startDevStack, type DevStack } from '../support/dev-stack.ts';
import { processesMentioning } from '../support/processes.ts';
import { describeBigBodies } from './big-bodies.ts';
import { describeBrowserFlows } from './browser-flows.ts';
import { describeDeployMode } from './deploy-mode.ts';
import { describeHttpFlows, Flows } from './http-flows.ts';
import { SiteClient } from './site-client.ts';
import { describeUserApiFlows } from './user-api-flows.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const START_MS = 300_000;

const dataDir = mkdtempSync(path.join(tmpdir(), 'e2e-dev-'));
let stack: DevStack | null = null;

function running(): DevStack {
  if (stack === null) throw new Error('the dev stack is not running (see the first failure above)');
  return stack;
}

beforeAll(async () => {
  stack = await startDevStack(ROOT, dataDir);
}, START_MS);

afterAll(async () => {
  await stack?.interrupt();
  // Nothing may outlive the run: kill what a failed stop left, and say so.
  const left = processesMentioning(dataDir);
  for (const pid of left) process.kill(pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  if (left.length > 0) throw new Error(`npm run dev left processes behind (${left.join(', ')}); killed them`);
}, 60_000);

describe('npm run dev', () => {
  it('answers /api/health through netlify dev, with the engine behind it', async () => {
    const res = await fetch(`${running().siteUrl}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', db: 'ok' });
  });

  it('serves the demo SPA and its client module from public/', async () => {
    const site = new SiteClient(running().siteUrl);
    const page = await site.get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="/app.js"');
    const client = await site.get('/auth-client.js');
    expect(client.status).toBe(200);
    expect(client.text).toContain('export function createAuthClient');
  });

  it("bundles the functions itself, starts no Netlify DB, and says netlify dev's offline edge config error in one line", async () => {
    expect(running().output()).toMatch(/^\[\d+\.\d s\] \d+ functions bundled in \d+\.\d s$/m);
    expect(running().output()).toContain("[netlify] netlify dev's local Netlify DB: not started by npm run dev");
    // netlify dev reads the guard's config as it loads it, which need not come before /api/health answers.
    await expect.poll(() => running().output(), { timeout: 15_000, interval: 200 }).toContain(
      `[netlify] edge function auth-guard: ${EDGE_CONFIG_OFFLINE_NOTICE}`,
    );
    const output = running().output();
    expect(output).not.toContain('Could not load configuration for edge function');
    expect(output).not.toContain('Stack backtrace');
  });

  it('serves the mailbox page', async () => {
    const res = await fetch(`${running().mailboxUrl}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Inbox/);
  });
});

describeHttpFlows(running);
describeBigBodies(running);
describeBrowserFlows(running);
describeUserApiFlows(running);

describe('Ctrl-C, then a second start', () => {
  it('stops every child and frees every port; the next start keeps accounts and messages', async () => {
    const first = running();
    // Something to keep: an account, and the emails that made it.
    const email = 'e2e-restart@example.com';
    const flows = new Flows(running);
    await flows.verifiedAccount(email);
    // The verification's "address confirmed" notice goes out after its answer: wait for it.
    await expect.poll(() => flows.messageCount(email), { timeout: 10_000, interval: 100 }).toBe(2);
    stack = null;
    expect(await first.interrupt()).toEqual({ groupGone: true });
    expect(first.output()).toMatch(/SIGINT: stopping/);
    expect(first.output()).toMatch(/^dev: everything stopped$/m);
    expect(first.output()).not.toMatch(/could not stop cleanly/);
    for (const port of Object.values(first.ports)) expect(await listening(port)).toBe(false);
    expect(processesMentioning(dataDir)).toEqual([]);
    // netlify dev's Deno (edge functions) runs the stage-2 file it writes under .netlify.
    expect(processesMentioning(path.join(ROOT, '.netlify', 'edge-functions-serve'))).toEqual([]);

    stack = await startDevStack(ROOT, dataDir);
    expect(stack.output()).toMatch(/\[schema\] schema up to date/);
    const mail = await fetch(`${stack.mailboxUrl}/api/messages?to=${encodeURIComponent(email)}`);
    const { messages } = (await mail.json()) as { messages: { subject: string }[] };
    expect(messages.map((m) => m.subject).sort()).toEqual([
      expect.stringMatching(/^Confirm your email/),
      expect.stringMatching(/^Your email address was confirmed/),
    ]);
    const site = new SiteClient(stack.siteUrl);
    const login = await site.post('/api/auth/login', { email, password: 'correct horse battery staple' });
    expect(login.status, login.text).toBe(200);
  }, START_MS);
});

describeDeployMode(async () => {
  const last = stack;
  stack = null;
  if (last !== null) expect(await last.interrupt()).toEqual({ groupGone: true });
});
