/**
 * Configuration, read once from the environment into one frozen, typed object, with every
 * default in this file. Handlers never read process.env. In production (NODE_ENV=production, or
 * CONTEXT=production) a missing secret fails at start with a message that names it.
 */

export interface Config {
  /** The site's own origin, e.g. https://example.netlify.app (no trailing slash). */
  readonly siteUrl: string;
  readonly siteOrigin: string;
  /** What pages and emails call the site (SITE_NAME; Netlify sets it to the site's name), else its host. */
  readonly siteName: string;
  /** Other origins allowed to make writes (POST, PUT, PATCH, DELETE). */
  readonly allowedOrigins: readonly string[];
  /** Cookies get `Secure` unless the site is plain http on localhost. */
  readonly secureCookies: boolean;
  readonly production: boolean;

  /** HMAC secrets for JWTs: the first signs, all verify (rotation without logging anyone out). */
  readonly jwtSecrets: readonly string[];
  readonly jwtIssuer: string;
  readonly jwtAudience: string;

  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly refreshGraceSeconds: number;
  readonly verifyTokenTtlSeconds: number;
  readonly resetTokenTtlSeconds: number;
  readonly magicLoginTtlSeconds: number;
  readonly magicSignupTtlSeconds: number;

  readonly loginMaxFailures: number;
  readonly loginFailureWindowSeconds: number;
  readonly emailsPerAddressPerHour: number;
  readonly emailMinIntervalSeconds: number;
  /** Magic-link requests from one IP address in an hour (a sign-up form is an open door). */
  readonly magicLinksPerIpPerHour: number;
  readonly passwordMinLength: number;
  /** bcrypt's limit: longer passwords are refused, never silently cut. */
  readonly passwordMaxBytes: number;
  readonly revealAccountStatus: boolean;

  /** The engine over HTTP (FAUNA_ENDPOINT), unless DATABASE_URL runs it in-process. */
  readonly faunaEndpoint: string;
  readonly faunaSecret: string;
  readonly databaseUrl: string | null;

  readonly postmarkServerToken: string;
  /** Where the Postmark client sends: Postmark itself, or the local mailbox in development. */
  readonly postmarkApiUrl: string;
  readonly emailFrom: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';
const DEV_POSTMARK_TOKEN = 'POSTMARK_API_TEST';

export function loadConfig(env: Env): Config {
  const production = env.NODE_ENV === 'production' || env.CONTEXT === 'production';
  const siteUrl = trimSlash(env.URL ?? 'http://localhost:8888');
  const origin = originOf(siteUrl, 'URL');
  const secret = (name: string, devDefault: string): string => {
    const value = env[name]?.trim();
    if (value) return value;
    if (production) throw new ConfigError(`${name} must be set in production (see README: environment variables).`);
    return devDefault;
  };
  const jwtSecrets = secret('JWT_SECRETS', DEV_JWT_SECRET).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (production && jwtSecrets.some((s) => Buffer.byteLength(s) < 32)) {
    throw new ConfigError('every JWT_SECRETS entry must be at least 32 bytes long.');
  }
  // The localhost engine is for development: production needs the engine in-process on
  // PostgreSQL (DATABASE_URL) or an engine server (FAUNA_ENDPOINT).
  if (production && !env.DATABASE_URL?.trim() && env.FAUNA_ENDPOINT === undefined) {
    throw new ConfigError('DATABASE_URL (or FAUNA_ENDPOINT) must be set in production (see README: environment variables).');
  }
  return Object.freeze({
    siteUrl,
    siteOrigin: origin,
    siteName: env.SITE_NAME?.trim() || new URL(siteUrl).host,
    allowedOrigins: Object.freeze(list(env.ALLOWED_ORIGINS).map((o) => originOf(o, 'ALLOWED_ORIGINS'))),
    secureCookies: !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin),
    production,
    jwtSecrets: Object.freeze(jwtSecrets),
    jwtIssuer: origin,
    jwtAudience: `${origin}/api/auth`,
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL_SECONDS', 15 * 60),
    refreshTokenTtlSeconds: int(env, 'REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600),
    refreshGraceSeconds: int(env, 'REFRESH_GRACE_SECONDS', 10),
    verifyTokenTtlSeconds: int(env, 'VERIFY_TOKEN_TTL_SECONDS', 24 * 3600),
    resetTokenTtlSeconds: int(env, 'RESET_TOKEN_TTL_SECONDS', 30 * 60),
    magicLoginTtlSeconds: int(env, 'MAGIC_LOGIN_TTL_SECONDS', 30 * 60),
    magicSignupTtlSeconds: int(env, 'MAGIC_SIGNUP_TTL_SECONDS', 8 * 3600),
    loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 5),
    loginFailureWindowSeconds: int(env, 'LOGIN_FAILURE_WINDOW_SECONDS', 15 * 60),
    emailsPerAddressPerHour: int(env, 'EMAILS_PER_ADDRESS_PER_HOUR', 3),
    emailMinIntervalSeconds: int(env, 'EMAIL_MIN_INTERVAL_SECONDS', 60),
    magicLinksPerIpPerHour: int(env, 'MAGIC_LINKS_PER_IP_PER_HOUR', 20),
    passwordMinLength: int(env, 'PASSWORD_MIN_LENGTH', 8),
    passwordMaxBytes: 72,
    revealAccountStatus: bool(env, 'REVEAL_ACCOUNT_STATUS', false),
    faunaEndpoint: trimSlash(env.FAUNA_ENDPOINT ?? 'http://127.0.0.1:8443'),
    faunaSecret: secret('FAUNA_SECRET', 'secret'),
    databaseUrl: env.DATABASE_URL?.trim() || null,
    postmarkServerToken: secret('POSTMARK_SERVER_TOKEN', DEV_POSTMARK_TOKEN),
    postmarkApiUrl: trimSlash(env.POSTMARK_API_URL ?? (production ? 'https://api.postmarkapp.com' : 'http://127.0.0.1:8025')),
    emailFrom: env.EMAIL_FROM?.trim() || (production ? required('EMAIL_FROM') : 'Auth <auth@localhost>'),
  });
}

let loaded: Config | undefined;

/** The process's configuration, read on first use (a function's cold start). */
export function config(): Config {
  loaded ??= loadConfig(process.env);
  return loaded;
}

function required(name: string): never {
  throw new ConfigError(`${name} must be set in production (see README: environment variables).`);
}

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new ConfigError(`${name} must be a whole number of at least 0, not '${raw}'.`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, not '${raw}'.`);
}

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function trimSlash(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

function originOf(url: string, name: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, not '${url}'.`);
  }
}
