/**
 * The attack suite: what an outside attack and fault test of the API found (issue 19), each case
 * replayed through the real functions, so that it stays fixed. The in-process functions are
 * called as Netlify calls them, against a fresh engine database and the local mailbox; the dev
 * stack's own case (a body over netlify dev's limit) is in test/e2e.
 */

import { describe, expect, it } from 'vitest';
import { signAccess, signRefresh } from '../../shared/tokens.ts';
import { Browser, errorCode, signedIn, useAuthWorld } from './harness.ts';

const world = useAuthWorld();

interface SessionBody {
  readonly user: { readonly id: string; readonly email: string };
  readonly session: { readonly id: string };
}

async function whoIs(browser: Browser): Promise<SessionBody> {
  const res = await browser.get('/api/auth/session');
  if (res.status !== 200) throw new Error(`GET /session answered ${res.status}: ${res.text}`);
  return res.body as SessionBody;
}

describe('item 10: a cookie sent twice is refused, not taken at its first copy', () => {
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

describe('item 12: a validly signed token is still refused when its times are not ones we issue', () => {
  it('iat in the future, or a lifetime longer than configured: 401 on /session, 401 invalid_session on /refresh', async () => {
    const b = await signedIn(world, 'times@example.com');
    const { user, session } = await whoIs(b);
    const cfg = world.processConfig;
    const claims = { sub: user.id, sid: session.id };
    const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;
    const longLived = { ...cfg, accessTokenTtlSeconds: 10 * 365 * 86400, refreshTokenTtlSeconds: 10 * 365 * 86400 };
    const userClaims = { email: user.email, emailVerified: true, name: null };
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
