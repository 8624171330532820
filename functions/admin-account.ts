/**
 * /api/admin/accounts/:id — GET: profile, roles, metadata, live sessions, newest audit entries.
 * DELETE {email}: the account and everything it owns, for good; the address typed again (admin only).
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { accountDetail, deleteAccount } from '../shared/admin/accounts.ts';
import { adminEndpoint, pathId } from '../shared/admin/endpoint.ts';
import { json, noContent, readJson } from '../shared/http.ts';

export default adminEndpoint({
  GET: async (req, ctx, admin) => json(200, await accountDetail(ctx.auth, admin, pathId(req, 0))),
  DELETE: async (req, ctx, admin) => {
    await deleteAccount(ctx.auth, admin, pathId(req, 0), await readJson(req));
    return noContent();
  },
});

export const config: FunctionConfig = { path: '/api/admin/accounts/:id' };
