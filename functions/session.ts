/** GET /api/auth/session — who is logged in, read from the access token alone. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { accessSession } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json } from '../shared/http.ts';

export default endpoint({
  GET: (req) => {
    const session = accessSession(req, appConfig());
    return json(200, { user: session.user, session: { id: session.sessionId, expiresAt: new Date(session.expiresAt * 1000).toISOString() } });
  },
});

export const config: FunctionConfig = { path: '/api/auth/session' };
