/**
 * One person in a real browser (Debian's Chromium, driven by playwright-core; never a
 * downloaded browser): signs up on the demo page, opens the link from the mailbox page, arrives
 * logged in, reloads and stays logged in, logs out, and logs back in with a magic link. A
 * screenshot of the logged-in page is kept in test-results/e2e/ as an artifact.
 *
 * Without Chromium the block skips with the reason in its name; under CI it fails instead.
 */

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumMissingReason, chromiumPath } from '../support/environment.ts';
import type { DevStack } from '../support/dev-stack.ts';

const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-results', 'e2e');
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a new password after this was not me';
const STEP_MS = 60_000;

/**
 * Waits for the page to show something. netlify dev starts a fresh worker for every function
 * call (~0.3 s each on a busy machine), so a view that needs two or three calls can take
 * seconds, not vitest's default second.
 */
function eventually<T>(read: () => Promise<T> | T): ReturnType<typeof expect.poll<T>> {
  return expect.poll(read, { timeout: 20_000, interval: 100 });
}

export function describeBrowserFlows(stack: () => DevStack): void {
  const executablePath = chromiumPath();
  const title = executablePath === null ? `in Chromium (not run: ${chromiumMissingReason()})` : 'in Chromium';
  describe.skipIf(executablePath === null)(title, () => {
    const email = `e2e-browser-${Date.now()}@example.com`;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      // playwright gives every launch a new, empty profile of its own.
      browser = await chromium.launch({ executablePath: executablePath ?? undefined, args: [...CHROMIUM_ARGS], headless: true });
      context = await browser.newContext();
      page = await context.newPage();
    }, STEP_MS);

    afterAll(async () => {
      await browser?.close();
    });

    it('1. signs up on the demo page', async () => {
      await page.goto(`${stack().siteUrl}/#register`);
      const form = page.locator('#register-form');
      await form.locator('input[name=email]').fill(email);
      await form.locator('input[name=password]').fill(PASSWORD);
      await form.locator('[type=submit]').click();
      await eventually(() => page.locator('#message').textContent()).toMatch(/email/i);
      // Development: the message names the local mailbox the server said it used.
      expect(await page.locator('#message').textContent()).toMatch(/in development: the local mailbox, http:\/\/127\.0\.0\.1:\d+/);
    }, STEP_MS);

    it('2. opens the link from the mailbox page, 3. arrives logged in', async () => {
      await openNewestMail(page, stack().mailboxUrl, email, /confirm/i);
      await page.locator('ul.links a[href*="/api/auth/verify"]').first().click();
      await page.locator('form button[type=submit]').click();
      await page.waitForURL((url) => url.origin === new URL(stack().siteUrl).origin);
      await eventually(() => page.locator('#whoami').textContent()).toContain(email);
      expect(await page.locator('#view-account').isVisible()).toBe(true);
      expect(await page.locator('#message').textContent()).toMatch(/confirmed/i);
      await eventually(() => page.locator('#sessions li').count()).toBe(1);
      // The device by name, parsed from the User-Agent (the raw string is its tooltip).
      expect(await page.locator('#sessions .agent').first().textContent()).toMatch(/^(Chrome|Chromium) on Linux$/);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'logged-in.png'), fullPage: true });
    }, STEP_MS);

    it('4. reloads and stays logged in; with the access cookie gone, one refresh serves every request', async () => {
      await page.reload();
      await eventually(() => page.locator('#whoami').textContent()).toContain(email);
      const refreshes: string[] = [];
      page.on('request', (req) => {
        if (new URL(req.url()).pathname === '/api/auth/refresh') refreshes.push(req.method());
      });
      await context.clearCookies({ name: 'access_token' });
      await page.reload();
      await eventually(() => page.locator('#whoami').textContent()).toContain(email);
      await eventually(() => page.locator('#sessions li').count()).toBeGreaterThan(0);
      expect(refreshes).toEqual(['POST']);
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === 'access_token')?.httpOnly).toBe(true);
    }, STEP_MS);

    it('5. logs out', async () => {
      await page.locator('#logout').click();
      await eventually(() => page.locator('#view-login').isVisible()).toBe(true);
      const names = (await context.cookies()).map((c) => c.name);
      expect(names).not.toContain('access_token');
      expect(names).not.toContain('refresh_token');
      await page.reload();
      await eventually(() => page.locator('#view-login').isVisible()).toBe(true);
    }, STEP_MS);

    it('6. uses a magic link and is logged in again', async () => {
      await page.goto(`${stack().siteUrl}/#magic`);
      const form = page.locator('#magic-form');
      await form.locator('input[name=email]').fill(email);
      await form.locator('[type=submit]').click();
      await eventually(() => page.locator('#message').textContent()).toMatch(/link/i);
      await openNewestMail(page, stack().mailboxUrl, email, /log in|login|sign in/i);
      await page.locator('ul.links a[href*="/api/auth/magic/login"]').first().click();
      expect(await page.locator('h1').textContent()).toContain(email);
      await page.locator('form button[type=submit]').click();
      await page.waitForURL((url) => url.origin === new URL(stack().siteUrl).origin);
      await eventually(() => page.locator('#whoami').textContent()).toContain(email);
    }, STEP_MS);

    describeNoDeadEnds(stack, { browser: () => browser, page: () => page, email });

    // Last: it changes the account's password, which the steps before log in with.
    it('12. presses "this wasn\'t me" in the email-confirmed notice: logged out everywhere, chooses a new password, logs in with it', async () => {
      await openNewestMail(page, stack().mailboxUrl, email, /address was confirmed/i);
      await page.locator('ul.links a[href*="/api/auth/secure-account"]').first().click();
      await page.locator('form button[type=submit]').click();
      await page.waitForURL((url) => url.pathname === '/api/auth/password/reset' && url.searchParams.get('secured') === '1');
      expect((await context.cookies()).map((c) => c.name)).not.toContain('refresh_token');
      await page.locator('input[name=password]').fill(NEW_PASSWORD);
      await page.locator('form button[type=submit]').click();
      // The page takes `?password_reset=1` out of its address as it shows the news: wait for the news.
      await eventually(() => page.locator('#message').textContent()).toMatch(/password was changed/i);
      const form = page.locator('#login-form');
      await form.locator('input[name=email]').fill(email);
      await form.locator('input[name=password]').fill(NEW_PASSWORD);
      await form.locator('[type=submit]').click();
      await eventually(() => page.locator('#whoami').textContent()).toContain(email);
    }, STEP_MS);
  });
}

