/** DELETE /api/auth/sessions/:id — ends one session of the logged-in account (404 for anyone else's); ending its own clears the cookies. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { revokeSession } from '../shared/auth/sessions.ts';
import { accessSession, authContext, clearingCookies } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, noContent } from '../shared/http.ts';

export default endpoint({
  DELETE: async (req, context) => {
    const cfg = appConfig();
    const session = accessSession(req, cfg);
    const id = context.params.id ?? '';
    await revokeSession(authContext(cfg), session, id);
    // Ending the session this request came from ends it here too: its cookies go (docs/API.md).
    return noContent(id === session.sessionId ? { headers: clearingCookies(cfg) } : {});
  },
});

export const config: FunctionConfig = { path: '/api/auth/sessions/:id' };
