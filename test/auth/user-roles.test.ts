/**
 * Roles and metadata: GET/PATCH /api/auth/user, requireFreshSession, a role change (next refresh
 * for the token, at once for the database), ADMIN_EMAILS, `npm run admin`, the admin-only page
 * and GET /api/auth/refresh/continue.
 */

import { describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../scripts/admin.ts';
import { grantRole, revokeRole, setAppMetadata } from '../../shared/auth/roles.ts';
import { endpoint } from '../../shared/endpoint.ts';
import { json } from '../../shared/http.ts';
import { requireFreshSession } from '../../shared/user/index.ts';
import { Browser, errorCode, PASSWORD, signedIn, SITE, useAuthWorld, accountIdOf, operationsOn } from './harness.ts';

const world = useAuthWorld();

async function tokenRoles(browser: Browser): Promise<string[]> {
  return ((await browser.get('/api/auth/session')).body as { user: { roles: string[] } }).user.roles;
}

/** A site function that needs a fresh session, as a developer would write one. */
const sensitive = endpoint({ POST: async (req, ctx) => json(200, { roles: (await requireFreshSession(req, ctx)).roles }) });

function callSensitive(browser: Browser): Promise<Response> {
  const cookie = `access_token=${browser.jar.get('access_token')}`;
  return sensitive.withContext(world.contexts)(new Request(`${SITE}/api/sensitive`, { method: 'POST', headers: { cookie, origin: SITE } }), {} as never);
}

describe('GET and PATCH /api/auth/user', () => {
  it('GET: the account as the database has it, with roles and both metadata objects', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const res = await ann.get('/api/auth/user');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      user: { id: expect.any(String), email: 'ann@example.com', emailVerified: true, name: null, roles: [], appMetadata: {}, userMetadata: {} },
    });
  });

  it('PATCH replaces the user’s own metadata; app metadata and roles are not theirs to set', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const first = await ann.patch('/api/auth/user', { userMetadata: { theme: 'dark', langs: ['en', 'fr'], nested: { a: 1 } } });
    expect(first.status, first.text).toBe(200);
    const second = await ann.patch('/api/auth/user', { userMetadata: { theme: 'light' }, appMetadata: { plan: 'pro' }, roles: ['admin'] });
    expect((second.body as { user: unknown }).user).toMatchObject({ userMetadata: { theme: 'light' }, appMetadata: {}, roles: [] });
    expect(((await ann.get('/api/auth/user')).body as { user: { userMetadata: unknown } }).user.userMetadata).toEqual({ theme: 'light' });
  });

  it('PATCH refuses what is not a small JSON object (400), a cross-site write (403), nobody (401) and an ended session (401)', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    for (const userMetadata of [undefined, [1], 'x', { '@ref': 1 }, { big: 'x'.repeat(5000) }]) {
      expect(errorCode(await ann.patch('/api/auth/user', { userMetadata }))).toBe('invalid_body');
    }
    expect(errorCode(await ann.patch('/api/auth/user', { userMetadata: {} }, { origin: 'https://evil.example' }))).toBe('cross_origin');
    expect((await new Browser().patch('/api/auth/user', { userMetadata: {} })).status).toBe(401);
    const stale = ann.fork();
    await ann.post('/api/auth/logout', {});
    const res = await stale.patch('/api/auth/user', { userMetadata: { after: 'logout' } });
    expect([res.status, errorCode(res)]).toEqual([401, 'unauthenticated']);
  });
});

describe('roles', () => {
  it('a role granted shows at once to requireFreshSession and GET /user, and in the token at the next refresh', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    await grantRole(operationsOn(world), { id: await accountIdOf(ann) }, 'editor');
    expect(await tokenRoles(ann)).toEqual([]);
    expect(await (await callSensitive(ann)).json()).toEqual({ roles: ['editor'] });
    expect(((await ann.get('/api/auth/user')).body as { user: { roles: string[] } }).user.roles).toEqual(['editor']);
    expect((await ann.post('/api/auth/refresh')).status).toBe(200);
    expect(await tokenRoles(ann)).toEqual(['editor']);
  });

  it('a role taken away is gone at once for requireFreshSession, and from the token at the next refresh', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const id = await accountIdOf(ann);
    await grantRole(operationsOn(world), { id }, 'admin');
    await grantRole(operationsOn(world), { id }, 'admin');
    await ann.post('/api/auth/refresh');
    expect(await tokenRoles(ann)).toEqual(['admin']);
    await revokeRole(operationsOn(world), { id }, 'admin');
    expect(await (await callSensitive(ann)).json()).toEqual({ roles: [] });
    expect(await tokenRoles(ann)).toEqual(['admin']);
    await ann.post('/api/auth/refresh');
    expect(await tokenRoles(ann)).toEqual([]);
  });

  it('requireFreshSession refuses a session that has ended, though its access token is still valid', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const stale = ann.fork();
    await ann.post('/api/auth/logout', {});
    expect((await stale.get('/api/auth/session')).status).toBe(200);
    const res = await callSensitive(stale);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
  });

  it('role names and app metadata are checked; an unknown account is not_found', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const id = await accountIdOf(ann);
    await expect(grantRole(operationsOn(world), { id }, 'no spaces')).rejects.toMatchObject({ code: 'invalid_body' });
    await expect(grantRole(operationsOn(world), { email: 'ghost@example.com' }, 'admin')).rejects.toMatchObject({ code: 'not_found' });
    expect((await setAppMetadata(operationsOn(world), { id }, { plan: 'pro' })).appMetadata).toEqual({ plan: 'pro' });
    await expect(setAppMetadata(operationsOn(world), { id }, ['x'])).rejects.toMatchObject({ code: 'invalid_body' });
  });

  it('ADMIN_EMAILS: a listed, verified address gets the admin role when its session starts; others do not', async () => {
    world.configure({ ADMIN_EMAILS: 'Boss@Example.com' });
    const boss = await signedIn(world, 'boss@example.com');
    expect(await tokenRoles(boss)).toEqual(['admin']);
    const other = await signedIn(world, 'other@example.com');
    expect(await tokenRoles(other)).toEqual([]);
    const login = await new Browser().post('/api/auth/login', { email: 'boss@example.com', password: PASSWORD });
    expect((login.body as { user: { roles: string[] } }).user.roles).toEqual(['admin']);
  });
});

