/** GET /api/auth/session — who is logged in, read from the access token alone. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { accessSession } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json } from '../shared/http.ts';

export default endpoint({
  GET: (req, ctx) => {
    const session = accessSession(req, ctx.config);
    return json(200, { user: session.user, session: { id: session.sessionId, expiresAt: new Date(session.expiresAt * 1000).toISOString() } });
  },
});

export const config: FunctionConfig = { path: '/api/auth/session' };
