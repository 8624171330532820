/**
 * The edge guard's logic (netlify/edge-functions/auth-guard.ts): whether a request for a
 * protected page of the static site may go on. It runs in Netlify's edge runtime (Deno), so it
 * uses Web APIs only (Web Crypto, TextEncoder, atob): no Node module, no npm package. Node runs
 * the same code in the tests.
 *
 * An access token is accepted exactly when shared/tokens.ts would accept it: HS256 only, signed
 * by a JWT_SECRETS entry named by its `kid`, with the site's `iss` and `aud`, `typ` access, an
 * `exp` in the future and an `iat` that is not (beyond a small clock skew).
 *
 * Without a valid access token the guard cannot refresh by itself: the refresh cookie is scoped
 * to /api/auth and never reaches a page. It sends the browser to GET /api/auth/refresh/continue
 * instead, which refreshes and comes back, or goes on to the login page (functions/refresh-continue.ts).
 */

/** Where the guard sends a request without a valid access token. */
export const CONTINUE_PATH = '/api/auth/refresh/continue';
/** The demo's login page (public/index.html): the SPA reads `next` and goes there once logged in. */
export const LOGIN_PATH = '/';
/** Seconds an `iat` may lie ahead of this clock: the function that signed it runs on another machine. */
const IAT_SKEW_SECONDS = 30;
/** The development secret of shared/config.ts, used only where the site is plain-http localhost. */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';

export interface ProtectedPath {
  /** A path prefix, e.g. '/app/' (what the guard is mounted on in netlify.toml). */
  readonly prefix: string;
  /** A role the access token must carry; absent: any logged-in user. */
  readonly role?: string;
}

export interface GuardSettings {
  readonly secrets: readonly string[];
  readonly issuer: string;
  readonly audience: string;
  readonly paths: readonly ProtectedPath[];
}

export interface GuardUser {
  readonly id: string;
  readonly sessionId: string;
  readonly email: string;
  readonly roles: readonly string[];
}

export type GuardDecision =
  | { readonly kind: 'pass'; readonly user: GuardUser | null }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'forbidden'; readonly role: string };

/** The paths the demo protects; netlify.toml mounts the guard on the same prefixes. */
export const DEMO_PATHS: readonly ProtectedPath[] = [{ prefix: '/admin/', role: 'admin' }, { prefix: '/app/' }];

export class GuardConfigError extends Error {}

/**
 * The guard's settings from the site's environment: JWT_SECRETS as the functions read it, and the
 * site's URL for the issuer. The development secret is only ever used on plain-http localhost,
 * as shared/config.ts does; anywhere else a missing JWT_SECRETS is an error, never a default.
 */
export function guardSettings(env: (name: string) => string | undefined, siteUrl: string, paths: readonly ProtectedPath[] = DEMO_PATHS): GuardSettings {
  const origin = new URL((env('URL') ?? siteUrl).trim().replace(/\/+$/, '')).origin;
  const secrets = (env('JWT_SECRETS') ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (secrets.length === 0) {
    if (!/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin)) throw new GuardConfigError('JWT_SECRETS must be set for the edge guard.');
    secrets.push(DEV_JWT_SECRET);
  }
  return { secrets, issuer: origin, audience: `${origin}/api/auth`, paths };
}

/** Whether `text` holds a control character (U+0000 to U+001F) or a backslash. */
function hasControlOrBackslash(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 || unit === 0x5c) return true;
  }
  return false;
}

/** A same-site path to go back to after logging in, or '/' for anything else (no open redirect). */
export function safeNextPath(raw: string | null | undefined): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return '/';
  // '//host' and '/\host' are other sites to a browser; control characters are never a path.
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || hasControlOrBackslash(raw)) return '/';
  try {
    const url = new URL(raw, 'http://same.invalid');
    return url.host === 'same.invalid' ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}

