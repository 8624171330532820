/**
 * The attack suite: what an outside attack and fault test of the API found (issue 19), each case
 * replayed through the real functions, so that it stays fixed. The in-process functions are
 * called as Netlify calls them, against a fresh engine database and the local mailbox. Two
 * cases live where their part can be reached: a body over netlify dev's limit (item 13) in
 * test/e2e/big-bodies.ts, and a lock left by a killed engine (item 14) in
 * fql-engine/test/storage-contract.test.ts.
 */

import type { Context } from '@netlify/functions';
import faunadb from 'faunadb';
import { describe, expect, it } from 'vitest';
import passwordForgot from '../../functions/password-forgot.ts';
import verifyResend from '../../functions/verify-resend.ts';
import { messageLinks } from '../../netlify/mailbox/server.ts';
import { signAccess, signRefresh } from '../../shared/tokens.ts';
import { Browser, SITE, errorCode, latestLink, messagesTo, pageForm, signedIn, tokenOf, useAuthWorld, type Answer } from './harness.ts';

const q = faunadb.query;

const world = useAuthWorld();

interface SessionBody {
  readonly user: { readonly id: string; readonly email: string };
  readonly session: { readonly id: string };
}

function expectError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: errorCode(answer) }, answer.text).toEqual({ status, code });
}

async function accountCount(): Promise<number> {
  return world.db.client.query<number>(q.Count(q.Documents(q.Collection('accounts'))));
}

/** The token of every link to `path` mailed to `email`, oldest first. */
async function mailedTokens(email: string, path: string): Promise<string[]> {
  const messages = await messagesTo(world.mailbox, email);
  const links = messages.flatMap((m) => messageLinks(m)).filter((l) => new URL(l).pathname === path);
  const tokens = links.map(tokenOf);
  // The mailbox lists the newest first.
  return tokens.reverse();
}

async function whoIs(browser: Browser): Promise<SessionBody> {
  const res = await browser.get('/api/auth/session');
  if (res.status !== 200) throw new Error(`GET /session answered ${res.status}: ${res.text}`);
  return res.body as SessionBody;
}

describe('issue 19, item 10: a cookie sent twice is refused, not taken at its first copy', () => {
  it('a planted access_token before the real one: 400 duplicate_cookie, not the planted session', async () => {
    const victim = await signedIn(world, 'toss-victim@example.com');
    const attacker = await signedIn(world, 'toss-attacker@example.com');
    const planted = `access_token=${attacker.jar.get('access_token')}; access_token=${victim.jar.get('access_token')}`;
    const res = await new Browser().get('/api/auth/session', { cookies: false, headers: { cookie: planted } });
    expect({ status: res.status, code: errorCode(res) }).toEqual({ status: 400, code: 'duplicate_cookie' });
  });

  it('a planted refresh_token: refused, and the real session is not rotated', async () => {
    const victim = await signedIn(world, 'toss-refresh@example.com');
    const real = victim.jar.get('refresh_token');
    const res = await new Browser().post('/api/auth/refresh', undefined, { cookies: false, headers: { cookie: `refresh_token=x.y.z; refresh_token=${real}` } });
    expect({ status: res.status, code: errorCode(res) }).toEqual({ status: 400, code: 'duplicate_cookie' });
    expect((await victim.post('/api/auth/refresh')).status).toBe(200);
  });
});

describe('issue 19, item 12: a validly signed token is still refused when its times are not ones we issue', () => {
  it('iat in the future, or a lifetime longer than configured: 401 on /session, 401 invalid_session on /refresh', async () => {
    const b = await signedIn(world, 'times@example.com');
    const { user, session } = await whoIs(b);
    const cfg = world.config;
    const claims = { sub: user.id, sid: session.id };
    const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;
    const longLived = { ...cfg, accessTokenTtlSeconds: 10 * 365 * 86400, refreshTokenTtlSeconds: 10 * 365 * 86400 };
    const userClaims = { email: user.email, emailVerified: true, name: null, roles: [] };
    for (const access of [signAccess({ ...claims, user: userClaims }, cfg, { now: inAnHour }), signAccess({ ...claims, user: userClaims }, longLived)]) {
      const forged = new Browser();
      forged.jar.set('access_token', access);
      const res = await forged.get('/api/auth/session');
      expect({ status: res.status, code: errorCode(res) }).toEqual({ status: 401, code: 'unauthenticated' });
    }
    for (const refresh of [signRefresh({ ...claims, jti: 'x' }, cfg, { now: inAnHour }), signRefresh({ ...claims, jti: 'x' }, longLived)]) {
      const forged = new Browser();
      forged.jar.set('refresh_token', refresh, '/api/auth');
      const res = await forged.post('/api/auth/refresh');
      expect({ status: res.status, code: errorCode(res) }).toEqual({ status: 401, code: 'invalid_session' });
    }
  });
});

