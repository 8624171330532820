import faunadb from 'faunadb';
import { describe, expect, it } from 'vitest';
import { sha256, signRefresh } from '../../shared/tokens.ts';
import { Browser, PASSWORD, accountIdOf, errorCode, jtiOf, signedIn, sleep, useAuthWorld, type Answer } from './harness.ts';

const q = faunadb.query;
const world = useAuthWorld();

function cookie(answer: Answer, name: string): { value: string; attributes: ReadonlyMap<string, string> } {
  const c = answer.setCookies.find((s) => s.name === name);
  if (!c) throw new Error(`no Set-Cookie for ${name}`);
  return c;
}

/** The id of the session a browser is logged in with, as GET /session tells it. */
async function sessionIdOf(browser: Browser): Promise<string> {
  return ((await browser.get('/api/auth/session')).body as { session: { id: string } }).session.id;
}

/**
 * Gives a session `count` engine tokens, as site functions' database clients make them
 * (shared/fql/users.ts): more than the 100 the engine reads on speculation, so that a logout
 * that read them any other way than whole would leave some behind.
 */
async function addEngineTokens(accountId: string, sessionId: string, count: number): Promise<void> {
  const token = q.Create(q.Tokens(), {
    instance: q.Ref(q.Collection('accounts'), accountId),
    data: { session: q.Ref(q.Collection('sessions'), sessionId) },
  });
  await world.db.client.query(q.Do(...Array.from({ length: count }, () => token), true));
}

async function engineTokensOf(sessionId: string): Promise<number> {
  return world.db.client.query<number>(q.Count(q.Match(q.Index('tokens_by_session'), q.Ref(q.Collection('sessions'), sessionId))));
}

/** A browser holding a refresh cookie signed with the site's key: claims the tests choose, around a real jti. */
function withRefreshClaims(claims: { sub: string; sid: string; jti: string }): Browser {
  const b = new Browser();
  b.jar.set('refresh_token', signRefresh(claims, world.config), '/api/auth');
  return b;
}

function expectCleared(answer: Answer): void {
  for (const name of ['access_token', 'refresh_token']) {
    const c = cookie(answer, name);
    expect(c.value).toBe('');
    expect(c.attributes.get('max-age')).toBe('0');
  }
  expect(cookie(answer, 'refresh_token').attributes.get('path')).toBe('/api/auth');
}

