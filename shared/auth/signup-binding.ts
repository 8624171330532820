/**
 * The signup cookie: what ties a registration to the browser it came from. `register` sets it
 * on every answer, for every address alike, so it says nothing about which have accounts: the
 * browser's own value if it has one (a second registration must not unbind the first), else a
 * fresh random one. A new account keeps only its SHA-256; the verification form's POST reads it
 * back.
 * A verification that carries it has been asked for in this browser, by whoever chose the
 * password, so the password stays; any other drops it (see verifyEmailQuery).
 */

import type { Config } from '../config.ts';
import { clearedSignupCookie, signupCookie, signupCookieValue } from '../cookies.ts';
import { HttpError } from '../errors.ts';
import type { AuthContext } from './context.ts';

/** The request's signup cookie. Sent twice, it counts as absent: the safe side, where the password is dropped. */
export function signupBindingOf(req: Request, config: Config): string | undefined {
  try {
    return signupCookieValue(req, config);
  } catch (err) {
    if (err instanceof HttpError && err.code === 'duplicate_cookie') return undefined;
    throw err;
  }
}

/** The value a registration binds its account to: the browser's own, or a fresh one. */
export function signupBindingFor(req: Request, ctx: Pick<AuthContext, 'config' | 'randomToken'>): string {
  return signupBindingOf(req, ctx.config) ?? ctx.randomToken();
}

export function signupBindingCookie(value: string, config: Config): { 'Set-Cookie': string } {
  return { 'Set-Cookie': signupCookie(value, config) };
}

/** An answer to a registration carries the cookie even when it is an error (an account may exist by then). */
export function withSignupBindingCookie(err: unknown, value: string, config: Config): unknown {
  if (!(err instanceof HttpError)) return err;
  return new HttpError(err.code, { message: err.message, headers: { ...err.headers, ...signupBindingCookie(value, config) } });
}

export function clearedSignupBindingCookie(config: Config): string {
  return clearedSignupCookie(config);
}
