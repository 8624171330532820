/**
 * Every flow of docs/API.md over real HTTP, through `netlify dev`, with a cookie jar per client and
 * the links read out of the running mailbox: what a person does with a browser and an inbox,
 * minus the browser. The database lives for the whole file, so each flow has its own
 * addresses. The in-process tests (test/auth) cover the edge cases; these prove the same
 * functions behave the same once Netlify's dev server routes, proxies and bundles them.
 */

import { describe, expect, it } from 'vitest';
import type { SetCookie } from '../support/cookie-jar.ts';
import { errorCode, type Answer } from '../support/http-answer.ts';
import type { DevStack } from '../support/dev-stack.ts';
import { latestLink, messagesTo, pageForm } from './mailbox-client.ts';
import { SiteClient } from './site-client.ts';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
// netlify dev starts a fresh worker per request (~100–300 ms each), and a flow makes dozens.
const FLOW_MS = 60_000;
// The stack runs with REFRESH_GRACE_SECONDS=2 (test/support/dev-stack.ts, E2E_ENV).
const PAST_GRACE_MS = 2_600;
const ACCESS_MAX_AGE = process.env.ACCESS_TOKEN_TTL_SECONDS ?? '900';

const VERIFY = '/api/auth/verify';
const RESET = '/api/auth/password/reset';
const MAGIC_LOGIN = '/api/auth/magic/login';
const MAGIC_SIGNUP = '/api/auth/magic/signup';

interface User {
  readonly id: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly name: string | null;
}

interface SessionBody {
  readonly user: User;
  readonly session: { readonly id: string; readonly expiresAt: string };
}

interface ListedSession {
  readonly id: string;
  readonly current: boolean;
  readonly userAgent: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Assertions

function expectError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: errorCode(answer) }, answer.text).toEqual({ status, code });
}

