/** DELETE /api/auth/sessions/:id — ends one session of the logged-in account (404 for anyone else's); ending its own clears the cookies. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { revokeSession } from '../shared/auth/sessions.ts';
import { accessSession, clearingCookies } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { noContent } from '../shared/http.ts';

export default endpoint({
  DELETE: async (req, ctx) => {
    const session = accessSession(req, ctx.config);
    const id = ctx.netlify.params.id ?? '';
    await revokeSession(ctx.auth, session, id);
    // Ending the session this request came from ends it here too: its cookies go (docs/API.md).
    return noContent(id === session.sessionId ? { headers: clearingCookies(ctx.config) } : {});
  },
});

export const config: FunctionConfig = { path: '/api/auth/sessions/:id' };
