/**
 * JWT secrets: a token an access provider signed. Before its query's transaction, the engine
 * reads which database it is for (its `aud`) and which provider issued it (its `iss`), then
 * checks its signature against the provider's JWKS, fetched over HTTP(S) and cached, and its
 * `iss`, `aud`, `exp` and `nbf`, strictly. Anything wrong is Fauna's `unauthorized`, whatever it
 * was: a caller learns nothing about why.
 *
 * jose does the JOSE work (signature, key selection by `kid`, the claims, the JWKS cache with its
 * timeout and cool-down); nothing here parses a signature by hand.
 */

import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { AUDIENCE_PREFIX, dbOfGlobalId } from './eval/access-providers.ts';
import type { DbId } from './storage/types.ts';
import { makeObject, type ObjectValue, type Value } from './values.ts';

/** Asymmetric algorithms only: Fauna refused HS256/384/512, whose key a provider cannot publish. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** What a JWT says about itself before it is checked: enough to find its provider. */
export interface JwtClaimsToCheck {
  readonly db: DbId;
  readonly issuer: string;
  readonly audience: string;
}

export interface JwksOptions {
  /** How long a JWKS fetch may take. */
  readonly timeoutMs: number;
  /** After a fetch, how long an unknown `kid` waits before the JWKS is fetched again. */
  readonly cooldownMs: number;
  /** How long a fetched JWKS is used before it is fetched again. */
  readonly cacheMaxAgeMs: number;
  /** How many JWKS URIs are kept at once; the oldest goes first. */
  readonly maxSets: number;
}

/** A JWT's three base64url parts; an engine secret (`fn…`) never starts with `ey`, a JSON header always does. */
export function looksLikeJwt(secret: string): boolean {
  return /^ey[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(secret);
}

/**
 * The database and issuer a JWT names, unchecked, or null. Like Fauna, exactly one audience
 * must be a database's (`https://db.fauna.com/db/<global id>`).
 */
export function claimsToCheck(token: string): JwtClaimsToCheck | null {
  let payload: JWTPayload;
  try {
    payload = decodeJwt(token);
  } catch {
    return null;
  }
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
  const ours = audiences.filter((a) => a.startsWith(AUDIENCE_PREFIX));
  if (ours.length !== 1 || typeof payload.iss !== 'string') return null;
  const db = dbOfGlobalId(ours[0].slice(AUDIENCE_PREFIX.length));
  return db === null ? null : { db, issuer: payload.iss, audience: ours[0] };
}

type RemoteSet = ReturnType<typeof createRemoteJWKSet>;

/** Verifies JWTs against providers' key sets, one cached set per JWKS URI. */
export class JwksVerifier {
  private readonly sets = new Map<string, RemoteSet>();

  constructor(private readonly options: JwksOptions) {}

  /** The token's claims when it is valid for this provider at `now`, else null. */
  async verify(
    token: string,
    expected: { readonly issuer: string; readonly audience: string; readonly jwksUri: string },
    now: Date,
  ): Promise<ObjectValue | null> {
    try {
      const { payload } = await jwtVerify(token, this.setFor(expected.jwksUri), {
        issuer: expected.issuer,
        audience: expected.audience,
        algorithms: ALGORITHMS,
        currentDate: now,
        clockTolerance: 0,
      });
      return plainObject(payload);
    } catch {
      // A bad signature, an unknown key, a JWKS that cannot be fetched, an expired token: all unauthorized.
      return null;
    }
  }

  private setFor(uri: string): RemoteSet {
    const known = this.sets.get(uri);
    if (known !== undefined) return known;
    if (this.sets.size >= this.options.maxSets) this.sets.delete(this.sets.keys().next().value ?? '');
    const set = createRemoteJWKSet(new URL(uri), {
      timeoutDuration: this.options.timeoutMs,
      cooldownDuration: this.options.cooldownMs,
      cacheMaxAge: this.options.cacheMaxAgeMs,
    });
    this.sets.set(uri, set);
    return set;
  }
}

/** Claims as FQL values: JSON as it is (an `@ref` key stays a key; claims are data, not wire values). */
function plainObject(payload: JWTPayload): ObjectValue {
  return makeObject(Object.entries(payload).map(([k, v]) => [k, plainValue(v)] as const));
}

function plainValue(v: unknown): Value {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map(plainValue);
  if (typeof v === 'object') return makeObject(Object.entries(v).map(([k, x]) => [k, plainValue(x)] as const));
  return null;
}
