import { describe, expect, it } from 'vitest';
import { Browser, PASSWORD, errorCode, latestLink, messagesTo, pageForm, signedIn, tokenOf, useAuthWorld } from './harness.ts';

const world = useAuthWorld({ clock: true });
const NEW_PASSWORD = 'a brand new passphrase';

async function resetLink(email: string): Promise<string> {
  const res = await new Browser().post('/api/auth/password/forgot', { email });
  expect(res.status).toBe(202);
  return (await latestLink(world.mailbox, email, '/api/auth/password/reset')).link;
}

describe('POST /api/auth/password/forgot', () => {
  it('answers 202 for every address; only one with an account gets a link', async () => {
    await signedIn(world, 'amy@example.com');
    const before = (await world.mailbox.messages()).length;
    const unknown = await new Browser().post('/api/auth/password/forgot', { email: 'ghost@example.com' });
    expect(unknown.status).toBe(202);
    expect(await world.mailbox.messages()).toHaveLength(before);
    const known = await new Browser().post('/api/auth/password/forgot', { email: 'amy@example.com' });
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const { message } = await latestLink(world.mailbox, 'amy@example.com', '/api/auth/password/reset');
    expect(message.subject).toMatch(/reset/i);
  });

  it('answers 400 invalid_email for a malformed address', async () => {
    const res = await new Browser().post('/api/auth/password/forgot', { email: 'nope' });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('invalid_email');
  });

  it('answers 429 rate_limited with Retry-After when the address had an email too recently', async () => {
    await signedIn(world, 'bea@example.com');
    world.configure({ EMAIL_MIN_INTERVAL_SECONDS: '60' });
    const b = new Browser();
    const res = await b.post('/api/auth/password/forgot', { email: 'bea@example.com' });
    expect(res.status).toBe(429);
    expect(errorCode(res)).toBe('rate_limited');
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    // It says what it counted, and how long to wait.
    expect((res.body as { error: { message: string } }).error.message).toMatch(
      /^Too many emails to this address\. Try again in \d+ (seconds|minute|minutes)\.$/,
    );
  });

  it('answers 202 even when Postmark fails (only an account could make it fail), and asking again then works', async () => {
    await signedIn(world, 'cal@example.com');
    // Two emails an hour: the registration's, and one more. The failed one must not count.
    world.configure({ EMAILS_PER_ADDRESS_PER_HOUR: '2' });
    world.mailbox.failWith({ status: 422, errorCode: 406, message: 'You tried to send to a recipient that has been marked as inactive.' });
    const failed = await new Browser().post('/api/auth/password/forgot', { email: 'cal@example.com' });
    const unknown = await new Browser().post('/api/auth/password/forgot', { email: 'nobody@example.com' });
    expect([failed.status, failed.text]).toEqual([unknown.status, unknown.text]);
    expect(failed.status).toBe(202);
    world.mailbox.failWith(null);
    const link = await resetLink('cal@example.com');
    expect((await messagesTo(world.mailbox, 'cal@example.com')).filter((m) => /reset/i.test(m.subject))).toHaveLength(1);
    expect(tokenOf(link)).toMatch(/\S{40,}/);
  });

  it('sends after answering where the platform allows it (waitUntil), for an account and not for an unknown address', async () => {
    await signedIn(world, 'dot@example.com');
    const pending: Promise<unknown>[] = [];
    world.configure({}, { afterAnswer: (work) => void pending.push(work) });
    const known = await new Browser().post('/api/auth/password/forgot', { email: 'dot@example.com' });
    expect(known.status).toBe(202);
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    expect((await messagesTo(world.mailbox, 'dot@example.com')).filter((m) => /reset/i.test(m.subject))).toHaveLength(1);
    const unknown = await new Browser().post('/api/auth/password/forgot', { email: 'nobody@example.com' });
    expect([unknown.status, unknown.text]).toEqual([known.status, known.text]);
    expect(pending).toHaveLength(1);
  });
});

