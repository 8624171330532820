import { describe, expect, it } from 'vitest';
import { developmentConfig } from '../test/support/config.ts';
import { ConfigError, loadConfig } from './config.ts';

const PRODUCTION_SECRETS = {
  CONTEXT: 'production',
  URL: 'https://example.netlify.app',
  JWT_SECRETS: 'a-production-secret-of-at-least-32-bytes!!',
  FAUNA_SECRET: 'fn-server-key',
  POSTMARK_SERVER_TOKEN: 'pm-token',
  EMAIL_FROM: 'Auth <auth@example.com>',
  DATABASE_URL: 'postgresql://auth@db.example.com/auth',
};

describe('loadConfig', () => {
  it("has API.md's defaults", () => {
    const c = developmentConfig();
    expect(c).toMatchObject({
      siteOrigin: 'http://localhost:8888',
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 30 * 24 * 3600,
      refreshGraceSeconds: 10,
      verifyTokenTtlSeconds: 24 * 3600,
      resetTokenTtlSeconds: 1800,
      magicLoginTtlSeconds: 1800,
      magicSignupTtlSeconds: 8 * 3600,
      loginMaxFailures: 5,
      loginFailureWindowSeconds: 900,
      emailsPerAddressPerHour: 3,
      emailMinIntervalSeconds: 60,
      passwordMinLength: 8,
      passwordMaxBytes: 72,
      revealAccountStatus: false,
      secureCookies: false,
      production: false,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads overrides, and keeps Secure cookies for any site that is not plain-http localhost', () => {
    const c = developmentConfig({ URL: 'https://site.example/', ACCESS_TOKEN_TTL_SECONDS: '60', REVEAL_ACCOUNT_STATUS: 'true', JWT_SECRETS: 'new, old' });
    expect(c.siteUrl).toBe('https://site.example');
    expect(c.secureCookies).toBe(true);
    expect(c.accessTokenTtlSeconds).toBe(60);
    expect(c.revealAccountStatus).toBe(true);
    expect(c.jwtSecrets).toEqual(['new', 'old']);
  });

  it('refuses malformed values with a message naming the variable', () => {
    expect(() => developmentConfig({ LOGIN_MAX_FAILURES: 'five' })).toThrow(/LOGIN_MAX_FAILURES/);
    expect(() => developmentConfig({ REVEAL_ACCOUNT_STATUS: 'maybe' })).toThrow(/REVEAL_ACCOUNT_STATUS/);
    expect(() => developmentConfig({ URL: 'not a url' })).toThrow(ConfigError);
  });

  it('in production, fails at start when a secret is missing, naming it', () => {
    expect(loadConfig(PRODUCTION_SECRETS).production).toBe(true);
    for (const name of ['JWT_SECRETS', 'FAUNA_SECRET', 'POSTMARK_SERVER_TOKEN', 'EMAIL_FROM'] as const) {
      const env: Record<string, string> = { ...PRODUCTION_SECRETS };
      delete env[name];
      expect(() => loadConfig(env)).toThrow(new RegExp(name));
    }
    expect(() => loadConfig({ ...PRODUCTION_SECRETS, JWT_SECRETS: 'short' })).toThrow(/32 bytes/);
  });

  it('in production, needs a database that is not the localhost default: DATABASE_URL or FAUNA_ENDPOINT', () => {
    const env: Record<string, string> = { ...PRODUCTION_SECRETS };
    delete env.DATABASE_URL;
    expect(() => loadConfig(env)).toThrow(/DATABASE_URL \(or FAUNA_ENDPOINT\) must be set/);
    expect(loadConfig({ ...env, FAUNA_ENDPOINT: 'https://fql.example.com' }).faunaEndpoint).toBe('https://fql.example.com');
    expect(loadConfig(PRODUCTION_SECRETS).databaseUrl).toBe('postgresql://auth@db.example.com/auth');
  });
});
