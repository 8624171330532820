/**
 * The cookies' names, apart from cookies.ts so that the edge guard (Deno, no npm packages:
 * shared/edge) reads the same names without the `cookie` parser. cookies.ts re-exports them;
 * everything but the guard imports them from there.
 *
 * Wherever cookies are Secure, the names carry the browser's prefixes (cookies.ts says why):
 * `__Host-access_token`, `__Secure-refresh_token`, `__Host-signup_binding`.
 */

import type { Config } from './config.ts';

export const ACCESS_COOKIE = 'access_token';
export const REFRESH_COOKIE = 'refresh_token';
/** Set by register, read by the verification form's POST. */
export const SIGNUP_COOKIE = 'signup_binding';

/** What a cookie's name depends on: the edge guard builds it from its own settings. */
export type CookieNaming = Pick<Config, 'secureCookies'>;

export interface CookieNames {
  readonly access: string;
  readonly refresh: string;
  readonly signup: string;
}

/** Whether a site's cookies are Secure: everywhere but http://localhost and http://127.0.0.1. */
export function secureCookiesFor(origin: string): boolean {
  return !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin);
}

export function cookieNames(naming: CookieNaming): CookieNames {
  if (!naming.secureCookies) return { access: ACCESS_COOKIE, refresh: REFRESH_COOKIE, signup: SIGNUP_COOKIE };
  return { access: `__Host-${ACCESS_COOKIE}`, refresh: `__Secure-${REFRESH_COOKIE}`, signup: `__Host-${SIGNUP_COOKIE}` };
}

/** The access cookie's name, for code that reads it without cookies.ts: the edge guard. */
export function accessCookieName(naming: CookieNaming): string {
  return cookieNames(naming).access;
}