describe('issue 19, item 11: addresses a person cannot tell apart, names that reorder text, passwords in two encodings', () => {
  it('register refuses invisible characters (invalid_email) and mixed-script look-alikes (mixed_script_email); nothing is written or sent', async () => {
    const before = await accountCount();
    const cases: [string, string][] = [
      ['vic\u200Btim@example.com', 'invalid_email'],
      ['victim@example.com\u202E', 'invalid_email'],
      ['vic\u0000tim@example.com', 'invalid_email'],
      ['vic\uD800tim@example.com', 'invalid_email'],
      ['p\u0430ypal@example.com', 'mixed_script_email'],
    ];
    for (const [email, code] of cases) {
      expectError(await new Browser().post('/api/auth/register', { email, password: 'a good long password' }), 400, code);
      expectError(await new Browser().post('/api/auth/magic', { email }), 400, code);
    }
    expect(await accountCount()).toBe(before);
    expect(await world.mailbox.messages()).toEqual([]);
  });

  it('a magic sign-up name loses its control and bidi characters', async () => {
    await new Browser().post('/api/auth/magic', { email: 'named@example.com' });
    const { link } = await latestLink(world.mailbox, 'named@example.com', '/api/auth/magic/signup');
    const res = await new Browser().post('/api/auth/magic/signup', { token: tokenOf(link), name: 'Eve\u202E\u2066 Moneypenny\u0007' });
    expect(res.status, res.text).toBe(201);
    expect((res.body as { user: { name: string } }).user.name).toBe('Eve Moneypenny');
  });

  it('a password is stored in NFC: typed decomposed at sign-up, composed at login, it matches', async () => {
    await signedIn(world, 'nfc@example.com', new Browser(), 'cafe\u0301 cre\u0300me brule\u0301e');
    const res = await new Browser().post('/api/auth/login', { email: 'nfc@example.com', password: 'caf\u00E9 cr\u00E8me brul\u00E9e' });
    expect(res.status, res.text).toBe(200);
  });

  it('a hash made before NFC (of the raw, decomposed form) still logs in with that form', async () => {
    const raw = 'cafe\u0301 au lait, no sugar';
    await signedIn(world, 'legacy@example.com', new Browser(), 'some other password');
    // As the API stored passwords before: the form as typed.
    await world.db.client.query(
      q.Update(q.Select('ref', q.Get(q.Match(q.Index('accounts_by_email'), 'legacy@example.com'))), { credentials: { password: raw } }),
    );
    expect((await new Browser().post('/api/auth/login', { email: 'legacy@example.com', password: raw })).status).toBe(200);
    expect((await new Browser().post('/api/auth/login', { email: 'legacy@example.com', password: 'wrong password!' })).status).toBe(401);
  });
});

