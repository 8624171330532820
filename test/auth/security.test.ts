import jwt from 'jsonwebtoken';
import { createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyId, signAccess, signRefresh } from '../../shared/tokens.ts';
import { Browser, PASSWORD, errorCode, signedIn, useAuthWorld } from './harness.ts';

const world = useAuthWorld();

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function parts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string } {
  const [h, p, s] = token.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), payload: JSON.parse(Buffer.from(p, 'base64url').toString()), signature: s };
}

async function withAccess(token: string): Promise<ReturnType<Browser['get']>> {
  const b = new Browser();
  b.jar.set('access_token', token);
  return b.get('/api/auth/session');
}

async function withRefresh(token: string): Promise<ReturnType<Browser['post']>> {
  const b = new Browser();
  b.jar.set('refresh_token', token, '/api/auth');
  return b.post('/api/auth/refresh');
}

describe('tokens that are refused', () => {
  it('a genuine access token is accepted (the control)', async () => {
    const b = await signedIn(world, 'ok@example.com');
    expect((await withAccess(b.jar.get('access_token') ?? '')).status).toBe(200);
    expect((await withRefresh(b.jar.get('refresh_token') ?? '')).status).toBe(200);
  });

  it('alg: none', async () => {
    const b = await signedIn(world, 'none@example.com');
    const { header, payload } = parts(b.jar.get('access_token') ?? '');
    const forged = `${b64({ ...header, alg: 'none' })}.${b64(payload)}.`;
    const res = await withAccess(forged);
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('unauthenticated');
    const r = parts(b.jar.get('refresh_token') ?? '');
    expect(errorCode(await withRefresh(`${b64({ ...r.header, alg: 'none' })}.${b64(r.payload)}.`))).toBe('invalid_session');
  });

  it('signed with an unknown key (with and without a known kid)', async () => {
    const b = await signedIn(world, 'key@example.com');
    const { payload } = parts(b.jar.get('access_token') ?? '');
    const otherSecret = 'an attacker secret that is long enough 0123456789';
    const key = createSecretKey(Buffer.from(otherSecret));
    const knownKid = keyId(world.config.jwtSecrets[0]);
    for (const kid of [knownKid, keyId(otherSecret)]) {
      const forged = jwt.sign(payload, key, { algorithm: 'HS256', keyid: kid });
      const res = await withAccess(forged);
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe('unauthenticated');
    }
  });

  it('expired', async () => {
    const b = await signedIn(world, 'old@example.com');
    const session = (await b.get('/api/auth/session')).body as { user: { id: string; email: string }; session: { id: string } };
    const longAgo = (): number => Math.floor(Date.now() / 1000) - 3600;
    const user = { email: session.user.email, emailVerified: true, name: null, roles: [] };
    const access = signAccess({ sub: session.user.id, sid: session.session.id, user }, world.config, { now: longAgo });
    const res = await withAccess(access);
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('unauthenticated');
    const refresh = signRefresh({ sub: session.user.id, sid: session.session.id, jti: 'whatever' }, { ...world.config, refreshTokenTtlSeconds: 60 }, {
      now: longAgo,
    });
    expect(errorCode(await withRefresh(refresh))).toBe('invalid_session');
  });

  it('an access token sent as the refresh cookie, and a refresh token as the access cookie', async () => {
    const b = await signedIn(world, 'swap@example.com');
    const res = await withRefresh(b.jar.get('access_token') ?? '');
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('invalid_session');
    expect(errorCode(await withAccess(b.jar.get('refresh_token') ?? ''))).toBe('unauthenticated');
  });

  it('a tampered payload', async () => {
    const victim = await signedIn(world, 'victim@example.com');
    const attacker = await signedIn(world, 'attacker@example.com');
    const victimId = ((await victim.get('/api/auth/session')).body as { user: { id: string } }).user.id;
    const token = attacker.jar.get('access_token') ?? '';
    const [h, , s] = token.split('.');
    const tampered = `${h}.${b64({ ...parts(token).payload, sub: victimId, email: 'victim@example.com' })}.${s}`;
    const res = await withAccess(tampered);
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('unauthenticated');
    const rt = attacker.jar.get('refresh_token') ?? '';
    const [rh, , rs] = rt.split('.');
    expect(errorCode(await withRefresh(`${rh}.${b64({ ...parts(rt).payload, sub: victimId })}.${rs}`))).toBe('invalid_session');
  });
});