/** What the guard answers a request for `url` carrying `accessToken` (the access cookie's value, if any). */
export async function decide(
  url: URL,
  accessToken: string | undefined,
  settings: GuardSettings,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<GuardDecision> {
  const rule = settings.paths.find((p) => url.pathname.startsWith(p.prefix) || url.pathname === p.prefix.replace(/\/$/, ''));
  if (rule === undefined) return { kind: 'pass', user: null };
  const user = accessToken === undefined ? null : await verifyAccessToken(accessToken, settings, nowSeconds);
  if (user === null) {
    const next = safeNextPath(`${url.pathname}${url.search}`);
    return { kind: 'redirect', location: `${CONTINUE_PATH}?next=${encodeURIComponent(next)}` };
  }
  if (rule.role !== undefined && !user.roles.includes(rule.role)) return { kind: 'forbidden', role: rule.role };
  return { kind: 'pass', user };
}

// ---- HS256 JWTs with Web Crypto ------------------------------------------------------------

const encoder = new TextEncoder();

interface Key {
  readonly kid: string;
  readonly key: CryptoKey;
}

/** Imported once per secret list (an isolate serves many requests). */
const keyrings = new Map<string, Promise<readonly Key[]>>();

function keyring(secrets: readonly string[]): Promise<readonly Key[]> {
  const cacheKey = secrets.join(',');
  let ring = keyrings.get(cacheKey);
  if (ring === undefined) {
    ring = Promise.all(secrets.map(importKey));
    keyrings.set(cacheKey, ring);
  }
  return ring;
}

async function importKey(secret: string): Promise<Key> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(`jwt-kid:${secret}`));
  const kid = base64url(new Uint8Array(digest)).slice(0, 12);
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return { kid, key };
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function jsonPart(text: string): Record<string, unknown> | null {
  const bytes = fromBase64url(text);
  if (bytes === null) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The token's user when it is a valid access token; null for anything else (the reason is not the guard's to tell). */
export async function verifyAccessToken(token: string, settings: GuardSettings, nowSeconds: number): Promise<GuardUser | null> {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = jsonPart(headerPart);
  if (header === null || header.alg !== 'HS256' || typeof header.kid !== 'string') return null;
  const signing = (await keyring(settings.secrets)).find((k) => k.kid === header.kid);
  const signature = fromBase64url(signaturePart);
  if (signing === undefined || signature === null) return null;
  const valid = await crypto.subtle.verify('HMAC', signing.key, signature, encoder.encode(`${headerPart}.${payloadPart}`));
  if (!valid) return null;
  const claims = jsonPart(payloadPart);
  return claims === null ? null : userOfClaims(claims, settings, nowSeconds);
}

function userOfClaims(c: Record<string, unknown>, settings: GuardSettings, now: number): GuardUser | null {
  const audiences = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (c.typ !== 'access' || c.iss !== settings.issuer || !audiences.includes(settings.audience)) return null;
  if (typeof c.exp !== 'number' || typeof c.iat !== 'number' || c.exp <= now || c.iat > now + IAT_SKEW_SECONDS) return null;
  if (typeof c.nbf === 'number' && c.nbf > now + IAT_SKEW_SECONDS) return null;
  if (typeof c.sub !== 'string' || c.sub === '' || typeof c.sid !== 'string' || c.sid === '' || typeof c.email !== 'string') return null;
  const roles = c.roles === undefined ? [] : c.roles;
  if (!Array.isArray(roles) || !roles.every((r): r is string => typeof r === 'string')) return null;
  return { id: c.sub, sessionId: c.sid, email: c.email, roles };
}

// ---- answers -----------------------------------------------------------------------------

const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
};

function page(status: number, title: string, text: string): Response {
  const body =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p><p><a href="/">Back to the site</a></p></body></html>`;
  return new Response(body, { status, headers: PAGE_HEADERS });
}

/** A redirect to continue at `location` (303: always a GET, whatever the request was). */
export function redirectResponse(location: string): Response {
  return new Response(null, { status: 303, headers: { Location: location, 'Cache-Control': 'no-store' } });
}

/** A page for a person (they followed a link), never a JSON body; the role's name is ours, not theirs. */
export function forbiddenResponse(role: string): Response {
  return page(403, 'Not for your account', `This part of the site needs the ${role.replace(/[^A-Za-z0-9_.:-]/g, '')} role.`);
}

export function misconfiguredResponse(): Response {
  return page(500, 'This page is unavailable', 'The site is not set up to check who you are. Please try again later.');
}

/** A page that is per user must not be kept by a shared cache. */
export function privatePage(response: Response): Response {
  const copy = new Response(response.body, response);
  copy.headers.set('Cache-Control', 'private, no-store');
  return copy;
}