describe('issue 19, item 4: a revoked session cannot change anything', () => {
  it("logout {all: true} with a revoked session's tokens answers 401 invalid_session and ends no live session", async () => {
    const owner = await signedIn(world, 'revoked@example.com');
    const thief = owner.fork('thief/1.0');
    // The owner logs out of the session the thief copied, then logs in again.
    expect((await owner.post('/api/auth/logout')).status).toBe(200);
    const fresh = new Browser('owner-again/1.0');
    expect((await fresh.post('/api/auth/login', { email: 'revoked@example.com', password: 'correct horse battery staple' })).status).toBe(200);
    // With the access token, and with the refresh token alone.
    const refreshOnly = thief.fork();
    refreshOnly.jar.delete('access_token');
    for (const b of [thief, refreshOnly]) {
      const res = await b.post('/api/auth/logout', { all: true });
      expectError(res, 401, 'invalid_session');
      expect(res.setCookies.map((c) => [c.name, c.value])).toEqual([['access_token', ''], ['refresh_token', '']]);
    }
    expect((await fresh.post('/api/auth/refresh')).status).toBe(200);
  });

  it('after a password reset, a token of the old session cannot log the owner out of the new one', async () => {
    const old = await signedIn(world, 'reset-owner@example.com');
    await new Browser().post('/api/auth/password/forgot', { email: 'reset-owner@example.com' });
    const { link } = await latestLink(world.mailbox, 'reset-owner@example.com', '/api/auth/password/reset');
    expect((await new Browser().post('/api/auth/password/reset', { token: tokenOf(link), password: 'the new password' })).status).toBe(200);
    const fresh = new Browser('after-reset/1.0');
    expect((await fresh.post('/api/auth/login', { email: 'reset-owner@example.com', password: 'the new password' })).status).toBe(200);
    expectError(await old.post('/api/auth/logout', { all: true }), 401, 'invalid_session');
    expect((await fresh.get('/api/auth/sessions')).status).toBe(200);
    expect((await fresh.post('/api/auth/refresh')).status).toBe(200);
  });

  it('a live session still logs out everywhere', async () => {
    const a = await signedIn(world, 'everywhere@example.com');
    const b = new Browser('second/1.0');
    await b.post('/api/auth/login', { email: 'everywhere@example.com', password: 'correct horse battery staple' });
    expect((await a.post('/api/auth/logout', { all: true })).status).toBe(200);
    expectError(await b.post('/api/auth/refresh'), 401, 'invalid_session');
  });
});

describe('issue 19, item 7: a new password spends every outstanding reset and magic login link', () => {
  const RESET = '/api/auth/password/reset';
  const MAGIC_LOGIN = '/api/auth/magic/login';

  async function outstandingLinks(email: string): Promise<{ resets: string[]; magic: string }> {
    await new Browser().post('/api/auth/password/forgot', { email });
    await new Browser().post('/api/auth/password/forgot', { email });
    await new Browser().post('/api/auth/magic', { email });
    const resets = await mailedTokens(email, RESET);
    const [magic] = await mailedTokens(email, MAGIC_LOGIN);
    expect(resets).toHaveLength(2);
    return { resets, magic };
  }

  it('after a reset with link B, reset link A and the magic login link no longer work', async () => {
    await signedIn(world, 'links-reset@example.com');
    const { resets: [a, b], magic } = await outstandingLinks('links-reset@example.com');
    expect((await new Browser().post(RESET, { token: b, password: 'the second password' })).status).toBe(200);
    expectError(await new Browser().post(RESET, { token: a, password: 'the attacker password' }), 400, 'invalid_token');
    expectError(await new Browser().post(MAGIC_LOGIN, { token: magic }), 400, 'used_token');
    expect((await new Browser().post('/api/auth/login', { email: 'links-reset@example.com', password: 'the second password' })).status).toBe(200);
  });

  it('after password/change, older reset links and magic login links no longer work', async () => {
    const owner = await signedIn(world, 'links-change@example.com');
    const { resets, magic } = await outstandingLinks('links-change@example.com');
    const change = await owner.post('/api/auth/password/change', { currentPassword: 'correct horse battery staple', newPassword: 'a changed password' });
    expect(change.status, change.text).toBe(200);
    for (const token of resets) expectError(await new Browser().post(RESET, { token, password: 'the attacker password' }), 400, 'invalid_token');
    expectError(await new Browser().post(MAGIC_LOGIN, { token: magic }), 400, 'used_token');
  });

  it("another account's links are untouched", async () => {
    await signedIn(world, 'links-other@example.com');
    const owner = await signedIn(world, 'links-mine@example.com');
    await new Browser().post('/api/auth/password/forgot', { email: 'links-other@example.com' });
    const [other] = await mailedTokens('links-other@example.com', RESET);
    await owner.post('/api/auth/password/change', { currentPassword: 'correct horse battery staple', newPassword: 'a changed password' });
    expect((await new Browser().post(RESET, { token: other, password: 'the other new password' })).status).toBe(200);
  });
});

