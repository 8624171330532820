/** DELETE /api/auth/sessions/:id — ends one session of the logged-in account (404 for anyone else's). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { revokeSession } from '../shared/auth/sessions.ts';
import { accessSession, authContext } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, noContent } from '../shared/http.ts';

export default endpoint({
  DELETE: async (req, context) => {
    const cfg = appConfig();
    await revokeSession(authContext(cfg), accessSession(req, cfg), context.params.id ?? '');
    return noContent();
  },
});

export const config: FunctionConfig = { path: '/api/auth/sessions/:id' };
