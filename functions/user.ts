/**
 * /api/auth/user — GET: the account as the database has it now (roles, appMetadata,
 * userMetadata), while the session is live. PATCH {userMetadata}: replaces the user's own
 * metadata (appMetadata and roles are an admin's, never the user's).
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { freshUser, updateUserMetadata } from '../shared/auth/account.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readJson } from '../shared/http.ts';
import { requireUser } from '../shared/user/index.ts';

export default endpoint({
  GET: async (req, ctx) => {
    const user = requireUser(req, ctx.config);
    return json(200, { user: await freshUser(ctx.auth, { accountId: user.id, sessionId: user.sessionId }) });
  },
  PATCH: async (req, ctx) => {
    const user = requireUser(req, ctx.config);
    const body = await readJson(req);
    return json(200, { user: await updateUserMetadata(ctx.auth, { accountId: user.id, sessionId: user.sessionId }, body) });
  },
});

export const config: FunctionConfig = { path: '/api/auth/user' };
