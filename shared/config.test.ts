import { describe, expect, it } from 'vitest';
import { developmentConfig } from '../test/support/config.ts';
import { ConfigError, INT_SETTINGS, loadConfig, loadDatabaseConfig, type Config } from './config.ts';

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

  it('REGISTRATION is open by default, or invite; invitation and security-link lifetimes have defaults and ranges', () => {
    const c = developmentConfig({});
    expect([c.registration, c.invitationTtlSeconds, c.securityLinkTtlSeconds]).toEqual(['open', 7 * 86_400, 7 * 86_400]);
    const d = developmentConfig({ REGISTRATION: ' Invite ', INVITATION_TTL_HOURS: '48', SECURITY_LINK_TTL_SECONDS: '3600' });
    expect([d.registration, d.invitationTtlSeconds, d.securityLinkTtlSeconds]).toEqual(['invite', 48 * 3600, 3600]);
    expect(() => developmentConfig({ REGISTRATION: 'closed' })).toThrow(/REGISTRATION must be open or invite/);
    expect(() => developmentConfig({ INVITATION_TTL_HOURS: '0' })).toThrow(/INVITATION_TTL_HOURS must be a whole number from 1 to 720/);
    expect(() => developmentConfig({ SECURITY_LINK_TTL_SECONDS: '604801' })).toThrow(/SECURITY_LINK_TTL_SECONDS/);
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

describe('development is declared, never assumed (issue 19)', () => {
  const DEPLOYED = { ...PRODUCTION_SECRETS } as Record<string, string>;
  delete DEPLOYED.CONTEXT;

  it('a deploy that says nothing is production: without JWT_SECRETS it fails at start, naming it', () => {
    const env = { ...DEPLOYED };
    delete env.JWT_SECRETS;
    expect(() => loadConfig(env)).toThrow(/JWT_SECRETS must be set in production/);
    expect(loadConfig(DEPLOYED).production).toBe(true);
    // Whatever NODE_ENV says, unless it says production: only the two declarations count.
    expect(() => loadConfig({ ...env, NODE_ENV: 'development' })).toThrow(/JWT_SECRETS must be set in production/);
  });

  it('netlify dev (NETLIFY_DEV=true) and the launcher (FQL_AUTH_DEV=1) declare development', () => {
    expect(loadConfig({ NETLIFY_DEV: 'true' }).production).toBe(false);
    expect(loadConfig({ FQL_AUTH_DEV: '1' }).production).toBe(false);
    expect(() => loadConfig({ NETLIFY_DEV: '1' })).toThrow(ConfigError);
    expect(() => loadConfig({ FQL_AUTH_DEV: 'true' })).toThrow(ConfigError);
  });

  it('production declared outright wins over a development declaration', () => {
    for (const declared of [{ NODE_ENV: 'production' }, { CONTEXT: 'production' }]) {
      expect(() => loadConfig({ NETLIFY_DEV: 'true', FQL_AUTH_DEV: '1', ...declared })).toThrow(/must be set in production/);
    }
  });

  it('the development JWT secret, which ships in the repository, never verifies anything in production', () => {
    const dev = developmentConfig();
    expect(dev.jwtSecrets).toHaveLength(1);
    for (const secrets of [dev.jwtSecrets[0], `a-production-secret-of-at-least-32-bytes!!,${dev.jwtSecrets[0]}`]) {
      expect(() => loadConfig({ ...DEPLOYED, JWT_SECRETS: secrets })).toThrow(/development secret/);
    }
  });
});

describe('every setting is checked when it is read', () => {
  it('LOGIN_MAX_FAILURES=1000000 (a page the engine would refuse at every login) fails at start, naming its range', () => {
    expect(() => developmentConfig({ LOGIN_MAX_FAILURES: '1000000' })).toThrow(
      new ConfigError("LOGIN_MAX_FAILURES must be a whole number from 1 to 1000, not '1000000'."),
    );
  });

  it('every numeric setting takes its bounds and refuses what is past them or not a whole number', () => {
    for (const [name, { fallback, min, max }] of Object.entries(INT_SETTINGS)) {
      const read = (raw: string): Config => developmentConfig({ [name]: raw });
      expect(fallback, name).toBeGreaterThanOrEqual(min);
      expect(fallback, name).toBeLessThanOrEqual(max);
      expect(() => read(String(min)), name).not.toThrow();
      expect(() => read(String(max)), name).not.toThrow();
      for (const bad of [String(max + 1), ...(min > 0 ? [String(min - 1)] : []), '-1', '1.5', '1e3', '0x10', 'ten']) {
        expect(() => read(bad), `${name}=${bad}`).toThrow(new ConfigError(`${name} must be a whole number from ${min} to ${max}, not '${bad}'.`));
      }
    }
  });

  it('FAUNA_ENDPOINT and POSTMARK_API_URL must be http(s) URLs, at load', () => {
    for (const name of ['FAUNA_ENDPOINT', 'POSTMARK_API_URL']) {
      for (const bad of ['ftp://127.0.0.1:21', 'not a url', '127.0.0.1:8443']) {
        expect(() => developmentConfig({ [name]: bad }), `${name}=${bad}`).toThrow(
          new ConfigError(`${name} must be an http:// or https:// URL, not '${bad}'.`),
        );
      }
      expect(() => developmentConfig({ [name]: 'https://example.com:8443' })).not.toThrow();
    }
  });

  it("FAUNA_SECRET may not hold ':' when it is the in-process engine's admin secret; DATABASE_URL must be PostgreSQL's, and is never echoed", () => {
    expect(() => developmentConfig({ DATABASE_URL: 'postgresql://127.0.0.1/auth', FAUNA_SECRET: 'a:b' })).toThrow(ConfigError);
    expect(developmentConfig({ FAUNA_SECRET: 'a:b' }).faunaSecret).toBe('a:b');
    const err = (() => {
      try {
        developmentConfig({ DATABASE_URL: 'mysql://app:hunter2@db.example.com/auth' });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).not.toContain('hunter2');
  });

  it('npm run schema reads only what reaching the database needs', () => {
    expect(loadDatabaseConfig({ DATABASE_URL: 'postgresql://auth@db.example.com/auth', FAUNA_SECRET: 'admin' })).toMatchObject({
      production: true,
      queryTimeoutMs: 8000,
    });
    expect(() => loadDatabaseConfig({ DATABASE_URL: 'postgresql://auth@db.example.com/auth' })).toThrow(/FAUNA_SECRET must be set in production/);
  });
});
