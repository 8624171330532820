/** PUT /api/admin/accounts/:id/roles {roles} — replaces the account's roles; they reach its token at the next refresh (admin only). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { setRoles } from '../shared/admin/accounts.ts';
import { adminEndpoint, pathId } from '../shared/admin/endpoint.ts';
import { json, readJson } from '../shared/http.ts';

export default adminEndpoint({
  PUT: async (req, ctx, admin) => json(200, { user: await setRoles(ctx.auth, admin, pathId(req, 0), await readJson(req)) }),
});

export const config: FunctionConfig = { path: '/api/admin/accounts/:id/roles' };
