/**
 * Configuration, read once from the environment into one frozen, typed object, with every
 * default and every check in this file: a value that is missing, malformed or out of range
 * fails here, as a ConfigError naming the variable, never later inside a request.
 *
 * Development is declared, never assumed: its defaults (a JWT secret that ships in this repo,
 * the local engine and mailbox) apply only under `netlify dev` (NETLIFY_DEV=true, which it
 * sets for the functions) or with FQL_AUTH_DEV=1 (what `npm run dev` and the tests set), and
 * never with NODE_ENV=production or CONTEXT=production. Everything else is production, where a
 * missing secret fails at start with a message that names it.
 */

import { secureCookiesFor } from './cookie-names.ts';

/** What reaching the database needs: the part of the configuration `npm run schema` reads. */
export interface DatabaseConfig {
  readonly production: boolean;
  /** The engine over HTTP (FAUNA_ENDPOINT), unless DATABASE_URL runs it in-process. */
  readonly faunaEndpoint: string;
  readonly faunaSecret: string;
  readonly databaseUrl: string | null;
  /** Every query is answered within this, or the operation answers 503 db_unavailable. */
  readonly queryTimeoutMs: number;
}

export interface Config extends DatabaseConfig {
  /** The site's own origin, e.g. https://example.netlify.app (no trailing slash). */
  readonly siteUrl: string;
  readonly siteOrigin: string;
  /** What pages and emails call the site (SITE_NAME; Netlify sets it to the site's name), else its host. */
  readonly siteName: string;
  /** Other origins allowed to make writes (POST, PUT, PATCH, DELETE). */
  readonly allowedOrigins: readonly string[];
  /** Cookies get `Secure` unless the site is plain http on localhost. */
  readonly secureCookies: boolean;

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

  /** Failed logins for one address from one IP address within the window, then 429 there. */
  readonly loginMaxFailures: number;
  /** Failed logins for one address from anywhere: much higher, so that it takes many IPs to lock the owner out. */
  readonly loginMaxFailuresPerAccount: number;
  /** Failed logins from one IP address, whatever the addresses (guessing across accounts). */
  readonly loginMaxFailuresPerIp: number;
  readonly loginFailureWindowSeconds: number;
  readonly emailsPerAddressPerHour: number;
  readonly emailMinIntervalSeconds: number;
  /** Magic-link requests from one IP address in an hour (a sign-up form is an open door). */
  readonly magicLinksPerIpPerHour: number;
  /** Requests from one IP address in an hour to register, password/forgot and verify/resend (each may send an email). */
  readonly emailsPerIpPerHour: number;
  readonly passwordMinLength: number;
  /** bcrypt's limit: longer passwords are refused, never silently cut. */
  readonly passwordMaxBytes: number;
  readonly revealAccountStatus: boolean;
  /** Verified addresses that get the admin role when they log in (lower-cased): the first admin. */
  readonly adminEmails: readonly string[];
  /** `invite`: only an admin's invitation creates an account (register refuses; magic sign-up needs one). */
  readonly registration: RegistrationMode;
  /** How long an invitation link works (single use). */
  readonly invitationTtlSeconds: number;
  /** How long the "this wasn't me" link of a security email works (single use). */
  readonly securityLinkTtlSeconds: number;
  /** Audit entries are removed (their document ttl) this many days after they are written. */
  readonly auditRetentionDays: number;

  readonly postmarkServerToken: string;
  /** Where the Postmark client sends: Postmark itself, or the local mailbox in development. */
  readonly postmarkApiUrl: string;
  readonly emailFrom: string;
}

export type RegistrationMode = 'open' | 'invite';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Ships in this repository, so it may sign only in development, and is refused in production. */
const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';
const DEV_POSTMARK_TOKEN = 'POSTMARK_API_TEST';

const SEE_README = '(see README: environment variables). Development defaults apply only under netlify dev (NETLIFY_DEV=true) or with FQL_AUTH_DEV=1.';

