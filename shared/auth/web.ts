/**
 * The glue between a request and the auth operations: who is asking (from the cookies), and
 * the Set-Cookie headers of a fresh or ended session. Endpoints stay a few lines each because
 * everything they share lives here and in their request context (shared/endpoint.ts).
 */

import type { Config } from '../config.ts';
import { clearedCookies, sessionCookies, sessionTokens } from '../cookies.ts';
import { HttpError } from '../errors.ts';
import { json, seeOther, type ParsedBody } from '../http.ts';
import { signAccess, signRefresh, verifyAccess, verifyRefresh } from '../tokens.ts';
import type { User } from '../fql/sessions.ts';
import type { Established, SessionClaims } from './sessions.ts';

/** The two Set-Cookie headers of a session that was just started or refreshed. */
export function cookiesFor(session: Established, config: Config): { 'Set-Cookie': readonly string[] } {
  const claims = { sub: session.user.id, sid: session.sessionId };
  const access = signAccess({ ...claims, user: session.user }, config);
  const refresh = signRefresh({ ...claims, jti: session.refreshJti }, config);
  return { 'Set-Cookie': sessionCookies({ access, refresh }, config) };
}

/**
 * The answer to a link that started a session (a magic link, an invitation): a form goes to the
 * site's home page with the session's cookies (303), JSON gets `status` and the user.
 */
export function linkSessionAnswer(kind: ParsedBody['kind'], session: Established, config: Config, status: 200 | 201): Response {
  const headers = cookiesFor(session, config);
  return kind === 'form' ? seeOther(`${config.siteUrl}/`, { headers }) : json(status, { user: session.user }, { headers });
}

export function clearingCookies(config: Config): { 'Set-Cookie': readonly string[] } {
  return { 'Set-Cookie': clearedCookies(config) };
}

/** The session of a request's access cookie, or 401 unauthenticated. */
export function accessSession(req: Request, config: Config): SessionClaims & { readonly expiresAt: number; readonly user: User } {
  const token = sessionTokens(req, config).access;
  if (!token) throw new HttpError('unauthenticated', { message: 'Log in first.' });
  const claims = verifyAccess(token, config);
  const { email, emailVerified, name, roles } = claims.user;
  return { accountId: claims.sub, sessionId: claims.sid, expiresAt: claims.exp, user: { id: claims.sub, email, emailVerified, name, roles } };
}

/** The refresh token of a request's refresh cookie, or 401 invalid_session (and its cookies cleared). */
export function refreshSessionClaims(req: Request, config: Config): SessionClaims & { readonly jti: string } {
  const token = sessionTokens(req, config).refresh;
  try {
    if (!token) throw new HttpError('invalid_session');
    const claims = verifyRefresh(token, config);
    return { accountId: claims.sub, sessionId: claims.sid, jti: claims.jti };
  } catch (err) {
    throw withClearedCookies(err, config);
  }
}

/** The session a logout ends: the access cookie's, else the refresh cookie's, else none (logging out always succeeds). */
export function sessionToEnd(req: Request, config: Config): SessionClaims | null {
  for (const read of [() => accessSession(req, config), () => refreshSessionClaims(req, config)]) {
    try {
      const { accountId, sessionId } = read();
      return { accountId, sessionId };
    } catch {
      // Not this cookie: try the next.
    }
  }
  return null;
}

/** An answer that ends a session also clears its cookies. */
export function withClearedCookies(err: unknown, config: Config): unknown {
  if (!(err instanceof HttpError)) return err;
  if (err.code !== 'invalid_session' && err.code !== 'token_reuse') return err;
  return new HttpError(err.code, { message: err.message, headers: { ...err.headers, ...clearingCookies(config) } });
}

/** The User-Agent, bounded: it is stored with the session. */
export function userAgentOf(req: Request): string {
  return (req.headers.get('user-agent') ?? 'unknown').slice(0, 512);
}
