/**
 * What the stack benchmarks share to drive functions in-process: their command-line numbers, and
 * a Request as a browser on the site sends it.
 */

import type { Context } from '@netlify/functions';

export const SITE = 'http://localhost:8888';

/** Netlify's context for a function called without an IP or params (the benchmarks need neither). */
export const NO_CONTEXT = { params: {} } as unknown as Context;

/** `--name N` on the command line, a positive integer, or `fallback`. */
export function integerArgument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} wants a positive integer`);
  return value;
}

/** A request from the site's own page: its origin, the given cookie header, and a JSON body if any. */
export function siteRequest(userAgent: string, method: string, path: string, cookie: string, body?: unknown): Request {
  const headers = new Headers({ origin: SITE, 'user-agent': userAgent });
  if (cookie) headers.set('cookie', cookie);
  if (body !== undefined) headers.set('content-type', 'application/json');
  return new Request(`${SITE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** The value of a cookie an answer sets; a missing one is an error (the bench's setup went wrong). */
export function cookieValue(res: Response, name: string): string {
  for (const line of res.headers.getSetCookie()) {
    if (line.startsWith(`${name}=`)) return line.slice(name.length + 1).split(';')[0];
  }
  throw new Error(`no ${name} cookie`);
}