interface IntSetting {
  readonly fallback: number;
  readonly min: number;
  readonly max: number;
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * Every numeric setting, its default and the range it must be in. The ranges keep each value
 * sound (a lifetime of at least a minute, a limit of at least one) and within what a query may
 * page through: a limit is read as one page of that many events, and the engine refuses a page
 * over 100000.
 */
export const INT_SETTINGS = {
  ACCESS_TOKEN_TTL_SECONDS: { fallback: 15 * MINUTE, min: MINUTE, max: DAY },
  REFRESH_TOKEN_TTL_SECONDS: { fallback: 30 * DAY, min: MINUTE, max: 365 * DAY },
  REFRESH_GRACE_SECONDS: { fallback: 10, min: 0, max: 5 * MINUTE },
  VERIFY_TOKEN_TTL_SECONDS: { fallback: DAY, min: MINUTE, max: 7 * DAY },
  RESET_TOKEN_TTL_SECONDS: { fallback: 30 * MINUTE, min: MINUTE, max: DAY },
  MAGIC_LOGIN_TTL_SECONDS: { fallback: 30 * MINUTE, min: MINUTE, max: DAY },
  MAGIC_SIGNUP_TTL_SECONDS: { fallback: 8 * HOUR, min: MINUTE, max: 7 * DAY },
  LOGIN_MAX_FAILURES: { fallback: 5, min: 1, max: 1000 },
  LOGIN_MAX_FAILURES_PER_ACCOUNT: { fallback: 50, min: 1, max: 10_000 },
  LOGIN_MAX_FAILURES_PER_IP: { fallback: 20, min: 1, max: 10_000 },
  LOGIN_FAILURE_WINDOW_SECONDS: { fallback: 15 * MINUTE, min: MINUTE, max: DAY },
  EMAILS_PER_ADDRESS_PER_HOUR: { fallback: 3, min: 1, max: 1000 },
  EMAIL_MIN_INTERVAL_SECONDS: { fallback: 60, min: 0, max: HOUR },
  MAGIC_LINKS_PER_IP_PER_HOUR: { fallback: 20, min: 1, max: 10_000 },
  EMAILS_PER_IP_PER_HOUR: { fallback: 20, min: 1, max: 10_000 },
  PASSWORD_MIN_LENGTH: { fallback: 8, min: 8, max: 64 },
  INVITATION_TTL_HOURS: { fallback: 7 * 24, min: 1, max: 30 * 24 },
  // At most a week: security links are email_tokens, whose collection keeps nothing longer.
  SECURITY_LINK_TTL_SECONDS: { fallback: 7 * DAY, min: HOUR, max: 7 * DAY },
  AUDIT_RETENTION_DAYS: { fallback: 90, min: 1, max: 3650 },
  // Well inside a Netlify function's limit (10 s by default, 26 s at most), so a query that
  // gets no answer still ends in a 503 the client sees, not in the platform's own timeout.
  QUERY_TIMEOUT_MS: { fallback: 8000, min: 100, max: 25_000 },
} as const satisfies Record<string, IntSetting>;

export type IntSettingName = keyof typeof INT_SETTINGS;

/** Whether this environment runs as production: unless development is declared, it does. */
export function isProduction(env: Env): boolean {
  if (env.NODE_ENV === 'production' || env.CONTEXT === 'production') return true;
  return !(env.NETLIFY_DEV === 'true' || env.FQL_AUTH_DEV === '1');
}

export function loadDatabaseConfig(env: Env): DatabaseConfig {
  const production = isProduction(env);
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl !== null) checkDatabaseUrl(databaseUrl);
  const endpoint = env.FAUNA_ENDPOINT?.trim();
  // The localhost engine is for development: production needs the engine in-process on
  // PostgreSQL (DATABASE_URL) or an engine server (FAUNA_ENDPOINT).
  if (production && databaseUrl === null && !endpoint) {
    throw new ConfigError(`DATABASE_URL (or FAUNA_ENDPOINT) must be set in production ${SEE_README}`);
  }
  const faunaEndpoint = trimSlash(endpoint || 'http://127.0.0.1:8443');
  checkHttpUrl(faunaEndpoint, 'FAUNA_ENDPOINT');
  const faunaSecret = secret(env, production, 'FAUNA_SECRET', 'secret');
  if (databaseUrl !== null && faunaSecret.includes(':')) {
    throw new ConfigError("FAUNA_SECRET may not contain ':' when DATABASE_URL runs the engine in-process (it is the engine's admin secret).");
  }
  return { production, faunaEndpoint, faunaSecret, databaseUrl, queryTimeoutMs: int(env, 'QUERY_TIMEOUT_MS') };
}

