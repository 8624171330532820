/**
 * CSRF defence for writes (docs/API.md, "Requests that change state").
 *
 * A POST, PUT, PATCH or DELETE must come from the site's own origin or one in ALLOWED_ORIGINS.
 * `Origin` decides when present; without it, `Sec-Fetch-Site` must be 'same-origin' or 'none'
 * (the user typed the URL or used a bookmark). Anything else is 403 cross_origin. Reads pass.
 *
 * Every write is checked, not only those that carry cookies, because a cross-site form can
 * hurt without the victim's cookies too: posting the attacker's own magic or verify link logs
 * the victim's browser into the attacker's account (login CSRF), and the SameSite cookies are
 * exactly what such a post does not carry.
 *
 * A request with neither header passes. Current browsers send Origin on every POST, PUT, PATCH
 * and DELETE, and Sec-Fetch-Site on every request, so a cross-site write from a browser always
 * carries at least one; their absence means the client is not a browser (curl, a server, a
 * test). Such a client chose what it sends; it cannot be tricked into sending it, so it cannot
 * be a CSRF victim, and refusing it would only break scripts.
 *
 *   assertSameOrigin(req, config): void   (throws HttpError('cross_origin'))
 *   isAllowedOrigin(origin, config): boolean
 */

import type { Config } from './config.ts';
import { HttpError } from './errors.ts';

const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** True when `origin` (an Origin header's value) is the site's or listed in ALLOWED_ORIGINS. */
export function isAllowedOrigin(origin: string, config: Config): boolean {
  let normalized: string;
  try {
    // The header is already an origin; parsing lower-cases the host and drops a default port,
    // as config did for its own values. 'null' (sandboxed frames, file:) fails to parse.
    normalized = new URL(origin).origin;
  } catch {
    return false;
  }
  if (normalized === 'null') return false;
  return normalized === config.siteOrigin || config.allowedOrigins.includes(normalized);
}

export function assertSameOrigin(req: Request, config: Config): void {
  if (!WRITE_METHODS.has(req.method.toUpperCase())) return;
  assertSameOriginAnyMethod(req, config);
}

/** The same check whatever the method: for reads that write too (the admin API audits every call). */
export function assertSameOriginAnyMethod(req: Request, config: Config): void {
  const origin = req.headers.get('origin');
  const site = req.headers.get('sec-fetch-site');
  // A page sent with Referrer-Policy: no-referrer (the link pages are) makes the browser send
  // `Origin: null` with its form posts; so does a sandboxed frame on any site. Sec-Fetch-Site
  // tells them apart, and without it a null origin is refused.
  if (origin === 'null') {
    if (site === 'same-origin') return;
    throw refused();
  }
  if (origin !== null) {
    if (isAllowedOrigin(origin, config)) return;
    throw refused();
  }
  // Neither header: not a browser, so not a CSRF victim (see the header comment).
  if (site === null) return;
  if (site === 'same-origin' || site === 'none') return;
  // 'same-site' is refused too: a sibling subdomain is another site's code. Unknown values are
  // refused as well, rather than guessed at.
  throw refused();
}

function refused(): HttpError {
  return new HttpError('cross_origin');
}
