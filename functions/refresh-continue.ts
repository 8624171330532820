/**
 * GET /api/auth/refresh/continue?next=/app/… — where the edge guard sends a page request that has
 * no valid access token (netlify/edge-functions/auth-guard.ts). Only this path sees the refresh
 * cookie (it is scoped to /api/auth): a live session is refreshed and the browser goes back to
 * `next` with new cookies; anything else goes to the login page, which continues to `next`.
 *
 * A GET that rotates a token is safe here because the refresh cookie is SameSite=Strict: a
 * request another site starts never carries it, so it can only end at the login page.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { refreshSession } from '../shared/auth/sessions.ts';
import { clearingCookies, cookiesFor, refreshSessionClaims, userAgentOf } from '../shared/auth/web.ts';
import { LOGIN_PATH, safeNextPath } from '../shared/edge/session-guard.ts';
import { endpoint } from '../shared/endpoint.ts';
import { HttpError } from '../shared/errors.ts';
import { seeOther } from '../shared/http.ts';
import { html } from '../shared/pages/html.ts';
import { sitePage } from '../shared/pages/layout.ts';

export default endpoint({
  GET: async (req, ctx) => {
    const cfg = ctx.config;
    const next = safeNextPath(new URL(req.url).searchParams.get('next'));
    try {
      const session = await refreshSession(ctx.auth, refreshSessionClaims(req, cfg), userAgentOf(req));
      return seeOther(`${cfg.siteUrl}${next}`, { headers: cookiesFor(session, cfg) });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      // A person followed a link: a page, not a JSON body.
      if (err.status !== 401) return sitePage(cfg, 'Please try again', html`<h1>Please try again</h1><p>${err.message}</p>`, { status: err.status });
      // Not a session to continue (none, expired, revoked, reused): log in, then go on.
      return seeOther(`${cfg.siteUrl}${LOGIN_PATH}?next=${encodeURIComponent(next)}#login`, { headers: clearingCookies(cfg) });
    }
  },
});

export const config: FunctionConfig = { path: '/api/auth/refresh/continue' };