describe('POST /api/auth/login', () => {
  it('answers 200 {user} with both cookies as docs/API.md lists them', async () => {
    const b = await signedIn(world, 'ann@example.com');
    const res = await b.post('/api/auth/login', { email: 'ANN@example.com', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { id: expect.any(String), email: 'ann@example.com', emailVerified: true, name: null, roles: [] } });
    const access = cookie(res, 'access_token');
    expect(access.attributes.get('path')).toBe('/');
    expect(access.attributes.get('samesite')?.toLowerCase()).toBe('lax');
    expect(access.attributes.has('httponly')).toBe(true);
    expect(access.attributes.get('max-age')).toBe('900');
    const refresh = cookie(res, 'refresh_token');
    expect(refresh.attributes.get('path')).toBe('/api/auth');
    expect(refresh.attributes.get('samesite')?.toLowerCase()).toBe('strict');
    expect(refresh.attributes.has('httponly')).toBe(true);
    expect(refresh.attributes.get('max-age')).toBe(String(30 * 24 * 3600));
    // http://localhost: no Secure, or the browser would drop them.
    expect(access.attributes.has('secure')).toBe(false);
  });

  it('answers 401 invalid_credentials alike for a wrong password and an unknown address', async () => {
    await signedIn(world, 'ben@example.com');
    const wrong = await new Browser().post('/api/auth/login', { email: 'ben@example.com', password: 'wrong password!' });
    const unknown = await new Browser().post('/api/auth/login', { email: 'nobody@example.com', password: PASSWORD });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe('invalid_credentials');
      expect(res.setCookies).toHaveLength(0);
    }
    expect((wrong.body as { error: { message: string } }).error.message).toBe((unknown.body as { error: { message: string } }).error.message);
  });

  it('answers 403 email_not_verified only after a correct password', async () => {
    const b = new Browser();
    await b.post('/api/auth/register', { email: 'cat@example.com', password: PASSWORD });
    const wrong = await b.post('/api/auth/login', { email: 'cat@example.com', password: 'wrong password!' });
    expect(errorCode(wrong)).toBe('invalid_credentials');
    const right = await b.post('/api/auth/login', { email: 'cat@example.com', password: PASSWORD });
    expect(right.status).toBe(403);
    expect(errorCode(right)).toBe('email_not_verified');
    expect(right.setCookies).toHaveLength(0);
  });

  it('answers 429 rate_limited with Retry-After after too many failures, even for the right password', async () => {
    world.configure({ LOGIN_MAX_FAILURES: '3', LOGIN_FAILURE_WINDOW_SECONDS: '120' });
    await signedIn(world, 'dan@example.com');
    const b = new Browser();
    for (let i = 0; i < 3; i++) expect((await b.post('/api/auth/login', { email: 'dan@example.com', password: `wrong ${i} password` })).status).toBe(401);
    const res = await b.post('/api/auth/login', { email: 'dan@example.com', password: PASSWORD });
    expect(res.status).toBe(429);
    expect(errorCode(res)).toBe('rate_limited');
    expect(res.headers.get('retry-after')).toBe('120');
    // Another address is not held back.
    await signedIn(world, 'dot@example.com');
  });
});

