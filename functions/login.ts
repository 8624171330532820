/** POST /api/auth/login — a session and both cookies, or 401 that never says which part was wrong. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { login } from '../shared/auth/sessions.ts';
import { cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, ctx) => {
    const session = await login(ctx.auth, await readJson(req), userAgentOf(req), ctx.netlify.ip || 'unknown');
    return json(200, { user: session.user }, { headers: cookiesFor(session, ctx.config) });
  },
});

export const config: FunctionConfig = { path: '/api/auth/login' };
