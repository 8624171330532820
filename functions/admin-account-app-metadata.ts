/** PUT /api/admin/accounts/:id/app-metadata {appMetadata} — replaces the account's app metadata (admin only). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { setAppMetadata } from '../shared/admin/accounts.ts';
import { adminEndpoint, pathId } from '../shared/admin/endpoint.ts';
import { json, readJson } from '../shared/http.ts';

export default adminEndpoint({
  PUT: async (req, ctx, admin) => json(200, { user: await setAppMetadata(ctx.auth, admin, pathId(req, 0), await readJson(req)) }),
});

export const config: FunctionConfig = { path: '/api/admin/accounts/:id/app-metadata' };
