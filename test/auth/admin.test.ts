/**
 * The admin API (/api/admin/*): refused to nobody, to non-admins and to admins from another
 * origin, endpoint by endpoint; search, view, disable and enable (no login by any path), sessions,
 * emailed links, roles and metadata, and delete, which leaves no document that refers to the
 * account (every collection is scanned).
 */

import faunadb from 'faunadb';
import { describe, expect, it } from 'vitest';
import { grantRole } from '../../shared/auth/roles.ts';
import {
  Browser,
  errorCode,
  everyDocument,
  latestLink,
  PASSWORD,
  signedIn,
  tokenOf,
  useAuthWorld,
  type Answer,
  type AuthWorld,
  accountIdOf,
  operationsOn,
} from './harness.ts';

const world = useAuthWorld();
const q = faunadb.query;
const EVIL = 'https://evil.example';

/** A signed-in admin whose token carries the role. */
async function anAdmin(email = 'root@example.com'): Promise<Browser> {
  const admin = await signedIn(world, email);
  await grantRole(operationsOn(world), { id: await accountIdOf(admin) }, 'admin');
  expect((await admin.post('/api/auth/refresh')).status).toBe(200);
  return admin;
}

interface Call {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly json?: unknown;
}

function call(browser: Browser, c: Call, origin?: string | null): Promise<Answer> {
  return browser.call(c.method, c.path, { json: c.json, ...(origin === undefined ? {} : { origin }) });
}

function everyEndpoint(id: string, sessionId: string, email: string): Call[] {
  const base = `/api/admin/accounts/${id}`;
  return [
    { method: 'GET', path: '/api/admin/accounts?q=a' },
    { method: 'GET', path: base },
    { method: 'DELETE', path: base, json: { email } },
    { method: 'POST', path: `${base}/disable` },
    { method: 'POST', path: `${base}/enable` },
    { method: 'DELETE', path: `${base}/sessions` },
    { method: 'DELETE', path: `${base}/sessions/${sessionId}` },
    { method: 'POST', path: `${base}/verification` },
    { method: 'POST', path: `${base}/password-reset` },
    { method: 'PUT', path: `${base}/roles`, json: { roles: ['admin'] } },
    { method: 'PUT', path: `${base}/app-metadata`, json: { appMetadata: { plan: 'pro' } } },
  ];
}