describe('/api/auth/password/reset', () => {
  it('GET never spends the token; POST sets the password, revokes every session, and the token is single use', async () => {
    const one = await signedIn(world, 'deb@example.com');
    const two = new Browser('other-device');
    await two.post('/api/auth/login', { email: 'deb@example.com', password: PASSWORD });
    const link = await resetLink('deb@example.com');
    const page1 = await new Browser().get(link);
    const page2 = await new Browser().get(link);
    expect(page1.status).toBe(200);
    expect(page2.status).toBe(200);
    expect(page2.text).toContain(`minlength="${world.config.passwordMinLength}"`);
    const form = pageForm(page2.text);
    expect(form.action).toBe('/api/auth/password/reset');
    expect(page2.text).toMatch(/type="password" name="password"/);
    const posted = await one.call('POST', form.action, { form: { token: form.token, password: NEW_PASSWORD } });
    expect(posted.status).toBe(303);
    // Every session ends, the one of the browser that reset too: its cookies are cleared.
    expect(posted.setCookies.filter((c) => c.attributes.get('max-age') === '0').map((c) => c.name).sort()).toEqual(['access_token', 'refresh_token']);
    expect((await one.get('/api/auth/session')).status).toBe(401);
    expect(posted.headers.get('location')).toMatch(/^http:\/\/localhost:8888\//);
    // Every session revoked.
    expect(errorCode(await one.post('/api/auth/refresh'))).toBe('invalid_session');
    expect(errorCode(await two.post('/api/auth/refresh'))).toBe('invalid_session');
    // The old password fails, the new one works.
    expect(errorCode(await new Browser().post('/api/auth/login', { email: 'deb@example.com', password: PASSWORD }))).toBe('invalid_credentials');
    expect((await new Browser().post('/api/auth/login', { email: 'deb@example.com', password: NEW_PASSWORD })).status).toBe(200);
    // Single use.
    const again = await new Browser().post('/api/auth/password/reset', { token: form.token, password: 'yet another passphrase' });
    expect(again.status).toBe(400);
    // docs/API.md: a spent reset link is invalid_token (resets have no used_token).
    expect(errorCode(again)).toBe('invalid_token');
    expect((await new Browser().post('/api/auth/login', { email: 'deb@example.com', password: NEW_PASSWORD })).status).toBe(200);
  });

  it('a used or expired link says so on its page at once, with a button to ask for a new one; nothing is spent by looking', async () => {
    await signedIn(world, 'gus@example.com');
    const link = await resetLink('gus@example.com');
    expect((await new Browser().get(link)).text).toMatch(/type="password" name="password"/);
    expect((await new Browser().post('/api/auth/password/reset', { token: tokenOf(link), password: NEW_PASSWORD })).status).toBe(200);
    const used = await new Browser().get(link);
    expect([used.status, used.headers.get('content-type')]).toEqual([400, 'text/html; charset=utf-8']);
    expect(used.text).toContain('This link has already been used.');
    expect(used.text).not.toMatch(/type="password"/);
    expect(used.text).toContain('href="http://localhost:8888/#forgot-password">Send me a new reset link</a>');
    world.configure({ RESET_TOKEN_TTL_SECONDS: '60' });
    const expiring = await resetLink('gus@example.com');
    world.clock.advance(61);
    const expired = await new Browser().get(expiring);
    expect(expired.status).toBe(400);
    expect(expired.text).toContain('This link has expired.');
  });

  it("a form whose password is refused answers with a page in the site's style saying what to do, never JSON", async () => {
    await signedIn(world, 'hal@example.com');
    const link = await resetLink('hal@example.com');
    const form = pageForm((await new Browser().get(link)).text);
    // 40 × "é" is 80 bytes: more than bcrypt reads.
    for (
      const [password, says] of [
        ['é'.repeat(40), /Use at most 72 bytes; in a long passphrase, accented letters such as é count 2 bytes each\./],
        ['password', /too easy to guess/],
      ] as const
    ) {
      const page = await new Browser().call('POST', form.action, { form: { token: form.token, password } });
      expect([page.status, page.headers.get('content-type')]).toEqual([400, 'text/html; charset=utf-8']);
      expect(page.text).toMatch(says);
      expect(page.text).toContain('Choose another password');
      expect(page.text).toContain('<a href="http://localhost:8888/">Back to localhost:8888</a>');
      expect(page.text).not.toContain('{"error"');
    }
  });

  it('JSON POST answers 200', async () => {
    await signedIn(world, 'eda@example.com');
    const link = await resetLink('eda@example.com');
    const res = await new Browser().post('/api/auth/password/reset', { token: tokenOf(link), password: NEW_PASSWORD });
    expect(res.status).toBe(200);
  });

  it('answers 400 invalid_token, weak_password and expired_token', async () => {
    await signedIn(world, 'fin@example.com');
    const bad = await new Browser().post('/api/auth/password/reset', { token: 'x'.repeat(43), password: NEW_PASSWORD });
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe('invalid_token');
    // A verification token is no reset token.
    const verify = await latestLink(world.mailbox, 'fin@example.com', '/api/auth/verify');
    expect(errorCode(await new Browser().post('/api/auth/password/reset', { token: tokenOf(verify.link), password: NEW_PASSWORD }))).toBe('invalid_token');
    const link = await resetLink('fin@example.com');
    const weak = await new Browser().post('/api/auth/password/reset', { token: tokenOf(link), password: 'short' });
    expect(weak.status).toBe(400);
    expect(errorCode(weak)).toBe('weak_password');
    // A weak password spent nothing: the link still works.
    expect((await new Browser().post('/api/auth/password/reset', { token: tokenOf(link), password: NEW_PASSWORD })).status).toBe(200);
    world.configure({ RESET_TOKEN_TTL_SECONDS: '60' });
    const expiring = await resetLink('fin@example.com');
    world.clock.advance(61);
    const expired = await new Browser().post('/api/auth/password/reset', { token: tokenOf(expiring), password: 'other new passphrase' });
    expect(expired.status).toBe(400);
    expect(errorCode(expired)).toBe('expired_token');
  });
});

describe('POST /api/auth/password/change', () => {
  it('changes the password, keeps this session and revokes every other', async () => {
    const me = await signedIn(world, 'gia@example.com');
    const other = new Browser('other');
    await other.post('/api/auth/login', { email: 'gia@example.com', password: PASSWORD });
    const res = await me.post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect((await me.post('/api/auth/refresh')).status).toBe(200);
    expect(errorCode(await other.post('/api/auth/refresh'))).toBe('invalid_session');
    expect(errorCode(await new Browser().post('/api/auth/login', { email: 'gia@example.com', password: PASSWORD }))).toBe('invalid_credentials');
    expect((await new Browser().post('/api/auth/login', { email: 'gia@example.com', password: NEW_PASSWORD })).status).toBe(200);
  });

  it('answers 400 invalid_credentials for a wrong current password (not 401: the session is fine) and changes nothing', async () => {
    const me = await signedIn(world, 'han@example.com');
    const other = new Browser('other');
    await other.post('/api/auth/login', { email: 'han@example.com', password: PASSWORD });
    const res = await me.post('/api/auth/password/change', { currentPassword: 'not my password', newPassword: NEW_PASSWORD });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('invalid_credentials');
    expect((await other.post('/api/auth/refresh')).status).toBe(200);
    expect((await new Browser().post('/api/auth/login', { email: 'han@example.com', password: PASSWORD })).status).toBe(200);
  });

  it('counts wrong current passwords like failed logins: past the limit, 429 with Retry-After, even for the right one', async () => {
    world.configure({ LOGIN_MAX_FAILURES: '3' });
    const me = await signedIn(world, 'guess@example.com');
    for (let i = 0; i < 3; i++) {
      expect(errorCode(await me.post('/api/auth/password/change', { currentPassword: `guess ${i} wrong`, newPassword: NEW_PASSWORD }))).toBe(
        'invalid_credentials',
      );
    }
    const res = await me.post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(res.status).toBe(429);
    expect(errorCode(res)).toBe('rate_limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await new Browser().post('/api/auth/login', { email: 'guess@example.com', password: PASSWORD })).status).toBe(200);
  });

  it("answers 400 weak_password for a common password, with zxcvbn's advice", async () => {
    const b = await signedIn(world, 'ivy@example.com');
    const res = await b.post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: 'password' });
    expect([res.status, errorCode(res)]).toEqual([400, 'weak_password']);
    expect((res.body as { error: { message: string } }).error.message).toMatch(/too easy to guess\. This is a heavily used password\./);
    const strength = await b.post('/api/auth/password/strength', { password: 'password' });
    expect(strength.body).toEqual({ score: 0, ok: false, warning: 'This is a heavily used password.', suggestions: expect.any(Array) });
    expect((await b.post('/api/auth/password/strength', { password: PASSWORD })).body).toMatchObject({ score: 4, ok: true });
  });

  it('answers 400 weak_password for a too short new password', async () => {
    const me = await signedIn(world, 'ira@example.com');
    const res = await me.post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: 'short' });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('weak_password');
  });

  it('answers 401 unauthenticated without a session', async () => {
    const res = await new Browser().post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('unauthenticated');
  });
});