function setCookie(answer: Answer, name: string): SetCookie {
  const found = answer.setCookies.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no Set-Cookie for ${name} (got: ${answer.setCookies.map((c) => c.name).join(', ') || 'none'})`);
  return found;
}

function cookieNames(answer: Answer): string[] {
  return answer.setCookies.map((c) => c.name).sort();
}

function expectBothCookies(answer: Answer): void {
  expect(cookieNames(answer)).toEqual(['access_token', 'refresh_token']);
  for (const c of answer.setCookies) expect(c.value.length).toBeGreaterThan(20);
}

function expectCleared(answer: Answer): void {
  expect(cookieNames(answer)).toEqual(['access_token', 'refresh_token']);
  for (const c of answer.setCookies) {
    expect(c.value).toBe('');
    expect(c.attributes.get('max-age')).toBe('0');
  }
  expect(setCookie(answer, 'refresh_token').attributes.get('path')).toBe('/api/auth');
}

function expectHtml(answer: Answer, status = 200): void {
  expect(answer.status, answer.text.slice(0, 300)).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/text\/html/);
  expect(answer.setCookies).toHaveLength(0);
}

// ---------------------------------------------------------------------------------------------
// Flows as a person does them

/** Reads as a mail client would: what a person sees of a message. */
function wording(message: { subject: string; textBody: string | null }): string {
  return `${message.subject}\n${message.textBody ?? ''}`;
}

function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

/** The name of the page form's password field, as a browser would fill it in. */
function passwordFieldOf(html: string): string {
  const name = /<input[^>]*type="password"[^>]*name="([^"]+)"/.exec(html)?.[1];
  if (name === undefined) throw new Error(`the page has no password field:\n${html.slice(0, 500)}`);
  return name;
}

export class Flows {
  constructor(private readonly stack: () => DevStack) {}

  get site(): string {
    return this.stack().siteUrl;
  }

  /** Everything `npm run dev` printed so far (netlify dev's request log included). */
  output(): string {
    return this.stack().output();
  }

  client(userAgent?: string): SiteClient {
    return new SiteClient(this.site, userAgent);
  }

  async register(email: string, client = this.client()): Promise<void> {
    const res = await client.post('/api/auth/register', { email, password: PASSWORD });
    expect(res.status, res.text).toBe(202);
    // In development the answer names the local mailbox (the demo points at it).
    expect(res.body).toEqual({ status: 'verification_sent', mailbox: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
  }

  link(email: string, path: string): Promise<{ message: { subject: string; textBody: string | null }; link: string }> {
    return latestLink(this.stack().mailboxUrl, email, path);
  }

  messages(email: string): ReturnType<typeof messagesTo> {
    return messagesTo(this.stack().mailboxUrl, email);
  }

  async messageCount(email: string): Promise<number> {
    return (await this.messages(email)).length;
  }

  /** Opens the newest emailed link to `path`, then submits its page's form with `fields`. */
  async submitLinkPage(email: string, path: string, client: SiteClient, fields: Readonly<Record<string, string>> = {}): Promise<Answer> {
    const { link } = await this.link(email, path);
    const page = await client.get(link);
    expectHtml(page);
    const form = pageForm(page.text);
    expect(form.action).toBe(path);
    return client.call('POST', form.action, { form: { token: form.token, ...fields } });
  }

  /** Registers and follows the verification link; the clicking client is logged in by it. */
  async verifiedAccount(email: string, client = this.client()): Promise<SiteClient> {
    await this.register(email, client);
    const res = await this.submitLinkPage(email, VERIFY, client);
    expect(res.status, res.text).toBe(303);
    return client;
  }

  async loggedIn(email: string, userAgent?: string, password = PASSWORD): Promise<SiteClient> {
    const client = this.client(userAgent);
    const res = await client.post('/api/auth/login', { email, password });
    expect(res.status, res.text).toBe(200);
    return client;
  }

  async sessionOf(client: SiteClient): Promise<SessionBody> {
    const res = await client.get('/api/auth/session');
    expect(res.status, res.text).toBe(200);
    return res.body as SessionBody;
  }
}

// ---------------------------------------------------------------------------------------------
// The flows

export function describeHttpFlows(stack: () => DevStack): void {
  const flows = new Flows(stack);
  describe('every flow of docs/API.md over HTTP, through netlify dev, with links from the mailbox', () => {
    describeRegistration(flows);
    describeLogin(flows);
    describeSessions(flows);
    describePasswords(flows);
    describeMagicLinks(flows);
    describeGuards(flows);
  });
}

function describeRegistration(flows: Flows): void {
  it('register → email → verify page (twice, nothing spent) → form POST: 303 to /?verified=1 with both cookies, logged in', async () => {
    const email = 'e2e-register@example.com';
    const me = flows.client('e2e-register/1.0');
    await flows.register(email, me);
    const { message, link } = await flows.link(email, VERIFY);
    expect(message.subject).toMatch(/confirm/i);
    expect(link.startsWith(`${flows.site}/`)).toBe(true);
    const first = await me.get(link);
    const second = await me.get(link);
    expectHtml(first);
    expectHtml(second);
    const form = pageForm(second.text);
    expect(form).toEqual({ action: VERIFY, token: tokenOf(link) });
    // The GETs spent nothing and verified nothing.
    expectError(await flows.client().post('/api/auth/login', { email, password: PASSWORD }), 403, 'email_not_verified');

    const posted = await me.call('POST', form.action, { form: { token: form.token } });
    expect(posted.status, posted.text).toBe(303);
    expect(posted.headers.get('location')).toBe(`${flows.site}/?verified=1`);
    // Both session cookies; the signup cookie, which kept the password, is cleared.
    expect(setCookie(posted, 'signup_binding').attributes.get('max-age')).toBe('0');
    expectBothCookies({ ...posted, setCookies: posted.setCookies.filter((c) => c.name !== 'signup_binding') });
    const session = await flows.sessionOf(me);
    expect(session.user).toEqual({ id: expect.any(String), email, emailVerified: true, name: null, roles: [] });
  }, FLOW_MS);

  it('a second use of the verify link confirms again without cookies, and starts no session', async () => {
    const email = 'e2e-verify-twice@example.com';
    await flows.verifiedAccount(email);
    const token = tokenOf((await flows.link(email, VERIFY)).link);
    const other = flows.client();
    const again = await other.call('POST', VERIFY, { form: { token } });
    expect(again.status, again.text).toBe(303);
    expect(again.headers.get('location')).toBe(`${flows.site}/?verified=1`);
    expect(again.setCookies).toHaveLength(0);
    const json = await other.post(VERIFY, { token });
    expect(json.status, json.text).toBe(200);
    expect((json.body as { user: User }).user).toEqual({ id: expect.any(String), email, emailVerified: true, name: null, roles: [] });
    expect(json.setCookies).toHaveLength(0);
    expectError(await other.get('/api/auth/session'), 401, 'unauthenticated');
  }, FLOW_MS);

  it('registering an existing address answers the same 202 and mails "you already have an account"', async () => {
    const email = 'e2e-register-again@example.com';
    await flows.verifiedAccount(email);
    // Counted by subject: the "email confirmed" notice of the verification goes out after its answer, and may land any time.
    const triedToSignUp = async (): ReturnType<typeof messagesTo> => (await flows.messages(email)).filter((m) => /tried to sign up/i.test(m.subject));
    const before = (await triedToSignUp()).length;
    const res = await flows.client().post('/api/auth/register', { email, password: 'some other password' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'verification_sent', mailbox: expect.any(String) });
    const messages = await triedToSignUp();
    expect(messages).toHaveLength(before + 1);
    expect(wording(messages[0])).toMatch(/already have an account/i);
    expect(wording(messages[0])).not.toMatch(/token=/);
    // The second password never took.
    expectError(await flows.client().post('/api/auth/login', { email, password: 'some other password' }), 401, 'invalid_credentials');
  }, FLOW_MS);

  it('verify/resend mails an unverified account a new link that works; an unknown address still gets 202 and no email', async () => {
    const email = 'e2e-resend@example.com';
    // The browser that registered opens the resent link: the password stays.
    const registering = flows.client();
    await flows.register(email, registering);
    const firstToken = tokenOf((await flows.link(email, VERIFY)).link);
    const res = await flows.client().post('/api/auth/verify/resend', { email });
    expect(res.status, res.text).toBe(202);
    // Resend sends after answering (waitUntil): the message may take a moment.
    await expect.poll(() => flows.messageCount(email), { timeout: 10_000, interval: 100 }).toBe(2);
    const { link } = await flows.link(email, VERIFY);
    expect(tokenOf(link)).not.toBe(firstToken);
    const verified = await flows.submitLinkPage(email, VERIFY, registering);
    expect(verified.status, verified.text).toBe(303);
    await flows.loggedIn(email);

    const unknown = 'e2e-resend-nobody@example.com';
    const none = await flows.client().post('/api/auth/verify/resend', { email: unknown });
    expect(none.status).toBe(202);
    expect(none.body).toEqual(res.body);
    expect(await flows.messageCount(unknown)).toBe(0);
  }, FLOW_MS);
}

function describeLogin(flows: Flows): void {
  it(
    'login: wrong password 401 invalid_credentials, unverified 403 email_not_verified, right 200 {user} with both cookies as docs/API.md lists them',
    async () => {
      const email = 'e2e-login@example.com';
      await flows.verifiedAccount(email);
      const wrong = await flows.client().post('/api/auth/login', { email, password: 'not the password' });
      expectError(wrong, 401, 'invalid_credentials');
      expect(wrong.setCookies).toHaveLength(0);

      const unverified = 'e2e-login-unverified@example.com';
      await flows.register(unverified);
      const refused = await flows.client().post('/api/auth/login', { email: unverified, password: PASSWORD });
      expectError(refused, 403, 'email_not_verified');
      expect(refused.setCookies).toHaveLength(0);

      const me = flows.client();
      const res = await me.post('/api/auth/login', { email, password: PASSWORD });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ user: { id: expect.any(String), email, emailVerified: true, name: null, roles: [] } });
      expectLoginCookies(res);
      expect((await flows.sessionOf(me)).user.email).toBe(email);
    },
    FLOW_MS,
  );

  it('refresh rotates the refresh cookie; an old one works within the grace, and after it revokes the whole session (token_reuse)', async () => {
    const email = 'e2e-refresh@example.com';
    await flows.verifiedAccount(email);
    const tab = await flows.loggedIn(email, 'honest-tab/1.0');
    const original = tab.jar.get('refresh_token') ?? '';
    const rotated = await tab.post('/api/auth/refresh');
    expect(rotated.status, rotated.text).toBe(200);
    expect((rotated.body as { user: User }).user.email).toBe(email);
    expectBothCookies(rotated);
    // A parallel tab that still holds the original, right away (within the 2 s grace): a working session.
    const parallel = withRefreshToken(flows.client('parallel-tab/1.0'), original);
    const inGrace = await parallel.post('/api/auth/refresh');
    expect(inGrace.status, inGrace.text).toBe(200);
    expect((await flows.sessionOf(parallel)).user.email).toBe(email);
    expect(tab.jar.get('refresh_token')).not.toBe(original);
    expect((await flows.sessionOf(tab)).user.email).toBe(email);

    await sleep(PAST_GRACE_MS);
    const stale = withRefreshToken(flows.client('stale-tab/1.0'), original);
    const reuse = await stale.post('/api/auth/refresh');
    expectError(reuse, 401, 'token_reuse');
    expectCleared(reuse);
    expect(stale.jar.get('refresh_token')).toBeUndefined();
    // The session is gone for every holder, the honest tab's newest token included.
    expectError(await tab.post('/api/auth/refresh'), 401, 'invalid_session');
    expectError(await parallel.post('/api/auth/refresh'), 401, 'invalid_session');
  }, FLOW_MS);
}

function expectLoginCookies(res: Answer): void {
  expectBothCookies(res);
  const access = setCookie(res, 'access_token');
  expect(access.attributes.get('path')).toBe('/');
  expect(access.attributes.has('httponly')).toBe(true);
  expect(access.attributes.get('samesite')?.toLowerCase()).toBe('lax');
  expect(access.attributes.get('max-age')).toBe(ACCESS_MAX_AGE);
  const refresh = setCookie(res, 'refresh_token');
  expect(refresh.attributes.get('path')).toBe('/api/auth');
  expect(refresh.attributes.has('httponly')).toBe(true);
  expect(refresh.attributes.get('samesite')?.toLowerCase()).toBe('strict');
  expect(Number(refresh.attributes.get('max-age'))).toBeGreaterThan(Number(ACCESS_MAX_AGE));
  // The site is http://localhost: a Secure cookie would never come back.
  expect(access.attributes.has('secure')).toBe(false);
  expect(refresh.attributes.has('secure')).toBe(false);
}

/** A client holding only this refresh token, as a tab that missed a rotation does. */
function withRefreshToken(client: SiteClient, token: string): SiteClient {
  client.jar.set('refresh_token', token, '/api/auth');
  return client;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeSessions(flows: Flows): void {
  it('sessions: two clients are listed with one current; revoking the other answers 204 and ends its refresh; 404 and 401 otherwise', async () => {
    const email = 'e2e-sessions@example.com';
    // The verify link's first use logs the clicking client in: that is this one.
    const me = await flows.verifiedAccount(email, flows.client('first-device/1.0'));
    const other = await flows.loggedIn(email, 'second-device/2.0');
    const mine = (await flows.sessionOf(me)).session.id;
    const theirs = (await flows.sessionOf(other)).session.id;
    expect(theirs).not.toBe(mine);

    const listed = await me.get('/api/auth/sessions');
    expect(listed.status, listed.text).toBe(200);
    const sessions = (listed.body as { sessions: ListedSession[] }).sessions;
    expect(sessions.map((s) => s.id).sort()).toEqual([mine, theirs].sort());
    expect(sessions.filter((s) => s.current).map((s) => s.id)).toEqual([mine]);
    expect(sessions.find((s) => s.id === theirs)?.userAgent).toBe('second-device/2.0');
    for (const s of sessions) expect(Number.isNaN(Date.parse(s.createdAt)) || Number.isNaN(Date.parse(s.lastUsedAt))).toBe(false);

    const revoked = await me.delete(`/api/auth/sessions/${theirs}`);
    expect(revoked.status, revoked.text).toBe(204);
    expect(revoked.text).toBe('');
    expectError(await other.post('/api/auth/refresh'), 401, 'invalid_session');
    const after = (await me.get('/api/auth/sessions')).body as { sessions: ListedSession[] };
    expect(after.sessions.map((s) => s.id)).toEqual([mine]);

    expectError(await me.delete('/api/auth/sessions/999999999'), 404, 'not_found');
    expectError(await flows.client().get('/api/auth/sessions'), 401, 'unauthenticated');
    expectError(await flows.client().delete(`/api/auth/sessions/${mine}`), 401, 'unauthenticated');
    expect((await me.post('/api/auth/refresh')).status).toBe(200);
  }, FLOW_MS);

  it('logout answers 200 and clears both cookies (Max-Age=0); the session is over', async () => {
    const email = 'e2e-logout@example.com';
    await flows.verifiedAccount(email);
    const me = await flows.loggedIn(email);
    const spent = withRefreshToken(flows.client(), me.jar.get('refresh_token') ?? '');
    const res = await me.post('/api/auth/logout', {});
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ status: 'logged_out' });
    expectCleared(res);
    expect(me.jar.get('access_token')).toBeUndefined();
    expectError(await me.get('/api/auth/session'), 401, 'unauthenticated');
    // Its refresh token, kept elsewhere, is dead too.
    expectError(await spent.post('/api/auth/refresh'), 401, 'invalid_session');
  }, FLOW_MS);

  it('logout {all: true} from one of two clients ends the other one as well', async () => {
    const email = 'e2e-logout-all@example.com';
    await flows.verifiedAccount(email);
    const one = await flows.loggedIn(email, 'one/1.0');
    const two = await flows.loggedIn(email, 'two/1.0');
    const res = await one.post('/api/auth/logout', { all: true });
    expect(res.status, res.text).toBe(200);
    expectCleared(res);
    expectError(await two.post('/api/auth/refresh'), 401, 'invalid_session');
    expectError(await two.get('/api/auth/sessions'), 401, 'unauthenticated');
    // The account itself is fine.
    await flows.loggedIn(email);
  }, FLOW_MS);
}

function describePasswords(flows: Flows): void {
  it(
    'password forgot → email → reset page (twice, nothing spent) → form POST: 303 to /?password_reset=1; old password out, new in, sessions revoked',
    async () => {
      const email = 'e2e-reset@example.com';
      await flows.verifiedAccount(email);
      const existing = await flows.loggedIn(email, 'existing-session/1.0');
      const asked = await flows.client().post('/api/auth/password/forgot', { email });
      expect(asked.status, asked.text).toBe(202);
      const { message, link } = await flows.link(email, RESET);
      expect(message.subject).toMatch(/reset/i);

      const person = flows.client();
      expectHtml(await person.get(link));
      const page = await person.get(link);
      expectHtml(page);
      const form = pageForm(page.text);
      expect(form).toEqual({ action: RESET, token: tokenOf(link) });
      const posted = await person.call('POST', form.action, { form: { token: form.token, [passwordFieldOf(page.text)]: NEW_PASSWORD } });
      expect(posted.status, posted.text).toBe(303);
      expect(posted.headers.get('location')).toBe(`${flows.site}/?password_reset=1`);

      expectError(await flows.client().post('/api/auth/login', { email, password: PASSWORD }), 401, 'invalid_credentials');
      await flows.loggedIn(email, undefined, NEW_PASSWORD);
      expectError(await existing.post('/api/auth/refresh'), 401, 'invalid_session');
      // Single use: the same form again shows the problem on a page.
      const again = await person.call('POST', form.action, { form: { token: form.token, password: 'yet another passphrase' } });
      expectHtml(again, 400);
      expect(again.text).toMatch(/not valid/i);
    },
    FLOW_MS,
  );

  it('password forgot for an unknown address answers the same 202 and mails nothing', async () => {
    const email = 'e2e-forgot-nobody@example.com';
    const res = await flows.client().post('/api/auth/password/forgot', { email });
    expect(res.status, res.text).toBe(202);
    expect(res.body).toEqual({ status: 'reset_sent' });
    expect(await flows.messageCount(email)).toBe(0);
  }, FLOW_MS);

  it('password change: a wrong current password is 400 invalid_credentials; the right one changes it, keeps this session and ends the other', async () => {
    const email = 'e2e-change@example.com';
    await flows.verifiedAccount(email);
    const me = await flows.loggedIn(email, 'me/1.0');
    const other = await flows.loggedIn(email, 'other/1.0');
    const wrong = await me.post('/api/auth/password/change', { currentPassword: 'not my password', newPassword: NEW_PASSWORD });
    expectError(wrong, 400, 'invalid_credentials');
    // The refused change ended nothing.
    expect((await other.post('/api/auth/refresh')).status).toBe(200);

    const res = await me.post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ status: 'password_changed' });
    expectError(await other.post('/api/auth/refresh'), 401, 'invalid_session');
    expect((await me.post('/api/auth/refresh')).status).toBe(200);
    expect((await flows.sessionOf(me)).user.email).toBe(email);
    expectError(await flows.client().post('/api/auth/login', { email, password: PASSWORD }), 401, 'invalid_credentials');
    await flows.loggedIn(email, undefined, NEW_PASSWORD);
  }, FLOW_MS);
}

function describeMagicLinks(flows: Flows): void {
  it('magic link for a new address: 202 link_sent → sign-up link → page → form with a name: 303 + cookies, a verified account with that name', async () => {
    const email = 'e2e-magic-new@example.com';
    const res = await flows.client().post('/api/auth/magic', { email });
    expect(res.status, res.text).toBe(202);
    expect(res.body).toEqual({ status: 'link_sent' });
    const { link } = await flows.link(email, MAGIC_SIGNUP);
    const me = flows.client();
    const page = await me.get(link);
    expectHtml(page);
    expect(page.text).toContain(email);
    expect(page.text).toMatch(/<input[^>]*name="name"/);
    const form = pageForm(page.text);
    expect(form).toEqual({ action: MAGIC_SIGNUP, token: tokenOf(link) });
    const posted = await me.call('POST', form.action, { form: { token: form.token, name: 'Magic Person' } });
    expect(posted.status, posted.text).toBe(303);
    expect(new URL(posted.headers.get('location') ?? '', 'http://invalid.example').origin).toBe(new URL(flows.site).origin);
    expectBothCookies(posted);
    const session = await flows.sessionOf(me);
    expect(session.user).toEqual({ id: expect.any(String), email, emailVerified: true, name: 'Magic Person', roles: [] });
  }, FLOW_MS);

  it(
    'magic link for an account: login link → "Continue as <email>" → form POST: 303 + cookies; the link then shows "already used" (JSON: 400 used_token)',
    async () => {
      const email = 'e2e-magic-known@example.com';
      await flows.verifiedAccount(email);
      const res = await flows.client().post('/api/auth/magic', { email });
      expect(res.status, res.text).toBe(202);
      expect(res.body).toEqual({ status: 'link_sent' });
      const { link } = await flows.link(email, MAGIC_LOGIN);
      const me = flows.client();
      const page = await me.get(link);
      expectHtml(page);
      expect(page.text).toContain(`Continue as ${email}`);
      const form = pageForm(page.text);
      expect(form).toEqual({ action: MAGIC_LOGIN, token: tokenOf(link) });
      const posted = await me.call('POST', form.action, { form: { token: form.token } });
      expect(posted.status, posted.text).toBe(303);
      expect(new URL(posted.headers.get('location') ?? '', 'http://invalid.example').origin).toBe(new URL(flows.site).origin);
      expectBothCookies(posted);
      expect((await flows.sessionOf(me)).user).toEqual({ id: expect.any(String), email, emailVerified: true, name: null, roles: [] });

      const second = flows.client();
      const again = await second.call('POST', form.action, { form: { token: form.token } });
      expectHtml(again, 400);
      expect(again.text).toMatch(/already been used/i);
      const json = await second.post(MAGIC_LOGIN, { token: form.token });
      expectError(json, 400, 'used_token');
      expect(json.setCookies).toHaveLength(0);
      expectError(await second.get('/api/auth/session'), 401, 'unauthenticated');
    },
    FLOW_MS,
  );
}

function describeGuards(flows: Flows): void {
  it('a 403 or a 404 runs its function once, as a 200 does: netlify dev retries no .html, .htm or /index.html after it', async () => {
    const unverified = 'e2e-once-403@example.com';
    await flows.register(unverified);
    const me = await flows.verifiedAccount('e2e-once-404@example.com');
    const from = flows.output().length;
    expectError(await flows.client().post('/api/auth/login', { email: unverified, password: PASSWORD }), 403, 'email_not_verified');
    expectError(await me.delete('/api/auth/sessions/999999999'), 404, 'not_found');
    const calls = (): string[] =>
      [...flows.output().slice(from).matchAll(/: (POST \/api\/auth\/login|DELETE \/api\/auth\/sessions\/999999999)\S*$/gm)].map((m) => m[0].slice(2));
    // netlify dev logs each call of a function ("Request from …: POST /path"); the log may trail the answer.
    await expect.poll(() => calls().length, { timeout: 5_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    expect(calls()).toEqual(['POST /api/auth/login', 'DELETE /api/auth/sessions/999999999']);
    expect(flows.output().slice(from)).not.toMatch(/Missing form submission function handler/);
  }, FLOW_MS);

  it('a cross-origin POST carrying cookies is 403 cross_origin and changes nothing', async () => {
    const email = 'e2e-cross-origin@example.com';
    await flows.verifiedAccount(email);
    const me = await flows.loggedIn(email);
    const other = await flows.loggedIn(email, 'other/1.0');
    const evil = await me.post('/api/auth/logout', { all: true }, { origin: 'https://evil.example' });
    expectError(evil, 403, 'cross_origin');
    expect(evil.setCookies).toHaveLength(0);
    const change = await me.post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { origin: 'https://evil.example' });
    expectError(change, 403, 'cross_origin');
    expect((await me.post('/api/auth/refresh')).status).toBe(200);
    expect((await other.post('/api/auth/refresh')).status).toBe(200);
    await flows.loggedIn(email);
  }, FLOW_MS);

  it('a malformed JSON body is 400 invalid_json in the error envelope', async () => {
    const res = await fetch(`${flows.site}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: new URL(flows.site).origin },
      body: '{"email": "e2e-bad-json@example.com", ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    expect(body.error?.code).toBe('invalid_json');
    expect(typeof body.error?.message).toBe('string');
    expect(JSON.stringify(body)).not.toMatch(/SyntaxError|at JSON/);
  }, FLOW_MS);

  it('GET /api/health is 200 {status:"ok", db:"ok"}', async () => {
    const res = await flows.client().get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: 'ok' });
  }, FLOW_MS);
}
