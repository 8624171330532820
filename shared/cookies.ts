/**
 * The session cookies (docs/API.md, "Cookies and tokens"), and the registration cookie that ties a sign-up to
 * its browser, parsed and written with the `cookie` package. The refresh cookie is
 * SameSite=Strict and scoped to /api/auth, so it never travels with ordinary page loads; the
 * access cookie is Lax so a link into the site keeps the user logged in. `Secure` comes from
 * config.secureCookies (off only for http://localhost and http://127.0.0.1, where browsers
 * would otherwise drop the cookies).
 *
 * Wherever cookies are Secure (every https site, so production), the names carry the browser's
 * prefixes: `__Host-access_token` (Secure, Path=/, no Domain: no other host, not even a sibling
 * subdomain, can set or shadow it), `__Secure-refresh_token` (Secure; `__Host-` would need
 * Path=/) and `__Host-signup_binding`. A request that carries one of these cookies twice is
 * refused (400 duplicate_cookie) rather than trusted with its first copy: a second copy is what
 * a cookie planted by another host, or for a longer Path, looks like (issue 19, item 10).
 *
 *   cookieNames(cfg)                         -> { access, refresh, signup }
 *   sessionTokens(req, cfg)                  -> { access?, refresh? }  or HttpError('duplicate_cookie')
 *   sessionCookies({ access, refresh }, cfg) -> [Set-Cookie, Set-Cookie]
 *   clearedCookies(cfg)                      -> [Set-Cookie, Set-Cookie] (Max-Age=0, same Path)
 *   signupCookie(value, cfg) / signupCookieValue(req, cfg) / clearedSignupCookie(cfg)
 */

import { parse, serialize, type SerializeOptions } from 'cookie';
import type { Config } from './config.ts';
import { HttpError } from './errors.ts';
import { cookieNames } from './cookie-names.ts';

export {
  ACCESS_COOKIE,
  REFRESH_COOKIE,
  SIGNUP_COOKIE,
  accessCookieName,
  cookieNames,
  type CookieNames,
  type CookieNaming,
} from './cookie-names.ts';
export const REFRESH_COOKIE_PATH = '/api/auth';

export type Cookies = Readonly<Record<string, string | undefined>>;

export function readCookies(req: Request): Cookies {
  const header = req.headers.get('cookie');
  return header ? parse(header) : {};
}

/** The value of one cookie; 400 duplicate_cookie when the request carries it more than once. */
function singleCookie(req: Request, name: string): string | undefined {
  const header = req.headers.get('cookie');
  if (!header) return undefined;
  const copies = header.split(';').filter((pair) => pair.split('=')[0].trim() === name).length;
  if (copies > 1) {
    throw new HttpError('duplicate_cookie', { message: `The request carries the cookie ${name} more than once. Clear this site's cookies and log in again.` });
  }
  return parse(header)[name] || undefined;
}

export interface SessionTokens {
  readonly access?: string;
  readonly refresh?: string;
}

/** The session cookies of a request; an empty value counts as absent. */
export function sessionTokens(req: Request, config: Config): SessionTokens {
  const names = cookieNames(config);
  return { access: singleCookie(req, names.access), refresh: singleCookie(req, names.refresh) };
}

function accessOptions(config: Config, maxAge: number): SerializeOptions {
  return { httpOnly: true, secure: config.secureCookies, sameSite: 'lax', path: '/', maxAge };
}

function refreshOptions(config: Config, maxAge: number): SerializeOptions {
  return { httpOnly: true, secure: config.secureCookies, sameSite: 'strict', path: REFRESH_COOKIE_PATH, maxAge };
}

/** Both Set-Cookie values for a fresh pair of tokens; Max-Age matches each token's lifetime. */
export function sessionCookies(tokens: { readonly access: string; readonly refresh: string }, config: Config): [string, string] {
  const names = cookieNames(config);
  return [
    serialize(names.access, tokens.access, accessOptions(config, config.accessTokenTtlSeconds)),
    serialize(names.refresh, tokens.refresh, refreshOptions(config, config.refreshTokenTtlSeconds)),
  ];
}

/** Removes both cookies: a browser only drops a cookie whose name and Path match, so the Paths are the same. */
export function clearedCookies(config: Config): [string, string] {
  const names = cookieNames(config);
  return [serialize(names.access, '', accessOptions(config, 0)), serialize(names.refresh, '', refreshOptions(config, 0))];
}

function signupOptions(config: Config, maxAge: number): SerializeOptions {
  // Lax, not Strict: the verification form is posted from a page reached through an email link.
  // Path=/ because `__Host-` demands it: no other host may plant this cookie.
  return { httpOnly: true, secure: config.secureCookies, sameSite: 'lax', path: '/', maxAge };
}

/** The registration cookie: lives as long as a verification link does. */
export function signupCookie(value: string, config: Config): string {
  return serialize(cookieNames(config).signup, value, signupOptions(config, config.verifyTokenTtlSeconds));
}

export function clearedSignupCookie(config: Config): string {
  return serialize(cookieNames(config).signup, '', signupOptions(config, 0));
}

/** The registration cookie of a request, if it has exactly one. */
export function signupCookieValue(req: Request, config: Config): string | undefined {
  return singleCookie(req, cookieNames(config).signup);
}
