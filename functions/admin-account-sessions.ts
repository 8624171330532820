/** DELETE /api/admin/accounts/:id/sessions — ends every session of the account (admin only). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { revokeSessions } from '../shared/admin/accounts.ts';
import { adminEndpoint, pathId } from '../shared/admin/endpoint.ts';
import { noContent } from '../shared/http.ts';

export default adminEndpoint({
  DELETE: async (req, ctx, admin) => {
    await revokeSessions(ctx.auth, admin, pathId(req, 0), null);
    return noContent();
  },
});

export const config: FunctionConfig = { path: '/api/admin/accounts/:id/sessions' };
