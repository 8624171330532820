/** DELETE /api/admin/invitations/:id — revokes a pending invitation: its link stops working (admin role only). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { adminCaller, revokeInvitation } from '../shared/auth/invitations.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json } from '../shared/http.ts';

export default endpoint({
  DELETE: async (req, ctx) => json(200, { invitation: await revokeInvitation(ctx.auth, adminCaller(req, ctx.config), ctx.netlify.params.id ?? '') }),
});

export const config: FunctionConfig = { path: '/api/admin/invitations/:id' };
