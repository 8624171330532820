/** GET /api/auth/sessions — the live sessions of the logged-in account. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { listSessions } from '../shared/auth/sessions.ts';
import { accessSession } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json } from '../shared/http.ts';

export default endpoint({
  GET: async (req, ctx) => {
    const sessions = await listSessions(ctx.auth, accessSession(req, ctx.config));
    return json(200, { sessions });
  },
});

export const config: FunctionConfig = { path: '/api/auth/sessions' };
