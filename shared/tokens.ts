/**
 * Tokens: the session JWTs, and the random secrets the API mails or stores as hashes.
 *
 * JWTs are HS256 only, signed and verified with KeyObjects made once per secret list. The first
 * JWT_SECRETS entry signs and names itself in the `kid` header; every entry verifies, picked by
 * that `kid`, so a rotation ("new,old") logs no one out. `iss`, `aud`, `exp` and `typ` are all
 * required: `typ` keeps an access token from ever being accepted where a refresh token is due.
 * A token issued in the future (beyond a small clock skew), or living longer than this
 * configuration issues them for, is refused: only a holder of the key could make one, and the
 * key would then outlive its rotation through such a token (issue 19, item 12).
 *
 *   signAccess({ sub, sid }, config, { now? })        -> string
 *   signRefresh({ sub, sid, jti }, config, { now? })  -> string
 *   verifyAccess(token, config, { now? })   -> AccessClaims   or HttpError('unauthenticated')
 *   verifyRefresh(token, config, { now? })  -> RefreshClaims  or HttpError('invalid_session')
 *   randomToken() / sha256(text) / constantTimeEqual(a, b)
 *
 * `now` (seconds) exists so tests can expire tokens without waiting; endpoints leave it out.
 */

import { createHash, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from './config.ts';
import { HttpError } from './errors.ts';

export type TokenType = 'access' | 'refresh';

export interface AccessInput {
  /** The account's id. */
  readonly sub: string;
  /** The session's id. */
  readonly sid: string;
}

export interface RefreshInput extends AccessInput {
  /** The refresh token's own id: only its SHA-256 is stored. */
  readonly jti: string;
}

/**
 * What the access token says about its user, so that GET /session answers without a database
 * read: the price is that a revoked session's access token lives on until it expires (15 min).
 */
export interface UserClaims {
  readonly email: string;
  readonly emailVerified: boolean;
  readonly name: string | null;
  /** The account's roles when the token was signed: a change shows at the next refresh. */
  readonly roles: readonly string[];
}

export interface AccessClaims extends AccessInput {
  readonly typ: 'access';
  readonly user: UserClaims;
  readonly iat: number;
  readonly exp: number;
}

export interface RefreshClaims extends RefreshInput {
  readonly typ: 'refresh';
  readonly iat: number;
  readonly exp: number;
}

export interface TokenOptions {
  /** The current time in whole seconds since the epoch; defaults to the wall clock. */
  readonly now?: () => number;
}

const ALGORITHM = 'HS256';
/** Seconds an `iat` may lie ahead of this clock: servers' clocks differ a little. */
export const IAT_SKEW_SECONDS = 30;

interface Keyring {
  readonly signing: { readonly kid: string; readonly key: KeyObject };
  readonly byKid: ReadonlyMap<string, KeyObject>;
}

/** Keyed by the secret list itself, so a test's second config with other secrets gets its own ring. */
const keyrings = new Map<string, Keyring>();

function keyring(config: Config): Keyring {
  // Unambiguous: the secrets came from splitting JWT_SECRETS on commas.
  const cacheKey = config.jwtSecrets.join(',');
  let ring = keyrings.get(cacheKey);
  if (!ring) {
    ring = buildKeyring(config.jwtSecrets);
    keyrings.set(cacheKey, ring);
  }
  return ring;
}

function buildKeyring(secrets: readonly string[]): Keyring {
  if (secrets.length === 0) throw new Error('JWT_SECRETS holds no secret.');
  const keys = secrets.map((secret) => ({ kid: keyId(secret), key: createSecretKey(Buffer.from(secret)) }));
  return { signing: keys[0], byKid: new Map(keys.map((k) => [k.kid, k.key])) };
}

/**
 * A short public name for a secret. A hash of it reveals nothing a token's own HMAC does not:
 * anyone holding a token can already test guesses of the secret against its signature.
 */
export function keyId(secret: string): string {
  return createHash('sha256').update('jwt-kid:').update(secret).digest('base64url').slice(0, 12);
}

function wallClock(): number {
  return Math.floor(Date.now() / 1000);
}

function sign(
  payload: Readonly<Record<string, string | boolean | null | readonly string[]>>,
  ttlSeconds: number,
  config: Config,
  options: TokenOptions,
): string {
  const { kid, key } = keyring(config).signing;
  const iat = (options.now ?? wallClock)();
  return jwt.sign({ ...payload, iat, exp: iat + ttlSeconds }, key, {
    algorithm: ALGORITHM,
    keyid: kid,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  });
}

export function signAccess(input: AccessInput & { readonly user: UserClaims }, config: Config, options: TokenOptions = {}): string {
  const { email, emailVerified, name, roles } = input.user;
  return sign(
    { sub: input.sub, sid: input.sid, typ: 'access', email, email_verified: emailVerified, name, roles },
    config.accessTokenTtlSeconds,
    config,
    options,
  );
}

export function signRefresh(input: RefreshInput, config: Config, options: TokenOptions = {}): string {
  return sign({ sub: input.sub, sid: input.sid, jti: input.jti, typ: 'refresh' }, config.refreshTokenTtlSeconds, config, options);
}

/** Why a token was refused; only ever logged or used to pick a message, never shown in detail. */
type Refusal = 'expired' | 'invalid';

class TokenRefused extends Error {
  constructor(readonly reason: Refusal, detail: string) {
    super(detail);
  }
}

/** The `kid` from the header, read by hand: jsonwebtoken only hands the header to async key lookups. */
function headerKid(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
    if (typeof header !== 'object' || header === null || !('kid' in header)) return undefined;
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

interface Verified {
  readonly payload: Readonly<Record<string, unknown>>;
  readonly iat: number;
  readonly exp: number;
}

function verifyPayload(token: string, typ: TokenType, config: Config, options: TokenOptions): Verified {
  const now = (options.now ?? wallClock)();
  const kid = headerKid(token);
  const key = kid === undefined ? undefined : keyring(config).byKid.get(kid);
  if (!key) throw new TokenRefused('invalid', 'unknown or missing kid');
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, key, {
      algorithms: [ALGORITHM],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      clockTimestamp: now,
    });
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw new TokenRefused('expired', err.message);
    throw new TokenRefused('invalid', err instanceof Error ? err.message : String(err));
  }
  // jsonwebtoken only checks `exp` when present; a token without one would never expire.
  if (typeof payload !== 'object' || typeof payload.exp !== 'number' || typeof payload.iat !== 'number') {
    throw new TokenRefused('invalid', 'missing exp or iat');
  }
  if (payload.typ !== typ) throw new TokenRefused('invalid', `typ is not ${typ}`);
  if (payload.iat > now + IAT_SKEW_SECONDS) throw new TokenRefused('invalid', 'iat is in the future');
  const ttl = typ === 'access' ? config.accessTokenTtlSeconds : config.refreshTokenTtlSeconds;
  if (payload.exp - payload.iat > ttl) throw new TokenRefused('invalid', 'lives longer than this configuration issues tokens for');
  return { payload, iat: payload.iat, exp: payload.exp };
}