interface StoredEntry {
  readonly event: string;
  /** Absent when null (the engine keeps no null field). */
  readonly account?: faunadb.values.Ref;
  readonly actor: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

async function auditEvents(w: AuthWorld): Promise<StoredEntry[]> {
  const page = await w.db.client.query<{ data: { data: StoredEntry }[] }>(
    q.Map(q.Paginate(q.Documents(q.Collection('audit_events')), { size: 10_000 }), q.Lambda('r', q.Get(q.Var('r')))),
  );
  return page.data.map((d) => d.data);
}

async function sessionIdOf(browser: Browser): Promise<string> {
  return ((await browser.get('/api/auth/session')).body as { session: { id: string } }).session.id;
}

describe('who may call the admin API', () => {
  it('every endpoint: 401 to nobody, 403 forbidden to a non-admin, 403 cross_origin to an admin from another site; nothing changes', async () => {
    const admin = await anAdmin();
    const ann = await signedIn(world, 'ann@example.com');
    const annId = await accountIdOf(ann);
    const calls = everyEndpoint(annId, await sessionIdOf(ann), 'ann@example.com');
    const before = (await auditEvents(world)).length;
    for (const c of calls) {
      const label = `${c.method} ${c.path}`;
      const nobody = await call(new Browser(), c);
      expect([nobody.status, errorCode(nobody)], label).toEqual([401, 'unauthenticated']);
      const user = await call(ann, c);
      expect([user.status, errorCode(user)], label).toEqual([403, 'forbidden']);
      const crossSite = await call(admin, c, EVIL);
      expect([crossSite.status, errorCode(crossSite)], label).toEqual([403, 'cross_origin']);
    }
    expect((await auditEvents(world)).length).toBe(before);
    expect((await ann.get('/api/auth/user')).status).toBe(200);
  });

  it('a role taken away in the database is refused at once, though the token still carries it', async () => {
    const admin = await anAdmin();
    expect((await admin.get('/api/admin/accounts')).status).toBe(200);
    await world.db.client.query(q.Update(q.Ref(q.Collection('accounts'), await accountIdOf(admin)), { data: { roles: [] } }));
    const res = await admin.get('/api/admin/accounts');
    expect([res.status, errorCode(res)]).toEqual([403, 'forbidden']);
  });
});

interface Summary {
  id: string;
  email: string;
  emailVerified: boolean;
  disabled: boolean;
}

describe('search and view', () => {
  it('searches by address prefix, newest first, with the verified and disabled filters and a cursor; each call is audited', async () => {
    const admin = await anAdmin();
    for (const name of ['amy', 'abe', 'bob']) await signedIn(world, `${name}@example.com`);
    await new Browser().post('/api/auth/register', { email: 'ava@example.com', password: PASSWORD });
    const emails = async (query: string): Promise<string[]> => {
      const res = await admin.get(`/api/admin/accounts?${query}`);
      expect(res.status, res.text).toBe(200);
      return (res.body as { accounts: Summary[] }).accounts.map((a) => a.email);
    };
    expect(await emails('q=a')).toEqual(['ava@example.com', 'abe@example.com', 'amy@example.com']);
    expect(await emails('q=A&verified=true')).toEqual(['abe@example.com', 'amy@example.com']);
    expect(await emails('q=a&verified=false')).toEqual(['ava@example.com']);
    expect(await emails('q=amy@example.com')).toEqual(['amy@example.com']);
    expect(await emails('')).toEqual(['ava@example.com', 'bob@example.com', 'abe@example.com', 'amy@example.com', 'root@example.com']);
    const first = await admin.get('/api/admin/accounts?q=a&limit=2');
    const page1 = first.body as { accounts: Summary[]; next: string };
    expect(page1.accounts.map((a) => a.email)).toEqual(['ava@example.com', 'abe@example.com']);
    const page2 = (await admin.get(`/api/admin/accounts?q=a&limit=2&cursor=${page1.next}`)).body as { accounts: Summary[]; next: string | null };
    expect([page2.accounts.map((a) => a.email), page2.next]).toEqual([['amy@example.com'], null]);
    const amy = page2.accounts[0];
    await admin.post(`/api/admin/accounts/${amy.id}/disable`);
    expect(await emails('q=a&disabled=true')).toEqual(['amy@example.com']);
    expect(await emails('q=a&disabled=false')).toEqual(['ava@example.com', 'abe@example.com']);
    for (const bad of ['verified=yes', 'limit=0', 'limit=101', 'cursor=nonsense']) {
      expect((await admin.get(`/api/admin/accounts?${bad}`)).status, bad).toBe(400);
    }
    const searches = (await auditEvents(world)).filter((e) => e.event === 'admin_search');
    expect(searches.length).toBe(9);
    expect(searches.every((e) => e.actor === 'admin' && (e.account ?? null) === null)).toBe(true);
  });

  it('one account: profile, roles, metadata, live sessions and its newest audit entries; 404 for none', async () => {
    const admin = await anAdmin();
    const ann = await signedIn(world, 'ann@example.com');
    await ann.post('/api/auth/login', { email: 'ann@example.com', password: 'wrong password' });
    const id = await accountIdOf(ann);
    const res = await admin.get(`/api/admin/accounts/${id}`);
    expect(res.status, res.text).toBe(200);
    const body = res.body as {
      account: Record<string, unknown>;
      sessions: { id: string }[];
      activity: { event: string; ip: string; userAgent: string; actor: string }[];
    };
    expect(body.account).toMatchObject({ id, email: 'ann@example.com', emailVerified: true, disabled: false, roles: [], appMetadata: {}, userMetadata: {} });
    expect(body.sessions.map((s) => s.id)).toEqual([await sessionIdOf(ann)]);
    // This very view is audited first; a verification's first use is its login too (one transaction).
    expect(body.activity.map((a) => a.event)).toEqual(['admin_view', 'login_failed', 'login', 'verify', 'register']);
    expect(body.activity[1]).toMatchObject({ actor: 'self', ip: '192.0.2.10', userAgent: 'vitest-browser/1.0' });
    expect((await admin.get('/api/admin/accounts/999999')).status).toBe(404);
    expect((await admin.get('/api/admin/accounts/1')).status).toBe(404); // the timing account
    expect((await admin.get('/api/admin/accounts/not-an-id')).status).toBe(404);
  });
});

describe('disable and enable', () => {
  it('a disabled account logs in by no path (password, magic link, refresh) and its sessions end; enabled, it logs in again', async () => {
    const admin = await anAdmin();
    const ann = await signedIn(world, 'ann@example.com');
    const id = await accountIdOf(ann);
    const res = await admin.post(`/api/admin/accounts/${id}/disable`);
    expect([res.status, res.body]).toEqual([200, { status: 'disabled' }]);
    expect(errorCode(await ann.post('/api/auth/refresh'))).toBe('invalid_session');
    const login = await new Browser().post('/api/auth/login', { email: 'ann@example.com', password: PASSWORD });
    expect([login.status, errorCode(login)]).toEqual([403, 'account_disabled']);
    // A wrong password says nothing about the account being disabled.
    expect(errorCode(await new Browser().post('/api/auth/login', { email: 'ann@example.com', password: 'not it at all' }))).toBe('invalid_credentials');
    expect((await new Browser().post('/api/auth/magic', { email: 'ann@example.com' })).status).toBe(202);
    const { link } = await latestLink(world.mailbox, 'ann@example.com', '/api/auth/magic/login');
    const magic = await new Browser().post('/api/auth/magic/login', { token: tokenOf(link) });
    expect([magic.status, errorCode(magic)]).toEqual([403, 'account_disabled']);
    expect((await admin.post(`/api/admin/accounts/${id}/enable`)).body).toEqual({ status: 'enabled' });
    expect((await new Browser().post('/api/auth/login', { email: 'ann@example.com', password: PASSWORD })).status).toBe(200);
    // The link was not spent by the refusal.
    expect((await new Browser().post('/api/auth/magic/login', { token: tokenOf(link) })).status).toBe(200);
    const events = (await auditEvents(world)).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['account_disabled', 'account_enabled', 'magic_link_login']));
    expect(events.filter((e) => e === 'login_failed').length).toBe(2);
  });