describe('GET /api/auth/session', () => {
  it('answers 200 {user, session} from the access cookie', async () => {
    const b = await signedIn(world, 'eli@example.com');
    const res = await b.get('/api/auth/session');
    expect(res.status).toBe(200);
    const body = res.body as { user: { email: string }; session: { id: string; expiresAt: string } };
    expect(body.user.email).toBe('eli@example.com');
    expect(body.session.id).toMatch(/\S/);
    const ttl = Date.parse(body.session.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(14 * 60 * 1000);
    expect(ttl).toBeLessThanOrEqual(15 * 60 * 1000);
  });

  it('answers 401 unauthenticated without a cookie', async () => {
    const res = await new Browser().get('/api/auth/session');
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('unauthenticated');
  });
});

describe('POST /api/auth/refresh', () => {
  it('rotates both cookies and the old refresh token is spent', async () => {
    const b = await signedIn(world, 'fox@example.com');
    const oldRefresh = b.jar.get('refresh_token');
    const res = await b.post('/api/auth/refresh');
    expect(res.status).toBe(200);
    expect((res.body as { user: { email: string } }).user.email).toBe('fox@example.com');
    expect(b.jar.get('refresh_token')).not.toBe(oldRefresh);
    // A fresh access cookie too (byte-identical within the same second: it has no jti of its own).
    expect(cookie(res, 'access_token').attributes.get('max-age')).toBe('900');
    expect((await b.get('/api/auth/session')).status).toBe(200);
    // The new one rotates again.
    expect((await b.post('/api/auth/refresh')).status).toBe(200);
    const sid = (await b.get('/api/auth/session')).body as { session: { id: string } };
    const tokens = await world.db.client.query<{ data: unknown[] }>(
      q.Paginate(q.Match(q.Index('refresh_tokens_by_session'), q.Ref(q.Collection('sessions'), sid.session.id))),
    );
    expect(tokens.data).toHaveLength(3);
  });

  it('answers 401 invalid_session without a cookie, or with garbage, and clears the cookies', async () => {
    const none = await new Browser().post('/api/auth/refresh');
    expect(none.status).toBe(401);
    expect(errorCode(none)).toBe('invalid_session');
    expectCleared(none);
    const b = new Browser();
    b.jar.set('refresh_token', 'not.a.jwt', '/api/auth');
    const garbage = await b.post('/api/auth/refresh');
    expect(errorCode(garbage)).toBe('invalid_session');
    expectCleared(garbage);
  });

  it('a reuse after the grace period answers 401 token_reuse, clears cookies, revokes the session and records an anomaly', async () => {
    world.configure({ REFRESH_GRACE_SECONDS: '0' });
    const tab = await signedIn(world, 'gil@example.com');
    const stale = tab.fork('stale-tab/1.0');
    expect((await tab.post('/api/auth/refresh')).status).toBe(200);
    // TimeDiff counts whole seconds: wait past one.
    await sleep(1100);
    const reuse = await stale.post('/api/auth/refresh');
    expect(reuse.status).toBe(401);
    expect(errorCode(reuse)).toBe('token_reuse');
    expectCleared(reuse);
    // The session's newest refresh token (the honest tab's) fails too.
    const newest = await tab.post('/api/auth/refresh');
    expect(newest.status).toBe(401);
    expect(errorCode(newest)).toBe('invalid_session');
    const anomalies = await world.db.adminClient.query<
      { data: { data: { kind: string; user_agent: string; at: unknown; account: unknown; session: unknown } }[] }
    >(
      q.Map(q.Paginate(q.Documents(q.Collection('anomalies'))), q.Lambda('r', q.Get(q.Var('r')))),
    );
    expect(anomalies.data).toHaveLength(1);
    const a = anomalies.data[0].data;
    expect(a.kind).toBe('refresh_token_reuse');
    expect(a.user_agent).toBe('stale-tab/1.0');
    expect(a.at).toBeDefined();
    expect(a.account).toBeDefined();
    expect(a.session).toBeDefined();
  });

  it('a token presented with claims that name another session or account, or a missing one: 401 invalid_session, the token unspent', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const annOther = new Browser('second-device');
    await annOther.post('/api/auth/login', { email: 'ann@example.com', password: PASSWORD });
    const bob = await signedIn(world, 'bob@example.com');
    const [annId, annSid, otherSid, bobId] = [await accountIdOf(ann), await sessionIdOf(ann), await sessionIdOf(annOther), await accountIdOf(bob)];
    const jti = jtiOf(ann.jar.get('refresh_token'));
    const forged = [
      { sub: annId, sid: otherSid, jti },
      { sub: bobId, sid: annSid, jti },
      { sub: annId, sid: '999999999', jti },
      { sub: '999999999', sid: annSid, jti },
    ];
    for (const claims of forged) {
      const res = await withRefreshClaims(claims).post('/api/auth/refresh');
      expect([res.status, errorCode(res)], JSON.stringify(claims)).toEqual([401, 'invalid_session']);
    }
    const token = await world.db.client.query<{ data: { used: boolean } }>(q.Get(q.Match(q.Index('refresh_tokens_by_hash'), sha256(jti))));
    expect(token.data.used).toBe(false);
    expect((await ann.post('/api/auth/refresh')).status).toBe(200);
  });

  it('a refresh of an account deleted meanwhile answers 401 invalid_session, not an error', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    await world.db.client.query(q.Delete(q.Ref(q.Collection('accounts'), await accountIdOf(ann))));
    const res = await ann.post('/api/auth/refresh');
    expect([res.status, errorCode(res)]).toEqual([401, 'invalid_session']);
  });

  it('within the grace period a spent token still yields a valid new pair', async () => {
    const tab = await signedIn(world, 'hue@example.com');
    const other = tab.fork();
    expect((await tab.post('/api/auth/refresh')).status).toBe(200);
    const again = await other.post('/api/auth/refresh');
    expect(again.status).toBe(200);
    expect((await other.get('/api/auth/session')).status).toBe(200);
    expect((await other.post('/api/auth/refresh')).status).toBe(200);
    expect((await tab.post('/api/auth/refresh')).status).toBe(200);
  });
});

