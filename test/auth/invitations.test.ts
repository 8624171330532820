/**
 * Issue 18, item 4: invitations and REGISTRATION=invite, through the functions, against the
 * in-process engine and the local Postmark-compatible mailbox. Links are read from the emails and
 * followed as a person would (page, then its form). Expiry is tested at the real lifetime by
 * moving the engine's clock.
 */

import faunadb from 'faunadb';
import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../netlify/mailbox/server.ts';
import { runAdminCommand } from '../../scripts/admin.ts';
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
  tokenOf,
  useAuthWorld,
  type Answer,
} from './harness.ts';

const q = faunadb.query;
const world = useAuthWorld({ clock: true });

const INVITATIONS = '/api/admin/invitations';
const INVITATION = '/api/auth/invitation';
const BOSS = 'boss@example.com';

interface InvitationJson {
  readonly id: string;
  readonly email: string;
  readonly status: string;
  readonly invitedBy: string | null;
}

/** A logged-in admin (ADMIN_EMAILS grants the role when the session starts), then `env` on top. */
async function admin(env: Readonly<Record<string, string>> = {}): Promise<Browser> {
  world.configure({ ADMIN_EMAILS: BOSS });
  const boss = await signedIn(world, BOSS);
  world.configure({ ADMIN_EMAILS: BOSS, ...env });
  return boss;
}

async function invite(boss: Browser, email: string): Promise<InvitationJson> {
  const res = await boss.post(INVITATIONS, { email });
  if (res.status !== 201) throw new Error(`invite answered ${res.status}: ${res.text}`);
  return (res.body as { invitation: InvitationJson }).invitation;
}

function tagged(messages: readonly StoredMessage[], tag: string): StoredMessage[] {
  return messages.filter((m) => m.tag === tag);
}

/** The invitation email's link: the password page, or with via=link the passwordless one. */
async function invitationLink(email: string): Promise<string> {
  return (await latestLink(world.mailbox, email, INVITATION)).link;
}

/** Opens a link's page and submits its form with `fields`, as a browser does. */
async function submitPage(browser: Browser, link: string, fields: Record<string, string> = {}): Promise<Answer> {
  const page = await browser.get(link);
  if (page.status !== 200) throw new Error(`${link} answered ${page.status}: ${page.text}`);
  const form = pageForm(page.text);
  return browser.call('POST', form.action, { form: { token: form.token, ...fields } });
}

async function currentUser(browser: Browser): Promise<{ id: string; email: string; emailVerified: boolean; name: string | null }> {
  const res = await browser.get('/api/auth/user');
  if (res.status !== 200) throw new Error(`GET /api/auth/user answered ${res.status}: ${res.text}`);
  return (res.body as { user: { id: string; email: string; emailVerified: boolean; name: string | null } }).user;
}

function headerNames(res: Answer): string[] {
  const names: string[] = [];
  res.headers.forEach((_value, name) => names.push(name));
  return names.sort();
}

async function listed(boss: Browser): Promise<InvitationJson[]> {
  const res = await boss.get(INVITATIONS);
  expect(res.status).toBe(200);
  return (res.body as { invitations: InvitationJson[] }).invitations;
}