function stringClaim(payload: Readonly<Record<string, unknown>>, name: string): string {
  const value = payload[name];
  if (typeof value !== 'string' || value.length === 0) throw new TokenRefused('invalid', `missing ${name}`);
  return value;
}

/** A token without `roles` (signed before they existed) has none; a malformed list is refused. */
function rolesClaim(payload: Readonly<Record<string, unknown>>): readonly string[] {
  const value = payload.roles;
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((r): r is string => typeof r === 'string')) throw new TokenRefused('invalid', 'roles is not a list of strings');
  return value;
}

export function verifyAccess(token: string, config: Config, options: TokenOptions = {}): AccessClaims {
  try {
    const { payload: p, iat, exp } = verifyPayload(token, 'access', config, options);
    const user = {
      email: stringClaim(p, 'email'),
      emailVerified: p.email_verified === true,
      name: typeof p.name === 'string' ? p.name : null,
      roles: rolesClaim(p),
    };
    return { typ: 'access', sub: stringClaim(p, 'sub'), sid: stringClaim(p, 'sid'), user, iat, exp };
  } catch (err) {
    if (!(err instanceof TokenRefused)) throw err;
    throw new HttpError('unauthenticated');
  }
}

export function verifyRefresh(token: string, config: Config, options: TokenOptions = {}): RefreshClaims {
  try {
    const { payload: p, iat, exp } = verifyPayload(token, 'refresh', config, options);
    return { typ: 'refresh', sub: stringClaim(p, 'sub'), sid: stringClaim(p, 'sid'), jti: stringClaim(p, 'jti'), iat, exp };
  } catch (err) {
    if (!(err instanceof TokenRefused)) throw err;
    throw new HttpError('invalid_session');
  }
}

/** A fresh secret for a link or a refresh token: 32 random bytes, base64url. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored in place of a token. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Compares digests, so neither the contents nor the length of `a` and `b` leak through timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
