import faunadb from 'faunadb';
import { describe, expect, it } from 'vitest';
import { Browser, PASSWORD, errorCode, latestLink, messagesTo, pageForm, tokenOf, useAuthWorld } from './harness.ts';

const q = faunadb.query;
const world = useAuthWorld({ clock: true });

describe('POST /api/auth/register', () => {
  it('answers 202 and mails a verification link to the site', async () => {
    const b = new Browser();
    const res = await b.post('/api/auth/register', { email: ' Ada@Example.com ', password: PASSWORD });
    expect(res.status).toBe(202);
    // In development the answer also names the local mailbox, for the demo to point at.
    expect(res.body).toEqual({ status: 'verification_sent', mailbox: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const { message, link } = await latestLink(world.mailbox, 'ada@example.com', '/api/auth/verify');
    expect(message.subject).toMatch(/confirm/i);
    expect(tokenOf(link).length).toBeGreaterThanOrEqual(43);
  });

  it('answers the same 202 for an existing address, which gets an "already registered" email instead', async () => {
    const b = new Browser();
    const first = await b.post('/api/auth/register', { email: 'bo@example.com', password: PASSWORD });
    const second = await b.post('/api/auth/register', { email: 'bo@example.com', password: 'another password 1' });
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    const [newest, oldest] = await messagesTo(world.mailbox, 'bo@example.com');
    expect(oldest.subject).toMatch(/confirm/i);
    expect(newest.subject).toMatch(/tried to sign up/i);
    expect(newest.textBody ?? '').not.toMatch(/token=/);
    // The original password still holds once verified; the second one never took.
    await b.post('/api/auth/verify', { token: tokenOf(verifyLinkIn(oldest.textBody ?? '')) });
    expect((await b.post('/api/auth/login', { email: 'bo@example.com', password: 'another password 1' })).status).toBe(401);
    expect((await b.post('/api/auth/login', { email: 'bo@example.com', password: PASSWORD })).status).toBe(200);
  });

  it.each([
    ['not-an-email', PASSWORD, 'invalid_email'],
    [undefined, PASSWORD, 'invalid_email'],
    ['cy@example.com', 'short', 'weak_password'],
    ['cy@example.com', undefined, 'weak_password'],
    ['cy@example.com', 'é'.repeat(37), 'weak_password'],
  ])('refuses %s / %s with 400 %s', async (email, password, code) => {
    const res = await new Browser().post('/api/auth/register', { email, password });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe(code);
    expect(await world.mailbox.messages()).toHaveLength(0);
  });

  it('answers 429 rate_limited with Retry-After past the per-address email limit', async () => {
    world.configure({ EMAIL_MIN_INTERVAL_SECONDS: '60' });
    const b = new Browser();
    expect((await b.post('/api/auth/register', { email: 'dee@example.com', password: PASSWORD })).status).toBe(202);
    const res = await b.post('/api/auth/register', { email: 'dee@example.com', password: PASSWORD });
    expect(res.status).toBe(429);
    expect(errorCode(res)).toBe('rate_limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await messagesTo(world.mailbox, 'dee@example.com')).toHaveLength(1);
  });

  it('answers 502 email_failed when Postmark fails; the account stays, nothing is duplicated, and resend works', async () => {
    world.configure({ EMAIL_MIN_INTERVAL_SECONDS: '60' });
    world.mailbox.failWith({ status: 500, errorCode: 701, message: 'internal provider detail xyz' });
    const b = new Browser();
    const res = await b.post('/api/auth/register', { email: 'eve@example.com', password: PASSWORD });
    expect(res.status).toBe(502);
    expect(errorCode(res)).toBe('email_failed');
    expect(res.text).not.toMatch(/xyz|701|stack|at /);
    world.mailbox.failWith(null);
    // The address is not held back by the email that never left, even with a 60 s gap.
    const resend = await b.post('/api/auth/verify/resend', { email: 'eve@example.com' });
    expect(resend.status).toBe(202);
    const mails = await messagesTo(world.mailbox, 'eve@example.com');
    expect(mails).toHaveLength(1);
    // Registering again finds the account that stayed: "already registered", not a second account.
    world.configure({});
    await b.post('/api/auth/register', { email: 'eve@example.com', password: PASSWORD });
    expect((await messagesTo(world.mailbox, 'eve@example.com'))[0].subject).toMatch(/tried to sign up/i);
    const accounts = await world.db.client.query<{ data: unknown[] }>(q.Paginate(q.Match(q.Index('accounts_by_email'), 'eve@example.com')));
    expect(accounts.data).toHaveLength(1);
    // The resent link verifies the account that stayed.
    const { link } = await latestLink(world.mailbox, 'eve@example.com', '/api/auth/verify');
    expect((await b.post('/api/auth/verify', { token: tokenOf(link) })).status).toBe(200);
    expect((await b.post('/api/auth/login', { email: 'eve@example.com', password: PASSWORD })).status).toBe(200);
  });
});

function verifyLinkIn(text: string): string {
  const m = /https?:\/\/\S+\/api\/auth\/verify\?token=[^\s"<>]+/.exec(text);
  if (!m) throw new Error('no verify link in the text');
  return m[0];
}

describe('/api/auth/verify', () => {
  it('GET shows a page and never spends the token: GET twice, then the form POST verifies and redirects', async () => {
    const b = new Browser();
    await b.post('/api/auth/register', { email: 'fay@example.com', password: PASSWORD });
    const { link } = await latestLink(world.mailbox, 'fay@example.com', '/api/auth/verify');
    const first = await b.get(link);
    const second = await b.get(link);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/text\/html/);
    const form = pageForm(second.text);
    expect(form.action).toBe('/api/auth/verify');
    expect(form.token).toBe(tokenOf(link));
    // Not verified yet: the GETs changed nothing.
    const before = await b.post('/api/auth/login', { email: 'fay@example.com', password: PASSWORD });
    expect(errorCode(before)).toBe('email_not_verified');
    const posted = await b.call('POST', form.action, { form: { token: form.token } });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('http://localhost:8888/?verified=1');
    expect((await b.post('/api/auth/login', { email: 'fay@example.com', password: PASSWORD })).status).toBe(200);
  });

  it('JSON POST answers 200 {user}', async () => {
    const b = new Browser();
    await b.post('/api/auth/register', { email: 'gus@example.com', password: PASSWORD });
    const { link } = await latestLink(world.mailbox, 'gus@example.com', '/api/auth/verify');
    const res = await b.post('/api/auth/verify', { token: tokenOf(link) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { id: expect.any(String), email: 'gus@example.com', emailVerified: true, name: null, roles: [] } });
  });

  it("the link's first use logs in (both cookies, a live session); a second use only confirms, with no session", async () => {
    const registering = new Browser();
    await registering.post('/api/auth/register', { email: 'ida@example.com', password: PASSWORD });
    const { link } = await latestLink(world.mailbox, 'ida@example.com', '/api/auth/verify');
    // The mail client opens the link in the browser that registered (its signup cookie).
    const clicker = new Browser('mail-client/1.0');
    clicker.jar.set('signup_binding', registering.jar.get('signup_binding') ?? '');
    const first = await clicker.call('POST', '/api/auth/verify', { form: { token: tokenOf(link) } });
    expect(first.status).toBe(303);
    // Both session cookies, and the signup cookie cleared: it has done its work.
    expect(first.setCookies.map((c) => c.name).sort()).toEqual(['access_token', 'refresh_token', 'signup_binding']);
    const session = await clicker.get('/api/auth/session');
    expect(session.status).toBe(200);
    expect((session.body as { user: { email: string } }).user.email).toBe('ida@example.com');
    const listed = await clicker.get('/api/auth/sessions');
    expect((listed.body as { sessions: { userAgent: string }[] }).sessions.map((s) => s.userAgent)).toEqual(['mail-client/1.0']);

    const other = new Browser();
    const again = await other.post('/api/auth/verify', { token: tokenOf(link) });
    expect(again.status).toBe(200);
    expect(again.setCookies).toEqual([]);
    expect((await other.get('/api/auth/session')).status).toBe(401);
    // Still exactly one session: the second use started none.
    expect(((await clicker.get('/api/auth/sessions')).body as { sessions: unknown[] }).sessions).toHaveLength(1);
  });

  it('refuses an unknown token with 400 invalid_token', async () => {
    const res = await new Browser().post('/api/auth/verify', { token: 'A'.repeat(43) });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('invalid_token');
  });

  it('refuses an expired token with 400 expired_token', async () => {
    world.configure({ VERIFY_TOKEN_TTL_SECONDS: '60' });
    const b = new Browser();
    await b.post('/api/auth/register', { email: 'hal@example.com', password: PASSWORD });
    const { link } = await latestLink(world.mailbox, 'hal@example.com', '/api/auth/verify');
    world.clock.advance(61);
    const res = await b.post('/api/auth/verify', { token: tokenOf(link) });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('expired_token');
  });

  it('GET without a token shows a 400 page', async () => {
    const res = await new Browser().get('/api/auth/verify');
    expect(res.status).toBe(400);
  });
});

describe('POST /api/auth/verify/resend', () => {
  it('answers 202 for an unknown address and sends nothing; for an unverified one, a new link', async () => {
    const b = new Browser();
    const unknown = await b.post('/api/auth/verify/resend', { email: 'nobody@example.com' });
    expect(unknown.status).toBe(202);
    expect(await world.mailbox.messages()).toHaveLength(0);
    await b.post('/api/auth/register', { email: 'ivy@example.com', password: PASSWORD });
    const res = await b.post('/api/auth/verify/resend', { email: 'ivy@example.com' });
    expect(res.status).toBe(202);
    const mails = await messagesTo(world.mailbox, 'ivy@example.com');
    expect(mails).toHaveLength(2);
  });

  it('answers 429 rate_limited with Retry-After when the address had an email too recently', async () => {
    world.configure({ EMAIL_MIN_INTERVAL_SECONDS: '60' });
    const b = new Browser();
    await b.post('/api/auth/register', { email: 'jo@example.com', password: PASSWORD });
    const res = await b.post('/api/auth/verify/resend', { email: 'jo@example.com' });
    expect(res.status).toBe(429);
    expect(errorCode(res)).toBe('rate_limited');
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('answers 429 past the hourly limit', async () => {
    world.configure({ EMAILS_PER_ADDRESS_PER_HOUR: '2' });
    const b = new Browser();
    await b.post('/api/auth/register', { email: 'kim@example.com', password: PASSWORD });
    expect((await b.post('/api/auth/verify/resend', { email: 'kim@example.com' })).status).toBe(202);
    const res = await b.post('/api/auth/verify/resend', { email: 'kim@example.com' });
    expect(res.status).toBe(429);
    expect(await messagesTo(world.mailbox, 'kim@example.com')).toHaveLength(2);
  });
});
