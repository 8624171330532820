/** POST /api/auth/refresh — rotates the refresh token; a reuse after the grace period ends the session. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { refreshSession } from '../shared/auth/sessions.ts';
import { authContext, cookiesFor, refreshSessionClaims, userAgentOf, withClearedCookies } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json } from '../shared/http.ts';

export default endpoint({
  POST: async (req) => {
    const cfg = appConfig();
    const claims = refreshSessionClaims(req, cfg);
    try {
      const session = await refreshSession(authContext(cfg), claims, userAgentOf(req));
      return json(200, { user: session.user }, { headers: cookiesFor(session, cfg) });
    } catch (err) {
      throw withClearedCookies(err, cfg);
    }
  },
});

export const config: FunctionConfig = { path: '/api/auth/refresh' };
