/**
 * The session cookies' names, apart from cookies.ts so that the edge guard (Deno, no npm
 * packages: shared/edge) reads the same names without the `cookie` parser. cookies.ts re-exports
 * them; everything but the guard imports them from there.
 */

import type { Config } from './config.ts';

export const ACCESS_COOKIE = 'access_token';
export const REFRESH_COOKIE = 'refresh_token';

/** What a cookie's name may depend on: the edge guard builds it from its own settings. */
export type CookieNaming = Pick<Config, 'secureCookies'>;

/** The access cookie's name, for code that reads it without cookies.ts: the edge guard. */
export function accessCookieName(naming: CookieNaming): string {
  // One name in every mode for now; the parameter is there so that a name depending on the
  // mode (a __Host- prefix where cookies are Secure) reaches the guard without changing it.
  void naming;
  return ACCESS_COOKIE;
}
