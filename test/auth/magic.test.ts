/**
 * Issue 5: passwordless login and sign-up by magic link, through the functions, against the
 * in-process engine and the local Postmark-compatible mailbox. Links are read from the emails
 * and followed the way a person (or a mail scanner) would. Expiry is tested at the real
 * lifetimes (30 min, 8 h) by moving the engine's clock.
 */

import faunadb from 'faunadb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../netlify/mailbox/server.ts';
import { randomToken, sha256 } from '../../shared/tokens.ts';
import {
  Browser,
  DEFAULT_IP,
  PASSWORD,
  SITE,
  errorCode,
  everyDocument,
  jtiOf,
  latestLink,
  messagesTo,
  pageForm,
  tokenOf,
  useAuthWorld,
  type Answer,
} from './harness.ts';

const q = faunadb.query;
const world = useAuthWorld({ clock: true });

const MAGIC = '/api/auth/magic';
const LOGIN = '/api/auth/magic/login';
const SIGNUP = '/api/auth/magic/signup';
const MINUTE = 60;
const HOUR = 3600;

// ---------------------------------------------------------------------------------------------
// Helpers

async function askForLink(email: string, browser = new Browser(), extra: Record<string, unknown> = {}): Promise<Answer> {
  return browser.post(MAGIC, { email, ...extra });
}

/** Asks for a link and returns the one the email carries to `path`. */
async function emailedLink(email: string, path: string, browser = new Browser()): Promise<{ message: StoredMessage; link: string; token: string }> {
  const res = await askForLink(email, browser);
  if (res.status !== 202) throw new Error(`POST ${MAGIC} answered ${res.status}: ${res.text}`);
  const { message, link } = await latestLink(world.mailbox, email, path);
  return { message, link, token: tokenOf(link) };
}

/**
 * Sessions the verification links of passwordAccount() started (each with one refresh token),
 * which the magic-link tests leave out of their counts.
 */
let verificationSessions = 0;
beforeEach(() => {
  verificationSessions = 0;
});

/** Sessions (or refresh tokens) made in this test, but for those of the verification links. */
async function newDocuments(collection: 'sessions' | 'refresh_tokens'): Promise<number> {
  return (await countDocuments(collection)) - verificationSessions;
}

/** A verified password account, made through register and the verification link. */
async function passwordAccount(email: string, verified = true): Promise<void> {
  const b = new Browser();
  const reg = await b.post('/api/auth/register', { email, password: PASSWORD });
  if (reg.status !== 202) throw new Error(`register answered ${reg.status}: ${reg.text}`);
  if (!verified) return;
  const { link } = await latestLink(world.mailbox, email, '/api/auth/verify');
  const res = await b.post('/api/auth/verify', { token: tokenOf(link) });
  if (res.status !== 200) throw new Error(`verify answered ${res.status}: ${res.text}`);
  verificationSessions += 1;
}

async function countDocuments(collection: string): Promise<number> {
  const page = await world.db.adminClient.query<{ data: unknown[] }>(q.Paginate(q.Documents(q.Collection(collection)), { size: 10_000 }));
  return page.data.length;
}

interface AccountData {
  readonly email: string;
  readonly email_verified: boolean;
  readonly name?: string;
}

async function accountsWith(email: string): Promise<AccountData[]> {
  const page = await world.db.adminClient.query<{ data: { data: AccountData }[] }>(
    q.Map(q.Paginate(q.Match(q.Index('accounts_by_email'), email)), q.Lambda('ref', q.Get(q.Var('ref')))),
  );
  return page.data.map((doc) => doc.data);
}

function cookieNames(res: Answer): string[] {
  return res.setCookies.map((c) => c.name).sort();
}

function expectError(res: Answer, status: number, code: string): void {
  expect({ status: res.status, code: errorCode(res) }, res.text).toEqual({ status, code });
}

