/** GET /api/admin/accounts?q=&verified=&disabled=&limit=&cursor= — accounts by address prefix, newest first (admin only). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { searchAccounts } from '../shared/admin/accounts.ts';
import { adminEndpoint } from '../shared/admin/endpoint.ts';
import { json } from '../shared/http.ts';

export default adminEndpoint({
  GET: async (req, ctx, admin) => json(200, await searchAccounts(ctx.auth, admin, new URL(req.url).searchParams)),
});

export const config: FunctionConfig = { path: '/api/admin/accounts' };
