/**
 * The site's own functions and the edge guard, through the real `netlify dev` (edge functions
 * on, run by the `deno` package's binary, offline): over HTTP with a cookie jar, then a person in
 * Debian's Chromium using the notes page, the guarded /app/ area and the admin-only page.
 */

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../scripts/admin.ts';
import { CHROMIUM_ARGS, chromiumMissingReason, chromiumPath } from '../support/environment.ts';
import type { DevStack } from '../support/dev-stack.ts';
import { processesMentioning } from '../support/processes.ts';
import { Flows } from './http-flows.ts';
import type { SiteClient } from './site-client.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-results', 'e2e');
const PASSWORD = 'correct horse battery staple';
const STEP_MS = 60_000;
function eventually<T>(read: () => Promise<T> | T): ReturnType<typeof expect.poll<T>> {
  return expect.poll(read, { timeout: 20_000, interval: 100 });
}

/** `npm run admin` against the stack's engine, as a developer runs it next to `npm run dev`. */
async function admin(stack: DevStack, ...argv: string[]): Promise<void> {
  const lines: string[] = [];
  const code = await runAdminCommand(argv, { FAUNA_ENDPOINT: stack.engineUrl ?? undefined, FAUNA_SECRET: 'secret' }, {
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
  });
  expect(code, lines.join('\n')).toBe(0);
}

function location(answer: { headers: Headers }): string {
  return answer.headers.get('location') ?? '';
}

export function describeUserApiFlows(stack: () => DevStack): void {
  const flows = new Flows(stack);

  describe('the edge guard and the site’s own functions, over HTTP through netlify dev', () => {
    it('the guard runs in netlify dev: /app/ with no session is sent to refresh-and-continue, and from there to the login page', async () => {
      const nobody = flows.client();
      const page = await nobody.get('/app/');
      expect(page.headers.get('x-nf-edge-functions')).toBe('auth-guard');
      // Served by netlify dev's Deno, running the stage-2 file it wrote (the Ctrl-C test checks it stops).
      expect(processesMentioning(path.join(ROOT, '.netlify', 'edge-functions-serve')).length).toBeGreaterThan(0);
      expect([page.status, location(page)]).toEqual([303, '/api/auth/refresh/continue?next=%2Fapp%2F']);
      const onward = await nobody.get(location(page));
      expect([onward.status, location(onward)]).toEqual([303, `${flows.site}/?next=%2Fapp%2F#login`]);
      expect((await nobody.get('/')).status).toBe(200);
    });

    it('lets a session in; with only the refresh cookie left, refreshes on the way and comes back', async () => {
      const me = await flows.verifiedAccount('e2e-guard@example.com');
      const page = await me.get('/app/');
      expect(page.status, page.text.slice(0, 200)).toBe(200);
      expect(page.text).toContain('Your notes');
      expect(page.headers.get('cache-control')).toBe('private, no-store');
      me.jar.delete('access_token');
      const sent = await me.get('/app/');
      expect(location(sent)).toBe('/api/auth/refresh/continue?next=%2Fapp%2F');
      const back = await me.get(location(sent));
      expect([back.status, location(back)]).toEqual([303, `${flows.site}/app/`]);
      expect(me.jar.get('access_token')).toBeDefined();
      expect((await me.get('/app/')).status).toBe(200);
    });

    it('notes through the functions, as the user; another user is refused by the database; /admin/ needs the role', async () => {
      const ann = await flows.verifiedAccount('e2e-notes-ann@example.com');
      const bob = await flows.verifiedAccount('e2e-notes-bob@example.com');
      const created = await ann.post('/api/notes', { text: 'from e2e' });
      expect(created.status, created.text).toBe(201);
      const id = (created.body as { note: { id: string } }).note.id;
      expect(((await ann.get('/api/notes')).body as { notes: { text: string }[] }).notes.map((n) => n.text)).toEqual(['from e2e']);
      expect(((await bob.get('/api/notes')).body as { notes: unknown[] }).notes).toEqual([]);
      expect((await bob.get(`/api/notes/${id}`)).status).toBe(404);
      const refused = await ann.get('/admin/');
      expect([refused.status, refused.headers.get('x-nf-edge-functions')]).toEqual([403, 'auth-guard']);
      expect(refused.headers.get('content-type')).toMatch(/text\/html/);
    });
  });

  describeInChromium(stack, flows);
}