describe('issue 19, item 5: email bombing through address variants is limited per IP address', () => {
  it('25 registrations of victim+N from one IP: 20 go through, then 429 with Retry-After; forgot and resend share the limit', async () => {
    world.configure({ EMAILS_PER_IP_PER_HOUR: '20' });
    const bomber = new Browser('bomber/1.0', '198.51.100.66');
    const answers: Answer[] = [];
    for (let i = 0; i < 25; i++) answers.push(await bomber.post('/api/auth/register', { email: `victim+${i}@example.com`, password: 'the bomber password' }));
    expect(answers.slice(0, 20).map((a) => a.status)).toEqual(Array(20).fill(202));
    for (const limited of answers.slice(20)) {
      expectError(limited, 429, 'rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(3000);
    }
    expect(await world.mailbox.messages()).toHaveLength(20);
    expect(await accountCount()).toBe(1 + 20); // the timing account, and 20
    expectError(await bomber.post('/api/auth/password/forgot', { email: 'victim+0@example.com' }), 429, 'rate_limited');
    expectError(await bomber.post('/api/auth/verify/resend', { email: 'victim+0@example.com' }), 429, 'rate_limited');
    // Someone else, elsewhere, is not held back.
    expect(
      (await new Browser('neighbour/1.0', '198.51.100.67').post('/api/auth/register', { email: 'neighbour@example.com', password: 'a neighbour password' }))
        .status,
    ).toBe(202);
  });

  it('forgot and resend count every request, with or without an account, so the limit says nothing about accounts', async () => {
    world.configure({ EMAILS_PER_IP_PER_HOUR: '4' });
    await signedIn(world, 'known@example.com', new Browser('owner/1.0', '198.51.100.1'));
    const prober = new Browser('prober/1.0', '198.51.100.70');
    const statuses = [];
    for (const email of ['known@example.com', 'unknown-1@example.com', 'unknown-2@example.com', 'known@example.com', 'unknown-3@example.com']) {
      statuses.push((await prober.post('/api/auth/password/forgot', { email })).status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
  });
});

describe('issue 19, item 8: failed logins are limited per IP address, and the lockout is hard to turn against the owner', () => {
  const EMAIL = 'lockout@example.com';
  const RIGHT = 'correct horse battery staple';

  it("five wrong guesses from the attacker's IP lock that IP out (even with the right password), not the owner", async () => {
    await signedIn(world, EMAIL, new Browser('owner/1.0', '198.51.100.1'));
    const attacker = new Browser('attacker/1.0', '203.0.113.5');
    for (let i = 0; i < 5; i++) expectError(await attacker.post('/api/auth/login', { email: EMAIL, password: `guess ${i} wrong` }), 401, 'invalid_credentials');
    expectError(await attacker.post('/api/auth/login', { email: EMAIL, password: RIGHT }), 429, 'rate_limited');
    const owner = new Browser('owner-laptop/1.0', '198.51.100.1');
    expect((await owner.post('/api/auth/login', { email: EMAIL, password: RIGHT })).status).toBe(200);
  });

  it('past the much higher per-account ceiling, guesses from many IPs do lock the address everywhere', async () => {
    world.configure({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '6' });
    await signedIn(world, EMAIL, new Browser('owner/1.0', '198.51.100.1'));
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      const attacker = new Browser('attacker/1.0', ip);
      for (let i = 0; i < 2; i++)
        expectError(await attacker.post('/api/auth/login', { email: EMAIL, password: `guess ${i} wrong` }), 401, 'invalid_credentials');
    }
    expectError(await new Browser('owner/1.0', '198.51.100.1').post('/api/auth/login', { email: EMAIL, password: RIGHT }), 429, 'rate_limited');
  });

  it('guessing across 21 addresses from one IP: the 21st attempt is refused (LOGIN_MAX_FAILURES_PER_IP, 20)', async () => {
    await signedIn(world, 'stuffed@example.com', new Browser('owner/1.0', '198.51.100.1'));
    const stuffer = new Browser('stuffer/1.0', '203.0.113.9');
    for (let i = 0; i < 20; i++)
      expectError(await stuffer.post('/api/auth/login', { email: `user${i}@example.com`, password: 'password123' }), 401, 'invalid_credentials');
    expectError(await stuffer.post('/api/auth/login', { email: 'stuffed@example.com', password: RIGHT }), 429, 'rate_limited');
    expect((await new Browser('owner/1.0', '198.51.100.1').post('/api/auth/login', { email: 'stuffed@example.com', password: RIGHT })).status).toBe(200);
  });
});

describe('issue 19, item 3: a pre-account hijack through verification', () => {
  const VICTIM = 'hijack-victim@example.com';
  const ATTACKER_PASSWORD = 'the attacker chose this';

  async function attackerRegistersVictim(): Promise<Browser> {
    const attacker = new Browser('attacker/1.0', '203.0.113.66');
    expect((await attacker.post('/api/auth/register', { email: VICTIM, password: ATTACKER_PASSWORD })).status).toBe(202);
    return attacker;
  }

  async function expectAttackerLockedOut(attacker: Browser): Promise<void> {
    expectError(await attacker.post('/api/auth/login', { email: VICTIM, password: ATTACKER_PASSWORD }), 401, 'invalid_credentials');
    expect((await attacker.get('/api/auth/session')).status).toBe(401);
  }

  it("the victim confirms in their own browser: the address is verified, the attacker's password is gone, and the victim chooses one", async () => {
    const attacker = await attackerRegistersVictim();
    const victim = new Browser('victim/1.0', '198.51.100.20');
    const { link } = await latestLink(world.mailbox, VICTIM, '/api/auth/verify');
    const form = pageForm((await victim.get(link)).text);
    const confirmed = await victim.call('POST', form.action, { form: { token: form.token } });
    expect(confirmed.status).toBe(303);
    // No session from an unproven password; straight to the page where the owner chooses one.
    expect(confirmed.setCookies).toEqual([]);
    const location = new URL(confirmed.headers.get('location') ?? '');
    expect(location.pathname).toBe('/api/auth/password/reset');
    await expectAttackerLockedOut(attacker);
    const page = await victim.get(location.href);
    expect(page.text).toMatch(/Choose a password/);
    const choose = pageForm(page.text);
    const reset = await victim.call('POST', choose.action, { form: { token: choose.token, password: 'the victim chose this' } });
    expect(reset.status).toBe(303);
    expect((await victim.post('/api/auth/login', { email: VICTIM, password: 'the victim chose this' })).status).toBe(200);
    await expectAttackerLockedOut(attacker);
  });

  it('a resent link, asked for by anyone, does the same; JSON gets setPasswordUrl', async () => {
    const attacker = await attackerRegistersVictim();
    expect((await attacker.post('/api/auth/verify/resend', { email: VICTIM })).status).toBe(202);
    const victim = new Browser('victim/1.0', '198.51.100.20');
    expect((await victim.post('/api/auth/verify/resend', { email: VICTIM })).status).toBe(202);
    const { link } = await latestLink(world.mailbox, VICTIM, '/api/auth/verify');
    const res = await victim.post('/api/auth/verify', { token: tokenOf(link) });
    expect(res.status).toBe(200);
    const body = res.body as { user: { emailVerified: boolean }; setPasswordUrl: string };
    expect(body.user.emailVerified).toBe(true);
    expect(new URL(body.setPasswordUrl).pathname).toBe('/api/auth/password/reset');
    expect(res.setCookies).toEqual([]);
    await expectAttackerLockedOut(attacker);
    // A second click only confirms again: the password chosen later is not dropped.
    const token = new URL(body.setPasswordUrl).searchParams.get('token');
    expect((await victim.post('/api/auth/password/reset', { token, password: 'the victim chose this' })).status).toBe(200);
    expect((await victim.post('/api/auth/verify', { token: tokenOf(link) })).status).toBe(200);
    expect((await victim.post('/api/auth/login', { email: VICTIM, password: 'the victim chose this' })).status).toBe(200);
  });

  it('confirming in the browser that registered keeps the password and logs in, with the original or a resent link', async () => {
    const owner = new Browser('owner/1.0');
    await owner.post('/api/auth/register', { email: 'honest@example.com', password: 'the owner chose this' });
    // Registering again from the same browser (an "already registered" email) does not unbind it.
    await owner.post('/api/auth/register', { email: 'honest@example.com', password: 'the owner chose this' });
    await owner.post('/api/auth/verify/resend', { email: 'honest@example.com' });
    const { link } = await latestLink(world.mailbox, 'honest@example.com', '/api/auth/verify');
    const res = await owner.post('/api/auth/verify', { token: tokenOf(link) });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('setPasswordUrl');
    expect((await owner.get('/api/auth/session')).status).toBe(200);
    expect((await new Browser().post('/api/auth/login', { email: 'honest@example.com', password: 'the owner chose this' })).status).toBe(200);
  });

  it("the attacker's own cookie planted twice in the victim's browser counts as none", async () => {
    const attacker = await attackerRegistersVictim();
    const binding = attacker.jar.get('signup_binding') ?? '';
    const { link } = await latestLink(world.mailbox, VICTIM, '/api/auth/verify');
    const res = await new Browser().post('/api/auth/verify', { token: tokenOf(link) }, {
      cookies: false,
      headers: { cookie: `signup_binding=${binding}; signup_binding=${binding}` },
    });
    expect(res.body).toHaveProperty('setPasswordUrl');
    await expectAttackerLockedOut(attacker);
  });
});

describe('issue 19, item 9: forgot and resend do the same work for an address with an account and one without', () => {
  /**
   * What one call costs this process, in CPU milliseconds (the engine runs in-process, so its
   * work counts too). CPU time, not wall time: the work a request causes is what a timing attack
   * measures, and wall time on a shared machine mostly measures the neighbours.
   */
  async function cpuMs(handler: typeof passwordForgot, path: string, email: string): Promise<number> {
    const req = new Request(`${SITE}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: SITE },
      body: JSON.stringify({ email }),
    });
    const before = process.cpuUsage();
    const res = await handler.withContext(world.contexts)(req, { ip: '192.0.2.99', params: {} } as unknown as Context);
    const used = process.cpuUsage(before);
    expect(res.status).toBe(202);
    return (used.user + used.system) / 1000;
  }

  function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /**
   * Pairs of calls, one per address, in alternating order (ABBA), each pair close in time, so
   * that drift in the machine's load falls on both alike. The median of the pairs' differences
   * must be within max(1.5 ms, 3 standard errors) of zero: the standard error comes from the
   * spread (MAD) of these very differences, so a noisy run widens its own bound (a false alarm
   * is a 3-sigma event), while the 2.5 to 3.5 ms that a token written and an email started for
   * one side only cost (measured without the equalising work) stand out over 100 pairs.
   */
  async function pairedDifference(
    handler: typeof passwordForgot,
    path: string,
    real: string,
    unknown: string,
    drain: () => Promise<void>,
  ): Promise<{ median: number; bound: number }> {
    const WARM_UP = 6;
    const PAIRS = 100;
    const differences: number[] = [];
    for (let i = 0; i < WARM_UP + PAIRS; i++) {
      const order = i % 2 === 0 ? [real, unknown] : [unknown, real];
      const ms: Record<string, number> = {};
      for (const email of order) {
        ms[email] = await cpuMs(handler, path, email);
        // The email goes out after the answer: let it, outside the measured call.
        await drain();
      }
      if (i >= WARM_UP) differences.push(ms[real] - ms[unknown]);
    }
    const m = median(differences);
    const mad = median(differences.map((d) => Math.abs(d - m)));
    const standardError = (1.4826 * mad * 1.2533) / Math.sqrt(differences.length);
    return { median: m, bound: Math.max(1.5, 3 * standardError) };
  }

  it('password/forgot and verify/resend: the median CPU time of a real account and of no account differ by less than the noise', async () => {
    world.configure({ EMAILS_PER_ADDRESS_PER_HOUR: '1000' });
    await signedIn(world, 'timing-real@example.com');
    await new Browser().post('/api/auth/register', { email: 'timing-unverified@example.com', password: 'a password never verified' });
    const pending: Promise<unknown>[] = [];
    world.configure({ EMAILS_PER_ADDRESS_PER_HOUR: '1000' }, { afterAnswer: (work) => pending.push(work) });
    const drain = async (): Promise<void> => {
      await Promise.all(pending.splice(0));
    };
    const forgot = await pairedDifference(passwordForgot, '/api/auth/password/forgot', 'timing-real@example.com', 'timing-nobody@example.com', drain);
    // Another unknown address: the first one's email events (read by its rate limit) would weigh on it.
    const resend = await pairedDifference(verifyResend, '/api/auth/verify/resend', 'timing-unverified@example.com', 'timing-nobody-2@example.com', drain);
    expect(Math.abs(forgot.median), `forgot: median difference ${forgot.median.toFixed(2)} ms, bound ${forgot.bound.toFixed(2)} ms`).toBeLessThan(forgot.bound);
    expect(Math.abs(resend.median), `resend: median difference ${resend.median.toFixed(2)} ms, bound ${resend.bound.toFixed(2)} ms`).toBeLessThan(resend.bound);
    // The real side did send: the test compared a mailed link with nothing.
    expect((await messagesTo(world.mailbox, 'timing-real@example.com')).length).toBeGreaterThan(100);
    expect((await messagesTo(world.mailbox, 'timing-unverified@example.com')).length).toBeGreaterThan(100);
    expect(await messagesTo(world.mailbox, 'timing-nobody@example.com')).toEqual([]);
  }, 180_000);
});