/**
 * The checks of a newcomer's dead ends (issue 16): each drives the demo or a link page as a
 * person does. They run after the main flow, where `page` is logged in by a magic link.
 */
function describeNoDeadEnds(stack: () => DevStack, env: { browser: () => Browser; page: () => Page; email: string }): void {
  it('7. "Log out everywhere" ends another browser\'s session, which then says so kindly, not "Log in first." in red', async () => {
    const other = await env.browser().newContext();
    try {
      const theirs = await other.newPage();
      await theirs.goto(`${stack().siteUrl}/#login`);
      const form = theirs.locator('#login-form');
      await form.locator('input[name=email]').fill(env.email);
      await form.locator('input[name=password]').fill(PASSWORD);
      await form.locator('[type=submit]').click();
      await eventually(() => theirs.locator('#whoami').textContent()).toContain(env.email);
      const page = env.page();
      await eventually(() => page.locator('#view-account').isVisible()).toBe(true);
      await page.locator('#logout-all').click();
      await eventually(() => page.locator('#view-login').isVisible()).toBe(true);
      // Their access cookie is still unexpired: the page loads the account, whose next call finds the session ended.
      await theirs.reload();
      await eventually(() => theirs.locator('#view-login').isVisible()).toBe(true);
      await eventually(() => theirs.locator('#message').textContent()).toBe('Your session has ended. Please log in again.');
      expect(await theirs.locator('#message').getAttribute('data-kind')).not.toBe('error');
    } finally {
      await other.close();
    }
  }, STEP_MS);

  it("8. a reset form refused by the server answers with a page in the site's style that says what to do, never JSON", async () => {
    const page = env.page();
    await page.goto(`${stack().siteUrl}/#forgot-password`);
    await page.locator('#forgot-form input[name=email]').fill(env.email);
    await page.locator('#forgot-form [type=submit]').click();
    await eventually(() => page.locator('#message').textContent()).toMatch(/link/i);
    await openNewestMail(page, stack().mailboxUrl, env.email, /reset/i);
    await page.locator('ul.links a[href*="/api/auth/password/reset"]').first().click();
    // 40 × "é": 80 bytes, more than bcrypt reads.
    await page.locator('input[name=password]').fill('é'.repeat(40));
    await page.locator('form button[type=submit]').click();
    await eventually(() => page.locator('h1').textContent()).toBe('Choose another password');
    expect(await page.locator('main').textContent()).toContain('Use at most 72 bytes');
    expect(await page.locator('body').textContent()).not.toContain('{"error"');
    // The page has the site's look: its name on top, a way back, a styled button.
    expect(await page.locator('footer a').textContent()).toMatch(/^Back to /);
    await page.goBack();
    await page.locator('input[name=password]').fill('a brand new passphrase');
    await page.locator('form button[type=submit]').click();
    await page.waitForURL((url) => url.origin === new URL(stack().siteUrl).origin);
    await eventually(() => page.locator('#message').textContent()).toMatch(/password was changed/i);
  }, STEP_MS);

  it('9. the used reset link says so at once, with a button that asks for a new one', async () => {
    const page = env.page();
    // The reset link's email, not the "your password was reset" notice that followed it.
    await openNewestMail(page, stack().mailboxUrl, env.email, /reset your password/i);
    await page.locator('ul.links a[href*="/api/auth/password/reset"]').first().click();
    await eventually(() => page.locator('h1').textContent()).toBe('This link cannot be used');
    expect(await page.locator('main').textContent()).toContain('already been used');
    expect(await page.locator('input[type=password]').count()).toBe(0);
    const button = page.locator('a.button');
    expect(await button.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(11, 92, 173)');
    await button.click();
    await eventually(() => page.locator('#view-forgot').isVisible()).toBe(true);
  }, STEP_MS);

  it('10. the card shows that it is loading while the first answers are on their way', async () => {
    const context = await env.browser().newContext();
    try {
      const page = await context.newPage();
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/api/auth/session', async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${stack().siteUrl}/`);
      await eventually(() => page.locator('#loading').isVisible()).toBe(true);
      expect(await page.locator('main > section:visible').count()).toBe(0);
      release();
      await eventually(() => page.locator('#view-login').isVisible()).toBe(true);
      expect(await page.locator('#loading').isVisible()).toBe(false);
    } finally {
      await context.close();
    }
  }, STEP_MS);

  it("11. a strength meter rates a new password as it is typed, with the server's advice", async () => {
    const page = env.page();
    await page.goto(`${stack().siteUrl}/#register`);
    const password = page.locator('#register-form input[name=password]');
    await password.fill('password');
    await eventually(() => page.locator('#register-strength').isVisible()).toBe(true);
    await eventually(() => page.locator('#register-strength-text').textContent()).toBe('Very weak: This is a heavily used password.');
    await password.fill(PASSWORD);
    await eventually(() => page.locator('#register-strength-text').textContent()).toBe('Very strong');
    expect(await page.locator('#register-strength meter').evaluate((m) => (m as HTMLMeterElement).value)).toBe(4);
    // The server refuses the weak one too, and says why.
    await page.locator('#register-form input[name=email]').fill(`weak-${env.email}`);
    await password.fill('password');
    await page.locator('#register-form [type=submit]').click();
    await eventually(() => page.locator('#message').textContent()).toMatch(/too easy to guess/);
  }, STEP_MS);
}

/** Opens the mailbox page and the newest message to `email` whose subject matches. */
async function openNewestMail(page: Page, mailboxUrl: string, email: string, subject: RegExp): Promise<void> {
  await page.goto(`${mailboxUrl}/`);
  const row = page.locator('tr', { hasText: email }).filter({ hasText: subject }).first();
  await row.locator('a').first().click();
  await page.locator('ul.links').waitFor();
}
