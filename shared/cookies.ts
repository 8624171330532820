/**
 * The two session cookies, exactly as ../shared/API.md lists them, parsed and written with the
 * `cookie` package. The refresh cookie is SameSite=Strict and scoped to /api/auth, so it never
 * travels with ordinary page loads; the access cookie is Lax so a link into the site keeps the
 * user logged in. `Secure` comes from config.secureCookies (off only for http://localhost and
 * http://127.0.0.1, where browsers would otherwise drop the cookies).
 *
 *   readCookies(req)                         -> { [name]: value }
 *   sessionTokens(req)                       -> { access?, refresh? }
 *   sessionCookies({ access, refresh }, cfg) -> [Set-Cookie, Set-Cookie]
 *   clearedCookies(cfg)                      -> [Set-Cookie, Set-Cookie] (Max-Age=0, same Path)
 */

import { parse, serialize, type SerializeOptions } from 'cookie';
import type { Config } from './config.ts';
import { ACCESS_COOKIE, REFRESH_COOKIE } from './cookie-names.ts';

export { ACCESS_COOKIE, REFRESH_COOKIE, accessCookieName, type CookieNaming } from './cookie-names.ts';
export const REFRESH_COOKIE_PATH = '/api/auth';

export type Cookies = Readonly<Record<string, string | undefined>>;


export function readCookies(req: Request): Cookies {
  const header = req.headers.get('cookie');
  return header ? parse(header) : {};
}

export interface SessionTokens {
  readonly access?: string;
  readonly refresh?: string;
}

/** The session cookies of a request; an empty value counts as absent. */
export function sessionTokens(req: Request): SessionTokens {
  const cookies = readCookies(req);
  return { access: cookies[ACCESS_COOKIE] || undefined, refresh: cookies[REFRESH_COOKIE] || undefined };
}

function accessOptions(config: Config, maxAge: number): SerializeOptions {
  return { httpOnly: true, secure: config.secureCookies, sameSite: 'lax', path: '/', maxAge };
}

function refreshOptions(config: Config, maxAge: number): SerializeOptions {
  return { httpOnly: true, secure: config.secureCookies, sameSite: 'strict', path: REFRESH_COOKIE_PATH, maxAge };
}

/** Both Set-Cookie values for a fresh pair of tokens; Max-Age matches each token's lifetime. */
export function sessionCookies(tokens: { readonly access: string; readonly refresh: string }, config: Config): [string, string] {
  return [
    serialize(ACCESS_COOKIE, tokens.access, accessOptions(config, config.accessTokenTtlSeconds)),
    serialize(REFRESH_COOKIE, tokens.refresh, refreshOptions(config, config.refreshTokenTtlSeconds)),
  ];
}

/** Removes both cookies: a browser only drops a cookie whose name and Path match, so the Paths are the same. */
export function clearedCookies(config: Config): [string, string] {
  return [
    serialize(ACCESS_COOKIE, '', accessOptions(config, 0)),
    serialize(REFRESH_COOKIE, '', refreshOptions(config, 0)),
  ];
}
