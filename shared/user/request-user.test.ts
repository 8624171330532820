import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { developmentConfig } from '../../test/support/config.ts';
import { contextFor, endpoint } from '../endpoint.ts';
import { keyId, signAccess, signRefresh } from '../tokens.ts';
import { getUser, requireRole, requireUser, type SiteUser } from './request-user.ts';

const config = developmentConfig({ URL: 'http://localhost:8888', JWT_SECRETS: 'unit-test-secret-0123456789abcdef-0123456789' });
const USER = { email: 'ann@example.com', emailVerified: true, name: 'Ann', roles: ['editor'] };
const now = (): number => Math.floor(Date.now() / 1000);
const access = (roles = USER.roles, options = {}): string => signAccess({ sub: '101', sid: '202', user: { ...USER, roles } }, config, options);

function request(headers: Record<string, string> = {}): Request {
  return new Request('http://localhost:8888/api/notes', { headers });
}

const withCookie = (token: string): Request => request({ cookie: `access_token=${token}` });
const withBearer = (token: string): Request => request({ authorization: `Bearer ${token}` });

/** The thrown Response's status, error code and WWW-Authenticate header. */
async function refusal(run: () => unknown): Promise<{ status: number; code: string; challenge: string | null }> {
  try {
    run();
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    const body = (await thrown.json()) as { error: { code: string } };
    return { status: thrown.status, code: body.error.code, challenge: thrown.headers.get('www-authenticate') };
  }
  throw new Error('nothing was thrown');
}

function tampered(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url');
  return `${header}.${forged}.${signature}`;
}

describe('getUser', () => {
  it('reads the access cookie: the user, their roles, their session', () => {
    const user = getUser(withCookie(access()), config) as SiteUser;
    expect(user).toMatchObject({ id: '101', sessionId: '202', email: 'ann@example.com', emailVerified: true, name: 'Ann', roles: ['editor'], via: 'cookie' });
    expect(user.expiresAt.getTime() / 1000).toBe(now() + config.accessTokenTtlSeconds);
  });

  it('reads an Authorization: Bearer header (any case of the scheme), before the cookie', () => {
    expect(getUser(withBearer(access()), config)?.via).toBe('bearer');
    expect(getUser(request({ authorization: `bearer ${access()}` }), config)?.id).toBe('101');
    const both = request({ authorization: `Bearer ${access(['bearer-role'])}`, cookie: `access_token=${access(['cookie-role'])}` });
    expect(getUser(both, config)?.roles).toEqual(['bearer-role']);
  });

  it('another scheme (Basic, a proxy in front of a preview) leaves the cookie to decide', () => {
    const req = request({ authorization: 'Basic dXNlcjpwYXNz', cookie: `access_token=${access()}` });
    expect(getUser(req, config)?.via).toBe('cookie');
  });

  it('is null for a missing, expired, tampered, wrong-type, foreign or malformed token', () => {
    const hourAgo = (): number => now() - 3600;
    const foreign = developmentConfig({ URL: 'http://localhost:8888', JWT_SECRETS: 'another-site-secret-0123456789abcdef-0123' });
    const cases: Record<string, Request> = {
      missing: request(),
      'empty cookie': request({ cookie: 'access_token=' }),
      expired: withCookie(access(USER.roles, { now: hourAgo })),
      tampered: withCookie(tampered(access())),
      'refresh token as access': withCookie(signRefresh({ sub: '101', sid: '202', jti: 'j' }, config)),
      'another secret': withBearer(signAccess({ sub: '101', sid: '202', user: USER }, foreign)),
      'alg none': withBearer(
        jwt.sign({ sub: '101', sid: '202', typ: 'access', email: USER.email } satisfies jwt.JwtPayload, '', {
          algorithm: 'none',
          keyid: keyId(config.jwtSecrets[0]),
        }),
      ),
      'malformed bearer': request({ authorization: 'Bearer not a token' }),
      'empty bearer': request({ authorization: 'Bearer', cookie: `access_token=${access()}` }),
      garbage: withBearer('a.b.c'),
    };
    const accepted = Object.entries(cases).filter(([, req]) => getUser(req, config) !== null).map(([name]) => name);
    expect(accepted).toEqual([]);
  });

  it('a token signed before roles existed has none; a malformed roles claim is refused', () => {
    const key = Buffer.from(config.jwtSecrets[0]);
    const sign = (extra: Record<string, unknown>): string =>
      jwt.sign({ sub: '1', sid: '2', typ: 'access', email: 'a@example.com', ...extra } satisfies jwt.JwtPayload, key, {
        algorithm: 'HS256',
        keyid: keyId(config.jwtSecrets[0]),
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
        expiresIn: 60,
      });
    expect(getUser(withCookie(sign({})), config)?.roles).toEqual([]);
    expect(getUser(withCookie(sign({ roles: 'admin' })), config)).toBeNull();
    expect(getUser(withCookie(sign({ roles: [1] })), config)).toBeNull();
  });
});

describe('requireUser', () => {
  it('answers the user of a valid token', () => {
    expect(requireUser(withBearer(access()), config).id).toBe('101');
  });

  it('throws a 401 Response in the error envelope; a bearer client is told how to authenticate, a browser is not', async () => {
    expect(await refusal(() => requireUser(request(), config))).toEqual({ status: 401, code: 'unauthenticated', challenge: null });
    expect(await refusal(() => requireUser(withCookie(tampered(access())), config))).toEqual({ status: 401, code: 'unauthenticated', challenge: null });
    const expired = access(USER.roles, { now: () => now() - 3600 });
    expect(await refusal(() => requireUser(withBearer(expired), config))).toEqual({
      status: 401,
      code: 'unauthenticated',
      challenge: 'Bearer error="invalid_token"',
    });
  });

  it('thrown inside endpoint(), the Response is the answer', async () => {
    const fn = endpoint({ GET: (req, ctx) => Response.json({ id: requireUser(req, ctx.config).id }) }).withContext((req, netlify) =>
      contextFor(config, req, netlify)
    );
    const ok = await fn(withBearer(access()), {} as never);
    expect(await ok.json()).toEqual({ id: '101' });
    const refused = await fn(request(), {} as never);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { code: 'unauthenticated', message: 'Log in first.' } });
  });
});

describe('requireRole', () => {
  it('answers a user whose token carries the role', () => {
    expect(requireRole(withCookie(access(['editor', 'admin'])), 'admin', config).roles).toContain('admin');
  });

  it('403 forbidden for a user without it; 401 for no user; a forged role does not pass', async () => {
    expect(await refusal(() => requireRole(withCookie(access(['editor'])), 'admin', config))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await refusal(() => requireRole(request(), 'admin', config))).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(await refusal(() => requireRole(withCookie(tampered(access(['editor']))), 'admin', config))).toMatchObject({ status: 401 });
  });
});
