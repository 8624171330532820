import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { developmentConfig } from '../test/support/config.ts';
import type { Config } from './config.ts';
import { HttpError } from './errors.ts';
import {
  constantTimeEqual,
  IAT_SKEW_SECONDS,
  keyId,
  randomToken,
  sha256,
  signAccess,
  signRefresh,
  verifyAccess,
  verifyRefresh,
} from './tokens.ts';

const OLD = 'old-secret-0123456789abcdef0123456789abcdef';
const NEW = 'new-secret-fedcba9876543210fedcba9876543210';
const OTHER = 'someone-elses-secret-0123456789abcdef012345';
const T0 = 1_700_000_000;
const USER = { email: 'a@example.com', emailVerified: true, name: null, roles: [] };
const at = (t: number): { now: () => number } => ({ now: () => t });

function configWith(env: Record<string, string> = {}): Config {
  return developmentConfig({ URL: 'https://auth.example.com', JWT_SECRETS: OLD, ...env });
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT assembled by hand, signed (HS256) with `secret` or left unsigned. */
function forge(header: Record<string, unknown>, payload: Record<string, unknown>, secret?: string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = secret === undefined ? '' : createHmac('sha256', secret).update(input).digest('base64url');
  return `${input}.${signature}`;
}

function validPayload(config: Config, typ: 'access' | 'refresh'): Record<string, unknown> {
  return {
    sub: 'acc1',
    sid: 'ses1',
    jti: 'j1',
    email: USER.email,
    email_verified: true,
    name: null,
    typ,
    iat: T0,
    exp: T0 + 60,
    iss: config.jwtIssuer,
    aud: config.jwtAudience,
  };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return err.code;
    throw err;
  }
  return 'accepted';
}