function describeInChromium(stack: () => DevStack, flows: Flows): void {
  const executablePath = chromiumPath();
  const title = executablePath === null
    ? `notes, the guard and the admin page in Chromium (not run: ${chromiumMissingReason()})`
    : 'notes, the guard and the admin page in Chromium';
  describe.skipIf(executablePath === null)(title, () => {
    const email = `e2e-notes-${Date.now()}@example.com`;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let account: SiteClient;

    beforeAll(async () => {
      account = await flows.verifiedAccount(email);
      browser = await chromium.launch({ executablePath: executablePath ?? undefined, args: [...CHROMIUM_ARGS], headless: true });
      context = await browser.newContext();
      page = await context.newPage();
    }, STEP_MS);

    afterAll(async () => {
      await browser?.close();
    });

    const notes = (): Promise<string[]> => page.locator('#notes .note-text').allTextContents();

    it('1. /app/ without a session lands on the login page; logging in goes on to /app/', async () => {
      const arrived = await page.goto(`${stack().siteUrl}/app/`);
      // The guard, then refresh-and-continue (no session), then the login page with where to go next.
      expect(arrived?.url()).toBe(`${stack().siteUrl}/?next=%2Fapp%2F`);
      await eventually(() => page.locator('#view-login').isVisible()).toBe(true);
      const form = page.locator('#login-form');
      await form.locator('input[name=email]').fill(email);
      await form.locator('input[name=password]').fill(PASSWORD);
      await form.locator('[type=submit]').click();
      await page.waitForURL((url) => url.pathname === '/app/');
      await eventually(() => page.locator('#whoami').textContent()).toContain(email);
    }, STEP_MS);

    it('2. adds, edits and deletes notes on the notes page', async () => {
      const add = async (text: string): Promise<void> => {
        await page.locator('#note-form textarea[name=text]').fill(text);
        await page.locator('#note-form [type=submit]').click();
        await eventually(notes).toContain(text);
      };
      await add('buy milk');
      await add('call mum');
      expect(await notes()).toEqual(['call mum', 'buy milk']);
      const milk = page.locator('#notes li', { hasText: 'buy milk' });
      await milk.locator('button.edit').click();
      await page.locator('#notes li textarea').fill('buy oat milk');
      await page.locator('#notes li button.save').click();
      await eventually(notes).toEqual(['buy oat milk', 'call mum']);
      await page.locator('#notes li', { hasText: 'call mum' }).locator('button.delete').click();
      await eventually(notes).toEqual(['buy oat milk']);
      // What the page shows is what the database holds for this user.
      expect(((await account.get('/api/notes')).body as { notes: { text: string }[] }).notes.map((n) => n.text)).toEqual(['buy oat milk']);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'notes.png'), fullPage: true });
    }, STEP_MS);

    it('3. with the access cookie gone, the guard refreshes on the way: the page stays, with its notes', async () => {
      await context.clearCookies({ name: 'access_token' });
      const seen: string[] = [];
      page.on('response', (res) => seen.push(`${res.status()} ${new URL(res.url()).pathname}`));
      await page.goto(`${stack().siteUrl}/app/`);
      await eventually(notes).toEqual(['buy oat milk']);
      expect(new URL(page.url()).pathname).toBe('/app/');
      expect(seen.slice(0, 3)).toEqual(['303 /app/', '303 /api/auth/refresh/continue', '200 /app/']);
    }, STEP_MS);

    it('4. the admin page: refused (403) without the role; shown once the role is granted and the session refreshed', async () => {
      const refused = await page.goto(`${stack().siteUrl}/admin/`);
      expect(refused?.status()).toBe(403);
      expect(await page.locator('h1').textContent()).toBe('Not for your account');
      await admin(stack(), 'grant', email, 'admin');
      // The token still carries the old roles until it is refreshed; dropping it makes the guard refresh now.
      await context.clearCookies({ name: 'access_token' });
      const shown = await page.goto(`${stack().siteUrl}/admin/`);
      expect(shown?.status()).toBe(200);
      await eventually(() => page.locator('#admin-whoami').textContent()).toContain(email);
    }, STEP_MS);

    it('5. the admin console: finds a user, disables them (their login is refused), enables them again (it works)', async () => {
      const target = `e2e-console-${Date.now()}@example.com`;
      await flows.verifiedAccount(target);
      const login = async (): Promise<{ status: number; text: string }> => flows.client().post('/api/auth/login', { email: target, password: PASSWORD });
      await page.locator('#admin-search input[name=q]').fill('e2e-console-');
      await page.locator('#admin-search [type=submit]').click();
      const result = page.locator('#admin-results li', { hasText: target });
      await eventually(() => result.count()).toBe(1);
      await result.locator('button.open').click();
      await eventually(() => page.locator('#account-email').textContent()).toBe(target);
      await page.locator('#account-disable').click();
      await eventually(() => page.locator('#account-status').textContent()).toContain('Disabled');
      const refused = await login();
      expect([refused.status, refused.text]).toEqual([403, expect.stringContaining('account_disabled')]);
      await eventually(() => page.locator('#account-activity').textContent()).toContain('account_disabled');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'admin-console.png'), fullPage: true });
      await page.locator('#account-enable').click();
      await eventually(() => page.locator('#account-status').textContent()).toContain('Active');
      expect((await login()).status).toBe(200);
    }, STEP_MS);
  });
}
