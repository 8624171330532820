/** DELETE /api/admin/accounts/:id/sessions/:sid — ends one session of the account; 404 when it is not theirs (admin only). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { revokeSessions } from '../shared/admin/accounts.ts';
import { adminEndpoint, pathId } from '../shared/admin/endpoint.ts';
import { noContent } from '../shared/http.ts';

export default adminEndpoint({
  DELETE: async (req, ctx, admin) => {
    await revokeSessions(ctx.auth, admin, pathId(req, 0), pathId(req, 2));
    return noContent();
  },
});

export const config: FunctionConfig = { path: '/api/admin/accounts/:id/sessions/:sid' };
