/**
 * Who is asking, for the site's own functions: the access token of a request, from the access
 * cookie or from `Authorization: Bearer <token>` (for clients that are not browsers), verified by
 * shared/tokens.ts exactly as GET /api/auth/session does. No database is read: a revoked session's
 * token stays good until it expires (ACCESS_TOKEN_TTL_SECONDS); requireFreshSession asks the
 * database when that matters.
 *
 *   getUser(req)            -> SiteUser | null
 *   requireUser(req)        -> SiteUser, or throws a 401 Response (the API's error envelope)
 *   requireRole(req, role)  -> SiteUser, or throws a 401 (nobody) or 403 (not that role) Response
 */

import { config as processConfig, type Config } from '../config.ts';
import { sessionTokens } from '../cookies.ts';
import { HttpError } from '../errors.ts';
import type { User } from '../fql/sessions.ts';
import { errorResponse } from '../http.ts';
import { verifyAccess } from '../tokens.ts';

/** The user of a request, as its access token says. */
export interface SiteUser extends User {
  readonly sessionId: string;
  /** When the access token expires: a client past it refreshes (public/auth-client.js does). */
  readonly expiresAt: Date;
  /** Where the token came from. */
  readonly via: 'cookie' | 'bearer';
}

interface PresentedToken {
  readonly token: string;
  readonly via: 'cookie' | 'bearer';
}

/** RFC 6750's b64token: what may follow "Bearer ". */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The bearer token when the request has one, else the access cookie. A malformed Bearer header
 * is a refusal, not a reason to fall back on the cookie; another scheme (Basic, for a proxy in
 * front of a preview) leaves the cookie to decide.
 */
function presentedToken(req: Request, config: Config): PresentedToken | null {
  const header = req.headers.get('authorization');
  if (header !== null && /^bearer(\s|$)/i.test(header.trim())) {
    const match = BEARER.exec(header.trim());
    if (match === null) throw new HttpError('unauthenticated', { message: 'The Authorization header is not a valid Bearer token.' });
    return { token: match[1], via: 'bearer' };
  }
  const cookie = sessionTokens(req, config).access;
  return cookie === undefined ? null : { token: cookie, via: 'cookie' };
}

/** The verified user of a request, or HttpError('unauthenticated'). */
export function userOfRequest(req: Request, config: Config = processConfig()): SiteUser {
  const presented = presentedToken(req, config);
  if (presented === null) throw new HttpError('unauthenticated');
  const claims = verifyAccess(presented.token, config);
  return { id: claims.sub, ...claims.user, sessionId: claims.sid, expiresAt: new Date(claims.exp * 1000), via: presented.via };
}

/** The user, or null when the request carries no valid access token (for pages that work either way). */
export function getUser(req: Request, config?: Config): SiteUser | null {
  try {
    return userOfRequest(req, config);
  } catch (err) {
    if (err instanceof HttpError) return null;
    throw err;
  }
}

/** The user, or a thrown 401 Response in the API's error envelope. */
export function requireUser(req: Request, config?: Config): SiteUser {
  try {
    return userOfRequest(req, config);
  } catch (err) {
    throw refusal(err, req);
  }
}

/** The user if their token carries `role`; else a thrown 401 (no user) or 403 forbidden Response. */
export function requireRole(req: Request, role: string, config?: Config): SiteUser {
  const user = requireUser(req, config);
  if (!user.roles.includes(role)) throw errorResponse(new HttpError('forbidden', { message: `This needs the '${role}' role.` }));
  return user;
}

/**
 * An HttpError as the Response to throw. A client that sent a bearer token is told how to
 * authenticate (RFC 6750); a browser is not, so that it shows no login dialog.
 */
export function refusal(err: unknown, req: Request): unknown {
  if (!(err instanceof HttpError)) return err;
  const response = errorResponse(err);
  if (err.status === 401 && req.headers.has('authorization')) response.headers.set('WWW-Authenticate', 'Bearer error="invalid_token"');
  return response;
}
