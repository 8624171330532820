/**
 * The audit log: what each action writes, the user's own "Recent activity", retention through
 * the document ttl, no enumeration through failed logins, and the entry and its action as one
 * transaction (either failing takes the other with it).
 */

import faunadb from 'faunadb';
import { describe, expect, it } from 'vitest';
import { grantRole } from '../../shared/auth/roles.ts';
import { Browser, errorCode, latestLink, PASSWORD, signedIn, tokenOf, useAuthWorld, type AuthWorld, accountIdOf, operationsOn } from './harness.ts';

const world = useAuthWorld();
const q = faunadb.query;

interface Entry {
  readonly event: string;
  readonly actor: string;
  readonly ip: string;
  readonly userAgent: string;
  readonly session: string | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

async function activity(browser: Browser): Promise<Entry[]> {
  const res = await browser.get('/api/auth/activity');
  expect(res.status, res.text).toBe(200);
  return (res.body as { activity: Entry[] }).activity;
}

async function countEntries(w: AuthWorld): Promise<number> {
  return w.db.client.query<number>(q.Count(q.Documents(q.Collection('audit_events'))));
}

describe('what is recorded, and GET /api/auth/activity', () => {
  it('register, verify, login, a failed login, a password change, a logout and a reset, newest first, with IP, user agent and session', async () => {
    const ann = await signedIn(world, 'ann@example.com', new Browser('ann-laptop', '198.51.100.7'));
    await new Browser('guesser', '203.0.113.9').post('/api/auth/login', { email: 'ann@example.com', password: 'wrong guess' });
    expect((await ann.post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: 'a second password' })).status).toBe(200);
    const session = ((await ann.get('/api/auth/session')).body as { session: { id: string } }).session.id;
    const seen = await activity(ann);
    expect(seen.map((e) => e.event)).toEqual(['password_change', 'login_failed', 'login', 'verify', 'register']);
    expect(seen[0]).toMatchObject({ actor: 'self', ip: '198.51.100.7', userAgent: 'ann-laptop', device: 'ann-laptop', session });
    expect(seen[1]).toMatchObject({ actor: 'self', ip: '203.0.113.9', userAgent: 'guesser', session: null, detail: { reason: 'password' } });
    await new Browser().post('/api/auth/password/forgot', { email: 'ann@example.com' });
    const { link } = await latestLink(world.mailbox, 'ann@example.com', '/api/auth/password/reset');
    await new Browser().post('/api/auth/password/reset', { token: tokenOf(link), password: 'a third password' });
    const again = new Browser();
    await again.post('/api/auth/login', { email: 'ann@example.com', password: 'a third password' });
    await again.post('/api/auth/logout', { all: true });
    const other = new Browser();
    await other.post('/api/auth/login', { email: 'ann@example.com', password: 'a third password' });
    expect((await activity(other)).map((e) => e.event).slice(0, 4)).toEqual(['login', 'logout', 'login', 'password_reset']);
  });

  it('a refresh token reused after its grace period is recorded as the system’s, and a magic link’s use as the user’s', async () => {
    world.configure({ REFRESH_GRACE_SECONDS: '0' });
    const ann = await signedIn(world, 'ann@example.com');
    const stale = ann.fork();
    await ann.post('/api/auth/refresh');
    expect(errorCode(await stale.post('/api/auth/refresh'))).toBe('token_reuse');
    await new Browser().post('/api/auth/magic', { email: 'ann@example.com' });
    const { link } = await latestLink(world.mailbox, 'ann@example.com', '/api/auth/magic/login');
    const magic = new Browser();
    expect((await magic.post('/api/auth/magic/login', { token: tokenOf(link) })).status).toBe(200);
    const seen = await activity(magic);
    expect(seen.slice(0, 2).map((e) => [e.event, e.actor])).toEqual([['magic_link_login', 'self'], ['refresh_reuse', 'system']]);
  });

  it('needs a live session (401), and shows nobody else’s entries', async () => {
    expect((await new Browser().get('/api/auth/activity')).status).toBe(401);
    const ann = await signedIn(world, 'ann@example.com');
    await signedIn(world, 'bob@example.com');
    expect((await activity(ann)).every((e) => e.event !== 'register' || e.detail.method === 'password')).toBe(true);
    expect((await activity(ann)).length).toBe(3);
    const stale = ann.fork();
    await ann.post('/api/auth/logout', {});
    expect((await stale.get('/api/auth/activity')).status).toBe(401);
  });
});