  it('an admin cannot disable, delete or demote their own account (409 own_account)', async () => {
    const admin = await anAdmin();
    const me = await accountIdOf(admin);
    expect(errorCode(await admin.post(`/api/admin/accounts/${me}/disable`))).toBe('own_account');
    expect(errorCode(await admin.call('DELETE', `/api/admin/accounts/${me}`, { json: { email: 'root@example.com' } }))).toBe('own_account');
    expect(errorCode(await admin.call('PUT', `/api/admin/accounts/${me}/roles`, { json: { roles: [] } }))).toBe('own_account');
  });
});

describe('sessions, links, roles and metadata', () => {
  it('revokes one session (404 for another account’s), then all of them', async () => {
    const admin = await anAdmin();
    const ann = await signedIn(world, 'ann@example.com');
    const annToo = new Browser('second-browser');
    await annToo.post('/api/auth/login', { email: 'ann@example.com', password: PASSWORD });
    const id = await accountIdOf(ann);
    expect((await admin.call('DELETE', `/api/admin/accounts/${id}/sessions/${await sessionIdOf(admin)}`)).status).toBe(404);
    expect((await admin.call('DELETE', `/api/admin/accounts/${id}/sessions/${await sessionIdOf(ann)}`)).status).toBe(204);
    expect(errorCode(await ann.post('/api/auth/refresh'))).toBe('invalid_session');
    expect((await annToo.post('/api/auth/refresh')).status).toBe(200);
    expect((await admin.call('DELETE', `/api/admin/accounts/${id}/sessions`)).status).toBe(204);
    expect(errorCode(await annToo.post('/api/auth/refresh'))).toBe('invalid_session');
  });

  it('resends verification (409 once verified) and sends a reset link that works', async () => {
    const admin = await anAdmin();
    await new Browser().post('/api/auth/register', { email: 'ava@example.com', password: PASSWORD });
    const ava = ((await admin.get('/api/admin/accounts?q=ava')).body as { accounts: Summary[] }).accounts[0];
    const before = (await world.mailbox.messages()).length;
    expect((await admin.post(`/api/admin/accounts/${ava.id}/verification`)).status).toBe(202);
    expect((await world.mailbox.messages()).length).toBe(before + 1);
    const { link } = await latestLink(world.mailbox, 'ava@example.com', '/api/auth/verify');
    expect((await new Browser().post('/api/auth/verify', { token: tokenOf(link) })).status).toBe(200);
    expect(errorCode(await admin.post(`/api/admin/accounts/${ava.id}/verification`))).toBe('already_verified');
    expect((await admin.post(`/api/admin/accounts/${ava.id}/password-reset`)).status).toBe(202);
    const reset = await latestLink(world.mailbox, 'ava@example.com', '/api/auth/password/reset');
    expect((await new Browser().post('/api/auth/password/reset', { token: tokenOf(reset.link), password: 'a brand new password' })).status).toBe(200);
    expect((await new Browser().post('/api/auth/login', { email: 'ava@example.com', password: 'a brand new password' })).status).toBe(200);
  });

  it('sets roles (whole) and app metadata; bad input is 400', async () => {
    const admin = await anAdmin();
    const ann = await signedIn(world, 'ann@example.com');
    const id = await accountIdOf(ann);
    const roles = await admin.call('PUT', `/api/admin/accounts/${id}/roles`, { json: { roles: ['editor', 'editor', 'beta'] } });
    expect((roles.body as { user: { roles: string[] } }).user.roles).toEqual(['editor', 'beta']);
    const meta = await admin.call('PUT', `/api/admin/accounts/${id}/app-metadata`, { json: { appMetadata: { plan: 'pro' } } });
    expect((meta.body as { user: { appMetadata: unknown } }).user.appMetadata).toEqual({ plan: 'pro' });
    expect(errorCode(await admin.call('PUT', `/api/admin/accounts/${id}/roles`, { json: { roles: ['no spaces'] } }))).toBe('invalid_body');
    expect(errorCode(await admin.call('PUT', `/api/admin/accounts/${id}/roles`, { json: { roles: 'admin' } }))).toBe('invalid_body');
    expect(errorCode(await admin.call('PUT', `/api/admin/accounts/${id}/app-metadata`, { json: { appMetadata: [1] } }))).toBe('invalid_body');
    const changes = (await auditEvents(world)).filter((e) => e.event === 'role_change' || e.event === 'app_metadata_change');
    expect(changes.map((e) => e.actor)).toEqual(['system', 'admin', 'admin']);
  });
});