describe('session JWTs', () => {
  const config = configWith();

  it("round-trips access and refresh claims, signed HS256 with the first secret's kid", () => {
    const access = signAccess({ sub: 'acc1', sid: 'ses1', user: USER }, config, at(T0));
    const refresh = signRefresh({ sub: 'acc1', sid: 'ses1', jti: 'j1' }, config, at(T0));
    expect(jwt.decode(access, { complete: true })?.header).toMatchObject({ alg: 'HS256', kid: keyId(OLD) });
    expect(verifyAccess(access, config, at(T0 + 1))).toEqual({
      typ: 'access',
      sub: 'acc1',
      sid: 'ses1',
      user: USER,
      iat: T0,
      exp: T0 + config.accessTokenTtlSeconds,
    });
    expect(verifyRefresh(refresh, config, at(T0 + 1))).toEqual({
      typ: 'refresh',
      sub: 'acc1',
      sid: 'ses1',
      jti: 'j1',
      iat: T0,
      exp: T0 + config.refreshTokenTtlSeconds,
    });
  });

  it('accepts a hand-forged token with the right key (so the refusals below are about one thing each)', () => {
    const token = forge({ alg: 'HS256', typ: 'JWT', kid: keyId(OLD) }, validPayload(config, 'access'), OLD);
    expect(codeOf(() => verifyAccess(token, config, at(T0 + 1)))).toBe('accepted');
  });

  it('refuses alg none', () => {
    const token = forge({ alg: 'none', typ: 'JWT', kid: keyId(OLD) }, validPayload(config, 'access'));
    expect(codeOf(() => verifyAccess(token, config, at(T0 + 1)))).toBe('unauthenticated');
    const refresh = forge({ alg: 'none', kid: keyId(OLD) }, validPayload(config, 'refresh'));
    expect(codeOf(() => verifyRefresh(refresh, config, at(T0 + 1)))).toBe('invalid_session');
  });

  it('refuses another HMAC algorithm even with the right secret (HS256 is pinned)', () => {
    const payload = validPayload(config, 'access');
    const token = jwt.sign(payload, OLD, { algorithm: 'HS512', keyid: keyId(OLD) });
    expect(jwt.decode(token, { complete: true })?.header.alg).toBe('HS512');
    expect(codeOf(() => verifyAccess(token, config, at(T0 + 1)))).toBe('unauthenticated');
    // The same claims under HS256 pass, so the algorithm is what is refused.
    const hs256 = jwt.sign(payload, OLD, { algorithm: 'HS256', keyid: keyId(OLD) });
    expect(codeOf(() => verifyAccess(hs256, config, at(T0 + 1)))).toBe('accepted');
  });

  it('refuses a token signed with an unknown key, under its own kid or under ours', () => {
    const theirs = signAccess({ sub: 'acc1', sid: 'ses1', user: USER }, configWith({ JWT_SECRETS: OTHER }), at(T0));
    expect(codeOf(() => verifyAccess(theirs, config, at(T0 + 1)))).toBe('unauthenticated');
    const posing = forge({ alg: 'HS256', kid: keyId(OLD) }, validPayload(config, 'access'), OTHER);
    expect(codeOf(() => verifyAccess(posing, config, at(T0 + 1)))).toBe('unauthenticated');
  });

  it('refuses a token with no kid', () => {
    const token = forge({ alg: 'HS256' }, validPayload(config, 'access'), OLD);
    expect(codeOf(() => verifyAccess(token, config, at(T0 + 1)))).toBe('unauthenticated');
  });

  it('refuses an expired token, and accepts it one second before', () => {
    const token = signAccess({ sub: 'acc1', sid: 'ses1', user: USER }, config, at(T0));
    const exp = T0 + config.accessTokenTtlSeconds;
    expect(codeOf(() => verifyAccess(token, config, at(exp - 1)))).toBe('accepted');
    expect(codeOf(() => verifyAccess(token, config, at(exp + 1)))).toBe('unauthenticated');
    const refresh = signRefresh({ sub: 'acc1', sid: 'ses1', jti: 'j1' }, config, at(T0));
    expect(codeOf(() => verifyRefresh(refresh, config, at(T0 + config.refreshTokenTtlSeconds + 1)))).toBe('invalid_session');
  });

  it('refuses a token issued in the future beyond the clock skew, and accepts one within it (issue 19, item 12)', () => {
    const token = signAccess({ sub: 'acc1', sid: 'ses1', user: USER }, config, at(T0));
    expect(codeOf(() => verifyAccess(token, config, at(T0 - IAT_SKEW_SECONDS)))).toBe('accepted');
    expect(codeOf(() => verifyAccess(token, config, at(T0 - IAT_SKEW_SECONDS - 1)))).toBe('unauthenticated');
    const refresh = signRefresh({ sub: 'acc1', sid: 'ses1', jti: 'j1' }, config, at(T0));
    expect(codeOf(() => verifyRefresh(refresh, config, at(T0 - IAT_SKEW_SECONDS - 1)))).toBe('invalid_session');
  });

  it('refuses a token that lives longer than the configured lifetime, though validly signed (issue 19, item 12)', () => {
    const longer = { ...config, accessTokenTtlSeconds: config.accessTokenTtlSeconds + 1, refreshTokenTtlSeconds: config.refreshTokenTtlSeconds + 1 };
    const access = signAccess({ sub: 'acc1', sid: 'ses1', user: USER }, longer, at(T0));
    expect(codeOf(() => verifyAccess(access, config, at(T0 + 1)))).toBe('unauthenticated');
    expect(codeOf(() => verifyAccess(access, longer, at(T0 + 1)))).toBe('accepted');
    const refresh = signRefresh({ sub: 'acc1', sid: 'ses1', jti: 'j1' }, longer, at(T0));
    expect(codeOf(() => verifyRefresh(refresh, config, at(T0 + 1)))).toBe('invalid_session');
    const forever = forge({ alg: 'HS256', kid: keyId(OLD) }, { ...validPayload(config, 'access'), exp: T0 + 10 * 365 * 86400 }, OLD);
    expect(codeOf(() => verifyAccess(forever, config, at(T0 + 1)))).toBe('unauthenticated');
  });

  it('refuses a token without exp (jsonwebtoken alone would accept it forever)', () => {
    const { exp: _exp, ...noExp } = validPayload(config, 'access');
    const token = forge({ alg: 'HS256', kid: keyId(OLD) }, noExp, OLD);
    expect(codeOf(() => verifyAccess(token, config, at(T0 + 1)))).toBe('unauthenticated');
  });

  it('refuses an access token used as a refresh token, and the reverse', () => {
    const access = signAccess({ sub: 'acc1', sid: 'ses1', user: USER }, config, at(T0));
    expect(codeOf(() => verifyRefresh(access, config, at(T0 + 1)))).toBe('invalid_session');
    // Even with a jti smuggled in, typ decides.
    const withJti = forge({ alg: 'HS256', kid: keyId(OLD) }, validPayload(config, 'access'), OLD);
    expect(codeOf(() => verifyRefresh(withJti, config, at(T0 + 1)))).toBe('invalid_session');
    const refresh = signRefresh({ sub: 'acc1', sid: 'ses1', jti: 'j1' }, config, at(T0));
    expect(codeOf(() => verifyAccess(refresh, config, at(T0 + 1)))).toBe('unauthenticated');
  });

  it('refuses a tampered payload (signature mismatch)', () => {
    const token = signAccess({ sub: 'acc1', sid: 'ses1', user: USER }, config, at(T0));
    const [header, payload, signature] = token.split('.');
    const claims: Record<string, unknown> = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const tampered = `${header}.${b64({ ...claims, sub: 'admin' })}.${signature}`;
    expect(codeOf(() => verifyAccess(tampered, config, at(T0 + 1)))).toBe('unauthenticated');
  });

  it('refuses a wrong issuer or a wrong audience', () => {
    const wrongIss = forge({ alg: 'HS256', kid: keyId(OLD) }, { ...validPayload(config, 'access'), iss: 'https://evil.example' }, OLD);
    const wrongAud = forge({ alg: 'HS256', kid: keyId(OLD) }, { ...validPayload(config, 'access'), aud: 'https://evil.example' }, OLD);
    expect(codeOf(() => verifyAccess(wrongIss, config, at(T0 + 1)))).toBe('unauthenticated');
    expect(codeOf(() => verifyAccess(wrongAud, config, at(T0 + 1)))).toBe('unauthenticated');
    const otherSite = signAccess({ sub: 'acc1', sid: 'ses1', user: USER }, configWith({ URL: 'https://other.example.com' }), at(T0));
    expect(codeOf(() => verifyAccess(otherSite, config, at(T0 + 1)))).toBe('unauthenticated');
  });

  it('refuses garbage', () => {
    for (const token of ['', 'abc', 'a.b.c', '..', `${b64({ alg: 'HS256', kid: keyId(OLD) })}.e30.`]) {
      expect(codeOf(() => verifyAccess(token, config))).toBe('unauthenticated');
    }
  });
});

