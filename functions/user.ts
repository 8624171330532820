/**
 * /api/auth/user — GET: the account as the database has it now (roles, appMetadata,
 * userMetadata), while the session is live. PATCH {userMetadata}: replaces the user's own
 * metadata (appMetadata and roles are an admin's, never the user's).
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { freshUser, updateUserMetadata } from '../shared/auth/account.ts';
import { authContext } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readJson } from '../shared/http.ts';
import { requireUser } from '../shared/user/index.ts';

export default endpoint({
  GET: async (req) => {
    const cfg = appConfig();
    const user = requireUser(req, cfg);
    return json(200, { user: await freshUser(authContext(cfg), { accountId: user.id, sessionId: user.sessionId }) });
  },
  PATCH: async (req) => {
    const cfg = appConfig();
    const user = requireUser(req, cfg);
    const body = await readJson(req);
    return json(200, { user: await updateUserMetadata(authContext(cfg), { accountId: user.id, sessionId: user.sessionId }, body) });
  },
});

export const config: FunctionConfig = { path: '/api/auth/user' };