describe('requests that are refused', () => {
  it('a cross-origin POST with cookies answers 403 cross_origin and changes nothing', async () => {
    const b = await signedIn(world, 'csrf@example.com');
    const evil = await b.post('/api/auth/logout', { all: true }, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(errorCode(evil)).toBe('cross_origin');
    const site = await b.post('/api/auth/password/change', { currentPassword: PASSWORD, newPassword: 'evil new password' }, {
      origin: null,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(site.status).toBe(403);
    expect(errorCode(site)).toBe('cross_origin');
    const del = await b.delete('/api/auth/sessions/1', { origin: 'http://localhost:9999' });
    expect(errorCode(del)).toBe('cross_origin');
    expect((await b.post('/api/auth/refresh')).status).toBe(200);
    expect((await new Browser().post('/api/auth/login', { email: 'csrf@example.com', password: PASSWORD })).status).toBe(200);
  });

  it("a cross-site POST without cookies is refused too: no login CSRF into the attacker's account", async () => {
    await signedIn(world, 'attacker@example.com');
    const victim = new Browser('victim-browser');
    const forged = await victim.post('/api/auth/login', { email: 'attacker@example.com', password: PASSWORD }, { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(errorCode(forged)).toBe('cross_origin');
    expect(forged.setCookies).toHaveLength(0);
    const viaFetchMetadata = await victim.post('/api/auth/login', { email: 'attacker@example.com', password: PASSWORD }, {
      origin: null,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(errorCode(viaFetchMetadata)).toBe('cross_origin');
    expect((await victim.get('/api/auth/session')).status).toBe(401);
  });

  it('a 1 MB body answers 413', async () => {
    const big = { email: 'big@example.com', password: PASSWORD, pad: 'x'.repeat(1024 * 1024) };
    const res = await new Browser().post('/api/auth/register', big);
    expect(res.status).toBe(413);
    expect(errorCode(res)).toBe('payload_too_large');
    // Without Content-Length (a stream): still cut off.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 64; i++) controller.enqueue(new Uint8Array(16 * 1024).fill(32));
        controller.close();
      },
    });
    const streamed = await new Browser().call('POST', '/api/auth/login', { raw: stream, headers: { 'content-type': 'application/json' } });
    expect(streamed.status).toBe(413);
  });

  it('a malformed JSON body answers 400 invalid_json', async () => {
    const res = await new Browser().call('POST', '/api/auth/login', { raw: '{"email": "a@b.co", ', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('invalid_json');
    expect(res.text).not.toMatch(/SyntaxError|at JSON/);
  });

  it('a password over 72 bytes: weak_password on register, invalid_credentials on login', async () => {
    // A strong passphrase cut at bcrypt's 72 bytes, and the same one byte longer.
    const max = 'quartz violin meadow ember lantern pebble orbit tundra saffron kettle zinnia'.slice(0, 72);
    const long = `${max}x`;
    const reg = await new Browser().post('/api/auth/register', { email: 'long@example.com', password: long });
    expect(reg.status).toBe(400);
    expect(errorCode(reg)).toBe('weak_password');
    await signedIn(world, 'long@example.com', new Browser(), max);
    // bcrypt would read only the first 72 bytes: a longer one with the same prefix must not log in.
    const res = await new Browser().post('/api/auth/login', { email: 'long@example.com', password: long });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('invalid_credentials');
  });

  it('an undeclared method answers 405 with Allow', async () => {
    const res = await new Browser().call('PUT', '/api/auth/login', { json: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