describe('key rotation', () => {
  it('still verifies a token signed with the old first secret after JWT_SECRETS becomes "new,old"', () => {
    const before = configWith({ JWT_SECRETS: OLD });
    const after = configWith({ JWT_SECRETS: `${NEW},${OLD}` });
    const oldToken = signRefresh({ sub: 'acc1', sid: 'ses1', jti: 'j1' }, before, at(T0));
    expect(verifyRefresh(oldToken, after, at(T0 + 1)).jti).toBe('j1');

    const newToken = signAccess({ sub: 'acc1', sid: 'ses1', user: USER }, after, at(T0));
    expect(jwt.decode(newToken, { complete: true })?.header.kid).toBe(keyId(NEW));
    expect(verifyAccess(newToken, after, at(T0 + 1)).sub).toBe('acc1');
    // A server not yet told about the new secret cannot accept what the new one signed.
    expect(codeOf(() => verifyAccess(newToken, before, at(T0 + 1)))).toBe('unauthenticated');
    // Once the old secret is dropped, its tokens stop working.
    expect(codeOf(() => verifyRefresh(oldToken, configWith({ JWT_SECRETS: NEW }), at(T0 + 1)))).toBe('invalid_session');
  });
});

describe('random tokens and hashes', () => {
  it('makes 32-byte base64url secrets that differ', () => {
    const a = randomToken();
    const b = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('hashes with SHA-256 as hex', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('compares in constant time, including different lengths', () => {
    expect(constantTimeEqual('same-value', 'same-value')).toBe(true);
    expect(constantTimeEqual('same-value', 'same-valuf')).toBe(false);
    expect(constantTimeEqual('short', 'a-much-longer-value')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