interface AuditRow {
  readonly event: string;
  /** Absent when null (the engine keeps no null field). */
  readonly account?: faunadb.values.Ref;
  readonly actor: string;
  readonly actor_account?: faunadb.values.Ref;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** The audit log's entries, oldest first. */
async function auditLog(): Promise<AuditRow[]> {
  const page = await world.db.client.query<{ data: { data: AuditRow }[] }>(
    q.Map(q.Paginate(q.Documents(q.Collection('audit_events')), { size: 10_000 }), q.Lambda('r', q.Get(q.Var('r')))),
  );
  return page.data.map((d) => d.data);
}

describe('an admin invites an address', () => {
  it('emails a link whose page sets a password: the invitee arrives verified and logged in, and the link works once', async () => {
    const boss = await admin();
    const sent = await invite(boss, 'Ann@Example.com');
    expect(sent).toMatchObject({ email: 'ann@example.com', status: 'pending' });
    const [message] = tagged(await messagesTo(world.mailbox, 'ann@example.com'), 'invitation');
    expect(message.subject).toContain('invited');
    const link = await invitationLink('ann@example.com');

    const page = await new Browser().get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('ann@example.com');
    expect(page.text).toContain('type="password"');
    // Opening the page spent nothing: it opens again.
    expect((await new Browser().get(link)).status).toBe(200);

    const ann = new Browser();
    const done = await submitPage(ann, link, { password: PASSWORD });
    expect([done.status, done.headers.get('location')]).toEqual([303, `${SITE}/`]);
    expect(await currentUser(ann)).toMatchObject({ email: 'ann@example.com', emailVerified: true });
    expect((await new Browser().post('/api/auth/login', { email: 'ann@example.com', password: PASSWORD })).status).toBe(200);
    expect((await listed(boss)).find((i) => i.id === sent.id)?.status).toBe('used');

    // Single use: the page says so, and a POST answers used_token.
    const again = await new Browser().get(link);
    expect(again.status).toBe(400);
    expect(again.text).toContain('already been used');
    expect(errorCode(await new Browser().post(INVITATION, { token: tokenOf(link), password: PASSWORD }))).toBe('used_token');
  });

  it('or, with via=link, makes a passwordless account that logs in by magic link, verified', async () => {
    const boss = await admin();
    await invite(boss, 'bea@example.com');
    const { message, link } = await latestLink(world.mailbox, 'bea@example.com', INVITATION);
    const viaLink = (message.textBody ?? '').match(/https?:\/\/\S+via=link/)?.[0];
    expect(viaLink).toBe(`${link}&via=link`);
    const bea = new Browser();
    const page = await bea.get(`${link}&via=link`);
    expect(page.text).not.toContain('type="password"');
    const done = await submitPage(bea, `${link}&via=link`, { name: 'Bea' });
    expect(done.status).toBe(303);
    expect(await currentUser(bea)).toMatchObject({ email: 'bea@example.com', emailVerified: true, name: 'Bea' });
    // No password: a login with any answers invalid_credentials; a magic link logs in.
    expect(errorCode(await new Browser().post('/api/auth/login', { email: 'bea@example.com', password: PASSWORD }))).toBe('invalid_credentials');
    await new Browser().post('/api/auth/magic', { email: 'bea@example.com' });
    expect(tagged(await messagesTo(world.mailbox, 'bea@example.com'), 'magic_login')).toHaveLength(1);
  });

  it('JSON: 201 {user} with a session; a weak password or a blank name is refused and spends nothing', async () => {
    const boss = await admin();
    await invite(boss, 'cy@example.com');
    const token = tokenOf(await invitationLink('cy@example.com'));
    expect(errorCode(await new Browser().post(INVITATION, { token, password: 'short' }))).toBe('weak_password');
    expect(errorCode(await new Browser().post(INVITATION, { token, name: '   ' }))).toBe('invalid_body');
    const cy = new Browser();
    const res = await cy.post(INVITATION, { token, password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ user: { email: 'cy@example.com', emailVerified: true } });
    expect(cy.jar.get('access_token')).toBeDefined();
  });

  it('expires after INVITATION_TTL_HOURS', async () => {
    const boss = await admin({ INVITATION_TTL_HOURS: '2' });
    const sent = await invite(boss, 'dee@example.com');
    const link = await invitationLink('dee@example.com');
    world.clock.advance(2 * 3600 - 60);
    expect((await new Browser().get(link)).status).toBe(200);
    world.clock.advance(120);
    const page = await new Browser().get(link);
    expect(page.status).toBe(400);
    expect(page.text).toContain('expired');
    expect(errorCode(await new Browser().post(INVITATION, { token: tokenOf(link), password: PASSWORD }))).toBe('expired_token');
    expect((await listed(boss)).find((i) => i.id === sent.id)?.status).toBe('expired');
  });

  it('tells the admin, and only the admin, that an address already has an account: 409, and no email', async () => {
    const boss = await admin();
    await signedIn(world, 'eve@example.com');
    const before = (await messagesTo(world.mailbox, 'eve@example.com')).length;
    const res = await boss.post(INVITATIONS, { email: 'EVE@example.com' });
    expect([res.status, errorCode(res)]).toEqual([409, 'account_exists']);
    expect(await messagesTo(world.mailbox, 'eve@example.com')).toHaveLength(before);
    expect(await listed(boss)).toEqual([]);
  });

  it('a new invitation replaces the old one; a revoked one stops working; both show in the list, newest first', async () => {
    const boss = await admin();
    const first = await invite(boss, 'fay@example.com');
    const oldLink = await invitationLink('fay@example.com');
    const second = await invite(boss, 'fay@example.com');
    expect(errorCode(await new Browser().post(INVITATION, { token: tokenOf(oldLink), password: PASSWORD }))).toBe('invalid_token');
    const list = await listed(boss);
    expect(list.map((i) => [i.id, i.status])).toEqual([
      [second.id, 'pending'],
      [first.id, 'revoked'],
    ]);
    const revoked = await boss.delete(`${INVITATIONS}/${second.id}`);
    expect([revoked.status, (revoked.body as { invitation: InvitationJson }).invitation.status]).toEqual([200, 'revoked']);
    const newLink = await invitationLink('fay@example.com');
    expect(newLink).not.toBe(oldLink);
    expect(errorCode(await new Browser().post(INVITATION, { token: tokenOf(newLink), password: PASSWORD }))).toBe('invalid_token');
    expect(errorCode(await boss.delete(`${INVITATIONS}/999999`))).toBe('not_found');
    expect(errorCode(await boss.delete(`${INVITATIONS}/not-an-id`))).toBe('not_found');
  });

  it('stores only the hash of the link: no invitation secret is in the database', async () => {
    const boss = await admin();
    await invite(boss, 'gil@example.com');
    const token = tokenOf(await invitationLink('gil@example.com'));
    const dump = JSON.stringify(await everyDocument(world.db.adminClient));
    expect(dump).not.toContain(token);
    expect(dump).toContain(sha256(token));
  });

  it('a failed email answers 502 email_failed and keeps no invitation', async () => {
    const boss = await admin();
    world.mailbox.failWith({ status: 500, errorCode: 701, message: 'down' });
    expect(errorCode(await boss.post(INVITATIONS, { email: 'hal@example.com' }))).toBe('email_failed');
    world.mailbox.failWith(null);
    expect(await listed(boss)).toEqual([]);
  });

  it('is refused to non-admins (403), to nobody (401), from another origin (403), and to an admin whose role was taken away since', async () => {
    const boss = await admin();
    const ann = await signedIn(world, 'ann@example.com');
    for (
      const [browser, code] of [
        [ann, 'forbidden'],
        [new Browser(), 'unauthenticated'],
      ] as const
    ) {
      expect(errorCode(await browser.post(INVITATIONS, { email: 'x@example.com' }))).toBe(code);
      expect(errorCode(await browser.get(INVITATIONS))).toBe(code);
      expect(errorCode(await browser.delete(`${INVITATIONS}/1`))).toBe(code);
    }
    expect(errorCode(await boss.post(INVITATIONS, { email: 'x@example.com' }, { origin: 'https://evil.example' }))).toBe('cross_origin');
    expect(errorCode(await boss.delete(`${INVITATIONS}/1`, { origin: 'https://evil.example' }))).toBe('cross_origin');
    // A listing writes its audit entry: a read from another origin is refused like a write.
    expect(errorCode(await boss.get(INVITATIONS, { origin: 'https://evil.example' }))).toBe('cross_origin');
    // The token still says admin; the database no longer does.
    const { id } = ((await boss.get('/api/auth/session')).body as { user: { id: string } }).user;
    await world.db.client.query(q.Update(q.Ref(q.Collection('accounts'), id), { data: { roles: [] } }));
    expect(errorCode(await boss.post(INVITATIONS, { email: 'x@example.com' }))).toBe('forbidden');
    expect(await messagesTo(world.mailbox, 'x@example.com')).toEqual([]);
  });
});

describe('npm run admin -- invite', () => {
  it('invites from the command line, through the configured mailer; an address with an account is refused', async () => {
    await signedIn(world, 'old@example.com');
    const run = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
      const out: string[] = [];
      const err: string[] = [];
      const env = { FQL_AUTH_DEV: '1', POSTMARK_API_URL: world.mailbox.url, URL: SITE };
      const code = await runAdminCommand(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) }, world.db.client);
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    expect(await run('invite', 'New@Example.com')).toMatchObject({ code: 0, out: expect.stringContaining('invited new@example.com') });
    const person = new Browser();
    expect((await submitPage(person, await invitationLink('new@example.com'), { password: PASSWORD })).status).toBe(303);
    expect(await currentUser(person)).toMatchObject({ email: 'new@example.com', emailVerified: true });
    expect(await run('invite', 'old@example.com')).toMatchObject({ code: 1, err: expect.stringContaining('already exists') });
  });
});