export function loadConfig(env: Env): Config {
  const database = loadDatabaseConfig(env);
  const { production } = database;
  const siteUrl = trimSlash(env.URL ?? 'http://localhost:8888');
  const origin = originOf(siteUrl, 'URL');
  const jwtSecrets = secret(env, production, 'JWT_SECRETS', DEV_JWT_SECRET).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (production && jwtSecrets.some((s) => Buffer.byteLength(s) < 32)) {
    throw new ConfigError('every JWT_SECRETS entry must be at least 32 bytes long.');
  }
  if (production && jwtSecrets.includes(DEV_JWT_SECRET)) {
    throw new ConfigError('JWT_SECRETS holds the development secret, which is public (it ships in the repository): use secrets of your own in production.');
  }
  const postmarkApiUrl = trimSlash(env.POSTMARK_API_URL ?? (production ? 'https://api.postmarkapp.com' : 'http://127.0.0.1:8025'));
  checkHttpUrl(postmarkApiUrl, 'POSTMARK_API_URL');
  return Object.freeze({
    ...database,
    siteUrl,
    siteOrigin: origin,
    siteName: env.SITE_NAME?.trim() || new URL(siteUrl).host,
    allowedOrigins: Object.freeze(list(env.ALLOWED_ORIGINS).map((o) => originOf(o, 'ALLOWED_ORIGINS'))),
    secureCookies: secureCookiesFor(origin),
    jwtSecrets: Object.freeze(jwtSecrets),
    jwtIssuer: origin,
    jwtAudience: `${origin}/api/auth`,
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL_SECONDS'),
    refreshTokenTtlSeconds: int(env, 'REFRESH_TOKEN_TTL_SECONDS'),
    refreshGraceSeconds: int(env, 'REFRESH_GRACE_SECONDS'),
    verifyTokenTtlSeconds: int(env, 'VERIFY_TOKEN_TTL_SECONDS'),
    resetTokenTtlSeconds: int(env, 'RESET_TOKEN_TTL_SECONDS'),
    magicLoginTtlSeconds: int(env, 'MAGIC_LOGIN_TTL_SECONDS'),
    magicSignupTtlSeconds: int(env, 'MAGIC_SIGNUP_TTL_SECONDS'),
    loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES'),
    loginMaxFailuresPerAccount: int(env, 'LOGIN_MAX_FAILURES_PER_ACCOUNT'),
    loginMaxFailuresPerIp: int(env, 'LOGIN_MAX_FAILURES_PER_IP'),
    loginFailureWindowSeconds: int(env, 'LOGIN_FAILURE_WINDOW_SECONDS'),
    emailsPerAddressPerHour: int(env, 'EMAILS_PER_ADDRESS_PER_HOUR'),
    emailMinIntervalSeconds: int(env, 'EMAIL_MIN_INTERVAL_SECONDS'),
    magicLinksPerIpPerHour: int(env, 'MAGIC_LINKS_PER_IP_PER_HOUR'),
    emailsPerIpPerHour: int(env, 'EMAILS_PER_IP_PER_HOUR'),
    passwordMinLength: int(env, 'PASSWORD_MIN_LENGTH'),
    passwordMaxBytes: 72,
    revealAccountStatus: bool(env, 'REVEAL_ACCOUNT_STATUS', false),
    adminEmails: Object.freeze(emails(env.ADMIN_EMAILS, 'ADMIN_EMAILS')),
    registration: registrationMode(env),
    invitationTtlSeconds: int(env, 'INVITATION_TTL_HOURS') * HOUR,
    securityLinkTtlSeconds: int(env, 'SECURITY_LINK_TTL_SECONDS'),
    auditRetentionDays: int(env, 'AUDIT_RETENTION_DAYS'),
    postmarkServerToken: secret(env, production, 'POSTMARK_SERVER_TOKEN', DEV_POSTMARK_TOKEN),
    postmarkApiUrl,
    emailFrom: secret(env, production, 'EMAIL_FROM', 'Auth <auth@localhost>'),
  });
}

let loaded: Config | undefined;

/** The process's configuration, read on first use (a function's cold start). */
export function config(): Config {
  loaded ??= loadConfig(process.env);
  return loaded;
}

/** A value that production must be given; development falls back to its default. */
function secret(env: Env, production: boolean, name: string, devDefault: string): string {
  const value = env[name]?.trim();
  if (value) return value;
  if (production) throw new ConfigError(`${name} must be set in production ${SEE_README}`);
  return devDefault;
}

function int(env: Env, name: IntSettingName): number {
  const { fallback, min, max } = INT_SETTINGS[name];
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not '${raw}'.`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, not '${raw}'.`);
}

function registrationMode(env: Env): RegistrationMode {
  const raw = env.REGISTRATION?.trim().toLowerCase();
  if (!raw) return 'open';
  if (raw === 'open' || raw === 'invite') return raw;
  throw new ConfigError(`REGISTRATION must be open or invite, not '${raw}'.`);
}

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function emails(raw: string | undefined, name: string): string[] {
  const values = list(raw).map((e) => e.toLowerCase());
  const bad = values.find((e) => !/^[^\s@]+@[^\s@]+$/.test(e));
  if (bad !== undefined) throw new ConfigError(`${name} must be a comma-separated list of email addresses, not '${bad}'.`);
  return values;
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

function checkHttpUrl(url: string, name: string): void {
  const protocol = protocolOf(url);
  if (protocol !== 'http:' && protocol !== 'https:') throw new ConfigError(`${name} must be an http:// or https:// URL, not '${url}'.`);
}

function checkDatabaseUrl(url: string): void {
  const protocol = protocolOf(url);
  // Never the URL itself in the message: it holds the database password.
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL.');
}

function protocolOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}