function retryAfter(res: Answer): number {
  const header = res.headers.get('retry-after');
  expect(header, 'Retry-After header').toMatch(/^\d+$/);
  return Number(header);
}

function statusesOf(answers: readonly Answer[]): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const res of answers) {
    const key = `${res.status} ${errorCode(res) ?? ''}`.trim();
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
}

/** Reads as a mail client would: both bodies, for what a person sees. */
function wording(message: StoredMessage): string {
  return `${message.subject}\n${message.textBody ?? ''}`;
}

// ---------------------------------------------------------------------------------------------
// POST /api/auth/magic

describe('POST /api/auth/magic', () => {
  it('mails a new address a sign-up link (and creates no account yet); the answer is 202 link_sent', async () => {
    const res = await askForLink(' New.Person@Example.com ');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'link_sent' });
    const mails = await messagesTo(world.mailbox, 'new.person@example.com');
    expect(mails).toHaveLength(1);
    const { message, link } = await latestLink(world.mailbox, 'new.person@example.com', SIGNUP);
    expect(message.subject).toMatch(/sign up|sign-up|creat/i);
    expect(tokenOf(link).length).toBeGreaterThanOrEqual(43);
    expect(tokenOf(link)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await accountsWith('new.person@example.com')).toHaveLength(0);
  });

  it('mails an existing account a login link; the answer is the same as for a new address', async () => {
    await passwordAccount('known@example.com');
    const forNew = await askForLink('unknown@example.com');
    const forKnown = await askForLink('known@example.com');
    expect(forKnown.status).toBe(202);
    expect(forKnown.body).toEqual(forNew.body);
    expect(forKnown.body).toEqual({ status: 'link_sent' });
    const { link } = await latestLink(world.mailbox, 'known@example.com', LOGIN);
    expect(tokenOf(link).length).toBeGreaterThanOrEqual(43);
  });

  it('says plainly in each email which kind it is, and carries only its own kind of link', async () => {
    await passwordAccount('has-account@example.com');
    const signup = await emailedLink('no-account@example.com', SIGNUP);
    const login = await emailedLink('has-account@example.com', LOGIN);
    expect(signup.message.subject).not.toBe(login.message.subject);
    expect(signup.message.subject).toMatch(/sign up|sign-up|creat/i);
    expect(signup.message.subject).not.toMatch(/log ?in/i);
    expect(wording(signup.message)).toMatch(/sign up|creat/i);
    expect(login.message.subject).toMatch(/log ?in|sign in/i);
    expect(login.message.subject).not.toMatch(/sign up|sign-up|creat/i);
    expect(wording(login.message)).toMatch(/log ?in/i);
    expect(signup.message.textBody ?? '').not.toContain(LOGIN);
    expect(login.message.textBody ?? '').not.toContain(SIGNUP);
    expect(signup.message.htmlBody ?? '').not.toContain(LOGIN);
    expect(login.message.htmlBody ?? '').not.toContain(SIGNUP);
  });

  it.each([['not-an-email'], [''], [undefined], [42]])('refuses the address %s with 400 invalid_email and sends nothing', async (email) => {
    const res = await new Browser().post(MAGIC, { email });
    expectError(res, 400, 'invalid_email');
    expect(await world.mailbox.messages()).toHaveLength(0);
  });

  it('honeypot: a filled `website` gets the same 202 and nothing is sent or stored, for a new or an existing address', async () => {
    await passwordAccount('honey-known@example.com');
    await world.mailbox.clear();
    const tokensBefore = await countDocuments('email_tokens');
    const normal = await askForLink('someone-else@example.com');
    await world.mailbox.clear();
    for (const email of ['honey-new@example.com', 'honey-known@example.com']) {
      const res = await askForLink(email, new Browser(), { website: 'http://spam.example/' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual(normal.body);
    }
    expect(await world.mailbox.messages()).toHaveLength(0);
    // Only the token of the one normal request was stored.
    expect(await countDocuments('email_tokens')).toBe(tokensBefore + 1);
  });

  it("honeypot: an empty `website` (what a person's browser sends) is a normal request", async () => {
    const res = await askForLink('person@example.com', new Browser(), { website: '' });
    expect(res.status).toBe(202);
    await latestLink(world.mailbox, 'person@example.com', SIGNUP);
  });
});

