/** DELETE /api/admin/invitations/:id — revokes a pending invitation: its link stops working (admin role only). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { adminEndpoint } from '../shared/admin/endpoint.ts';
import { revokeInvitation } from '../shared/auth/invitations.ts';
import { json } from '../shared/http.ts';

export default adminEndpoint({
  // The id from the path itself: netlify dev fills in no `context.params` for some functions.
  DELETE: async (req, ctx, admin) => json(200, { invitation: await revokeInvitation(ctx.auth, admin, new URL(req.url).pathname.split('/').pop() ?? '') }),
});

export const config: FunctionConfig = { path: '/api/admin/invitations/:id' };
