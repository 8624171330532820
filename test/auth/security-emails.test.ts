/**
 * Issue 18, item 5: security emails to the account's owner, each with a "this wasn't me" link
 * that ends every session and leads to a new password. Through the functions, against the
 * in-process engine and the local Postmark-compatible mailbox; links are followed as a person
 * (or a mail scanner) would.
 */

import faunadb from 'faunadb';
import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../netlify/mailbox/server.ts';
import { deviceOf } from '../../shared/auth/device.ts';
import { sha256 } from '../../shared/tokens.ts';
import {
  Browser,
  PASSWORD,
  SITE,
  errorCode,
  everyDocument,
  latestLink,
  messagesTo,
  pageForm,
  signedIn,
  sleep,
  tokenOf,
  useAuthWorld,
  type Answer,
} from './harness.ts';

const q = faunadb.query;
const world = useAuthWorld();

const SECURE = '/api/auth/secure-account';
const NEW_PASSWORD = 'a different long passphrase';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CHROME_WINDOWS_NEWER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36';

async function notices(email: string, kind: string): Promise<StoredMessage[]> {
  return (await messagesTo(world.mailbox, email)).filter((m) => m.tag === kind);
}

/** The "this wasn't me" link of the newest email of `kind` to `email`. */
async function secureLink(email: string, kind: string): Promise<string> {
  const [message] = await notices(email, kind);
  if (message === undefined) throw new Error(`no ${kind} email to ${email}`);
  const link = (message.textBody ?? '').match(/https?:\/\/\S+\/api\/auth\/secure-account\?token=\S+/)?.[0];
  if (link === undefined) throw new Error(`the ${kind} email has no secure-account link`);
  return link;
}

/** Presses "this wasn't me" as a person does: the page, then its button. */
async function secureAccount(link: string, browser = new Browser()): Promise<Answer> {
  const page = await browser.get(link);
  if (page.status !== 200) throw new Error(`the secure-account page answered ${page.status}: ${page.text}`);
  const form = pageForm(page.text);
  return browser.call('POST', form.action, { form: { token: form.token } });
}

async function login(email: string, password = PASSWORD, userAgent = 'vitest-browser/1.0'): Promise<Answer> {
  return new Browser(userAgent).post('/api/auth/login', { email, password });
}

/**
 * What "this wasn't me" must leave: every session ended (the given browsers cannot refresh), the
 * password gone, and the answer a 303 to a reset page that sets a new one, after which the owner
 * logs in with it.
 */
async function expectSecured(email: string, link: string, sessions: readonly Browser[]): Promise<void> {
  // A mail scanner opening the link spends nothing.
  expect((await new Browser().get(link)).status).toBe(200);
  const secured = await secureAccount(link);
  expect(secured.status).toBe(303);
  const resetUrl = secured.headers.get('location') ?? '';
  expect(resetUrl).toMatch(new RegExp(`^${SITE}/api/auth/password/reset\\?token=[^&]+&secured=1$`));
  for (const browser of sessions) {
    expect(errorCode(await browser.post('/api/auth/refresh'))).toBe('invalid_session');
    expect(errorCode(await browser.get('/api/auth/sessions'))).toBe('unauthenticated');
  }
  expect(errorCode(await login(email))).toBe('invalid_credentials');
  expect(errorCode(await login(email, NEW_PASSWORD))).toBe('invalid_credentials');
  // Single use.
  const again = await new Browser().get(link);
  expect([again.status, again.text.includes('already been used')]).toEqual([400, true]);

  const resetPage = await new Browser().get(resetUrl);
  expect(resetPage.text).toContain('logged out and its password removed');
  const form = pageForm(resetPage.text);
  const reset = await new Browser().call('POST', form.action, { form: { token: form.token, password: NEW_PASSWORD } });
  expect(reset.status).toBe(303);
  expect((await login(email, NEW_PASSWORD)).status).toBe(200);
}

