/** GET /api/auth/sessions — the live sessions of the logged-in account. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { listSessions } from '../shared/auth/sessions.ts';
import { accessSession, authContext } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json } from '../shared/http.ts';

export default endpoint({
  GET: async (req) => {
    const cfg = appConfig();
    const sessions = await listSessions(authContext(cfg), accessSession(req, cfg));
    return json(200, { sessions });
  },
});

export const config: FunctionConfig = { path: '/api/auth/sessions' };