describe('REGISTRATION=invite', () => {
  it('register refuses every address alike (invited by someone else, uninvited, or with an account): 403 invitation_required', async () => {
    const boss = await admin();
    await signedIn(world, 'old@example.com');
    await invite(boss, 'invited@example.com');
    world.configure({ ADMIN_EMAILS: BOSS, REGISTRATION: 'invite' });
    const answers: Answer[] = [];
    for (const email of ['invited@example.com', 'stranger@example.com', 'old@example.com']) {
      answers.push(await new Browser().post('/api/auth/register', { email, password: PASSWORD }));
    }
    for (const res of answers) {
      expect([res.status, errorCode(res)]).toEqual([403, 'invitation_required']);
      expect(res.text).toBe(answers[0].text);
      expect(headerNames(res)).toEqual(headerNames(answers[0]));
    }
    expect(tagged(await messagesTo(world.mailbox, 'stranger@example.com'), 'verify')).toEqual([]);
    expect(tagged(await messagesTo(world.mailbox, 'invited@example.com'), 'verify')).toEqual([]);
  });

  it('magic: the same answer for an invited address and any other; only the invited one gets a sign-up link, which spends the invitation', async () => {
    const boss = await admin({ REGISTRATION: 'invite' });
    const sent = await invite(boss, 'invited@example.com');
    const invited = await new Browser().post('/api/auth/magic', { email: 'invited@example.com' });
    const stranger = await new Browser().post('/api/auth/magic', { email: 'stranger@example.com' });
    expect([invited.status, invited.text]).toEqual([stranger.status, stranger.text]);
    expect(invited.body).toEqual({ status: 'link_sent' });

    const refusal = tagged(await messagesTo(world.mailbox, 'stranger@example.com'), 'invitation_only');
    expect(refusal).toHaveLength(1);
    expect(refusal[0].textBody).toContain('invitation only');
    expect(tagged(await messagesTo(world.mailbox, 'stranger@example.com'), 'magic_signup')).toEqual([]);

    const { link } = await latestLink(world.mailbox, 'invited@example.com', '/api/auth/magic/signup');
    const person = new Browser();
    expect((await submitPage(person, link, { name: 'Ivy' })).status).toBe(303);
    expect(await currentUser(person)).toMatchObject({ email: 'invited@example.com', emailVerified: true, name: 'Ivy' });
    expect((await listed(boss)).find((i) => i.id === sent.id)?.status).toBe('used');
  });

  it('magic sign-up needs the invitation to be live when the link is used: revoked since, 403 invitation_required', async () => {
    const boss = await admin({ REGISTRATION: 'invite' });
    const sent = await invite(boss, 'jo@example.com');
    await new Browser().post('/api/auth/magic', { email: 'jo@example.com' });
    const { link } = await latestLink(world.mailbox, 'jo@example.com', '/api/auth/magic/signup');
    await boss.delete(`${INVITATIONS}/${sent.id}`);
    expect(errorCode(await new Browser().post('/api/auth/magic/signup', { token: tokenOf(link), name: 'Jo' }))).toBe('invitation_required');
    const accounts = await world.db.client.query<boolean>(q.Exists(q.Match(q.Index('accounts_by_email'), 'jo@example.com')));
    expect(accounts).toBe(false);
  });

  it('an expired invitation lets no sign-up link out', async () => {
    const boss = await admin({ REGISTRATION: 'invite', INVITATION_TTL_HOURS: '1' });
    await invite(boss, 'kim@example.com');
    world.clock.advance(3601);
    await new Browser().post('/api/auth/magic', { email: 'kim@example.com' });
    expect(tagged(await messagesTo(world.mailbox, 'kim@example.com'), 'magic_signup')).toEqual([]);
    expect(tagged(await messagesTo(world.mailbox, 'kim@example.com'), 'invitation_only')).toHaveLength(1);
  });

  it('existing accounts still log in by password and by magic link', async () => {
    world.configure({ REGISTRATION: 'open' });
    await signedIn(world, 'lee@example.com');
    world.configure({ REGISTRATION: 'invite' });
    expect((await new Browser().post('/api/auth/login', { email: 'lee@example.com', password: PASSWORD })).status).toBe(200);
    await new Browser().post('/api/auth/magic', { email: 'lee@example.com' });
    expect(tagged(await messagesTo(world.mailbox, 'lee@example.com'), 'magic_login')).toHaveLength(1);
  });
});