describe('delete', () => {
  it('asks for the address typed again (400 confirmation_mismatch, nothing deleted)', async () => {
    const admin = await anAdmin();
    const ann = await signedIn(world, 'ann@example.com');
    const id = await accountIdOf(ann);
    for (const email of [undefined, 'bob@example.com', 'not an address']) {
      const res = await admin.call('DELETE', `/api/admin/accounts/${id}`, { json: { email } });
      expect([res.status, errorCode(res)]).toEqual([400, 'confirmation_mismatch']);
    }
    expect((await ann.get('/api/auth/user')).status).toBe(200);
    expect((await auditEvents(world)).some((e) => e.event === 'account_deleted')).toBe(false);
  });

  it('leaves no document in any collection that refers to the account or holds its address', async () => {
    const admin = await anAdmin();
    const email = 'gone@example.com';
    // Before the account exists: a magic sign-up link for the address, and an invitation to it.
    await new Browser().post('/api/auth/magic', { email });
    expect((await admin.post('/api/admin/invitations', { email })).status).toBe(201);
    const gone = await signedIn(world, email);
    const id = await accountIdOf(gone);
    // As an admin, it invites someone: that invitation stays, without its sender.
    await grantRole(operationsOn(world), { id }, 'admin');
    expect((await gone.post('/api/auth/refresh')).status).toBe(200);
    expect((await gone.post('/api/admin/invitations', { email: 'friend@example.com' })).status).toBe(201);
    const ref = JSON.stringify(await world.db.client.query(q.Ref(q.Collection('accounts'), id)));
    // Everything an account gathers: notes (and the engine token behind db(req)), a second
    // session, failed logins from two IPs, a wrong current password, links, a refresh reuse.
    expect((await gone.post('/api/notes', { text: 'mine' })).status).toBe(201);
    for (const ip of ['192.0.2.1', '192.0.2.2']) await new Browser('x', ip).post('/api/auth/login', { email, password: 'wrong password' });
    await gone.post('/api/auth/password/change', { currentPassword: 'wrong password', newPassword: 'another password' });
    await new Browser().post('/api/auth/password/forgot', { email });
    const other = new Browser('other');
    await other.post('/api/auth/login', { email, password: PASSWORD });
    const spent = other.fork();
    await other.post('/api/auth/refresh');
    world.configure({ REFRESH_GRACE_SECONDS: '0' });
    await spent.post('/api/auth/refresh');
    await admin.get(`/api/admin/accounts/${id}`);
    const refersToIt = (doc: unknown): boolean => {
      const text = JSON.stringify(doc);
      return text.includes(ref) || text.toLowerCase().includes(email);
    };
    const before = (await everyDocument(world.db.adminClient)).filter(refersToIt);
    const collections = new Set(before.map((d) => (d as { ref: { value: { collection: { value: { id: string } } } } }).ref.value.collection.value.id));
    expect([...collections].sort()).toEqual([
      'accounts',
      'anomalies',
      'audit_events',
      'email_tokens',
      'invitations',
      'notes',
      'rate_events',
      'refresh_tokens',
      'sessions',
    ]);
    const res = await admin.call('DELETE', `/api/admin/accounts/${id}`, { json: { email: 'Gone@Example.com' } });
    expect(res.status, res.text).toBe(204);
    expect((await everyDocument(world.db.adminClient)).filter(refersToIt)).toEqual([]);
    const tokens = await world.db.adminClient.query<{ data: unknown[] }>(q.Paginate(q.Documents(q.Tokens())));
    expect(tokens.data).toEqual([]);
    expect((await admin.get(`/api/admin/accounts/${id}`)).status).toBe(404);
    const invitations = (await admin.get('/api/admin/invitations')).body as { invitations: { email: string; invitedBy: string | null }[] };
    expect(invitations.invitations.map((i) => [i.email, i.invitedBy])).toEqual([['friend@example.com', null]]);
    expect(errorCode(await new Browser().post('/api/auth/login', { email, password: PASSWORD }))).toBe('invalid_credentials');
    const deleted = (await auditEvents(world)).filter((e) => e.event === 'account_deleted');
    expect(deleted).toMatchObject([{ actor: 'admin', detail: { account_id: id } }]);
    expect(deleted[0].account ?? null).toBeNull();
  });
});
