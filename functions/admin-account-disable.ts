/** POST /api/admin/accounts/:id/disable — the account can no longer log in by any path, and every session of it ends (admin only). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { setDisabled } from '../shared/admin/accounts.ts';
import { adminEndpoint, pathId } from '../shared/admin/endpoint.ts';
import { json } from '../shared/http.ts';

export default adminEndpoint({
  POST: async (req, ctx, admin) => {
    await setDisabled(ctx.auth, admin, pathId(req, 0), true);
    return json(200, { status: 'disabled' });
  },
});

export const config: FunctionConfig = { path: '/api/admin/accounts/:id/disable' };