describe('POST /api/auth/logout', () => {
  it('ends this session only, clears both cookies', async () => {
    const one = await signedIn(world, 'ida@example.com');
    const two = new Browser('second-device');
    await two.post('/api/auth/login', { email: 'ida@example.com', password: PASSWORD });
    const spentRefresh = one.fork();
    const res = await one.post('/api/auth/logout', {});
    expect(res.status).toBe(200);
    expectCleared(res);
    expect(one.jar.get('access_token')).toBeUndefined();
    expect(errorCode(await spentRefresh.post('/api/auth/refresh'))).toBe('invalid_session');
    expect((await two.post('/api/auth/refresh')).status).toBe(200);
  });

  it('deletes every engine token of the session it ends, and none of another session', async () => {
    const one = await signedIn(world, 'ivo@example.com');
    const two = new Browser('second-device');
    await two.post('/api/auth/login', { email: 'ivo@example.com', password: PASSWORD });
    const [accountId, oneSid, twoSid] = [await accountIdOf(one), await sessionIdOf(one), await sessionIdOf(two)];
    await addEngineTokens(accountId, oneSid, 150);
    await addEngineTokens(accountId, twoSid, 2);
    expect((await one.post('/api/auth/logout', {})).status).toBe(200);
    expect([await engineTokensOf(oneSid), await engineTokensOf(twoSid)]).toEqual([0, 2]);
  });

  it('with {all: true} ends every session of the account, and deletes their engine tokens', async () => {
    const one = await signedIn(world, 'jay@example.com');
    const two = new Browser('second-device');
    await two.post('/api/auth/login', { email: 'jay@example.com', password: PASSWORD });
    const other = await signedIn(world, 'joe@example.com');
    const [accountId, oneSid, twoSid, otherSid] = [await accountIdOf(one), await sessionIdOf(one), await sessionIdOf(two), await sessionIdOf(other)];
    await addEngineTokens(accountId, oneSid, 2);
    await addEngineTokens(accountId, twoSid, 150);
    await addEngineTokens(await accountIdOf(other), otherSid, 2);
    const res = await one.post('/api/auth/logout', { all: true });
    expect(res.status).toBe(200);
    expectCleared(res);
    expect(errorCode(await two.post('/api/auth/refresh'))).toBe('invalid_session');
    expect([await engineTokensOf(oneSid), await engineTokensOf(twoSid), await engineTokensOf(otherSid)]).toEqual([0, 0, 2]);
    expect((await other.post('/api/auth/refresh')).status).toBe(200);
  });

  it("a revoked session's access token, still unexpired, can no longer list, revoke or change anything", async () => {
    const one = await signedIn(world, 'kim@example.com');
    const two = new Browser('second-device');
    await two.post('/api/auth/login', { email: 'kim@example.com', password: PASSWORD });
    expect((await one.post('/api/auth/logout', { all: true })).status).toBe(200);
    // `two` still holds an unexpired access cookie of its revoked session.
    expect(errorCode(await two.call('GET', '/api/auth/sessions'))).toBe('unauthenticated');
    expect(errorCode(await two.call('DELETE', '/api/auth/sessions/123'))).toBe('unauthenticated');
    expect(errorCode(await two.post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: 'another long password' }))).toBe('unauthenticated');
    expect((await new Browser().post('/api/auth/login', { email: 'kim@example.com', password: PASSWORD })).status).toBe(200);
  });

  it('ends the session and clears the cookies even when the body cannot be read', async () => {
    const me = await signedIn(world, 'sloppy@example.com');
    const spentRefresh = me.fork();
    const garbled = await me.call('POST', '/api/auth/logout', { raw: '{not json', headers: { 'content-type': 'application/json' } });
    expect(garbled.status).toBe(200);
    expectCleared(garbled);
    expect(errorCode(await spentRefresh.post('/api/auth/refresh'))).toBe('invalid_session');
    const form = await (await signedIn(world, 'formy@example.com')).call('POST', '/api/auth/logout', { form: { all: 'true' } });
    expect(form.status).toBe(200);
    expectCleared(form);
  });

  it('answers 200 without any session, and with an empty body', async () => {
    const res = await new Browser().call('POST', '/api/auth/logout');
    expect(res.status).toBe(200);
    expectCleared(res);
  });
});

