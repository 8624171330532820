/** POST /api/auth/refresh — rotates the refresh token; a reuse after the grace period ends the session. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { refreshSession } from '../shared/auth/sessions.ts';
import { cookiesFor, refreshSessionClaims, userAgentOf, withClearedCookies } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json } from '../shared/http.ts';

export default endpoint({
  POST: async (req, ctx) => {
    const claims = refreshSessionClaims(req, ctx.config);
    try {
      const session = await refreshSession(ctx.auth, claims, userAgentOf(req));
      return json(200, { user: session.user }, { headers: cookiesFor(session, ctx.config) });
    } catch (err) {
      throw withClearedCookies(err, ctx.config);
    }
  },
});

export const config: FunctionConfig = { path: '/api/auth/refresh' };