describe('npm run admin', () => {
  it('grants, shows, sets app metadata and revokes; says plainly what is wrong', async () => {
    await signedIn(world, 'ann@example.com');
    const run = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runAdminCommand(argv, { FQL_AUTH_DEV: '1' }, { out: (l) => out.push(l), err: (l) => err.push(l) }, world.db.client);
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    expect(await run('grant', 'Ann@Example.com', 'admin')).toMatchObject({ code: 0, out: expect.stringContaining('roles: admin') });
    expect(await run('app-metadata', 'ann@example.com', '{"plan":"pro"}')).toMatchObject({ code: 0, out: expect.stringContaining('{"plan":"pro"}') });
    expect(await run('show', 'ann@example.com')).toMatchObject({ code: 0, out: expect.stringMatching(/roles: admin[\s\S]*"plan":"pro"/) });
    expect(await run('revoke', 'ann@example.com', 'admin')).toMatchObject({ code: 0, out: expect.stringContaining('roles: none') });
    expect(await run('grant', 'ghost@example.com', 'admin')).toMatchObject({ code: 1, err: expect.stringContaining('no account for ghost@example.com') });
    expect(await run('grant', 'ann@example.com')).toMatchObject({ code: 2, err: expect.stringContaining('usage:') });
    expect(await run('app-metadata', 'ann@example.com', 'not json')).toMatchObject({ code: 1, err: expect.stringContaining('JSON object') });
  });
});

describe('the admin-only page, behind requireRole', () => {
  it('shows an admin their page, tells anyone else it is not for them (a page, 403), and sends nobody to log in', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const refused = await ann.get('/admin/');
    expect([refused.status, refused.headers.get('content-type')]).toEqual([403, 'text/html; charset=utf-8']);
    expect(refused.text).toContain('needs the admin role');
    await grantRole(operationsOn(world), { id: await accountIdOf(ann) }, 'admin');
    await ann.post('/api/auth/refresh');
    const page = await ann.get('/admin/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Logged in as <strong>ann@example.com</strong>');
    const nobody = await new Browser().get('/admin/');
    expect([nobody.status, nobody.headers.get('location')]).toEqual([303, `${SITE}/api/auth/refresh/continue?next=%2Fadmin%2F`]);
  });
});

describe('GET /api/auth/refresh/continue (where the edge guard sends a page without a valid access token)', () => {
  it('refreshes a live session and goes back to `next` with new cookies', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const before = ann.jar.get('refresh_token');
    const res = await ann.get('/api/auth/refresh/continue?next=%2Fapp%2Fnotes%3Fx%3D1');
    expect([res.status, res.headers.get('location')]).toEqual([303, `${SITE}/app/notes?x=1`]);
    expect(ann.jar.get('refresh_token')).not.toBe(before);
    expect(ann.jar.get('access_token')).toBeDefined();
  });

  it('without a session, goes to the login page, which continues to `next`; never off the site', async () => {
    const res = await new Browser().get('/api/auth/refresh/continue?next=%2Fapp%2F');
    expect([res.status, res.headers.get('location')]).toEqual([303, `${SITE}/?next=%2Fapp%2F#login`]);
    const evil = await new Browser().get('/api/auth/refresh/continue?next=%2F%2Fevil.example%2F');
    expect(evil.headers.get('location')).toBe(`${SITE}/?next=%2F#login`);
    const ann = await signedIn(world, 'ann@example.com');
    const offSite = await ann.get('/api/auth/refresh/continue?next=https%3A%2F%2Fevil.example%2F');
    expect(offSite.headers.get('location')).toBe(`${SITE}/`);
  });
});