describe('/api/auth/sessions', () => {
  it('lists the live sessions with `current`', async () => {
    const one = await signedIn(world, 'kai@example.com');
    const two = new Browser('second-device/2.0');
    await two.post('/api/auth/login', { email: 'kai@example.com', password: PASSWORD });
    const res = await one.get('/api/auth/sessions');
    expect(res.status).toBe(200);
    const list = (res.body as { sessions: { id: string; current: boolean; userAgent: string; createdAt: string; lastUsedAt: string }[] }).sessions;
    expect(list).toHaveLength(2);
    const mine = (await one.get('/api/auth/session')).body as { session: { id: string } };
    expect(list.filter((s) => s.current).map((s) => s.id)).toEqual([mine.session.id]);
    expect(list.find((s) => !s.current)?.userAgent).toBe('second-device/2.0');
    for (const s of list) expect(Number.isNaN(Date.parse(s.createdAt)) || Number.isNaN(Date.parse(s.lastUsedAt))).toBe(false);
  });

  it('answers 401 unauthenticated without a cookie', async () => {
    const res = await new Browser().get('/api/auth/sessions');
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('unauthenticated');
  });

  it("DELETE /sessions/:id answers 204, leaves this session's cookies alone, and that session can no longer refresh", async () => {
    const one = await signedIn(world, 'lea@example.com');
    const two = new Browser('second-device');
    await two.post('/api/auth/login', { email: 'lea@example.com', password: PASSWORD });
    const twoId = await sessionIdOf(two);
    await addEngineTokens(await accountIdOf(one), twoId, 150);
    const res = await one.delete(`/api/auth/sessions/${twoId}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.setCookies).toHaveLength(0);
    expect(await engineTokensOf(twoId)).toBe(0);
    expect(errorCode(await two.post('/api/auth/refresh'))).toBe('invalid_session');
    const list = (await one.get('/api/auth/sessions')).body as { sessions: { id: string }[] };
    expect(list.sessions.map((s) => s.id)).not.toContain(twoId);
    expect((await one.post('/api/auth/refresh')).status).toBe(200);
  });

  it('DELETE of the session the request came from answers 204, clears both cookies, and ends it', async () => {
    const me = await signedIn(world, 'own@example.com');
    const id = await sessionIdOf(me);
    const spentRefresh = me.fork();
    const res = await me.delete(`/api/auth/sessions/${id}`);
    expect(res.status).toBe(204);
    expectCleared(res);
    expect(me.jar.get('access_token')).toBeUndefined();
    expect(errorCode(await spentRefresh.post('/api/auth/refresh'))).toBe('invalid_session');
  });

  it("DELETE of someone else's session or a missing one answers 404 and changes nothing", async () => {
    const mallory = await signedIn(world, 'mal@example.com');
    const victim = await signedIn(world, 'vic@example.com');
    const victimId = await sessionIdOf(victim);
    await addEngineTokens(await accountIdOf(victim), victimId, 3);
    const res = await mallory.delete(`/api/auth/sessions/${victimId}`);
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe('not_found');
    expect((await mallory.delete('/api/auth/sessions/999999999')).status).toBe(404);
    expect(await engineTokensOf(victimId)).toBe(3);
    expect((await victim.post('/api/auth/refresh')).status).toBe(200);
  });

  it('DELETE without a cookie answers 401', async () => {
    const res = await new Browser().delete('/api/auth/sessions/1');
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('unauthenticated');
  });
});

describe('GET /api/health', () => {
  it('answers 200 {status:"ok", db:"ok"}', async () => {
    const res = await new Browser().get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: 'ok' });
  });
});