// ---------------------------------------------------------------------------------------------
// Limits

describe('POST /api/auth/magic limits', () => {
  it('the gap between two emails to one address: 429 rate_limited with Retry-After, then allowed once the gap has passed', async () => {
    world.configure({ EMAIL_MIN_INTERVAL_SECONDS: '60' });
    expect((await askForLink('gap@example.com')).status).toBe(202);
    const res = await askForLink('gap@example.com');
    expectError(res, 429, 'rate_limited');
    expect(retryAfter(res)).toBeGreaterThan(0);
    expect(await messagesTo(world.mailbox, 'gap@example.com')).toHaveLength(1);
    world.clock.advance(61);
    expect((await askForLink('gap@example.com')).status).toBe(202);
    expect(await messagesTo(world.mailbox, 'gap@example.com')).toHaveLength(2);
  });

  it('the hourly limit per address holds for login links too: 429 with Retry-After, allowed again an hour later', async () => {
    await passwordAccount('hourly@example.com');
    world.configure({ EMAILS_PER_ADDRESS_PER_HOUR: '2' });
    await world.mailbox.clear();
    // The verification email of passwordAccount counts: one login link remains this hour.
    expect((await askForLink('hourly@example.com')).status).toBe(202);
    const res = await askForLink('hourly@example.com', new Browser('other-browser', '198.51.100.7'));
    expectError(res, 429, 'rate_limited');
    expect(retryAfter(res)).toBeGreaterThan(0);
    expect(await messagesTo(world.mailbox, 'hourly@example.com')).toHaveLength(1);
    world.clock.advance(HOUR + 1);
    expect((await askForLink('hourly@example.com')).status).toBe(202);
    expect(await messagesTo(world.mailbox, 'hourly@example.com')).toHaveLength(2);
  });

  it('the limit per IP (context.ip): 429 with Retry-After past it, other IPs unaffected, allowed again an hour later', async () => {
    world.configure({ MAGIC_LINKS_PER_IP_PER_HOUR: '3' });
    const attacker = new Browser('bot/1.0', '203.0.113.66');
    for (const n of [1, 2, 3]) expect((await askForLink(`victim${n}@example.com`, attacker)).status).toBe(202);
    const res = await askForLink('victim4@example.com', attacker);
    expectError(res, 429, 'rate_limited');
    expect(retryAfter(res)).toBeGreaterThan(0);
    expect(await messagesTo(world.mailbox, 'victim4@example.com')).toHaveLength(0);
    expect(await world.mailbox.messages()).toHaveLength(3);
    // Another IP is not held back by this one's limit.
    expect((await askForLink('victim4@example.com', new Browser('person/1.0', DEFAULT_IP))).status).toBe(202);
    world.clock.advance(HOUR + 1);
    expect((await askForLink('victim5@example.com', attacker)).status).toBe(202);
  });

  it('the IP limit defaults to 20 an hour (MAGIC_LINKS_PER_IP_PER_HOUR unset)', async () => {
    const bot = new Browser('bot/1.0', '203.0.113.99');
    const answers = [];
    for (let n = 0; n < 21; n++) answers.push(await askForLink(`many${n}@example.com`, bot));
    expect(answers.slice(0, 20).every((a) => a.status === 202)).toBe(true);
    expectError(answers[20], 429, 'rate_limited');
  });

  it('Retry-After tells the truth: waiting that long is enough (per-IP and hourly per-address limits)', async () => {
    world.configure({ MAGIC_LINKS_PER_IP_PER_HOUR: '1', EMAILS_PER_ADDRESS_PER_HOUR: '1' });
    const bot = new Browser('bot/1.0', '203.0.113.77');
    expect((await askForLink('ip-a@example.com', bot)).status).toBe(202);
    const byIp = await askForLink('ip-b@example.com', bot);
    expectError(byIp, 429, 'rate_limited');
    expect((await askForLink('addr@example.com', new Browser('p', '198.51.100.1'))).status).toBe(202);
    const byAddress = await askForLink('addr@example.com', new Browser('p', '198.51.100.2'));
    expectError(byAddress, 429, 'rate_limited');
    world.clock.advance(Math.max(retryAfter(byIp), retryAfter(byAddress)) + 1);
    const again = [await askForLink('ip-b@example.com', bot), await askForLink('addr@example.com', new Browser('p', '198.51.100.3'))];
    expect(again.map((a) => `${a.status} ${errorCode(a) ?? ''}`.trim()), `Retry-After was ${retryAfter(byIp)} s (IP) and ${retryAfter(byAddress)} s (address)`)
      .toEqual(['202', '202']);
  });
});