describe('the audit log of invitations', () => {
  it("an invitation sent, listed and revoked is the admin's entry; one accepted is register, invitation_accepted and login on the new account", async () => {
    const boss = await admin();
    const bossId = (await currentUser(boss)).id;
    const revoked = await invite(boss, 'rex@example.com');
    expect((await boss.call('DELETE', `${INVITATIONS}/${revoked.id}`)).status).toBe(200);
    await listed(boss);
    const sent = await invite(boss, 'ann@example.com');
    const adminEntries = (await auditLog()).filter((e) => e.event.startsWith('invitation') && e.actor === 'admin');
    expect(adminEntries.map((e) => [e.event, e.actor_account?.id, e.account ?? null, e.detail.invitation ?? null])).toEqual([
      ['invitation_sent', bossId, null, revoked.id],
      ['invitation_revoked', bossId, null, revoked.id],
      ['invitations_listed', bossId, null, null],
      ['invitation_sent', bossId, null, sent.id],
    ]);
    // Revoking it again changes nothing, and writes nothing.
    await boss.call('DELETE', `${INVITATIONS}/${revoked.id}`);
    expect((await auditLog()).filter((e) => e.event === 'invitation_revoked')).toHaveLength(1);

    const ann = new Browser();
    expect((await submitPage(ann, await invitationLink('ann@example.com'), { password: PASSWORD })).status).toBe(303);
    const annId = (await currentUser(ann)).id;
    const annEntries = (await auditLog()).filter((e) => e.account?.id === annId);
    expect(annEntries.map((e) => [e.event, e.actor, e.detail])).toEqual([
      ['register', 'self', { method: 'invitation' }],
      ['invitation_accepted', 'self', { invitation: sent.id }],
      ['login', 'self', { method: 'invitation' }],
    ]);
  });

  it("a magic sign-up that spends an invitation says so; the command line's invitation is the system's", async () => {
    await admin({ REGISTRATION: 'invite' });
    const env = { FQL_AUTH_DEV: '1', POSTMARK_API_URL: world.mailbox.url, URL: SITE };
    expect(await runAdminCommand(['invite', 'cli@example.com'], env, { out: () => {}, err: () => {} }, world.db.client)).toBe(0);
    expect((await auditLog()).filter((e) => e.event === 'invitation_sent').map((e) => [e.actor, e.actor_account ?? null])).toEqual([['system', null]]);
    await new Browser().post('/api/auth/magic', { email: 'cli@example.com' });
    const { link } = await latestLink(world.mailbox, 'cli@example.com', '/api/auth/magic/signup');
    const cli = new Browser();
    expect((await submitPage(cli, link, { name: 'Cli' })).status).toBe(303);
    const id = (await currentUser(cli)).id;
    expect((await auditLog()).filter((e) => e.account?.id === id).map((e) => e.event)).toEqual(['invitation_accepted', 'register']);
  });
});
