/** POST /api/auth/login — a session and both cookies, or 401 that never says which part was wrong. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { login } from '../shared/auth/sessions.ts';
import { authContext, cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, context) => {
    const cfg = appConfig();
    const session = await login(authContext(cfg), await readJson(req), userAgentOf(req), context.ip || 'unknown');
    return json(200, { user: session.user }, { headers: cookiesFor(session, cfg) });
  },
});

export const config: FunctionConfig = { path: '/api/auth/login' };
