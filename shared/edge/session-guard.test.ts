import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { developmentConfig } from '../../test/support/config.ts';
import { keyId, signAccess, signRefresh } from '../tokens.ts';
import { decide, DEV_JWT_SECRET, guardSettings, safeNextPath, verifyAccessToken, type GuardSettings } from './session-guard.ts';

const SITE = 'https://site.example';
const config = developmentConfig({ URL: SITE, JWT_SECRETS: 'edge-secret-0123456789abcdef-0123456789abcdef, old-secret-0123456789abcdef-0123456789abcdef' });
const oldOnly = developmentConfig({ URL: SITE, JWT_SECRETS: 'old-secret-0123456789abcdef-0123456789abcdef' });
const settings: GuardSettings = guardSettings((name) => ({ JWT_SECRETS: config.jwtSecrets.join(',') })[name], SITE);
const USER = { email: 'ann@example.com', emailVerified: true, name: null, roles: ['member'] };
const now = Math.floor(Date.now() / 1000);

function access(options: { roles?: string[]; at?: number; with?: typeof config } = {}): string {
  const at = options.at ?? now;
  return signAccess({ sub: '7', sid: '8', user: { ...USER, roles: options.roles ?? USER.roles } }, options.with ?? config, { now: () => at });
}

function raw(claims: Record<string, unknown>, header: jwt.SignOptions = {}): string {
  const payload = { sub: '7', sid: '8', typ: 'access', email: USER.email, iss: SITE, aud: `${SITE}/api/auth`, iat: now, exp: now + 60, ...claims };
  const present = Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined));
  const options: jwt.SignOptions = { algorithm: 'HS256', keyid: keyId(config.jwtSecrets[0]), ...header };
  if (options.keyid === undefined) delete options.keyid;
  return jwt.sign(present, config.jwtSecrets[0], options);
}

describe('verifyAccessToken (Web Crypto) accepts what shared/tokens.ts signs, and nothing else', () => {
  it('a token from signAccess, with its user and roles; one signed by an older JWT_SECRETS entry too', async () => {
    expect(await verifyAccessToken(access(), settings, now)).toEqual({ id: '7', sessionId: '8', email: USER.email, roles: ['member'] });
    expect(await verifyAccessToken(access({ with: oldOnly }), settings, now)).not.toBeNull();
  });

  it('refuses expired, tampered, wrong-type, future, foreign and malformed tokens', async () => {
    const token = access();
    const [h, p, s] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['admin'] })).toString('base64url');
    const foreign = developmentConfig({ URL: SITE, JWT_SECRETS: 'foreign-secret-0123456789abcdef-0123456789abcdef' });
    const cases: Record<string, string> = {
      expired: access({ at: now - config.accessTokenTtlSeconds }),
      tampered: `${h}.${forgedPayload}.${s}`,
      'bad signature': `${h}.${p}.${s.slice(0, -2)}AA`,
      'refresh token': signRefresh({ sub: '7', sid: '8', jti: 'x' }, config),
      'issued in the future': access({ at: now + 120 }),
      'another secret': access({ with: foreign }),
      'another issuer': raw({ iss: 'https://evil.example' }),
      'another audience': raw({ aud: `${SITE}/api/other` }),
      'no exp': raw({ exp: undefined }),
      'no kid': raw({}, { keyid: undefined }),
      'HS512': raw({}, { algorithm: 'HS512' }),
      'roles not a list': raw({ roles: 'admin' }),
      'no sub': raw({ sub: '' }),
      'two parts': `${h}.${p}`,
      garbage: 'not-a-token',
    };
    const accepted: string[] = [];
    for (const [name, candidate] of Object.entries(cases)) if ((await verifyAccessToken(candidate, settings, now)) !== null) accepted.push(name);
    expect(accepted).toEqual([]);
  });

  it('allows an iat a few seconds ahead (the signer runs on another machine)', async () => {
    expect(await verifyAccessToken(access({ at: now + 5 }), settings, now)).not.toBeNull();
  });
});

describe('decide', () => {
  const url = (path: string): URL => new URL(path, SITE);

  it('passes paths it does not protect, without looking at the token', async () => {
    expect(await decide(url('/about'), 'garbage', settings)).toEqual({ kind: 'pass', user: null });
  });

  it('sends a protected page without a valid token to the refresh-and-continue endpoint, keeping where it was going', async () => {
    const expected = { kind: 'redirect', location: '/api/auth/refresh/continue?next=%2Fapp%2Fnotes%3Fq%3D1' };
    expect(await decide(url('/app/notes?q=1'), undefined, settings)).toEqual(expected);
    expect(await decide(url('/app/notes?q=1'), access({ at: now - 3600 }), settings)).toEqual(expected);
    expect(await decide(url('/app'), undefined, settings)).toMatchObject({ kind: 'redirect' });
  });

  it('lets a logged-in user into /app/, and into /admin/ only with the admin role', async () => {
    expect(await decide(url('/app/'), access(), settings)).toMatchObject({ kind: 'pass', user: { id: '7' } });
    expect(await decide(url('/admin/'), access(), settings)).toEqual({ kind: 'forbidden', role: 'admin' });
    expect(await decide(url('/admin/'), access({ roles: ['admin'] }), settings)).toMatchObject({ kind: 'pass' });
  });
});

describe('safeNextPath', () => {
  it('keeps a path on this site, and turns anything else into /', () => {
    expect(safeNextPath('/app/notes?x=1#top')).toBe('/app/notes?x=1#top');
    for (const bad of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '', null, '/a\nb', 'app/']) {
      expect(safeNextPath(bad)).toBe('/');
    }
  });
});

describe('guardSettings', () => {
  it("uses JWT_SECRETS and the site's URL as shared/config.ts does", () => {
    const s = guardSettings((n) => ({ JWT_SECRETS: 'a, b', URL: 'https://x.example/' })[n], 'https://ignored.example');
    expect(s).toMatchObject({ secrets: ['a', 'b'], issuer: 'https://x.example', audience: 'https://x.example/api/auth' });
  });

  it('falls back to the development secret only on plain-http localhost, the same secret the functions use there', () => {
    expect(guardSettings(() => undefined, 'http://localhost:8888').secrets).toEqual([DEV_JWT_SECRET]);
    expect(developmentConfig({}).jwtSecrets).toEqual([DEV_JWT_SECRET]);
    expect(() => guardSettings(() => undefined, 'https://site.example')).toThrow(/JWT_SECRETS must be set/);
  });
});