describe('security emails', () => {
  it('password change: the owner is told, and "this wasn\'t me" ends every session and leads to a new password', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const other = new Browser();
    expect((await other.post('/api/auth/login', { email: 'ann@example.com', password: PASSWORD })).status).toBe(200);
    const change = await ann.post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: 'the thief chose this one' });
    expect(change.status).toBe(200);
    const [message] = await notices('ann@example.com', 'notice_password_changed');
    expect(message.subject).toContain('password was changed');
    await expectSecured('ann@example.com', await secureLink('ann@example.com', 'notice_password_changed'), [ann, other]);
    // Setting the new password was itself a reset, and said so.
    expect(await notices('ann@example.com', 'notice_password_reset')).toHaveLength(1);
  });

  it('"this wasn\'t me" is the account\'s own audit entry, in its transaction: a used link writes none', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    expect((await ann.post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: 'the thief chose this one' })).status).toBe(200);
    const link = await secureLink('ann@example.com', 'notice_password_changed');
    const entries = async (): Promise<{ actor: string; account: faunadb.values.Ref }[]> =>
      (
        await world.db.client.query<{ data: { data: { event: string; actor: string; account: faunadb.values.Ref } }[] }>(
          q.Map(q.Paginate(q.Documents(q.Collection('audit_events')), { size: 10_000 }), q.Lambda('r', q.Get(q.Var('r')))),
        )
      ).data.map((d) => d.data).filter((e) => e.event === 'secure_account');
    expect(await entries()).toEqual([]);
    expect((await secureAccount(link)).status).toBe(303);
    const { id } = await world.db.client.query<faunadb.values.Ref>(q.Select('ref', q.Get(q.Match(q.Index('accounts_by_email'), 'ann@example.com'))));
    expect((await entries()).map((e) => [e.actor, e.account.id])).toEqual([['self', id]]);
    expect(errorCode(await new Browser().post(SECURE, { token: tokenOf(link) }))).toBe('used_token');
    expect(await entries()).toHaveLength(1);
  });

  it('password reset: the owner is told, with the same way out', async () => {
    await signedIn(world, 'bob@example.com');
    await new Browser().post('/api/auth/password/forgot', { email: 'bob@example.com' });
    const { link } = await latestLink(world.mailbox, 'bob@example.com', '/api/auth/password/reset');
    expect((await new Browser().post('/api/auth/password/reset', { token: tokenOf(link), password: 'the thief chose this one' })).status).toBe(200);
    const thief = new Browser();
    expect((await thief.post('/api/auth/login', { email: 'bob@example.com', password: 'the thief chose this one' })).status).toBe(200);
    await expectSecured('bob@example.com', await secureLink('bob@example.com', 'notice_password_reset'), [thief]);
  });

  it('email verified: told once, at the first verification only', async () => {
    const cy = await signedIn(world, 'cy@example.com');
    expect(await notices('cy@example.com', 'notice_email_verified')).toHaveLength(1);
    // The link used again only confirms again: no second notice.
    const { link } = await latestLink(world.mailbox, 'cy@example.com', '/api/auth/verify');
    expect((await new Browser().post('/api/auth/verify', { token: tokenOf(link) })).status).toBe(200);
    expect(await notices('cy@example.com', 'notice_email_verified')).toHaveLength(1);
    await expectSecured('cy@example.com', await secureLink('cy@example.com', 'notice_email_verified'), [cy]);
  });

  it('refresh-token reuse: the owner is told, and can end the other sessions too', async () => {
    world.configure({ REFRESH_GRACE_SECONDS: '0' });
    const dee = await signedIn(world, 'dee@example.com');
    const laptop = new Browser();
    expect((await laptop.post('/api/auth/login', { email: 'dee@example.com', password: PASSWORD })).status).toBe(200);
    const copy = dee.fork();
    expect((await dee.post('/api/auth/refresh')).status).toBe(200);
    await sleep(5);
    expect(errorCode(await copy.post('/api/auth/refresh'))).toBe('token_reuse');
    const [message] = await notices('dee@example.com', 'notice_token_reuse');
    expect(message.textBody).toContain('already been used');
    // The reuse ended one session; "this wasn't me" ends the laptop's as well.
    await expectSecured('dee@example.com', await secureLink('dee@example.com', 'notice_token_reuse'), [laptop]);
  });

  it('a login from a new browser and system: told, naming it; not for the browser that registered, nor for a new version of a known one', async () => {
    await signedIn(world, 'eve@example.com', new Browser(CHROME_WINDOWS));
    expect((await login('eve@example.com', PASSWORD, CHROME_WINDOWS)).status).toBe(200);
    expect((await login('eve@example.com', PASSWORD, CHROME_WINDOWS_NEWER)).status).toBe(200);
    expect(await notices('eve@example.com', 'notice_new_device')).toEqual([]);

    const thief = new Browser(FIREFOX_LINUX);
    expect((await thief.post('/api/auth/login', { email: 'eve@example.com', password: PASSWORD })).status).toBe(200);
    const told = await notices('eve@example.com', 'notice_new_device');
    expect(told).toHaveLength(1);
    expect(told[0].textBody).toContain('Firefox on Linux');
    // Seen now: a second login from it tells nothing.
    expect((await login('eve@example.com', PASSWORD, FIREFOX_LINUX)).status).toBe(200);
    expect(await notices('eve@example.com', 'notice_new_device')).toHaveLength(1);
    await expectSecured('eve@example.com', await secureLink('eve@example.com', 'notice_new_device'), [thief]);
  });

  it('new device: the first login of an account with no device seen yet tells nothing; a magic login from a new one does', async () => {
    await signedIn(world, 'fay@example.com');
    // As an account made before devices were kept: none seen.
    const ref = await world.db.client.query<faunadb.values.Ref>(q.Select('ref', q.Get(q.Match(q.Index('accounts_by_email'), 'fay@example.com'))));
    await world.db.client.query(q.Update(ref, { data: { seen_devices: null } }));
    expect((await login('fay@example.com', PASSWORD, FIREFOX_LINUX)).status).toBe(200);
    expect(await notices('fay@example.com', 'notice_new_device')).toEqual([]);

    await new Browser().post('/api/auth/magic', { email: 'fay@example.com' });
    const { link } = await latestLink(world.mailbox, 'fay@example.com', '/api/auth/magic/login');
    expect((await new Browser(CHROME_WINDOWS).post('/api/auth/magic/login', { token: tokenOf(link) })).status).toBe(200);
    const told = await notices('fay@example.com', 'notice_new_device');
    expect(told).toHaveLength(1);
    expect(told[0].textBody).toContain('Chrome on Windows');
    // Only hashes of devices are kept.
    const kept = await world.db.client.query<string[]>(q.Select(['data', 'seen_devices'], q.Get(ref)));
    expect(kept).toEqual([deviceOf(CHROME_WINDOWS).fingerprint, deviceOf(FIREFOX_LINUX).fingerprint]);
  });

  it('a failed send neither fails nor undoes the action; the link is stored only as a hash', async () => {
    const gil = await signedIn(world, 'gil@example.com');
    world.mailbox.failWith({ status: 500, errorCode: 701, message: 'down' });
    const change = await gil.post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    world.mailbox.failWith(null);
    expect(change.status).toBe(200);
    expect((await login('gil@example.com', NEW_PASSWORD)).status).toBe(200);

    await gil.post('/api/auth/password/change', { currentPassword: NEW_PASSWORD, newPassword: PASSWORD });
    const token = tokenOf(await secureLink('gil@example.com', 'notice_password_changed'));
    const dump = JSON.stringify(await everyDocument(world.db.adminClient));
    expect(dump).not.toContain(token);
    expect(dump).toContain(sha256(token));
  });

  it('the link page refuses a missing or unknown token with a page; JSON gets the error codes', async () => {
    expect((await new Browser().get(SECURE)).status).toBe(400);
    const unknown = await new Browser().get(`${SECURE}?token=nope`);
    expect([unknown.status, unknown.headers.get('content-type')]).toEqual([400, 'text/html; charset=utf-8']);
    expect(errorCode(await new Browser().post(SECURE, { token: 'nope' }))).toBe('invalid_token');
    expect(errorCode(await new Browser().post(SECURE, {}))).toBe('invalid_body');
    // A reset link is not a secure-account link.
    await signedIn(world, 'hal@example.com');
    await new Browser().post('/api/auth/password/forgot', { email: 'hal@example.com' });
    const { link } = await latestLink(world.mailbox, 'hal@example.com', '/api/auth/password/reset');
    expect(errorCode(await new Browser().post(SECURE, { token: tokenOf(link) }))).toBe('invalid_token');
    // JSON answers with the reset link to follow.
    const res = await new Browser().post(SECURE, { token: tokenOf(await secureLink('hal@example.com', 'notice_email_verified')) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'account_secured', resetUrl: expect.stringContaining('/api/auth/password/reset?token=') });
  });
});