describe('no enumeration through failed logins', () => {
  it('an unknown address and a known one with a wrong password: the same answer, and one entry each (no account on the first)', async () => {
    await signedIn(world, 'ann@example.com');
    const before = await countEntries(world);
    const known = await new Browser().post('/api/auth/login', { email: 'ann@example.com', password: 'wrong password' });
    const afterKnown = await countEntries(world);
    const unknown = await new Browser().post('/api/auth/login', { email: 'nobody@example.com', password: 'wrong password' });
    expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
    expect([afterKnown - before, (await countEntries(world)) - afterKnown]).toEqual([1, 1]);
    const entries = await world.db.client.query<{ data: { data: { account?: unknown; event: string } }[] }>(
      q.Map(q.Paginate(q.Documents(q.Collection('audit_events')), { size: 1000 }), q.Lambda('r', q.Get(q.Var('r')))),
    );
    const failures = entries.data.map((d) => d.data).filter((d) => d.event === 'login_failed');
    expect(failures.map((f) => f.account === undefined)).toEqual([false, true]);
    // Nothing of the address is kept on the entry with no account.
    expect(JSON.stringify(failures[1])).not.toContain('nobody@example.com');
  });
});

describe('failed logins', () => {
  it('each is one entry on its account with its reason; only a wrong password counts against the limits', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const annId = await accountIdOf(ann);
    expect((await new Browser().post('/api/auth/register', { email: 'cat@example.com', password: PASSWORD })).status).toBe(202);
    const loginAs = async (email: string, password: string): Promise<string | undefined> =>
      errorCode(await new Browser().post('/api/auth/login', { email, password }));
    expect(await loginAs('ann@example.com', 'wrong password')).toBe('invalid_credentials');
    expect(await loginAs('cat@example.com', PASSWORD)).toBe('email_not_verified');
    await world.db.client.query(q.Update(q.Ref(q.Collection('accounts'), annId), { data: { disabled: true } }));
    expect(await loginAs('ann@example.com', PASSWORD)).toBe('account_disabled');
    const entries = await world.db.client.query<{ data: { event: string; account: { id: string }; detail: { reason: string } }[] }>(
      q.Map(q.Paginate(q.Documents(q.Collection('audit_events')), { size: 1000 }), q.Lambda('r', q.Select('data', q.Get(q.Var('r'))))),
    );
    const failures = entries.data.filter((e) => e.event === 'login_failed');
    const catId = await world.db.client.query<string>(q.Select(['ref', 'id'], q.Get(q.Match(q.Index('accounts_by_email'), 'cat@example.com'))));
    expect(failures.map((e) => [e.account.id, e.detail.reason])).toEqual([
      [annId, 'password'],
      [catId, 'unverified'],
      [annId, 'disabled'],
    ]);
    const keys = await world.db.client.query<{ data: string[] }>(
      q.Map(q.Paginate(q.Documents(q.Collection('rate_events')), { size: 1000 }), q.Lambda('r', q.Select(['data', 'key'], q.Get(q.Var('r'))))),
    );
    expect(keys.data.filter((k) => k.startsWith('login_failure'))).toHaveLength(3);
  });
});

describe('retention', () => {
  it('each entry expires AUDIT_RETENTION_DAYS after it was written (its document ttl)', async () => {
    world.configure({ AUDIT_RETENTION_DAYS: '7' });
    await signedIn(world, 'ann@example.com');
    const docs = await world.db.client.query<{ data: { ttl: faunadb.values.FaunaTime; data: { at: faunadb.values.FaunaTime } }[] }>(
      q.Map(q.Paginate(q.Documents(q.Collection('audit_events'))), q.Lambda('r', q.Get(q.Var('r')))),
    );
    expect(docs.data.length).toBeGreaterThan(0);
    for (const doc of docs.data) {
      expect(doc.ttl.date.getTime() - doc.data.at.date.getTime()).toBe(7 * 86_400_000);
    }
  });
});

describe('the entry and its action are one transaction', () => {
  it('the action fails after its entry was written: neither remains (an admin disabling, with the engine-token index gone)', async () => {
    const admin = await signedIn(world, 'root@example.com');
    await grantRole(operationsOn(world), { id: await accountIdOf(admin) }, 'admin');
    await admin.post('/api/auth/refresh');
    const ann = await signedIn(world, 'ann@example.com');
    const annId = await accountIdOf(ann);
    const before = await countEntries(world);
    // Ending a session deletes its engine tokens through this index: the disable fails there,
    // after its audit entry (written first) and the account's update.
    await world.db.adminClient.query(q.Delete(q.Index('tokens_by_session')));
    const res = await admin.post(`/api/admin/accounts/${annId}/disable`);
    expect(res.status).toBe(500);
    expect(await countEntries(world)).toBe(before);
    const account = await world.db.client.query<{ data: { disabled?: boolean } }>(q.Get(q.Ref(q.Collection('accounts'), annId)));
    expect(account.data.disabled).toBeUndefined();
  });

  it('the entry cannot be written: the action does not happen (a login, with the audit collection gone)', async () => {
    await signedIn(world, 'ann@example.com');
    const sessions = (): Promise<number> => world.db.client.query<number>(q.Count(q.Documents(q.Collection('sessions'))));
    const before = await sessions();
    await world.db.adminClient.query(q.Delete(q.Collection('audit_events')));
    const res = await new Browser().post('/api/auth/login', { email: 'ann@example.com', password: PASSWORD });
    expect(res.status).toBe(500);
    expect(await sessions()).toBe(before);
  });
});