// ---------------------------------------------------------------------------------------------
// REVEAL_ACCOUNT_STATUS

describe('REVEAL_ACCOUNT_STATUS=true', () => {
  it('answers signup_link_sent for a new address and login_link_sent for an account', async () => {
    world.configure({ REVEAL_ACCOUNT_STATUS: 'true' });
    await passwordAccount('revealed@example.com');
    expect((await askForLink('fresh@example.com')).body).toEqual({ status: 'signup_link_sent' });
    expect((await askForLink('revealed@example.com')).body).toEqual({ status: 'login_link_sent' });
    await latestLink(world.mailbox, 'fresh@example.com', SIGNUP);
    await latestLink(world.mailbox, 'revealed@example.com', LOGIN);
  });

  it('is off by default: the endpoints under test answer link_sent for both', async () => {
    expect(world.config.revealAccountStatus).toBe(false);
    await passwordAccount('hidden@example.com');
    expect((await askForLink('fresh2@example.com')).body).toEqual({ status: 'link_sent' });
    expect((await askForLink('hidden@example.com')).body).toEqual({ status: 'link_sent' });
  });
});

// ---------------------------------------------------------------------------------------------
// Login links

describe('/api/auth/magic/login', () => {
  it('GET shows "Continue as <email>" and never spends the token: three GETs, then the form POST logs in (303 + both cookies)', async () => {
    await passwordAccount('cont@example.com');
    const { link, token } = await emailedLink('cont@example.com', LOGIN);
    const scanner = new Browser('mail-scanner/2.0', '198.51.100.200');
    const pages = [await scanner.get(link), await scanner.get(link)];
    const b = new Browser();
    pages.push(await b.get(link));
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.text).toContain('Continue as cont@example.com');
      expect(page.setCookies).toHaveLength(0);
    }
    expect(await newDocuments('sessions')).toBe(0);
    const form = pageForm(pages[2].text);
    expect(form).toEqual({ action: LOGIN, token });
    const posted = await b.call('POST', form.action, { form: { token: form.token } });
    expect(posted.status, posted.text).toBe(303);
    expect(new URL(posted.headers.get('location') ?? '', 'http://invalid.example').origin).toBe(SITE);
    expect(cookieNames(posted)).toEqual(['access_token', 'refresh_token']);
    const session = await b.get('/api/auth/session');
    expect(session.status).toBe(200);
    expect((session.body as { user: { email: string } }).user.email).toBe('cont@example.com');
    expect(await newDocuments('sessions')).toBe(1);
  });

  it('JSON POST answers 200 {user} with both cookies; the same token again is 400 used_token', async () => {
    await passwordAccount('json@example.com');
    const { token } = await emailedLink('json@example.com', LOGIN);
    const b = new Browser();
    const res = await b.post(LOGIN, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ user: { id: expect.any(String), email: 'json@example.com', emailVerified: true, name: null, roles: [] } });
    expect(cookieNames(res)).toEqual(['access_token', 'refresh_token']);
    expect((await b.get('/api/auth/session')).status).toBe(200);
    const again = await new Browser().post(LOGIN, { token });
    expectError(again, 400, 'used_token');
    expect(again.setCookies).toHaveLength(0);
    // The page of a used link says so, and still spends nothing.
    const page = await new Browser().get(`${LOGIN}?token=${token}`);
    expect(page.status).toBe(400);
    expect(page.text).toMatch(/already been used/i);
  });

  it('refuses unknown tokens, and tokens of another kind, with 400 invalid_token', async () => {
    await passwordAccount('kinds@example.com');
    const verifyToken = tokenOf((await latestLink(world.mailbox, 'kinds@example.com', '/api/auth/verify')).link);
    const { token: signupToken } = await emailedLink('kinds-new@example.com', SIGNUP);
    for (const token of ['A'.repeat(43), randomToken(), signupToken, verifyToken]) {
      expectError(await new Browser().post(LOGIN, { token }), 400, 'invalid_token');
    }
    const page = await new Browser().get(`${LOGIN}?token=${signupToken}`);
    expect(page.status).toBe(400);
    expect(page.text).toMatch(/not valid/i);
    expect(await newDocuments('sessions')).toBe(0);
  });

  it('expires after 30 minutes (engine clock): valid at 29 min, 400 expired_token past 30 min', async () => {
    await passwordAccount('clock@example.com');
    const early = await emailedLink('clock@example.com', LOGIN);
    world.clock.advance(29 * MINUTE);
    expect((await new Browser().post(LOGIN, { token: early.token })).status).toBe(200);
    const late = await emailedLink('clock@example.com', LOGIN);
    world.clock.advance(30 * MINUTE + 5);
    const page = await new Browser().get(late.link);
    expect(page.status).toBe(400);
    expect(page.text).toMatch(/expired/i);
    const res = await new Browser().post(LOGIN, { token: late.token });
    expectError(res, 400, 'expired_token');
    expect(res.setCookies).toHaveLength(0);
    expect(await newDocuments('sessions')).toBe(1);
  });

  it("marks an unverified password account verified, and drops the password nobody proved was the owner's", async () => {
    await passwordAccount('unverified@example.com', false);
    expectError(await new Browser().post('/api/auth/login', { email: 'unverified@example.com', password: PASSWORD }), 403, 'email_not_verified');
    const { link } = await emailedLink('unverified@example.com', LOGIN);
    const b = new Browser();
    const form = pageForm((await b.get(link)).text);
    const res = await b.call('POST', form.action, { form: { token: form.token } });
    expect(res.status, res.text).toBe(303);
    expect(((await b.get('/api/auth/session')).body as { user: { emailVerified: boolean } }).user.emailVerified).toBe(true);
    expect(await accountsWith('unverified@example.com')).toEqual([expect.objectContaining({ email_verified: true })]);
    // Whoever registered the address first (perhaps not its owner) cannot log in with that password.
    expectError(await new Browser().post('/api/auth/login', { email: 'unverified@example.com', password: PASSWORD }), 401, 'invalid_credentials');
  });

  it('keeps the password of an account that was already verified', async () => {
    await passwordAccount('verified@example.com');
    const { token } = await emailedLink('verified@example.com', LOGIN);
    expect((await new Browser().post(LOGIN, { token })).status).toBe(200);
    expect((await new Browser().post('/api/auth/login', { email: 'verified@example.com', password: PASSWORD })).status).toBe(200);
  });

  it('10 parallel POSTs of one token make exactly one session: one 200, nine 400 used_token', async () => {
    await passwordAccount('race-login@example.com');
    const { token } = await emailedLink('race-login@example.com', LOGIN);
    const browsers = Array.from({ length: 10 }, (_, i) => new Browser(`tab-${i}`));
    const answers = await Promise.all(browsers.map((b) => b.post(LOGIN, { token })));
    expect(statusesOf(answers)).toEqual({ '200': 1, '400 used_token': 9 });
    expect(answers.filter((a) => a.setCookies.length > 0)).toHaveLength(1);
    expect(await newDocuments('sessions')).toBe(1);
    expect(await newDocuments('refresh_tokens')).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Sign-up links

describe('/api/auth/magic/signup', () => {
  it('GET shows a form with a name field and never spends the token; the form POST creates a verified account (303 + both cookies)', async () => {
    const { link, token } = await emailedLink('form@example.com', SIGNUP);
    const scanner = new Browser('mail-scanner/2.0', '198.51.100.200');
    await scanner.get(link);
    await scanner.get(link);
    const b = new Browser();
    const page = await b.get(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('form@example.com');
    expect(page.text).toMatch(/<input[^>]*name="name"/);
    expect(await accountsWith('form@example.com')).toHaveLength(0);
    const form = pageForm(page.text);
    expect(form).toEqual({ action: SIGNUP, token });
    const res = await b.call('POST', form.action, { form: { token: form.token, name: 'Form Person' } });
    expect(res.status, res.text).toBe(303);
    expect(new URL(res.headers.get('location') ?? '', 'http://invalid.example').origin).toBe(SITE);
    expect(cookieNames(res)).toEqual(['access_token', 'refresh_token']);
    const session = await b.get('/api/auth/session');
    expect(session.status).toBe(200);
    expect((session.body as { user: unknown }).user).toEqual({
      id: expect.any(String),
      email: 'form@example.com',
      emailVerified: true,
      name: 'Form Person',
      roles: [],
    });
    expect(await accountsWith('form@example.com')).toEqual([expect.objectContaining({ email: 'form@example.com', email_verified: true, name: 'Form Person' })]);
  });

  it('JSON POST answers 201 {user} with both cookies; the next link for that address is a login link', async () => {
    const { token } = await emailedLink('json-signup@example.com', SIGNUP);
    const b = new Browser();
    const res = await b.post(SIGNUP, { token, name: 'Jay Son' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ user: { id: expect.any(String), email: 'json-signup@example.com', emailVerified: true, name: 'Jay Son', roles: [] } });
    expect(cookieNames(res)).toEqual(['access_token', 'refresh_token']);
    expect((await b.get('/api/auth/session')).status).toBe(200);
    const login = await emailedLink('json-signup@example.com', LOGIN);
    expect((await new Browser().post(LOGIN, { token: login.token })).status).toBe(200);
  });

  it('refuses unknown tokens, and tokens of another kind, with 400 invalid_token', async () => {
    await passwordAccount('other-kind@example.com');
    const { token: loginToken } = await emailedLink('other-kind@example.com', LOGIN);
    for (const token of ['A'.repeat(43), randomToken(), loginToken]) {
      expectError(await new Browser().post(SIGNUP, { token, name: 'Nobody' }), 400, 'invalid_token');
    }
    const page = await new Browser().get(`${SIGNUP}?token=${loginToken}`);
    expect(page.status).toBe(400);
    expect(await newDocuments('sessions')).toBe(0);
    // The login token was not touched by being tried as a sign-up token.
    expect((await new Browser().post(LOGIN, { token: loginToken })).status).toBe(200);
  });

  it('expires after 8 hours (engine clock): valid just before, 400 expired_token after, and no account is made', async () => {
    const early = await emailedLink('early@example.com', SIGNUP);
    world.clock.advance(8 * HOUR - MINUTE);
    expect((await new Browser().post(SIGNUP, { token: early.token, name: 'Early' })).status).toBe(201);
    const late = await emailedLink('late@example.com', SIGNUP);
    world.clock.advance(8 * HOUR + 5);
    const page = await new Browser().get(late.link);
    expect(page.status).toBe(400);
    expect(page.text).toMatch(/expired/i);
    const res = await new Browser().post(SIGNUP, { token: late.token, name: 'Late' });
    expectError(res, 400, 'expired_token');
    expect(res.setCookies).toHaveLength(0);
    expect(await accountsWith('late@example.com')).toHaveLength(0);
  });

  it('a link still valid after the account exists answers 409 account_exists (a second link, the same link again)', async () => {
    const first = await emailedLink('twice@example.com', SIGNUP);
    const second = await emailedLink('twice@example.com', SIGNUP);
    expect(second.token).not.toBe(first.token);
    expect((await new Browser().post(SIGNUP, { token: first.token, name: 'First' })).status).toBe(201);
    expectError(await new Browser().post(SIGNUP, { token: second.token, name: 'Second' }), 409, 'account_exists');
    expectError(await new Browser().post(SIGNUP, { token: first.token, name: 'First again' }), 409, 'account_exists');
    expect(await accountsWith('twice@example.com')).toEqual([expect.objectContaining({ name: 'First' })]);
    expect(await newDocuments('sessions')).toBe(1);
  });

  it('a sign-up link answers 409 account_exists once the address has registered with a password', async () => {
    const { token } = await emailedLink('pw-later@example.com', SIGNUP);
    await passwordAccount('pw-later@example.com', false);
    const res = await new Browser().post(SIGNUP, { token, name: 'Too Late' });
    expectError(res, 409, 'account_exists');
    expect(res.setCookies).toHaveLength(0);
    expect(await accountsWith('pw-later@example.com')).toEqual([expect.objectContaining({ email_verified: false })]);
  });

  it('10 parallel completions make exactly one account: one 201, nine 409 account_exists', async () => {
    const { token } = await emailedLink('race-signup@example.com', SIGNUP);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => new Browser(`tab-${i}`).post(SIGNUP, { token, name: `Racer ${i}` })));
    expect(statusesOf(answers)).toEqual({ '201': 1, '409 account_exists': 9 });
    const winner = answers.find((a) => a.status === 201);
    const accounts = await accountsWith('race-signup@example.com');
    expect(accounts).toHaveLength(1);
    expect(accounts[0].name).toBe((winner?.body as { user: { name: string } }).user.name);
    expect(await newDocuments('sessions')).toBe(1);
    expect(answers.filter((a) => a.setCookies.length > 0)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Storage

describe('nothing of a magic link is stored in clear', () => {
  it('after sign-up and login by link, no raw document holds an emailed token, a refresh jti or a JWT', async () => {
    const email = 'stored@example.com';
    const secrets: string[] = [];
    const b = new Browser();
    const signup = await emailedLink(email, SIGNUP);
    const unusedSignup = await emailedLink('never-used@example.com', SIGNUP);
    secrets.push(signup.token, unusedSignup.token);
    expect((await b.post(SIGNUP, { token: signup.token, name: 'Stored' })).status).toBe(201);
    secrets.push(jtiOf(b.jar.get('refresh_token')));
    const login = await emailedLink(email, LOGIN);
    const unusedLogin = await emailedLink(email, LOGIN);
    secrets.push(login.token, unusedLogin.token);
    expect((await b.post(LOGIN, { token: login.token })).status).toBe(200);
    secrets.push(jtiOf(b.jar.get('refresh_token')));
    const jwts = [b.jar.get('refresh_token') ?? '', b.jar.get('access_token') ?? ''];

    const dump = JSON.stringify(await everyDocument(world.db.adminClient));
    // The scan sees the data it should: the hashes are there, so an absence below means something.
    for (const secret of secrets) expect(dump).toContain(sha256(secret));
    expect(dump).toContain(email);
    for (const secret of [...secrets, ...jwts]) {
      expect(secret.length).toBeGreaterThan(20);
      expect(dump.includes(secret), `found in clear: ${secret.slice(0, 12)}…`).toBe(false);
    }
    expect(dump).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });
});
